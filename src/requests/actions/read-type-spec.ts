import type { KeyPath } from "../../yaml/key-path.js";
import { describe, didYouMean, quoted, type ReadContext, report } from "../../yaml/read-context.js";
import {
  DEFAULT_ARRAY_MAX_ITEMS,
  DEFAULT_TEXT_MAX_LENGTH,
  MAX_ARRAY_ITEMS,
  MAX_ENUM_VALUE_CHARS,
  MAX_ENUM_VALUES,
  MAX_NUMERIC_DIGITS,
  MAX_NUMERIC_SCALE,
  MAX_PATTERN_CHARS,
  MAX_TEXT_LENGTH,
} from "../request-limits.js";
import type { YamlFile } from "../yaml-request/read-yaml-file.js";
import {
  NumberText,
  PARAM_TYPES,
  type ParamType,
  type ScalarParamType,
  type ScalarSpec,
  type TypeSpec,
} from "./action-types.js";
import { compareDecimals, decimalDigits, PLAIN_DECIMAL, PLAIN_INTEGER } from "./decimal.js";
import { compilePattern } from "./validate-value.js";

/** The keys each type takes besides `type`. */
const TYPE_KEYS: Record<ParamType, readonly string[]> = {
  int: ["min", "max"],
  bigint: ["min", "max"],
  numeric: ["min", "max", "scale"],
  text: ["max_length", "pattern"],
  uuid: [],
  enum: ["values"],
  date: [],
  timestamp: [],
  boolean: [],
  array: ["items", "max_items"],
};
const ALL_TYPE_KEYS = [...new Set(Object.values(TYPE_KEYS).flat())];
const INTEGER_RANGE = {
  int: { min: "-2147483648", max: "2147483647" },
  bigint: { min: "-9223372036854775808", max: "9223372036854775807" },
} as const;
/** `bigint[]` stands for `{ type: array, items: { type: bigint } }`, with item keys beside it. */
const ARRAY_SHORTHAND = /^([a-z]+)\[\]$/;

/**
 * Reads a type from a mapping that also holds `otherKeys` (a parameter's `name`, `default`…, or a positional
 * value's `value`): `{ type: numeric, min: 0.01, max: 1000, scale: 2 }`. Reports every problem; null if any.
 */
export function readTypeSpec(
  ctx: ReadContext,
  yaml: YamlFile,
  { map, path, otherKeys }: { map: Record<string, unknown>; path: KeyPath; otherKeys: readonly string[] },
): TypeSpec | null {
  const typePath = [...path, "type"];
  if (map.type === undefined) {
    report(ctx, path, `${quoted(path)} has no \`type\`: add one of ${PARAM_TYPES.join(", ")}`);
    return null;
  }
  const written = map.type;
  const shorthand = typeof written === "string" ? ARRAY_SHORTHAND.exec(written) : null;
  const base = shorthand ? shorthand[1] : written;
  if (
    typeof base !== "string" ||
    !(PARAM_TYPES as readonly string[]).includes(base) ||
    (shorthand && base === "array")
  ) {
    const hint = typeof base === "string" ? didYouMean(base, PARAM_TYPES) : "";
    report(
      ctx,
      typePath,
      `${quoted(typePath)} must be one of ${PARAM_TYPES.join(", ")} (or \`<type>[]\` for a list) — got ${describe(written)}${hint}`,
    );
    return null;
  }
  const type = base as ParamType;
  if (shorthand) {
    if (type === "array") return null;
    const keys = [...otherKeys, "type", ...TYPE_KEYS[type], "max_items"];
    if (!checkTypeKeys(ctx, { map, path, keys, typeLabel: written as string })) return null;
    const items = readScalarSpec(ctx, yaml, { map, path, type });
    const maxItems = readMaxItems(ctx, map, path);
    return items && maxItems !== null ? { type: "array", items, maxItems } : null;
  }
  const keys = [...otherKeys, "type", ...TYPE_KEYS[type]];
  if (!checkTypeKeys(ctx, { map, path, keys, typeLabel: type })) return null;
  if (type !== "array") return readScalarSpec(ctx, yaml, { map, path, type });

  const itemsPath = [...path, "items"];
  const itemsMap = map.items;
  if (typeof itemsMap !== "object" || itemsMap === null || Array.isArray(itemsMap)) {
    report(
      ctx,
      itemsMap === undefined ? path : itemsPath,
      `${quoted(itemsPath)} must be the elements' type, e.g. \`items: { type: bigint, min: 1 }\` — got ${describe(itemsMap)}`,
    );
    readMaxItems(ctx, map, path);
    return null;
  }
  const items = readTypeSpec(ctx, yaml, {
    map: itemsMap as Record<string, unknown>,
    path: itemsPath,
    otherKeys: [],
  });
  const maxItems = readMaxItems(ctx, map, path);
  if (items?.type === "array") {
    report(
      ctx,
      [...itemsPath, "type"],
      "lists of lists are not supported: bind each list as its own parameter",
    );
    return null;
  }
  return items && maxItems !== null ? { type: "array", items, maxItems } : null;
}

