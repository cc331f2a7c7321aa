/** Folder of the audit trail in the repository. */
export const AUDIT_DIR = "audit";

/** The hash chain: one canonical JSON line per entry, in order. */
export const AUDIT_CHAIN_PATH = `${AUDIT_DIR}/chain.jsonl`;

/** Branch the records are committed to unless configured otherwise (e.g. to the default branch). */
export const DEFAULT_AUDIT_BRANCH = "querygate/audit";

/** An idempotency key: lowercase hex, long enough to be unique, short enough for a file name. */
export const AUDIT_KEY_PATTERN = /^[0-9a-f]{16,128}$/;

/** An ISO 8601 UTC timestamp as `Date.prototype.toISOString` writes it (fraction optional). */
export const ISO_UTC_PATTERN = /^(\d{4})-(\d{2})-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/** A record file path: `audit/YYYY/MM/<key>.json`. */
export const AUDIT_RECORD_PATH_PATTERN = /^audit\/\d{4}\/\d{2}\/([0-9a-f]{16,128})\.json$/;

/**
 * Where the record of an execution lives: `audit/YYYY/MM/<key>.json`, year and month (UTC) of the
 * execution's `ended_at` (ISO 8601 UTC), so the path never depends on the clock of whoever writes it.
 */
export function auditRecordPath(endedAt: string, key: string): string {
  const match = ISO_UTC_PATTERN.exec(endedAt);
  if (!match) throw new Error(`audit record path: ended_at must be ISO 8601 UTC (…Z), got "${endedAt}"`);
  if (!AUDIT_KEY_PATTERN.test(key)) {
    throw new Error(`audit record path: the key must be 16–128 lowercase hex characters, got "${key}"`);
  }
  return `${AUDIT_DIR}/${match[1]}/${match[2]}/${key}.json`;
}
