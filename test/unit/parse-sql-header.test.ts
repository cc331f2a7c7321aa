import { describe, expect, it } from "vitest";
import {
  editDistance,
  type HeaderResult,
  MAX_REASON_CHARS,
  parseSqlHeader,
  type RequestProblem,
  type SqlRequestHeader,
} from "../../src/requests/parse-sql-header.js";

function header(result: HeaderResult): SqlRequestHeader {
  if (!result.ok) throw new Error(`expected a valid header: ${JSON.stringify(result.errors)}`);
  return result.header;
}

function problems(result: HeaderResult): RequestProblem[] {
  if (result.ok) throw new Error("expected header problems");
  return result.errors;
}

describe("parseSqlHeader", () => {
  it("reads target, reason, max_rows and ticket", () => {
    const text =
      "-- target: orders-prod\n-- reason: refund #123\n-- max_rows: 10\n-- ticket: OPS-42\nSELECT 1;\n";
    expect(header(parseSqlHeader(text))).toEqual({
      target: "orders-prod",
      reason: "refund #123",
      maxRows: 10,
      ticket: "OPS-42",
    });
  });

  it("defaults max_rows and ticket to null", () => {
    expect(header(parseSqlHeader("-- target: t\n-- reason: r\nSELECT 1"))).toMatchObject({
      maxRows: null,
      ticket: null,
    });
  });

  it("skips blank lines and plain comments inside the header", () => {
    const text = "\n-- A plain comment about the query\n\n-- target: t\n--\n-- reason: r\nSELECT 1";
    expect(header(parseSqlHeader(text))).toMatchObject({ target: "t", reason: "r" });
  });

  it("accepts keys in any case and with dashes", () => {
    expect(header(parseSqlHeader("-- TARGET: t\n-- Reason: r\n-- max-rows: 5\nSELECT 1")).maxRows).toBe(5);
  });

  it("requires target, with its line and an example in the message", () => {
    const found = problems(parseSqlHeader("-- reason: cleanup\nSELECT 1"));
    expect(found).toHaveLength(1);
    expect(found[0]?.line).toBe(1);
    expect(found[0]?.message).toContain("missing header `-- target: …`");
    expect(found[0]?.message).toContain("`-- target: orders-prod`");
  });

  it("requires reason, with an example in the message", () => {
    const found = problems(parseSqlHeader("-- target: orders-prod\nSELECT 1"));
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toContain("missing header `-- reason: …`");
    expect(found[0]?.message).toContain("`-- reason: why this must run`");
  });

  it("reports an empty required value on the line that gives it", () => {
    const found = problems(parseSqlHeader("-- target: t\n\n-- reason:\nSELECT 1"));
    expect(found).toEqual([
      expect.objectContaining({ line: 3, message: expect.stringContaining("missing header `-- reason") }),
    ]);
  });

  it("reports both missing keys when there is no header at all", () => {
    const found = problems(parseSqlHeader("SELECT 1"));
    expect(found.map((p) => p.message)).toEqual([
      expect.stringContaining("-- target:"),
      expect.stringContaining("-- reason:"),
    ]);
  });

  it("suggests the closest key for a misspelt one", () => {
    const found = problems(parseSqlHeader("-- taget: x\n-- target: t\n-- reason: r\nSELECT 1"));
    expect(found).toHaveLength(1);
    expect(found[0]?.line).toBe(1);
    expect(found[0]?.message).toContain("unknown header key `taget`");
    expect(found[0]?.message).toContain("did you mean `target`?");
    expect(found[0]?.message).toContain("known: target, reason, max_rows, ticket");
  });

  it("does not suggest a key for an unrelated word", () => {
    const found = problems(parseSqlHeader("-- owner: me\n-- target: t\n-- reason: r\nSELECT 1"));
    expect(found[0]?.message).toContain("unknown header key `owner`");
    expect(found[0]?.message).not.toContain("did you mean");
  });

  it("names the first line of a duplicate key", () => {
    const found = problems(parseSqlHeader("-- target: a\n-- reason: r\n-- target: b\nSELECT 1"));
    expect(found).toEqual([
      { line: 3, column: 1, message: "header key `target` is given twice (first on line 1): keep one" },
    ]);
  });

  it.each(["0", "10", "999999999999"])("accepts max_rows %s", (value) => {
    expect(
      header(parseSqlHeader(`-- target: t\n-- reason: r\n-- max_rows: ${value}\nSELECT 1`)).maxRows,
    ).toBe(Number(value));
  });

  it.each(["-1", "1.5", "ten", "1e3", "9999999999999", ""])("rejects max_rows %j", (value) => {
    const found = problems(parseSqlHeader(`-- target: t\n-- reason: r\n-- max_rows: ${value}\nSELECT 1`));
    expect(found).toEqual([
      expect.objectContaining({
        line: 3,
        message: expect.stringContaining("max_rows must be a whole number"),
      }),
    ]);
  });

  it("stops at the first SQL line, ignoring header-like comments after it", () => {
    const text = "-- target: t\n-- reason: r\nSELECT 1;\n-- target: other\n-- reason: other\n-- bogus: x\n";
    expect(header(parseSqlHeader(text))).toMatchObject({ target: "t", reason: "r" });
  });

  it("does not read a header that starts after SQL", () => {
    expect(problems(parseSqlHeader("SELECT 1;\n-- target: t\n-- reason: r\n"))).toHaveLength(2);
  });

  it("handles CRLF line endings without keeping the carriage return", () => {
    const text = "-- target: orders-prod\r\n-- reason: refund\r\n-- max_rows: 7\r\nSELECT 1;\r\n";
    expect(header(parseSqlHeader(text))).toEqual({
      target: "orders-prod",
      reason: "refund",
      maxRows: 7,
      ticket: null,
    });
  });

  it("counts lines correctly with CRLF line endings", () => {
    const found = problems(parseSqlHeader("-- target: a\r\n-- reason: r\r\n-- target: b\r\nSELECT 1"));
    expect(found[0]?.line).toBe(3);
  });

  it("accepts a reason of exactly MAX_REASON_CHARS characters", () => {
    const reason = "r".repeat(MAX_REASON_CHARS);
    expect(header(parseSqlHeader(`-- target: t\n-- reason: ${reason}\nSELECT 1`)).reason).toBe(reason);
  });

  it("rejects a reason one character over MAX_REASON_CHARS", () => {
    const found = problems(
      parseSqlHeader(`-- target: t\n-- reason: ${"r".repeat(MAX_REASON_CHARS + 1)}\nSELECT 1`),
    );
    expect(found).toEqual([
      {
        line: 2,
        column: 1,
        message: `reason is ${MAX_REASON_CHARS + 1} characters; shorten it to at most ${MAX_REASON_CHARS}`,
      },
    ]);
  });

  it.each(["Orders", "-orders", "orders prod", "orders.prod", "a".repeat(64), "ördérs"])(
    "rejects the invalid target name %j",
    (target) => {
      const found = problems(parseSqlHeader(`-- reason: r\n-- target: ${target}\nSELECT 1`));
      expect(found).toEqual([
        expect.objectContaining({ line: 2, message: expect.stringContaining("is not a valid target name") }),
      ]);
    },
  );

  it.each(["a", "0", "orders_prod-2", "a".repeat(63)])("accepts the target name %j", (target) => {
    expect(header(parseSqlHeader(`-- target: ${target}\n-- reason: r\nSELECT 1`)).target).toBe(target);
  });
});

describe("editDistance", () => {
  it("counts insertions, deletions and substitutions", () => {
    expect(editDistance("target", "target")).toBe(0);
    expect(editDistance("taget", "target")).toBe(1);
    expect(editDistance("reasno", "reason")).toBe(2);
    expect(editDistance("", "abc")).toBe(3);
  });
});
