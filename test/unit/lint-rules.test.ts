import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/lint/lint-rule.js";
import { ALL_RULES } from "../../src/lint/rules/index.js";
import { runLint } from "../../src/lint/run-lint.js";
import type { LiveRelation, LiveStatementFacts } from "../../src/sql/live-facts.js";
import { parseSql } from "../support/parse-sql.js";

/** The findings of the first statement. */
function lint(sql: string, live: LiveStatementFacts | null = null): Finding[] {
  const statements = parseSql(sql);
  return runLint({ statements, live: statements.map(() => live) })[0] ?? [];
}

function fired(rule: string, sql: string, live: LiveStatementFacts | null = null): Finding[] {
  return lint(sql, live).filter((f) => f.rule === rule);
}

function liveFacts(facts: Partial<LiveStatementFacts> = {}): LiveStatementFacts {
  return { relations: [], functions: [], estimatedRows: 10, errors: [], ...facts };
}

function table(name: string, overrides: Partial<LiveRelation> = {}): LiveRelation {
  return {
    schema: "public",
    name,
    resolved: { schema: "public", name, oid: 1, kind: "table" },
    hasPrimaryKey: true,
    triggers: [],
    cascades: [],
    rules: [],
    rowLevelSecurity: false,
    baseTables: [],
    ...overrides,
  };
}

const NO_PK = liveFacts({ relations: [table("t", { hasPrimaryKey: false })] });

/** For every offline rule: the smallest statement that triggers it and the closest one that must not. */
const EDGES: ReadonlyArray<readonly [rule: string, triggers: string, passes: string]> = [
  ["update-without-where", "UPDATE t SET a = 1", "UPDATE t SET a = 1 WHERE id = 1"],
  ["delete-without-where", "DELETE FROM t", "DELETE FROM t WHERE id = 1"],
  ["tautological-where", "DELETE FROM t WHERE id = 5 OR 1 = 1", "DELETE FROM t WHERE 1 = 1 AND id = 5"],
  [
    "update-from-fan-out",
    "UPDATE t SET a = u.a FROM u WHERE t.id = u.id",
    "UPDATE t SET a = (SELECT u.a FROM u WHERE u.id = t.id) WHERE t.id = 1",
  ],
  ["insert-without-column-list", "INSERT INTO t VALUES (1)", "INSERT INTO t (a) VALUES (1)"],
  ["select-star", "SELECT * FROM t WHERE id = 1", "SELECT count(*) FROM t WHERE EXISTS (SELECT * FROM u)"],
  ["read-without-where-or-limit", "SELECT a FROM t", "SELECT a FROM t LIMIT 10"],
  ["leading-wildcard-like", "SELECT a FROM t WHERE a LIKE '%x'", "SELECT a FROM t WHERE a LIKE 'x%'"],
  ["truncate", "TRUNCATE t", "DELETE FROM t WHERE id = 1"],
  ["drop-cascade", "DROP TABLE t CASCADE", "DROP TABLE t"],
  ["create-index-not-concurrently", "CREATE INDEX i ON t (a)", "CREATE INDEX CONCURRENTLY i ON t (a)"],
  ["drop-index-not-concurrently", "DROP INDEX i", "DROP INDEX CONCURRENTLY i"],
  ["reindex-not-concurrently", "REINDEX TABLE t", "REINDEX TABLE CONCURRENTLY t"],
  [
    "add-column-volatile-default",
    "ALTER TABLE t ADD COLUMN x float8 DEFAULT random()",
    "ALTER TABLE t ADD COLUMN x int DEFAULT 0",
  ],
  ["set-not-null", "ALTER TABLE t ALTER COLUMN a SET NOT NULL", "ALTER TABLE t ALTER COLUMN a DROP NOT NULL"],
  [
    "alter-column-type",
    "ALTER TABLE t ALTER COLUMN a TYPE bigint",
    "ALTER TABLE t ALTER COLUMN a SET DEFAULT 0",
  ],
  [
    "add-constraint-without-not-valid",
    "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (u_id) REFERENCES u (id)",
    "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (u_id) REFERENCES u (id) NOT VALID",
  ],
  ["unknown-function", "SELECT my_schema.do_things(1)", "SELECT lower('A')"],
  ["unknown-operator", "SELECT 1 WHERE 1 OPERATOR(my_schema.===) 1", "SELECT 1 WHERE 1 = 1"],
];