function checkTypeKeys(
  ctx: ReadContext,
  {
    map,
    path,
    keys,
    typeLabel,
  }: { map: Record<string, unknown>; path: KeyPath; keys: readonly string[]; typeLabel: string },
): boolean {
  let ok = true;
  for (const key of Object.keys(map)) {
    if (keys.includes(key)) continue;
    ok = false;
    const known = [...new Set([...keys])];
    const message = ALL_TYPE_KEYS.includes(key)
      ? `\`${key}\` does not apply to a ${typeLabel} parameter (keys of ${quoted(path)}: ${known.join(", ")})`
      : `unknown key \`${key}\`${didYouMean(key, known)} (keys of ${quoted(path)}: ${known.join(", ")})`;
    report(ctx, [...path, key], message);
  }
  return ok;
}

function readScalarSpec(
  ctx: ReadContext,
  yaml: YamlFile,
  { map, path, type }: { map: Record<string, unknown>; path: KeyPath; type: ScalarParamType },
): ScalarSpec | null {
  const at = (key: string): KeyPath => [...path, key];
  switch (type) {
    case "int":
    case "bigint":
    case "numeric": {
      const integer = type !== "numeric";
      const min = readBound(ctx, yaml, { value: map.min, path: at("min"), type });
      const max = readBound(ctx, yaml, { value: map.max, path: at("max"), type });
      if (min === undefined || max === undefined) return null;
      if (min !== null && max !== null && compareDecimals(min, max) > 0) {
        report(ctx, at("min"), `\`min\` ${min} is above \`max\` ${max}: no value could be given — swap them`);
        return null;
      }
      if (integer) return { type: type as "int" | "bigint", min, max };
      let scale: number | null = null;
      if (map.scale !== undefined) {
        scale = readWhole(ctx, { value: map.scale, path: at("scale"), min: 0, max: MAX_NUMERIC_SCALE });
        if (scale === null) return null;
        for (const [key, bound] of [
          ["min", min],
          ["max", max],
        ] as const) {
          if (bound !== null && decimalDigits(bound).fraction > scale) {
            report(
              ctx,
              at(key),
              `\`${key}\` ${bound} has more digits after the point than \`scale\` ${scale} allows`,
            );
            return null;
          }
        }
      }
      return { type: "numeric", min, max, scale };
    }
    case "text": {
      let maxLength = DEFAULT_TEXT_MAX_LENGTH;
      if (map.max_length !== undefined) {
        const read = readWhole(ctx, {
          value: map.max_length,
          path: at("max_length"),
          min: 1,
          max: MAX_TEXT_LENGTH,
        });
        if (read === null) return null;
        maxLength = read;
      }
      let pattern: string | null = null;
      if (map.pattern !== undefined) {
        pattern = readPattern(ctx, { value: map.pattern, path: at("pattern") });
        if (pattern === null) return null;
      }
      return { type: "text", maxLength, pattern };
    }
    case "enum": {
      const values = readEnumValues(ctx, { value: map.values, path: at("values"), parent: path });
      return values ? { type: "enum", values } : null;
    }
    default:
      return { type };
  }
}

