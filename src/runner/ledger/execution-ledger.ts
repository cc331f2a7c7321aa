import type pg from "pg";
import { STATE_SCHEMA } from "../../store/migrations.js";
import { type ExecutionIdentity, idempotencyKey, type StatementRef } from "./idempotency-key.js";

const TABLE = `${STATE_SCHEMA}.executions`;
export const MAX_LEDGER_MESSAGE_LENGTH = 4_000;

export const FINAL_STATES = ["succeeded", "failed", "rolled_back", "needs_verification"] as const;
export type FinalState = (typeof FINAL_STATES)[number];
export type ExecutionState = "queued" | "running" | FinalState;

/** How a final state was reached: by the worker that ran it, or by crash resolution (docs/execution-ledger.md). */
export type Resolution = "worker" | "crash_committed" | "crash_aborted" | "crash_read_only" | "crash_unknown";

/** An execution unit to run once: its identity (which gives the key) plus what the ledger records about it. */
export interface ExecutionRequest extends ExecutionIdentity {
  /** The approval fingerprint, opaque here. */
  fingerprint: string;
  /** The policy target name the statements run against. */
  target: string;
  /** True when every statement of the unit is a read: a crashed read is marked failed, not left for verification. */
  readOnly: boolean;
  /** Login of whoever triggered the run (button, comment, merge) or the app itself for `auto`. */
  triggeredBy: string;
  triggeredAt?: Date;
  /** What the executor needs (statements, parameters…); JSON, stored in the ledger, not in the job. */
  payload?: unknown;
  /**
   * The request's digest (src/plan-pull-request/same-request.ts): target, statements and parameters. With
   * it, a pull request queues the same request at most once on any head, unless every earlier row of it
   * failed or rolled back; without it (null), only the key guards.
   */
  requestDigest?: string | null;
}

export interface ExecutionOutcome {
  state: FinalState;
  sqlstate?: string | null;
  message?: string | null;
  /** Rows affected or returned, one entry per statement. */
  rowCounts?: readonly number[] | null;
  resolution?: Resolution;
}

/** Where the outcome was reported; the reporter fills what it made. */
export interface ReportRefs {
  commentId?: number | null;
  checkRunId?: number | null;
  auditCommitSha?: string | null;
  /** The result comment(s) exactly as posted (masked), parts joined: what the API hands requesters. */
  resultMarkdown?: string | null;
  /** The outcome in words, as the `querygate/execute` check run titles it. */
  resultTitle?: string | null;
}

