import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

/** Set by the global setup for code that runs outside vitest's inject() (e.g. child processes). */
/** How long drop() waits for a test's own connections to close before forcing them. */
const DROP_GRACE_MS = 2_000;
const DROP_POLL_MS = 50;

export const ADMIN_URL_ENV = "QUERYGATE_TEST_ADMIN_URL";
const DATABASE_PREFIX = "qg_test_";
const DATABASE_SUFFIX_BYTES = 6;
const CONNECT_TIMEOUT_MS = 5_000;

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export function adminDatabaseUrl(): string {
  let url: string | undefined;
  try {
    url = inject("adminDatabaseUrl");
  } catch {
    // inject() only works inside a vitest worker.
  }
  url ||= process.env[ADMIN_URL_ENV];
  if (!url) {
    throw new Error(
      `no admin database URL: run the tests through vitest (test/support/global-setup.ts provides it) or set ${ADMIN_URL_ENV}`,
    );
  }
  return url;
}

/** Creates an empty, uniquely named database on the test server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = adminDatabaseUrl();
  const name = `${DATABASE_PREFIX}${randomBytes(DATABASE_SUFFIX_BYTES).toString("hex")}`;
  await withAdminClient(adminUrl, (client) =>
    client.query(`create database ${client.escapeIdentifier(name)}`),
  );
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropping: Promise<unknown> | undefined;
  return {
    url: url.toString(),
    async drop() {
      dropping ??= withAdminClient(adminUrl, async (client) => {
        // Give connections that are already closing time to finish: FORCE would kill them mid-goodbye,
        // and a client killed while ending emits an error nobody listens to any more.
        for (let waited = 0; waited < DROP_GRACE_MS; waited += DROP_POLL_MS) {
          const { rows } = await client.query<{ n: string }>(
            "select count(*) as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
            [name],
          );
          if (Number(rows[0]?.n ?? 0) === 0) break;
          await new Promise((resolve) => setTimeout(resolve, DROP_POLL_MS));
        }
        return client.query(`drop database if exists ${client.escapeIdentifier(name)} with (force)`);
      });
      await dropping;
    },
  };
}

async function withAdminClient<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
