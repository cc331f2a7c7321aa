/** Characters a single `*` never crosses: the separators of `target/schema.table.column`. */
const SEPARATORS = "/.";
/** Table prefixes whose `couldMatchChildOf` answer each glob remembers; dropped whole when full. */
const MAX_CHILD_MATCH_CACHE_ENTRIES = 1_000;

type GlobToken = { kind: "literal"; char: string } | { kind: "star" } | { kind: "globstar" };

export interface Glob {
  source: string;
  /** Full-string match. */
  test(subject: string): boolean;
  /** The text before the first wildcard. */
  literalPrefix: string;
  hasWildcard: boolean;
  hasGlobstar: boolean;
  /**
   * Whether the glob matches `prefix + name` for some non-empty `name` without `/`: a `*` column of a
   * table may stand for any column, so a column glob that could match one of them must not be ignored.
   */
  couldMatchChildOf(prefix: string): boolean;
}

/** `*` matches any run of characters except `/` and `.`, `**` any run at all; the rest is literal, case-sensitive. */
export function compileGlob(source: string): Glob {
  const tokens = tokenize(source);
  const parts: string[] = [];
  let literalPrefix = "";
  let prefixDone = false;
  for (const t of tokens) {
    if (t.kind === "literal") {
      parts.push(escapeRegExp(t.char));
      if (!prefixDone) literalPrefix += t.char;
    } else {
      parts.push(t.kind === "star" ? "[^/.]*" : ".*");
      prefixDone = true;
    }
  }
  const hasWildcard = prefixDone;
  const hasGlobstar = tokens.some((t) => t.kind === "globstar");
  const regex = new RegExp(`^${parts.join("")}$`, "s");
  const childMatches = new Map<string, boolean>();
  let lastSlash = -1;
  tokens.forEach((t, i) => {
    if (t.kind === "literal" && t.char === "/") lastSlash = i;
  });
  return {
    source,
    literalPrefix,
    hasWildcard,
    hasGlobstar,
    test: hasWildcard ? (subject) => regex.test(subject) : (subject) => subject === source,
    couldMatchChildOf(prefix) {
      let answer = childMatches.get(prefix);
      if (answer === undefined) {
        // The rest of the glob after consuming `prefix` must be non-empty and hold no literal `/`.
        answer = false;
        for (const state of statesAfter(tokens, prefix)) {
          if (state < tokens.length && state > lastSlash) answer = true;
        }
        if (childMatches.size >= MAX_CHILD_MATCH_CACHE_ENTRIES) childMatches.clear();
        childMatches.set(prefix, answer);
      }
      return answer;
    },
  };
}

function tokenize(source: string): GlobToken[] {
  const tokens: GlobToken[] = [];
  for (let i = 0; i < source.length; i++) {
    const char = source[i] as string;
    if (char !== "*") tokens.push({ kind: "literal", char });
    else if (source[i + 1] === "*") {
      tokens.push({ kind: "globstar" });
      while (source[i + 1] === "*") i++;
    } else tokens.push({ kind: "star" });
  }
  return tokens;
}

/** Positions in `tokens` an NFA can be in after reading `input` (wildcards may also match nothing). */
function statesAfter(tokens: GlobToken[], input: string): Set<number> {
  let states = closure(tokens, new Set([0]));
  for (const char of input) {
    const next = new Set<number>();
    for (const s of states) {
      const t = tokens[s];
      if (!t) continue;
      if (t.kind === "literal" ? t.char === char : t.kind === "globstar" || !SEPARATORS.includes(char)) {
        next.add(t.kind === "literal" ? s + 1 : s);
      }
    }
    states = closure(tokens, next);
    if (states.size === 0) break;
  }
  return states;
}

function closure(tokens: GlobToken[], states: Set<number>): Set<number> {
  for (const s of states) {
    let i = s;
    while (tokens[i] && tokens[i]?.kind !== "literal") states.add(++i);
  }
  return states;
}

function escapeRegExp(char: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(char) ? `\\${char}` : char;
}

/**
 * Mask globs are over `schema.table.column` and may leave the schema out (`table.column`, `*.ssn`): a column
 * is masked when either form matches, so a short glob masks more, never less.
 */
export function maskGlobMatches(
  glob: Glob,
  column: { schema: string; table: string; column: string },
): boolean {
  return (
    glob.test(`${column.schema}.${column.table}.${column.column}`) ||
    glob.test(`${column.table}.${column.column}`)
  );
}
