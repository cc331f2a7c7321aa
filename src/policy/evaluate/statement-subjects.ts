import type { ColumnUse, Statement } from "../../sql/statement.js";

/** The column that stands for "every column" (`SELECT *`, `t.*`). */
const ALL_COLUMNS = "*";
/** Up to this many distinct strings, a linear scan beats a set. */
const LINEAR_SCAN_LIMIT = 16;

export interface StatementSubjects {
  /** `target/schema.name` per touched object, distinct, in statement order. */
  objects: string[];
  /** `target/schema.table.column` per column read, written or filtered, distinct. */
  columns: string[];
  /** `target/schema.table.` per table a `*` column may cover: any column of it may be involved. */
  allColumnsOf: string[];
  /** `schema.name`, distinct: the CEL `statement.tables`. */
  tables: string[];
  /** `schema.table.column`, with `*` columns as `schema.table.*`: the CEL `statement.columns`. */
  qualifiedColumns: string[];
}

/**
 * A column's table is the object whose name equals its qualifier; aliases are unknown to the analysis, so an
 * unqualified or unresolvable column is attributed to every object of the statement — more owners, never fewer.
 * A qualifier that is also an alias or CTE name somewhere in the statement (`FROM customers AS orders, orders`)
 * is unresolvable: it could name either relation.
 */
export function statementSubjects(statement: Statement, target: string): StatementSubjects {
  const tables = new DistinctStrings();
  const objects: string[] = [];
  const all: TableRef[] = [];
  for (const o of statement.objects) {
    const table = `${o.schema}.${o.name}`;
    if (!tables.add(table)) continue;
    objects.push(`${target}/${table}`);
    all.push({ schema: o.schema, name: o.name, table, columns: new DistinctStrings() });
  }
  const columns: string[] = [];
  const allColumnsOf: string[] = [];
  const qualifiedColumns: string[] = [];
  let aliases: Set<string> | null | undefined;
  let byName: Map<string, TableRef[]> | null = null;
  const namedTables = (qualifier: string) => {
    if (all.length <= LINEAR_SCAN_LIMIT) return all.filter((t) => t.name === qualifier);
    if (byName === null) {
      byName = new Map();
      for (const t of all) byName.set(t.name, [...(byName.get(t.name) ?? []), t]);
    }
    return byName.get(qualifier) ?? [];
  };
  const tablesOf = (qualifier: string | null) => {
    if (qualifier === null) return all;
    const named = namedTables(qualifier);
    if (named.length === 0 || all.length < 2) return named.length === 0 ? all : named;
    if (aliases === undefined) aliases = aliasNames(statement.ast);
    // Without the tree (a statement read back from JSON) aliases cannot be ruled out.
    return aliases === null || aliases.has(qualifier) ? all : named;
  };
  const add = (uses: ColumnUse[]) => {
    for (const use of uses) {
      for (const t of tablesOf(use.table)) {
        // Deduplicated per table by the column's own name: no string is built for a repeat.
        if (!t.columns.add(use.column)) continue;
        const qualified = `${t.table}.${use.column}`;
        qualifiedColumns.push(qualified);
        if (use.column === ALL_COLUMNS) allColumnsOf.push(`${target}/${t.table}.`);
        else columns.push(`${target}/${qualified}`);
      }
    }
  };
  const { read, written, filtered } = statement.facts.columns;
  if (all.length > 0) {
    add(read);
    add(written);
    add(filtered);
  }
  return { objects, columns, allColumnsOf, tables: tables.items, qualifiedColumns };
}

interface TableRef {
  schema: string;
  name: string;
  /** `schema.name`. */
  table: string;
  /** Column names seen for this table. */
  columns: DistinctStrings;
}

/** Distinct strings in insertion order: a scan while few (most statements), a set beyond. */
class DistinctStrings {
  readonly items: string[] = [];
  private set: Set<string> | null = null;

  /** False when already present. */
  add(value: string): boolean {
    if (this.set === null) {
      if (this.items.includes(value)) return false;
      if (this.items.length >= LINEAR_SCAN_LIMIT) this.set = new Set(this.items);
    } else if (this.set.has(value)) return false;
    this.set?.add(value);
    this.items.push(value);
    return true;
  }
}

/** Every `AS alias` and CTE name in the tree: names a column qualifier may mean instead of a table. */
function aliasNames(ast: unknown): Set<string> | null {
  if (ast === null || typeof ast !== "object") return null;
  const names = new Set<string>();
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== "object") continue;
    if (Array.isArray(value)) {
      for (const child of value) stack.push(child);
      continue;
    }
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const child = record[key];
      if ((key === "aliasname" || key === "ctename") && typeof child === "string") names.add(child);
      else if (child !== null && typeof child === "object") stack.push(child);
    }
  }
  return names;
}
