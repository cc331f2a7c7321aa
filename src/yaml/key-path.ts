/** Where a value sits in a YAML document: mapping keys and sequence indexes, from the top. */
export type KeyPath = ReadonlyArray<string | number>;

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;
/** Segments a short label keeps: enough to name the key within its rule, target or owner entry. */
const LABEL_KEYS = 2;

/** `rules[2].require.count`, `targets.orders-prod.connection.env`, `owners["orders-prod/public.payments"]`. */
export function formatKeyPath(path: KeyPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (PLAIN_KEY.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** The tail of a path as messages quote it: `require.count`, `connection.env`, `rules[3].name`. */
export function keyLabel(path: KeyPath): string {
  let start = path.length;
  let keys = 0;
  while (start > 0 && keys < LABEL_KEYS) {
    start -= 1;
    if (typeof path[start] === "string") keys += 1;
  }
  return formatKeyPath(path.slice(start));
}

/** A Map key for a path: sequence indexes and mapping keys never collide. */
export function encodeKeyPath(path: KeyPath): string {
  return path.map((part) => (typeof part === "number" ? `\u0001${part}` : part)).join("\u0000");
}
