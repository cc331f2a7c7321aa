import { isNode, type Node, nodeOf } from "./tree-node.js";

/** The simple SELECTs of a UNION / INTERSECT / EXCEPT, left to right; a simple SELECT is its own only arm. */
export function selectArms(select: Node): Node[] {
  const arms: Node[] = [];
  const pending: Node[] = [select];
  while (pending.length > 0) {
    const current = pending.pop() as Node;
    if (current.op === undefined || current.op === "SETOP_NONE") {
      arms.push(current);
      continue;
    }
    // Set-operation arms are unwrapped SelectStmt fields; push right first so the left arm comes out first.
    if (isNode(current.rarg)) pending.push(current.rarg);
    if (isNode(current.larg)) pending.push(current.larg);
  }
  return arms;
}

/** LIMIT n or FETCH FIRST n; `LIMIT ALL` (a null constant) limits nothing. */
export function hasRowLimit(select: Node): boolean {
  if (!isNode(select.limitCount)) return false;
  return nodeOf(select.limitCount, "A_Const")?.isnull !== true;
}
