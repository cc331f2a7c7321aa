import { AUDIT_CHAIN_PATH, AUDIT_KEY_PATTERN, AUDIT_RECORD_PATH_PATTERN } from "./audit-paths.js";
import type { AuditEntry, ChainLine } from "./audit-types.js";
import { canonicalJson, parseCanonicalJson } from "./canonical-json.js";
import { DIGEST_PATTERN } from "./digest.js";
import { GENESIS_PREV } from "./hash-entry.js";

const CHAIN_LINE_KEYS = ["hash", "key", "prev", "record", "seq"] as const;

/** The chain line of an entry stored at `recordPath`. */
export function chainLineOf(entry: AuditEntry, recordPath: string): ChainLine {
  return { seq: entry.seq, prev: entry.prev, hash: entry.hash, key: entry.key, record: recordPath };
}

/** One line of chain.jsonl, without its newline: canonical JSON. */
export function formatChainLine(line: ChainLine): string {
  return canonicalJson({ ...line });
}

/** Where a chain stops being well-formed: the 1-based line number (= the entry's expected seq). */
export interface ChainBreak {
  line: number;
  reason: string;
}

export interface ParsedChain {
  /** The well-formed lines before the first break (all of them when `broken` is null). */
  lines: ChainLine[];
  broken: ChainBreak | null;
}

/**
 * Reads chain.jsonl and checks what the lines alone can show: each line is the canonical JSON of a chain
 * line, `seq` counts 1, 2, 3 …, `prev` is the previous line's `hash` (GENESIS_PREV first), keys are unique,
 * the record path names the key, and the file ends with a newline. Records and request files are
 * checked by verifyChain.
 */
export function parseChain(text: string): ParsedChain {
  const lines: ChainLine[] = [];
  if (text === "") return { lines, broken: null };
  const rows = text.split("\n");
  const unterminated = rows.pop();
  const keys = new Map<string, number>();
  for (let i = 0; i < rows.length; i++) {
    const lineNo = i + 1;
    const fail = (reason: string): ParsedChain => ({ lines, broken: { line: lineNo, reason } });
    const raw = rows[i] as string;
    if (raw === "") return fail("empty line");
    const parsed = parseCanonicalJson(raw);
    if (!parsed.ok) return fail(`line is ${parsed.error}`);
    const shape = chainLineShape(parsed.value);
    if (typeof shape === "string") return fail(shape);
    const line = shape;
    const previous = lines.at(-1);
    if (line.seq !== lineNo) {
      return fail(
        line.seq > lineNo
          ? `seq is ${line.seq}, expected ${lineNo}: ${line.seq - lineNo === 1 ? "an entry is" : "entries are"} missing before it`
          : `seq is ${line.seq}, expected ${lineNo}: entries are repeated or out of order`,
      );
    }
    const expectedPrev = previous?.hash ?? GENESIS_PREV;
    if (line.prev !== expectedPrev) {
      return fail(
        previous
          ? `prev does not match entry ${previous.seq}'s hash (prev ${line.prev}, entry ${previous.seq} has ${previous.hash})`
          : `prev of the first entry must be the genesis value ${GENESIS_PREV}, got ${line.prev}`,
      );
    }
    const first = keys.get(line.key);
    if (first !== undefined) return fail(`key ${line.key} was already recorded by entry ${first}`);
    keys.set(line.key, line.seq);
    lines.push(line);
  }
  if (unterminated !== "") {
    return {
      lines,
      broken: {
        line: rows.length + 1,
        reason: `${AUDIT_CHAIN_PATH} does not end with a newline: the last line is incomplete`,
      },
    };
  }
  return { lines, broken: null };
}

/** A chain line from parsed JSON, or what is wrong with it. */
function chainLineShape(value: unknown): ChainLine | string {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "line is not a JSON object";
  const fields = Object.keys(value).sort();
  if (fields.join(",") !== CHAIN_LINE_KEYS.join(",")) {
    return `line must have exactly the fields ${CHAIN_LINE_KEYS.join(", ")}; it has ${fields.join(", ")}`;
  }
  const { seq, prev, hash, key, record } = value as Record<string, unknown>;
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 1) return "seq must be an integer ≥ 1";
  if (typeof prev !== "string" || !DIGEST_PATTERN.test(prev)) return "prev must be sha256:<64 hex>";
  if (typeof hash !== "string" || !DIGEST_PATTERN.test(hash)) return "hash must be sha256:<64 hex>";
  if (typeof key !== "string" || !AUDIT_KEY_PATTERN.test(key)) return "key must be 16–128 lowercase hex";
  if (typeof record !== "string") return "record must be a path";
  const match = AUDIT_RECORD_PATH_PATTERN.exec(record);
  if (!match || match[1] !== key) return `record must be audit/YYYY/MM/${key}.json, got "${record}"`;
  return { seq, prev, hash, key, record };
}
