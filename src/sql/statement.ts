/** The analysis contract every dialect fulfils. Later analysis deepens the facts, not the shape. */

export const STATEMENT_CLASSES = [
  "read",
  "read_lock",
  "write",
  "maintenance",
  "ddl",
  "dcl",
  "admin",
  "rejected",
] as const;

export type StatementClass = (typeof STATEMENT_CLASSES)[number];

export type ObjectOperation =
  | "read"
  | "insert"
  | "update"
  | "delete"
  | "merge"
  | "truncate"
  | "alter"
  | "create"
  | "drop"
  | "grant";

/** Schema an unqualified name resolves to under the runner's fixed search_path. */
export const DEFAULT_SCHEMA = "public";

export interface TouchedObject {
  /** As written, or DEFAULT_SCHEMA when the name was unqualified (see `qualified`). */
  schema: string;
  name: string;
  operation: ObjectOperation;
  qualified: boolean;
}

export interface SourceSpan {
  /** Byte offset of the statement's slice in the file. */
  byteStart: number;
  byteEnd: number;
  /** 1-based line and column (in characters) of the statement's first token. */
  line: number;
  column: number;
  endLine: number;
}

/** A column as written in the statement: `table` is the qualifier used (alias or table), if any. */
export interface ColumnUse {
  table: string | null;
  column: string;
}

export interface StatementFacts {
  columns: { read: ColumnUse[]; written: ColumnUse[]; filtered: ColumnUse[] };
  /** For UPDATE, DELETE and SELECT: whether the top-level statement has a WHERE; null for other kinds. */
  hasWhere: boolean | null;
  /** For SELECT: whether the top-level statement has a LIMIT (or FETCH FIRST); null for other kinds. */
  hasLimit: boolean | null;
  hasReturning: boolean;
  onConflict: "nothing" | "update" | null;
  /** Highest `$n` used: the number of parameters the statement must be given. */
  paramCount: number;
}

export interface Statement {
  index: number;
  /** The exact bytes (decoded) that were analysed and that will run. */
  text: string;
  kind: string;
  class: StatementClass;
  reasons: string[];
  flags: string[];
  objects: TouchedObject[];
  functions: string[];
  facts: StatementFacts;
  span: SourceSpan;
  /** The parser's tree of this statement, for review rules; never serialised. */
  ast: Record<string, unknown>;
}

export interface AnalysisError {
  message: string;
  line: number;
  column: number;
}

export type Analysis =
  | { ok: true; dialect: string; parserVersion: string; statements: Statement[] }
  | { ok: false; dialect: string; parserVersion: string; error: AnalysisError; statements: [] };

export interface Dialect {
  name: string;
  parserVersion: string;
  analyze(source: Uint8Array): Analysis;
}

const CLASS_RANK: Record<StatementClass, number> = Object.fromEntries(
  STATEMENT_CLASSES.map((c, i) => [c, i]),
) as Record<StatementClass, number>;

/** Classification only ever escalates: the stricter of two classes wins. */
export function escalate(current: StatementClass, candidate: StatementClass): StatementClass {
  return CLASS_RANK[candidate] > CLASS_RANK[current] ? candidate : current;
}
