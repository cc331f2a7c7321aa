/** Text safe inside a markdown table cell: one line, no pipes breaking the table. */
export function tableCell(value: string, maxChars = 80): string {
  const oneLine = value.replace(/\s+/g, " ").trim();
  const cut = oneLine.length > maxChars ? `${oneLine.slice(0, maxChars - 1)}…` : oneLine;
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
 * Cuts markdown to a character limit at a line boundary and says so explicitly.
 * Lengths are UTF-16 units, which never undercount GitHub's character count.
 */
export function fitToLimit(markdown: string, limit: number, hint: string): FitResult {
  if (markdown.length <= limit) return { text: markdown, truncated: false };
  const marker = (omitted: number) => `\n\n---\n**Truncated**: ${omitted} more characters not shown. ${hint}`;
  const reserve = marker(markdown.length).length + 32;
  let cut = markdown.lastIndexOf("\n", limit - reserve);
  if (cut <= 0) cut = limit - reserve;
  // Never split a surrogate pair.
  if (/[\uD800-\uDBFF]/.test(markdown.charAt(cut - 1))) cut--;
  const kept = closeOpenFence(markdown.slice(0, cut));
  const text = kept + marker(markdown.length - cut);
  return { text: text.length <= limit ? text : text.slice(0, limit), truncated: true };
}

function closeOpenFence(text: string): string {
  const fences = [...text.matchAll(/^(`{3,})/gm)];
  if (fences.length % 2 === 1) return `${text}\n${fences[fences.length - 1]?.[1] ?? "```"}`;
  return text;
}
