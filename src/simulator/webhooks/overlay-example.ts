type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Lays simulator values over a recorded example: every key the example has takes the simulator's value
 * when the simulator has one (recursing into objects and array items), so the payload keeps exactly the
 * example's key set — which GitHub's webhook schemas (additionalProperties: false) accept. Keys the
 * example lacks are added only when listed in `extraKeys` as dotted paths ("installation", "issue.pull_request").
 */
export function overlayExample(
  example: unknown,
  ours: unknown,
  extraKeys: readonly string[] = [],
  path = "",
): unknown {
  if (Array.isArray(ours)) {
    const template = Array.isArray(example) ? example[0] : undefined;
    return ours.map((item) =>
      isObject(template) && isObject(item) ? overlayExample(template, item, extraKeys, path) : item,
    );
  }
  if (!isObject(ours) || !isObject(example)) return ours === undefined ? example : ours;
  const out: Json = {};
  for (const [key, value] of Object.entries(example)) {
    const child = path === "" ? key : `${path}.${key}`;
    out[key] = key in ours ? overlayExample(value, ours[key], extraKeys, child) : value;
  }
  for (const [key, value] of Object.entries(ours)) {
    const child = path === "" ? key : `${path}.${key}`;
    if (!(key in example) && extraKeys.includes(child)) out[key] = value;
  }
  return out;
}
