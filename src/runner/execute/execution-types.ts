import type { ExecutableStatement } from "../../plan-pull-request/execution-units.js";

export type { ExecutableStatement };

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
  /**
   * Report where each result column comes from (`tableOid`, `columnNumber`, `origin`), for masking: one
   * catalog query in the same session and transaction, after the statements and before ROLLBACK/COMMIT.
   */
  resolveColumnOrigins?: boolean;
}

/** What a column's relation is (pg_class.relkind): only a table's column is the stored value itself. */
export type RelationKind = "table" | "view" | "materialized_view" | "foreign_table" | "other";

/** The table column a result column shows, as PostgreSQL's RowDescription and the catalog report it. */
export interface ColumnOrigin {
  schema: string;
  /** The relation PostgreSQL reports: for a column selected through a view, the view — not its table. */
  table: string;
  /** The column's name; `*` for a whole-row value (`SELECT c FROM customers c`), see `rowColumns`. */
  column: string;
  relationKind: RelationKind;
  /** Only for a whole-row value: every column of the relation, all of which the value shows. */
  rowColumns?: string[];
}

export interface ResultColumn {
  name: string;
  typeOid: number;
  /**
   * RowDescription's table OID and column number (0 and 0 for a computed column; a column number of 0 with
   * a table OID is the whole row). Only when `resolveColumnOrigins` was asked for.
   */
  tableOid?: number;
  columnNumber?: number;
  /**
   * Resolved from the catalog when `resolveColumnOrigins` was asked for: null for a computed column, or
   * when the lookup failed. Absent when not asked for. Masking treats absent and null alike (no origin).
   */
  origin?: ColumnOrigin | null;
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
