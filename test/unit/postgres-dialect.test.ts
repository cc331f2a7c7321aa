import { describe, expect, it } from "vitest";
import { createPostgresDialect } from "../../src/sql/postgres/postgres-dialect.js";
import { MAX_SQL_SOURCE_BYTES } from "../../src/sql/source-text.js";
import type { Analysis, AnalysisError, Statement } from "../../src/sql/statement.js";

const dialect = await createPostgresDialect();

function analyze(sql: string | Uint8Array): Analysis {
  return dialect.analyze(typeof sql === "string" ? Buffer.from(sql, "utf8") : sql);
}

function statements(sql: string | Uint8Array): Statement[] {
  const analysis = analyze(sql);
  if (!analysis.ok) throw new Error(`expected ${JSON.stringify(sql)} to parse: ${analysis.error.message}`);
  return analysis.statements;
}

function only(sql: string): Statement {
  const found = statements(sql);
  expect(found).toHaveLength(1);
  return found[0] as Statement;
}

function failure(sql: string | Uint8Array): AnalysisError {
  const analysis = analyze(sql);
  if (analysis.ok) throw new Error(`expected ${JSON.stringify(sql)} to be refused`);
  expect(analysis.statements).toEqual([]);
  return analysis.error;
}

describe("createPostgresDialect", () => {
  it("names the dialect and the parser version that produced the analysis", () => {
    const analysis = analyze("SELECT 1");
    expect(analysis.dialect).toBe("postgres");
    expect(analysis.parserVersion).toMatch(/^libpg-query@.+ \(PostgreSQL \d+ grammar\)$/);
    expect(dialect.parserVersion).toBe(analysis.parserVersion);
  });
});

