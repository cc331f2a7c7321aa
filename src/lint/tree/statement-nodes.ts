import { forEachNode } from "../../sql/postgres/walk-tree.js";
import type { Statement } from "../../sql/statement.js";
import { isNode, type Node } from "./tree-node.js";

/**
 * Node types a rule may ask for from anywhere in the tree. Every such rule shares one walk per statement,
 * which collects only these; a rule that needs another type adds it here.
 */
export const WALKED_NODE_TYPES: ReadonlySet<string> = new Set(["A_Expr"]);

// Rules run one statement after another: remembering the last tree's index is enough.
let cachedAst: object | null = null;
let cachedIndex: Map<string, Node[]> | null = null;

/** Every node of a type in WALKED_NODE_TYPES, anywhere in the statement, in tree order. */
export function nodesOfType(statement: Statement, type: string): readonly Node[] {
  if (!WALKED_NODE_TYPES.has(type)) {
    throw new Error(
      `nodesOfType(${type}): add "${type}" to WALKED_NODE_TYPES in src/lint/tree/statement-nodes.ts`,
    );
  }
  const ast: unknown = statement.ast;
  if (!isNode(ast)) return [];
  if (cachedAst !== ast || !cachedIndex) {
    const index = new Map<string, Node[]>();
    forEachNode(ast, (found, node) => {
      if (!WALKED_NODE_TYPES.has(found)) return;
      const list = index.get(found);
      if (list) list.push(node);
      else index.set(found, [node]);
    });
    cachedAst = ast;
    cachedIndex = index;
  }
  return cachedIndex.get(type) ?? [];
}
