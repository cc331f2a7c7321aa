import type { LintRule } from "../lint-rule.js";
import { hasRowLimit, selectArms } from "../tree/select-arms.js";
import { topLevelStatement } from "../tree/statement-trees.js";
import {
  hasItems,
  isNode,
  listOf,
  type Node,
  nameParts,
  nodeOf,
  relationName,
  typedNode,
  withoutCasts,
} from "../tree/tree-node.js";

/**
 * Aggregates that fold any number of rows into one small value. A SELECT made only of these (and no GROUP BY)
 * returns one row, so it is not an unbounded read; array_agg, json_agg and string_agg are left out on purpose:
 * they return the whole table in one row.
 */
export const SUMMARY_AGGREGATES: ReadonlySet<string> = new Set([
  "count",
  "sum",
  "avg",
  "min",
  "max",
  "bool_and",
  "bool_or",
  "every",
  "stddev",
  "stddev_pop",
  "stddev_samp",
  "variance",
  "var_pop",
  "var_samp",
]);

/** Casts wrapped around a result column, e.g. count(*)::int, that the aggregate check looks through. */
const MAX_CAST_DEPTH = 8;
/** FROM items nest (joins of joins, subqueries, CTEs); deeper than this, a source is assumed to read a table. */
const MAX_SOURCE_DEPTH = 32;

export const readWithoutWhereOrLimit: LintRule = {
  id: "read-without-where-or-limit",
  level: "warning",
  summary: "top-level SELECT reading a table with neither WHERE nor LIMIT (single-row aggregates excepted)",
  check({ statement }) {
    const top = topLevelStatement(statement);
    if (top.type !== "SelectStmt") return [];
    const table = unboundedTable(top.node, new Map(), new Set(), 0);
    if (table === null) return [];
    return [
      {
        message: `this SELECT reads ${table} with neither WHERE nor LIMIT, so it returns every row: add a WHERE that selects the rows you need, or a LIMIT`,
      },
    ];
  },
};

/** The first table this SELECT reads in full into its result, or null when every arm is bounded. */
function unboundedTable(
  select: Node,
  outerCtes: ReadonlyMap<string, Node>,
  seen: Set<Node>,
  depth: number,
): string | null {
  if (hasRowLimit(select)) return null;
  const ctes = withOwnCtes(select, outerCtes);
  for (const arm of selectArms(select)) {
    if (arm.whereClause || hasRowLimit(arm) || isSingleRowAggregate(arm)) continue;
    for (const item of listOf(arm.fromClause)) {
      const table = unboundedSource(item, ctes, seen, depth + 1);
      if (table !== null) return table;
    }
  }
  return null;
}

function unboundedSource(
  item: unknown,
  ctes: ReadonlyMap<string, Node>,
  seen: Set<Node>,
  depth: number,
): string | null {
  const source = typedNode(item);
  if (!source) return null;
  if (depth > MAX_SOURCE_DEPTH) return relationName(item);
  switch (source.type) {
    case "RangeVar": {
      const cte =
        typeof source.node.schemaname === "string" ? undefined : ctes.get(String(source.node.relname));
      if (cte === undefined) return relationName(item);
      // A WITH query is as bounded as its own SELECT; a recursive one refers to itself, so stop on a repeat.
      const body = nodeOf(cte, "SelectStmt");
      if (!body || seen.has(body)) return null;
      seen.add(body);
      return unboundedTable(body, ctes, seen, depth + 1);
    }
    case "JoinExpr":
      return (
        unboundedSource(source.node.larg, ctes, seen, depth + 1) ??
        unboundedSource(source.node.rarg, ctes, seen, depth + 1)
      );
    case "RangeSubselect": {
      const body = nodeOf(source.node.subquery, "SelectStmt");
      return body ? unboundedTable(body, ctes, seen, depth + 1) : null;
    }
    default:
      // Functions (generate_series, unnest), VALUES and table functions read no table.
      return null;
  }
}

/** The WITH queries visible inside a SELECT: its own shadow those of enclosing queries. */
function withOwnCtes(select: Node, outer: ReadonlyMap<string, Node>): ReadonlyMap<string, Node> {
  const withClause = select.withClause;
  if (!isNode(withClause)) return outer;
  const bodies = new Map(outer);
  for (const cte of listOf(withClause.ctes)) {
    const node = nodeOf(cte, "CommonTableExpr");
    if (typeof node?.ctename === "string" && isNode(node.ctequery)) bodies.set(node.ctename, node.ctequery);
  }
  return bodies;
}

function isSingleRowAggregate(arm: Node): boolean {
  if (hasItems(arm.groupClause) || !hasItems(arm.targetList)) return false;
  return listOf(arm.targetList).every((target) => {
    const value = withoutCasts(nodeOf(target, "ResTarget")?.val, MAX_CAST_DEPTH);
    if (nodeOf(value, "A_Const")) return true;
    const call = nodeOf(value, "FuncCall");
    if (!call || call.over !== undefined) return false;
    const name = nameParts(call.funcname);
    const bare = (name[name.length - 1] ?? "").toLowerCase();
    return (name.length === 1 || name[0] === "pg_catalog") && SUMMARY_AGGREGATES.has(bare);
  });
}
