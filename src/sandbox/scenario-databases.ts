import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../store/embedded-postgres.js";

export interface ScenarioDatabases {
  /** A fresh database for the app's own state. */
  stateUrl: string;
  /** Creates a fresh database for a target, seeded with SQL when given. */
  createTarget(p: { name: string; seed: string | null }): Promise<string>;
  close(): Promise<void>;
}

/**
 * Every scenario run gets fresh databases, so a report never depends on an earlier run: on the server at
 * `adminUrl` when given (dropped afterwards), else on an embedded PostgreSQL in a temporary folder.
 */
export async function openScenarioDatabases(adminUrl: string | null): Promise<ScenarioDatabases> {
  let tmp: string | null = null;
  let stopEmbedded: (() => Promise<void>) | null = null;
  let admin = adminUrl;
  if (admin === null) {
    tmp = mkdtempSync(path.join(tmpdir(), "querygate-sim-"));
    const server = await startEmbeddedPostgres({ dataDir: tmp });
    admin = server.url;
    stopEmbedded = () => server.stop();
  }
  const adminBase = admin;
  const suffix = `${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  const created: string[] = [];

  const create = async (name: string, seed: string | null): Promise<string> => {
    const database = `qg_sim_${name.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}_${suffix}`.slice(0, 63);
    const client = new pg.Client({ connectionString: adminBase });
    await client.connect();
    try {
      await client.query(`create database "${database}"`);
      created.push(database);
    } finally {
      await client.end();
    }
    const url = withDatabase(adminBase, database);
    if (seed) {
      const target = new pg.Client({ connectionString: url });
      await target.connect();
      try {
        // The seed is the scenario author's own fixture; the simple protocol lets it hold several statements.
        await target.query(seed);
      } finally {
        await target.end();
      }
    }
    return url;
  };

  const stateUrl = await create("state", null);
  return {
    stateUrl,
    createTarget: ({ name, seed }) => create(name, seed),
    async close() {
      if (stopEmbedded) {
        await stopEmbedded();
        if (tmp) rmSync(tmp, { recursive: true, force: true });
        return;
      }
      const client = new pg.Client({ connectionString: adminBase });
      await client.connect();
      try {
        for (const database of created)
          await client.query(`drop database if exists "${database}" with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
