import type pg from "pg";
import type { ColumnOrigin, RelationKind, StatementResult } from "./execution-types.js";

const SAVEPOINT = "querygate_column_origins";

/**
 * One query for every distinct (table OID, column number) of the results; a column number of 0 is the
 * whole row, answered with every live column of the relation. Everything is schema-qualified (operators
 * included), so nothing a statement of the request created can answer instead.
 */
const ORIGINS_QUERY = `SELECT s.table_oid::pg_catalog.text AS table_oid,
       s.column_number::pg_catalog.int4 AS column_number,
       n.nspname::pg_catalog.text AS schema,
       c.relname::pg_catalog.text AS "table",
       c.relkind::pg_catalog.text AS relkind,
       a.attname::pg_catalog.text AS "column",
       CASE WHEN s.column_number OPERATOR(pg_catalog.=) 0 THEN
         ARRAY(SELECT r.attname::pg_catalog.text FROM pg_catalog.pg_attribute r
           WHERE r.attrelid OPERATOR(pg_catalog.=) c.oid AND r.attnum OPERATOR(pg_catalog.>) 0
             AND NOT r.attisdropped ORDER BY r.attnum)
       END AS row_columns
  FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.int8[]), pg_catalog.unnest($2::pg_catalog.int4[]))
         AS s(table_oid, column_number)
  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) s.table_oid::pg_catalog.oid
  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
  LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid
   AND a.attnum OPERATOR(pg_catalog.=) s.column_number AND s.column_number OPERATOR(pg_catalog.<>) 0
   AND NOT a.attisdropped`;

const RELATION_KINDS: Readonly<Record<string, RelationKind>> = {
  r: "table",
  p: "table",
  v: "view",
  m: "materialized_view",
  f: "foreign_table",
};

interface OriginRow {
  table_oid: string;
  column_number: number;
  schema: string;
  table: string;
  relkind: string;
  column: string | null;
  row_columns: string[] | null;
}

/**
 * Puts `origin` on every column of the results (null for a computed column or one the catalog no longer
 * knows), in the session and transaction the statements ran in, so relations the request itself created
 * resolve too. The query runs under a savepoint: if it fails, the transaction stays usable (a write still
 * commits), every column gets `origin: null` — which masking treats as "could be anything" — and the
 * error is returned. A broken connection is left for the caller to notice.
 */
export async function resolveColumnOrigins(params: {
  client: pg.Client;
  statements: StatementResult[];
  inTransaction: boolean;
}): Promise<{ ok: true } | { ok: false; error: unknown }> {
  const columns = params.statements.flatMap((s) => s.columns ?? []);
  for (const column of columns) column.origin = null;
  const keys = new Map<string, { tableOid: number; columnNumber: number }>();
  for (const c of columns) {
    if (!c.tableOid) continue;
    keys.set(key(c.tableOid, c.columnNumber ?? 0), {
      tableOid: c.tableOid,
      columnNumber: c.columnNumber ?? 0,
    });
  }
  if (keys.size === 0) return { ok: true };

  const { client, inTransaction } = params;
  let rows: OriginRow[];
  try {
    if (inTransaction) await client.query(`SAVEPOINT ${SAVEPOINT}`);
    const pairs = [...keys.values()];
    ({ rows } = await client.query<OriginRow>(ORIGINS_QUERY, [
      pairs.map((p) => p.tableOid),
      pairs.map((p) => p.columnNumber),
    ]));
    if (inTransaction) await client.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
  } catch (error) {
    if (inTransaction) await client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`).catch(() => undefined);
    return { ok: false, error };
  }

  const origins = new Map<string, ColumnOrigin>();
  for (const row of rows) {
    const relationKind = RELATION_KINDS[row.relkind] ?? "other";
    const base = { schema: row.schema, table: row.table, relationKind };
    if (row.column_number === 0) {
      origins.set(key(Number(row.table_oid), 0), { ...base, column: "*", rowColumns: row.row_columns ?? [] });
    } else if (row.column !== null) {
      origins.set(key(Number(row.table_oid), row.column_number), { ...base, column: row.column });
    }
  }
  for (const c of columns) {
    if (!c.tableOid) continue;
    const origin = origins.get(key(c.tableOid, c.columnNumber ?? 0));
    // A fresh object per column: callers may annotate one without touching the others.
    c.origin = origin
      ? { ...origin, ...(origin.rowColumns ? { rowColumns: [...origin.rowColumns] } : {}) }
      : null;
  }
  return { ok: true };
}

function key(tableOid: number, columnNumber: number): string {
  return `${tableOid}:${columnNumber}`;
}
