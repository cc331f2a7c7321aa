import type { ColumnUse, Statement } from "../../sql/statement.js";

/** The column that stands for "every column" (`SELECT *`, `t.*`). */
const ALL_COLUMNS = "*";

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
  const objects = new Set<string>();
  const tables = new Set<string>();
  const byName = new Map<string, Array<{ schema: string; name: string }>>();
  const all: Array<{ schema: string; name: string }> = [];
  for (const o of statement.objects) {
    const table = `${o.schema}.${o.name}`;
    if (tables.has(table)) continue;
    tables.add(table);
    objects.add(`${target}/${table}`);
    const ref = { schema: o.schema, name: o.name };
    all.push(ref);
    const same = byName.get(o.name);
    if (same) same.push(ref);
    else byName.set(o.name, [ref]);
  }
  const columns = new Set<string>();
  const allColumnsOf = new Set<string>();
  const qualifiedColumns = new Set<string>();
  let aliases: Set<string> | null | undefined;
  const tableOf = (qualifier: string | null) => {
    const named = qualifier !== null ? byName.get(qualifier) : undefined;
    if (!named || all.length < 2) return named ?? all;
    if (aliases === undefined) aliases = aliasNames(statement.ast);
    // Without the tree (a statement read back from JSON) aliases cannot be ruled out.
    return aliases === null || aliases.has(qualifier as string) ? all : named;
  };
  const add = (uses: ColumnUse[]) => {
    for (const use of uses) {
      const owners = tableOf(use.table);
      for (const t of owners) {
        const qualified = `${t.schema}.${t.name}.${use.column}`;
        if (qualifiedColumns.has(qualified)) continue;
        qualifiedColumns.add(qualified);
        if (use.column === ALL_COLUMNS) allColumnsOf.add(`${target}/${t.schema}.${t.name}.`);
        else columns.add(`${target}/${qualified}`);
      }
    }
  };
  add(statement.facts.columns.read);
  add(statement.facts.columns.written);
  add(statement.facts.columns.filtered);
  return {
    objects: [...objects],
    columns: [...columns],
    allColumnsOf: [...allColumnsOf],
    tables: [...tables],
    qualifiedColumns: [...qualifiedColumns],
  };
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
