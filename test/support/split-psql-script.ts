/**
 * A small lexical splitter for psql scripts (PostgreSQL's regression .sql files), for tests only:
 * production never splits SQL text, it hands the whole file to PostgreSQL's grammar.
 *
 * It follows psql's own lexer (src/fe_utils/psqlscan.l) closely enough for the regression suite:
 * - a semicolon ends a statement only outside quotes, comments and parentheses, and outside a
 *   `BEGIN … END` body of `CREATE [OR REPLACE] FUNCTION|PROCEDURE` (psql's begin_depth heuristic);
 * - '…' strings ('' doubles a quote; with an E/e prefix a backslash escapes the next character),
 *   "…" identifiers, $tag$…$tag$ dollar quotes (a `$` after an identifier character or before a
 *   digit is not a dollar quote), nested /* *\/ comments and -- comments;
 * - a backslash outside all of those starts a psql meta-command that runs to the end of the line:
 *   it is dropped; `\g`, `\gx`, `\gset`, `\gexec`, `\gdesc`, `\crosstabview` and `\watch` also end the
 *   statement in the buffer (psql sends it), `\r` empties the buffer, the others leave it as it is;
 *   `\;` separates statements;
 * - after a line that sent `COPY … FROM STDIN` (or ran `\copy … from stdin`), the data lines up to a
 *   line `\.` are skipped, one block per such COPY;
 * - `SET standard_conforming_strings = off` makes a backslash escape in plain '…' strings, as psql does.
 * psql variables (`:name`, `:'name'`) are not substituted: statements using them usually fail to parse.
 */
export interface ScriptStatement {
  /** The statement's text without the terminating semicolon, trimmed. */
  sql: string;
  /** 1-based line of the statement's first character in the script. */
  line: number;
}

const SENDING_META_COMMANDS = new Set(["g", "gx", "gset", "gexec", "gdesc", "crosstabview", "watch"]);
const FUNCTION_HEAD_WORDS = new Set(["create", "function", "procedure", "or", "replace"]);

export function splitPsqlScript(script: string): ScriptStatement[] {
  const out: ScriptStatement[] = [];
  const n = script.length;
  let i = 0;
  let line = 1;
  // The statement being collected, where it starts, and whether it holds a token (not only comments).
  let buffer = "";
  let startLine = 1;
  let hasToken = false;
  let parenDepth = 0;
  let beginDepth = 0;
  let identifiers: string[] = [];
  // COPY … FROM STDIN statements sent on the current line: their data blocks follow it.
  let pendingCopies = 0;
  let standardStrings = true;

  const append = (from: number, to: number) => {
    const piece = script.slice(from, to);
    line += countNewlines(piece);
    buffer += piece;
  };
  const markToken = () => {
    if (hasToken) return;
    hasToken = true;
    // The statement starts at its first non-blank character (leading comments stay in its text).
    startLine = line - countNewlines(buffer.slice(firstNonSpace(buffer)));
  };
  const flush = () => {
    const sql = buffer.trim();
    if (hasToken && sql.length > 0) {
      out.push({ sql, line: startLine });
      const code = withoutComments(sql);
      if (COPY_FROM_STDIN.test(code)) pendingCopies++;
      const strings = STANDARD_STRINGS_SETTING.exec(code);
      if (strings) standardStrings = !/^(off|false)$/i.test(strings[1] ?? "on");
    }
    reset();
  };
  const reset = () => {
    buffer = "";
    hasToken = false;
    parenDepth = 0;
    beginDepth = 0;
    identifiers = [];
  };
  /** At the start of a line: skips one data block (up to a line `\.`) per pending COPY FROM STDIN. */
  const skipCopyData = () => {
    for (; pendingCopies > 0; pendingCopies--) {
      let at = i;
      let crossed = 0;
      for (;;) {
        const eol = script.indexOf("\n", at);
        const text = script.slice(at, eol === -1 ? n : eol).replace(/\r$/, "");
        if (text === "\\.") {
          i = eol === -1 ? n : eol + 1;
          line += crossed + (eol === -1 ? 0 : 1);
          break;
        }
        if (eol === -1) {
          // No terminator: what follows is not COPY data after all.
          pendingCopies = 0;
          return;
        }
        at = eol + 1;
        crossed++;
      }
    }
  };

  while (i < n) {
    const c = script[i] as string;
    const next = script[i + 1];

    if (c === "-" && next === "-") {
      const end = script.indexOf("\n", i);
      const to = end === -1 ? n : end;
      append(i, to);
      i = to;
      continue;
    }
    if (c === "/" && next === "*") {
      const to = endOfBlockComment(script, i);
      append(i, to);
      i = to;
      continue;
    }
    if (c === "'") {
      markToken();
      const to = endOfQuoted(script, i, "'", !standardStrings || isEscapeStringPrefix(script, i));
      append(i, to);
      i = to;
      continue;
    }
    if (c === '"') {
      markToken();
      const to = endOfQuoted(script, i, '"', false);
      append(i, to);
      i = to;
      continue;
    }
    if (c === "$") {
      const tag = dollarTag(script, i);
      if (tag !== null) {
        markToken();
        const close = script.indexOf(tag, i + tag.length);
        const to = close === -1 ? n : close + tag.length;
        append(i, to);
        i = to;
        continue;
      }
    }
    if (c === "\\" && next === ";") {
      // psql's `\;` separates statements that it then sends together; here they stay apart.
      i += 2;
      flush();
      continue;
    }
    if (c === "\\") {
      // A psql meta-command: to the end of the line (its arguments never span lines in these scripts).
      const end = script.indexOf("\n", i);
      const to = end === -1 ? n : end;
      const command = script.slice(i, to);
      const name = /^\\([A-Za-z]*)/.exec(command)?.[1] ?? "";
      i = to;
      if (SENDING_META_COMMANDS.has(name)) flush();
      else if (name === "r" || name === "reset") reset();
      if (name === "copy" && /\bfrom\s+(stdin|pstdin)\b/i.test(command)) pendingCopies++;
      continue;
    }
    if (c === ";" && parenDepth === 0 && beginDepth === 0) {
      i++;
      flush();
      continue;
    }
    if (isIdentStart(c) && !(i > 0 && isIdentChar(script[i - 1] as string))) {
      markToken();
      let to = i + 1;
      while (to < n && isIdentChar(script[to] as string)) to++;
      trackBeginEnd(script.slice(i, to).toLowerCase());
      append(i, to);
      i = to;
      continue;
    }
    if (c === "(") parenDepth++;
    else if (c === ")" && parenDepth > 0) parenDepth--;
    if (!isSpace(c)) markToken();
    append(i, i + 1);
    i++;
    if (c === "\n" && pendingCopies > 0) skipCopyData();
  }
  flush();
  return out;

  /** psql's heuristic: inside CREATE [OR REPLACE] FUNCTION|PROCEDURE, BEGIN/CASE … END nest. */
  function trackBeginEnd(word: string): void {
    identifiers.push(FUNCTION_HEAD_WORDS.has(word) ? (word[0] as string) : "");
    const [w0, w1, w2, w3] = identifiers;
    const isFunctionHead =
      w0 === "c" && (w1 === "f" || w1 === "p" || (w1 === "o" && w2 === "r" && (w3 === "f" || w3 === "p")));
    if (!isFunctionHead || parenDepth !== 0) return;
    if (word === "begin") beginDepth++;
    else if (word === "case" && beginDepth >= 1) beginDepth++;
    else if (word === "end" && beginDepth > 0) beginDepth--;
  }
}

