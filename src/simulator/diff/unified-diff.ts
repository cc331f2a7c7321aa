import { DIFF_CONTEXT_LINES, MAX_DIFF_CELLS } from "../simulator-limits.js";

type Op = { kind: " " | "-" | "+"; text: string };

export interface UnifiedDiff {
  patch: string;
  additions: number;
  deletions: number;
}

const NO_NEWLINE_MARKER = "\\ No newline at end of file";

// A last line without a newline differs from the same text with one (git prints a marker after it),
// so it carries this suffix through the comparison.
const NO_EOL = "\u0000";

function splitLines(content: string | null): string[] {
  if (content === null || content === "") return [];
  const lines = content.split("\n");
  if (content.endsWith("\n")) lines.pop();
  else lines[lines.length - 1] = `${lines[lines.length - 1]}${NO_EOL}`;
  return lines;
}

/** Longest-common-subsequence edit script of the region between a common prefix and suffix. */
function editScript(a: string[], b: string[]): Op[] {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  ) {
    suffix++;
  }
  const midA = a.slice(prefix, a.length - suffix);
  const midB = b.slice(prefix, b.length - suffix);
  const ops: Op[] = a.slice(0, prefix).map((text) => ({ kind: " ", text }));
  if ((midA.length + 1) * (midB.length + 1) > MAX_DIFF_CELLS) {
    ops.push(
      ...midA.map((text): Op => ({ kind: "-", text })),
      ...midB.map((text): Op => ({ kind: "+", text })),
    );
  } else {
    const width = midB.length + 1;
    const lcs = new Uint32Array((midA.length + 1) * width);
    for (let i = midA.length - 1; i >= 0; i--) {
      for (let j = midB.length - 1; j >= 0; j--) {
        lcs[i * width + j] =
          midA[i] === midB[j]
            ? (lcs[(i + 1) * width + j + 1] as number) + 1
            : Math.max(lcs[(i + 1) * width + j] as number, lcs[i * width + j + 1] as number);
      }
    }
    let i = 0;
    let j = 0;
    while (i < midA.length || j < midB.length) {
      if (i < midA.length && j < midB.length && midA[i] === midB[j]) {
        ops.push({ kind: " ", text: midA[i] as string });
        i++;
        j++;
      } else if (
        i < midA.length &&
        (j === midB.length || (lcs[(i + 1) * width + j] as number) >= (lcs[i * width + j + 1] as number))
      ) {
        // Deletions before additions, like git.
        ops.push({ kind: "-", text: midA[i] as string });
        i++;
      } else {
        ops.push({ kind: "+", text: midB[j] as string });
        j++;
      }
    }
  }
  ops.push(...a.slice(a.length - suffix).map((text): Op => ({ kind: " ", text })));
  return ops;
}

/** git leaves out a range's length when it is 1. */
function hunkRange(start: number, count: number): string {
  return count === 1 ? String(start) : `${start},${count}`;
}

/** A `git diff`-style patch body (hunks only, no file headers), as GitHub returns in `files[].patch`. */
export function unifiedDiff(before: string | null, after: string | null): UnifiedDiff {
  const ops = editScript(splitLines(before), splitLines(after));
  const changed = ops.map((op, index) => (op.kind === " " ? -1 : index)).filter((index) => index >= 0);
  if (changed.length === 0) return { patch: "", additions: 0, deletions: 0 };

  // Group changes whose context windows touch into one hunk.
  const groups: Array<{ from: number; to: number }> = [];
  for (const index of changed) {
    const from = Math.max(0, index - DIFF_CONTEXT_LINES);
    const to = Math.min(ops.length - 1, index + DIFF_CONTEXT_LINES);
    const last = groups[groups.length - 1];
    if (last && from <= last.to + 1) last.to = to;
    else groups.push({ from, to });
  }

  const oldLineAt: number[] = [];
  const newLineAt: number[] = [];
  let oldLine = 1;
  let newLine = 1;
  for (const op of ops) {
    oldLineAt.push(oldLine);
    newLineAt.push(newLine);
    if (op.kind !== "+") oldLine++;
    if (op.kind !== "-") newLine++;
  }

  const out: string[] = [];
  let additions = 0;
  let deletions = 0;
  for (const group of groups) {
    const slice = ops.slice(group.from, group.to + 1);
    const oldCount = slice.filter((op) => op.kind !== "+").length;
    const newCount = slice.filter((op) => op.kind !== "-").length;
    const oldStart =
      oldCount === 0 ? (oldLineAt[group.from] as number) - 1 : (oldLineAt[group.from] as number);
    const newStart =
      newCount === 0 ? (newLineAt[group.from] as number) - 1 : (newLineAt[group.from] as number);
    out.push(`@@ -${hunkRange(oldStart, oldCount)} +${hunkRange(newStart, newCount)} @@`);
    for (const op of slice) {
      if (op.kind === "+") additions++;
      if (op.kind === "-") deletions++;
      if (op.text.endsWith(NO_EOL))
        out.push(`${op.kind}${op.text.slice(0, -NO_EOL.length)}`, NO_NEWLINE_MARKER);
      else out.push(`${op.kind}${op.text}`);
    }
  }
  return { patch: out.join("\n"), additions, deletions };
}
