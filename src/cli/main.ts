#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { loadScenarioFile, ScenarioError } from "../simulator/scenario-load.js";
import { runScenario } from "../simulator/scenario-run.js";
import { createPostgresDialect } from "../sql/postgres/postgres-dialect.js";
import { printStep, printSummary } from "./print-timeline.js";

const USAGE = `querygate — policy-as-code approval for database queries

Usage:
  querygate sim SCENARIO.yml [--json] [--database-url URL]
      Run the real app against the local GitHub simulator and print a timeline
      (or, with --json, a report). --database-url: a PostgreSQL admin URL to create
      fresh databases on (default: an embedded PostgreSQL in a temporary folder).
  querygate analyze FILE|- [--json]
      Parse a SQL request with PostgreSQL's own grammar and classify each statement.
  querygate help

Exit codes: 0 success, 1 the scenario or analysis found a failure, 2 usage error.`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "sim":
        return await simCommand(rest);
      case "analyze":
        return await analyzeCommand(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`querygate: unknown command "${command}"\n\n${USAGE}\n`);
        return 2;
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof ScenarioError) {
      process.stderr.write(`querygate: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

class UsageError extends Error {}

function usage<T>(parseArgsCall: () => T): T {
  try {
    return parseArgsCall();
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${USAGE}`);
  }
}

async function simCommand(args: string[]): Promise<number> {
  const { values, positionals } = usage(() =>
    parseArgs({
      args,
      options: { json: { type: "boolean" }, "database-url": { type: "string" } },
      allowPositionals: true,
      strict: true,
    }),
  );
  if (positionals.length !== 1) throw new UsageError(`sim takes one scenario file\n\n${USAGE}`);
  const scenario = loadScenarioFile(positionals[0] as string);
  const json = values.json === true;
  const write = (line: string) => process.stdout.write(`${line}\n`);
  if (!json) {
    write(`querygate sim — ${scenario.repo}: the real app over HTTP, the GitHub simulator, signed webhooks`);
  }
  const report = await runScenario({
    scenario,
    adminDatabaseUrl: values["database-url"] ?? process.env.QUERYGATE_SIM_DATABASE_URL ?? null,
    onStep: json ? undefined : (record) => printStep(record, write),
    handleSignals: true,
  });
  if (json) write(JSON.stringify(report, null, 2));
  else printSummary(report, write);
  return report.ok ? 0 : 1;
}

async function analyzeCommand(args: string[]): Promise<number> {
  const { values, positionals } = usage(() =>
    parseArgs({ args, options: { json: { type: "boolean" } }, allowPositionals: true, strict: true }),
  );
  if (positionals.length !== 1)
    throw new UsageError(`analyze takes one file (or - for standard input)\n\n${USAGE}`);
  const file = positionals[0] as string;
  let content: Buffer;
  try {
    content = file === "-" ? readFileSync(0) : readFileSync(file);
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const dialect = await createPostgresDialect();
  const analysis = dialect.analyze(content);
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({
        ok: analysis.ok,
        error: analysis.ok ? null : analysis.error,
        statements: analysis.statements.map((s) => ({
          index: s.index,
          text: s.text,
          line: s.span.line,
          column: s.span.column,
          class: s.class,
          reasons: s.reasons,
          flags: s.flags,
          objects: s.objects,
          functions: s.functions,
        })),
      })}\n`,
    );
  } else if (!analysis.ok) {
    process.stdout.write(
      `${file}:${analysis.error.line}:${analysis.error.column}: ${analysis.error.message}\n`,
    );
  } else {
    for (const s of analysis.statements) {
      process.stdout.write(
        `${file}:${s.span.line}:${s.span.column}  ${s.class.padEnd(11)} ${s.reasons.join("; ")}${s.flags.length ? `  [${s.flags.join(", ")}]` : ""}\n`,
      );
    }
  }
  if (!analysis.ok) return 1;
  return analysis.statements.some((s) => s.class === "rejected") ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `querygate: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
