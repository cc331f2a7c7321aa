/** Text safe inside a markdown table cell: one line, no pipes breaking the table. */
export function tableCell(value: string, maxChars = 80): string {
  const oneLine = value.replace(/\s+/g, " ").trim();
  const cut = oneLine.length > maxChars ? `${withoutSplitPair(oneLine, maxChars - 1)}…` : oneLine;
  return cut.replaceAll("\\", "\\\\").replaceAll("|", "\\|").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** Inline code that cannot be broken out of by backticks in the value. */
export function inlineCode(value: string): string {
  const longest = Math.max(0, ...[...value.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = "`".repeat(longest + 1);
  const pad = value.startsWith("`") || value.endsWith("`") ? " " : "";
  return `${ticks}${pad}${value}${pad}${ticks}`;
}

/** A fenced code block whose fence is longer than any backtick run inside. */
export function codeBlock(value: string, language = ""): string {
  const longest = Math.max(2, ...[...value.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${language}\n${value.replace(/\n$/, "")}\n${fence}`;
}

export interface FitResult {
  text: string;
  truncated: boolean;
}

/**
 * How a limit counts: `characters` in UTF-16 units (never fewer than GitHub's character count, e.g. issue
 * comments), or `bytes` of UTF-8 (check run summaries and texts: GitHub counts their bytes).
 */
export type LimitUnit = "characters" | "bytes";

/**
 * Cuts markdown to a limit at a line boundary and says so explicitly. Never cuts inside a character: not
 * inside a surrogate pair, nor, counting bytes, inside a character's UTF-8 sequence.
 */
export function fitToLimit(
  markdown: string,
  limit: number,
  hint: string,
  unit: LimitUnit = "characters",
): FitResult {
  const size = unit === "bytes" ? utf8Bytes : (text: string) => text.length;
  if (size(markdown) <= limit) return { text: markdown, truncated: false };
  const marker = (omitted: number) => `\n\n---\n**Truncated**: ${omitted} more characters not shown. ${hint}`;
  // Closing an open fence adds characters, so shrink the kept part until the whole result fits.
  let budget = limit - size(marker(markdown.length));
  for (;;) {
    const within = prefixLength(markdown, Math.max(0, budget), unit);
    let cut = markdown.lastIndexOf("\n", within);
    if (cut <= 0) cut = within;
    const head = markdown.slice(0, cut);
    const text = closeOpenFence(head) + marker(markdown.length - head.length);
    if (size(text) <= limit) return { text, truncated: true };
    if (cut === 0) return { text: text.slice(0, prefixLength(text, limit, unit)), truncated: true };
    budget = size(head) - (size(text) - limit);
  }
}

/** UTF-8 bytes of a string, as GitHub counts a check run's summary and text. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/**
 * The length (in UTF-16 units) of the longest prefix of `text` within `max` units of `unit` that ends on a
 * whole character: never inside a surrogate pair, and counting bytes never inside a UTF-8 sequence.
 */
function prefixLength(text: string, max: number, unit: LimitUnit): number {
  if (unit === "characters") return withoutSplitPair(text, Math.min(max, text.length)).length;
  let bytes = 0;
  let index = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const width = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (bytes + width > max) break;
    bytes += width;
    index += char.length;
  }
  return index;
}

/** The first `length` UTF-16 units, one fewer if the cut would split a surrogate pair. */
function withoutSplitPair(text: string, length: number): string {
  const end = length > 0 && /[\uD800-\uDBFF]/.test(text.charAt(length - 1)) ? length - 1 : length;
  return text.slice(0, end);
}

/** Closes a fenced code block left open, as CommonMark reads fences: only a run at least as long closes one. */
function closeOpenFence(text: string): string {
  let open: string | null = null;
  for (const line of text.split("\n")) {
    const run = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (!run) continue;
    const fence = run[1] ?? "";
    const rest = run[2] ?? "";
    if (open === null) {
      if (!(fence[0] === "`" && rest.includes("`"))) open = fence;
    } else if (fence[0] === open[0] && fence.length >= open.length && rest.trim() === "") open = null;
  }
  return open === null ? text : `${text}\n${open}`;
}
