import type { AnalysisError } from "./statement.js";

/** Largest request file we analyse; larger input is rejected before parsing. */
export const MAX_SQL_SOURCE_BYTES = 1024 * 1024;

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export type DecodedSource = { ok: true; text: string } | { ok: false; error: AnalysisError };

/** Rejects what must never reach the parser; never normalises the text. */
export function decodeSqlSource(source: Uint8Array): DecodedSource {
  if (source.byteLength === 0) {
    return reject("the file is empty: add at least one SQL statement", 1, 1);
  }
  if (source.byteLength > MAX_SQL_SOURCE_BYTES) {
    return reject(
      `the file is ${source.byteLength} bytes, over the limit of ${MAX_SQL_SOURCE_BYTES} bytes: split it into smaller requests`,
      1,
      1,
    );
  }
  const nul = source.indexOf(0);
  if (nul !== -1) {
    const at = lineColumnAtByte(source, nul);
    return reject(
      "the file contains a NUL byte: remove it (PostgreSQL rejects NUL in SQL text)",
      at.line,
      at.column,
    );
  }
  let text: string;
  try {
    text = strictUtf8.decode(source);
  } catch {
    const at = lineColumnAtByte(source, Math.max(0, firstInvalidUtf8Byte(source)));
    return reject("the file is not valid UTF-8: save it as UTF-8", at.line, at.column);
  }
  if (text.trim() === "") {
    return reject("the file holds only whitespace: add at least one SQL statement", 1, 1);
  }
  return { ok: true, text };
}

function reject(message: string, line: number, column: number): DecodedSource {
  return { ok: false, error: { message, line, column } };
}

/** 1-based line and character column of a byte offset into UTF-8 bytes. */
export function lineColumnAtByte(source: Uint8Array, byteOffset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(byteOffset, source.byteLength);
  for (let i = 0; i < end; i++) {
    if (source[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  let column = 1;
  for (let i = lineStart; i < end; i++) {
    // Count characters, not bytes: skip UTF-8 continuation bytes.
    if (((source[i] ?? 0) & 0xc0) !== 0x80) column++;
  }
  return { line, column };
}

/**
 * The same positions as `lineColumnAtByte`, for a series of increasing byte offsets in one pass over the
 * bytes (a file of many statements must not cost a scan from the start per statement). An offset before the
 * previous one restarts the scan.
 */
export function createLineColumnCursor(
  source: Uint8Array,
): (byteOffset: number) => { line: number; column: number } {
  let pos = 0;
  let line = 1;
  let column = 1;
  return (byteOffset) => {
    const end = Math.min(Math.max(0, byteOffset), source.byteLength);
    if (end < pos) {
      pos = 0;
      line = 1;
      column = 1;
    }
    for (; pos < end; pos++) {
      const b = source[pos] ?? 0;
      if (b === 0x0a) {
        line++;
        column = 1;
      } else if ((b & 0xc0) !== 0x80) column++;
    }
    return { line, column };
  };
}

/** Byte offset of the n-th code point (0-based) of a string. */
export function byteOffsetOfCodePoint(text: string, codePointIndex: number): number {
  let bytes = 0;
  let seen = 0;
  for (const ch of text) {
    if (seen === codePointIndex) return bytes;
    bytes += Buffer.byteLength(ch, "utf8");
    seen++;
  }
  return bytes;
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629). */
export function firstInvalidUtf8Byte(source: Uint8Array): number {
  let i = 0;
  while (i < source.byteLength) {
    const b = source[i] ?? 0;
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = source[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** Skips whitespace and SQL comments (nested block comments included) to find the first token. */
export function firstTokenOffset(text: string, from: number, to: number): number {
  let i = from;
  while (i < to) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v") {
      i++;
    } else if (c === "-" && text[i + 1] === "-") {
      while (i < to && text[i] !== "\n") i++;
    } else if (c === "/" && text[i + 1] === "*") {
      let depth = 0;
      while (i < to) {
        if (text[i] === "/" && text[i + 1] === "*") {
          depth++;
          i += 2;
        } else if (text[i] === "*" && text[i + 1] === "/") {
          depth--;
          i += 2;
          if (depth === 0) break;
        } else i++;
      }
    } else break;
  }
  return Math.min(i, to);
}
