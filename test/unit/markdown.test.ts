import { describe, expect, it } from "vitest";
import { codeBlock, fitToLimit, inlineCode, tableCell } from "../../src/render/markdown.js";

const HIGH_SURROGATE = /[\uD800-\uDBFF]$/;

/** The backtick fence still open at the end of a markdown text, or null. */
function openFenceAtEnd(text: string): string | null {
  let open: string | null = null;
  for (const line of text.split("\n")) {
    const fence = /^(`{3,})\s*\S*\s*$/.exec(line)?.[1];
    if (fence === undefined) continue;
    if (open === null) open = fence;
    else if (fence.length >= open.length && /^`+\s*$/.test(line)) open = null;
  }
  return open;
}

describe("tableCell", () => {
  it("escapes pipes so they cannot end the cell", () => {
    expect(tableCell("a | b")).toBe("a \\| b");
  });

  it("escapes backslashes before pipes so an escape cannot be undone", () => {
    expect(tableCell("a\\|b")).toBe("a\\\\\\|b");
  });

  it("puts newlines and runs of whitespace on one line", () => {
    expect(tableCell("SELECT *\n  FROM t\r\n\tWHERE x")).toBe("SELECT * FROM t WHERE x");
  });

  it("escapes angle brackets so HTML cannot be injected", () => {
    expect(tableCell("<img src=x>")).toBe("&lt;img src=x&gt;");
  });

  it("keeps a value at the limit whole", () => {
    expect(tableCell("x".repeat(80))).toBe("x".repeat(80));
  });

  it("truncates a value over the limit with an ellipsis, within the limit", () => {
    const cell = tableCell("x".repeat(81));
    expect(cell).toBe(`${"x".repeat(79)}…`);
    expect(cell).toHaveLength(80);
    expect(tableCell("abcdef", 4)).toBe("abc…");
  });

  it("never splits a surrogate pair when truncating", () => {
    const cell = tableCell(`${"a".repeat(78)}😀b`, 80);
    expect(cell).toBe(`${"a".repeat(78)}…`);
    expect(cell.slice(0, -1)).not.toMatch(HIGH_SURROGATE);
  });
});

describe("inlineCode", () => {
  it("wraps a plain value in single backticks", () => {
    expect(inlineCode("queries/a.sql")).toBe("`queries/a.sql`");
  });

  it("uses a longer backtick run than any inside the value", () => {
    expect(inlineCode("a`b")).toBe("``a`b``");
    expect(inlineCode("a``b`c")).toBe("```a``b`c```");
  });

  it("pads a value that starts or ends with a backtick", () => {
    expect(inlineCode("`x")).toBe("`` `x ``");
    expect(inlineCode("x`")).toBe("`` x` ``");
  });
});

