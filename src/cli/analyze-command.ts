import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { analyzeWithTarget } from "../lint/analyze-with-target.js";
import type { ReviewedStatement } from "../lint/review-statements.js";
import { isSupportedMajor, SUPPORTED_GRAMMAR_MAJORS } from "../sql/postgres/load-parser.js";
import { createPostgresDialect } from "../sql/postgres/postgres-dialect.js";
import { parseOrUsage, UsageError } from "./usage-error.js";

export const ANALYZE_USAGE = `Usage: querygate analyze [--dialect postgres] [--target-version N] [--database-url URL] [--json] FILE|-

  Parse a SQL request with PostgreSQL's own grammar, classify each statement, list the objects it
  touches and the review findings. With --database-url (or QUERYGATE_ANALYZE_DATABASE_URL), also
  look the statements up on that database, read-only: tables, views, triggers, functions, row estimates.

  --target-version N   grammar of PostgreSQL N (${SUPPORTED_GRAMMAR_MAJORS.join(", ")}; default 15)
  --json               print one JSON object

Exit codes: 0 analysed, 1 a statement is rejected or the SQL does not parse, 2 usage error.`;

export async function analyzeCommand(args: string[], write: (text: string) => void): Promise<number> {
  const { values, positionals } = parseOrUsage(
    () =>
      parseArgs({
        args,
        options: {
          json: { type: "boolean" },
          help: { type: "boolean", short: "h" },
          dialect: { type: "string" },
          "target-version": { type: "string" },
          "database-url": { type: "string" },
        },
        allowPositionals: true,
        strict: true,
      }),
    ANALYZE_USAGE,
  );
  if (values.help) {
    write(ANALYZE_USAGE);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError(`analyze takes one file (or - for standard input)\n\n${ANALYZE_USAGE}`);
  const dialectName = values.dialect ?? "postgres";
  if (dialectName !== "postgres") {
    throw new UsageError(
      `--dialect ${dialectName} is not supported yet: querygate analyses PostgreSQL (--dialect postgres)`,
    );
  }
  const version = values["target-version"] ?? "15";
  const major = Number(version);
  if (!/^[0-9]+$/.test(version) || !isSupportedMajor(major)) {
    throw new UsageError(
      `--target-version must be one of ${SUPPORTED_GRAMMAR_MAJORS.join(", ")} — got "${version}"`,
    );
  }
  const file = positionals[0] as string;
  let source: Buffer;
  try {
    source = file === "-" ? readFileSync(0) : readFileSync(file);
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }

  const dialect = await createPostgresDialect({ serverMajor: major });
  const databaseUrl = values["database-url"] ?? process.env.QUERYGATE_ANALYZE_DATABASE_URL ?? null;
  const result = await analyzeWithTarget({ dialect, source, databaseUrl });
  const rejected = result.statements.some((s) => s.class === "rejected");

  if (values.json) {
    write(
      JSON.stringify({
        ok: result.ok,
        error: result.analysis.ok ? null : result.analysis.error,
        parser: dialect.parserVersion,
        statements: result.statements.map(toJson),
      }),
    );
  } else if (!result.analysis.ok) {
    const { line, column, message } = result.analysis.error;
    write(`${file}:${line}:${column}: error: ${message}`);
  } else {
    for (const s of result.statements) write(describe(file, s));
  }
  return !result.ok || rejected ? 1 : 0;
}

function toJson(s: ReviewedStatement) {
  return {
    index: s.index,
    text: s.text,
    line: s.span.line,
    column: s.span.column,
    class: s.class,
    kind: s.kind,
    reasons: s.reasons,
    flags: s.flags,
    objects: s.objects.map(({ schema, name, operation }) => ({ schema, name, operation })),
    functions: s.functions,
    facts: s.facts,
    findings: s.findings,
    live: s.live,
  };
}

function describe(file: string, s: ReviewedStatement): string {
  const lines = [`${file}:${s.span.line}:${s.span.column}: ${s.class} — ${s.reasons.join("; ")}`];
  if (s.flags.length > 0) lines.push(`  flags: ${s.flags.join(", ")}`);
  if (s.objects.length > 0) {
    lines.push(`  objects: ${s.objects.map((o) => `${o.schema}.${o.name} (${o.operation})`).join(", ")}`);
  }
  if (s.live?.estimatedRows !== undefined && s.live?.estimatedRows !== null)
    lines.push(`  estimated rows: ${s.live.estimatedRows}`);
  for (const e of s.live?.errors ?? []) lines.push(`  target: ${e}`);
  for (const f of s.findings) lines.push(`  ${f.level} ${f.rule} (line ${f.line}): ${f.message}`);
  return lines.join("\n");
}
