import pg from "pg";
import type { CheckConclusion, VerdictState } from "../approvals/request-verdict.js";
import { STATE_SCHEMA } from "./migrations.js";

export const STALE_DELIVERY_MS = 5 * 60_000;
export const MAX_DELIVERY_ERROR_LENGTH = 4_000;
const MAX_INT4 = 2_147_483_647;

export type DeliveryOutcome = { ok: true } | { ok: false; error: string };

export interface RecordedCheckRun {
  checkRunId: number;
  annotationsDigest: string;
}

export interface StateStore {
  beginDelivery(delivery: {
    id: string;
    event: string;
    action?: string | null;
  }): Promise<"new" | "duplicate">;
  finishDelivery(id: string, outcome: DeliveryOutcome): Promise<void>;
  recordCheckRun(checkRun: {
    repo: string;
    headSha: string;
    name: string;
    checkRunId: number;
    /** Digest of the annotations posted: GitHub appends annotations on update, so a change needs a new run. */
    annotationsDigest: string;
  }): Promise<void>;
  findCheckRun(key: { repo: string; headSha: string; name: string }): Promise<RecordedCheckRun | null>;
  withPullRequestLock<T>(pullRequest: { repo: string; pullNumber: number }, fn: () => Promise<T>): Promise<T>;
  findStatusComment(key: PullRequestKey): Promise<{ commentId: number; bodyDigest: string } | null>;
  recordStatusComment(comment: PullRequestKey & { commentId: number; bodyDigest: string }): Promise<void>;
  findApprovalContext(key: PullRequestKey): Promise<{ digest: string; watermark: number } | null>;
  recordApprovalContext(context: PullRequestKey & { digest: string; watermark: number }): Promise<void>;
  recordApprovedRun(
    run: PullRequestKey & { headSha: string; fingerprint: string; parts: Record<string, string> },
  ): Promise<void>;
  findApprovedRun(
    key: PullRequestKey & { headSha: string },
  ): Promise<{ fingerprint: string; parts: Record<string, string> } | null>;
  /** Moves a repository's audit chain head forward; an older sequence number never replaces a newer one. */
  recordAuditHead(head: { repo: string; seq: number; hash: string; commitSha: string }): Promise<void>;
  findAuditHead(repo: string): Promise<{ seq: number; hash: string; commitSha: string } | null>;
  /** The executions queued for a pull request's head commit (the runner's ledger), by request path. */
  listExecutions(key: PullRequestKey & { headSha: string }): Promise<ExecutionSummary[]>;
  /**
   * Every execution of a pull request, on any of its head commits, oldest first: what already ran does not
   * run again (docs/runner.md, "The same request").
   */
  listPullRequestExecutions(key: PullRequestKey): Promise<PullRequestExecution[]>;
  /**
   * Where a pull request stands, as the app last published it; one record per pull request, replaced by
   * each evaluation. The API, the MCP server and `querygate submit --wait` read state only from here.
   */
  recordRequestState(record: RequestStateRecord): Promise<void>; // upsert on (repo, pull_number)
  findRequestState(key: PullRequestKey): Promise<RequestStateRecord | null>;
}

export interface ExecutionSummary {
  key: string;
  requestPath: string;
  state: string;
  commentId: number | null;
  reported: boolean;
  /** The outcome in words, as the `querygate/execute` check run titles it; null until reported. */
  resultTitle: string | null;
  /** The result comment(s) as posted, parts joined: masked columns are masked; null until reported. */
  resultMarkdown: string | null;
}

/** One execution of a pull request, on whichever head commit it was queued. */
export interface PullRequestExecution {
  key: string;
  requestPath: string;
  headSha: string;
  target: string;
  /** Each statement's index and hash, and the parameters bound to it (null when the ledger row has no run payload). */
  statements: Array<{ index: number; hash: string; params: unknown[] | null }>;
  state: string;
  queuedAt: Date;
  endedAt: Date | null;
  commentId: number | null;
  reported: boolean;
}

/** One pull request's latest published evaluation (docs/api.md). */
export interface RequestStateRecord {
  /** OWNER/NAME; stored lower-cased. */
  repo: string;
  pullNumber: number;
  /** The head commit that was evaluated. */
  headSha: string;
  baseRef: string;
  /** The base branch commit the policy was read at; null without a valid policy. */
  policyCommit: string | null;
  state: VerdictState;
  conclusion: CheckConclusion;
  runnable: boolean;
  /** The `querygate` check run's title. */
  title: string;
  /** One line per requirement still unmet. */
  missing: string[];
  /** The approval fingerprint of what would run; null unless runnable. */
  fingerprint: string | null;
  checkRunUrl: string | null;
  evaluatedAt: Date;
}