describe("statement classes", () => {
  it.each([
    ["SELECT * FROM t", "read"],
    ["SELECT * FROM t FOR UPDATE", "read_lock"],
    ["SELECT * FROM t FOR SHARE SKIP LOCKED", "read_lock"],
    ["INSERT INTO t (a) VALUES (1)", "write"],
    ["UPDATE t SET a = 1", "write"],
    ["DELETE FROM t WHERE a = 1", "write"],
    ["MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET a = 1", "write"],
    ["SELECT * INTO copy_of_t FROM t", "ddl"],
    ["CREATE TABLE t (a int)", "ddl"],
    ["ALTER TABLE t ADD COLUMN b int", "ddl"],
    ["DROP TABLE t", "ddl"],
    ["TRUNCATE t", "ddl"],
    ["GRANT SELECT ON t TO reporting", "dcl"],
    ["CREATE ROLE analyst", "dcl"],
    ["VACUUM t", "maintenance"],
    ["REINDEX TABLE t", "maintenance"],
    ["COPY t FROM STDIN", "write"],
    ["COPY t TO STDOUT", "read"],
  ] as const)("classifies %s as %s", (sql, expected) => {
    expect(only(sql).class).toBe(expected);
  });

  it("classifies a data-modifying CTE under a SELECT as a write", () => {
    const statement = only("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d");
    expect(statement.class).toBe("write");
    expect(statement.reasons).toContain("contains a data-modifying DELETE");
  });

  it("classifies a data-modifying CTE nested two levels deep as a write", () => {
    const statement = only(
      "WITH outer_cte AS (WITH inner_cte AS (DELETE FROM t RETURNING *) SELECT * FROM inner_cte) SELECT * FROM outer_cte",
    );
    expect(statement.class).toBe("write");
  });

  it("escalates a row lock inside a set operation's arm", () => {
    expect(only("SELECT 1 UNION (SELECT a FROM t FOR UPDATE)").class).toBe("read_lock");
  });

  it.each([
    "SELECT pg_terminate_backend(1)",
    "SELECT * FROM t WHERE pg_sleep(1) IS NULL",
    "SELECT nextval('s')",
    "select dblink_exec('x','y')",
  ])("classifies %s as admin because of the function it calls", (sql) => {
    const statement = only(sql);
    expect(statement.class).toBe("admin");
    expect(statement.reasons.some((r) => r.includes("side effects"))).toBe(true);
  });

  it.each([
    ["BEGIN", "transaction control"],
    ["COMMIT", "transaction control"],
    ["SET statement_timeout = 0", "SET/RESET"],
    ["DO $$ BEGIN PERFORM 1; END $$", "DO runs procedural code"],
    ["CALL do_things()", "CALL runs a procedure"],
    ["PREPARE p AS SELECT 1", "PREPARE"],
    ["LISTEN events", "LISTEN"],
    ["LOCK TABLE t", "LOCK"],
    ["DECLARE c CURSOR FOR SELECT 1", "cursors"],
  ])("rejects %s with a reason", (sql, reason) => {
    const statement = only(sql);
    expect(statement.class).toBe("rejected");
    expect(statement.reasons.join("; ")).toContain(reason);
  });

  it.each(["COPY t FROM '/etc/passwd'", "COPY t TO PROGRAM 'x'"])("rejects server-side %s", (sql) => {
    const statement = only(sql);
    expect(statement.class).toBe("rejected");
    expect(statement.reasons).toContain("COPY to or from a server file or program is never allowed");
  });

  it("classifies EXPLAIN ANALYZE of a DELETE as a write, because it executes", () => {
    const statement = only("EXPLAIN ANALYZE DELETE FROM t");
    expect(statement.class).toBe("write");
    expect(statement.reasons).toContain("EXPLAIN ANALYZE executes the statement");
    expect(statement.flags).not.toContain("explain_only");
  });

  it.each([
    ["EXPLAIN ANALYZE CREATE TABLE t2 AS SELECT 1", "ddl"],
    ["EXPLAIN ANALYZE SELECT * INTO t2 FROM t", "ddl"],
    ["EXPLAIN EXECUTE p", "rejected"],
    ["EXPLAIN ANALYZE DECLARE c CURSOR FOR SELECT 1", "rejected"],
  ] as const)("takes the explained statement's class for %s", (sql, expected) => {
    expect(only(sql).class).toBe(expected);
  });

  it("flags an unknown user function without changing the class", () => {
    const statement = only("SELECT my_function(a) FROM t");
    expect(statement.class).toBe("read");
    expect(statement.flags).toContain("unknown_function");
    expect(statement.functions).toEqual(["my_function"]);
  });

  it("flags a schema-qualified function outside pg_catalog even when its name is a known built-in", () => {
    const statement = only("SELECT public.count(x) FROM t");
    expect(statement.flags).toContain("unknown_function");
    expect(statement.functions).toEqual(["public.count"]);
    expect(only("SELECT pg_catalog.count(x) FROM t").flags).not.toContain("unknown_function");
  });

  it("does not flag known read-only built-ins", () => {
    expect(only("SELECT count(*), lower(name) FROM t").flags).toEqual([]);
  });
});

