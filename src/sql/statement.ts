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

export interface TouchedObject {
  schema: string | null;
  name: string;
  operation: ObjectOperation;
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
  span: SourceSpan;
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
