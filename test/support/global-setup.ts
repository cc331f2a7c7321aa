import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../../src/store/embedded-postgres.js";
import { maskDatabaseUrl } from "../../src/store/open-state.js";
import { ADMIN_URL_ENV } from "./test-database.js";

const DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const OVERRIDE_ENV = "QUERYGATE_TEST_DATABASE_URL";
const PROBE_TIMEOUT_MS = 2_000;
const LOG_PREFIX = "[querygate tests]";

/** Picks the PostgreSQL server for this run once: a local/overridden one if it answers, else an embedded one. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const candidate = process.env[OVERRIDE_ENV] || DEFAULT_ADMIN_URL;
  const problem = await probe(candidate);
  let adminUrl = candidate;
  let teardown = async () => {};
  if (problem === null) {
    console.log(`${LOG_PREFIX} using PostgreSQL at ${maskDatabaseUrl(candidate)}`);
  } else {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "querygate-test-pg-"));
    const started = Date.now();
    const server = await startEmbeddedPostgres({ dataDir });
    adminUrl = server.url;
    console.log(
      `${LOG_PREFIX} no PostgreSQL at ${maskDatabaseUrl(candidate)} (${problem}); using embedded PostgreSQL in ${dataDir} (started in ${Date.now() - started} ms)`,
    );
    teardown = async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
  }
  // Workers are forked after global setup, so they inherit this.
  process.env[ADMIN_URL_ENV] = adminUrl;
  project.provide("adminDatabaseUrl", adminUrl);
  return teardown;
}

/** Returns null when the server answers, otherwise why it did not. */
async function probe(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("select 1");
    return null;
  } catch (error) {
    return error instanceof Error
      ? error.message || (error as NodeJS.ErrnoException).code || error.name
      : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}
