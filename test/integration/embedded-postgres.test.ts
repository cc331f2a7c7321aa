import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { type EmbeddedServer, startEmbeddedPostgres } from "../../src/store/embedded-postgres.js";

const started: EmbeddedServer[] = [];
const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "querygate-embedded-test-"));
  dirs.push(dir);
  return dir;
}

async function start(dataDir: string): Promise<EmbeddedServer> {
  const server = await startEmbeddedPostgres({ dataDir });
  started.push(server);
  return server;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ["-e", ""]);
  if (pid === undefined) throw new Error("could not spawn a process to get a dead pid");
  return pid;
}

afterEach(async () => {
  for (const server of started.splice(0)) await server.stop();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe("embedded PostgreSQL", () => {
  it("starts in an empty folder and answers queries", async () => {
    const dataDir = await tempDir();
    const server = await start(dataDir);
    const [row] = await query<{ version: string }>(server.url, "select version()");
    expect(row?.version).toMatch(/^PostgreSQL 15\./);
    expect(new URL(server.url).hostname).toBe("127.0.0.1");
    expect(await readFile(path.join(dataDir, "querygate.lock"), "utf8")).toBe(`${process.pid}\n`);
  });

  it("refuses a second start on the same folder", async () => {
    const dataDir = await tempDir();
    await start(dataDir);
    await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(
      `another querygate process (pid ${process.pid}) is using ${dataDir}; stop it or set QUERYGATE_DATA_DIR to another folder`,
    );
  });

  it("keeps data across a stop and a restart, and stop is idempotent", async () => {
    const dataDir = await tempDir();
    const first = await start(dataDir);
    await query(first.url, "create table kept (value text); insert into kept values ('still here')");
    await Promise.all([first.stop(), first.stop()]);
    await first.stop();
    await expect(readFile(path.join(dataDir, "querygate.lock"))).rejects.toThrow(/ENOENT/);

    const second = await start(dataDir);
    expect(await query(second.url, "select value from kept")).toEqual([{ value: "still here" }]);
  });

  it("takes over a stale lock left by a dead process", async () => {
    const dataDir = await tempDir();
    const pid = deadPid();
    await writeFile(path.join(dataDir, "querygate.lock"), `${pid}\n`);
    const server = await start(dataDir);
    expect(await query(server.url, "select 1 as ok")).toEqual([{ ok: 1 }]);
    expect(await readFile(path.join(dataDir, "querygate.lock"), "utf8")).toBe(`${process.pid}\n`);
  });

  it("recovers after a kill -9: stale lock plus a PostgreSQL still running on the folder", async () => {
    const dataDir = await tempDir();
    const orphan = await start(dataDir);
    const postmasterPid = Number(
      (await readFile(path.join(dataDir, "pgdata", "postmaster.pid"), "utf8")).split("\n")[0],
    );
    // Pretend the process that owned the lock died without stopping its server.
    await writeFile(path.join(dataDir, "querygate.lock"), `${deadPid()}\n`);

    const server = await start(dataDir);
    expect(await query(server.url, "select 1 as ok")).toEqual([{ ok: 1 }]);
    expect(() => process.kill(postmasterPid, 0)).toThrow();
    await orphan.stop();
    expect(await query(server.url, "select 1 as ok")).toEqual([{ ok: 1 }]);
  });

  it("ignores a postmaster.pid whose process is gone", async () => {
    const dataDir = await tempDir();
    const first = await start(dataDir);
    await first.stop();
    await writeFile(
      path.join(dataDir, "pgdata", "postmaster.pid"),
      `${deadPid()}\n${path.join(dataDir, "pgdata")}\n`,
    );
    const server = await start(dataDir);
    expect(await query(server.url, "select 1 as ok")).toEqual([{ ok: 1 }]);
  });
});
