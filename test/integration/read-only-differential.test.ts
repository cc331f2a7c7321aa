import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { READ_ONLY_FUNCTIONS } from "../../src/sql/postgres/function-lists.js";
import { createPostgresDialect } from "../../src/sql/postgres/postgres-dialect.js";
import { stringList, walkNodes } from "../../src/sql/postgres/walk-tree.js";
import type { Statement } from "../../src/sql/statement.js";
import { loadClassificationCorpus } from "../corpus/load-corpus.js";
import { splitPsqlScript } from "../support/split-psql-script.js";
import { adminDatabaseUrl, createTestDatabase, type TestDatabase } from "../support/test-database.js";

/**
 * The database must agree with every read verdict: each statement the analyser calls `read` (or
 * `read_lock`) runs inside `BEGIN READ ONLY; SELECT 1; <statement>; ROLLBACK`, and PostgreSQL must never
 * answer 25006 (read_only_sql_transaction). A 25006 means the statement writes: an under-classification.
 *
 * Two expected kinds of 25006 are tolerated, counted and printed, never silently:
 * - `read_lock` statements refused with "cannot execute SELECT FOR UPDATE/SHARE …": row locks are not
 *   allowed in a READ ONLY transaction, which is exactly why read_lock is a class of its own;
 * - statements flagged `unknown_function`/`unknown_operator` that call a user-defined VOLATILE function
 *   (or operator): the analyser cannot see a function body. The flag sends the statement to review,
 *   live facts make a volatile function in a read `admin`, and the READ ONLY transaction is the backstop.
 *   A built-in (pg_catalog) function is never excused: it belongs in DANGEROUS_FUNCTIONS.
 * Anything else fails the test, unless ALLOWED_25006 documents why it is not an under-classification.
 *
 * Blind spots of the method (not of the analyser): PostgreSQL lets a READ ONLY transaction write temporary
 * tables and call functions that do not write tables (pg_sleep, set_config, advisory locks…), so those
 * are covered by the classification corpus, not here; a statement that fails for another reason first
 * (a missing table, a parameter without a value) says nothing either way — those are counted.
 */
const READ_ONLY_SQLSTATE = "25006";
const CHECK_STATEMENT_TIMEOUT_MS = 2_000;
const REGRESS_STATEMENT_TIMEOUT_MS = 5_000;
const CLIENT_QUERY_TIMEOUT_MS = 20_000;
const REGRESS_CONCURRENCY = 2;
const REGRESS_TIMEOUT_MS = 15 * 60_000;

/**
 * 25006s that are not under-classifications, each with the reason. Keyed by
 * `${regress file}\u0000${statement text, whitespace collapsed}`. Keep it minimal: none is needed today.
 */
const ALLOWED_25006: ReadonlyMap<string, string> = new Map([]);

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const regressDir = path.resolve(repoRoot, "../shared/corpora/postgres-regress-15");
const regressFiles = existsSync(regressDir)
  ? readdirSync(regressDir)
      .filter((f) => f.endsWith(".sql"))
      .sort()
  : [];
if (regressFiles.length === 0) {
  console.warn(
    `[read-only-differential] regress part skipped: no PostgreSQL regression corpus at ${regressDir} (CI keeps shared/corpora/postgres-regress-15 beside the repository)`,
  );
}

const dialect = await createPostgresDialect();

interface Outcome {
  ok: boolean;
  code?: string;
  message?: string;
  /** The connection broke (or the client gave up waiting): the session must reconnect. */
  broken?: boolean;
}

/** One connection that survives the statements it runs: a broken connection is replaced on the next query. */
class Session {
  private client: pg.Client | null = null;

  constructor(
    private readonly url: string,
    private readonly statementTimeoutMs: number,
  ) {}

  async query(text: string, extended = false): Promise<Outcome> {
    const client = await this.connected();
    try {
      await client.query({ text, rowMode: "array", ...(extended ? { queryMode: "extended" as const } : {}) });
      return { ok: true };
    } catch (error) {
      const e = error as { code?: unknown; message?: unknown };
      const code = typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined;
      if (code === undefined) await this.discard();
      return { ok: false, code, message: String(e.message ?? error), broken: code === undefined };
    }
  }

  /** BEGIN READ ONLY; SELECT 1; <sql> (extended protocol); ROLLBACK — the outcome of <sql>. */
  async readOnly(sql: string): Promise<Outcome> {
    const begin = await this.query("BEGIN READ ONLY");
    if (!begin.ok) return { ...begin, message: `BEGIN READ ONLY failed: ${begin.message}` };
    await this.query("SELECT 1");
    const outcome = await this.query(sql, true);
    if (!outcome.broken) await this.query("ROLLBACK");
    return outcome;
  }

