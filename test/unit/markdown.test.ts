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
