import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { needsOwnTransaction } from "../../src/plan-pull-request/needs-own-transaction.js";
import { FETCH_BATCH_ROWS } from "../../src/runner/execute/execute-limits.js";
import { executeStatements } from "../../src/runner/execute/execute-statements.js";
import type {
  ExecutableStatement,
  ExecutionInput,
  ExecutionOutcome,
  SessionSettings,
} from "../../src/runner/execute/execution-types.js";
import { searchPathValue } from "../../src/runner/execute/session-settings.js";
import { createPostgresDialect } from "../../src/sql/postgres/postgres-dialect.js";
import type { StatementClass } from "../../src/sql/statement.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

/**
 * The executor's database-side guards, proven against a real PostgreSQL: every attack here is one the
 * analyser is assumed to have missed (statements are labelled with the class the attacker wanted), so
 * what stops it is the database session the executor sets up — READ ONLY, the login role's privileges,
 * the extended protocol, the fixed settings, the row ceiling.
 */

const ACCOUNTS = 10;
/** Enough rows for RETURNING to come back in several batches, the last one partial. */
const BULK_ROWS = FETCH_BATCH_ROWS * 2 + FETCH_BATCH_ROWS / 2;
const SHORT_TIMEOUT_MS = 200;
const SLEEP_SECONDS = 5;
/** A timeout must fire well before the sleep ends. */
const TIMEOUT_FIRES_WITHIN_MS = 3_000;
const BIG_READ_ROWS = 1_000_000;
const BIG_READ_KEPT_ROWS = 100;
const BIG_READ_PAD = 100;
/** Buffering 1,000,000 rows of ~110 bytes would need hundreds of MB; streaming needs a few batches. */
const BIG_READ_MAX_HEAP_GROWTH_BYTES = 64 * 1024 * 1024;
const HEAP_SAMPLE_MS = 5;
const READ_ONLY_SQL_TRANSACTION = "25006";
const ACTIVE_SQL_TRANSACTION = "25001";
const INSUFFICIENT_PRIVILEGE = "42501";
const SYNTAX_ERROR = "42601";
const QUERY_CANCELED = "57014";
const LOCK_NOT_AVAILABLE = "55P03";
const IDLE_IN_TRANSACTION_TIMEOUT = "25P03";
const UNIQUE_VIOLATION = "23505";
const UNDEFINED_COLUMN = "42703";

const dialect = await createPostgresDialect();
const suffix = randomBytes(4).toString("hex");
const roles = {
  owner: `qg_owner_${suffix}`,
  reader: `qg_reader_${suffix}`,
  writer: `qg_writer_${suffix}`,
};
const passwords = {
  owner: randomBytes(12).toString("hex"),
  reader: randomBytes(12).toString("hex"),
  writer: randomBytes(12).toString("hex"),
};

let db: TestDatabase;
let admin: pg.Client;
let urls: Record<keyof typeof roles, string>;
let databaseName: string;
let dblinkAvailable = false;

const defaultSettings: SessionSettings = {
  statementTimeoutMs: 5_000,
  lockTimeoutMs: 2_000,
  idleInTransactionTimeoutMs: 5_000,
  applicationName: "querygate-runner-test",
  searchPath: ["app"],
};

function statements(
  ...items: (
    | string
    | { text: string; class?: StatementClass; params?: unknown[]; line?: number; ownTransaction?: boolean }
  )[]
): (defaultClass: StatementClass) => ExecutableStatement[] {
  return (defaultClass) =>
    items.map((item, index) => {
      const s = typeof item === "string" ? { text: item } : item;
      return {
        index,
        text: s.text,
        params: s.params ?? [],
        class: s.class ?? defaultClass,
        line: s.line ?? index + 1,
        ownTransaction: s.ownTransaction ?? false,
      };
    });
}

async function run(
  params: Partial<Omit<ExecutionInput, "statements" | "settings">> & {
    url: string;
    class: StatementClass;
    statements: (defaultClass: StatementClass) => ExecutableStatement[];
    settings?: Partial<SessionSettings>;
  },
): Promise<ExecutionOutcome> {
  return executeStatements({
    statements: params.statements(params.class),
    connectionString: params.url,
    settings: { ...defaultSettings, ...params.settings },
    maxResultRows: params.maxResultRows ?? 100,
    maxAffectedRows: params.maxAffectedRows === undefined ? null : params.maxAffectedRows,
    onTransactionId: params.onTransactionId ?? (async () => undefined),
    clock: params.clock ?? (() => new Date()),
  });
}

