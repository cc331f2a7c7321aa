import { it } from "vitest";
import { createPostgresDialect } from "../../src/sql/postgres/postgres-dialect.js";
it("explore", async () => {
  const d = await createPostgresDialect();
  const cases = [
    "EXPLAIN ANALYZE CREATE TABLE x AS SELECT 1",
    "EXPLAIN ANALYZE SELECT * INTO n FROM t",
    "EXPLAIN ANALYZE CREATE MATERIALIZED VIEW mv AS SELECT 1",
    "EXPLAIN EXECUTE p",
    "EXPLAIN ANALYZE DECLARE c CURSOR FOR SELECT 1",
    "SELECT 1 UNION (SELECT * FROM t FOR UPDATE)",
    "WITH t AS (SELECT 1) DELETE FROM t",
    "INSERT INTO s.t (a) SELECT a FROM u ON CONFLICT DO NOTHING",
    "CREATE TABLE x AS SELECT * FROM t",
    "EXPLAIN (ANALYZE true) DELETE FROM t",
    "EXPLAIN (ANALYZE false) SELECT 1",
  ];
  for (const c of cases) { const a = d.analyze(Buffer.from(c)); console.log(JSON.stringify(c), a.ok ? JSON.stringify(a.statements.map(s => [s.kind, s.class, s.reasons, s.flags, s.objects])) : JSON.stringify(a.error)); }
});
