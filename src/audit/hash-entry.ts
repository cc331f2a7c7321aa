import type { AuditEntry } from "./audit-types.js";
import { canonicalJson } from "./canonical-json.js";
import { DIGEST_PREFIX, sha256Digest } from "./digest.js";

/** `prev` of the first entry of a chain: no entry hashes to it. */
export const GENESIS_PREV = `${DIGEST_PREFIX}${"0".repeat(64)}`;

/**
 * The entry's own hash: sha256 over the UTF-8 bytes of the canonical JSON of the entry without its `hash`
 * member (everything else, `seq` and `prev` included, is covered).
 */
export function hashEntry(entry: AuditEntry | Omit<AuditEntry, "hash">): string {
  const { hash: _ignored, ...covered } = entry as AuditEntry;
  return sha256Digest(canonicalJson(covered));
}