export interface PullRequestKey {
  /** OWNER/NAME; compared case-insensitively, like GitHub. */
  repo: string;
  pullNumber: number;
}

export interface StateStoreOptions {
  /** How long a delivery may stay "processing" before another attempt may take it over. */
  staleDeliveryMs?: number;
}

export function createStateStore(pool: pg.Pool, options: StateStoreOptions = {}): StateStore {
  const staleDeliveryMs = options.staleDeliveryMs ?? STALE_DELIVERY_MS;

  return {
    async beginDelivery({ id, event, action }) {
      // One statement, so concurrent calls for the same id are serialised by the row lock: the
      // loser re-checks the WHERE against the winner's row and gets no row back.
      // received_at is reset on a retake so the new attempt gets its own staleness window.
      const result = await pool.query(
        `insert into ${STATE_SCHEMA}.deliveries as d (id, event, action, status)
         values ($1, $2, $3, 'processing')
         on conflict (id) do update
           set status = 'processing', attempts = d.attempts + 1, received_at = now(),
               finished_at = null, error = null, event = excluded.event, action = excluded.action
           where d.status = 'failed'
              or (d.status = 'processing' and d.received_at < now() - make_interval(secs => $4::float8 / 1000))
         returning d.id`,
        [id, event, action ?? null, staleDeliveryMs],
      );
      return result.rowCount === 1 ? "new" : "duplicate";
    },

    async finishDelivery(id, outcome) {
      const result = await pool.query(
        `update ${STATE_SCHEMA}.deliveries
         set status = $2, finished_at = now(), error = $3
         where id = $1`,
        [
          id,
          outcome.ok ? "done" : "failed",
          outcome.ok ? null : outcome.error.slice(0, MAX_DELIVERY_ERROR_LENGTH),
        ],
      );
      if (result.rowCount === 0) {
        throw new Error(`delivery ${id} was never begun; call beginDelivery before finishDelivery`);
      }
    },

    async recordCheckRun({ repo, headSha, name, checkRunId, annotationsDigest }) {
      await pool.query(
        `insert into ${STATE_SCHEMA}.check_runs (repo, head_sha, name, check_run_id, annotations_digest)
         values ($1, $2, $3, $4, $5)
         on conflict (repo, head_sha, name) do update
           set check_run_id = excluded.check_run_id, annotations_digest = excluded.annotations_digest,
               updated_at = now()`,
        [repo, headSha, name, checkRunId, annotationsDigest],
      );
    },

    async findCheckRun({ repo, headSha, name }) {
      const result = await pool.query<{ check_run_id: string; annotations_digest: string }>(
        `select check_run_id, annotations_digest from ${STATE_SCHEMA}.check_runs
         where repo = $1 and head_sha = $2 and name = $3`,
        [repo, headSha, name],
      );
      const row = result.rows[0];
      return row === undefined
        ? null
        : { checkRunId: Number(row.check_run_id), annotationsDigest: row.annotations_digest };
    },

    async findStatusComment({ repo, pullNumber }) {
      const { rows } = await pool.query<{ comment_id: string; body_digest: string }>(
        `select comment_id, body_digest from ${STATE_SCHEMA}.status_comments where repo = $1 and pull_number = $2`,
        [repo.toLowerCase(), pullNumber],
      );
      const row = rows[0];
      return row ? { commentId: Number(row.comment_id), bodyDigest: row.body_digest } : null;
    },

    async recordStatusComment({ repo, pullNumber, commentId, bodyDigest }) {
      await pool.query(
        `insert into ${STATE_SCHEMA}.status_comments (repo, pull_number, comment_id, body_digest)
         values ($1, $2, $3, $4)
         on conflict (repo, pull_number) do update
           set comment_id = excluded.comment_id, body_digest = excluded.body_digest, updated_at = now()`,
        [repo.toLowerCase(), pullNumber, commentId, bodyDigest],
      );
    },

    async findApprovalContext({ repo, pullNumber }) {
      const { rows } = await pool.query<{ context_digest: string; review_watermark: string }>(
        `select context_digest, review_watermark from ${STATE_SCHEMA}.approval_contexts
         where repo = $1 and pull_number = $2`,
        [repo.toLowerCase(), pullNumber],
      );
      const row = rows[0];
      return row ? { digest: row.context_digest, watermark: Number(row.review_watermark) } : null;
    },

    async recordApprovalContext({ repo, pullNumber, digest, watermark }) {
      await pool.query(
        `insert into ${STATE_SCHEMA}.approval_contexts (repo, pull_number, context_digest, review_watermark)
         values ($1, $2, $3, $4)
         on conflict (repo, pull_number) do update
           set context_digest = excluded.context_digest, review_watermark = excluded.review_watermark,
               updated_at = now()`,
        [repo.toLowerCase(), pullNumber, digest, watermark],
      );
    },

    async recordApprovedRun({ repo, pullNumber, headSha, fingerprint, parts }) {
      await pool.query(
        `insert into ${STATE_SCHEMA}.approved_runs (repo, pull_number, head_sha, fingerprint, parts)
         values ($1, $2, $3, $4, $5)
         on conflict (repo, pull_number, head_sha) do update
           set fingerprint = excluded.fingerprint, parts = excluded.parts, updated_at = now()`,
        [repo.toLowerCase(), pullNumber, headSha.toLowerCase(), fingerprint, JSON.stringify(parts)],
      );
    },

    async findApprovedRun({ repo, pullNumber, headSha }) {
      const { rows } = await pool.query<{ fingerprint: string; parts: Record<string, string> }>(
        `select fingerprint, parts from ${STATE_SCHEMA}.approved_runs
         where repo = $1 and pull_number = $2 and head_sha = $3`,
        [repo.toLowerCase(), pullNumber, headSha.toLowerCase()],
      );
      return rows[0] ?? null;
    },

    async recordAuditHead({ repo, seq, hash, commitSha }) {
      await pool.query(
        `insert into ${STATE_SCHEMA}.audit_heads as h (repo, seq, hash, commit_sha) values ($1, $2, $3, $4)
         on conflict (repo) do update
           set seq = excluded.seq, hash = excluded.hash, commit_sha = excluded.commit_sha, updated_at = now()
           where h.seq < excluded.seq`,
        [repo.toLowerCase(), seq, hash, commitSha],
      );
    },

    async findAuditHead(repo) {
      const { rows } = await pool.query<{ seq: string; hash: string; commit_sha: string }>(
        `select seq, hash, commit_sha from ${STATE_SCHEMA}.audit_heads where repo = $1`,
        [repo.toLowerCase()],
      );
      const row = rows[0];
      return row ? { seq: Number(row.seq), hash: row.hash, commitSha: row.commit_sha } : null;
    },

    async listExecutions({ repo, pullNumber, headSha }) {
      const { rows } = await pool.query<{
        key: string;
        request_path: string;
        state: string;
        report_comment_id: string | null;
        reported: boolean;
        result_title: string | null;
        result_markdown: string | null;
      }>(
        `select key, request_path, state, report_comment_id, reported_at is not null as reported,
                result_title, result_markdown
         from ${STATE_SCHEMA}.executions
         where lower(repo) = lower($1) and pull_number = $2 and lower(head_sha) = lower($3)
         order by request_path, created_at`,
        [repo, pullNumber, headSha],
      );
      return rows.map((r) => ({
        key: r.key,
        requestPath: r.request_path,
        state: r.state,
        commentId: r.report_comment_id === null ? null : Number(r.report_comment_id),
        reported: r.reported,
        resultTitle: r.result_title,
        resultMarkdown: r.result_markdown,
      }));
    },

    async listPullRequestExecutions({ repo, pullNumber }) {
      const { rows } = await pool.query<{
        key: string;
        request_path: string;
        head_sha: string;
        target: string;
        statements: Array<{ index: number; hash: string }>;
        unit_statements: unknown;
        state: string;
        created_at: Date;
        ended_at: Date | null;
        report_comment_id: string | null;
        reported: boolean;
      }>(
        `select key, request_path, head_sha, target, statements, payload -> 'unit' -> 'statements' as unit_statements,
                state, created_at, ended_at, report_comment_id, reported_at is not null as reported
         from ${STATE_SCHEMA}.executions
         where lower(repo) = lower($1) and pull_number = $2
         order by created_at, key`,
        [repo, pullNumber],
      );
      return rows.map((r) => ({
        key: r.key,
        requestPath: r.request_path,
        headSha: r.head_sha,
        target: r.target,
        statements: r.statements.map((s) => ({
          index: s.index,
          hash: s.hash,
          params: boundParams(r.unit_statements, s.index),
        })),
        state: r.state,
        queuedAt: r.created_at,
        endedAt: r.ended_at,
        commentId: r.report_comment_id === null ? null : Number(r.report_comment_id),
        reported: r.reported,
      }));
    },

    async recordRequestState(r) {
      await pool.query(
        `insert into ${STATE_SCHEMA}.request_states (repo, pull_number, head_sha, base_ref, policy_commit,
           state, conclusion, runnable, title, missing, fingerprint, check_run_url, evaluated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         on conflict (repo, pull_number) do update
           set head_sha = excluded.head_sha, base_ref = excluded.base_ref,
               policy_commit = excluded.policy_commit, state = excluded.state,
               conclusion = excluded.conclusion, runnable = excluded.runnable, title = excluded.title,
               missing = excluded.missing, fingerprint = excluded.fingerprint,
               check_run_url = excluded.check_run_url, evaluated_at = excluded.evaluated_at,
               updated_at = now()`,
        [
          r.repo.toLowerCase(),
          r.pullNumber,
          r.headSha.toLowerCase(),
          r.baseRef,
          r.policyCommit,
          r.state,
          r.conclusion,
          r.runnable,
          r.title,
          JSON.stringify(r.missing),
          r.fingerprint,
          r.checkRunUrl,
          r.evaluatedAt,
        ],
      );
    },

    async findRequestState({ repo, pullNumber }) {
      const { rows } = await pool.query<{
        repo: string;
        pull_number: number;
        head_sha: string;
        base_ref: string;
        policy_commit: string | null;
        state: VerdictState;
        conclusion: CheckConclusion;
        runnable: boolean;
        title: string;
        missing: string[];
        fingerprint: string | null;
        check_run_url: string | null;
        evaluated_at: Date;
      }>(`select * from ${STATE_SCHEMA}.request_states where repo = $1 and pull_number = $2`, [
        repo.toLowerCase(),
        pullNumber,
      ]);
      const row = rows[0];
      return row
        ? {
            repo: row.repo,
            pullNumber: row.pull_number,
            headSha: row.head_sha,
            baseRef: row.base_ref,
            policyCommit: row.policy_commit,
            state: row.state,
            conclusion: row.conclusion,
            runnable: row.runnable,
            title: row.title,
            missing: row.missing,
            fingerprint: row.fingerprint,
            checkRunUrl: row.check_run_url,
            evaluatedAt: row.evaluated_at,
          }
        : null;
    },

    async withPullRequestLock({ repo, pullNumber }, fn) {
      if (!Number.isInteger(pullNumber) || pullNumber < 1 || pullNumber > MAX_INT4) {
        throw new Error(
          `pull request number must be an integer between 1 and ${MAX_INT4}, got ${pullNumber}`,
        );
      }
      // A client outside the pool: waiters parked on the lock must not use up the pool connections
      // that the lock holder's fn needs, or they would deadlock each other.
      const client = new pg.Client(pool.options);
      // Errors on an idle connection are reported through the failing query instead.
      client.on("error", () => undefined);
      await client.connect();
      // GitHub names are case-insensitive, so "Org/Repo" and "org/repo" are the same pull request.
      const keys = [repo.toLowerCase(), pullNumber];
      let locked = false;
      try {
        await client.query("select pg_advisory_lock(hashtext($1), $2)", keys);
        locked = true;
        return await fn();
      } finally {
        // A failed unlock is harmless: ending the session drops the lock too.
        if (locked)
          await client.query("select pg_advisory_unlock(hashtext($1), $2)", keys).catch(() => undefined);
        await client.end().catch(() => undefined);
      }
    },
  };
}

/** The parameters the run payload bound to statement `index`; null when the payload does not say. */
function boundParams(unitStatements: unknown, index: number): unknown[] | null {
  if (!Array.isArray(unitStatements)) return null;
  const statement = unitStatements.find(
    (s): s is { index: number; params?: unknown } =>
      typeof s === "object" && s !== null && (s as { index?: unknown }).index === index,
  );
  return statement && Array.isArray(statement.params) ? statement.params : null;
}
