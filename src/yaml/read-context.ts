import { closestName } from "./closest-name.js";
import { formatKeyPath, type KeyPath, keyLabel } from "./key-path.js";
import type { SourceError } from "./source-error.js";
import type { YamlPositions } from "./yaml-positions.js";

/** Longest value quoted back in a message. */
const MAX_QUOTED_CHARS = 60;

/** A name that must exist once every file is read: a target, or an environment some target is in. */
export interface PolicyReference {
  kind: "target" | "environment";
  name: string;
  /** Where it is used: an error if it does not exist. */
  at: SourceError;
}

/** One file being read: where its keys are, and the errors and references found so far. */
export interface ReadContext {
  file: string;
  positions: YamlPositions;
  errors: SourceError[];
  references: PolicyReference[];
}

export function refer(
  ctx: ReadContext,
  { kind, name, path }: { kind: PolicyReference["kind"]; name: string; path: KeyPath },
): void {
  ctx.references.push({
    kind,
    name,
    at: { file: ctx.file, line: ctx.positions.lineOf(path), key: formatKeyPath(path), message: "" },
  });
}

export function report(ctx: ReadContext, path: KeyPath, message: string): void {
  ctx.errors.push({ file: ctx.file, line: ctx.positions.lineOf(path), key: formatKeyPath(path), message });
}

export function lineOf(ctx: ReadContext, path: KeyPath): number {
  return ctx.positions.lineOf(path);
}

/** The key as messages quote it: `require.count`. */
export function quoted(path: KeyPath): string {
  return `\`${keyLabel(path)}\``;
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A value as a message shows it after "got". */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") {
    const text = value.length > MAX_QUOTED_CHARS ? `${value.slice(0, MAX_QUOTED_CHARS)}…` : value;
    return JSON.stringify(text);
  }
  return String(value);
}

/** " — did you mean `x`?" when a known name is close, else "". */
export function didYouMean(wanted: string, known: Iterable<string>): string {
  const hint = closestName(wanted, known);
  return hint ? ` — did you mean \`${hint}\`?` : "";
}

/** Reports every key of `map` not in `known`; returns false if there was one. */
export function checkKeys(
  ctx: ReadContext,
  { map, path, known }: { map: Record<string, unknown>; path: KeyPath; known: readonly string[] },
): boolean {
  let ok = true;
  for (const key of Object.keys(map)) {
    if (known.includes(key)) continue;
    ok = false;
    report(
      ctx,
      [...path, key],
      `unknown key \`${key}\`${didYouMean(key, known)} (${path.length === 0 ? "top-level keys" : `keys of ${quoted(path)}`}: ${known.join(", ")})`,
    );
  }
  return ok;
}

/** A mapping, or an error saying what was expected. */
export function readMapping(
  ctx: ReadContext,
  { value, path, expected }: { value: unknown; path: KeyPath; expected: string },
): Record<string, unknown> | null {
  if (isMapping(value)) return value;
  report(ctx, path, `${quoted(path)} must be ${expected} — got ${describe(value)}`);
  return null;
}

/** A non-empty string. */
export function readString(
  ctx: ReadContext,
  { value, path }: { value: unknown; path: KeyPath },
): string | null {
  if (typeof value === "string" && value.trim() !== "") return value;
  report(ctx, path, `${quoted(path)} must be a non-empty string — got ${describe(value)}`);
  return null;
}

/** One of `allowed`, with a did-you-mean for near misses. */
export function readChoice<T extends string>(
  ctx: ReadContext,
  { value, path, allowed }: { value: unknown; path: KeyPath; allowed: readonly T[] },
): T | null {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  const hint = typeof value === "string" ? didYouMean(value, allowed) : "";
  report(ctx, path, `${quoted(path)} must be one of ${allowed.join(", ")} — got ${describe(value)}${hint}`);
  return null;
}

/**
 * A list of scalars; one scalar stands for a list of one (`class: write` ≡ `class: [write]`). An empty list
 * is refused: as a condition it would match nothing, as a list of people it names nobody.
 */
export function readScalarList(
  ctx: ReadContext,
  { value, path }: { value: unknown; path: KeyPath },
): Array<{ item: string | number | boolean; path: KeyPath }> | null {
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) {
    report(ctx, path, `${quoted(path)} is an empty list: list at least one value, or remove the key`);
    return null;
  }
  const out: Array<{ item: string | number | boolean; path: KeyPath }> = [];
  let ok = true;
  items.forEach((item, index) => {
    const itemPath = Array.isArray(value) ? [...path, index] : path;
    if (typeof item === "string" || typeof item === "number" || typeof item === "boolean") {
      out.push({ item, path: itemPath });
    } else {
      ok = false;
      report(
        ctx,
        itemPath,
        `${quoted(itemPath)} must be a value or a list of values — got ${describe(item)}`,
      );
    }
  });
  return ok ? out : null;
}

/** Like readScalarList, for strings; each item is checked by `check` (a message, or null when valid). */
export function readStringList(
  ctx: ReadContext,
  { value, path, check }: { value: unknown; path: KeyPath; check?: (item: string) => string | null },
): Array<{ item: string; path: KeyPath }> | null {
  const items = readScalarList(ctx, { value, path });
  if (!items) return null;
  const out: Array<{ item: string; path: KeyPath }> = [];
  let ok = true;
  for (const { item, path: itemPath } of items) {
    const problem =
      typeof item !== "string" || item.trim() === ""
        ? `${quoted(itemPath)} must be a non-empty string — got ${describe(item)}`
        : (check?.(item) ?? null);
    if (problem) {
      ok = false;
      report(ctx, itemPath, problem);
    } else out.push({ item: item as string, path: itemPath });
  }
  return ok ? out : null;
}

/** A whole number within [min, Number.MAX_SAFE_INTEGER]. */
export function readInteger(
  ctx: ReadContext,
  { value, path, min }: { value: unknown; path: KeyPath; min: number },
): number | null {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= min) return value;
  report(ctx, path, `${quoted(path)} must be a whole number ≥ ${min} — got ${describe(value)}`);
  return null;
}