function roleUrl(role: keyof typeof roles): string {
  const url = new URL(db.url);
  url.username = roles[role];
  url.password = passwords[role];
  return url.toString();
}

async function accountCount(): Promise<number> {
  const { rows } = await admin.query<{ n: number }>("select count(*)::int as n from app.accounts");
  return rows[0]?.n ?? -1;
}

async function balances(): Promise<number[]> {
  const { rows } = await admin.query<{ balance: number }>("select balance from app.accounts order by id");
  return rows.map((r) => r.balance);
}

async function xactStatus(xid: string | null): Promise<string | null> {
  const { rows } = await admin.query<{ status: string | null }>("select pg_xact_status($1::xid8) as status", [
    xid,
  ]);
  return rows[0]?.status ?? null;
}

beforeAll(async () => {
  db = await createTestDatabase();
  databaseName = new URL(db.url).pathname.slice(1);
  admin = new pg.Client({ connectionString: db.url });
  admin.on("error", () => undefined);
  await admin.connect();
  const q = (sql: string) => admin.query(sql);
  for (const role of Object.keys(roles) as (keyof typeof roles)[]) {
    await q(`create role ${roles[role]} login password '${passwords[role]}'`);
  }
  urls = { owner: roleUrl("owner"), reader: roleUrl("reader"), writer: roleUrl("writer") };
  await q(`create schema app authorization ${roles.owner}`);
  await q(`set role ${roles.owner}`);
  await q(
    "create table app.accounts (id int primary key, name text not null, balance int not null default 0)",
  );
  await q(`insert into app.accounts select g, 'account ' || g, 100 from generate_series(1, ${ACCOUNTS}) g`);
  await q("create table app.ledger (id int primary key, note text)");
  await q(`create table app.bulk as select g as id, 0 as n from generate_series(1, ${BULK_ROWS}) g`);
  await q("create sequence app.ticket_seq");
  // SECURITY DEFINER: runs with the owner's rights, so only READ ONLY can stop the DELETE inside.
  await q(`create function app.purge_accounts() returns int language plpgsql security definer
           set search_path = app, pg_temp as $$ begin delete from app.accounts; return 0; end $$`);
  await q("reset role");
  await q(`grant usage on schema app to ${roles.reader}, ${roles.writer}`);
  await q(`grant select on all tables in schema app to ${roles.reader}`);
  await q(`grant select, insert, update, delete on app.accounts, app.ledger, app.bulk to ${roles.writer}`);
  // A schema name that needs quoting and escaping in the startup options.
  await q(`create schema "odd schema, ""quoted"""`);
  await q(`create table "odd schema, ""quoted""".odd_table as select 1 as x`);
  await q(`grant usage on schema "odd schema, ""quoted""" to ${roles.reader}`);
  await q(`grant select on "odd schema, ""quoted""".odd_table to ${roles.reader}`);
  // An attacker's schema, with a table that shadows app.accounts, readable by the read role.
  await q("create schema attacker");
  await q("create table attacker.accounts (id int, name text, balance int)");
  await q("insert into attacker.accounts values (1, 'decoy', 0)");
  await q(`grant usage on schema attacker to ${roles.reader}`);
  await q(`grant select on attacker.accounts to ${roles.reader}`);
  // Role-level settings an attacker with ALTER ROLE (or a careless DBA) could have left: the connection's
  // own options must win over every one of them.
  await q(`alter role ${roles.reader} set search_path = attacker, app`);
  await q(`alter role ${roles.reader} set standard_conforming_strings = off`);
  await q(`alter role ${roles.reader} set statement_timeout = 0`);
  await q(`alter role ${roles.reader} set client_encoding = 'SJIS'`);
  const { rows } = await admin.query("select 1 from pg_available_extensions where name = 'dblink'");
  dblinkAvailable = rows.length > 0;
  if (dblinkAvailable) {
    await q("create extension dblink");
    // The provisioning step docs/runner.md asks for: dblink's functions are executable by PUBLIC by default.
    await q("revoke execute on all functions in schema public from public");
  } else {
    console.warn("[runner-guards] dblink is not available on this server: the dblink_exec case is skipped");
  }
});

afterAll(async () => {
  await admin?.end().catch(() => undefined);
  await db?.drop();
  if (!urls) return;
  const cleanup = new pg.Client({ connectionString: new URL("/postgres", db.url).toString() });
  await cleanup.connect();
  try {
    for (const role of Object.values(roles)) await cleanup.query(`drop role if exists ${role}`);
  } finally {
    await cleanup.end();
  }
});

