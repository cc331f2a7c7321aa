import type pg from "pg";

export interface Migration {
  id: string;
  sql: string;
}

export const STATE_SCHEMA = "querygate";

// Any fixed bigint works; it only has to differ from the other advisory locks the app takes.
const MIGRATION_LOCK_KEY = "7130274093640321";

export const MIGRATIONS: readonly Migration[] = [
  {
    id: "0001_deliveries_and_check_runs",
    sql: `
      create table ${STATE_SCHEMA}.deliveries (
        id text primary key,
        event text not null,
        action text,
        status text not null check (status in ('processing', 'done', 'failed')),
        attempts int not null default 1,
        received_at timestamptz not null default now(),
        finished_at timestamptz,
        error text
      );
      create table ${STATE_SCHEMA}.check_runs (
        repo text,
        head_sha text,
        name text,
        check_run_id bigint not null,
        annotations_digest text not null,
        updated_at timestamptz not null default now(),
        primary key (repo, head_sha, name)
      );
    `,
  },
  {
    // One row per execution unit (see docs/execution-ledger.md); the primary key is the idempotency key.
    id: "0002_execution_ledger",
    sql: `
      create table ${STATE_SCHEMA}.executions (
        key text primary key check (key ~ '^[0-9a-f]{64}$'),
        repo text not null,
        pull_number int not null check (pull_number > 0),
        head_sha text not null,
        request_path text not null,
        statements jsonb not null,
        fingerprint text not null,
        target text not null,
        read_only boolean not null,
        triggered_by text not null,
        triggered_at timestamptz not null,
        payload jsonb,
        job_id text,
        state text not null default 'queued'
          check (state in ('queued', 'running', 'succeeded', 'failed', 'rolled_back', 'needs_verification')),
        claimed_by text,
        claimed_at timestamptz,
        xid text check (xid ~ '^[0-9]+$'),
        started_at timestamptz,
        ended_at timestamptz,
        sqlstate text,
        message text,
        row_counts jsonb,
        resolution text check (resolution in ('worker', 'crash_committed', 'crash_aborted', 'crash_read_only', 'crash_unknown')),
        reported_at timestamptz,
        report_attempts int not null default 0,
        report_comment_id bigint,
        report_check_run_id bigint,
        report_audit_commit_sha text,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint executions_claimed check (state = 'queued' or (claimed_by is not null and claimed_at is not null)),
        constraint executions_ended check (state in ('queued', 'running') = (ended_at is null and resolution is null)),
        constraint executions_reported check (reported_at is null or state not in ('queued', 'running'))
      );
      create index executions_unresolved on ${STATE_SCHEMA}.executions (created_at)
        where reported_at is null;
      create index executions_pull_request on ${STATE_SCHEMA}.executions (repo, pull_number);
    `,
  },
  {
    // The sticky status comment of each pull request, and the context its approvals were given under.
    id: "0003_pull_request_status",
    sql: `
      create table ${STATE_SCHEMA}.status_comments (
        repo text,
        pull_number int check (pull_number > 0),
        comment_id bigint not null,
        body_digest text not null,
        updated_at timestamptz not null default now(),
        primary key (repo, pull_number)
      );
      create table ${STATE_SCHEMA}.approval_contexts (
        repo text,
        pull_number int check (pull_number > 0),
        context_digest text not null,
        review_watermark bigint not null default 0 check (review_watermark >= 0),
        updated_at timestamptz not null default now(),
        primary key (repo, pull_number)
      );
    `,
  },
  {
    // What each ready pull request head was approved as (the run re-checks it), and each repository's audit chain head.
    id: "0004_approved_runs_and_audit_heads",
    sql: `
      create table ${STATE_SCHEMA}.approved_runs (
        repo text,
        pull_number int check (pull_number > 0),
        head_sha text,
        fingerprint text not null,
        parts jsonb not null,
        updated_at timestamptz not null default now(),
        primary key (repo, pull_number, head_sha)
      );
      create table ${STATE_SCHEMA}.audit_heads (
        repo text primary key,
        seq bigint not null check (seq > 0),
        hash text not null,
        commit_sha text not null,
        updated_at timestamptz not null default now()
      );
    `,
  },
  {
    // HTTP API tokens (only their SHA-256 is kept), per-token rate windows shared by replicas, and the call log.
    id: "0005_api_tokens",
    sql: `
      create table ${STATE_SCHEMA}.api_tokens (
        id bigint generated always as identity primary key,
        name text not null check (name ~ '^[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?$'),
        token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
        repos text[] not null check (cardinality(repos) > 0),
        actor_type text not null default 'agent' check (actor_type in ('agent', 'user')),
        created_at timestamptz not null default now(),
        revoked_at timestamptz,
        last_used_at timestamptz
      );
      -- A name stays in the log after its token is revoked, and can be given to a new token.
      create unique index api_tokens_active_name on ${STATE_SCHEMA}.api_tokens (name) where revoked_at is null;
      create table ${STATE_SCHEMA}.api_rate_windows (
        token_id bigint references ${STATE_SCHEMA}.api_tokens (id) on delete cascade,
        window_start timestamptz,
        count int not null check (count > 0),
        primary key (token_id, window_start)
      );
      create table ${STATE_SCHEMA}.api_calls (
        id bigint generated always as identity primary key,
        token_id bigint,
        token_name text,
        method text not null,
        route text not null,
        status int not null,
        ms int not null check (ms >= 0),
        error_field text,
        at timestamptz not null default now()
      );
      create index api_calls_token on ${STATE_SCHEMA}.api_calls (token_id, at);
    `,
  },
  {
    // Where each pull request stands, as the app last published it (the API, the MCP server and
    // `querygate submit --wait` read state only from here, never from comments or check runs on GitHub),
    // and each execution's reported result: the masked markdown of its result comment(s) and its outcome title.
    id: "0006_request_states_and_results",
    sql: `
      create table ${STATE_SCHEMA}.request_states (
        repo text check (repo = lower(repo)),
        pull_number int check (pull_number > 0),
        head_sha text not null,
        base_ref text not null,
        policy_commit text,
        -- The VerdictState values (src/approvals/request-verdict.ts); a new state needs a new migration.
        state text not null check (state in ('no_policy', 'no_requests', 'wrong_base', 'invalid', 'denied',
          'blocked', 'needs_approval', 'fork', 'ready')),
        conclusion text not null check (conclusion in ('success', 'failure', 'neutral', 'action_required')),
        runnable boolean not null,
        title text not null,
        missing jsonb not null default '[]' check (jsonb_typeof(missing) = 'array'),
        fingerprint text,
        check_run_url text,
        evaluated_at timestamptz not null,
        updated_at timestamptz not null default now(),
        primary key (repo, pull_number)
      );
      alter table ${STATE_SCHEMA}.executions
        add column result_markdown text,
        add column result_title text;
    `,
  },
  {
    // What ran does not run again by accident (docs/runner.md, "The same request"). Each execution keeps the
    // digest of its request — target, statements and parameters, not the path nor the head commit — and a
    // pull request queues or runs one request at most once, whichever head it is asked on and whichever
    // replica asks: only a failed or rolled-back row (nothing changed) lets the same request be queued again.
    // Rows from before this migration have no digest; the planner still matches them by statements and target.
    // The verdict gains `already_ran`: every request file ran on an earlier head and none runs again.
    id: "0007_request_runs_once",
    sql: `
      alter table ${STATE_SCHEMA}.executions
        add column request_digest text check (request_digest ~ '^[0-9a-f]{64}$');
      create unique index executions_request_once
        on ${STATE_SCHEMA}.executions (lower(repo), pull_number, request_digest)
        where request_digest is not null and state not in ('failed', 'rolled_back');
      alter table ${STATE_SCHEMA}.request_states
        drop constraint request_states_state_check,
        add constraint request_states_state_check check (state in ('no_policy', 'no_requests', 'wrong_base',
          'invalid', 'denied', 'blocked', 'needs_approval', 'fork', 'already_ran', 'ready'));
    `,
  },
];