/** A bound: undefined when invalid (reported), null when absent. */
function readBound(
  ctx: ReadContext,
  yaml: YamlFile,
  { value, path, type }: { value: unknown; path: KeyPath; type: "int" | "bigint" | "numeric" },
): string | null | undefined {
  if (value === undefined) return null;
  const exact = yaml.exact(path, value);
  const text = exact instanceof NumberText ? exact.text : typeof exact === "string" ? exact : null;
  const integer = type !== "numeric";
  if (text === null || !(integer ? PLAIN_INTEGER : PLAIN_DECIMAL).test(text)) {
    report(
      ctx,
      path,
      `${quoted(path)} must be ${integer ? "a whole number" : "a decimal number"} in plain decimal — got ${describe(value)}`,
    );
    return undefined;
  }
  const { integer: before, fraction } = decimalDigits(text);
  if (before + fraction > MAX_NUMERIC_DIGITS) {
    report(ctx, path, `${quoted(path)} has more than ${MAX_NUMERIC_DIGITS} digits`);
    return undefined;
  }
  if (type !== "numeric") {
    const range = INTEGER_RANGE[type];
    if (compareDecimals(text, range.min) < 0 || compareDecimals(text, range.max) > 0) {
      report(ctx, path, `${quoted(path)} ${text} is outside the ${type} range, ${range.min} to ${range.max}`);
      return undefined;
    }
  }
  return text;
}

function readMaxItems(ctx: ReadContext, map: Record<string, unknown>, path: KeyPath): number | null {
  if (map.max_items === undefined) return DEFAULT_ARRAY_MAX_ITEMS;
  return readWhole(ctx, { value: map.max_items, path: [...path, "max_items"], min: 1, max: MAX_ARRAY_ITEMS });
}

function readPattern(ctx: ReadContext, { value, path }: { value: unknown; path: KeyPath }): string | null {
  if (typeof value !== "string" || value === "") {
    report(ctx, path, `${quoted(path)} must be a regular expression in a string — got ${describe(value)}`);
    return null;
  }
  if ([...value].length > MAX_PATTERN_CHARS) {
    report(ctx, path, `${quoted(path)} is longer than ${MAX_PATTERN_CHARS} characters: simplify it`);
    return null;
  }
  try {
    compilePattern(value);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    report(
      ctx,
      path,
      `${quoted(path)} is not a valid JavaScript regular expression (Unicode mode): ${why} — fix it; it is matched against the whole value, so leave out ^ and $`,
    );
    return null;
  }
  return value;
}

function readEnumValues(
  ctx: ReadContext,
  { value, path, parent }: { value: unknown; path: KeyPath; parent: KeyPath },
): string[] | null {
  if (value === undefined) {
    report(ctx, parent, `${quoted(parent)} is an enum without \`values\`: list the accepted values`);
    return null;
  }
  if (!Array.isArray(value) || value.length === 0) {
    report(ctx, path, `${quoted(path)} must be a non-empty list of strings — got ${describe(value)}`);
    return null;
  }
  if (value.length > MAX_ENUM_VALUES) {
    report(
      ctx,
      path,
      `${quoted(path)} has ${value.length} values, more than ${MAX_ENUM_VALUES}: use text with a pattern`,
    );
    return null;
  }
  const seen = new Set<string>();
  let ok = true;
  for (const [index, item] of value.entries()) {
    const itemPath = [...path, index];
    if (typeof item !== "string" || item === "" || [...item].length > MAX_ENUM_VALUE_CHARS) {
      ok = false;
      const quote = typeof item === "number" || typeof item === "boolean";
      report(
        ctx,
        itemPath,
        `${quoted(itemPath)} must be a non-empty string of at most ${MAX_ENUM_VALUE_CHARS} characters — got ${describe(item)}${quote ? ` (quote it: "${String(item)}")` : ""}`,
      );
    } else if (seen.has(item)) {
      ok = false;
      report(ctx, itemPath, `${quoted(itemPath)} ${JSON.stringify(item)} is listed twice: keep one`);
    } else seen.add(item);
  }
  return ok ? [...seen] : null;
}

/** A whole number within [min, max]. */
export function readWhole(
  ctx: ReadContext,
  { value, path, min, max }: { value: unknown; path: KeyPath; min: number; max: number },
): number | null {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= min && value <= max) return value;
  report(ctx, path, `${quoted(path)} must be a whole number from ${min} to ${max} — got ${describe(value)}`);
  return null;
}