describe("session settings", () => {
  it("takes effect over the role's own settings (search_path, standard_conforming_strings, statement_timeout, client_encoding)", async () => {
    const outcome = await run({
      url: urls.reader,
      class: "read",
      statements: statements(
        "SHOW standard_conforming_strings",
        "SHOW search_path",
        "SHOW statement_timeout",
        "SHOW client_encoding",
        "SELECT 'a\\' AS v",
        "SELECT name FROM accounts ORDER BY id LIMIT 1",
      ),
      settings: { statementTimeoutMs: SHORT_TIMEOUT_MS },
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe("read");
    expect(outcome.statements.map((s) => s.rows?.[0]?.[0])).toEqual([
      "on",
      searchPathValue(["app"]),
      `${SHORT_TIMEOUT_MS}ms`,
      "UTF8",
      // With standard_conforming_strings on, a backslash is an ordinary character, as libpg-query lexed it.
      "a\\",
      // app.accounts, not the role's attacker.accounts.
      "account 1",
    ]);
  });

  it("quotes and escapes schema names in the fixed search_path", async () => {
    const searchPath = ["app", 'odd schema, "quoted"'];
    const outcome = await run({
      url: urls.reader,
      class: "read",
      statements: statements("SHOW search_path", "SELECT x FROM odd_table"),
      settings: { searchPath },
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.statements.map((s) => s.rows?.[0]?.[0])).toEqual([searchPathValue(searchPath), "1"]);
  });

  it("aborts before any statement when a setting does not hold, naming the setting", async () => {
    const outcome = await run({
      url: urls.writer,
      class: "write",
      statements: statements("DELETE FROM app.accounts"),
      // PostgreSQL replaces non-ASCII characters of application_name with '?'.
      settings: { applicationName: "querygate-é" },
    });
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.kind).toBe("settings");
    expect(outcome.error?.message).toContain("application_name");
    expect(outcome.statements).toEqual([]);
    expect(await accountCount()).toBe(ACCOUNTS);
  });

  it("refuses a connection string that would set session parameters, and never echoes it", async () => {
    const url = new URL(urls.writer);
    url.searchParams.set("options", "-c statement_timeout=0");
    url.searchParams.set("statement_timeout", "0");
    const outcome = await run({ url: url.toString(), class: "write", statements: statements("SELECT 1") });
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.kind).toBe("connect");
    expect(outcome.error?.message).toMatch(/"options", "statement_timeout"/);
    expect(JSON.stringify(outcome)).not.toContain(passwords.writer);
  });

  it("reports a failed connection without the connection string", async () => {
    const url = new URL(urls.writer);
    url.port = "1";
    const outcome = await run({ url: url.toString(), class: "read", statements: statements("SELECT 1") });
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.kind).toBe("connect");
    expect(JSON.stringify(outcome)).not.toContain(passwords.writer);
    expect(JSON.stringify(outcome)).not.toContain(roles.writer);
  });
});

