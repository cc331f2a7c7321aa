import pg from "pg";
import { CONNECT_TIMEOUT_MS, KEEPALIVE_INITIAL_DELAY_MS } from "./execute-limits.js";
import type { SessionSettings } from "./execution-types.js";
import { type ExpectedSettings, sessionStartup, settingMismatches } from "./session-settings.js";

const URL_SCHEMES: ReadonlySet<string> = new Set(["postgres", "postgresql"]);
/**
 * Connection-string parameters the runner accepts. node-postgres lets the string override the client
 * config, so `options`, `application_name`, timeouts or `client_encoding` there would replace the guards.
 */
const ALLOWED_URL_PARAMETERS: ReadonlySet<string> = new Set([
  "host",
  "port",
  "user",
  "password",
  "ssl",
  "sslmode",
  "sslcert",
  "sslkey",
  "sslrootcert",
  "sslnegotiation",
]);

/** A setting did not hold; nothing was run under it. */
export class SettingsMismatchError extends Error {
  override name = "SettingsMismatchError";
}

export interface TargetSession {
  client: pg.Client;
  expected: ExpectedSettings;
  /** An error the connection reported while no query was running (e.g. the server ended the session). */
  connectionError(): Error | null;
  close(): Promise<void>;
}

/** Connects with the guards as startup parameters, then checks that every one of them holds. */
export async function openTargetSession(params: {
  connectionString: string;
  settings: SessionSettings;
}): Promise<TargetSession> {
  checkConnectionString(params.connectionString);
  const startup = sessionStartup(params.settings);
  const client = new pg.Client({
    connectionString: params.connectionString,
    options: startup.options,
    application_name: startup.applicationName,
    // Also a startup parameter: node-postgres would otherwise send PGCLIENTENCODING, which wins over -c.
    client_encoding: startup.clientEncoding,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS,
  });
  let firstError: Error | null = null;
  // Without a listener, an error while idle (e.g. idle_in_transaction_session_timeout) crashes the process.
  // The first error is the cause (the server's FATAL); "Connection terminated" follows it.
  client.on("error", (error) => {
    firstError ??= error;
  });
  const session: TargetSession = {
    client,
    expected: startup.expected,
    connectionError: () => firstError,
    close: () => client.end().catch(() => undefined),
  };
  try {
    await client.connect();
    await verifySettings({ client, expected: startup.expected });
  } catch (error) {
    await session.close();
    throw error;
  }
  return session;
}

/** Reads the settings back from the server and throws when one differs from what the runner requires. */
export async function verifySettings(params: {
  client: pg.Client;
  expected: ExpectedSettings;
}): Promise<void> {
  const names = Object.keys(params.expected);
  // Fully qualified, operator included: the check must not resolve to objects a statement created.
  const { rows } = await params.client.query<{ name: string; setting: string }>(
    "SELECT name, setting FROM pg_catalog.pg_settings WHERE name OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.text[])",
    [names],
  );
  const actual = new Map(rows.map((row) => [row.name, row.setting]));
  const mismatches = settingMismatches(params.expected, actual);
  if (mismatches.length > 0) {
    throw new SettingsMismatchError(
      mismatches
        .map(
          (m) =>
            `session setting ${m.name} is ${m.actual === null ? "missing" : JSON.stringify(m.actual)} but the runner requires ${JSON.stringify(m.expected)}`,
        )
        .join("; "),
    );
  }
}

/** Refuses what the runner cannot guard; messages name parameters, never the string or its values. */
export function checkConnectionString(connectionString: string): void {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(connectionString)?.[1];
  if (scheme === undefined) {
    throw new Error(
      "the target's connection string is not a URL: use postgres://user:password@host:port/database",
    );
  }
  if (!URL_SCHEMES.has(scheme.toLowerCase())) {
    throw new Error(
      `the target's connection string must start with postgres:// or postgresql:// — got ${scheme}://`,
    );
  }
  const query = connectionString.indexOf("?");
  const parameters = query < 0 ? [] : [...new URLSearchParams(connectionString.slice(query + 1)).keys()];
  const refused = [...new Set(parameters)].filter((key) => !ALLOWED_URL_PARAMETERS.has(key));
  if (refused.length > 0) {
    throw new Error(
      `the target's connection string sets ${refused.map((k) => `"${k}"`).join(", ")}, which the runner does not accept: session settings are the runner's own (allowed: ${[...ALLOWED_URL_PARAMETERS].join(", ")})`,
    );
  }
}
