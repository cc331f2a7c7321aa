import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeCommand } from "../../src/cli/analyze-command.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

describe("querygate analyze --database-url", () => {
  let db: TestDatabase;
  const dir = mkdtempSync(path.join(tmpdir(), "querygate-analyze-live-"));

  beforeAll(async () => {
    db = await createTestDatabase();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(`
      create table orders (id bigint, status text);
      insert into orders select g, 'paid' from generate_series(1, 500) g;
      create table customers (id bigint primary key, email text);
      create view paid_orders as select * from orders where status = 'paid';
      analyze orders;
    `);
    await client.end();
  });

  afterAll(async () => {
    await db?.drop();
  });

  const run = async (sql: string) => {
    const file = path.join(dir, `q${Math.random().toString(36).slice(2)}.sql`);
    writeFileSync(file, sql);
    const lines: string[] = [];
    const code = await analyzeCommand(["--json", "--database-url", db.url, file], (t) => lines.push(t));
    return { code, report: JSON.parse(lines.join("\n")) };
  };

  it("adds live facts: estimate, base tables of a view, and the no-primary-key finding", async () => {
    const { code, report } = await run(
      "UPDATE orders SET status = 'refunded' WHERE id < 100;\nSELECT id FROM paid_orders WHERE id = 1;\n",
    );
    expect(code).toBe(0);
    const [update, select] = report.statements;
    expect(update.live.errors).toEqual([]);
    expect(update.live.estimatedRows).toBeGreaterThan(0);
    expect(update.findings).toContainEqual(
      expect.objectContaining({ rule: "dml-on-table-without-primary-key", line: 1 }),
    );
    expect(select.flags).toContain("view");
    expect(select.objects).toContainEqual({ schema: "public", name: "orders", operation: "read" });
  });

  it("fails closed on an unknown table: reported as an error finding, never a guess", async () => {
    const { report } = await run("DELETE FROM ordrs WHERE id = 1;");
    const [statement] = report.statements;
    expect(statement.flags).toEqual(expect.arrayContaining(["unknown_relation", "live_lookup_failed"]));
    expect(statement.live.errors.join(" ")).toContain("ordrs");
    expect(statement.findings).toContainEqual(
      expect.objectContaining({ rule: "live-lookup-failed", level: "error" }),
    );
  });
});
