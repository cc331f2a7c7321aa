/**
 * Canonical JSON, as RFC 8785 (JSON Canonicalization Scheme, JCS) defines it for the values audit records
 * hold. The exact form:
 *
 * - no whitespace between tokens;
 * - object members sorted by key, comparing keys as sequences of UTF-16 code units (JavaScript's default
 *   string order, as JCS requires — not by locale, not by code point);
 * - strings as ECMAScript's JSON.stringify writes them: `"` and `\` escaped, U+0008/9/A/C/D as
 *   `\b \t \n \f \r`, other control characters below U+0020 as `\u00xx` (lowercase hex), everything
 *   else (including non-ASCII, U+007F, U+2028/9) as the character itself, encoded as UTF-8 when hashed;
 * - numbers as ECMAScript's Number.prototype.toString writes them (JCS §3.2.2.3): `1`, `-5`, `0.5`,
 *   `1e+21`, `1.5e-7`; `-0` is written `0`;
 * - `true`, `false`, `null`; arrays keep their order.
 *
 * Refused, with the path of the offending value (I-JSON, RFC 7493, which JCS builds on, and our own
 * strictness): NaN and ±Infinity, `undefined` (JSON.stringify would drop it silently), strings or keys
 * with a lone surrogate, bigint, functions, symbols, sparse arrays, cycles, and objects that are not
 * plain (Date, Map, Buffer, class instances, anything with `toJSON`).
 */

export class CanonicalJsonError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`canonical JSON: ${path}: ${reason}`);
  }
}

/** Deepest nesting accepted: records are shallow, so deep input is a mistake (or an attack). */
export const MAX_CANONICAL_DEPTH = 64;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function canonicalJson(value: unknown): string {
  return write(value, "$", 0, new Set());
}

function write(value: unknown, path: string, depth: number, open: Set<object>): string {
  switch (typeof value) {
    case "string":
      return writeString(value, path);
    case "number":
      if (!Number.isFinite(value)) throw new CanonicalJsonError(path, `${value} is not a JSON number`);
      // JSON.stringify on a finite number is Number.prototype.toString, with -0 written as 0 (JCS).
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "object":
      if (value === null) return "null";
      return writeContainer(value, path, depth, open);
    default:
      throw new CanonicalJsonError(path, `${typeof value} is not a JSON value`);
  }
}

function writeString(text: string, path: string): string {
  if (LONE_SURROGATE.test(text)) {
    throw new CanonicalJsonError(path, "string holds a lone surrogate (not valid Unicode text)");
  }
  return JSON.stringify(text);
}

function writeContainer(value: object, path: string, depth: number, open: Set<object>): string {
  if (depth >= MAX_CANONICAL_DEPTH) {
    throw new CanonicalJsonError(path, `nested deeper than ${MAX_CANONICAL_DEPTH} levels`);
  }
  if (open.has(value)) throw new CanonicalJsonError(path, "cycle: the value contains itself");
  open.add(value);
  try {
    if (Array.isArray(value)) {
      const parts: string[] = [];
      for (let i = 0; i < value.length; i++) {
        if (!(i in value)) throw new CanonicalJsonError(`${path}[${i}]`, "hole in a sparse array");
        parts.push(write(value[i], `${path}[${i}]`, depth + 1, open));
      }
      return `[${parts.join(",")}]`;
    }
    const proto = Object.getPrototypeOf(value);
    if ((proto !== Object.prototype && proto !== null) || "toJSON" in value) {
      const name = (value as { constructor?: { name?: string } }).constructor?.name ?? "object";
      throw new CanonicalJsonError(path, `${name} is not a plain object: convert it to JSON values first`);
    }
    if (Object.getOwnPropertySymbols(value).length > 0) {
      throw new CanonicalJsonError(path, "symbol keys are not JSON");
    }
    const keys = Object.keys(value).sort();
    const parts: string[] = [];
    for (const key of keys) {
      const memberPath = `${path}.${key}`;
      parts.push(
        `${writeString(key, memberPath)}:${write((value as Record<string, unknown>)[key], memberPath, depth + 1, open)}`,
      );
    }
    return `{${parts.join(",")}}`;
  } finally {
    open.delete(value);
  }
}

/** Parses `text` and tells whether it is exactly the canonical form of what it holds. */
export function parseCanonicalJson(
  text: string,
): { ok: true; value: unknown } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not valid JSON (${(error as Error).message})` };
  }
  let canonical: string;
  try {
    canonical = canonicalJson(value);
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  return canonical === text
    ? { ok: true, value }
    : { ok: false, error: "not in canonical JSON form (sorted keys, no whitespace)" };
}
