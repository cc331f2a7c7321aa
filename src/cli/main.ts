#!/usr/bin/env node
import { parseArgs } from "node:util";
import { loadScenarioFile } from "../sandbox/scenario-load.js";
import { runScenario } from "../sandbox/scenario-run.js";
import { ScenarioError } from "../simulator/scenario/github-scenario.js";
import { analyzeCommand } from "./analyze-command.js";
import { auditCommand } from "./audit-command.js";
import { checkCommand } from "./check-command.js";
import { mcpCommand } from "./mcp-command.js";
import { policyCommand } from "./policy-command.js";
import { printStep, printSummary } from "./print-timeline.js";
import { submitCommand } from "./submit-command.js";
import { tokenCommand } from "./token-command.js";
import { parseOrUsage, UsageError } from "./usage-error.js";

const USAGE = `querygate — policy-as-code approval for database queries

Usage:
  querygate sim SCENARIO.yml [--json] [--database-url URL]
      Run the real app against the local GitHub simulator and print a timeline
      (or, with --json, a report). --database-url: a PostgreSQL admin URL to create
      fresh databases on (default: an embedded PostgreSQL in a temporary folder).
  querygate analyze [--target-version N] [--database-url URL] [--json] FILE|-
      Parse a SQL request with PostgreSQL's own grammar, classify each statement and
      review it (see querygate analyze --help).
  querygate check --policy-dir DIR --request FILE [--author LOGIN] [--approved-by a,b] [--teams TEAMS.yml] [--json]
      What the policy would decide about a request, offline, with simulated approvals
      (see querygate check --help; exit 0 approved/auto, 1 needs approval, 2 denied, 3 invalid input).
  querygate policy validate [DIR]
  querygate policy test [DIR]
      Validate the policy in DIR (default policies), or validate it and run its tests DIR/tests/*.yml.
  querygate audit verify [--branch B] [--repo-dir DIR] [--expect-hash HASH] [--json]
      Check the audit trail in a local clone: the hash chain, every record, and each statement hash
      against the request file at the recorded commit (see querygate audit --help; exit 0 sound,
      1 broken, 2 incomplete, 3 invalid input).
  querygate token create --repo OWNER/NAME[,…] --name NAME [--actor agent|user] | token revoke --name NAME | token list
      API tokens for the HTTP API and MCP, kept as hashes in the state database (see querygate token --help).
  QUERYGATE_API_TOKEN=qg_… querygate mcp --api-url URL [--repo OWNER/NAME]
      An MCP server over stdio for AI agents, backed by the HTTP API (see querygate mcp --help, docs/api.md).
  querygate submit --repo OWNER/NAME --target T --reason "…" (--sql "…" | --file F | --action NAME --param k=v …)
                   [--ticket T] [--max-rows N] [--wait --api-url URL [--timeout D]] [--json] [--github-api-url URL]
      Open a request as a pull request with your own GITHUB_TOKEN and print its URL; with --wait, follow
      it through the querygate API (QUERYGATE_API_TOKEN) and print the outcome and the result rows (see
      querygate submit --help; exit 0 executed or submitted, 1 failed, 2 denied or closed, 3 usage error,
      4 timed out, 5 GitHub or the querygate API refused).
  querygate help

Exit codes: 0 success, 1 the scenario or analysis found a failure, 2 usage error.`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "sim":
        return await simCommand(rest);
      case "analyze":
        return await analyzeCommand(rest, (text) => process.stdout.write(`${text}\n`));
      case "check":
        return await checkCommand(rest, (text) => process.stdout.write(`${text}\n`));
      case "policy":
        return await policyCommand(rest, (text) => process.stdout.write(`${text}\n`));
      case "audit":
        return await auditCommand(rest, (text) => process.stdout.write(`${text}\n`));
      case "submit":
        return await submitCommand(rest, {
          write: (text) => process.stdout.write(`${text}\n`),
          writeError: (text) => process.stderr.write(`${text}\n`),
          env: process.env,
        });
      case "token":
        return await tokenCommand(rest, (text) => process.stdout.write(`${text}\n`));
      case "mcp":
        return await mcpCommand(rest);
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

function usage<T>(parseArgsCall: () => T): T {
  return parseOrUsage(parseArgsCall, USAGE);
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
