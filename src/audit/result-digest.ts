import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical-json.js";
import { DIGEST_PREFIX } from "./digest.js";

/** What stands in for the value of a masked column, in the digest as in every log. */
export const MASKED_VALUE = "[masked]";

export interface ResultDigester {
  /** One row, its cells in column order. */
  addRow(row: ReadonlyArray<unknown>): void;
  /** `sha256:<hex>`; the digester cannot be used afterwards. */
  digest(): string;
}

/**
 * A digest of a whole result without keeping it: sha256 over the canonical JSON of
 * `{"columns":[…],"rows":[[…],…]}`, written row by row. Masked columns are digested as MASKED_VALUE, so
 * the digest cannot confirm a guess of a masked value. Cells are normalised first: bigint → decimal
 * string, Date → ISO 8601, bytes → PostgreSQL's hex form `\x…`, non-finite numbers → "NaN" /
 * "Infinity" / "-Infinity", JSON values as themselves.
 */
export function createResultDigester(
  columns: ReadonlyArray<string>,
  masked: Iterable<string> = [],
): ResultDigester {
  const maskedSet = new Set(masked);
  const maskedAt = columns.map((name) => maskedSet.has(name));
  const hash = createHash("sha256");
  hash.update(`{"columns":${canonicalJson([...columns])},"rows":[`);
  let rows = 0;
  let done = false;
  return {
    addRow(row) {
      if (done) throw new Error("result digest: addRow after digest()");
      if (row.length !== columns.length) {
        throw new Error(`result digest: row ${rows + 1} has ${row.length} cells, expected ${columns.length}`);
      }
      const cells = row.map((cell, i) => (maskedAt[i] ? MASKED_VALUE : normaliseCell(cell)));
      hash.update(`${rows === 0 ? "" : ","}${canonicalJson(cells)}`);
      rows++;
    },
    digest() {
      if (done) throw new Error("result digest: digest() called twice");
      done = true;
      hash.update("]}");
      return `${DIGEST_PREFIX}${hash.digest("hex")}`;
    },
  };
}

/** The digest of a result held in memory; the same as feeding each row to createResultDigester. */
export function resultDigest(p: {
  columns: ReadonlyArray<string>;
  rows: Iterable<ReadonlyArray<unknown>>;
  masked?: Iterable<string>;
}): string {
  const digester = createResultDigester(p.columns, p.masked);
  for (const row of p.rows) digester.addRow(row);
  return digester.digest();
}

function normaliseCell(cell: unknown): unknown {
  if (cell === undefined) return null;
  if (typeof cell === "bigint") return cell.toString();
  if (typeof cell === "number" && !Number.isFinite(cell)) return String(cell);
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? "invalid date" : cell.toISOString();
  if (cell instanceof Uint8Array)
    return `\\x${Buffer.from(cell.buffer, cell.byteOffset, cell.byteLength).toString("hex")}`;
  if (Array.isArray(cell)) return cell.map(normaliseCell);
  if (cell !== null && typeof cell === "object") {
    return Object.fromEntries(Object.entries(cell).map(([key, value]) => [key, normaliseCell(value)]));
  }
  return cell;
}
