import { walkNodes } from "../../sql/postgres/walk-tree.js";
import type { Statement } from "../../sql/statement.js";
import { isNode, type Node } from "./tree-node.js";

/**
 * Node types a rule may ask for from anywhere in the tree. Every such rule shares one walk per statement,
 * which collects only these; a rule that needs another type adds it here.
 */
export const WALKED_NODE_TYPES: ReadonlySet<string> = new Set(["A_Expr"]);

const cache = new WeakMap<object, Map<string, Node[]>>();

/** Every node of a type in WALKED_NODE_TYPES, anywhere in the statement, in tree order. */
export function nodesOfType(statement: Statement, type: string): readonly Node[] {
  if (!WALKED_NODE_TYPES.has(type)) {
    throw new Error(
      `nodesOfType(${type}): add "${type}" to WALKED_NODE_TYPES in src/lint/tree/statement-nodes.ts`,
    );
  }
  const ast: unknown = statement.ast;
  if (!isNode(ast)) return [];
  let index = cache.get(ast);
  if (!index) {
    index = new Map();
    for (const { type: found, node } of walkNodes(ast)) {
      if (!WALKED_NODE_TYPES.has(found)) continue;
      const list = index.get(found);
      if (list) list.push(node);
      else index.set(found, [node]);
    }
    cache.set(ast, index);
  }
  return index.get(type) ?? [];
}
