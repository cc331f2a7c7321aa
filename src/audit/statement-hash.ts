import { canonicalJson } from "./canonical-json.js";
import { sha256Digest } from "./digest.js";

/**
 * sha256 of the exact statement bytes, as `sha256:<hex>`. Give it `Statement.text` (hashed as UTF-8, which
 * is the request file's bytes from `span.byteStart` to `span.byteEnd`) or those bytes themselves. The
 * analyser, the runner and `audit verify` all use this one function, so "the bytes approved are the bytes
 * executed" can be checked from the record alone.
 */
export function statementHash(statement: string | Uint8Array): string {
  return sha256Digest(statement);
}

/** Parameter values as they are bound (`$1`, `$2`, …, or named template params): JSON values only. */
export type BoundParams = ReadonlyArray<unknown> | Readonly<Record<string, unknown>>;

/**
 * sha256 of the canonical JSON of the bound parameters, or null when there are none. The values are
 * hashed, never recorded: they may hold what the requester typed (ids, emails).
 */
export function paramsHash(params: BoundParams | null | undefined): string | null {
  if (params === null || params === undefined) return null;
  const empty = Array.isArray(params) ? params.length === 0 : Object.keys(params).length === 0;
  return empty ? null : sha256Digest(canonicalJson(params));
}