describe("statement boundaries", () => {
  it("splits a backslash-quote smuggling attempt into two statements, the second a DELETE", () => {
    // standard_conforming_strings is on: a backslash does not escape the closing quote.
    const found = statements("SELECT 'a\\'; DELETE FROM t; --'");
    expect(found).toHaveLength(2);
    expect(found[0]?.class).toBe("read");
    expect(found[1]?.kind).toBe("DeleteStmt");
    expect(found[1]?.class).toBe("write");
    expect(found[1]?.text.trim()).toBe("DELETE FROM t");
  });

  it("slices each statement's text exactly from the source bytes", () => {
    const source = "-- head\nSELECT 1;\n\n/* c */ UPDATE t SET a = 1;\nDELETE FROM t";
    const bytes = Buffer.from(source);
    const found = statements(bytes);
    expect(found.map((s) => s.text)).toEqual([
      "-- head\nSELECT 1",
      "\n\n/* c */ UPDATE t SET a = 1",
      "\nDELETE FROM t",
    ]);
    for (const s of found) {
      expect(bytes.subarray(s.span.byteStart, s.span.byteEnd).toString("utf8")).toBe(s.text);
    }
    // The statements and their separating semicolons are the whole file.
    expect(found.map((s) => s.text).join(";")).toBe(source);
  });

  it("keeps a trailing semicolon out of the last statement", () => {
    const source = "SELECT 1; SELECT 2;";
    const found = statements(source);
    expect(found.map((s) => s.text)).toEqual(["SELECT 1", " SELECT 2"]);
    expect(`${found.map((s) => s.text).join(";")};`).toBe(source);
  });

  it("numbers statements from zero in source order", () => {
    expect(statements("SELECT 1;;; SELECT 2; SELECT 3").map((s) => s.index)).toEqual([0, 1, 2]);
  });

  it("places each statement at its first token, after leading comments and blank lines", () => {
    const found = statements(
      "-- a comment\n/* block\n   comment */\n\n   SELECT 1;\n\n-- next\n  DELETE FROM t\n  WHERE a = 1;",
    );
    expect(found.map((s) => [s.span.line, s.span.column, s.span.endLine])).toEqual([
      [5, 4, 5],
      [8, 3, 9],
    ]);
  });

  it("counts columns in characters and slices bytes correctly after multi-byte UTF-8", () => {
    const bytes = Buffer.from("-- é 😀\n/* ü */ SELECT 'é' AS a;\n/*😀*/ SELECT '😀😀' AS b;");
    const found = statements(bytes);
    expect(found.map((s) => [s.span.line, s.span.column])).toEqual([
      [2, 9],
      [3, 7],
    ]);
    expect(found[1]?.text).toBe("\n/*😀*/ SELECT '😀😀' AS b");
    for (const s of found)
      expect(bytes.subarray(s.span.byteStart, s.span.byteEnd).toString("utf8")).toBe(s.text);
  });
});

describe("parse errors", () => {
  it("reports a syntax error on the line and column where it occurs", () => {
    const error = failure("SELECT 1;\nSELEC x");
    expect(error).toMatchObject({ line: 2, column: 1 });
    expect(error.message).toContain('syntax error at or near "SELEC"');
  });

  it("reports an unterminated string at its opening quote", () => {
    const error = failure("SELECT 1;\nSELECT 'abc");
    expect(error).toMatchObject({ line: 2, column: 8 });
    expect(error.message).toContain("unterminated quoted string");
  });

  it("reports the error's line in a file with a header", () => {
    const error = failure(
      "-- target: orders-prod\n-- reason: cleanup\n\nSELECT 1;\nSELECT * FROM t WHERE;\n",
    );
    expect(error.line).toBe(5);
    expect(error.column).toBe(22);
  });

  it("counts the error column in characters after multi-byte UTF-8", () => {
    const error = failure("SELECT 'é😀' AS a;\n  SELECT 'é' x SELEC");
    expect(error).toMatchObject({ line: 2, column: 16 });
  });
});

