import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { executeStatements } from "../../src/runner/execute/execute-statements.js";
import type {
  ExecutableStatement,
  ExecutionOutcome,
  ResultColumn,
  SessionSettings,
} from "../../src/runner/execute/execution-types.js";
import { maskedColumnIndexes } from "../../src/runner/mask-columns.js";
import type { StatementClass } from "../../src/sql/statement.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

/**
 * Where PostgreSQL says a result column comes from (RowDescription's table OID and column number), and
 * what the executor's one catalog query makes of it. These are the facts masking relies on.
 */

const SECRET_SSN = "078-05-1120";
const settings: SessionSettings = {
  statementTimeoutMs: 5_000,
  lockTimeoutMs: 2_000,
  idleInTransactionTimeoutMs: 5_000,
  applicationName: "querygate-origins-test",
  searchPath: ["app"],
};
const suffix = randomBytes(4).toString("hex");
const roles = { reader: `qg_origin_reader_${suffix}`, writer: `qg_origin_writer_${suffix}` };
const password = randomBytes(12).toString("hex");

let db: TestDatabase;
let admin: pg.Client;
let customersOid: number;
let viewOid: number;

function roleUrl(role: keyof typeof roles): string {
  const url = new URL(db.url);
  url.username = roles[role];
  url.password = password;
  return url.toString();
}

async function run(p: {
  sql: string[];
  class?: StatementClass;
  role?: keyof typeof roles;
  resolveColumnOrigins?: boolean;
}): Promise<ExecutionOutcome> {
  const statements = p.sql.map(
    (text, index): ExecutableStatement => ({
      index,
      text,
      params: [],
      class: p.class ?? "read",
      line: index + 1,
      ownTransaction: false,
    }),
  );
  return executeStatements({
    statements,
    connectionString: roleUrl(p.role ?? "reader"),
    settings,
    maxResultRows: 10,
    maxAffectedRows: null,
    onTransactionId: async () => undefined,
    clock: () => new Date(),
    resolveColumnOrigins: p.resolveColumnOrigins ?? true,
  });
}

async function columnsOf(sql: string): Promise<ResultColumn[]> {
  const outcome = await run({ sql: [sql] });
  expect(outcome.error).toBeUndefined();
  return outcome.statements[0]?.columns ?? [];
}

const customersSsn = { schema: "app", table: "customers", column: "ssn", relationKind: "table" };

beforeAll(async () => {
  db = await createTestDatabase();
  admin = new pg.Client({ connectionString: db.url });
  admin.on("error", () => undefined);
  await admin.connect();
  const q = (sql: string) => admin.query(sql);
  for (const role of Object.values(roles)) await q(`create role ${role} login password '${password}'`);
  await q("create schema app");
  await q("create table app.customers (id int primary key, name text, email text, ssn text)");
  await q(`insert into app.customers values (1, 'Ada', 'ada@example.com', '${SECRET_SSN}')`);
  await q("create view app.customer_notes as select id, ssn as note, name from app.customers");
  await q("create view app.customer_notes_again as select * from app.customer_notes");
  await q("create materialized view app.customer_snapshot as select id, ssn from app.customers");
  await q(`grant usage on schema app to ${roles.reader}, ${roles.writer}`);
  await q(`grant select on all tables in schema app to ${roles.reader}, ${roles.writer}`);
  await q(`grant insert, update on app.customers to ${roles.writer}`);
  await q(`grant create on schema app to ${roles.writer}`);
  const { rows } = await admin.query<{ relname: string; oid: number }>(
    "select relname, oid::int8::int as oid from pg_class where relname in ('customers', 'customer_notes')",
  );
  customersOid = rows.find((r) => r.relname === "customers")?.oid ?? -1;
  viewOid = rows.find((r) => r.relname === "customer_notes")?.oid ?? -1;
});

