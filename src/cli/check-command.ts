import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { load } from "js-yaml";
import type { ReviewedStatement } from "../lint/review-statements.js";
import { type DecisionPlan, planDecision } from "../plan-pull-request/plan-decision.js";
import { POLICY_DIR } from "../policy/policy-paths.js";
import type { Actor, Limits, RequirementSpec, RuleTrace, StatementDecision } from "../policy/policy-types.js";
import { DEFAULT_TEST_AUTHOR } from "../policy-tests/parse-policy-tests.js";
import { teamMembers, type ValueProblem } from "../policy-tests/read-test-values.js";
import {
  formatPrincipal,
  type SimulatedApprovals,
  simulateApprovals,
  type TeamMembers,
} from "../policy-tests/simulate-approvals.js";
import { lineOf, yamlLines } from "../policy-tests/yaml-lines.js";
import { loadPolicyDir } from "./policy-command.js";
import { parseOrUsage, UsageError } from "./usage-error.js";

export const CHECK_USAGE = `Usage: querygate check [--policy-dir DIR] --request FILE [--request FILE…] [--changes-policy]
                      [--author LOGIN] [--actor user|bot|agent] [--approved-by a,b] [--teams TEAMS.yml]
                      [--labels a,b] [--now ISO] [--json]

  What would the policy decide about this request, offline: the decision, what each statement
  requires and what is still missing, each denial with its rule, and the trace of every rule.

  --policy-dir DIR     the policy folder (default ${POLICY_DIR})
  --request FILE       a request file (SQL with its -- target / -- reason header, or YAML); repeat it
                       for a pull request with several: they are decided together, as the app does
  --changes-policy     the pull request also changes policies/ or actions/: the policy owners must approve
  --author LOGIN       who opened the pull request (default ${DEFAULT_TEST_AUTHOR}); never counts as an approver
  --actor KIND         user, bot or agent (default user)
  --approved-by a,b    simulated approvals
  --teams TEAMS.yml    team members: { dba: [dana, dmitri], acme/privacy: [pia] }; a bare slug
                       stands for that team in any organisation; other teams are unknown
  --labels a,b         pull request labels
  --now ISO            evaluation time (default now), e.g. 2025-03-04T10:00:00Z
  --json               print one JSON object

Exit codes: 0 approved or auto, 1 needs approval, 2 denied, 3 invalid input (policy, request or flags).`;

/** Exit codes of `querygate check`, by outcome. */
export const CHECK_EXIT = { approved: 0, auto: 0, needs_approval: 1, denied: 2, invalid: 3 } as const;

const ACTORS: readonly Actor[] = ["user", "bot", "agent"];
/** Largest request file `check` reads, as for request files in pull requests. */
export const MAX_CHECK_REQUEST_BYTES = 1024 * 1024;

/** Invalid input to `check`: reported, exit 3 (not 2, which means "denied" here). */
class CheckInputError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join("\n"));
  }
}

export async function checkCommand(args: string[], write: (text: string) => void): Promise<number> {
  const json = args.includes("--json");
  try {
    return await check(args, write);
  } catch (error) {
    if (!(error instanceof CheckInputError || error instanceof UsageError)) throw error;
    const lines = error instanceof CheckInputError ? error.lines : [error.message];
    if (json) write(JSON.stringify({ decision: null, errors: lines }));
    else for (const line of lines) write(`querygate check: ${line}`);
    return CHECK_EXIT.invalid;
  }
}

async function check(args: string[], write: (text: string) => void): Promise<number> {
  const { values } = parseOrUsage(
    () =>
      parseArgs({
        args,
        options: {
          "policy-dir": { type: "string" },
          request: { type: "string", multiple: true },
          "changes-policy": { type: "boolean" },
          author: { type: "string" },
          actor: { type: "string" },
          "approved-by": { type: "string" },
          teams: { type: "string" },
          labels: { type: "string" },
          now: { type: "string" },
          json: { type: "boolean" },
          help: { type: "boolean", short: "h" },
        },
        allowPositionals: false,
        strict: true,
      }),
    CHECK_USAGE,
  );
  if (values.help) {
    write(CHECK_USAGE);
    return 0;
  }
  const requests = values.request ?? [];
  if (requests.length === 0) throw new UsageError(`check needs --request FILE\n\n${CHECK_USAGE}`);
  const actor = (values.actor ?? "user") as Actor;
  if (!ACTORS.includes(actor)) {
    throw new UsageError(`--actor must be one of ${ACTORS.join(", ")} — got "${values.actor}"`);
  }
  const author = (values.author ?? DEFAULT_TEST_AUTHOR).replace(/^@/, "");
  const now = values.now === undefined ? new Date() : parseNow(values.now);
  const teams = values.teams === undefined ? {} : readTeams(values.teams);
  const approvedBy = splitList(values["approved-by"]);
  const labels = splitList(values.labels);

  const policyDir = values["policy-dir"] ?? POLICY_DIR;
  const loaded = loadPolicyDir(policyDir);
  if (!loaded.ok) throw new CheckInputError([`the policy in ${policyDir} is invalid:`, ...loaded.errors]);
  // The same planner as the app: several files decided together, the policy owners' requirement included.
  const decided = await planDecision({
    policy: loaded.compiled,
    files: requests.map((file) => ({ path: requestPath(file), content: readRequest(file) })),
    changesPolicy: values["changes-policy"] ?? false,
    author,
    actor,
    labels,
    now,
  });
  const simulated = simulateApprovals({ decided, author, approvedBy, teams });
  const notes = [
    ...simulated.selfApprovals.map(
      (login) => `${login} is the author: their approval does not count (dropped from --approved-by)`,
    ),
    ...simulated.botApprovals.map(
      (login) => `${login} is a bot: bots never count as approvers (dropped from --approved-by)`,
    ),
  ];
  if (values.json) write(JSON.stringify(toJson({ decided, simulated, notes })));
  else printReport({ decided, simulated, notes, write });
  return CHECK_EXIT[simulated.outcome];
}