describe("input rejection", () => {
  it("refuses an empty file", () => {
    expect(failure("").message).toContain("empty");
  });

  it("refuses a whitespace-only file", () => {
    expect(failure(" \n\t\r\n ").message).toContain("only whitespace");
  });

  it("refuses a NUL byte and says where it is", () => {
    const error = failure("SELECT 1;\nSELECT\0 2");
    expect(error).toMatchObject({ line: 2, column: 7 });
    expect(error.message).toContain("NUL");
  });

  it("refuses invalid UTF-8 and says where it is", () => {
    const bytes = Buffer.concat([
      Buffer.from("SELECT 1;\nSELECT 'é"),
      Buffer.from([0xff]),
      Buffer.from("';"),
    ]);
    const error = failure(bytes);
    expect(error).toMatchObject({ line: 2, column: 10 });
    expect(error.message).toContain("UTF-8");
  });

  it("refuses a file that holds only comments", () => {
    expect(failure("-- just a note\n/* and another */\n").message).toContain("no SQL statement");
  });

  it("refuses a file that holds only semicolons", () => {
    expect(failure(";;\n;").message).toContain("no SQL statement");
  });

  it("analyses a file of exactly MAX_SQL_SOURCE_BYTES", () => {
    const head = "SELECT 1;\n-- ";
    const source = head + "x".repeat(MAX_SQL_SOURCE_BYTES - head.length);
    expect(Buffer.byteLength(source)).toBe(MAX_SQL_SOURCE_BYTES);
    expect(statements(source)).toHaveLength(1);
  });

  it("refuses a file one byte over MAX_SQL_SOURCE_BYTES", () => {
    const head = "SELECT 1;\n-- ";
    const source = head + "x".repeat(MAX_SQL_SOURCE_BYTES - head.length + 1);
    const error = failure(source);
    expect(error.message).toContain(`${MAX_SQL_SOURCE_BYTES + 1} bytes`);
    expect(error.message).toContain(`limit of ${MAX_SQL_SOURCE_BYTES} bytes`);
  });

  it("analyses a file at the size limit full of statements in linear time", () => {
    const line = "SELECT 1;\n";
    const count = Math.floor(MAX_SQL_SOURCE_BYTES / line.length);
    const started = Date.now();
    const found = statements(line.repeat(count));
    expect(found).toHaveLength(count);
    expect(found[count - 1]?.span.line).toBe(count);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe("touched objects", () => {
  it("excludes CTE names and keeps schemas", () => {
    expect(only("WITH recent AS (SELECT * FROM sales.orders) SELECT * FROM recent").objects).toEqual([
      { schema: "sales", name: "orders", operation: "read", qualified: true },
    ]);
  });

  it("marks an UPDATE's target as update and its FROM tables as read", () => {
    expect(only("UPDATE app.accounts a SET x = 1 FROM app.plans p WHERE a.plan = p.id").objects).toEqual([
      { schema: "app", name: "accounts", operation: "update", qualified: true },
      { schema: "app", name: "plans", operation: "read", qualified: true },
    ]);
  });

  it("lists the targets of INSERT, DELETE and MERGE with their operations", () => {
    expect(only("INSERT INTO s.t (a) SELECT a FROM u").objects).toEqual([
      { schema: "s", name: "t", operation: "insert", qualified: true },
      { schema: "public", name: "u", operation: "read", qualified: false },
    ]);
    expect(only("DELETE FROM t").objects).toEqual([
      { schema: "public", name: "t", operation: "delete", qualified: false },
    ]);
    expect(only("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE").objects).toEqual([
      { schema: "public", name: "t", operation: "merge", qualified: false },
      { schema: "public", name: "s", operation: "read", qualified: false },
    ]);
  });

  it("lists the table a data-modifying CTE deletes from, but not the CTE", () => {
    expect(only("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d").objects).toEqual([
      { schema: "public", name: "t", operation: "delete", qualified: false },
    ]);
  });

  it("lists a DML target even when a CTE has the same name", () => {
    expect(only("WITH t AS (SELECT 1) DELETE FROM t").objects).toEqual([
      { schema: "public", name: "t", operation: "delete", qualified: false },
    ]);
  });

  it("lists the table SELECT INTO creates", () => {
    expect(only("SELECT * INTO archive FROM t").objects).toEqual([
      { schema: "public", name: "archive", operation: "create", qualified: false },
      { schema: "public", name: "t", operation: "read", qualified: false },
    ]);
  });

  it("lists the tables of DDL and COPY FROM", () => {
    expect(only("ALTER TABLE a.x ADD COLUMN b int").objects).toEqual([
      { schema: "a", name: "x", operation: "alter", qualified: true },
    ]);
    expect(only("TRUNCATE t, u").objects).toEqual([
      { schema: "public", name: "t", operation: "truncate", qualified: false },
      { schema: "public", name: "u", operation: "truncate", qualified: false },
    ]);
    expect(only("COPY t FROM STDIN").objects).toEqual([
      { schema: "public", name: "t", operation: "insert", qualified: false },
    ]);
  });
});
