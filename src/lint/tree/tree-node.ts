/** libpg-query's JSON tree: a typed node is `{ TypeName: { …fields } }`; fields hold nodes, lists or scalars. */
export type Node = Record<string, unknown>;

export interface TypedNode {
  type: string;
  node: Node;
}

export function isNode(value: unknown): value is Node {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Reads `{ Type: { … } }`; null for anything else. */
export function typedNode(value: unknown): TypedNode | null {
  if (!isNode(value)) return null;
  for (const type in value) {
    const node = value[type];
    return isNode(node) ? { type, node } : null;
  }
  return null;
}

/** The fields of a wrapped node of the given type, or undefined. */
export function nodeOf(value: unknown, type: string): Node | undefined {
  if (!isNode(value)) return undefined;
  const node = value[type];
  return isNode(node) ? node : undefined;
}

export function listOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

export function hasItems(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

/** The `sval`s of a list of `{ String: { sval } }`, e.g. a function or operator name. */
export function nameParts(value: unknown): string[] {
  const out: string[] = [];
  for (const item of listOf(value)) {
    const sval = nodeOf(item, "String")?.sval;
    if (typeof sval === "string") out.push(sval);
  }
  return out;
}

/** A relation as written, `schema.name` or `name`, for messages. */
export function relationName(value: unknown): string {
  if (!isNode(value)) return "?";
  const rel = isNode(value.RangeVar) ? value.RangeVar : value;
  const name = typeof rel.relname === "string" ? rel.relname : "?";
  return typeof rel.schemaname === "string" ? `${rel.schemaname}.${name}` : name;
}

/** Strips `::type` casts, which change neither the shape nor (for our purposes) the meaning of a literal. */
export function withoutCasts(value: unknown, maxDepth: number): unknown {
  let current = value;
  for (let depth = 0; depth < maxDepth; depth++) {
    const cast = nodeOf(current, "TypeCast");
    if (!cast) return current;
    current = cast.arg;
  }
  return current;
}