function toJson(p: { decided: DecisionPlan; simulated: SimulatedApprovals; notes: string[] }) {
  const { decided, simulated } = p;
  const { decision } = decided;
  const several = decided.evaluations.length > 1;
  return {
    decision: simulated.outcome,
    statements: decision.statements.map((s) => ({
      ...(several ? { path: s.path ?? null } : {}),
      index: s.index,
      line: reviewedOf(decided, s)?.span.line ?? null,
      class: reviewedOf(decided, s)?.class ?? null,
      outcome: s.outcome,
      denials: s.denials,
      requirements: s.requirements,
      limits: s.limits,
      execute: s.execute,
      mask: s.mask,
    })),
    requirements: decision.requirements.map((r) => {
      const status = simulated.statuses.find((s) => s.id === r.id);
      return {
        source: r.source,
        id: r.id,
        label: r.label,
        count: r.count,
        from: r.from.map(formatPrincipal),
        satisfied_by: status?.satisfiedBy ?? [],
        missing: status?.missing ?? r.count,
        errors: status?.errors ?? [],
      };
    }),
    trace: decision.statements.map((s) => ({
      ...(several ? { path: s.path ?? null } : {}),
      index: s.index,
      ...s.trace,
    })),
    problems: decided.evaluations.flatMap((e) =>
      e.ok ? [] : e.errors.map((problem) => (several ? { path: e.path, ...problem } : problem)),
    ),
    summary: decision.summary,
    notes: p.notes,
  };
}

function printReport(p: {
  decided: DecisionPlan;
  simulated: SimulatedApprovals;
  notes: string[];
  write: (text: string) => void;
}): void {
  const { decided, simulated, write } = p;
  const { decision } = decided;
  write(`${decided.evaluations.map((e) => e.path).join(", ")}: ${headline(simulated)}`);
  for (const note of p.notes) write(`note: ${note}`);
  const invalid = decided.evaluations.filter((e) => !e.ok);
  if (invalid.length > 0) {
    for (const e of invalid)
      for (const problem of e.errors)
        write(`${e.path}:${problem.line}:${problem.column}: ${problem.message}`);
    return;
  }
  const several = decided.evaluations.length > 1;
  const byId = new Map(decision.requirements.map((r) => [r.id, r]));
  for (const s of decision.statements) {
    write("");
    write(statementHeading(s, reviewedOf(decided, s), several));
    for (const denial of s.denials) write(`  denied by ${denial.rule}: ${denial.message}`);
    for (const id of s.requirements) {
      const requirement = byId.get(id);
      if (requirement) write(`  ${describeRequirement(requirement, simulated)}`);
    }
    const limits = describeLimits(s.limits);
    if (limits) write(`  limits: ${limits}`);
    if (s.outcome !== "denied") write(`  execute: ${s.execute}`);
    if (s.mask.length > 0) write(`  masked: ${s.mask.join(", ")}`);
  }
  const requestWide = decision.requirements.filter((r) => r.statements.length === 0);
  if (requestWide.length > 0) {
    write("");
    write("the whole request:");
    for (const r of requestWide) write(`  ${describeRequirement(r, simulated)}`);
  }
  if (decision.summary.length > 0) {
    write("");
    write("summary:");
    for (const line of decision.summary) write(`  ${line}`);
  }
  write("");
  write("trace:");
  for (const s of decision.statements) printTrace(s, write, several);
}

function headline(simulated: SimulatedApprovals): string {
  const missing = simulated.statuses.reduce((sum, s) => sum + s.missing, 0);
  switch (simulated.outcome) {
    case "approved":
      return "approved — the simulated approvals satisfy every requirement";
    case "auto":
      return "auto — the policy approves this request without reviews";
    case "denied":
      return "denied";
    case "needs_approval":
      return `needs approval — ${missing} more approval${missing === 1 ? "" : "s"} needed`;
  }
}

function statementHeading(
  s: StatementDecision,
  reviewed: ReviewedStatement | undefined,
  several: boolean,
): string {
  const file = several && s.path ? ` of ${s.path}` : "";
  const where = reviewed ? `, line ${reviewed.span.line} (${reviewed.class})` : "";
  return `statement ${s.index + 1}${file}${where}: ${s.outcome}`;
}

