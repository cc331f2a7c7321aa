import type { Statement } from "../../sql/statement.js";
import { lineAtLocation } from "./node-line.js";
import { isNode, listOf, nodeOf, type TypedNode, typedNode } from "./tree-node.js";

/** Statement kinds that change rows. */
export const MODIFYING_KINDS: ReadonlySet<string> = new Set([
  "InsertStmt",
  "UpdateStmt",
  "DeleteStmt",
  "MergeStmt",
]);

/** `EXPLAIN (ANALYZE <value>)` values that turn ANALYZE off, as PostgreSQL's defGetBoolean reads them. */
const ANALYZE_OFF_VALUES: ReadonlySet<string> = new Set(["false", "off", "0"]);

const NO_TREE: TypedNode = { type: "", node: {} };

interface StatementTrees {
  top: TypedNode;
  executed: TypedNode;
  modifying: readonly TypedNode[];
}

// Several rules ask for the same views of one statement, one statement after another: remembering the last
// tree is enough, and far cheaper than a WeakMap entry per tree.
let cachedAst: object | null = null;
let cachedTrees: StatementTrees | null = null;

/** The top-level statement as written (EXPLAIN stays EXPLAIN). */
export function topLevelStatement(statement: Statement): TypedNode {
  return treesOf(statement).top;
}

/**
 * The statement that runs: EXPLAIN ANALYZE executes the statement it explains, so rules about what a
 * statement does see through it; a plain EXPLAIN runs nothing and stays an ExplainStmt.
 */
export function executedStatement(statement: Statement): TypedNode {
  return treesOf(statement).executed;
}

/** Every INSERT, UPDATE, DELETE and MERGE that runs: the executed statement and its data-modifying WITH queries. */
export function modifyingStatements(statement: Statement): readonly TypedNode[] {
  return treesOf(statement).modifying;
}

function treesOf(statement: Statement): StatementTrees {
  const ast: unknown = statement.ast;
  if (!isNode(ast)) return { top: NO_TREE, executed: NO_TREE, modifying: [] };
  if (cachedAst === ast && cachedTrees) return cachedTrees;
  const top = typedNode(ast) ?? NO_TREE;
  const executed = explainedAndRun(top) ?? top;
  const trees = { top, executed, modifying: collectModifying(executed) };
  cachedAst = ast;
  cachedTrees = trees;
  return trees;
}

function explainedAndRun(top: TypedNode): TypedNode | null {
  if (top.type !== "ExplainStmt") return null;
  const analyze = listOf(top.node.options)
    .map((option) => nodeOf(option, "DefElem"))
    .find((option) => option?.defname === "analyze");
  if (!analyze || !optionIsOn(analyze.arg)) return null;
  return typedNode(top.node.query);
}

function optionIsOn(arg: unknown): boolean {
  if (arg === undefined) return true;
  const text = nodeOf(arg, "String")?.sval;
  if (typeof text === "string") return !ANALYZE_OFF_VALUES.has(text.toLowerCase());
  const integer = nodeOf(arg, "Integer");
  if (integer) return (integer.ival ?? 0) !== 0;
  const boolean = nodeOf(arg, "Boolean");
  if (boolean) return boolean.boolval === true;
  // Anything else is unexpected: assume the statement runs.
  return true;
}

/** The executed statement if it modifies rows, plus every data-modifying query in its WITH clauses. */
function collectModifying(executed: TypedNode): TypedNode[] {
  const found: TypedNode[] = [];
  const pending: TypedNode[] = [executed];
  while (pending.length > 0) {
    const current = pending.pop() as TypedNode;
    if (MODIFYING_KINDS.has(current.type)) found.push(current);
    const withClause = current.node.withClause;
    for (const cte of listOf(isNode(withClause) ? withClause.ctes : undefined)) {
      const query = typedNode(nodeOf(cte, "CommonTableExpr")?.ctequery);
      if (query) pending.push(query);
    }
    // INSERT … WITH x AS (…) SELECT …: the WITH belongs to the inner SELECT.
    const inner = nodeOf(current.node.selectStmt, "SelectStmt");
    if (current.type === "InsertStmt" && inner) pending.push({ type: "SelectStmt", node: inner });
  }
  // Source order reads better in messages than stack order.
  return found.sort((a, b) => relationLocation(a) - relationLocation(b));
}

function relationLocation(statement: TypedNode): number {
  const relation = statement.node.relation;
  return isNode(relation) && typeof relation.location === "number" ? relation.location : 0;
}

/** The line a modifying statement starts on: the statement's own for the executed one, its table's for a WITH query. */
export function modifyingStatementLine(statement: Statement, modifying: TypedNode): number {
  if (modifying.node === treesOf(statement).executed.node) return statement.span.line;
  return lineAtLocation(statement, relationLocation(modifying));
}