  /** A catalog lookup over the extended protocol; null when it fails. */
  async rows(text: string, values: unknown[]): Promise<unknown[][] | null> {
    const client = await this.connected();
    try {
      return (await client.query({ text, values, rowMode: "array" })).rows as unknown[][];
    } catch {
      return null;
    }
  }

  async end(): Promise<void> {
    await this.discard();
  }

  private async connected(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client({
      connectionString: this.url,
      statement_timeout: this.statementTimeoutMs,
      lock_timeout: this.statementTimeoutMs,
      idle_in_transaction_session_timeout: 60_000,
      query_timeout: CLIENT_QUERY_TIMEOUT_MS,
      options: "-c client_min_messages=error",
    });
    client.on("error", () => undefined);
    client.on("notice", () => undefined);
    await client.connect();
    this.client = client;
    return client;
  }

  private async discard(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}

interface Found25006 {
  where: string;
  sql: string;
  cls: string;
  flags: string[];
  message: string;
}

interface Tally {
  checked: number;
  succeeded: number;
  otherErrors: number;
  /** SQLSTATE (or "client") of the other errors: missing objects, bad data, parameters not bound… */
  otherCodes: Map<string, number>;
  readLockRefusals: number;
  userFunctionWrites: Found25006[];
  allowed: Found25006[];
  underClassified: Found25006[];
}

function newTally(): Tally {
  return {
    checked: 0,
    succeeded: 0,
    otherErrors: 0,
    otherCodes: new Map(),
    readLockRefusals: 0,
    userFunctionWrites: [],
    allowed: [],
    underClassified: [],
  };
}

function isReadVerdict(statement: Statement): boolean {
  return statement.class === "read" || statement.class === "read_lock";
}

/** Runs a read verdict in a READ ONLY transaction and files the outcome; returns whether it succeeded. */
async function checkRead(
  session: Session,
  statement: Statement,
  where: string,
  tally: Tally,
): Promise<boolean> {
  tally.checked++;
  const outcome = await session.readOnly(statement.text);
  if (outcome.ok) {
    tally.succeeded++;
    return true;
  }
  if (outcome.code !== READ_ONLY_SQLSTATE) {
    tally.otherErrors++;
    const code = outcome.code ?? "client";
    tally.otherCodes.set(code, (tally.otherCodes.get(code) ?? 0) + 1);
    return false;
  }
  const found: Found25006 = {
    where,
    sql: statement.text.trim(),
    cls: statement.class,
    flags: statement.flags,
    message: outcome.message ?? "",
  };
  const allowKey = `${where.split(":")[0]}\u0000${collapse(statement.text)}`;
  if (
    statement.class === "read_lock" &&
    /cannot execute SELECT FOR (NO KEY )?(UPDATE|SHARE|KEY SHARE)/.test(found.message)
  ) {
    tally.readLockRefusals++;
  } else if (await callsUserVolatileCode(session, statement)) {
    tally.userFunctionWrites.push(found);
  } else if (ALLOWED_25006.has(allowKey)) {
    tally.allowed.push(found);
  } else {
    tally.underClassified.push(found);
  }
  return false;
}

/**
 * True when the statement is flagged unknown_function/unknown_operator and names a function or operator
 * that, in this database, is user-defined (outside pg_catalog) and VOLATILE: the only kind that may write.
 */
async function callsUserVolatileCode(session: Session, statement: Statement): Promise<boolean> {
  if (!statement.flags.includes("unknown_function") && !statement.flags.includes("unknown_operator"))
    return false;
  const functions = statement.functions
    .map((f) => (f.split(".").pop() ?? f).toLowerCase())
    .filter((f) => !READ_ONLY_FUNCTIONS.has(f));
  const operators = new Set<string>();
  for (const { type, node } of walkNodes(statement.ast)) {
    if (type !== "A_Expr") continue;
    const name = stringList(node.name);
    const symbol = name[name.length - 1];
    if (symbol !== undefined) operators.add(symbol);
  }
  const rows = await session.rows(
    `SELECT count(*)::int FROM pg_proc p
     WHERE p.provolatile = 'v' AND p.pronamespace <> 'pg_catalog'::regnamespace
       AND (lower(p.proname) = ANY ($1::text[])
         OR p.oid IN (SELECT o.oprcode FROM pg_operator o
                      WHERE o.oprname = ANY ($2::text[]) AND o.oprnamespace <> 'pg_catalog'::regnamespace))`,
    [functions, [...operators]],
  );
  return Number(rows?.[0]?.[0] ?? 0) > 0;
}

function collapse(sql: string): string {
  return sql.replace(/\s+/g, " ").trim();
}

function describe25006(found: Found25006[]): string {
  return found
    .map(
      (f) =>
        `${f.where} [${f.cls}${f.flags.length ? `; ${f.flags.join(",")}` : ""}] ${collapse(f.sql).slice(0, 200)} — ${f.message}`,
    )
    .join("\n");
}

function summary(label: string, tally: Tally): string {
  const codes = [...tally.otherCodes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([code, n]) => `${code}×${n}`)
    .join(" ");
  return (
    `[read-only-differential] ${label}: ${tally.checked} read verdicts checked in READ ONLY, ${tally.succeeded} ran, ` +
    `${tally.otherErrors} failed with other errors (${codes}); 25006: ${tally.readLockRefusals} read_lock refusals (expected), ` +
    `${tally.userFunctionWrites.length} user volatile functions (flagged), ${tally.allowed.length} allowlisted, ` +
    `${tally.underClassified.length} under-classified`
  );
}

// ---------------------------------------------------------------- (a) the curated corpus

describe("read verdicts of the classification corpus hold in a READ ONLY transaction", () => {
  let database: TestDatabase;
  let session: Session;

  beforeAll(async () => {
    database = await createTestDatabase();
    const setup = new pg.Client({ connectionString: database.url });
    await setup.connect();
    try {
      // Simple protocol: the whole schema script in one message.
      await setup.query(loadClassificationCorpus().schema);
    } finally {
      await setup.end();
    }
    session = new Session(database.url, CHECK_STATEMENT_TIMEOUT_MS);
  });

  afterAll(async () => {
    await session?.end();
    await database?.drop();
  });

  it("never answers 25006 to a statement the analyser calls read", async () => {
    const started = Date.now();
    const tally = newTally();
    for (const [i, entry] of loadClassificationCorpus().entries.entries()) {
      const analysis = dialect.analyze(Buffer.from(entry.sql, "utf8"));
      if (!analysis.ok) continue;
      for (const statement of analysis.statements) {
        if (isReadVerdict(statement)) await checkRead(session, statement, `entry #${i + 1}`, tally);
      }
    }
    console.log(`${summary("classification corpus", tally)} (${Date.now() - started} ms)`);
    if (tally.userFunctionWrites.length > 0) console.log(describe25006(tally.userFunctionWrites));
    expect(tally.checked).toBeGreaterThan(100);
    expect(describe25006(tally.underClassified)).toBe("");
  });
});

// ---------------------------------------------------------------- (b) PostgreSQL's regression suite

/** Kinds that change roles, which live on the whole server: the regress scripts' roles would persist. */
const ROLE_KINDS = new Set([
  "CreateRoleStmt",
  "AlterRoleStmt",
  "AlterRoleSetStmt",
  "DropRoleStmt",
  "GrantRoleStmt",
  "ReassignOwnedStmt",
  "DropOwnedStmt",
]);
/** Object types shared by every database on the server. */
const GLOBAL_OBJECT_TYPES = new Set([
  "OBJECT_DATABASE",
  "OBJECT_TABLESPACE",
  "OBJECT_ROLE",
  "OBJECT_PARAMETER_ACL",
]);

/**
 * Why a regress statement must not run on a shared server, or null. `admin` and `rejected` cover databases,
 * tablespaces, ALTER SYSTEM, LOAD, CHECKPOINT, COPY with files or programs, pg_terminate_backend and other
 * dangerous functions, replication, subscriptions and publications, SET, DO, transaction control.
 */
function unsafeForSharedServer(statement: Statement): string | null {
  if (statement.class === "admin" || statement.class === "rejected") return statement.class;
  if (ROLE_KINDS.has(statement.kind)) return "roles";
  const body = (statement.ast[statement.kind] ?? {}) as Record<string, unknown>;
  for (const key of ["objtype", "objectType", "renameType", "removeType"]) {
    if (GLOBAL_OBJECT_TYPES.has(String(body[key]))) return "server-wide object";
  }
  if (statement.class === "maintenance") {
    if (
      statement.kind === "ReindexStmt" &&
      !["REINDEX_OBJECT_TABLE", "REINDEX_OBJECT_INDEX"].includes(String(body.kind))
    ) {
      return "database-wide maintenance";
    }
    if (statement.objects.length === 0) return "database-wide maintenance";
    if (statement.objects.some((o) => o.schema === "pg_catalog" || o.name.startsWith("pg_"))) {
      return "catalog maintenance";
    }
  }
  return null;
}

interface RegressStats {
  files: number;
  statements: number;
  parseErrors: number;
  skipped: Map<string, number>;
  executed: number;
  fileMs: { file: string; ms: number }[];
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminDatabaseUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh database copied from `template` (the regress suite's test_setup objects), dropped by the caller. */
async function databaseFrom(template: string): Promise<TestDatabase> {
  const name = `qg_test_${randomBytes(6).toString("hex")}`;
  await withAdmin((c) =>
    c.query(`CREATE DATABASE ${c.escapeIdentifier(name)} TEMPLATE ${c.escapeIdentifier(template)}`),
  );
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`));
    },
  };
}

/** Runs a regress script's statements in order; read verdicts go through the READ ONLY check first. */
async function runScript(
  session: Session,
  file: string,
  stats: RegressStats,
  tally: Tally | null,
): Promise<void> {
  const script = readFileSync(path.join(regressDir, file), "utf8");
  for (const chunk of splitPsqlScript(script)) {
    const analysis = dialect.analyze(Buffer.from(chunk.sql, "utf8"));
    if (!analysis.ok) {
      if (tally) stats.parseErrors++;
      continue;
    }
    for (const statement of analysis.statements) {
      if (tally) stats.statements++;
      const unsafe = unsafeForSharedServer(statement);
      if (unsafe !== null) {
        if (tally) stats.skipped.set(unsafe, (stats.skipped.get(unsafe) ?? 0) + 1);
        continue;
      }
      if (tally && isReadVerdict(statement)) {
        const where = `${file}:${chunk.line}`;
        // A read that ran in the READ ONLY transaction changed nothing worth keeping: no need to run it again.
        if (await checkRead(session, statement, where, tally)) continue;
      }
      await session.query(statement.text);
      if (tally) stats.executed++;
    }
  }
}

describe.skipIf(regressFiles.length === 0)(
  "read verdicts of PostgreSQL's regression suite hold in a READ ONLY transaction",
  () => {
    it(
      "never answers 25006 to a statement the analyser calls read",
      async () => {
        const started = Date.now();
        const rolesBefore = await withAdmin(async (c) =>
          (await c.query("SELECT rolname FROM pg_roles")).rows.map((r) => r.rolname as string),
        );
        const stats: RegressStats = {
          files: 0,
          statements: 0,
          parseErrors: 0,
          skipped: new Map(),
          executed: 0,
          fileMs: [],
        };
        const tally = newTally();

        // test_setup.sql creates the tables most scripts use: build it once into a template database.
        const template = await createTestDatabase();
        const templateName = new URL(template.url).pathname.slice(1);
        try {
          const setup = new Session(template.url, REGRESS_STATEMENT_TIMEOUT_MS);
          try {
            await runScript(setup, "test_setup.sql", stats, null);
          } finally {
            await setup.end();
          }

          const queue = [...regressFiles];
          const worker = async () => {
            for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
              const fileStarted = Date.now();
              const database = await databaseFrom(templateName);
              const session = new Session(database.url, REGRESS_STATEMENT_TIMEOUT_MS);
              try {
                await runScript(session, file, stats, tally);
              } finally {
                await session.end();
                await database.drop();
              }
              stats.files++;
              stats.fileMs.push({ file, ms: Date.now() - fileStarted });
            }
          };
          await Promise.all(Array.from({ length: REGRESS_CONCURRENCY }, worker));
        } finally {
          await template.drop();
        }

        const rolesAfter = await withAdmin(async (c) =>
          (await c.query("SELECT rolname FROM pg_roles")).rows.map((r) => r.rolname as string),
        );
        const leftRoles = rolesAfter.filter((r) => !rolesBefore.includes(r));
        // Best effort, and only for the regress suite's own role names: a leaked role must not outlive the run.
        for (const role of leftRoles.filter((r) => r.startsWith("regress_"))) {
          await withAdmin((c) => c.query(`DROP ROLE IF EXISTS ${c.escapeIdentifier(role)}`)).catch(
            () => undefined,
          );
        }
        const slowest = [...stats.fileMs].sort((a, b) => b.ms - a.ms).slice(0, 5);
        console.log(
          `${summary(`regress suite (${stats.files} files)`, tally)}; ${stats.statements} statements, ${stats.parseErrors} parse errors, ` +
            `${stats.executed} executed normally, skipped: ${[...stats.skipped].map(([k, n]) => `${k}=${n}`).join(" ")}; ` +
            `${Math.round((Date.now() - started) / 1000)} s (slowest: ${slowest.map((f) => `${f.file} ${f.ms} ms`).join(", ")})`,
        );
        if (tally.userFunctionWrites.length > 0) {
          console.log(
            `[read-only-differential] user volatile functions that wrote:\n${describe25006(tally.userFunctionWrites)}`,
          );
        }
        if (tally.allowed.length > 0)
          console.log(`[read-only-differential] allowlisted:\n${describe25006(tally.allowed)}`);

        expect(stats.files).toBe(regressFiles.length);
        expect(tally.checked).toBeGreaterThan(10_000);
        expect(leftRoles, "the regress run must not leave roles on the server").toEqual([]);
        expect(describe25006(tally.underClassified)).toBe("");
      },
      REGRESS_TIMEOUT_MS,
    );
  },
);
