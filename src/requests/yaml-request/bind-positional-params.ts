import type { KeyPath } from "../../yaml/key-path.js";
import { describe, isMapping, quoted, type ReadContext, report } from "../../yaml/read-context.js";
import { type BoundValue, type NamedValue, NumberText, type TypeSpec } from "../actions/action-types.js";
import { paramMessage } from "../actions/bind-action-params.js";
import { readTypeSpec } from "../actions/read-type-spec.js";
import { typeName, validateValue } from "../actions/validate-value.js";
import { DEFAULT_TEXT_MAX_LENGTH, MAX_POSITIONAL_PARAMS } from "../request-limits.js";
import type { YamlFile } from "./read-yaml-file.js";

/** How a positional value without `{ value, type }` is checked. */
const INFERRED: Record<"string" | "number" | "boolean", TypeSpec> = {
  string: { type: "text", maxLength: DEFAULT_TEXT_MAX_LENGTH, pattern: null },
  number: { type: "numeric", min: null, max: null, scale: null },
  boolean: { type: "boolean" },
};

/**
 * `params: [42, "x", { value: "2026-03-01", type: date }]` of a `target` + `sql` request: the k-th value binds
 * `$k`. A string is checked as text (at most DEFAULT_TEXT_MAX_LENGTH characters), a number as numeric (exact
 * text as written), true/false as boolean, null binds NULL; `{ value, type, … }` checks it as any parameter
 * type, with the same keys as an action's parameter. Policies see them as `p1`, `p2`…
 */
export function bindPositionalParams(
  ctx: ReadContext,
  yaml: YamlFile,
  raw: unknown,
): { values: Array<string | null>; named: Record<string, NamedValue> } | null {
  if (raw === undefined) return { values: [], named: {} };
  if (!Array.isArray(raw)) {
    report(
      ctx,
      ["params"],
      `\`params\` of a \`sql\` request must be a list: the first value binds $1, the second $2… — got ${describe(raw)}${isMapping(raw) ? " (named params are for actions: `action: <name>`)" : ""}`,
    );
    return null;
  }
  if (raw.length > MAX_POSITIONAL_PARAMS) {
    report(
      ctx,
      ["params"],
      `\`params\` has ${raw.length} values, more than ${MAX_POSITIONAL_PARAMS}: split the request`,
    );
    return null;
  }
  const values: Array<string | null> = [];
  const named: Record<string, NamedValue> = {};
  let ok = true;
  for (const [index, item] of raw.entries()) {
    const path: KeyPath = ["params", index];
    const bound = bindOne(ctx, yaml, { item, path, position: index + 1 });
    if (!bound) {
      ok = false;
      continue;
    }
    values.push(bound.text);
    named[`p${index + 1}`] = bound.named;
  }
  return ok ? { values, named } : null;
}

function bindOne(
  ctx: ReadContext,
  yaml: YamlFile,
  { item, path, position }: { item: unknown; path: KeyPath; position: number },
): BoundValue | null {
  let spec: TypeSpec | null;
  let value: unknown;
  let valuePath = path;
  if (isMapping(item)) {
    spec = readTypeSpec(ctx, yaml, { map: item, path, otherKeys: ["value"] });
    if (!Object.hasOwn(item, "value")) {
      report(ctx, path, `${quoted(path)} has no \`value\`: write \`{ value: …, type: … }\``);
      return null;
    }
    valuePath = [...path, "value"];
    value = yaml.exact(valuePath, item.value);
  } else {
    value = yaml.exact(path, item);
    if (value === null) return { text: null, named: null };
    const kind = value instanceof NumberText ? "number" : typeof value;
    spec = kind === "string" || kind === "number" || kind === "boolean" ? INFERRED[kind] : null;
    if (spec === null) {
      report(
        ctx,
        path,
        `${quoted(path)} must be a value, or \`{ value, type }\` for a list or another type — got ${describe(item)}`,
      );
      return null;
    }
  }
  if (spec === null) return null;
  if (value === null) return { text: null, named: null };
  const checked = validateValue(spec, value);
  if (checked.ok) return checked.value;
  const { error } = checked;
  report(
    ctx,
    error.index === undefined ? valuePath : [...valuePath, error.index],
    paramMessage(`params[${position - 1}]`, error, `for $${position}`, typeName(spec)),
  );
  return null;
}
