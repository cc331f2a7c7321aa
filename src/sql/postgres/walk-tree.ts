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
const UNWRAPPED_FIELDS: Readonly<Record<string, { type: string; marker: string }>> = {
  relation: { type: "RangeVar", marker: "relname" },
  rel: { type: "RangeVar", marker: "relname" },
  view: { type: "RangeVar", marker: "relname" },
  sequence: { type: "RangeVar", marker: "relname" },
  pktable: { type: "RangeVar", marker: "relname" },
  table: { type: "RangeVar", marker: "relname" },
  typevar: { type: "RangeVar", marker: "relname" },
  constrrel: { type: "RangeVar", marker: "relname" },
  name: { type: "RangeVar", marker: "relname" },
  larg: { type: "SelectStmt", marker: "op" },
  rarg: { type: "SelectStmt", marker: "op" },
};

/** Depth-first over every typed node, without recursion limits (deep trees come from adversarial SQL). */
export function* walkNodes(root: unknown): Generator<NodeVisit> {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push(value[i]);
    } else if (value !== null && typeof value === "object") {
      const entries = Object.entries(value as Record<string, unknown>);
      for (const [key, child] of entries) {
        if (isTypeName(key) && child !== null && typeof child === "object" && !Array.isArray(child)) {
          yield { type: key, node: child as Record<string, unknown> };
        } else {
          const unwrapped = UNWRAPPED_FIELDS[key];
          if (unwrapped && isUnwrapped(child, unwrapped.marker)) {
            yield { type: unwrapped.type, node: child as Record<string, unknown> };
          }
        }
      }
      for (let i = entries.length - 1; i >= 0; i--) stack.push(entries[i]?.[1]);
    }
  }
}

function isUnwrapped(value: unknown, marker: string): boolean {
  return value !== null && typeof value === "object" && !Array.isArray(value) && marker in value;
}

function isTypeName(key: string): boolean {
  const first = key.charCodeAt(0);
  return first >= 65 && first <= 90;
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