/** `COPY table … FROM STDIN` (STDOUT is accepted as a synonym); `COPY (query) FROM` is a syntax error. */
const COPY_FROM_STDIN = /^\s*copy\s+[^(\s][\s\S]*\bfrom\s+(stdin|stdout)\b/i;
const STANDARD_STRINGS_SETTING =
  /^\s*(?:set\s+(?:session\s+|local\s+)?standard_conforming_strings\s*(?:=|to)\s*'?(\w+)'?|reset\s+(?:standard_conforming_strings|all)\b)/i;

function withoutComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, " ").replace(/\/\*[\s\S]*?\*\//g, " ");
}

function endOfBlockComment(s: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < s.length) {
    if (s[i] === "/" && s[i + 1] === "*") {
      depth++;
      i += 2;
    } else if (s[i] === "*" && s[i + 1] === "/") {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return s.length;
}

/** The index after the closing quote; a doubled quote stays inside, as does a backslash-escaped one in E''. */
function endOfQuoted(s: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < s.length) {
    const c = s[i];
    if (backslashEscapes && c === "\\") {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (s[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return s.length;
}

/** True when the quote at `quoteAt` opens an E'…' string: an E/e that is not the end of a longer word. */
function isEscapeStringPrefix(s: string, quoteAt: number): boolean {
  const prefix = s[quoteAt - 1];
  if (prefix !== "E" && prefix !== "e") return false;
  const before = s[quoteAt - 2];
  return before === undefined || !isIdentChar(before);
}

/** `$tag$` (tag possibly empty) when a dollar quote starts at `i`; null for `$1`, `a$b` and lone dollars. */
function dollarTag(s: string, i: number): string | null {
  if (i > 0 && isIdentChar(s[i - 1] as string)) return null;
  let j = i + 1;
  if (j < s.length && isIdentStart(s[j] as string)) {
    j++;
    while (j < s.length && isIdentChar(s[j] as string) && s[j] !== "$") j++;
  }
  return s[j] === "$" ? s.slice(i, j + 1) : null;
}

function isIdentStart(c: string): boolean {
  return /[A-Za-z_\u0080-\uffff]/.test(c);
}

function isIdentChar(c: string): boolean {
  return /[A-Za-z0-9_$\u0080-\uffff]/.test(c);
}

function isSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v";
}

function firstNonSpace(s: string): number {
  let i = 0;
  while (i < s.length && isSpace(s[i] as string)) i++;
  return i;
}

function countNewlines(s: string): number {
  let count = 0;
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) === 10) count++;
  return count;
}