export interface ExecutionRow {
  key: string;
  repo: string;
  pullNumber: number;
  headSha: string;
  requestPath: string;
  statements: StatementRef[];
  fingerprint: string;
  target: string;
  readOnly: boolean;
  triggeredBy: string;
  triggeredAt: Date;
  payload: unknown;
  jobId: string | null;
  state: ExecutionState;
  claimedBy: string | null;
  claimedAt: Date | null;
  xid: string | null;
  startedAt: Date | null;
  endedAt: Date | null;
  sqlstate: string | null;
  message: string | null;
  rowCounts: number[] | null;
  resolution: Resolution | null;
  reportedAt: Date | null;
  reportAttempts: number;
  reportCommentId: number | null;
  reportCheckRunId: number | null;
  reportAuditCommitSha: string | null;
  resultMarkdown: string | null;
  resultTitle: string | null;
  requestDigest: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface EnqueueOnceOptions {
  /**
   * Runs inside the inserting transaction, only when the row is new; returns the id of the job it
   * queued on `tx`. Throwing rolls back the row too.
   */
  onCreated?: (tx: pg.ClientBase, row: ExecutionRow) => Promise<string | null>;
}

export interface ExecutionLedger {
  /**
   * Inserts the row unless its key exists, or the same request (its digest) of the pull request is queued,
   * running or done on another head; `created: false` returns that existing row untouched.
   */
  enqueueOnce(
    request: ExecutionRequest,
    options?: EnqueueOnceOptions,
  ): Promise<{ created: boolean; row: ExecutionRow }>;
  /** queued → running for `workerId`; null when the row is not queued (someone else claimed it). */
  claim(key: string, workerId: string): Promise<ExecutionRow | null>;
  /** Records the target transaction id; throws unless the row is still running under this claim. */
  recordXid(key: string, workerId: string, xid: string): Promise<ExecutionRow>;
  /** running → final, only for the claim `claimedBy`; null when the row was not running under it. */
  finish(key: string, claimedBy: string, outcome: ExecutionOutcome): Promise<ExecutionRow | null>;
  /** Counts a report attempt on a final, unreported row; null when there is nothing to report. */
  beginReport(key: string): Promise<ExecutionRow | null>;
  /** Marks a final row reported; only the first call for an outcome gets the row, later ones get null. */
  markReported(key: string, refs?: ReportRefs): Promise<ExecutionRow | null>;
  /** Queues a replacement job for a row that is still queued, in one transaction with the job id update. */
  replaceJob(key: string, send: (tx: pg.ClientBase) => Promise<string | null>): Promise<ExecutionRow | null>;
  find(key: string): Promise<ExecutionRow | null>;
  /** Rows that still need something: queued, running, or final but not yet reported; oldest first. */
  listUnresolved(): Promise<ExecutionRow[]>;
  /** Every row, oldest first (the simulator's report). */
  listAll(): Promise<ExecutionRow[]>;
}

export function createExecutionLedger(pool: pg.Pool): ExecutionLedger {
  return {
    async enqueueOnce(request, options = {}) {
      const key = idempotencyKey(request);
      return withTransaction(pool, async (tx) => {
        // The primary key, and the one-run-per-request index (migration 0007), serialise concurrent inserts
        // of one key or one request: the others wait for this transaction and then insert nothing, or insert
        // themselves if it rolled back.
        const inserted = await tx.query(
          `insert into ${TABLE} (key, repo, pull_number, head_sha, request_path, statements, fingerprint,
             target, read_only, triggered_by, triggered_at, payload, request_digest)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, coalesce($11, now()), $12, $13)
           on conflict do nothing
           returning *`,
          [
            key,
            request.repo,
            request.pullNumber,
            request.headSha,
            request.requestPath,
            JSON.stringify(request.statements.map(({ index, hash }) => ({ index, hash }))),
            request.fingerprint,
            request.target,
            request.readOnly,
            request.triggeredBy,
            request.triggeredAt ?? null,
            request.payload === undefined ? null : JSON.stringify(request.payload),
            request.requestDigest ?? null,
          ],
        );
        const created = inserted.rows[0];
        if (created !== undefined) {
          let row = toRow(created);
          const jobId = options.onCreated ? await options.onCreated(tx, row) : null;
          if (jobId) {
            const updated = await tx.query(
              `update ${TABLE} set job_id = $2, updated_at = now() where key = $1 returning *`,
              [key, jobId],
            );
            row = toRow(updated.rows[0]);
          }
          return { created: true, row };
        }
        const byKey = await tx.query(`select * from ${TABLE} where key = $1`, [key]);
        const existing =
          byKey.rows[0] !== undefined || !request.requestDigest
            ? byKey
            : await tx.query(
                `select * from ${TABLE}
                 where lower(repo) = lower($1) and pull_number = $2 and request_digest = $3
                   and state not in ('failed', 'rolled_back')`,
                [request.repo, request.pullNumber, request.requestDigest],
              );
        if (existing.rows[0] === undefined) {
          throw new Error(`execution ${key} conflicted on insert but cannot be read; retry the request`);
        }
        return { created: false, row: toRow(existing.rows[0]) };
      });
    },

    async claim(key, workerId) {
      const result = await pool.query(
        `update ${TABLE} set state = 'running', claimed_by = $2, claimed_at = now(), updated_at = now()
         where key = $1 and state = 'queued'
         returning *`,
        [key, workerId],
      );
      return result.rows[0] === undefined ? null : toRow(result.rows[0]);
    },

    async recordXid(key, workerId, xid) {
      if (!/^[0-9]+$/.test(xid)) throw new Error(`a target transaction id is a decimal xid8, got "${xid}"`);
      const result = await pool.query(
        `update ${TABLE} set xid = $3, started_at = now(), updated_at = now()
         where key = $1 and state = 'running' and claimed_by = $2 and xid is null
         returning *`,
        [key, workerId, xid],
      );
      if (result.rows[0] === undefined) {
        throw new Error(
          `execution ${key} is no longer running under claim ${workerId} (or already has a transaction id); roll back the target transaction without running the statement`,
        );
      }
      return toRow(result.rows[0]);
    },

    async finish(key, claimedBy, outcome) {
      const result = await pool.query(
        `update ${TABLE}
         set state = $3, sqlstate = $4, message = $5, row_counts = $6, resolution = $7,
             started_at = coalesce(started_at, claimed_at), ended_at = now(), updated_at = now()
         where key = $1 and state = 'running' and claimed_by = $2
         returning *`,
        [
          key,
          claimedBy,
          outcome.state,
          outcome.sqlstate ?? null,
          outcome.message?.slice(0, MAX_LEDGER_MESSAGE_LENGTH) ?? null,
          outcome.rowCounts ? JSON.stringify(outcome.rowCounts) : null,
          outcome.resolution ?? "worker",
        ],
      );
      return result.rows[0] === undefined ? null : toRow(result.rows[0]);
    },

    async beginReport(key) {
      const result = await pool.query(
        `update ${TABLE} set report_attempts = report_attempts + 1, updated_at = now()
         where key = $1 and reported_at is null and state not in ('queued', 'running')
         returning *`,
        [key],
      );
      return result.rows[0] === undefined ? null : toRow(result.rows[0]);
    },

    async markReported(key, refs = {}) {
      const result = await pool.query(
        `update ${TABLE}
         set reported_at = now(), report_comment_id = $2, report_check_run_id = $3,
             report_audit_commit_sha = $4, result_markdown = $5, result_title = $6, updated_at = now()
         where key = $1 and reported_at is null and state not in ('queued', 'running')
         returning *`,
        [
          key,
          refs.commentId ?? null,
          refs.checkRunId ?? null,
          refs.auditCommitSha ?? null,
          refs.resultMarkdown ?? null,
          refs.resultTitle ?? null,
        ],
      );
      return result.rows[0] === undefined ? null : toRow(result.rows[0]);
    },

    async replaceJob(key, send) {
      return withTransaction(pool, async (tx) => {
        const locked = await tx.query(`select state from ${TABLE} where key = $1 for update`, [key]);
        if (locked.rows[0]?.state !== "queued") return null;
        const jobId = await send(tx);
        if (!jobId) throw new Error(`the job queue refused a replacement job for execution ${key}`);
        const updated = await tx.query(
          `update ${TABLE} set job_id = $2, updated_at = now() where key = $1 returning *`,
          [key, jobId],
        );
        return toRow(updated.rows[0]);
      });
    },

    async find(key) {
      const result = await pool.query(`select * from ${TABLE} where key = $1`, [key]);
      return result.rows[0] === undefined ? null : toRow(result.rows[0]);
    },

    async listUnresolved() {
      const result = await pool.query(
        `select * from ${TABLE} where reported_at is null order by created_at, key`,
      );
      return result.rows.map(toRow);
    },

    async listAll() {
      const result = await pool.query(`select * from ${TABLE} order by created_at, key`);
      return result.rows.map(toRow);
    },
  };
}

export function isFinalState(state: ExecutionState): state is FinalState {
  return (FINAL_STATES as readonly string[]).includes(state);
}

async function withTransaction<T>(pool: pg.Pool, fn: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query("begin");
    const result = await fn(client);
    await client.query("commit");
    return result;
  } catch (error) {
    await client.query("rollback").catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    // A connection that cannot even roll back must not go back into the pool.
    client.release(broken);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: a database row, checked by the table's constraints.
function toRow(raw: any): ExecutionRow {
  return {
    key: raw.key,
    repo: raw.repo,
    pullNumber: raw.pull_number,
    headSha: raw.head_sha,
    requestPath: raw.request_path,
    statements: raw.statements,
    fingerprint: raw.fingerprint,
    target: raw.target,
    readOnly: raw.read_only,
    triggeredBy: raw.triggered_by,
    triggeredAt: raw.triggered_at,
    payload: raw.payload,
    jobId: raw.job_id,
    state: raw.state,
    claimedBy: raw.claimed_by,
    claimedAt: raw.claimed_at,
    xid: raw.xid,
    startedAt: raw.started_at,
    endedAt: raw.ended_at,
    sqlstate: raw.sqlstate,
    message: raw.message,
    rowCounts: raw.row_counts,
    resolution: raw.resolution,
    reportedAt: raw.reported_at,
    reportAttempts: raw.report_attempts,
    reportCommentId: raw.report_comment_id === null ? null : Number(raw.report_comment_id),
    reportCheckRunId: raw.report_check_run_id === null ? null : Number(raw.report_check_run_id),
    reportAuditCommitSha: raw.report_audit_commit_sha,
    resultMarkdown: raw.result_markdown,
    resultTitle: raw.result_title,
    requestDigest: raw.request_digest ?? null,
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
  };
}
