import type pg from "pg";
import type { LiveRelation, RelationKind } from "../../live-facts.js";
import { quoteQualifiedName } from "./quote-ident.js";

/** Views nest at most this deep before the expansion stops and says so. */
export const MAX_VIEW_DEPTH = 16;

const RELATION_KINDS: Readonly<Record<string, RelationKind>> = {
  r: "table",
  p: "partitioned_table",
  v: "view",
  m: "materialized_view",
  f: "foreign_table",
  S: "sequence",
};

/** ON DELETE/UPDATE actions that change rows of the referencing table (null for the others). */
const fkAction = (column: string) =>
  `case ${column} when 'c' then 'cascade' when 'n' then 'set null' when 'd' then 'set default' end`;

/** Cascades read "<constraint> on <schema>.<table> (on delete cascade, on update set null)". */
const RELATION_SQL = `
select n.nspname as schema, c.relname as name, c.oid::text as oid, c.relkind::text as relkind,
  c.relrowsecurity as rls,
  exists (select 1 from pg_constraint k where k.conrelid = c.oid and k.contype = 'p') as has_pk,
  array(select t.tgname::text from pg_trigger t
    where t.tgrelid = c.oid and not t.tgisinternal order by t.tgname) as triggers,
  array(select format('%s on %s.%s (%s)', k.conname, kn.nspname, kc.relname, concat_ws(', ',
      'on delete ' || ${fkAction("k.confdeltype")},
      'on update ' || ${fkAction("k.confupdtype")}))
    from pg_constraint k
    join pg_class kc on kc.oid = k.conrelid join pg_namespace kn on kn.oid = kc.relnamespace
    where k.confrelid = c.oid and k.contype = 'f' and k.conparentid = 0
      and (k.confdeltype in ('c', 'n', 'd') or k.confupdtype in ('c', 'n', 'd'))
    order by kn.nspname, kc.relname, k.conname) as cascades,
  array(select r.rulename::text from pg_rewrite r
    where r.ev_class = c.oid and r.rulename <> '_RETURN' order by r.rulename) as rules
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.oid = to_regclass($1)`;

/**
 * Walks the relations a view's query reads (its _RETURN rule's dependencies), through nested views. A
 * materialized view is expanded only when it is the starting point: reading it does not read its sources.
 */
const BASE_TABLES_SQL = `
with recursive walk(oid, depth) as (
  select $1::oid, 0
  union
  select d.refobjid, w.depth + 1
  from walk w
  join pg_class wc on wc.oid = w.oid
  join pg_rewrite r on r.ev_class = w.oid and r.rulename = '_RETURN'
  join pg_depend d on d.classid = 'pg_rewrite'::regclass and d.objid = r.oid
    and d.refclassid = 'pg_class'::regclass and d.refobjid <> w.oid
  where w.depth < $2 and (wc.relkind = 'v' or w.depth = 0)
)
select distinct n.nspname as schema, c.relname as name, c.relkind::text as relkind, w.depth
from walk w join pg_class c on c.oid = w.oid join pg_namespace n on n.oid = c.relnamespace
where w.depth > 0
order by n.nspname, c.relname`;

interface RelationRow {
  schema: string;
  name: string;
  oid: string;
  relkind: string;
  rls: boolean;
  has_pk: boolean;
  triggers: string[];
  cascades: string[];
  rules: string[];
}

interface BaseTableRow {
  schema: string;
  name: string;
  relkind: string;
  depth: number;
}

export type RelationFacts = Omit<LiveRelation, "schema" | "name">;

export const UNRESOLVED_RELATION: RelationFacts = {
  resolved: null,
  hasPrimaryKey: false,
  triggers: [],
  cascades: [],
  rules: [],
  rowLevelSecurity: false,
  baseTables: [],
};

/**
 * Resolves a relation as PostgreSQL would under the session's search_path (schema null: the bare name is
 * resolved, so the path applies) and reads what writing or reading it sets off.
 */
export async function lookupRelation(
  client: pg.Client,
  name: { schema: string | null; name: string },
): Promise<{ facts: RelationFacts; errors: string[] }> {
  const result = await client.query<RelationRow>(RELATION_SQL, [quoteQualifiedName(name)]);
  const row = result.rows[0];
  if (!row) return { facts: UNRESOLVED_RELATION, errors: [] };
  const kind = RELATION_KINDS[row.relkind] ?? "other";
  const facts: RelationFacts = {
    resolved: { schema: row.schema, name: row.name, oid: Number(row.oid), kind },
    hasPrimaryKey: row.has_pk,
    triggers: row.triggers,
    cascades: row.cascades,
    rules: row.rules,
    rowLevelSecurity: row.rls,
    baseTables: [],
  };
  const errors: string[] = [];
  if (kind === "view" || kind === "materialized_view") {
    const walked = await client.query<BaseTableRow>(BASE_TABLES_SQL, [row.oid, MAX_VIEW_DEPTH]);
    const seen = new Set<string>();
    for (const base of walked.rows) {
      if (base.relkind === "v") {
        if (base.depth >= MAX_VIEW_DEPTH) {
          errors.push(
            `view ${row.schema}.${row.name} nests views deeper than ${MAX_VIEW_DEPTH} levels: its base tables are incomplete`,
          );
        }
        continue;
      }
      const key = `${base.schema}\u0000${base.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      facts.baseTables.push({ schema: base.schema, name: base.name });
    }
  }
  return { facts, errors };
}
