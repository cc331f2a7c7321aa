import { AUDIT_CHAIN_PATH, AUDIT_RECORD_PATH_PATTERN, auditRecordPath } from "./audit-paths.js";
import type { AuditEntry, ChainLine } from "./audit-types.js";
import { parseChain } from "./chain-lines.js";
import { GENESIS_PREV, hashEntry } from "./hash-entry.js";
import { statementHash } from "./statement-hash.js";
import { checkAuditEntry } from "./validate-entry.js";

/** A request file read at a commit: its bytes, or why it could not be read. */
export type RequestFileRead =
  | { found: true; bytes: Uint8Array }
  /** The commit exists but has no such file: the record points at nothing — broken. */
  | { found: false; reason: "no-file" }
  /** The commit is not available here (not fetched): the entry cannot be checked — incomplete. */
  | { found: false; reason: "no-commit"; hint?: string };

export interface VerifyChainSources {
  /** chain.jsonl as read at the branch head ("" when the file is absent). */
  chainText: string;
  /** A record file's text at the same commit, or null when there is no such file. */
  readRecord(path: string): Promise<string | null>;
  /** A request file's bytes at a commit (the entry's `head_sha`). */
  readRequestFile(commit: string, path: string): Promise<RequestFileRead>;
  /** Every record file path under audit/ at the same commit: each must be in the chain. Optional. */
  listRecordPaths?(): Promise<string[]>;
  /** A hash published elsewhere (PR comment, state store): it must be one of the chain's entries. */
  expectHash?: string;
}

export type ChainVerification =
  | { ok: true; count: number; head: string }
  | {
      ok: false;
      /** Entry number (= line of chain.jsonl = expected seq), or null for a problem of the whole chain. */
      entry: number | null;
      error: string;
      /** True when an entry could not be checked (a commit is missing here), not shown to be wrong. */
      incomplete: boolean;
      /** Entries checked and found sound before the problem. */
      verified: number;
    };

/**
 * Checks an audit chain entry by entry and reports the first problem: each line well-formed and linked
 * (seq, prev), each record present, valid, equal to its line, hashing to its hash and stored at its path,
 * and each statement hash equal to the hash of the request file's bytes [byte_start, byte_end) at the
 * recorded commit. Then, when given, that `expectHash` is in the chain and that no record file is
 * outside it.
 */
export async function verifyChain(sources: VerifyChainSources): Promise<ChainVerification> {
  const parsed = parseChain(sources.chainText);
  const requestCache = new Map<string, Promise<RequestFileRead>>();
  const readRequest = (commit: string, path: string): Promise<RequestFileRead> => {
    const cacheKey = `${commit}\0${path}`;
    let read = requestCache.get(cacheKey);
    if (!read) {
      read = sources.readRequestFile(commit, path);
      requestCache.set(cacheKey, read);
    }
    return read;
  };

  let verified = 0;
  for (const line of parsed.lines) {
    const problem = await checkEntry(line, sources.readRecord, readRequest);
    if (problem)
      return { ok: false, entry: line.seq, verified, error: problem.reason, incomplete: problem.incomplete };
    verified++;
  }
  if (parsed.broken) {
    return {
      ok: false,
      entry: parsed.broken.line,
      error: parsed.broken.reason,
      incomplete: false,
      verified,
    };
  }

  const head = parsed.lines.at(-1)?.hash ?? GENESIS_PREV;
  if (sources.expectHash !== undefined && !parsed.lines.some((line) => line.hash === sources.expectHash)) {
    return {
      ok: false,
      entry: null,
      error: `the expected hash ${sources.expectHash} is in no entry: the chain was rewritten or truncated (head ${head})`,
      incomplete: false,
      verified,
    };
  }
  if (sources.listRecordPaths) {
    const chained = new Set(parsed.lines.map((line) => line.record));
    const stray = (await sources.listRecordPaths())
      .filter((path) => AUDIT_RECORD_PATH_PATTERN.test(path) && !chained.has(path))
      .sort();
    if (stray.length > 0) {
      return {
        ok: false,
        entry: null,
        error: `${stray.length} record file(s) are not in ${AUDIT_CHAIN_PATH}, first ${stray[0]}: the chain lost entries, or the file was added by hand`,
        incomplete: false,
        verified,
      };
    }
  }
  return { ok: true, count: parsed.lines.length, head };
}

async function checkEntry(
  line: ChainLine,
  readRecord: VerifyChainSources["readRecord"],
  readRequest: (commit: string, path: string) => Promise<RequestFileRead>,
): Promise<{ reason: string; incomplete: boolean } | null> {
  const broken = (reason: string) => ({ reason: `${line.record}: ${reason}`, incomplete: false });
  const text = await readRecord(line.record);
  if (text === null) return broken("the record file is missing");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return broken(`the record is not valid JSON (${(error as Error).message})`);
  }
  const checked = checkAuditEntry(value);
  if (!checked.ok) return broken(`the record is malformed: ${checked.errors.join("; ")}`);
  const entry = checked.entry;
  for (const field of ["seq", "prev", "key", "hash"] as const) {
    if (entry[field] !== line[field]) {
      return broken(`the record's ${field} is ${entry[field]}, the chain line says ${line[field]}`);
    }
  }
  const actual = hashEntry(entry);
  if (actual !== entry.hash) {
    return broken(
      `the record's content hashes to ${actual}, not to its recorded hash ${entry.hash}: it was changed`,
    );
  }
  const expectedPath = auditRecordPath(entry.execution.ended_at, entry.key);
  if (expectedPath !== line.record) return broken(`the record belongs at ${expectedPath}`);
  return checkStatement(entry, readRequest);
}

async function checkStatement(
  entry: AuditEntry,
  readRequest: (commit: string, path: string) => Promise<RequestFileRead>,
): Promise<{ reason: string; incomplete: boolean } | null> {
  const { path, statements } = entry.request;
  const at = `${path} at commit ${entry.head_sha}`;
  const read = await readRequest(entry.head_sha, path);
  if (!read.found) {
    return read.reason === "no-commit"
      ? {
          reason: `cannot check the statements: commit ${entry.head_sha} is not available${read.hint ? ` (${read.hint})` : ""}`,
          incomplete: true,
        }
      : { reason: `the request file ${at} does not exist`, incomplete: false };
  }
  for (const { index, byte_start: start, byte_end: end, hash } of statements) {
    if (end > read.bytes.byteLength) {
      return {
        reason: `statement ${index}: bytes ${start}..${end} lie beyond the end of ${at} (${read.bytes.byteLength} bytes)`,
        incomplete: false,
      };
    }
    const actual = statementHash(read.bytes.subarray(start, end));
    if (actual !== hash) {
      return {
        reason: `statement ${index}: hash ${hash} does not match bytes ${start}..${end} of ${at} (${actual})`,
        incomplete: false,
      };
    }
  }
  return null;
}
