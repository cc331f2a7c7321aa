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
 * Cuts markdown to a character limit at a line boundary and says so explicitly.
 * Lengths are UTF-16 units, which never undercount GitHub's character count.
 */
export function fitToLimit(markdown: string, limit: number, hint: string): FitResult {
  if (markdown.length <= limit) return { text: markdown, truncated: false };
  const marker = (omitted: number) => `\n\n---\n**Truncated**: ${omitted} more characters not shown. ${hint}`;
  // Closing an open fence adds characters, so shrink the kept part until the whole result fits.
  let budget = limit - marker(markdown.length).length;
  for (;;) {
    let cut = markdown.lastIndexOf("\n", budget);
    if (cut <= 0) cut = Math.max(0, budget);
    const head = withoutSplitPair(markdown, cut);
    const text = closeOpenFence(head) + marker(markdown.length - head.length);
    if (text.length <= limit) return { text, truncated: true };
    if (cut === 0) return { text: text.slice(0, limit), truncated: true };
    budget = cut - (text.length - limit);
  }
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
