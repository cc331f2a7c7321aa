import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeCommand } from "../../src/cli/analyze-command.js";
import { UsageError } from "../../src/cli/usage-error.js";

const dir = mkdtempSync(path.join(tmpdir(), "querygate-analyze-"));
const fileWith = (name: string, sql: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, sql);
  return file;
};

async function run(args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await analyzeCommand(args, (text) => lines.push(text));
  return { code, out: lines.join("\n") };
}

describe("querygate analyze", () => {
  it("prints exactly one JSON object in the documented shape, exit 0", async () => {
    const file = fileWith(
      "fix.sql",
      "-- target: orders-prod\n-- reason: r\nUPDATE orders SET status = 'x' WHERE id = $1;\n",
    );
    const { code, out } = await run(["--json", file]);
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report).toMatchObject({ ok: true, error: null });
    expect(report.statements).toHaveLength(1);
    expect(report.statements[0]).toMatchObject({
      index: 0,
      line: 3,
      column: 1,
      class: "write",
      flags: [],
      objects: [{ schema: "public", name: "orders", operation: "update" }],
      functions: [],
      findings: [],
      facts: { hasWhere: true, paramCount: 1 },
    });
    expect(report.statements[0].text).toContain("UPDATE orders SET status = 'x' WHERE id = $1");
    expect(report.statements[0]).not.toHaveProperty("ast");
  });

  it("reports findings with their rule, level and line, and the no_where flag", async () => {
    const file = fileWith("del.sql", "SELECT 1;\nDELETE FROM orders;\n");
    const { code, out } = await run(["--json", file]);
    expect(code).toBe(0);
    const statement = JSON.parse(out).statements[1];
    expect(statement.flags).toContain("no_where");
    expect(statement.findings).toContainEqual(
      expect.objectContaining({ rule: "delete-without-where", level: "error", line: 2 }),
    );
  });

  it("exits 1 with ok false and the error's line and column when the SQL does not parse", async () => {
    const file = fileWith("bad.sql", "SELECT 1;\nSELEC x;\n");
    const { code, out } = await run(["--json", file]);
    expect(code).toBe(1);
    expect(JSON.parse(out)).toMatchObject({
      ok: false,
      error: { message: 'syntax error at or near "SELEC"', line: 2, column: 1 },
      statements: [],
    });
    const text = await run([file]);
    expect(text.out).toBe(`${file}:2:1: error: syntax error at or near "SELEC"`);
  });

  it("exits 1 when a statement is rejected", async () => {
    const { code, out } = await run([fileWith("tx.sql", "BEGIN;\n")]);
    expect(code).toBe(1);
    expect(out).toContain("rejected — transaction control");
  });

  it("analyses with the grammar of --target-version", async () => {
    const file = fileWith(
      "merge.sql",
      "MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE RETURNING t.a;",
    );
    expect((await run(["--json", file])).code).toBe(1);
    const on17 = await run(["--json", "--target-version", "17", file]);
    expect(on17.code).toBe(0);
    expect(JSON.parse(on17.out).parser).toContain("PostgreSQL 17 grammar");
  });

  it("treats bad usage as exit 2 (a UsageError) with a message saying what to change", async () => {
    await expect(run([])).rejects.toThrow(UsageError);
    await expect(run(["--target-version", "12", "x.sql"])).rejects.toThrow(
      "--target-version must be one of 15, 16, 17",
    );
    await expect(run(["--dialect", "mysql", "x.sql"])).rejects.toThrow(
      "--dialect mysql is not supported yet",
    );
    await expect(run(["--nope", "x.sql"])).rejects.toThrow(UsageError);
    await expect(run([path.join(dir, "missing.sql")])).rejects.toThrow(/cannot read/);
  });

  it("prints its help with --help", async () => {
    const { code, out } = await run(["--help"]);
    expect(code).toBe(0);
    expect(out).toContain("Usage: querygate analyze");
  });
});
