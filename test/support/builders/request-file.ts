/**
 * A SQL request file (`queries/**\/*.sql`): its header comments, then the SQL. Header lines come in the
 * order target, reason, max_rows, ticket, one line each, so the SQL starts on line 3 unless `maxRows` or
 * `ticket` add a line each.
 */
export function sqlRequest(
  sql: string,
  header: { target?: string; reason?: string; maxRows?: number; ticket?: string } = {},
): string {
  const lines = [`-- target: ${header.target ?? "orders-prod"}`, `-- reason: ${header.reason ?? "test"}`];
  if (header.maxRows !== undefined) lines.push(`-- max_rows: ${header.maxRows}`);
  if (header.ticket !== undefined) lines.push(`-- ticket: ${header.ticket}`);
  return `${[...lines, sql].join("\n")}${sql.endsWith("\n") ? "" : "\n"}`;
}
