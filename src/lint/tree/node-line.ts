import type { Statement } from "../../sql/statement.js";

const NEWLINE = 0x0a;

/**
 * The absolute 1-based line, in the request file, of a parse-tree `location` (a byte offset into the file).
 * Falls back to the statement's first line when the node has no usable location.
 */
export function lineAtLocation(statement: Statement, location: unknown): number {
  const { span } = statement;
  if (typeof location !== "number") return span.line;
  const bytes = Buffer.from(statement.text, "utf8");
  const offset = location - span.byteStart;
  if (offset < 0 || offset >= bytes.length) return span.line;
  // span.endLine is the line of the statement's last byte: count back from it, no scan of the file needed.
  let newlines = 0;
  for (let i = offset; i < bytes.length - 1; i++) if (bytes[i] === NEWLINE) newlines++;
  return Math.max(span.line, span.endLine - newlines);
}
