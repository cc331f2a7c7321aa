import pg from "pg";
import { describe, expect, it } from "vitest";
import { lineAtPosition, toExecutionError } from "../../src/runner/execute/statement-error.js";

function databaseError(fields: Partial<pg.DatabaseError>): pg.DatabaseError {
  return Object.assign(new pg.DatabaseError(fields.message ?? "boom", 0, "error"), fields);
}

describe("lineAtPosition", () => {
  it("adds the newlines before PostgreSQL's 1-based character position to the statement's line", () => {
    const text = "UPDATE t\n   SET a = 1\n WHERE nmae = 2";
    expect(lineAtPosition({ text, line: 10, position: 1 })).toBe(10);
    expect(lineAtPosition({ text, line: 10, position: text.indexOf("SET") + 1 })).toBe(11);
    expect(lineAtPosition({ text, line: 10, position: text.indexOf("nmae") + 1 })).toBe(12);
  });

  it("counts characters as code points, like PostgreSQL, not UTF-16 units", () => {
    // Each rocket is one character for PostgreSQL and two UTF-16 units for JavaScript.
    const text = "SELECT '🚀🚀🚀',\n nmae";
    const position = [...text].indexOf("n") + 1;
    expect(lineAtPosition({ text, line: 3, position })).toBe(4);
    expect(lineAtPosition({ text, line: 3, position: [...text].indexOf("\n") + 1 })).toBe(3);
  });

  it("falls back to the statement's line without a usable position", () => {
    expect(lineAtPosition({ text: "SELECT\n1", line: 7, position: Number.NaN })).toBe(7);
    expect(lineAtPosition({ text: "SELECT\n1", line: 7, position: 0 })).toBe(7);
  });
});

describe("toExecutionError", () => {
  const statement = { index: 2, text: "SELECT\n  pg_sleep(5)", line: 20 };
  const settings = {
    statementTimeoutMs: 200,
    lockTimeoutMs: 100,
    idleInTransactionTimeoutMs: 1_000,
    applicationName: "qg",
    searchPath: ["app"],
  };

  it("keeps the server's fields and maps the position", () => {
    const error = databaseError({
      code: "42703",
      message: 'column "nmae" does not exist',
      position: "10",
      hint: "h",
    });
    expect(toExecutionError(error, { kind: "statement", statement })).toEqual({
      kind: "statement",
      sqlstate: "42703",
      message: 'column "nmae" does not exist',
      detail: null,
      hint: "h",
      statementIndex: 2,
      line: 21,
    });
  });

  it("says which timeout fired and how long it was", () => {
    const statementTimeout = databaseError({
      code: "57014",
      message: "canceling statement due to statement timeout",
    });
    expect(toExecutionError(statementTimeout, { kind: "statement", statement, settings }).message).toBe(
      "statement timeout: the statement ran longer than 200 ms and was canceled (canceling statement due to statement timeout)",
    );
    const lockTimeout = databaseError({ code: "55P03", message: "canceling statement due to lock timeout" });
    expect(toExecutionError(lockTimeout, { kind: "statement", statement, settings }).message).toMatch(
      /^lock timeout: the statement waited more than 100 ms/,
    );
    const userCancel = databaseError({ code: "57014", message: "canceling statement due to user request" });
    expect(toExecutionError(userCancel, { kind: "statement", statement, settings }).message).toBe(
      "canceling statement due to user request",
    );
  });

  it("reports other errors without a SQLSTATE, at the statement's line", () => {
    expect(
      toExecutionError(new Error("Connection terminated unexpectedly"), { kind: "statement", statement }),
    ).toEqual({
      kind: "statement",
      sqlstate: null,
      message: "Connection terminated unexpectedly",
      detail: null,
      hint: null,
      statementIndex: 2,
      line: 20,
    });
  });
});
