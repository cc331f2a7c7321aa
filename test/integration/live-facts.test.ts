import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LiveStatementFacts } from "../../src/sql/live-facts.js";
import { escalateWithLiveFacts } from "../../src/sql/postgres/live/apply-live-facts.js";
import { collectLiveFacts } from "../../src/sql/postgres/live/collect-live-facts.js";
import { explainStatement } from "../../src/sql/postgres/live/explain-estimate.js";
import { withLiveSession } from "../../src/sql/postgres/live/live-session.js";
import { MAX_VIEW_DEPTH } from "../../src/sql/postgres/live/lookup-relation.js";
import { quoteIdent } from "../../src/sql/postgres/live/quote-ident.js";
import { parseSql } from "../support/parse-sql.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

const ORDERS = 10_000;
const CUSTOMERS = 100;
const OPEN_EVERY = 10;
const EVENTS = 3_000;
/** Planner estimates are statistics, not counts: close enough is within this factor. */
const ESTIMATE_FACTOR = 2;
const SHORT_TIMEOUT_MS = 300;

const SCHEMA = `
create table customers (id int primary key, name text);
create table orders (id int primary key, customer_id int not null, status text not null, amount int not null);
create table order_items (id int primary key, order_id int references orders (id) on delete cascade);
create table order_notes (id int primary key, order_id int references orders (id));
create table events (payload text);
create table archived (id int primary key, note text);
create table secrets (id int primary key, owner text);
alter table secrets enable row level security;
create function touch_order() returns trigger language plpgsql as $$ begin return new; end $$;
create trigger orders_touch before update on orders for each row execute function touch_order();
create rule archived_keep as on delete to archived do instead nothing;
create view open_orders as select * from orders where status = 'open';
create view big_open_orders as select * from open_orders where amount > 100;
create materialized view customer_totals as select customer_id, sum(amount) as total from orders group by 1;
create function bump() returns int language sql volatile as $$ select 1 $$;
create function whoami() returns text language sql stable security definer as $$ select current_user::text $$;
create function tenant_id() returns int language sql immutable as $$ select 7 $$;
create function multi(int) returns int language sql immutable as $$ select $1 $$;
create function multi(text) returns text language sql volatile as $$ select $1 $$;
create schema app;
create table app.orders (id int primary key, tenant text);
insert into customers select g, 'c' || g from generate_series(1, ${CUSTOMERS}) g;
insert into orders select g, 1 + g % ${CUSTOMERS}, case when g % ${OPEN_EVERY} = 0 then 'open' else 'done' end, g % 1000
  from generate_series(1, ${ORDERS}) g;
insert into events select 'e' || g from generate_series(1, ${EVENTS}) g;
analyze;
`;

function only<T>(items: T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}

function expectNear(actual: number | null, expected: number): void {
  expect(actual).not.toBeNull();
  expect(actual).toBeGreaterThanOrEqual(expected / ESTIMATE_FACTOR);
  expect(actual).toBeLessThanOrEqual(expected * ESTIMATE_FACTOR);
}

