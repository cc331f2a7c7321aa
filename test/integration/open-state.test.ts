import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JOB_SCHEMA } from "../../src/store/job-queue.js";
import { MIGRATIONS } from "../../src/store/migrations.js";
import { maskDatabaseUrl, openState } from "../../src/store/open-state.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

const UNREACHABLE_URL = "postgres://querygate:s3cret@127.0.0.1:1/querygate";

describe("openState", () => {
  let database: TestDatabase;
  let dataDir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = await mkdtemp(path.join(os.tmpdir(), "querygate-open-state-test-"));
  });

  afterAll(async () => {
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("migrates the database and starts the job queue", async () => {
    const logs: string[] = [];
    const state = await openState({
      databaseUrl: database.url,
      dataDir,
      log: (message) => logs.push(message),
    });
    try {
      expect(state.embedded).toBe(false);
      expect(state.databaseUrl).toBe(database.url);
      const { rows } = await state.pool.query<{ id: string }>("select id from querygate.schema_migrations");
      expect(rows.map((row) => row.id)).toEqual(MIGRATIONS.map((migration) => migration.id));
      expect(await state.store.beginDelivery({ id: "open-state-1", event: "ping" })).toBe("new");

      const id = await state.queue.boss.send("execute", { requestId: "r-1" });
      expect(id).toEqual(expect.any(String));
      const jobs = await state.pool.query(`select name from ${JOB_SCHEMA}.job where id = $1`, [id]);
      expect(jobs.rows).toEqual([{ name: "execute" }]);
      expect(logs.join("\n")).toContain("state: using DATABASE_URL");
    } finally {
      await state.close();
    }
    await state.close();
    await Promise.all([state.close(), state.close()]);
    expect(state.pool.ended).toBe(true);
  });

  it("opens the same database again without re-running migrations", async () => {
    const state = await openState({ databaseUrl: database.url, dataDir, log: () => undefined });
    try {
      const { rows } = await state.pool.query(
        "select count(*)::int as applied from querygate.schema_migrations",
      );
      expect(rows[0]).toEqual({ applied: MIGRATIONS.length });
      expect(await state.store.beginDelivery({ id: "open-state-1", event: "ping" })).toBe("duplicate");
    } finally {
      await state.close();
    }
  });

  it("explains how to fix an unreachable DATABASE_URL and does not leak its password", async () => {
    const failure = openState({ databaseUrl: UNREACHABLE_URL, dataDir, log: () => undefined });
    await expect(failure).rejects.toThrow(
      `cannot connect to DATABASE_URL (127.0.0.1:1/querygate): connect ECONNREFUSED 127.0.0.1:1; check the URL or unset DATABASE_URL to use the embedded database in ${dataDir}`,
    );
    await expect(failure).rejects.not.toThrow(/s3cret/);
  });

  it("masks passwords in URLs it prints", () => {
    expect(maskDatabaseUrl(UNREACHABLE_URL)).toBe("postgres://querygate:***@127.0.0.1:1/querygate");
    expect(maskDatabaseUrl("postgres://postgres@127.0.0.1/postgres")).toBe(
      "postgres://postgres@127.0.0.1/postgres",
    );
  });

  it("falls back to embedded PostgreSQL in the data folder when no DATABASE_URL is given", async () => {
    const logs: string[] = [];
    const state = await openState({ dataDir, log: (message) => logs.push(message) });
    try {
      expect(state.embedded).toBe(true);
      expect(new URL(state.databaseUrl).pathname).toBe("/querygate");
      expect(await state.queue.boss.send("execute", { requestId: "r-2" })).toEqual(expect.any(String));
      expect(logs.join("\n")).not.toContain(new URL(state.databaseUrl).password);
    } finally {
      await state.close();
    }
    await state.close();
    const again = await openState({ dataDir, log: () => undefined });
    try {
      const { rows } = await again.pool.query("select count(*)::int as jobs from querygate_jobs.job");
      expect(rows[0]).toEqual({ jobs: 1 });
    } finally {
      await again.close();
    }
  });
});
