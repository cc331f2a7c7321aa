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
