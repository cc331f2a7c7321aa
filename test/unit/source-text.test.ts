import { describe, expect, it } from "vitest";
import {
  byteOffsetOfCodePoint,
  createLineColumnCursor,
  firstInvalidUtf8Byte,
  firstTokenOffset,
  lineColumnAtByte,
} from "../../src/sql/source-text.js";

const utf8 = (text: string) => Buffer.from(text, "utf8");
const bytes = (...values: number[]) => Uint8Array.from(values);

describe("lineColumnAtByte", () => {
  it("starts at line 1, column 1", () => {
    expect(lineColumnAtByte(utf8("SELECT 1"), 0)).toEqual({ line: 1, column: 1 });
  });

  it("moves to the next line after a newline", () => {
    const source = utf8("SELECT 1;\n  SELECT 2;");
    expect(lineColumnAtByte(source, 9)).toEqual({ line: 1, column: 10 });
    expect(lineColumnAtByte(source, 10)).toEqual({ line: 2, column: 1 });
    expect(lineColumnAtByte(source, 12)).toEqual({ line: 2, column: 3 });
  });

  it("counts columns in characters, not bytes", () => {
    const source = utf8("é😀x");
    // é is 2 bytes, 😀 is 4: x starts at byte 6 and is the third character.
    expect(lineColumnAtByte(source, 6)).toEqual({ line: 1, column: 3 });
  });

  it("treats CRLF as one line break", () => {
    expect(lineColumnAtByte(utf8("a\r\nb"), 3)).toEqual({ line: 2, column: 1 });
  });

  it("clamps an offset past the end to the end", () => {
    expect(lineColumnAtByte(utf8("ab\nc"), 99)).toEqual({ line: 2, column: 2 });
  });
});

describe("createLineColumnCursor", () => {
  it("agrees with lineColumnAtByte for increasing and decreasing offsets", () => {
    const source = utf8("-- é\n/* 😀 */ SELECT 1;\n\n  SELECT 'ü';\n");
    const position = createLineColumnCursor(source);
    const offsets = [0, 3, 5, 9, 14, 14, 20, 26, 28, 2, source.byteLength, source.byteLength + 5];
    for (const offset of offsets) expect(position(offset)).toEqual(lineColumnAtByte(source, offset));
  });
});

describe("byteOffsetOfCodePoint", () => {
  it("counts ASCII one byte per code point", () => {
    expect(byteOffsetOfCodePoint("SELECT", 3)).toBe(3);
  });

  it("counts multi-byte code points by their UTF-8 length", () => {
    // é = 2 bytes, 😀 = 4 bytes (one code point, two UTF-16 units).
    expect(byteOffsetOfCodePoint("é😀x", 0)).toBe(0);
    expect(byteOffsetOfCodePoint("é😀x", 1)).toBe(2);
    expect(byteOffsetOfCodePoint("é😀x", 2)).toBe(6);
    expect(byteOffsetOfCodePoint("é😀x", 3)).toBe(7);
  });

  it("returns the byte length for an index past the end", () => {
    expect(byteOffsetOfCodePoint("é😀", 10)).toBe(6);
  });
});

describe("firstInvalidUtf8Byte", () => {
  it.each([
    ["ASCII", utf8("SELECT 1")],
    ["two-byte", utf8("é")],
    ["three-byte", utf8("€")],
    ["four-byte", utf8("😀")],
    ["the lowest two-byte", bytes(0xc2, 0x80)],
    ["the lowest three-byte", bytes(0xe0, 0xa0, 0x80)],
    ["the lowest four-byte", bytes(0xf0, 0x90, 0x80, 0x80)],
    ["U+10FFFF", bytes(0xf4, 0x8f, 0xbf, 0xbf)],
    ["U+D7FF, just below the surrogates", bytes(0xed, 0x9f, 0xbf)],
    ["U+E000, just above the surrogates", bytes(0xee, 0x80, 0x80)],
    ["empty input", bytes()],
  ])("returns -1 for valid %s", (_name, source) => {
    expect(firstInvalidUtf8Byte(source)).toBe(-1);
  });

  it.each([
    ["an overlong two-byte NUL", bytes(0x41, 0xc0, 0x80), 1],
    ["an overlong two-byte '/'", bytes(0xc1, 0xaf), 0],
    ["an overlong three-byte encoding", bytes(0x41, 0x42, 0xe0, 0x80, 0xaf), 2],
    ["an overlong four-byte encoding", bytes(0xf0, 0x8f, 0xbf, 0xbf), 0],
    ["a high surrogate", bytes(0x41, 0xed, 0xa0, 0x80), 1],
    ["a low surrogate", bytes(0xed, 0xbf, 0xbf), 0],
    ["a code point above U+10FFFF", bytes(0xf4, 0x90, 0x80, 0x80), 0],
    ["a five-byte lead", bytes(0xf8, 0x88, 0x80, 0x80, 0x80), 0],
    ["a lone continuation byte", bytes(0x41, 0x80), 1],
    ["0xFF", bytes(0x41, 0x42, 0x43, 0xff), 3],
    ["a truncated two-byte sequence at the end", bytes(0x41, 0xc3), 1],
    ["a truncated three-byte sequence at the end", bytes(0xe2, 0x82), 0],
    ["a truncated four-byte sequence before ASCII", bytes(0xf0, 0x9f, 0x98, 0x41), 0],
  ])("returns the offset of %s", (_name, source, offset) => {
    expect(firstInvalidUtf8Byte(source)).toBe(offset);
  });

  it("skips valid multi-byte sequences before the invalid byte", () => {
    const source = Buffer.concat([utf8("é😀€"), bytes(0xff)]);
    expect(firstInvalidUtf8Byte(source)).toBe(9);
  });
});

describe("firstTokenOffset", () => {
  it("returns the start when it is a token", () => {
    expect(firstTokenOffset("SELECT 1", 0, 8)).toBe(0);
  });

  it("skips whitespace and line comments", () => {
    const text = "  \t\n-- one\n--two\r\n  SELECT 1";
    expect(firstTokenOffset(text, 0, text.length)).toBe(text.indexOf("SELECT"));
  });

  it("skips nested block comments entirely", () => {
    const text = "/* outer /* inner */ still a comment */ SELECT 1";
    expect(firstTokenOffset(text, 0, text.length)).toBe(text.indexOf("SELECT"));
  });

  it("skips a mix of comment styles", () => {
    const text = "/* a */\n-- b /* not a block */\n/* c -- not a line */SELECT";
    expect(firstTokenOffset(text, 0, text.length)).toBe(text.indexOf("SELECT"));
  });

  it("does not treat a single dash or slash as a comment", () => {
    expect(firstTokenOffset(" -1", 0, 3)).toBe(1);
    expect(firstTokenOffset(" /1", 0, 3)).toBe(1);
  });

  it("stops at the end of the range for an unterminated block comment", () => {
    const text = "/* /* never closed */ SELECT";
    expect(firstTokenOffset(text, 0, text.length)).toBe(text.length);
  });

  it("respects the from and to bounds", () => {
    const text = "SELECT 1;  -- c\n  SELECT 2";
    expect(firstTokenOffset(text, 9, text.length)).toBe(text.lastIndexOf("SELECT"));
    expect(firstTokenOffset(text, 9, 12)).toBe(12);
  });
});
