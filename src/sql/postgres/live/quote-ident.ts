/** Quotes an identifier exactly as PostgreSQL's quote_ident would when quoting is needed: always quoted here. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"schema"."name"`, or just `"name"` when the schema is left to the search_path. */
export function quoteQualifiedName(params: { schema: string | null; name: string }): string {
  const name = quoteIdent(params.name);
  return params.schema === null ? name : `${quoteIdent(params.schema)}.${name}`;
}
