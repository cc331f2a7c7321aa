import { compileGlob, type Glob, maskGlobMatches } from "../policy/evaluate/glob-pattern.js";
import type { ColumnOrigin, ResultColumn } from "./execute/execution-types.js";

export interface TableColumn {
  schema: string;
  table: string;
  /** `*` stands for every column of the table (`SELECT *`, `count(*)` as the analyser reports it). */
  column: string;
}

/**
 * Pure: whether a statement reads a column some mask glob covers, from the analyser's facts (columns read
 * or filtered on, qualified). `*` counts as every column of its table, so it reads a masked column when a
 * glob could match any column of that table.
 */
export function statementReadsMaskedColumn(p: {
  columnsRead: TableColumn[];
  maskPatterns: string[];
}): boolean {
  const globs = p.maskPatterns.map(compileGlob);
  return p.columnsRead.some((c) => globs.some((g) => covers(g, c)));
}

/**
 * Pure: the indexes of the result columns whose values must never be shown. Fails closed:
 * - a column whose origin (the table column PostgreSQL reports it comes from) matches a mask glob is masked;
 * - a column with no origin — computed (`upper(ssn)`, `UNION`, `COLLATE`), or the origin lookup failed or
 *   was not done — is masked whenever the statement reads any masked column (`statementReadsMasked`);
 * - a whole-row value (`SELECT c FROM customers c`) is masked when any column of the row is;
 * - a column PostgreSQL reports as coming from a view or materialized view is masked whenever any mask
 *   glob applies to the statement: PostgreSQL names the view's column, not the table column behind it, so
 *   whether it shows a masked value cannot be told from here.
 * Nothing applies when `maskPatterns` is empty.
 */
export function maskedColumnIndexes(p: {
  columns: ResultColumn[];
  maskPatterns: string[];
  statementReadsMasked: boolean;
}): Set<number> {
  const masked = new Set<number>();
  if (p.maskPatterns.length === 0) return masked;
  const globs = p.maskPatterns.map(compileGlob);
  p.columns.forEach((column, index) => {
    if (isMasked(column.origin ?? null, globs, p.statementReadsMasked)) masked.add(index);
  });
  return masked;
}

function isMasked(origin: ColumnOrigin | null, globs: Glob[], statementReadsMasked: boolean): boolean {
  if (origin === null) return statementReadsMasked;
  if (origin.relationKind !== "table" && origin.relationKind !== "foreign_table") return true;
  const columns = origin.rowColumns ?? [origin.column];
  return columns.some((column) =>
    globs.some((g) => maskGlobMatches(g, { schema: origin.schema, table: origin.table, column })),
  );
}

function covers(glob: Glob, c: TableColumn): boolean {
  if (c.column === "*") {
    return glob.couldMatchChildOf(`${c.schema}.${c.table}.`) || glob.couldMatchChildOf(`${c.table}.`);
  }
  return maskGlobMatches(glob, c);
}
