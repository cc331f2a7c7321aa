/** A node in libpg-query's JSON tree is an object with a single PascalCase key naming its type. */
export interface NodeVisit {
  type: string;
  node: Record<string, unknown>;
}

/**
 * Fields whose protobuf type is a concrete message, not `Node`: libpg-query emits them without the
 * `{ Type: … }` wrapper, so the walk names them from the field. Without this, DML targets
 * (`relation`) and set-operation arms (`larg`/`rarg`) would be descended into but never seen as typed nodes.
 */
const UNWRAPPED_FIELDS: ReadonlyMap<string, { type: string; marker: string }> = new Map([
  ["relation", { type: "RangeVar", marker: "relname" }],
  ["rel", { type: "RangeVar", marker: "relname" }],
  ["view", { type: "RangeVar", marker: "relname" }],
  ["sequence", { type: "RangeVar", marker: "relname" }],
  ["pktable", { type: "RangeVar", marker: "relname" }],
  ["table", { type: "RangeVar", marker: "relname" }],
  ["typevar", { type: "RangeVar", marker: "relname" }],
  ["constrrel", { type: "RangeVar", marker: "relname" }],
  ["name", { type: "RangeVar", marker: "relname" }],
  ["larg", { type: "SelectStmt", marker: "op" }],
  ["rarg", { type: "SelectStmt", marker: "op" }],
]);

type Visit = (type: string, node: Record<string, unknown>) => void;

/**
 * Depth-first over every typed node in document order, iteratively (deep trees come from adversarial
 * SQL). The hot path of analysis: no per-node allocation beyond the stack.
 */
export function forEachNode(root: unknown, visit: Visit): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== "object") continue;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        const child = value[i];
        if (child !== null && typeof child === "object") stack.push(child);
      }
      continue;
    }
    const from = stack.length;
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const child = record[key];
      if (child === null || typeof child !== "object") continue;
      if (!Array.isArray(child)) {
        const first = key.charCodeAt(0);
        if (first >= 65 && first <= 90) visit(key, child as Record<string, unknown>);
        else {
          const unwrapped = UNWRAPPED_FIELDS.get(key);
          if (unwrapped && unwrapped.marker in child) visit(unwrapped.type, child as Record<string, unknown>);
        }
      }
      stack.push(child);
    }
    // Children were pushed in key order; reverse them so they are popped in document order.
    for (let a = from, b = stack.length - 1; a < b; a++, b--) {
      const t = stack[a];
      stack[a] = stack[b];
      stack[b] = t;
    }
  }
}

/** The same walk as a generator, for callers that stop early or prefer a loop. */
export function* walkNodes(root: unknown): Generator<NodeVisit> {
  const visits: NodeVisit[] = [];
  forEachNode(root, (type, node) => {
    visits.push({ type, node });
  });
  yield* visits;
}

export function stringList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const item of value) {
    const s = (item as { String?: { sval?: string } })?.String?.sval;
    if (typeof s === "string") out.push(s);
  }
  return out;
}