describe("reads", () => {
  it("stops a write hidden in a SECURITY DEFINER function with READ ONLY (25006)", async () => {
    const outcome = await run({
      url: urls.reader,
      class: "read",
      statements: statements("SELECT app.purge_accounts()"),
    });
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.sqlstate).toBe(READ_ONLY_SQL_TRANSACTION);
    expect(await accountCount()).toBe(ACCOUNTS);
  });

  it("stops a writable CTE with READ ONLY even under a role allowed to delete", async () => {
    for (const url of [urls.reader, urls.writer]) {
      const outcome = await run({
        url,
        class: "read",
        statements: statements(
          "WITH gone AS (DELETE FROM app.accounts RETURNING id) SELECT count(*) FROM gone",
        ),
      });
      expect(outcome.status).toBe("failed");
      expect(outcome.error?.sqlstate).toBe(READ_ONLY_SQL_TRANSACTION);
    }
    expect(await accountCount()).toBe(ACCOUNTS);
  });

  it("refuses side-effecting functions to the read role: setval, pg_terminate_backend", async () => {
    const setval = await run({
      url: urls.reader,
      class: "read",
      statements: statements("SELECT setval('app.ticket_seq', 1000)"),
    });
    expect(setval.status).toBe("failed");
    // The role lacks UPDATE on the sequence (42501); READ ONLY would refuse it too (25006).
    expect([INSUFFICIENT_PRIVILEGE, READ_ONLY_SQL_TRANSACTION]).toContain(setval.error?.sqlstate);
    const { rows: seq } = await admin.query<{ is_called: boolean }>("select is_called from app.ticket_seq");
    expect(seq[0]?.is_called).toBe(false);

    // READ ONLY does not stop pg_terminate_backend: the role must not be able to signal other roles' backends.
    const { rows: member } = await admin.query<{ member: boolean }>(
      "select pg_has_role($1, 'pg_signal_backend', 'MEMBER') as member",
      [roles.reader],
    );
    expect(member[0]?.member).toBe(false);
    const { rows: pid } = await admin.query<{ pid: number }>("select pg_backend_pid() as pid");
    const terminate = await run({
      url: urls.reader,
      class: "read",
      statements: statements({ text: "SELECT pg_terminate_backend($1)", params: [pid[0]?.pid] }),
    });
    expect(terminate.status).toBe("failed");
    expect(terminate.error?.sqlstate).toBe(INSUFFICIENT_PRIVILEGE);
    expect((await admin.query("select 1 as alive")).rows).toEqual([{ alive: 1 }]);
  });

  it("refuses dblink_exec (whose remote write READ ONLY cannot undo) to the read role", async (context) => {
    if (!dblinkAvailable) {
      context.skip();
      return;
    }
    const outcome = await run({
      url: urls.reader,
      class: "read",
      statements: statements({
        text: "SELECT public.dblink_exec($1, 'DELETE FROM app.accounts')",
        params: [`dbname=${databaseName} user=${roles.owner} password=${passwords.owner}`],
      }),
    });
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.sqlstate).toBe(INSUFFICIENT_PRIVILEGE);
    expect(await accountCount()).toBe(ACCOUNTS);
  });

  it("does not let SET TRANSACTION READ WRITE (or set_config) escape READ ONLY", async () => {
    for (const attempt of [
      "SET TRANSACTION READ WRITE",
      "SELECT set_config('transaction_read_only', 'off', true)",
    ]) {
      const outcome = await run({
        url: urls.writer,
        class: "read",
        statements: statements(attempt, "DELETE FROM app.accounts"),
      });
      expect(outcome.status).toBe("failed");
      expect(outcome.error?.sqlstate).toBe(ACTIVE_SQL_TRANSACTION);
      expect(outcome.error?.statementIndex).toBe(0);
    }
    expect(await accountCount()).toBe(ACCOUNTS);
  });

  it("refuses multi-statement smuggling through the extended protocol, whatever the mode", async () => {
    for (const klass of ["read", "write"] as const) {
      const outcome = await run({
        url: urls.writer,
        class: klass,
        statements: statements("SELECT 1; DELETE FROM app.accounts"),
      });
      expect(outcome.status).toBe(klass === "read" ? "failed" : "rolled_back");
      expect(outcome.error?.sqlstate).toBe(SYNTAX_ERROR);
      expect(outcome.error?.message).toContain("cannot insert multiple commands into a prepared statement");
    }
    expect(await accountCount()).toBe(ACCOUNTS);
  });

  it("stops a request that changes its search_path (SET or set_config) before the next statement runs", async () => {
    // The analyser rejects SET; labelled "read" here, it shows the executor's own check holds.
    for (const change of [
      "SET search_path = attacker, app",
      "SELECT set_config('search_path', 'attacker, app', true)",
    ]) {
      const outcome = await run({
        url: urls.reader,
        class: "read",
        statements: statements(change, "SELECT name FROM accounts ORDER BY id"),
      });
      expect(outcome.status).toBe("failed");
      expect(outcome.error?.kind).toBe("settings");
      expect(outcome.error?.message).toContain("search_path");
      expect(outcome.statements.map((s) => s.index)).toEqual([0]);
    }
  });

  it("fires statement_timeout as 57014 with a readable message", async () => {
    const started = Date.now();
    const outcome = await run({
      url: urls.reader,
      class: "read",
      statements: statements(`SELECT pg_sleep(${SLEEP_SECONDS})`),
      settings: { statementTimeoutMs: SHORT_TIMEOUT_MS },
    });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_FIRES_WITHIN_MS);
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.sqlstate).toBe(QUERY_CANCELED);
    expect(outcome.error?.message).toMatch(/^statement timeout: .*200 ms/);
  });

  it("streams a 1,000,000-row result in flat memory, keeping the first maxResultRows", async () => {
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }, HEAP_SAMPLE_MS);
    let outcome: ExecutionOutcome;
    try {
      outcome = await run({
        url: urls.reader,
        class: "read",
        statements: statements(
          `SELECT g, repeat('x', ${BIG_READ_PAD}) AS pad FROM generate_series(1, ${BIG_READ_ROWS}) g`,
        ),
        maxResultRows: BIG_READ_KEPT_ROWS,
        settings: { statementTimeoutMs: 60_000 },
      });
    } finally {
      clearInterval(sampler);
    }
    expect(outcome.error).toBeUndefined();
    const [result] = outcome.statements;
    expect(result?.rowCount).toBe(BIG_READ_ROWS);
    expect(result?.rows).toHaveLength(BIG_READ_KEPT_ROWS);
    expect(result?.rows?.[0]).toEqual(["1", "x".repeat(BIG_READ_PAD)]);
    expect(result?.truncated).toBe(true);
    expect(result?.columns).toEqual([
      { name: "g", typeOid: 23 },
      { name: "pad", typeOid: 25 },
    ]);
    expect(peak - baseline).toBeLessThan(BIG_READ_MAX_HEAP_GROWTH_BYTES);
  });

  it("returns values as PostgreSQL prints them, binds parameters and reports every column", async () => {
    const outcome = await run({
      url: urls.reader,
      class: "read",
      statements: statements({
        text: "SELECT $1::int8 + 1 AS big, 0.1::numeric AS n, NULL::text AS z, 1 AS a, 2 AS a, $2::text AS p",
        params: ["9007199254740992", "'; DELETE FROM app.accounts; --"],
      }),
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.statements[0]?.rows).toEqual([
      ["9007199254740993", "0.1", null, "1", "2", "'; DELETE FROM app.accounts; --"],
    ]);
    expect(outcome.statements[0]?.columns?.map((c) => c.name)).toEqual(["big", "n", "z", "a", "a", "p"]);
    expect(outcome.statements[0]?.truncated).toBe(false);
  });

  it("runs read_lock in a transaction that is always rolled back, undoing a write hidden in it", async () => {
    const outcome = await run({
      url: urls.writer,
      class: "read_lock",
      statements: statements(
        "SELECT id FROM app.accounts WHERE id = 1 FOR UPDATE",
        "SELECT app.purge_accounts() FROM app.accounts WHERE id = 2 FOR UPDATE",
      ),
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe("read");
    expect(outcome.xid).toBeNull();
    expect(outcome.statements[0]?.rows).toEqual([["1"]]);
    expect(await accountCount()).toBe(ACCOUNTS);
  });

  it("runs COPY … TO STDOUT as rows, and fails COPY … FROM STDIN cleanly", async () => {
    const out = await run({
      url: urls.reader,
      class: "read",
      statements: statements("COPY (SELECT id, name FROM app.accounts ORDER BY id) TO STDOUT"),
      maxResultRows: 2,
    });
    expect(out.error).toBeUndefined();
    expect(out.statements[0]).toMatchObject({
      command: "COPY",
      rowCount: ACCOUNTS,
      rows: [["1\taccount 1"], ["2\taccount 2"]],
      truncated: true,
    });
    const into = await run({
      url: urls.writer,
      class: "write",
      statements: statements("COPY app.ledger FROM STDIN"),
    });
    expect(into.status).toBe("rolled_back");
    expect(into.error?.sqlstate).toBe(QUERY_CANCELED);
    expect(into.error?.message).toContain("COPY FROM STDIN is not supported");
  });
});

describe("writes", () => {
  it("commits in one transaction and hands the transaction id to the ledger first", async () => {
    const xids: string[] = [];
    const outcome = await run({
      url: urls.writer,
      class: "write",
      statements: statements(
        { text: "INSERT INTO app.ledger (id, note) VALUES ($1, $2)", params: [1, "first"] },
        { text: "UPDATE app.ledger SET note = note || $1 WHERE id = 1", params: [" and second"] },
      ),
      maxAffectedRows: 2,
      onTransactionId: async (xid) => {
        xids.push(xid);
      },
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe("committed");
    expect(outcome.affectedRows).toBe(2);
    expect(outcome.statements.map((s) => [s.command, s.rowCount])).toEqual([
      ["INSERT", 1],
      ["UPDATE", 1],
    ]);
    expect(xids).toEqual([outcome.xid]);
    expect(await xactStatus(outcome.xid)).toBe("committed");
    const { rows } = await admin.query("select note from app.ledger where id = 1");
    expect(rows).toEqual([{ note: "first and second" }]);
  });

  it("runs nothing when the ledger cannot record the transaction id", async () => {
    const outcome = await run({
      url: urls.writer,
      class: "write",
      statements: statements("DELETE FROM app.accounts"),
      onTransactionId: async () => {
        throw new Error("ledger unavailable");
      },
    });
    expect(outcome.status).toBe("failed");
    expect(outcome.error).toMatchObject({ kind: "ledger", message: "ledger unavailable" });
    expect(outcome.statements).toEqual([]);
    expect(await xactStatus(outcome.xid)).toBe("aborted");
    expect(await accountCount()).toBe(ACCOUNTS);
  });

  it("rolls back a write over its ceiling and leaves the table unchanged", async () => {
    const before = await balances();
    const outcome = await run({
      url: urls.writer,
      class: "write",
      statements: statements("UPDATE app.accounts SET balance = balance + 1"),
      maxAffectedRows: 5,
    });
    expect(outcome.status).toBe("rolled_back");
    expect(outcome.error).toMatchObject({
      kind: "over_ceiling",
      statementIndex: 0,
      ceiling: { maxAffectedRows: 5, affectedRows: ACCOUNTS },
    });
    expect(await balances()).toEqual(before);
    expect(await accountCount()).toBe(ACCOUNTS);
    expect(await xactStatus(outcome.xid)).toBe("aborted");
  });

  it("adds affected rows across statements and rolls all of them back over the ceiling", async () => {
    const before = await balances();
    const outcome = await run({
      url: urls.writer,
      class: "write",
      statements: statements(
        "UPDATE app.accounts SET balance = 0 WHERE id <= 3",
        "UPDATE app.accounts SET balance = 0 WHERE id > 7",
      ),
      maxAffectedRows: 5,
    });
    expect(outcome.status).toBe("rolled_back");
    expect(outcome.error?.ceiling).toEqual({ maxAffectedRows: 5, affectedRows: 6 });
    expect(outcome.error?.statementIndex).toBe(1);
    expect(await balances()).toEqual(before);
  });

  it("caps the rows RETURNING gives back while counting every affected row", async () => {
    const outcome = await run({
      url: urls.writer,
      class: "write",
      statements: statements("UPDATE app.accounts SET balance = balance RETURNING id"),
      maxResultRows: 3,
      maxAffectedRows: ACCOUNTS,
    });
    expect(outcome.status).toBe("committed");
    expect(outcome.statements[0]).toMatchObject({ command: "UPDATE", rowCount: ACCOUNTS, truncated: true });
    expect(outcome.statements[0]?.rows).toHaveLength(3);
  });

  it("counts every row of a RETURNING read in several batches (the command tag counts the last one only)", async () => {
    const ceiling = BULK_ROWS - 1;
    const outcome = await run({
      url: urls.writer,
      class: "write",
      statements: statements("UPDATE app.bulk SET n = n + 1 RETURNING id"),
      maxResultRows: 1,
      maxAffectedRows: ceiling,
    });
    expect(outcome.status).toBe("rolled_back");
    expect(outcome.error?.ceiling).toEqual({ maxAffectedRows: ceiling, affectedRows: BULK_ROWS });
    const { rows } = await admin.query("select count(*)::int as changed from app.bulk where n <> 0");
    expect(rows).toEqual([{ changed: 0 }]);
  });

  it("is all or nothing when the second statement fails, and maps the error to its line", async () => {
    const outcome = await run({
      url: urls.writer,
      class: "write",
      statements: statements(
        { text: "INSERT INTO app.accounts (id, name) VALUES (100, 'new')", line: 4 },
        { text: "INSERT INTO app.accounts (id, name)\n  VALUES (1, 'duplicate')", line: 6 },
      ),
    });
    expect(outcome.status).toBe("rolled_back");
    expect(outcome.error).toMatchObject({ kind: "statement", sqlstate: UNIQUE_VIOLATION, statementIndex: 1 });
    expect(outcome.error?.detail).toContain("already exists");
    expect(await accountCount()).toBe(ACCOUNTS);
  });

  it("maps PostgreSQL's error position back to the request-file line", async () => {
    const outcome = await run({
      url: urls.writer,
      class: "write",
      statements: statements({
        text: "UPDATE app.accounts\n   SET balance = balance + 1 -- 🚀🚀🚀\n WHERE nmae = 'x'",
        line: 10,
      }),
    });
    expect(outcome.error).toMatchObject({ sqlstate: UNDEFINED_COLUMN, statementIndex: 0, line: 12 });
  });

  it("fires lock_timeout as 55P03 when another session holds the row", async () => {
    const holder = new pg.Client({ connectionString: db.url });
    holder.on("error", () => undefined);
    await holder.connect();
    try {
      await holder.query("begin");
      await holder.query("select 1 from app.accounts where id = 1 for update");
      const started = Date.now();
      const outcome = await run({
        url: urls.writer,
        class: "write",
        statements: statements("UPDATE app.accounts SET balance = 0 WHERE id = 1"),
        settings: { lockTimeoutMs: SHORT_TIMEOUT_MS },
      });
      expect(Date.now() - started).toBeLessThan(TIMEOUT_FIRES_WITHIN_MS);
      expect(outcome.status).toBe("rolled_back");
      expect(outcome.error?.sqlstate).toBe(LOCK_NOT_AVAILABLE);
      expect(outcome.error?.message).toMatch(/^lock timeout: .*200 ms/);
    } finally {
      await holder.query("rollback").catch(() => undefined);
      await holder.end();
    }
  });

  it("ends a session left idle in its transaction (idle_in_transaction_session_timeout)", async () => {
    const outcome = await run({
      url: urls.writer,
      class: "write",
      statements: statements("DELETE FROM app.accounts"),
      settings: { idleInTransactionTimeoutMs: SHORT_TIMEOUT_MS },
      onTransactionId: () => new Promise((resolve) => setTimeout(resolve, SHORT_TIMEOUT_MS * 4)),
    });
    expect(outcome.status).toBe("rolled_back");
    expect(outcome.error?.sqlstate).toBe(IDLE_IN_TRANSACTION_TIMEOUT);
    expect(outcome.statements).toEqual([]);
    expect(await accountCount()).toBe(ACCOUNTS);
  });

  it("resolves unqualified names in the fixed search_path, never in a temporary table that shadows them", async () => {
    // pg_temp comes last in the fixed search_path: the DELETE hits app.accounts (1 row), not the empty
    // temporary table — and the ceiling of 0 rolls it back.
    const outcome = await run({
      url: urls.writer,
      class: "write",
      statements: statements(
        { text: "CREATE TEMP TABLE accounts (id int, name text, balance int)", class: "ddl" },
        "DELETE FROM accounts WHERE id = 1",
      ),
      maxAffectedRows: 0,
    });
    expect(outcome.status).toBe("rolled_back");
    expect(outcome.error?.ceiling).toEqual({ maxAffectedRows: 0, affectedRows: 1 });
    expect(await accountCount()).toBe(ACCOUNTS);
  });
});

describe("statements that need their own transaction", () => {
  it("refuses to mix them with other statements, before connecting", async () => {
    const outcome = await run({
      url: "postgres://nobody@127.0.0.1:1/none",
      class: "ddl",
      statements: statements(
        { text: "CREATE INDEX CONCURRENTLY accounts_name_idx ON app.accounts (name)", ownTransaction: true },
        "UPDATE app.accounts SET balance = 0",
      ),
    });
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.kind).toBe("refused");
    expect(outcome.error?.message).toContain("must be the only statement of its request");
  });

  it("runs one alone, without BEGIN", async () => {
    const index = await run({
      url: urls.owner,
      class: "ddl",
      statements: statements({
        text: "CREATE INDEX CONCURRENTLY accounts_name_idx ON app.accounts (name)",
        ownTransaction: true,
      }),
    });
    expect(index.error).toBeUndefined();
    expect(index).toMatchObject({ status: "committed", xid: null });
    const { rows } = await admin.query(
      "select indisvalid from pg_index where indexrelid = 'app.accounts_name_idx'::regclass",
    );
    expect(rows).toEqual([{ indisvalid: true }]);
    const vacuum = await run({
      url: urls.owner,
      class: "maintenance",
      statements: statements({ text: "VACUUM app.accounts", ownTransaction: true }),
    });
    expect(vacuum.error).toBeUndefined();
    expect(vacuum.status).toBe("committed");
  });

  it("refuses classes the runner never executes, before connecting", async () => {
    for (const klass of ["rejected", "admin", "dcl"] as const) {
      const outcome = await run({
        url: "postgres://nobody@127.0.0.1:1/none",
        class: klass,
        statements: statements("SELECT 1"),
      });
      expect(outcome.status).toBe("failed");
      expect(outcome.error?.kind).toBe("refused");
      expect(outcome.error?.message).toContain(`"${klass}"`);
    }
  });
});

describe("needsOwnTransaction agrees with PostgreSQL 15", () => {
  const parse = (sql: string) => {
    const analysis = dialect.analyze(Buffer.from(sql));
    if (!analysis.ok || analysis.statements.length !== 1) throw new Error(`cannot parse ${sql}`);
    return analysis.statements[0] as NonNullable<(typeof analysis.statements)[0]>;
  };
  const sub = `qg_sub_${suffix}`;

  /** The SQLSTATE PostgreSQL answers when the statement runs inside BEGIN … ROLLBACK, or null. */
  async function insideTransaction(sql: string): Promise<string | null> {
    await admin.query("begin");
    try {
      await admin.query(sql);
      return null;
    } catch (error) {
      return (error as { code?: string }).code ?? "?";
    } finally {
      await admin.query("rollback");
    }
  }

  beforeAll(async () => {
    await admin.query("create table public.t (a int)");
    await admin.query("create index t_a_idx on public.t (a)");
    await admin.query("create table public.p (a int) partition by list (a)");
    await admin.query("create table public.c partition of public.p for values in (1)");
    await admin.query("create materialized view public.mv as select 1 as a");
    await admin.query("create unique index on public.mv (a)");
    await admin.query(
      `create subscription ${sub} connection 'dbname=none' publication none with (connect = false)`,
    );
  });

  afterAll(async () => {
    await admin.query(`alter subscription ${sub} set (slot_name = none)`);
    await admin.query(`drop subscription ${sub}`);
  });

  const mustRunAlone = () => [
    "CREATE INDEX CONCURRENTLY ON public.t (a)",
    "DROP INDEX CONCURRENTLY public.t_a_idx",
    "REINDEX TABLE CONCURRENTLY public.t",
    "REINDEX (CONCURRENTLY) INDEX public.t_a_idx",
    "REINDEX SCHEMA public",
    `REINDEX DATABASE ${databaseName}`,
    `REINDEX SYSTEM ${databaseName}`,
    "VACUUM public.t",
    "VACUUM (ANALYZE) public.t",
    "CLUSTER",
    "ALTER TABLE public.p DETACH PARTITION public.c CONCURRENTLY",
    `CREATE DATABASE qg_never_${suffix}`,
    `DROP DATABASE qg_never_${suffix}`,
    `ALTER DATABASE ${databaseName} SET TABLESPACE pg_default`,
    "ALTER SYSTEM SET work_mem = '4MB'",
    `CREATE TABLESPACE qg_never_${suffix} LOCATION '/nonexistent'`,
    `DROP TABLESPACE qg_never_${suffix}`,
    "DISCARD ALL",
    "COMMIT PREPARED 'qg-none'",
    "ROLLBACK PREPARED 'qg-none'",
    `CREATE SUBSCRIPTION qg_never_${suffix} CONNECTION 'dbname=none' PUBLICATION none`,
    `DROP SUBSCRIPTION ${sub}`,
  ];
  const runsInTransaction = () => [
    "CREATE INDEX ON public.t (a)",
    "DROP INDEX public.t_a_idx",
    "REINDEX TABLE public.t",
    "REINDEX INDEX public.t_a_idx",
    "ANALYZE public.t",
    "ALTER TABLE public.p DETACH PARTITION public.c",
    `ALTER DATABASE ${databaseName} SET work_mem = '4MB'`,
    "REFRESH MATERIALIZED VIEW CONCURRENTLY public.mv",
    "DISCARD PLANS",
    "CHECKPOINT",
    "UPDATE public.t SET a = 1",
  ];

  it("every statement it sends alone is one PostgreSQL refuses inside a transaction block (25001)", async () => {
    for (const sql of mustRunAlone()) {
      expect({ sql, alone: needsOwnTransaction(parse(sql)) }).toEqual({ sql, alone: true });
      expect({ sql, sqlstate: await insideTransaction(sql) }).toEqual({
        sql,
        sqlstate: ACTIVE_SQL_TRANSACTION,
      });
    }
  });

  it("near misses run inside a transaction block and are not sent alone", async () => {
    for (const sql of runsInTransaction()) {
      expect({ sql, alone: needsOwnTransaction(parse(sql)) }).toEqual({ sql, alone: false });
      expect({ sql, sqlstate: await insideTransaction(sql) }).toEqual({ sql, sqlstate: null });
    }
  });
});