describe("live facts", () => {
  let database: TestDatabase;
  let admin: pg.Client;

  const collect = (
    sql: string,
    options: { searchPath?: string[]; params?: Record<number, Array<string | null>> } = {},
  ) => collectLiveFacts({ connectionString: database.url, statements: parseSql(sql), ...options });
  const collectOne = async (sql: string, options: Parameters<typeof collect>[1] = {}) =>
    only(await collect(sql, options));

  beforeAll(async () => {
    database = await createTestDatabase();
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    await admin.query(SCHEMA);
  });

  afterAll(async () => {
    await admin?.end();
    await database?.drop();
  });

  describe("relations", () => {
    it("resolves tables and reports keys, triggers, cascades, rules and row-level security", async () => {
      const facts = await collectOne(
        "select * from customers, orders, events, archived, secrets, order_items, order_notes",
      );
      expect(facts.errors).toEqual([]);
      const byName = Object.fromEntries(facts.relations.map((r) => [r.name, r]));
      expect(byName.customers).toMatchObject({
        schema: "public",
        resolved: { schema: "public", name: "customers", kind: "table" },
        hasPrimaryKey: true,
        triggers: [],
        cascades: [],
        rules: [],
        rowLevelSecurity: false,
        baseTables: [],
      });
      expect(byName.customers?.resolved?.oid).toBeGreaterThan(0);
      expect(byName.events?.hasPrimaryKey).toBe(false);
      expect(byName.orders?.triggers).toEqual(["orders_touch"]);
      // Only the CASCADE key counts; order_notes' plain reference blocks a delete instead.
      expect(byName.orders?.cascades).toEqual([
        "order_items_order_id_fkey on public.order_items (on delete cascade)",
      ]);
      expect(byName.archived?.rules).toEqual(["archived_keep"]);
      expect(byName.secrets?.rowLevelSecurity).toBe(true);
      // Foreign-key triggers are internal, not user triggers.
      expect(byName.order_items?.triggers).toEqual([]);
    });

    it("expands a view over a view to its base table, and a materialized view to its source", async () => {
      const facts = await collectOne("select * from big_open_orders, customer_totals");
      expect(facts.errors).toEqual([]);
      const [view, matview, base] = facts.relations;
      expect(view).toMatchObject({
        name: "big_open_orders",
        resolved: { kind: "view" },
        baseTables: [{ schema: "public", name: "orders" }],
      });
      expect(matview).toMatchObject({
        name: "customer_totals",
        resolved: { kind: "materialized_view" },
        baseTables: [{ schema: "public", name: "orders" }],
      });
      // The base table is looked up too, once, after the statement's own objects.
      expect(base).toMatchObject({ schema: "public", name: "orders", triggers: ["orders_touch"] });
      expect(facts.relations).toHaveLength(3);
      expect(MAX_VIEW_DEPTH).toBeGreaterThan(2);
    });

    it("resolves unqualified names under the given search_path and reports the schema found", async () => {
      const inApp = await collectOne("select * from orders, customers", { searchPath: ["app", "public"] });
      expect(inApp.errors).toEqual([]);
      expect(inApp.relations.map((r) => [r.schema, r.resolved?.schema, r.resolved?.name])).toEqual([
        ["app", "app", "orders"],
        ["app", "public", "customers"],
      ]);

      const inPublic = await collectOne("select * from orders", { searchPath: ["public"] });
      expect(only(inPublic.relations).resolved?.schema).toBe("public");

      const qualified = await collectOne("select * from public.orders", { searchPath: ["app"] });
      expect(only(qualified.relations).resolved).toMatchObject({ schema: "public", name: "orders" });

      const appOnly = await collectOne("select * from customers", { searchPath: ["app"] });
      expect(only(appOnly.relations).resolved).toBeNull();
      expect(appOnly.errors).toEqual(["relation app.customers does not exist on the target: check the name"]);
    });

    it("treats an unknown relation as an error, except one the statement creates", async () => {
      const facts = await collectOne("select * from ordrs");
      expect(only(facts.relations).resolved).toBeNull();
      expect(facts.errors).toEqual(["relation public.ordrs does not exist on the target: check the name"]);
      expect(facts.estimatedRows).toBeNull();

      const created = await collectOne("create table new_things (id int)");
      expect(only(created.relations)).toMatchObject({ name: "new_things", resolved: null });
      expect(created.errors).toEqual([]);
    });

    it("quotes names instead of splicing them into SQL", async () => {
      const [statement] = parseSql('select * from "weird""name"');
      expect(only(statement?.objects ?? []).name).toBe('weird"name');
      await admin.query(`create table ${quoteIdent('weird"name')} (id int)`);
      try {
        const facts = await collectOne('select * from "weird""name"');
        expect(facts.errors).toEqual([]);
        expect(only(facts.relations).resolved?.name).toBe('weird"name');
      } finally {
        await admin.query(`drop table ${quoteIdent('weird"name')}`);
      }
      const injected = await collectOne(`select * from "orders); drop table orders; --"`);
      expect(injected.errors[0]).toMatch(/does not exist on the target/);
      expect((await admin.query("select count(*)::int as n from orders")).rows[0].n).toBe(ORDERS);
    });
  });

  describe("functions", () => {
    it("reports the strictest volatility over overloads and SECURITY DEFINER", async () => {
      const facts = await collectOne(
        "select bump(), whoami(), tenant_id(), multi(1), public.bump(), lower('A'), nosuch()",
      );
      expect(facts.functions).toEqual([
        { name: "bump", volatility: "volatile", securityDefiner: false },
        { name: "whoami", volatility: "stable", securityDefiner: true },
        { name: "tenant_id", volatility: "immutable", securityDefiner: false },
        { name: "multi", volatility: "volatile", securityDefiner: false },
        { name: "public.bump", volatility: "volatile", securityDefiner: false },
        { name: "lower", volatility: "immutable", securityDefiner: false },
        { name: "nosuch", volatility: null, securityDefiner: false },
      ]);
      // Only the statement's EXPLAIN minds an unknown function (and here user code stops the EXPLAIN).
      expect(facts.errors).toEqual([expect.stringContaining("estimate skipped")]);
      const unknown = await collectOne("select nosuch()");
      expect(only(unknown.functions).volatility).toBeNull();
      expect(unknown.errors).toEqual([
        expect.stringMatching(/^EXPLAIN failed on the target: function nosuch\(\) does not exist/),
      ]);
    });

    it("does not plan a statement whose planning could run user code", async () => {
      const facts = await collectOne("select * from orders where customer_id = tenant_id()");
      expect(facts.estimatedRows).toBeNull();
      expect(facts.errors).toEqual([
        "estimate skipped: planning would call user function tenant_id on the target before approval",
      ]);
    });
  });

  describe("estimates", () => {
    it("estimates the rows an UPDATE with WHERE, a DELETE without WHERE and a SELECT touch", async () => {
      const [update, remove, select, insert] = await collect(
        `update orders set amount = 0 where status = 'open';
         delete from events;
         select * from orders where customer_id = 7;
         insert into events values ('x')`,
      );
      expect(update?.errors).toEqual([]);
      expectNear(update?.estimatedRows ?? null, ORDERS / OPEN_EVERY);
      expectNear(remove?.estimatedRows ?? null, EVENTS);
      expectNear(select?.estimatedRows ?? null, ORDERS / CUSTOMERS);
      expect(insert?.estimatedRows).toBe(1);
      // Nothing ran.
      const { rows } = await admin.query(
        "select (select count(*)::int from events) as events, (select count(*)::int from orders where amount = 0) as zero",
      );
      expect(rows[0]).toEqual({ events: EVENTS, zero: ORDERS / 1000 });
    });

    it("binds $n values for the estimate", async () => {
      const [byCustomer, byId] = await collect(
        "update orders set amount = 1 where customer_id = $1; delete from orders where id = $1",
        { params: { 0: ["7"], 1: ["42"] } },
      );
      expect(byCustomer?.errors).toEqual([]);
      expectNear(byCustomer?.estimatedRows ?? null, ORDERS / CUSTOMERS);
      expect(byId?.estimatedRows).toBe(1);
    });

    it("gives no estimate, and says why, when parameters have no values", async () => {
      const facts = await collectOne("update orders set amount = $2 where customer_id = $1");
      expect(facts.estimatedRows).toBeNull();
      expect(facts.errors).toEqual(["estimate needs values for $1..$2: pass them as params[0] (got 0)"]);
    });

    it("reports a failed EXPLAIN and goes on with the next statement", async () => {
      const [bad, good] = await collect(
        "select * from orders where id = 'not a number'; select * from customers",
      );
      expect(bad?.estimatedRows).toBeNull();
      expect(bad?.errors).toEqual([
        expect.stringMatching(/^EXPLAIN failed on the target: invalid input syntax for type integer.*22P02/),
      ]);
      expect(good?.errors).toEqual([]);
      expectNear(good?.estimatedRows ?? null, CUSTOMERS);
    });

    it("sends EXPLAIN over the extended protocol, which refuses a second command", async () => {
      await withLiveSession(
        { connectionString: database.url, searchPath: ["public"], statementTimeoutMs: 5_000 },
        async (client) => {
          await expect(
            explainStatement(client, { text: "select 1; delete from events", values: [] }),
          ).rejects.toThrow("cannot insert multiple commands into a prepared statement");
        },
      );
      // Through the public API too, with a statement whose text was tampered with after analysis.
      const statement = only(parseSql("select 1"));
      const [facts] = await collectLiveFacts({
        connectionString: database.url,
        statements: [{ ...statement, text: "select 1; delete from events" }],
      });
      expect(facts?.errors).toEqual([expect.stringContaining("cannot insert multiple commands")]);
      expect((await admin.query("select count(*)::int as n from events")).rows[0].n).toBe(EVENTS);
    });
  });

  describe("the connection", () => {
    it("is read-only, rolled back, and has the fixed session settings", async () => {
      // URL parameters would win over the session options in pg; they are stripped.
      const url = new URL(database.url);
      url.searchParams.set("options", "-c default_transaction_read_only=off -c search_path=app");
      await withLiveSession(
        { connectionString: url.toString(), searchPath: ["public", "my schema"], statementTimeoutMs: 1_234 },
        async (client) => {
          const show = async (name: string) =>
            (await client.query(`select current_setting('${name}') as v`)).rows[0].v as string;
          expect(await show("transaction_read_only")).toBe("on");
          expect(await show("default_transaction_read_only")).toBe("on");
          expect(await show("search_path")).toBe('"public","my schema"');
          expect(await show("statement_timeout")).toBe("1234ms");
          expect(await show("application_name")).toBe("querygate-analyze");
          await expect(client.query("insert into events values ('written')")).rejects.toMatchObject({
            code: "25006",
          });
        },
      );
      expect((await admin.query("select count(*)::int as n from events")).rows[0].n).toBe(EVENTS);
    });

    it("fails closed for every statement when the target cannot be reached, with the password masked", async () => {
      const password = "s3cret-Pa55";
      const statements = parseSql("select 1; update orders set amount = 1");
      const facts = await collectLiveFacts({
        connectionString: `postgres://querygate:${password}@127.0.0.1:1/prod`,
        statements,
      });
      expect(facts).toHaveLength(2);
      for (const f of facts) {
        expect(f).toMatchObject({ relations: [], functions: [], estimatedRows: null });
        expect(f.errors).toEqual([
          expect.stringContaining("cannot connect to the target postgres://querygate:***@"),
        ]);
        expect(f.errors.join()).not.toContain(password);
      }
    });

    it("fails a lookup that times out without losing the others", async () => {
      const locker = new pg.Client({ connectionString: database.url });
      await locker.connect();
      try {
        await locker.query("begin");
        await locker.query("lock table customers in access exclusive mode");
        const [blocked, free] = await collectLiveFacts({
          connectionString: database.url,
          statements: parseSql("update customers set name = 'x'; delete from events where payload = 'e1'"),
          statementTimeoutMs: SHORT_TIMEOUT_MS,
        });
        expect(blocked?.estimatedRows).toBeNull();
        expect(blocked?.errors).toEqual([expect.stringMatching(/statement timeout.*57014/)]);
        expect(blocked?.relations[0]?.resolved?.name).toBe("customers");
        expect(free?.errors).toEqual([]);
        expect(free?.estimatedRows).toBeGreaterThanOrEqual(1);
      } finally {
        await locker.query("rollback");
        await locker.end();
      }
    });

    it("fails closed per statement when the role lacks a privilege", async () => {
      const role = `qg_live_${randomBytes(4).toString("hex")}`;
      // A password, so the role can log in whether the server trusts local connections or asks for SCRAM
      // (embedded PostgreSQL does).
      const password = randomBytes(12).toString("hex");
      await admin.query(`create role ${quoteIdent(role)} login password '${password}'`);
      try {
        const url = new URL(database.url);
        url.username = role;
        url.password = password;
        const [denied, allowed] = await collectLiveFacts({
          connectionString: url.toString(),
          statements: parseSql("select * from orders; select 1"),
        });
        expect(only(denied?.relations ?? []).resolved?.name).toBe("orders");
        expect(denied?.estimatedRows).toBeNull();
        expect(denied?.errors).toEqual([expect.stringMatching(/permission denied for table orders.*42501/)]);
        expect(allowed?.errors).toEqual([]);
        expect(allowed?.estimatedRows).toBe(1);
      } finally {
        await admin.query(`drop role ${quoteIdent(role)}`);
      }
    });
  });

  describe("escalateWithLiveFacts", () => {
    const escalated = async (sql: string, options: Parameters<typeof collect>[1] = {}) => {
      const statement = only(parseSql(sql));
      const facts = await collectOne(sql, options);
      return { statement, facts, result: escalateWithLiveFacts(statement, facts) };
    };

    it("escalates a read calling a volatile user function, but not random()", async () => {
      const { result } = await escalated("select bump()");
      expect(result.class).toBe("admin");
      expect(result.reasons).toContain("calls bump(), a volatile function that may have side effects");

      const builtin = await escalated("select random()");
      expect(builtin.result.class).toBe("read");
    });

    it("escalates any statement calling a SECURITY DEFINER function to admin", async () => {
      const { result } = await escalated("update orders set status = whoami() where id = 1");
      expect(result.class).toBe("admin");
      expect(result.reasons).toContain(
        "calls whoami(), a SECURITY DEFINER function that runs with its owner's privileges",
      );
    });

    it("flags triggers, cascades, rules and row-level security only where they fire", async () => {
      expect((await escalated("update orders set amount = 2 where id = 1")).result.flags).toContain(
        "has_triggers",
      );
      expect((await escalated("delete from orders where id = 1")).result.flags).toContain("fk_cascade");
      expect((await escalated("update orders set amount = 2 where id = 1")).result.flags).not.toContain(
        "fk_cascade",
      );
      expect((await escalated("select * from orders where id = 1")).result.flags).not.toContain(
        "has_triggers",
      );
      expect((await escalated("delete from archived where id = 1")).result.flags).toContain("has_rules");
      expect((await escalated("select * from secrets")).result.flags).toContain("row_level_security");
    });

    it("adds a view's base tables as objects with the view's operation", async () => {
      const { result } = await escalated("update open_orders set amount = 3 where id = 10");
      expect(result.flags).toEqual(expect.arrayContaining(["view", "has_triggers"]));
      expect(result.objects).toEqual([
        { schema: "public", name: "open_orders", operation: "update", qualified: false },
        { schema: "public", name: "orders", operation: "update", qualified: true },
      ]);
      const read = await escalated("select * from big_open_orders");
      expect(read.result.objects.map((o) => `${o.schema}.${o.name}:${o.operation}`)).toEqual([
        "public.big_open_orders:read",
        "public.orders:read",
      ]);
    });

    it("puts an unqualified object in the schema it resolved to", async () => {
      const { result } = await escalated("delete from orders where id = 1", { searchPath: ["app"] });
      expect(result.objects).toEqual([
        { schema: "app", name: "orders", operation: "delete", qualified: false },
      ]);
      expect(result.flags).not.toContain("fk_cascade");
    });

    it("flags unknown relations, failed lookups and missing estimates", async () => {
      const unknown = await escalated("delete from ordrs");
      expect(unknown.result.flags).toEqual(
        expect.arrayContaining(["unknown_relation", "live_lookup_failed", "estimate_unknown"]),
      );
      const noValues = await escalated("select * from orders where id = $1");
      expect(noValues.result.flags).toEqual(
        expect.arrayContaining(["live_lookup_failed", "estimate_unknown"]),
      );
      expect(noValues.result.flags).not.toContain("unknown_relation");
    });

    it("flags everything unknown when the target was unreachable", () => {
      const statement = only(parseSql("delete from orders"));
      const failed: LiveStatementFacts = {
        relations: [],
        functions: [],
        estimatedRows: null,
        errors: ["cannot connect to the target"],
      };
      const result = escalateWithLiveFacts(statement, failed);
      expect(result.flags).toEqual(expect.arrayContaining(["live_lookup_failed", "estimate_unknown"]));
      expect(result.class).toBe("write");
    });

    it("never lowers a class, keeps the tree, and leaves its input alone", async () => {
      const { statement, facts, result } = await escalated("drop table customers");
      const before = JSON.stringify(statement);
      expect(escalateWithLiveFacts(statement, facts).class).toBe("ddl");
      const admin = only(parseSql("select pg_terminate_backend(1)"));
      expect(escalateWithLiveFacts(admin, await collectOne("select 1")).class).toBe("admin");
      expect(result.ast).toBe(statement.ast);
      expect(Object.keys(result)).not.toContain("ast");
      expect(JSON.stringify(statement)).toBe(before);
      expect(result).not.toBe(statement);
    });
  });
});