describe("codeBlock", () => {
  it("fences a value with three backticks and a language", () => {
    expect(codeBlock("SELECT 1;\n", "sql")).toBe("```sql\nSELECT 1;\n```");
  });

  it("uses a fence longer than any backtick run in the value", () => {
    const value = "SELECT '```';\n```\nSELECT '`````'";
    const block = codeBlock(value, "sql");
    expect(block).toBe(`\`\`\`\`\`\`sql\n${value}\n\`\`\`\`\`\``);
    // Nothing inside can close the fence early.
    const lines = block.split("\n").slice(1, -1);
    expect(lines.every((line) => !/^`{6,}\s*$/.test(line))).toBe(true);
  });
});

describe("fitToLimit", () => {
  const hint = "Run it locally.";

  it("returns the input unchanged at exactly the limit", () => {
    const markdown = "line\n".repeat(200);
    expect(fitToLimit(markdown, markdown.length, hint)).toEqual({ text: markdown, truncated: false });
  });

  it("truncates one character past the limit, with the explicit marker, within the limit", () => {
    const markdown = `${"line\n".repeat(200)}x`;
    const limit = markdown.length - 1;
    const result = fitToLimit(markdown, limit, hint);
    expect(result.truncated).toBe(true);
    expect(result.text.length).toBeLessThanOrEqual(limit);
    expect(result.text).toMatch(
      /\n\n---\n\*\*Truncated\*\*: \d+ more characters not shown\. Run it locally\.$/,
    );
  });

  it("cuts at a line boundary and counts the omitted characters", () => {
    const markdown = Array.from({ length: 100 }, (_, i) => `row ${i}`).join("\n");
    const result = fitToLimit(markdown, 300, hint);
    const kept = result.text.slice(0, result.text.indexOf("\n\n---\n"));
    expect(markdown.startsWith(`${kept}\n`)).toBe(true);
    expect(result.text).toContain(`**Truncated**: ${markdown.length - kept.length} more characters`);
  });

  it("closes a code fence left open by the cut", () => {
    const markdown = `intro\n\`\`\`sql\n${"SELECT 1;\n".repeat(500)}\`\`\`\n`;
    const result = fitToLimit(markdown, 1000, hint);
    expect(result.text.length).toBeLessThanOrEqual(1000);
    const kept = result.text.slice(0, result.text.indexOf("\n\n---\n"));
    expect(openFenceAtEnd(kept)).toBeNull();
    expect(kept.endsWith("\n```")).toBe(true);
  });

  it("closes a long fence with one as long, and still shows the whole marker", () => {
    const fence = "`".repeat(60);
    const markdown = `${fence}sql\n${"SELECT 1;\n".repeat(500)}${fence}\n`;
    const result = fitToLimit(markdown, 1000, hint);
    expect(result.text.length).toBeLessThanOrEqual(1000);
    expect(result.text).toContain(`\n${fence}\n\n---\n**Truncated**`);
    expect(result.text.endsWith(hint)).toBe(true);
  });

  it("does not mistake a shorter fence inside a code block for its end", () => {
    const markdown = `\`\`\`\`sql\n\`\`\`\n${"SELECT 1;\n".repeat(500)}\`\`\`\`\n`;
    const result = fitToLimit(markdown, 500, hint);
    expect(result.text.length).toBeLessThanOrEqual(500);
    expect(result.text).toContain("\n````\n\n---\n**Truncated**");
  });

  it("does not add a fence when the cut falls outside a code block", () => {
    const markdown = `\`\`\`sql\nSELECT 1;\n\`\`\`\n${"text\n".repeat(500)}`;
    const result = fitToLimit(markdown, 400, hint);
    expect(result.text.match(/^```/gm)).toHaveLength(2);
  });

  it("counting bytes: returns CJK text of exactly 65,535 UTF-8 bytes unchanged", () => {
    const markdown = `${"查询".repeat(10_922)}注`; // 21,845 characters × 3 bytes
    expect(Buffer.byteLength(markdown, "utf8")).toBe(65_535);
    expect(fitToLimit(markdown, 65_535, hint, "bytes")).toEqual({ text: markdown, truncated: false });
  });

  it("counting bytes: truncates one byte past the limit, with the marker, within the limit in bytes", () => {
    const markdown = `${"-- vérifié à la caisse; 订单状态检查\n".repeat(1600)}é`.slice(0, 40_000);
    const bytes = Buffer.byteLength(markdown, "utf8");
    expect(markdown.length).toBeLessThan(bytes);
    const result = fitToLimit(markdown, bytes - 1, hint, "bytes");
    expect(result.truncated).toBe(true);
    expect(Buffer.byteLength(result.text, "utf8")).toBeLessThanOrEqual(bytes - 1);
    expect(result.text).toMatch(
      /\n\n---\n\*\*Truncated\*\*: \d+ more characters not shown\. Run it locally\.$/,
    );
    const kept = result.text.slice(0, result.text.indexOf("\n\n---\n"));
    expect(markdown.startsWith(`${kept}\n`)).toBe(true);
  });

  it("counting bytes: 65,536 bytes of CJK come back within 65,535 bytes, where counting characters would not cut", () => {
    const markdown = `${"查询".repeat(10_922)}注x`; // 65,536 bytes, 21,846 characters
    expect(Buffer.byteLength(markdown, "utf8")).toBe(65_536);
    expect(fitToLimit(markdown, 65_535, hint).truncated).toBe(false);
    const result = fitToLimit(markdown, 65_535, hint, "bytes");
    expect(result.truncated).toBe(true);
    expect(Buffer.byteLength(result.text, "utf8")).toBeLessThanOrEqual(65_535);
    expect(result.text).toContain("**Truncated**");
  });

  it("counting bytes: never cuts inside a multi-byte character or a surrogate pair", () => {
    for (const unit of ["é", "注", "😀"]) {
      const markdown = unit.repeat(400);
      for (let limit = 150; limit < 190; limit++) {
        const result = fitToLimit(markdown, limit, hint, "bytes");
        expect(Buffer.byteLength(result.text, "utf8")).toBeLessThanOrEqual(limit);
        const kept = result.text.slice(0, result.text.indexOf("\n\n---\n"));
        expect(kept).not.toMatch(HIGH_SURROGATE);
        expect(kept).toBe(unit.repeat(kept.length / unit.length));
        expect(Buffer.from(result.text, "utf8").toString("utf8")).toBe(result.text);
      }
    }
  });

  it("never splits a surrogate pair", () => {
    for (let limit = 200; limit < 260; limit++) {
      const result = fitToLimit("😀".repeat(400), limit, hint);
      expect(result.text.length).toBeLessThanOrEqual(limit);
      const kept = result.text.slice(0, result.text.indexOf("\n\n---\n"));
      expect(kept).not.toMatch(HIGH_SURROGATE);
      expect(kept).toBe("😀".repeat(kept.length / 2));
    }
  });
});