afterAll(async () => {
  await admin?.end().catch(() => undefined);
  await db?.drop();
  const cleanup = new pg.Client({ connectionString: new URL("/postgres", db.url).toString() });
  await cleanup.connect();
  try {
    for (const role of Object.values(roles)) await cleanup.query(`drop role if exists ${role}`);
  } finally {
    await cleanup.end();
  }
});

describe("what PostgreSQL reports as a result column's origin", () => {
  it("follows an alias rename to the table column", async () => {
    const [note] = await columnsOf("SELECT ssn AS note FROM customers");
    expect(note).toMatchObject({
      name: "note",
      tableOid: customersOid,
      columnNumber: 4,
      origin: customersSsn,
    });
  });

  it("follows a subquery alias and a CTE to the table column", async () => {
    const [x] = await columnsOf("SELECT x FROM (SELECT ssn AS x FROM customers) s");
    expect(x).toMatchObject({ name: "x", tableOid: customersOid, columnNumber: 4, origin: customersSsn });
    const [y] = await columnsOf("WITH w AS (SELECT ssn AS y FROM customers) SELECT y FROM w");
    expect(y).toMatchObject({ name: "y", origin: customersSsn });
  });

  it("stops at a view: the origin is the view's column, never the table column behind it", async () => {
    const [note, name] = await columnsOf("SELECT note, name FROM customer_notes");
    expect(note).toMatchObject({
      tableOid: viewOid,
      columnNumber: 2,
      origin: { schema: "app", table: "customer_notes", column: "note", relationKind: "view" },
    });
    expect(name?.origin).toMatchObject({ table: "customer_notes", column: "name", relationKind: "view" });
    // A view over a view: only the outermost one is named.
    const [again] = await columnsOf("SELECT note FROM customer_notes_again");
    expect(again?.origin).toMatchObject({
      table: "customer_notes_again",
      column: "note",
      relationKind: "view",
    });
    const [snap] = await columnsOf("SELECT ssn FROM customer_snapshot");
    expect(snap?.origin).toMatchObject({ table: "customer_snapshot", relationKind: "materialized_view" });
  });

  it("reports no origin (0, 0) for computed columns, set operations, collations and recursive CTEs", async () => {
    const columns = await columnsOf(
      'SELECT upper(ssn), coalesce(ssn), ssn COLLATE "C" AS c, (SELECT ssn FROM customers LIMIT 1) AS s, ssn::text AS cast FROM customers',
    );
    expect(columns.map((c) => [c.name, c.tableOid, c.columnNumber, c.origin])).toEqual([
      ["upper", 0, 0, null],
      ["coalesce", 0, 0, null],
      ["c", 0, 0, null],
      ["s", 0, 0, null],
      // A no-op cast (text to text) is no expression: PostgreSQL still names the column.
      ["cast", customersOid, 4, customersSsn],
    ]);
    const [union] = await columnsOf("SELECT ssn FROM customers UNION SELECT name FROM customers");
    expect(union).toMatchObject({ tableOid: 0, columnNumber: 0, origin: null });
    const [recursive] = await columnsOf(
      "WITH RECURSIVE r AS (SELECT ssn FROM customers UNION ALL SELECT ssn FROM r WHERE false) SELECT ssn FROM r",
    );
    expect(recursive).toMatchObject({ tableOid: 0, origin: null });
  });

  it("reports a whole-row value as the table with column number 0, resolved to every column", async () => {
    const [row] = await columnsOf("SELECT c FROM customers c");
    expect(row).toMatchObject({
      tableOid: customersOid,
      columnNumber: 0,
      origin: { schema: "app", table: "customers", column: "*", rowColumns: ["id", "name", "email", "ssn"] },
    });
  });

  it("resolves RETURNING columns and a table the request itself created, and still commits", async () => {
    const outcome = await run({
      class: "write",
      role: "writer",
      sql: [
        "UPDATE customers SET name = name WHERE id = 1 RETURNING ssn, name || '' AS computed",
        "CREATE TABLE app.fresh (k int, secret text)",
        "INSERT INTO app.fresh VALUES (1, 'x') RETURNING secret",
      ],
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.status).toBe("committed");
    expect(outcome.statements[0]?.columns?.map((c) => c.origin)).toEqual([customersSsn, null]);
    expect(outcome.statements[2]?.columns?.[0]?.origin).toEqual({
      schema: "app",
      table: "fresh",
      column: "secret",
      relationKind: "table",
    });
    const { rows } = await admin.query("select count(*)::int as n from app.fresh");
    expect(rows[0]?.n).toBe(1);
  });

  it("runs exactly one catalog query, with its pairs bound as array parameters", async () => {
    const spy = vi.spyOn(pg.Client.prototype, "query");
    try {
      await run({ sql: ["SELECT id, ssn FROM customers", "SELECT ssn AS again, name FROM customers"] });
      const catalog = spy.mock.calls.filter(
        ([config]) => typeof config === "string" && config.includes("pg_catalog.pg_attribute"),
      );
      expect(catalog).toHaveLength(1);
      const [text, values] = catalog[0] as unknown as [string, unknown[][]];
      expect(text).toContain("$1");
      const pairs = (values[0] ?? []).map((oid, i) => `${oid}:${values[1]?.[i]}`).sort();
      // Distinct pairs: ssn appears twice in the results but once in the query.
      expect(pairs).toEqual([`${customersOid}:1`, `${customersOid}:2`, `${customersOid}:4`].sort());
    } finally {
      spy.mockRestore();
    }
  });

  it("adds nothing to the columns when origins are not asked for", async () => {
    const outcome = await run({ sql: ["SELECT ssn FROM customers"], resolveColumnOrigins: false });
    expect(outcome.statements[0]?.columns).toEqual([{ name: "ssn", typeOid: 25 }]);
  });

  it("leaves every origin null when the lookup fails, and a write still commits", async () => {
    await admin.query("revoke select on pg_catalog.pg_attribute from public");
    try {
      const outcome = await run({
        class: "write",
        role: "writer",
        sql: ["UPDATE customers SET email = 'ada@example.org' WHERE id = 1 RETURNING id, ssn"],
      });
      expect(outcome.error).toBeUndefined();
      expect(outcome.status).toBe("committed");
      const columns = outcome.statements[0]?.columns ?? [];
      expect(columns.map((c) => c.origin)).toEqual([null, null]);
      // Without origins, masking falls back to the analyser's facts: both columns are hidden.
      expect(maskedColumnIndexes({ columns, maskPatterns: ["*.ssn"], statementReadsMasked: true })).toEqual(
        new Set([0, 1]),
      );
      const { rows } = await admin.query("select email from app.customers where id = 1");
      expect(rows[0]?.email).toBe("ada@example.org");
    } finally {
      await admin.query("grant select on pg_catalog.pg_attribute to public");
    }
  });
});

describe("masking the columns PostgreSQL reported", () => {
  const mask = (columns: ResultColumn[], statementReadsMasked = true) =>
    maskedColumnIndexes({ columns, maskPatterns: ["*.ssn"], statementReadsMasked });

  it("masks the renamed, the aliased-through-subquery and the whole-row ssn, not its neighbours", async () => {
    expect(mask(await columnsOf("SELECT id, ssn AS note, name FROM customers"))).toEqual(new Set([1]));
    expect(mask(await columnsOf("SELECT x, n FROM (SELECT ssn AS x, name AS n FROM customers) s"))).toEqual(
      new Set([0]),
    );
    expect(mask(await columnsOf("SELECT c, c.id FROM customers c"))).toEqual(new Set([0]));
    expect(mask(await columnsOf("SELECT * FROM customers"), false)).toEqual(new Set([3]));
  });

  it("masks every column read through a view, since the view hides which table column it shows", async () => {
    expect(mask(await columnsOf("SELECT id, note FROM customer_notes"), false)).toEqual(new Set([0, 1]));
  });
});