/** Applies the migrations this database has not seen yet; returns the ids it applied, in order. */
export async function runMigrations(pool: pg.Pool): Promise<string[]> {
  const applied: string[] = [];
  for (const migration of MIGRATIONS) {
    if (await applyMigration(pool, migration)) applied.push(migration.id);
  }
  return applied;
}

async function applyMigration(pool: pg.Pool, migration: Migration): Promise<boolean> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query("begin");
    // Serialises concurrent start-ups, including the bootstrap of the bookkeeping table below.
    await client.query("select pg_advisory_xact_lock($1::bigint)", [MIGRATION_LOCK_KEY]);
    await client.query(`create schema if not exists ${STATE_SCHEMA}`);
    await client.query(
      `create table if not exists ${STATE_SCHEMA}.schema_migrations (
        id text primary key,
        applied_at timestamptz not null default now()
      )`,
    );
    const seen = await client.query(`select 1 from ${STATE_SCHEMA}.schema_migrations where id = $1`, [
      migration.id,
    ]);
    if (seen.rowCount === 0) {
      await client.query(migration.sql);
      await client.query(`insert into ${STATE_SCHEMA}.schema_migrations (id) values ($1)`, [migration.id]);
    }
    await client.query("commit");
    return seen.rowCount === 0;
  } catch (error) {
    await client.query("rollback").catch(() => {
      broken = true;
    });
    throw new Error(`migration ${migration.id} failed: ${error instanceof Error ? error.message : error}`, {
      cause: error,
    });
  } finally {
    // A connection that cannot even roll back must not go back into the pool.
    client.release(broken);
  }
}
