import { auditRecordPath } from "./audit-paths.js";
import type { AuditEntry, ChainLine, NewAuditEntry } from "./audit-types.js";
import { canonicalJson } from "./canonical-json.js";
import { chainLineOf, formatChainLine, parseChain } from "./chain-lines.js";
import { GENESIS_PREV, hashEntry } from "./hash-entry.js";
import { checkAuditEntry } from "./validate-entry.js";

/** The existing chain is malformed: appending to it would hide the break, so nothing is appended. */
export class AuditChainError extends Error {}

/** The entry to append is incomplete, malformed or holds something that must never be recorded. */
export class AuditEntryError extends Error {
  constructor(readonly problems: string[]) {
    super(`audit entry refused:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  }
}

export interface AppendedEntry {
  entry: AuditEntry;
  /** Repository path of the record file, and its content. */
  recordPath: string;
  recordText: string;
  /** The new chain line (without newline) and the whole new chain.jsonl. */
  line: string;
  chainText: string;
}

/**
 * Appends an entry to a chain: seq = last seq + 1, prev = the last entry's hash (GENESIS_PREV for the
 * first), hash over the rest. `chainText` is chain.jsonl as read at the branch head, or null when the file
 * does not exist yet. Throws AuditChainError when the existing chain is malformed or already holds the key
 * (look it up with findChainLine first: a redelivered execution must not be appended twice), and
 * AuditEntryError when the entry is invalid.
 */
export function appendEntry(chainText: string | null, newEntry: NewAuditEntry): AppendedEntry {
  const body = checkAuditEntry(newEntry, { chained: false });
  if (!body.ok) throw new AuditEntryError(body.errors);
  const parsed = parseChain(chainText ?? "");
  if (parsed.broken) {
    throw new AuditChainError(
      `the audit chain is broken at line ${parsed.broken.line}: ${parsed.broken.reason}; ` +
        "nothing was appended — run `querygate audit verify` and repair the chain first",
    );
  }
  if (parsed.lines.some((line) => line.key === newEntry.key)) {
    throw new AuditChainError(`the audit chain already records key ${newEntry.key}: not appending it twice`);
  }
  const last = parsed.lines.at(-1);
  const unhashed = { ...newEntry, seq: (last?.seq ?? 0) + 1, prev: last?.hash ?? GENESIS_PREV };
  const entry: AuditEntry = { ...unhashed, hash: hashEntry(unhashed) };
  const checked = checkAuditEntry(entry);
  if (!checked.ok) throw new AuditEntryError(checked.errors);
  const recordPath = auditRecordPath(entry.execution.ended_at, entry.key);
  const line = formatChainLine(chainLineOf(entry, recordPath));
  return {
    entry,
    recordPath,
    recordText: formatRecord(entry),
    line,
    chainText: `${chainText ?? ""}${line}\n`,
  };
}

/** The chain line for `key`, or null. Throws AuditChainError on a malformed chain. */
export function findChainLine(chainText: string | null, key: string): ChainLine | null {
  const parsed = parseChain(chainText ?? "");
  const found = parsed.lines.find((line) => line.key === key);
  if (found) return found;
  if (parsed.broken) {
    throw new AuditChainError(
      `the audit chain is broken at line ${parsed.broken.line}: ${parsed.broken.reason}`,
    );
  }
  return null;
}

/**
 * A record file's text: the entry with sorted keys, indented two spaces for people, and a final newline.
 * Only its parsed value counts: verify hashes the canonical JSON of what it parses.
 */
export function formatRecord(entry: AuditEntry): string {
  return `${JSON.stringify(JSON.parse(canonicalJson(entry)), null, 2)}\n`;
}
