import pg from "pg";
import { maskConnectionString, maskSecrets } from "./mask-secrets.js";
import { quoteIdent } from "./quote-ident.js";

export const LIVE_LOOKUP_TIMEOUT_MS = 5_000;
const CONNECT_TIMEOUT_MS = 5_000;
/** Margin over statement_timeout before the client gives up on a server that stopped answering at all. */
const CLIENT_TIMEOUT_GRACE_MS = 2_000;
/** If this process stalls mid-lookup, the server ends the session and releases its locks. */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 30_000;
const APPLICATION_NAME = "querygate-analyze";
const SAVEPOINT = "querygate_lookup";
/** URL parameters pg would let override the session settings below (its URL values win over the config). */
const OVERRIDING_URL_PARAMETERS = [
  "options",
  "application_name",
  "fallback_application_name",
  "statement_timeout",
  "lock_timeout",
  "idle_in_transaction_session_timeout",
  "query_timeout",
  "replication",
];

export interface LiveSessionParams {
  connectionString: string;
  searchPath: string[];
  statementTimeoutMs: number;
}

/** The connection could not be opened or set up; the message is safe to show (password masked). */
export class LiveConnectError extends Error {}

/** One lookup failed inside the transaction and was rolled back to its savepoint; the session goes on. */
export class LiveLookupError extends Error {}

/**
 * Runs `fn` on one connection inside a READ ONLY transaction that is always rolled back. The session is
 * read-only by default too, so nothing `fn` sends can write.
 */
export async function withLiveSession<T>(
  params: LiveSessionParams,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const { connectionString } = params;
  let client: pg.Client;
  try {
    client = new pg.Client({
      connectionString: withoutOverridingParameters(connectionString),
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: params.statementTimeoutMs + CLIENT_TIMEOUT_GRACE_MS,
      application_name: APPLICATION_NAME,
      options: sessionOptions(params),
    });
  } catch (error) {
    throw connectError(connectionString, error);
  }
  // A connection dropped between queries is reported on the next query; without a listener it would crash.
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("begin read only");
    const check = await client.query<{ ro: string }>("select current_setting('transaction_read_only') as ro");
    if (check.rows[0]?.ro !== "on")
      throw new Error("the transaction is not read-only; refusing to look further");
  } catch (error) {
    await client.end().catch(() => undefined);
    throw connectError(connectionString, error);
  }
  try {
    return await fn(client);
  } finally {
    await client.query("rollback").catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}

/**
 * Runs one lookup under a savepoint so that its failure (a missing privilege, a timeout, a bad plan) leaves
 * the transaction usable. A server error becomes a LiveLookupError; anything else (the connection is gone)
 * is rethrown as is.
 */
export async function inSavepoint<T>(client: pg.Client, lookup: () => Promise<T>): Promise<T> {
  await client.query(`savepoint ${SAVEPOINT}`);
  let result: T;
  try {
    result = await lookup();
  } catch (error) {
    if (!(error instanceof pg.DatabaseError)) throw error;
    await client.query(`rollback to savepoint ${SAVEPOINT}`);
    throw new LiveLookupError(describeDatabaseError(error));
  }
  await client.query(`release savepoint ${SAVEPOINT}`);
  return result;
}

export function describeError(error: unknown, connectionString: string): string {
  let message: string;
  if (error instanceof pg.DatabaseError) message = describeDatabaseError(error);
  else if (error instanceof AggregateError) {
    message = error.errors.map((e) => describeError(e, connectionString)).join("; ") || "connection failed";
  } else if (error instanceof Error) {
    message = error.message || (error as NodeJS.ErrnoException).code || error.name;
  } else message = String(error);
  return maskSecrets(message, connectionString);
}

function describeDatabaseError(error: pg.DatabaseError): string {
  return error.code ? `${error.message} (SQLSTATE ${error.code})` : error.message;
}

function connectError(connectionString: string, error: unknown): LiveConnectError {
  return new LiveConnectError(
    `cannot connect to the target ${maskConnectionString(connectionString)}: ${describeError(error, connectionString)}`,
  );
}

function sessionOptions(params: LiveSessionParams): string {
  const searchPath = params.searchPath.map(quoteIdent).join(",");
  return [
    "default_transaction_read_only=on",
    `search_path=${searchPath}`,
    `statement_timeout=${params.statementTimeoutMs}`,
    `idle_in_transaction_session_timeout=${IDLE_IN_TRANSACTION_TIMEOUT_MS}`,
  ]
    .map((setting) => `-c ${escapeOptionWord(setting)}`)
    .join(" ");
}

/** The server splits `options` on whitespace; a backslash makes the next character literal. */
function escapeOptionWord(word: string): string {
  return word.replace(/[\\\s]/g, "\\$&");
}

function withoutOverridingParameters(connectionString: string): string {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    // Not a URL (e.g. a socket path): pg takes it as is, with no URL parameters to win.
    return connectionString;
  }
  for (const name of OVERRIDING_URL_PARAMETERS) url.searchParams.delete(name);
  return url.toString();
}