/** The analysed statement a decision is about: its own file's, by index. */
function reviewedOf(decided: DecisionPlan, s: StatementDecision): ReviewedStatement | undefined {
  const evaluation =
    decided.evaluations.length === 1
      ? decided.evaluations[0]
      : decided.evaluations.find((e) => e.path === s.path);
  return evaluation?.ok ? evaluation.statements[s.index] : undefined;
}

function describeRequirement(r: RequirementSpec, simulated: SimulatedApprovals): string {
  const status = simulated.statuses.find((s) => s.id === r.id);
  const from = r.from.length > 0 ? r.from.map(formatPrincipal).join(", ") : "nobody eligible";
  const by =
    status && status.satisfiedBy.length > 0 ? `approved by ${status.satisfiedBy.join(", ")}` : "no approvals";
  const missing = status?.missing ?? r.count;
  const state = missing === 0 ? "satisfied" : `missing ${missing}`;
  const errors = status && status.errors.length > 0 ? ` (${status.errors.join("; ")})` : "";
  return `requires ${r.id} — ${r.count} from ${from}: ${by}; ${state}${errors}`;
}

function describeLimits(limits: Limits): string {
  const parts: string[] = [];
  if (limits.maxAffectedRows !== undefined) parts.push(`max_affected_rows ${limits.maxAffectedRows}`);
  if (limits.maxResultRows !== undefined) parts.push(`max_result_rows ${limits.maxResultRows}`);
  if (limits.statementTimeoutMs !== undefined) parts.push(`statement_timeout ${limits.statementTimeoutMs}ms`);
  return parts.join(", ");
}

function printTrace(s: StatementDecision, write: (text: string) => void, several: boolean): void {
  write(`  statement ${s.index + 1}${several && s.path ? ` of ${s.path}` : ""}:`);
  for (const owner of s.trace.owners) {
    const pattern = owner.pattern === null ? "no pattern matches" : `"${owner.pattern}"`;
    const at = owner.source ? ` (${owner.source.file}:${owner.source.line})` : "";
    const owners = owner.owners.length > 0 ? owner.owners.map(formatPrincipal).join(", ") : "nobody";
    write(`    owners of ${owner.subject}: ${pattern}${at} → ${owners}`);
  }
  for (const rule of s.trace.rules) printRuleTrace(rule, write);
  const omitted = s.trace.omitted;
  if (omitted && (omitted.owners > 0 || omitted.rules > 0)) {
    write(`    (${omitted.rules} rules that did not match and ${omitted.owners} owner subjects not shown)`);
  }
  write(`    defaults: ${s.trace.defaults}`);
}

function printRuleTrace(rule: RuleTrace, write: (text: string) => void): void {
  const applied = rule.applied.length > 0 ? `; applied ${rule.applied.join(", ")}` : "";
  write(
    `    rule ${rule.rule} (${rule.source.file}:${rule.source.line}): ${rule.matched ? "matched" : "no match"}${applied}`,
  );
  for (const c of rule.conditions) {
    const note = c.note ? ` — ${c.note}` : "";
    write(
      `      ${c.condition}: ${c.result} (expected ${JSON.stringify(c.expected)}, actual ${JSON.stringify(c.actual)})${note}`,
    );
  }
}

function readTeams(file: string): TeamMembers {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new CheckInputError([`cannot read --teams ${file}: ${(error as Error).message}`]);
  }
  let doc: unknown;
  try {
    doc = load(text);
  } catch (error) {
    const mark = (error as { mark?: { line?: number } }).mark;
    const reason = (error as { reason?: string }).reason ?? (error as Error).message;
    throw new CheckInputError([`${file}:${(mark?.line ?? 0) + 1}: not valid YAML: ${reason}`]);
  }
  const problems: ValueProblem[] = [];
  const teams = teamMembers(doc ?? {}, "", problems);
  if (problems.length > 0) {
    const lines = yamlLines(text);
    throw new CheckInputError(
      problems.map((p) => `${file}:${lineOf(lines, p.key)}: ${p.key === "" ? "" : `${p.key}: `}${p.message}`),
    );
  }
  return teams;
}

function readRequest(file: string): Uint8Array {
  let content: Buffer;
  try {
    content = readFileSync(file);
  } catch (error) {
    throw new CheckInputError([`cannot read --request ${file}: ${(error as Error).message}`]);
  }
  if (content.byteLength > MAX_CHECK_REQUEST_BYTES) {
    throw new CheckInputError([
      `--request ${file} is ${content.byteLength} bytes, over the limit of ${MAX_CHECK_REQUEST_BYTES}: split it into several requests`,
    ]);
  }
  return content;
}

/** The path the policy sees: relative to the working directory when inside it, with forward slashes. */
function requestPath(file: string): string {
  const relative = path.relative(process.cwd(), path.resolve(file));
  const inside = relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
  return (inside ? relative : file).split(path.sep).join("/");
}

function parseNow(value: string): Date {
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(date.getTime())) {
    throw new UsageError(`--now must be an ISO 8601 timestamp such as 2025-03-04T10:00:00Z — got "${value}"`);
  }
  return date;
}

function splitList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}
