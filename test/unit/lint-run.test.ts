import { describe, expect, it } from "vitest";
import type { LintRule } from "../../src/lint/lint-rule.js";
import { ALL_RULES } from "../../src/lint/rules/index.js";
import { MAX_FINDINGS_PER_RULE, runLint } from "../../src/lint/run-lint.js";
import type { Statement } from "../../src/sql/statement.js";
import { parseSql } from "../support/parse-sql.js";

const crashing: LintRule = {
  id: "always-crashes",
  level: "notice",
  summary: "throws, for the test",
  check() {
    throw new Error("boom");
  },
};

describe("runLint", () => {
  it("returns one list of findings per statement, in statement order", () => {
    const findings = runLint({
      statements: parseSql("SELECT 1; DELETE FROM t; SELECT a FROM t WHERE id = 1"),
      live: null,
    });
    expect(findings).toHaveLength(3);
    expect(findings[0]).toEqual([]);
    expect(findings[1]?.map((f) => f.rule)).toEqual(["delete-without-where"]);
    expect(findings[2]).toEqual([]);
  });

  it("gives a finding in a later statement that statement's line in the file", () => {
    const sql = "-- request\nSELECT id\n  FROM t\n  WHERE id = 1;\n\n/* then */\nUPDATE t\n  SET a = 1;\n";
    const findings = runLint({ statements: parseSql(sql) });
    expect(findings[1]).toEqual([expect.objectContaining({ rule: "update-without-where", line: 7 })]);
  });

  it("places findings inside a statement on their own line, after multi-byte text", () => {
    const wide = "é".repeat(40);
    const sql = `SELECT '${wide}';\nSELECT a\n  FROM t\n  WHERE note = '${wide}'\n    AND a LIKE '%ß' AND b = '${wide}'\n    AND c = 1;`;
    const findings = runLint({ statements: parseSql(sql) });
    expect(findings[1]).toEqual([expect.objectContaining({ rule: "leading-wildcard-like", line: 5 })]);
  });

  it("passes each statement its own live facts", () => {
    const statements = parseSql("UPDATE t SET a = 1 WHERE id = 1; UPDATE t SET a = 1 WHERE id = 2");
    const failed = { relations: [], functions: [], estimatedRows: null, errors: ["timeout"] };
    const findings = runLint({ statements, live: [null, failed] });
    expect(findings[0]).toEqual([]);
    expect(findings[1]?.map((f) => f.rule)).toEqual(["live-lookup-failed"]);
  });

  it("refuses live facts that do not line up with the statements", () => {
    expect(() => runLint({ statements: parseSql("SELECT 1; SELECT 2"), live: [null] })).toThrow(
      /one entry \(or null\) per statement/,
    );
  });

  it("runs the rules it is given, in their order", () => {
    const [findings] = runLint({
      statements: parseSql("SELECT * FROM t"),
      rules: ALL_RULES.filter((r) => r.id === "select-star"),
    });
    expect(findings?.map((f) => f.rule)).toEqual(["select-star"]);
  });

  it("lists findings in ALL_RULES order", () => {
    const [findings] = runLint({ statements: parseSql("SELECT * FROM t") });
    expect(findings?.map((f) => f.rule)).toEqual(["select-star", "read-without-where-or-limit"]);
  });
});

describe("overrides", () => {
  const sql = "SELECT * FROM t";

  it("turns a rule off", () => {
    const [findings] = runLint({ statements: parseSql(sql), overrides: { "select-star": "off" } });
    expect(findings?.map((f) => f.rule)).toEqual(["read-without-where-or-limit"]);
  });

  it("raises a rule's level", () => {
    const [findings] = runLint({ statements: parseSql(sql), overrides: { "select-star": "error" } });
    expect(findings?.find((f) => f.rule === "select-star")?.level).toBe("error");
  });

  it("lowers a rule's level", () => {
    const [findings] = runLint({
      statements: parseSql("DELETE FROM t"),
      overrides: { "delete-without-where": "notice" },
    });
    expect(findings).toEqual([expect.objectContaining({ rule: "delete-without-where", level: "notice" })]);
  });

  it("refuses an unknown rule id and suggests the closest one", () => {
    expect(() => runLint({ statements: parseSql(sql), overrides: { "selct-star": "off" } })).toThrow(
      /unknown review rule "selct-star".*did you mean "select-star"\?/,
    );
  });

  it("lists the known rules when nothing is close", () => {
    expect(() =>
      runLint({ statements: parseSql(sql), overrides: { "no-such-thing-at-all": "off" } }),
    ).toThrow(/known rules: update-without-where, /);
  });

  it("refuses a level that does not exist", () => {
    const overrides = { "select-star": "fatal" } as unknown as Record<string, "off">;
    expect(() => runLint({ statements: parseSql(sql), overrides })).toThrow(
      /use one of "error", "warning", "notice" or "off"/,
    );
  });
});

describe("failing closed", () => {
  it("turns a rule that throws into an error finding naming the rule", () => {
    const [findings] = runLint({ statements: parseSql("SELECT 1"), rules: [crashing, ...ALL_RULES] });
    expect(findings).toEqual([
      expect.objectContaining({
        rule: "rule-crashed",
        level: "error",
        line: 1,
        message: expect.stringContaining("always-crashes"),
      }),
    ]);
  });

  it("a crash cannot be lowered by overriding the crashed rule", () => {
    const [findings] = runLint({
      statements: parseSql("SELECT 1"),
      rules: [crashing],
      overrides: { "always-crashes": "notice" },
    });
    expect(findings?.[0]).toMatchObject({ rule: "rule-crashed", level: "error" });
  });

  it("reports a statement that lost its parse tree instead of passing it", () => {
    const [statement] = parseSql("DELETE FROM t");
    const copy = { ...statement } as Statement;
    const [findings] = runLint({ statements: [copy] });
    expect(findings).toEqual([expect.objectContaining({ rule: "missing-parse-tree", level: "error" })]);
  });

  it("caps one rule's findings on one statement and counts the rest", () => {
    const likes = Array.from({ length: MAX_FINDINGS_PER_RULE + 5 }, (_, i) => `a LIKE '%${i}'`).join(" OR ");
    const [findings] = runLint({ statements: parseSql(`SELECT a FROM t WHERE ${likes}`) });
    const wildcard = findings?.filter((f) => f.rule === "leading-wildcard-like") ?? [];
    expect(wildcard).toHaveLength(MAX_FINDINGS_PER_RULE + 1);
    expect(wildcard.at(-1)?.message).toMatch(/^5 more findings/);
  });

  it("refuses two rules with the same id", () => {
    expect(() => runLint({ statements: parseSql("SELECT 1"), rules: [crashing, crashing] })).toThrow(
      /share the id "always-crashes"/,
    );
  });
});
