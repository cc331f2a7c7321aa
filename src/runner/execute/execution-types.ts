import type { StatementClass } from "../../sql/statement.js";

/** One approved statement, exactly as it will be sent. */
export interface ExecutableStatement {
  index: number;
  /** The exact bytes that were analysed and approved. */
  text: string;
  /** Bound as `$1…`, never spliced into the text. */
  params: unknown[];
  class: StatementClass;
  /** Request-file line of the first character of `text`. */
  line: number;
  /** The statement cannot run inside a transaction block (see needsOwnTransaction). */
  ownTransaction: boolean;
}

export interface SessionSettings {
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
  applicationName: string;
  /** Schemas, unquoted; pg_temp is appended when absent, so temporary objects never shadow these. */
  searchPath: string[];
}

export interface ExecutionInput {
  statements: ExecutableStatement[];
  /** Chosen by the caller for the request's class; never logged nor returned. */
  connectionString: string;
  settings: SessionSettings;
  /** Rows kept per statement (reads and RETURNING); the rest are counted, not kept. */
  maxResultRows: number;
  /** Ceiling on the rows all statements of a write request may affect together; null = none. */
  maxAffectedRows: number | null;
  /** Called with the transaction id after BEGIN and before the first statement of a transactional write. */
  onTransactionId: (xid: string) => Promise<void>;
  clock: () => Date;
}

export interface ResultColumn {
  name: string;
  typeOid: number;
}

export interface StatementResult {
  index: number;
  /** The command tag's verb, e.g. SELECT, UPDATE, CREATE. */
  command: string;
  /** Rows affected (DML), else rows returned. */
  rowCount: number;
  /** Values as PostgreSQL printed them (text format); only for statements that return rows. */
  rows?: (string | null)[][];
  columns?: ResultColumn[];
  /** More rows came back than maxResultRows: only the first maxResultRows are in `rows`. */
  truncated?: boolean;
}

export type ExecutionErrorKind =
  /** Refused before connecting: nothing ran. */
  | "refused"
  | "connect"
  /** A session setting did not hold: nothing ran (or, after a statement, the rest did not). */
  | "settings"
  /** BEGIN, the snapshot or the transaction id failed. */
  | "transaction"
  /** onTransactionId threw: the transaction was rolled back before any statement. */
  | "ledger"
  | "statement"
  | "over_ceiling"
  | "commit";

export interface ExecutionError {
  kind: ExecutionErrorKind;
  /** PostgreSQL's SQLSTATE, when the server reported the error. */
  sqlstate: string | null;
  message: string;
  detail: string | null;
  hint: string | null;
  statementIndex: number | null;
  /** Request-file line the error points at (PostgreSQL's position mapped back), else the statement's line. */
  line: number | null;
  /** For over_ceiling. */
  ceiling?: { maxAffectedRows: number; affectedRows: number };
}

export type ExecutionStatus =
  | "committed"
  | "rolled_back"
  | "failed"
  | "read"
  /** COMMIT was sent but its answer never came: resolve with pg_xact_status(xid), never retry blindly. */
  | "unknown";

export interface ExecutionOutcome {
  status: ExecutionStatus;
  /** Results of the statements that completed, in order (rolled back ones included). */
  statements: StatementResult[];
  /** Sum of rowCount over the statements that count towards maxAffectedRows. */
  affectedRows: number;
  xid: string | null;
  error?: ExecutionError;
  startedAt: string;
  endedAt: string;
}
