import { MAX_PATTERN_CHARS } from "./policy-limits.js";

/** What a glob names: tables (`when.objects`), columns (`when.columns`), or either (owners). */
export type PatternLevel = "table" | "column" | "table_or_column";

const TARGET_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const SEGMENT = /^[A-Za-z0-9_$*]+$/;
const MOST_SEGMENTS: Record<PatternLevel, number> = { table: 2, column: 3, table_or_column: 3 };
const FEWEST_SEGMENTS: Record<PatternLevel, number> = { table: 2, column: 3, table_or_column: 2 };
const SHAPES: Record<PatternLevel, string> = {
  table: "`target/schema.table`",
  column: "`target/schema.table.column`",
  table_or_column: "`target/schema.table` or `target/schema.table.column`",
};

export type PatternCheck = { ok: true; target: string | null } | { ok: false; error: string };

/**
 * Checks a glob over `target/schema.table[.column]`: `*` matches within one part, `**` any number of parts.
 * Returns the literal target name (to check it exists once all files are read), or null for a glob.
 */
export function checkTargetPattern(pattern: string, level: PatternLevel): PatternCheck {
  const shape = SHAPES[level];
  if (pattern.length > MAX_PATTERN_CHARS) {
    return {
      ok: false,
      error: `\`${pattern.slice(0, 40)}…\` is longer than ${MAX_PATTERN_CHARS} characters`,
    };
  }
  const slash = pattern.indexOf("/");
  if (slash === -1) {
    return { ok: false, error: `\`${pattern}\` has no target: write ${shape} (\`*/\` for every target)` };
  }
  const target = pattern.slice(0, slash);
  const object = pattern.slice(slash + 1);
  const isGlob = target.includes("*");
  if (isGlob ? !/^[a-z0-9_*-]+$/.test(target) : !TARGET_NAME.test(target)) {
    return {
      ok: false,
      error: `\`${pattern}\`: \`${target}\` is not a target name or glob (lowercase letters, digits, '-', '_', '*')`,
    };
  }
  const problem = checkSegments(object, { fewest: FEWEST_SEGMENTS[level], most: MOST_SEGMENTS[level] });
  if (problem) return { ok: false, error: `\`${pattern}\`: ${problem}; write ${shape}` };
  return { ok: true, target: isGlob ? null : target };
}

/** Checks a `mask` glob: `schema.table.column`, `table.column` or `*.ssn`. */
export function checkColumnGlob(glob: string): string | null {
  if (glob.length > MAX_PATTERN_CHARS)
    return `\`${glob.slice(0, 40)}…\` is longer than ${MAX_PATTERN_CHARS} characters`;
  const problem = checkSegments(glob, { fewest: 2, most: 3 });
  return problem
    ? `\`${glob}\`: ${problem}; write \`schema.table.column\`, \`table.column\` or \`*.column\``
    : null;
}

function checkSegments(text: string, { fewest, most }: { fewest: number; most: number }): string | null {
  const segments = text.split(".");
  for (const segment of segments) {
    if (segment === "") return "an empty name between dots";
    if (!SEGMENT.test(segment))
      return `\`${segment}\` is not a name or glob (letters, digits, '_', '$', '*')`;
    if (segment.includes("**") && segment !== "**")
      return `\`**\` must stand alone between dots, not in \`${segment}\``;
  }
  const spans = segments.includes("**");
  if (segments.length > most || (!spans && segments.length < fewest)) {
    return `\`${text}\` has ${segments.length} dotted part${segments.length === 1 ? "" : "s"}`;
  }
  return null;
}
