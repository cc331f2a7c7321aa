import type pg from "pg";

const EXPLAIN_PREFIX = "explain (format json)";

interface PlanNode {
  "Node Type"?: string;
  "Plan Rows"?: number;
  "Parent Relationship"?: string;
  Plans?: PlanNode[];
}

/**
 * Plans (never runs) one statement. The extended protocol is forced even without parameters: it takes
 * exactly one command, so text that smuggles a second statement is refused by the server, not executed.
 */
export async function explainStatement(
  client: pg.Client,
  params: { text: string; values: Array<string | null> },
): Promise<unknown> {
  // pg's QueryConfig type lacks queryMode, which pg 8 honours.
  const query: pg.QueryConfig & { queryMode: "extended" } = {
    text: `${EXPLAIN_PREFIX}\n${params.text}`,
    values: params.values,
    queryMode: "extended",
  };
  const result = await client.query<{ "QUERY PLAN": unknown }>(query);
  return result.rows[0]?.["QUERY PLAN"];
}

/**
 * Rows a plan would modify (summed over its ModifyTable nodes: the rows each one is fed), or, when it
 * modifies nothing, the rows it returns. null when the plan has no row estimate.
 */
export function estimatedRowsOf(explained: unknown): number | null {
  const top = Array.isArray(explained) ? (explained[0] as { Plan?: PlanNode } | undefined)?.Plan : undefined;
  if (!top) return null;
  let modified: number | null = null;
  const stack: PlanNode[] = [top];
  for (let node = stack.pop(); node; node = stack.pop()) {
    const children = node.Plans ?? [];
    if (node["Node Type"] === "ModifyTable") {
      const fed = children.find((c) => c["Parent Relationship"] === "Outer") ?? children[0];
      modified = (modified ?? 0) + (fed?.["Plan Rows"] ?? 0);
    }
    stack.push(...children);
  }
  return modified ?? top["Plan Rows"] ?? null;
}

const ESTIMATED_KINDS: ReadonlySet<string> = new Set([
  "SelectStmt",
  "InsertStmt",
  "UpdateStmt",
  "DeleteStmt",
  "MergeStmt",
]);

/** DML, and SELECT that does not create a table (SELECT INTO): the statements an estimate is made for. */
export function isEstimated(statement: { kind: string; ast?: Record<string, unknown> }): boolean {
  if (!ESTIMATED_KINDS.has(statement.kind)) return false;
  const select = statement.ast?.SelectStmt as { intoClause?: unknown } | undefined;
  return !select?.intoClause;
}
