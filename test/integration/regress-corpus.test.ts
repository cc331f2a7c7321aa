import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createPostgresDialect } from "../../src/sql/postgres/postgres-dialect.js";
import { STATEMENT_CLASSES, type StatementClass } from "../../src/sql/statement.js";
import { splitPsqlScript } from "../support/split-psql-script.js";

/**
 * Runs the analyser over every statement of PostgreSQL 15's regression suite (about 40,000 statements
 * of every kind, many deliberately invalid): it must never throw and never hang, and every statement the
 * grammar rejects must come back as a parse error with a position.
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const corpusDir = path.resolve(repoRoot, "../shared/corpora/postgres-regress-15");
const files = existsSync(corpusDir)
  ? readdirSync(corpusDir)
      .filter((f) => f.endsWith(".sql"))
      .sort()
  : [];
if (files.length === 0) {
  console.warn(
    `[regress-corpus] skipped: no PostgreSQL regression corpus at ${corpusDir} (CI keeps shared/corpora/postgres-regress-15 beside the repository)`,
  );
}

const PER_FILE_TIMEOUT_MS = 60_000;
const MIN_STATEMENTS = 30_000;

const dialect = await createPostgresDialect();

interface Totals {
  files: number;
  chunks: number;
  statements: number;
  parseErrors: number;
  byClass: Record<StatementClass, number>;
  analysisMs: number;
  slowest: { file: string; line: number; ms: number };
}

const totals: Totals = {
  files: 0,
  chunks: 0,
  statements: 0,
  parseErrors: 0,
  byClass: Object.fromEntries(STATEMENT_CLASSES.map((c) => [c, 0])) as Record<StatementClass, number>,
  analysisMs: 0,
  slowest: { file: "", line: 0, ms: 0 },
};

describe.skipIf(files.length === 0)("the PostgreSQL 15 regression corpus", () => {
  it.each(files)(
    "analyses every statement of %s without throwing",
    (file) => {
      const script = readFileSync(path.join(corpusDir, file), "utf8");
      const chunks = splitPsqlScript(script);
      const badErrors: string[] = [];
      for (const chunk of chunks) {
        const started = performance.now();
        // Anything thrown fails the test with the file and line in the message.
        let analysis: ReturnType<typeof dialect.analyze>;
        try {
          analysis = dialect.analyze(Buffer.from(chunk.sql, "utf8"));
        } catch (error) {
          throw new Error(`${file}:${chunk.line}: the analyser threw: ${String(error)}`);
        }
        const ms = performance.now() - started;
        totals.analysisMs += ms;
        if (ms > totals.slowest.ms) totals.slowest = { file, line: chunk.line, ms };
        totals.chunks++;
        if (!analysis.ok) {
          totals.parseErrors++;
          const { line, column, message } = analysis.error;
          const lines = chunk.sql.split("\n").length;
          if (!(line >= 1 && column >= 1 && line <= lines && message.length > 0)) {
            badErrors.push(
              `${file}:${chunk.line}: error without a usable position: ${JSON.stringify(analysis.error)}`,
            );
          }
          continue;
        }
        for (const statement of analysis.statements) {
          totals.statements++;
          totals.byClass[statement.class]++;
        }
      }
      totals.files++;
      expect(badErrors).toEqual([]);
    },
    PER_FILE_TIMEOUT_MS,
  );

  it("analysed the whole corpus", () => {
    expect(totals.files).toBe(files.length);
    const byClass = STATEMENT_CLASSES.map((c) => `${c}=${totals.byClass[c]}`).join(" ");
    console.log(
      `[regress-corpus] ${totals.files} files, ${totals.chunks} script statements: ${totals.statements} analysed, ` +
        `${totals.parseErrors} parse errors; ${byClass}; analysis ${Math.round(totals.analysisMs)} ms ` +
        `(slowest ${totals.slowest.file}:${totals.slowest.line}, ${totals.slowest.ms.toFixed(1)} ms)`,
    );
    expect(totals.statements).toBeGreaterThan(MIN_STATEMENTS);
    // Most of the corpus is valid SQL; a splitter bug shows up as a flood of parse errors.
    expect(totals.parseErrors).toBeLessThan(totals.chunks * 0.02);
  });
});

describe("splitPsqlScript", () => {
  const sqls = (script: string) => splitPsqlScript(script).map((s) => s.sql);

  it.each([
    ["SELECT 'a;b'; SELECT 2", ["SELECT 'a;b'", "SELECT 2"]],
    ["SELECT 'a\\'; SELECT 2", ["SELECT 'a\\'", "SELECT 2"]],
    ["SELECT E'a\\';b'; SELECT 2", ["SELECT E'a\\';b'", "SELECT 2"]],
    ["SELECT 'it''s;'; SELECT 2", ["SELECT 'it''s;'", "SELECT 2"]],
    ['SELECT 1 AS "a;"";"; SELECT 2', ['SELECT 1 AS "a;"";"', "SELECT 2"]],
    ["SELECT $$;$$; SELECT $a$ $$ ; $a$; SELECT $1", ["SELECT $$;$$", "SELECT $a$ $$ ; $a$", "SELECT $1"]],
    ["SELECT a$b; SELECT 2", ["SELECT a$b", "SELECT 2"]],
    ["SELECT 1 /* /* ; */ ; */; SELECT 2", ["SELECT 1 /* /* ; */ ; */", "SELECT 2"]],
    ["SELECT 1 -- ;\n; SELECT 2", ["SELECT 1 -- ;", "SELECT 2"]],
    [
      "CREATE RULE r AS ON INSERT TO t DO (DELETE FROM u; DELETE FROM v); SELECT 1",
      ["CREATE RULE r AS ON INSERT TO t DO (DELETE FROM u; DELETE FROM v)", "SELECT 1"],
    ],
    [
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END; SELECT 3;",
      [
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END",
        "SELECT 3",
      ],
    ],
    ["BEGIN; SELECT 1; END;", ["BEGIN", "SELECT 1", "END"]],
    [
      "\\set x 1\nSELECT 1;\n\\echo hi ; there\nSELECT 2 \\gset\nSELECT 3 \\; SELECT 4;",
      ["SELECT 1", "SELECT 2", "SELECT 3", "SELECT 4"],
    ],
    ["SELECT 1\n\\r\nSELECT 2;", ["SELECT 2"]],
    ["COPY t FROM stdin;\n1\t'x;\n\\.\nSELECT 1;", ["COPY t FROM stdin", "SELECT 1"]],
    [
      "SELECT 0 \\; COPY t FROM stdin \\; COPY u FROM stdin; SELECT 1;\n1\n\\.\n2\n\\.\nSELECT 2;",
      ["SELECT 0", "COPY t FROM stdin", "COPY u FROM stdin", "SELECT 1", "SELECT 2"],
    ],
    ["\\copy t from stdin\n1;2\n\\.\nSELECT 1;", ["SELECT 1"]],
    [
      "SET standard_conforming_strings = off;\nSELECT 'a\\';b';\nRESET standard_conforming_strings;\nSELECT 'a\\'; SELECT 2;",
      [
        "SET standard_conforming_strings = off",
        "SELECT 'a\\';b'",
        "RESET standard_conforming_strings",
        "SELECT 'a\\'",
        "SELECT 2",
      ],
    ],
    ["-- only a comment\n;\n/* another */;", []],
  ])("splits %j", (script, expected) => {
    expect(sqls(script)).toEqual(expected);
  });

  it("numbers each statement by the line of its first character", () => {
    const found = splitPsqlScript(
      "-- head\nSELECT 1;\n\n  SELECT\n 2;\nCOPY t FROM stdin;\na\nb\n\\.\nSELECT 3;",
    );
    expect(found.map((s) => [s.line, s.sql])).toEqual([
      [1, "-- head\nSELECT 1"],
      [4, "SELECT\n 2"],
      [6, "COPY t FROM stdin"],
      [10, "SELECT 3"],
    ]);
  });
});
