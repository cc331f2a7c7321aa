import { describe, expect, it } from "vitest";
import { createPostgresDialect } from "../../src/sql/postgres/postgres-dialect.js";
import type { Analysis, StatementClass } from "../../src/sql/statement.js";
import {
  type CorpusEntry,
  classRank,
  expectedClass,
  loadClassificationCorpus,
  strictest,
} from "../corpus/load-corpus.js";

const MIN_ENTRIES = 220;

const corpus = loadClassificationCorpus();
const dialect = await createPostgresDialect();

function analyze(entry: CorpusEntry): Analysis {
  return dialect.analyze(Buffer.from(entry.sql, "utf8"));
}

/** A short, single-line name for the test: control characters made visible. */
function label(entry: CorpusEntry): string {
  const text = JSON.stringify(entry.sql).slice(1, -1);
  const shown = text.length > 90 ? `${text.slice(0, 87)}...` : text;
  return `${shown} → ${entry.error !== undefined ? `error (${entry.error})` : expectedClass(entry)}`;
}

/** Where the analyser is less strict than the entry: the statements (or the whole file) it under-classifies. */
function underClassifications(entry: CorpusEntry, analysis: Analysis): string[] {
  const expected = expectedClass(entry);
  if (expected === null) {
    // A file that must be refused but parses could run: under-classified unless everything in it is rejected.
    if (!analysis.ok) return [];
    const got = strictest(analysis.statements.map((s) => s.class));
    return got === "rejected" ? [] : [`expected the file to be refused, got ${got}`];
  }
  if (!analysis.ok) return [];
  const found: string[] = [];
  const got = analysis.statements.map((s) => s.class);
  if (classRank(strictest(got)) < classRank(expected)) found.push(`file: ${strictest(got)} < ${expected}`);
  entry.classes?.forEach((cls, i) => {
    const actual = got[i];
    if (actual !== undefined && classRank(actual) < classRank(cls)) {
      found.push(`statement ${i + 1}: ${actual} < ${cls}`);
    }
  });
  return found;
}

describe("the classification corpus", () => {
  it(`holds at least ${MIN_ENTRIES} entries`, () => {
    expect(corpus.entries.length).toBeGreaterThanOrEqual(MIN_ENTRIES);
  });

  it.each(corpus.entries.map((entry, i) => [i + 1, label(entry), entry] as const))(
    "#%i %s",
    (_number, _label, entry) => {
      const analysis = analyze(entry);
      if (entry.error !== undefined) {
        expect(analysis.ok, "the file must be refused").toBe(false);
        if (!analysis.ok) {
          expect(analysis.error.message).toContain(entry.error);
          expect(analysis.error.line).toBeGreaterThanOrEqual(1);
          expect(analysis.error.column).toBeGreaterThanOrEqual(1);
        }
        return;
      }
      if (!analysis.ok) throw new Error(`expected the SQL to parse: ${analysis.error.message}`);
      const classes = analysis.statements.map((s) => s.class);
      if (entry.classes !== undefined) expect(classes).toEqual(entry.classes);
      expect(strictest(classes)).toBe(expectedClass(entry));
      if (entry.flags_include !== undefined) {
        const flags = new Set(analysis.statements.flatMap((s) => s.flags));
        for (const flag of entry.flags_include) expect([...flags], `flag ${flag}`).toContain(flag);
      }
    },
  );

  it("has no under-classification: the analyser is never less strict than an entry", () => {
    const problems: string[] = [];
    let stricterThanNeeded = 0;
    const byClass = new Map<StatementClass | "error", number>();
    for (const [i, entry] of corpus.entries.entries()) {
      const analysis = analyze(entry);
      for (const problem of underClassifications(entry, analysis)) {
        problems.push(`#${i + 1} ${JSON.stringify(entry.sql)}: ${problem}`);
      }
      if (entry.dba !== undefined) stricterThanNeeded++;
      const key = expectedClass(entry) ?? "error";
      byClass.set(key, (byClass.get(key) ?? 0) + 1);
    }
    console.log(
      `[classification-corpus] ${corpus.entries.length} entries (${[...byClass].map(([c, n]) => `${c}=${n}`).join(" ")}); ` +
        `${stricterThanNeeded} where the analyser is stricter than a DBA needs; ${problems.length} under-classified`,
    );
    expect(problems).toEqual([]);
  });
});
