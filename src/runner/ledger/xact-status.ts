import pg from "pg";

/** What PostgreSQL knows about a transaction id; null when it is too old to tell (its clog was truncated). */
export type TransactionStatus = "committed" | "aborted" | "in progress" | null;

/** Asks the target database what became of transaction `xid` (a decimal xid8 from `pg_current_xact_id()`). */
export type XactStatusFn = (target: string, xid: string) => Promise<TransactionStatus>;

export interface PgXactStatusOptions {
  /** The connection string for a target name; any role may call pg_xact_status. */
  connectionString: (target: string) => string | Promise<string>;
  connectTimeoutMs?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const APPLICATION_NAME = "querygate-xact-status";
const UNDEFINED_FUNCTION = "42883";
const STATUSES: readonly string[] = ["committed", "aborted", "in progress"];

/**
 * The real lookup: `pg_xact_status(xid8)` (PostgreSQL 13+), or `txid_status(bigint)` on older servers.
 * Throws when the target cannot be asked (the caller treats that as "needs manual verification");
 * PostgreSQL itself errors for an xid from the future, e.g. one from another cluster.
 */
export function createPgXactStatus(options: PgXactStatusOptions): XactStatusFn {
  return async (target, xid) => {
    if (!/^[0-9]+$/.test(xid)) throw new Error(`a transaction id is a decimal xid8, got "${xid}"`);
    const client = new pg.Client({
      connectionString: await options.connectionString(target),
      connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      application_name: APPLICATION_NAME,
    });
    // Errors on the idle connection surface through the failing query instead.
    client.on("error", () => undefined);
    try {
      await client.connect();
      let result: pg.QueryResult<{ status: unknown }>;
      try {
        result = await client.query("select pg_xact_status($1::xid8) as status", [xid]);
      } catch (error) {
        if ((error as { code?: string }).code !== UNDEFINED_FUNCTION) throw error;
        result = await client.query("select txid_status($1::bigint) as status", [xid]);
      }
      const status = result.rows[0]?.status ?? null;
      if (status === null) return null;
      if (typeof status !== "string" || !STATUSES.includes(status)) {
        throw new Error(`target ${target} answered an unknown transaction status ${JSON.stringify(status)}`);
      }
      return status as TransactionStatus;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
}
