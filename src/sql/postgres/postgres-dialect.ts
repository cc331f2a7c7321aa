import {
  byteOffsetOfCodePoint,
  createLineColumnCursor,
  decodeSqlSource,
  firstTokenOffset,
  lineColumnAtByte,
} from "../source-text.js";
import type { Analysis, Dialect, Statement } from "../statement.js";
import { classifyStatement } from "./classify-statement.js";
import { DEFAULT_GRAMMAR_MAJOR, loadPostgresGrammar, type PostgresGrammar } from "./load-parser.js";

/**
 * Loads PostgreSQL's own grammar (WASM) for the target's server major and returns the dialect that
 * analyses request files with it.
 */
export async function createPostgresDialect(options: { serverMajor?: number } = {}): Promise<Dialect> {
  const grammar = await loadPostgresGrammar(options.serverMajor ?? DEFAULT_GRAMMAR_MAJOR);
  return {
    name: "postgres",
    parserVersion: grammar.version,
    analyze: (source) => analyzePostgres(source, grammar),
  };
}

function analyzePostgres(source: Uint8Array, grammar: PostgresGrammar): Analysis {
  const parserVersion = grammar.version;
  const base = { dialect: "postgres", parserVersion };
  const decoded = decodeSqlSource(source);
  if (!decoded.ok) return { ...base, ok: false, error: decoded.error, statements: [] };
  const bytes = Buffer.from(source.buffer, source.byteOffset, source.byteLength);

  let parsed: ReturnType<PostgresGrammar["parse"]>;
  try {
    parsed = grammar.parse(decoded.text);
  } catch (error) {
    // Each grammar package has its own SqlError class, so read the details rather than test the class.
    const cursor = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition ?? 0;
    const at = lineColumnAtByte(bytes, byteOffsetOfCodePoint(decoded.text, cursor));
    const message = error instanceof Error ? error.message : String(error);
    return { ...base, ok: false, error: { message, ...at }, statements: [] };
  }
  if (parsed.stmts.length === 0) {
    return {
      ...base,
      ok: false,
      error: { message: "the file holds no SQL statement (only comments or semicolons)", line: 1, column: 1 },
      statements: [],
    };
  }

  // Statements come in source order, so one forward cursor finds every position in a single pass.
  const position = createLineColumnCursor(bytes);
  // In pure ASCII (most SQL) byte offsets are string offsets: slice the decoded text, skip re-decoding.
  const ascii = decoded.text.length === bytes.byteLength;
  const statements: Statement[] = parsed.stmts.map((raw, index) => {
    // The parser reports byte offsets; an absent location means 0 and an absent length means "to the end".
    const byteStart = raw.stmt_location ?? 0;
    const byteEnd = raw.stmt_len ? byteStart + raw.stmt_len : bytes.byteLength;
    const text = ascii
      ? decoded.text.slice(byteStart, byteEnd)
      : bytes.subarray(byteStart, byteEnd).toString("utf8");
    const tokenChars = firstTokenOffset(text, 0, text.length);
    const tokenStart = ascii ? tokenChars : Buffer.byteLength(text.slice(0, tokenChars), "utf8");
    const start = position(byteStart + tokenStart);
    const end = position(Math.max(byteStart + tokenStart, byteEnd - 1));
    const facts = classifyStatement(raw.stmt);
    const statement: Statement = {
      index,
      text,
      kind: facts.kind,
      class: facts.class,
      reasons: facts.reasons,
      flags: facts.flags,
      objects: facts.objects,
      functions: facts.functions,
      facts: facts.facts,
      span: { byteStart, byteEnd, line: start.line, column: start.column, endLine: end.line },
      ast: raw.stmt,
    };
    // The tree is for review rules in this process; keep it out of JSON output and reports.
    Object.defineProperty(statement, "ast", { enumerable: false });
    return statement;
  });
  return { ...base, ok: true, statements };
}
