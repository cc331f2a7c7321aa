import { describe, expect, it } from "vitest";
import { loadPostgresGrammar, SUPPORTED_GRAMMAR_MAJORS } from "../../src/sql/postgres/load-parser.js";
import { createPostgresDialect } from "../../src/sql/postgres/postgres-dialect.js";

const analyze = async (major: number, sql: string) =>
  (await createPostgresDialect({ serverMajor: major })).analyze(Buffer.from(sql));

describe("the grammar follows the target's PostgreSQL major", () => {
  it("bundles 15, 16 and 17, and names the grammar in the parser version", async () => {
    expect(SUPPORTED_GRAMMAR_MAJORS).toEqual([15, 16, 17]);
    for (const major of SUPPORTED_GRAMMAR_MAJORS) {
      const grammar = await loadPostgresGrammar(major);
      expect(grammar.version).toContain(`PostgreSQL ${major} grammar`);
      expect(Math.floor(grammar.parse("SELECT 1").version / 10000)).toBe(major);
    }
  });

  it("refuses an unsupported major with a message that lists the supported ones", async () => {
    await expect(loadPostgresGrammar(14)).rejects.toThrow(
      "PostgreSQL 14 is not supported: querygate bundles the grammars of PostgreSQL 15, 16, 17",
    );
    await expect(createPostgresDialect({ serverMajor: 18 })).rejects.toThrow(
      /PostgreSQL 18 is not supported/,
    );
  });

  it("parses IS JSON only from 16 on", async () => {
    expect((await analyze(15, "SELECT '1' IS JSON")).ok).toBe(false);
    const on16 = await analyze(16, "SELECT '1' IS JSON");
    expect(on16.ok && on16.statements[0]?.class).toBe("read");
  });

  it("parses JSON_TABLE and MERGE … RETURNING only on 17, and still classifies them", async () => {
    expect(
      (await analyze(16, "MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE RETURNING t.a")).ok,
    ).toBe(false);
    const merge = await analyze(
      17,
      "MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE RETURNING t.a",
    );
    expect(merge.ok && merge.statements[0]).toMatchObject({ class: "write", facts: { hasReturning: true } });
    const table = await analyze(17, "SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (a int PATH '$')) jt");
    expect(table.ok && table.statements[0]?.class).toBe("read");
  });

  it("classifies the smuggling case the same way in every grammar", async () => {
    for (const major of SUPPORTED_GRAMMAR_MAJORS) {
      const result = await analyze(major, "SELECT 'a\\'; DELETE FROM t; --'");
      expect(result.ok && result.statements.map((s) => s.class)).toEqual(["read", "write"]);
    }
  });
});
