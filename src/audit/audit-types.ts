/**
 * The audit record: one per execution, committed as `audit/YYYY/MM/<key>.json` and chained through one
 * line of `audit/chain.jsonl`. The field names are the on-disk format (snake_case, like GitHub's API);
 * docs/audit.md shows an example. Every field is always present: "unknown" is `null`, never absent.
 */

/** Format version of a record; a change to the fields is a new version. */
export const AUDIT_FORMAT_VERSION = 1;

/**
 * How an execution ended: the execution ledger's final states (src/runner/ledger, FINAL_STATES).
 * - `succeeded`: the unit committed (reads included: READ ONLY transactions commit) or finished.
 * - `failed`: nothing changed — the database raised an error (`sqlstate`), or nothing ran.
 * - `rolled_back`: the runner rolled back on purpose (row ceiling exceeded, a guard refused).
 * - `needs_verification`: a crash left the outcome unknown; never re-run, to be checked by a person.
 */
export const AUDIT_OUTCOMES = ["succeeded", "failed", "rolled_back", "needs_verification"] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** How the outcome was reached: the ledger's `resolution` (the worker, or crash resolution). */
export const AUDIT_RESOLUTIONS = [
  "worker",
  "crash_committed",
  "crash_aborted",
  "crash_read_only",
  "crash_unknown",
] as const;
export type AuditResolution = (typeof AUDIT_RESOLUTIONS)[number];

/** What made the runner execute: the check run button, a PR comment command, the merge, or auto-approval. */
export const RUN_TRIGGERS = ["button", "comment", "merge", "auto"] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

/** One statement of the execution unit, located in the request file by byte offsets (parser-independent). */
export interface AuditStatement {
  /** 0-based index of the statement in the request file. */
  index: number;
  /** Byte offsets of the statement in the file: `Statement.span.byteStart` / `byteEnd`. */
  byte_start: number;
  byte_end: number;
  /** `statementHash(Statement.text)`: sha256 of exactly those bytes (the ledger's StatementRef.hash). */
  hash: string;
  /** `paramsHash(params)` of the bound parameters, or null when the statement has none. */
  params_hash: string | null;
}

/** What ran: the request file at `head_sha` and the statements of the unit, in order. */
export interface AuditRequest {
  /** Repository path of the request file, e.g. `queries/2025/fix-order.sql`. */
  path: string;
  /** One statement run on its own, or all statements run as one transaction; indexes increasing. */
  statements: AuditStatement[];
}

export interface AuditPolicyFile {
  path: string;
  /** Git blob SHA of the file at `commit_sha`. */
  blob_sha: string;
}

export interface AuditPolicy {
  /** The base-branch commit the policy was read at. */
  commit_sha: string;
  files: AuditPolicyFile[];
  /** The decision that allowed the execution: the approval fingerprint (the ledger's `fingerprint`). */
  decision_id: string;
  /** Names of the rules that matched the unit's statements. */
  matched_rules: string[];
}

export interface AuditApproval {
  login: string;
  review_id: number;
  /** The commit the review was made on (`review.commit_id`). */
  commit_id: string;
  /** The approver's teams (`org/slug`) that counted, as looked up at approval time. */
  teams: string[];
}

export interface AuditExecutor {
  /** Who clicked, commented or merged; the app's own login for `auto`. */
  triggered_by: string;
  /** How the run was triggered, or null when not known. */
  trigger: RunTrigger | null;
  /** ISO 8601 UTC, or null. */
  triggered_at: string | null;
  /** Which runner replica executed it (the ledger's `claimed_by`), or null. */
  worker: string | null;
}

export interface AuditTarget {
  /** Target name from the policy; never a connection string. */
  name: string;
  engine: string;
  environment: string;
  /** The database login role the unit ran as (a name, no credentials), or null. */
  role: string | null;
  /** The target transaction id (`pg_current_xact_id()` as decimal text), or null when none was taken. */
  transaction_id: string | null;
}

/** One statement that completed (rolled-back ones included), as the runner reported it. */
export interface AuditStatementResult {
  index: number;
  /** Rows affected (DML), else rows returned. */
  rows: number;
  /** `resultDigest(...)` of its full result with masked columns masked, or null when it returned no rows. */
  result_digest: string | null;
}

export interface AuditExecution {
  /** ISO 8601 UTC, e.g. `2025-03-04T10:00:00.123Z`, or null when the unit never started. */
  started_at: string | null;
  /** ISO 8601 UTC; its year and month place the record file. */
  ended_at: string;
  outcome: AuditOutcome;
  resolution: AuditResolution;
  /** Five-character SQLSTATE of the error, or null. */
  sqlstate: string | null;
  /** Per completed statement, in order; null when unknown (lost in a crash). */
  results: AuditStatementResult[] | null;
}

export interface AuditEntry {
  version: typeof AUDIT_FORMAT_VERSION;
  /** 1-based position in the chain. */
  seq: number;
  /** The previous entry's `hash`, or GENESIS_PREV for the first entry. */
  prev: string;
  /** `hashEntry(this entry without hash)`: `sha256:` + hex. */
  hash: string;
  /** The execution's idempotency key (the ledger's `key`, lowercase hex); names the record file. */
  key: string;
  /** `owner/name`. */
  repo: string;
  pull_request: number;
  head_sha: string;
  request: AuditRequest;
  policy: AuditPolicy;
  approvals: AuditApproval[];
  executor: AuditExecutor;
  target: AuditTarget;
  execution: AuditExecution;
}

/** What the caller gives; `appendEntry` adds the chain fields. */
export type NewAuditEntry = Omit<AuditEntry, "seq" | "prev" | "hash">;

/** One line of `audit/chain.jsonl` (canonical JSON): the entry's chain fields and where its record is. */
export interface ChainLine {
  seq: number;
  prev: string;
  hash: string;
  key: string;
  /** Repository path of the record file. */
  record: string;
}
