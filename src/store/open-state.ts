import path from "node:path";
import pg from "pg";
import { type EmbeddedServer, startEmbeddedPostgres } from "./embedded-postgres.js";
import { type JobQueue, startJobQueue } from "./job-queue.js";
import { runMigrations } from "./migrations.js";
import { createStateStore, type StateStore } from "./state-store.js";

export const STATE_DATABASE = "querygate";
const CONNECT_TIMEOUT_MS = 5_000;
const APPLICATION_NAME = "querygate";
const DUPLICATE_DATABASE = "42P04";

export interface OpenStateParams {
  databaseUrl?: string;
  dataDir: string;
  log?: (message: string) => void;
}

export interface AppState {
  databaseUrl: string;
  pool: pg.Pool;
  store: StateStore;
  queue: JobQueue;
  embedded: boolean;
  close(): Promise<void>;
}

export async function openState(params: OpenStateParams): Promise<AppState> {
  const log = params.log ?? ((message: string) => console.error(message));
  const dataDir = path.resolve(params.dataDir);
  let server: EmbeddedServer | undefined;
  let databaseUrl: string;
  if (params.databaseUrl) {
    databaseUrl = params.databaseUrl;
    await checkDatabaseUrl({ databaseUrl, dataDir });
    log(`state: using DATABASE_URL ${maskDatabaseUrl(databaseUrl)}`);
  } else {
    const started = Date.now();
    server = await startEmbeddedPostgres({ dataDir });
    try {
      databaseUrl = await ensureDatabase({ adminUrl: server.url, name: STATE_DATABASE });
    } catch (error) {
      await server.stop();
      throw error;
    }
    log(
      `state: started embedded PostgreSQL in ${dataDir} in ${Date.now() - started} ms (${maskDatabaseUrl(databaseUrl)})`,
    );
  }

  const pool = new pg.Pool({
    connectionString: databaseUrl,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: APPLICATION_NAME,
  });
  // An idle client losing its connection emits on the pool; without a listener that crashes the process.
  pool.on("error", (error) => log(`state: database connection error: ${error.message}`));
  let queue: JobQueue;
  try {
    await runMigrations(pool);
    queue = await startJobQueue({ connectionString: databaseUrl, log });
  } catch (error) {
    await pool.end().catch(() => undefined);
    await server?.stop();
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    databaseUrl,
    pool,
    store: createStateStore(pool),
    queue,
    embedded: server !== undefined,
    close() {
      closing ??= (async () => {
        try {
          await queue.stop();
        } finally {
          try {
            await pool.end();
          } finally {
            await server?.stop();
          }
        }
      })();
      return closing;
    },
  };
}

/** Replaces the password in a connection URL so the URL can be logged. */
export function maskDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ":***@");
  }
}

async function checkDatabaseUrl(params: { databaseUrl: string; dataDir: string }): Promise<void> {
  let client: pg.Client;
  try {
    client = new pg.Client({
      connectionString: params.databaseUrl,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
  } catch (error) {
    throw connectError({ ...params, target: maskDatabaseUrl(params.databaseUrl), error });
  }
  client.on("error", () => undefined);
  const target = `${client.host}:${client.port}/${client.database ?? ""}`;
  try {
    await client.connect();
    await client.query("select 1");
  } catch (error) {
    throw connectError({ ...params, target, error });
  } finally {
    await client.end().catch(() => undefined);
  }
}

function connectError(params: { target: string; dataDir: string; error: unknown }): Error {
  return new Error(
    `cannot connect to DATABASE_URL (${params.target}): ${describeError(params.error)}; check the URL or unset DATABASE_URL to use the embedded database in ${params.dataDir}`,
    { cause: params.error },
  );
}

async function ensureDatabase(params: { adminUrl: string; name: string }): Promise<string> {
  const client = new pg.Client({
    connectionString: params.adminUrl,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  client.on("error", () => undefined);
  await client.connect();
  try {
    const existing = await client.query("select 1 from pg_database where datname = $1", [params.name]);
    if (existing.rowCount === 0) {
      await client
        .query(`create database ${client.escapeIdentifier(params.name)}`)
        .catch((error: unknown) => {
          if ((error as { code?: string }).code !== DUPLICATE_DATABASE) throw error;
        });
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  const url = new URL(params.adminUrl);
  url.pathname = `/${params.name}`;
  return url.toString();
}

// Node reports a refused connection to a host with several addresses as an AggregateError with
// an empty message, which would make the error above useless.
function describeError(error: unknown): string {
  if (error instanceof AggregateError && !error.message) {
    return error.errors.map(describeError).join("; ");
  }
  if (error instanceof Error) {
    return error.message || (error as NodeJS.ErrnoException).code || error.name;
  }
  return String(error);
}