describe("every rule at its edge", () => {
  it.each(EDGES)("%s fires on `%s`", (rule, triggers) => {
    expect(fired(rule, triggers)).toHaveLength(1);
  });

  it.each(EDGES)("%s stays quiet on the closest safe statement", (rule, _triggers, passes) => {
    expect(fired(rule, passes)).toEqual([]);
  });

  it("covers every offline rule in the edge table, and the live rules below", () => {
    const live = ["dml-on-table-without-primary-key", "live-lookup-failed", "estimate-unknown"];
    expect(new Set([...EDGES.map(([rule]) => rule), ...live])).toEqual(new Set(ALL_RULES.map((r) => r.id)));
  });

  it("gives every rule a kebab-case id, a default level and a summary", () => {
    for (const rule of ALL_RULES) {
      expect(rule.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(["error", "warning", "notice"]).toContain(rule.level);
      expect(rule.summary.length).toBeGreaterThan(0);
    }
  });

  it("reports with the rule's default level", () => {
    const levels = Object.fromEntries(ALL_RULES.map((r) => [r.id, r.level]));
    for (const [rule, triggers] of EDGES) expect(fired(rule, triggers)[0]?.level).toBe(levels[rule]);
  });
});

describe("update-without-where and delete-without-where", () => {
  it("sees data-modifying WITH queries", () => {
    expect(
      fired("delete-without-where", "WITH d AS (DELETE FROM t RETURNING id) SELECT count(*) FROM d"),
    ).toHaveLength(1);
    expect(
      fired("update-without-where", "WITH u AS (UPDATE t SET a = 1 RETURNING id) SELECT id FROM u LIMIT 1"),
    ).toHaveLength(1);
  });

  it("sees through EXPLAIN ANALYZE, which runs the statement, but not plain EXPLAIN", () => {
    expect(fired("delete-without-where", "EXPLAIN ANALYZE DELETE FROM t")).toHaveLength(1);
    expect(fired("delete-without-where", "EXPLAIN DELETE FROM t")).toEqual([]);
    expect(fired("delete-without-where", "EXPLAIN (ANALYZE false) DELETE FROM t")).toEqual([]);
  });

  it("names the table and says how to fix it", () => {
    const [finding] = fired("update-without-where", "UPDATE accounts SET plan = 'free'");
    expect(finding?.message).toContain("accounts");
    expect(finding?.message).toMatch(/add a WHERE/);
  });
});

describe("tautological-where", () => {
  it.each([
    "UPDATE t SET a = 1 WHERE 1 = 1",
    "DELETE FROM t WHERE true",
    "DELETE FROM t WHERE 'a' = 'a'",
    "DELETE FROM t WHERE x = x",
    "DELETE FROM t WHERE t.x = t.x",
    "DELETE FROM t WHERE NOT false",
    "DELETE FROM t WHERE x IS NOT NULL OR x IS NULL",
    "DELETE FROM t WHERE id = 5 OR 1 = 1",
    "DELETE FROM t WHERE (id = 5 OR true) AND 2 > 1",
    "DELETE FROM t WHERE NOT (1 = 2)",
    "DELETE FROM t WHERE 1::int = 1",
    "DELETE FROM t WHERE 'yes'::boolean",
    "DELETE FROM t WHERE x IS NOT DISTINCT FROM x",
    "DELETE FROM t WHERE true IS TRUE",
    "DELETE FROM t WHERE 1 OPERATOR(pg_catalog.=) 1",
    "SELECT a FROM t WHERE 1 = 1",
    "MERGE INTO t USING s ON true WHEN MATCHED THEN DELETE",
  ])("fires on %s", (sql) => {
    expect(fired("tautological-where", sql)).toHaveLength(1);
  });

  it.each([
    "DELETE FROM t WHERE 1 = 1 AND id = 5",
    "DELETE FROM t WHERE false",
    "DELETE FROM t WHERE 1 = 2",
    "DELETE FROM t WHERE x = y",
    "DELETE FROM t WHERE t.x = x",
    "DELETE FROM t WHERE random() = random()",
    "DELETE FROM t WHERE 'a' < 'b'",
    "DELETE FROM t WHERE NULL",
    "DELETE FROM t WHERE x IS NULL OR y IS NOT NULL",
    "DELETE FROM t WHERE 1.5::int = 2",
    "DELETE FROM t WHERE $1 = 5",
    "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE",
  ])("stays quiet on %s", (sql) => {
    expect(fired("tautological-where", sql)).toEqual([]);
  });

  it("does not mistake the nested WHERE of a subquery for the statement's", () => {
    expect(fired("tautological-where", "DELETE FROM t WHERE id IN (SELECT id FROM u WHERE true)")).toEqual(
      [],
    );
  });
});

describe("select-star", () => {
  it.each([
    "SELECT t.* FROM t WHERE id = 1",
    "SELECT id FROM a UNION SELECT * FROM b",
    "WITH x AS (SELECT 1) SELECT * FROM x",
  ])("fires on %s", (sql) => {
    expect(fired("select-star", sql)).toHaveLength(1);
  });

  it.each([
    "SELECT count(*) FROM t",
    "SELECT id FROM t WHERE EXISTS (SELECT * FROM u WHERE u.id = t.id)",
    "SELECT id FROM (SELECT * FROM t) s",
    "INSERT INTO t (a) SELECT a FROM u",
    "SELECT row_to_json(t.*) FROM t",
  ])("stays quiet on %s", (sql) => {
    expect(fired("select-star", sql)).toEqual([]);
  });

  it("reports once per statement, on the line of the first star", () => {
    const found = fired("select-star", "SELECT id,\n  *,\n  t.*\nFROM t");
    expect(found).toHaveLength(1);
    expect(found[0]?.line).toBe(2);
  });
});

describe("read-without-where-or-limit", () => {
  it.each([
    "SELECT a FROM t",
    "SELECT a FROM t JOIN u ON u.id = t.u_id",
    "SELECT a FROM t WHERE a = 1 UNION SELECT a FROM u",
    "SELECT a FROM (SELECT a FROM t) s",
    "WITH x AS (SELECT a FROM t) SELECT a FROM x",
    "SELECT a FROM t LIMIT ALL",
    "SELECT status, count(*) FROM t GROUP BY status",
    "SELECT json_agg(t) FROM t",
    "SELECT count(*) OVER () FROM t",
  ])("fires on %s", (sql) => {
    expect(fired("read-without-where-or-limit", sql)).toHaveLength(1);
  });

  it.each([
    "SELECT 1",
    "SELECT a FROM t WHERE id = 1",
    "SELECT a FROM t FETCH FIRST 5 ROWS ONLY",
    "SELECT a FROM t UNION SELECT a FROM u LIMIT 10",
    "SELECT count(*) FROM t",
    "SELECT count(*)::int, max(created_at) FROM t",
    "SELECT * FROM generate_series(1, 10)",
    "VALUES (1), (2)",
    "WITH x AS (SELECT a FROM t WHERE id = 1) SELECT a FROM x",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT n FROM r",
    "SELECT a FROM (SELECT a FROM t LIMIT 5) s",
    "UPDATE t SET a = 1 WHERE id = 1",
  ])("stays quiet on %s", (sql) => {
    expect(fired("read-without-where-or-limit", sql)).toEqual([]);
  });
});

describe("leading-wildcard-like", () => {
  it.each([
    "SELECT a FROM t WHERE a ILIKE '_x'",
    "SELECT a FROM t WHERE a NOT LIKE '%x'",
    "SELECT a FROM t WHERE a ~~ '%x'",
    "SELECT a FROM t WHERE a LIKE '%x'::text",
    "SELECT a FROM t WHERE a LIKE '%x!%' ESCAPE '!'",
    "UPDATE t SET a = 1 WHERE id IN (SELECT id FROM u WHERE name LIKE '%smith')",
  ])("fires on %s", (sql) => {
    expect(fired("leading-wildcard-like", sql)).toHaveLength(1);
  });

  it.each([
    "SELECT a FROM t WHERE a LIKE $1",
    "SELECT a FROM t WHERE a = '%x'",
    "SELECT a FROM t WHERE a SIMILAR TO 'x%'",
  ])("stays quiet on %s", (sql) => {
    expect(fired("leading-wildcard-like", sql)).toEqual([]);
  });

  it("reports each pattern on its own line", () => {
    const found = fired("leading-wildcard-like", "SELECT a FROM t\nWHERE a LIKE '%x'\n  OR b ILIKE '%y'");
    expect(found.map((f) => f.line)).toEqual([2, 3]);
  });
});

describe("destructive and locking DDL", () => {
  it("drop-cascade covers ALTER TABLE … DROP … CASCADE, TRUNCATE … CASCADE and REVOKE … CASCADE", () => {
    expect(fired("drop-cascade", "ALTER TABLE t DROP COLUMN a CASCADE")).toHaveLength(1);
    expect(fired("drop-cascade", "TRUNCATE t CASCADE")).toHaveLength(1);
    expect(fired("drop-cascade", "REVOKE SELECT ON t FROM reporting CASCADE")).toHaveLength(1);
    expect(fired("drop-cascade", "ALTER TABLE t DROP COLUMN a")).toEqual([]);
  });

  it("add-column-volatile-default: constants and STABLE functions are fine, volatile and unknown ones are not", () => {
    expect(
      fired("add-column-volatile-default", "ALTER TABLE t ADD COLUMN x timestamptz DEFAULT now()"),
    ).toEqual([]);
    expect(
      fired("add-column-volatile-default", "ALTER TABLE t ADD COLUMN x text DEFAULT lower('A')"),
    ).toEqual([]);
    expect(fired("add-column-volatile-default", "ALTER TABLE t ALTER COLUMN x SET DEFAULT random()")).toEqual(
      [],
    );
    for (const sql of [
      "ALTER TABLE t ADD COLUMN x uuid DEFAULT gen_random_uuid()",
      "ALTER TABLE t ADD COLUMN x date NOT NULL DEFAULT clock_timestamp()::date",
      "ALTER TABLE t ADD COLUMN x bigint DEFAULT nextval('s')",
      "ALTER TABLE t ADD COLUMN x bigserial",
      "ALTER TABLE t ADD COLUMN x int GENERATED ALWAYS AS IDENTITY",
    ]) {
      expect(fired("add-column-volatile-default", sql), sql).toHaveLength(1);
    }
    const [unknown] = fired(
      "add-column-volatile-default",
      "ALTER TABLE t ADD COLUMN x int DEFAULT my_default()",
    );
    expect(unknown?.message).toMatch(/does not know/);
  });

  it("add-column-volatile-default trusts the target's volatility for a function it does not know", () => {
    const sql = "ALTER TABLE t ADD COLUMN x int DEFAULT my_default()";
    const stable = liveFacts({
      functions: [{ name: "my_default", volatility: "stable", securityDefiner: false }],
    });
    const volatile = liveFacts({
      functions: [{ name: "my_default", volatility: "volatile", securityDefiner: false }],
    });
    expect(fired("add-column-volatile-default", sql, stable)).toEqual([]);
    expect(fired("add-column-volatile-default", sql, volatile)[0]?.message).toMatch(/which is volatile/);
  });

  it("add-constraint-without-not-valid covers CHECK, not UNIQUE", () => {
    expect(
      fired("add-constraint-without-not-valid", "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)"),
    ).toHaveLength(1);
    expect(
      fired("add-constraint-without-not-valid", "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID"),
    ).toEqual([]);
    expect(fired("add-constraint-without-not-valid", "ALTER TABLE t VALIDATE CONSTRAINT c")).toEqual([]);
  });

  it("reports one finding per subcommand of one ALTER TABLE, each on its own line", () => {
    const sql = "ALTER TABLE t\n  ALTER COLUMN a TYPE bigint,\n  ALTER COLUMN b TYPE bigint";
    expect(fired("alter-column-type", sql).map((f) => f.line)).toEqual([2, 3]);
  });
});

describe("insert-without-column-list and update-from-fan-out", () => {
  it("insert-without-column-list: DEFAULT VALUES has no values to misplace; INSERT … SELECT does", () => {
    expect(fired("insert-without-column-list", "INSERT INTO t DEFAULT VALUES")).toEqual([]);
    expect(fired("insert-without-column-list", "INSERT INTO t SELECT * FROM u WHERE id = 1")).toHaveLength(1);
    expect(
      fired(
        "insert-without-column-list",
        "MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id)",
      ),
    ).toHaveLength(1);
    expect(
      fired(
        "insert-without-column-list",
        "MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED THEN INSERT (id) VALUES (s.id)",
      ),
    ).toEqual([]);
  });

  it("update-from-fan-out covers DELETE … USING", () => {
    expect(fired("update-from-fan-out", "DELETE FROM t USING u WHERE t.id = u.id")).toHaveLength(1);
    expect(fired("update-from-fan-out", "DELETE FROM t WHERE id IN (SELECT t_id FROM u)")).toEqual([]);
  });
});

describe("rules that need the target's facts", () => {
  it("dml-on-table-without-primary-key fires only when the target says there is no primary key", () => {
    expect(fired("dml-on-table-without-primary-key", "UPDATE t SET a = 1 WHERE id = 1", NO_PK)).toHaveLength(
      1,
    );
    expect(fired("dml-on-table-without-primary-key", "DELETE FROM t WHERE id = 1", NO_PK)).toHaveLength(1);
    expect(fired("dml-on-table-without-primary-key", "SELECT a FROM t WHERE id = 1", NO_PK)).toEqual([]);
    const withPk = liveFacts({ relations: [table("t")] });
    expect(fired("dml-on-table-without-primary-key", "UPDATE t SET a = 1 WHERE id = 1", withPk)).toEqual([]);
    // Without a connection nothing is known, so nothing is claimed.
    expect(fired("dml-on-table-without-primary-key", "UPDATE t SET a = 1 WHERE id = 1", null)).toEqual([]);
  });

  it("dml-on-table-without-primary-key ignores views and relations that do not exist", () => {
    const view = liveFacts({
      relations: [
        table("t", { hasPrimaryKey: false, resolved: { schema: "public", name: "t", oid: 1, kind: "view" } }),
      ],
    });
    const missing = liveFacts({ relations: [table("t", { hasPrimaryKey: false, resolved: null })] });
    expect(fired("dml-on-table-without-primary-key", "DELETE FROM t WHERE id = 1", view)).toEqual([]);
    expect(fired("dml-on-table-without-primary-key", "DELETE FROM t WHERE id = 1", missing)).toEqual([]);
  });

  it("live-lookup-failed is an error whenever a lookup failed, and quiet without a connection", () => {
    const failed = liveFacts({ errors: ["permission denied for table t"], estimatedRows: null });
    const [finding] = fired("live-lookup-failed", "SELECT a FROM t WHERE id = 1", failed);
    expect(finding?.level).toBe("error");
    expect(finding?.message).toContain("permission denied for table t");
    expect(fired("live-lookup-failed", "SELECT a FROM t WHERE id = 1", liveFacts())).toEqual([]);
    expect(fired("live-lookup-failed", "SELECT a FROM t WHERE id = 1", null)).toEqual([]);
  });

  it("estimate-unknown fires when the target gave no estimate for an estimable statement", () => {
    const none = liveFacts({ estimatedRows: null });
    expect(fired("estimate-unknown", "UPDATE t SET a = 1 WHERE id = 1", none)).toHaveLength(1);
    expect(
      fired("estimate-unknown", "UPDATE t SET a = 1 WHERE id = 1", liveFacts({ estimatedRows: 3 })),
    ).toEqual([]);
    expect(fired("estimate-unknown", "CREATE INDEX CONCURRENTLY i ON t (a)", none)).toEqual([]);
    expect(fired("estimate-unknown", "UPDATE t SET a = 1 WHERE id = 1", null)).toEqual([]);
  });
});
