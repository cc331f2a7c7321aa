import type { LintLevel } from "../lint/lint-rule.js";
import { type ReviewedStatement, reviewStatements } from "../lint/review-statements.js";
import type { CompiledPolicy } from "../policy/evaluate/compile-policy.js";
import { evaluateRequest } from "../policy/evaluate/evaluate-policy.js";
import type { Actor, Decision, Limits, StatementDecision } from "../policy/policy-types.js";
import type { Action } from "../requests/actions/action-types.js";
import { parseSqlHeader, type RequestProblem, type SqlRequestHeader } from "../requests/parse-sql-header.js";
import { isYamlRequestPath } from "../requests/request-paths.js";
import { parseYamlRequest } from "../requests/yaml-request/parse-yaml-request.js";
import { createPostgresDialect } from "../sql/postgres/postgres-dialect.js";
import type { Statement } from "../sql/statement.js";
import { closestName } from "../yaml/closest-name.js";

/** The rule name a denial carries when the request file itself is invalid (header, target, SQL). */
export const INVALID_REQUEST_RULE = "invalid-request";
/** The rule name of the denial when a statement's lint overrides depend on the findings they change. */
export const UNSTABLE_LINT_RULE = "unstable-lint-overrides";
/** Known targets a "did you mean" message lists when none is close to a misspelt one. */
const MAX_LISTED_TARGETS = 10;

type LintOverrides = Record<string, LintLevel | "off">;

export type RequestFileEvaluation =
  | {
      ok: true;
      path: string;
      header: SqlRequestHeader;
      statements: ReviewedStatement[];
      decision: Decision;
      /** The grammar the statements were parsed with: the target's PostgreSQL major. */
      parserVersion: string;
      /** YAML requests: the values bound to `$1…` (text format; null is SQL NULL). */
      values?: Array<string | null>;
      /** YAML requests: where the SQL is written; statement line k is `line + k - 1` of `path`. */
      sqlSource?: { path: string; line: number };
      /** The action's name and its own limits, for a request that names an action. */
      action?: { name: string; limits: Limits | null };
    }
  | { ok: false; path: string; errors: RequestProblem[]; decision: Decision };

export interface EvaluateRequestFileParams {
  policy: CompiledPolicy;
  path: string;
  content: Uint8Array;
  /** The reviewed actions (`actions/*.yml` of the base branch) a YAML request may name. */
  actions?: { actions: ReadonlyMap<string, Action>; invalid: ReadonlySet<string> };
  author: string;
  actor: Actor;
  labels: string[];
  params?: Record<string, string | number | boolean | null>;
  now: Date;
}

/**
 * One request file through the whole offline pipeline: header, target, the target's grammar, review, policy.
 *
 * Lint overrides: the policy may change review-rule levels per statement (`lint:` effects), and rules may
 * match on findings (`when.findings`). So the statements are reviewed with default levels, evaluated, and —
 * when some statement's decision carries overrides that change its findings — reviewed again with each
 * statement's own overrides (not one merged set: a rule's override applies only where the rule matched) and
 * evaluated once more. Never more than that: if the second evaluation asks for overrides that would change the
 * statement's findings again, the policy's overrides depend on the findings they change, and that statement is
 * denied (fail closed) rather than chased round a loop.
 */
export async function evaluateRequestFile(p: EvaluateRequestFileParams): Promise<RequestFileEvaluation> {
  const text = Buffer.from(p.content).toString("utf8");
  if (isYamlRequestPath(p.path)) return evaluateYamlRequest(p, text);
  const parsed = parseSqlHeader(text);
  if (!parsed.ok) return invalid(p.path, parsed.errors);
  return evaluateSql(p, { header: parsed.header, sql: p.content, targetLine: headerLine(text, "target") });
}

/** A `.yml` request: its action's (or its own) SQL, with typed values bound as `$n`, through the same pipeline. */
async function evaluateYamlRequest(
  p: EvaluateRequestFileParams,
  text: string,
): Promise<RequestFileEvaluation> {
  const parsed = parseYamlRequest({
    path: p.path,
    content: text,
    actions: new Map(p.actions?.actions ?? []),
    invalidActions: new Set(p.actions?.invalid ?? []),
  });
  if (!parsed.ok) return invalid(p.path, parsed.errors);
  const r = parsed.request;
  const named: Record<string, string | number | boolean | null> = {};
  // A list is not a value the policy's conditions compare: as JSON text, `in` and `range` fail closed on it.
  for (const [k, v] of Object.entries(r.named)) named[k] = Array.isArray(v) ? JSON.stringify(v) : v;
  return evaluateSql(
    { ...p, params: { ...named, ...(p.params ?? {}) } },
    {
      header: { target: r.target, reason: r.reason, maxRows: r.maxRows, ticket: r.ticket },
      sql: new Uint8Array(Buffer.from(r.sql, "utf8")),
      targetLine: 1,
      values: r.values,
      sqlSource: r.sqlSource,
      action: r.action === null ? undefined : { name: r.action, limits: r.limits },
    },
  );
}

async function evaluateSql(
  p: EvaluateRequestFileParams,
  source: {
    header: SqlRequestHeader;
    sql: Uint8Array;
    targetLine: number;
    values?: Array<string | null>;
    sqlSource?: { path: string; line: number };
    action?: { name: string; limits: Limits | null };
  },
): Promise<RequestFileEvaluation> {
  const { header } = source;
  const extra = {
    ...(source.values ? { values: source.values } : {}),
    ...(source.sqlSource ? { sqlSource: source.sqlSource } : {}),
    ...(source.action ? { action: source.action } : {}),
  };
  const targets = p.policy.policy.targets;
  // Own keys only: a header naming `constructor` must not find Object.prototype's.
  const target = Object.hasOwn(targets, header.target) ? targets[header.target] : undefined;
  if (!target) return invalid(p.path, [unknownTarget(p.policy, header.target, source.targetLine)]);

  let dialect: Awaited<ReturnType<typeof createPostgresDialect>>;
  try {
    dialect = await createPostgresDialect({ serverMajor: target.serverVersion });
  } catch (error) {
    const message = `target ${target.name} cannot be analysed: ${(error as Error).message}`;
    return invalid(p.path, [{ line: source.targetLine, column: 1, message }]);
  }
  const analysis = dialect.analyze(source.sql);
  if (!analysis.ok) return invalid(p.path, [shifted(analysis.error, source.sqlSource, p.path)]);
  if (source.values) {
    const uses = Math.max(0, ...analysis.statements.map((s) => s.facts.paramCount));
    if (uses !== source.values.length)
      return invalid(p.path, [
        shifted(
          {
            line: 1,
            column: 1,
            message: `the SQL uses ${uses === 0 ? "no parameters" : `$1…$${uses}`} but ${source.values.length} ${source.values.length === 1 ? "value is" : "values are"} bound: every value must be used, and every $n given`,
          },
          source.sqlSource,
          p.path,
        ),
      ]);
  }

  const evaluate = (statements: ReviewedStatement[]): Decision =>
    evaluateRequest({
      policy: p.policy,
      request: {
        path: p.path,
        target: header.target,
        reason: header.reason,
        ticket: header.ticket,
        author: p.author,
        actor: p.actor,
        labels: p.labels,
        action: source.action?.name ?? null,
        params: p.params,
        maxRows: header.maxRows,
      },
      statements,
      now: p.now,
    });

  // The file as reviewed and decided; error-level findings the policy did not lower deny their statement.
  const reviewedFile = (statements: ReviewedStatement[], decision: Decision): RequestFileEvaluation => ({
    ok: true,
    path: p.path,
    header,
    parserVersion: analysis.parserVersion,
    statements,
    decision: denyErrorFindings(decision, statements),
    ...extra,
  });

  const reviewed = reviewStatements({ statements: analysis.statements, live: null });
  const first = evaluate(reviewed);
  const overrides = first.statements.map((s) => s.lint);
  if (overrides.every((o) => Object.keys(o).length === 0)) {
    return reviewedFile(reviewed, first);
  }
  try {
    const rereviewed = reviewWithOverrides(analysis.statements, overrides);
    if (sameFindings(reviewed, rereviewed)) {
      return reviewedFile(rereviewed, first);
    }
    const second = evaluate(rereviewed);
    const settled = reviewWithOverrides(
      analysis.statements,
      second.statements.map((s) => s.lint),
    );
    const unstable = rereviewed.filter((s, i) => !sameFindings([s], [settled[i] as ReviewedStatement]));
    const decision = denyUnstable({
      decision: second,
      unstable: new Set(unstable.map((s) => s.index)),
      applied: overrides,
    });
    return reviewedFile(rereviewed, decision);
  } catch (error) {
    // The loader checks rule ids, so this is a policy the loader let through: deny, never run unreviewed.
    const message = `the policy's lint overrides cannot be applied: ${(error as Error).message}`;
    return invalid(p.path, [{ line: 1, column: 1, message }]);
  }
}

/**
 * An error-level review finding that the policy did not lower blocks its statement: fail closed, so an
 * UPDATE without WHERE cannot be approved into running. The policy can lower or disable the rule.
 */
function denyErrorFindings(decision: Decision, statements: ReviewedStatement[]): Decision {
  const blocked = new Map<number, Array<{ rule: string; message: string }>>();
  for (const s of statements) {
    const errors = s.findings.filter((f) => f.level === "error");
    if (errors.length > 0) {
      blocked.set(
        s.index,
        errors.map((f) => ({
          rule: `review:${f.rule}`,
          message: `${f.message} (review rule ${f.rule} is an error; fix the statement, or have the policy lower the rule with \`lint: { ${f.rule}: warning }\`)`,
        })),
      );
    }
  }
  if (blocked.size === 0) return decision;
  return {
    ...decision,
    outcome: "denied",
    statements: decision.statements.map((s) => {
      const denials = blocked.get(s.index);
      return denials ? { ...s, outcome: "denied", denials: [...s.denials, ...denials] } : s;
    }),
    summary: [
      ...decision.summary,
      `Statement ${[...blocked.keys()].map((i) => i + 1).join(", ")} denied: error-level review findings.`,
    ],
  };
}

/** Each statement reviewed with its own decision's overrides: one review pass per distinct set of them. */
function reviewWithOverrides(statements: Statement[], overrides: LintOverrides[]): ReviewedStatement[] {
  const passes = new Map<string, ReviewedStatement[]>();
  return statements.map((_, i) => {
    const own = overrides[i] ?? {};
    const key = overridesKey(own);
    let pass = passes.get(key);
    if (!pass) {
      pass = reviewStatements({ statements, live: null, overrides: own });
      passes.set(key, pass);
    }
    return pass[i] as ReviewedStatement;
  });
}

function denyUnstable(p: { decision: Decision; unstable: Set<number>; applied: LintOverrides[] }): Decision {
  const { decision, unstable, applied } = p;
  if (unstable.size === 0) return decision;
  const statements = decision.statements.map((s): StatementDecision => {
    if (!unstable.has(s.index)) return s;
    const message = `the policy's lint overrides for this statement depend on the findings they change (reviewed with ${overridesKey(applied[s.index] ?? {})}, the policy then asked for ${overridesKey(s.lint)}): make the rules that set \`lint\` not match on those findings`;
    return { ...s, outcome: "denied", denials: [...s.denials, { rule: UNSTABLE_LINT_RULE, message }] };
  });
  return {
    ...decision,
    outcome: "denied",
    statements,
    summary: [
      ...decision.summary,
      `Statement ${[...unstable].map((i) => i + 1).join(", ")} denied: the policy's lint overrides depend on the findings they change.`,
    ],
  };
}

function overridesKey(overrides: LintOverrides): string {
  const entries = Object.entries(overrides).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(Object.fromEntries(entries));
}

function sameFindings(a: ReviewedStatement[], b: ReviewedStatement[]): boolean {
  return a.every((s, i) => JSON.stringify(s.findings) === JSON.stringify(b[i]?.findings));
}

/**
 * A problem in SQL written inside a YAML file, moved to its line there; SQL of an action lives in the
 * action's file, so the problem names it and sits on the request's first line.
 */
function shifted(
  problem: RequestProblem,
  source: { path: string; line: number } | undefined,
  requestPath: string,
): RequestProblem {
  if (!source) return problem;
  const line = problem.line + source.line - 1;
  if (source.path === requestPath) return { ...problem, line };
  return { ...problem, line: 1, message: `${source.path}:${line}: ${problem.message}` };
}

function unknownTarget(policy: CompiledPolicy, name: string, line: number): RequestProblem {
  const known = Object.keys(policy.policy.targets).sort();
  const hint = closestName(name, known);
  const listed =
    known.length === 0
      ? "the policy defines no targets: add one under `targets:`"
      : `known targets: ${known.slice(0, MAX_LISTED_TARGETS).join(", ")}${known.length > MAX_LISTED_TARGETS ? ", …" : ""}`;
  return {
    line,
    column: 1,
    message: `unknown target \`${name}\`${hint ? ` — did you mean \`${hint}\`?` : ""} (${listed})`,
  };
}

/** The line of a `-- key:` header line, found the way parseSqlHeader reads them; 1 when absent. */
function headerLine(text: string, key: string): number {
  const lines = text.split("\n");
  const pattern = new RegExp(`^--\\s*${key}\\s*:`, "i");
  for (let i = 0; i < lines.length; i++) {
    const trimmed = (lines[i] ?? "").trim();
    if (trimmed === "") continue;
    if (!trimmed.startsWith("--")) break;
    if (pattern.test(trimmed)) return i + 1;
  }
  return 1;
}

function invalid(path: string, problems: RequestProblem[]): RequestFileEvaluation {
  return {
    ok: false,
    path,
    errors: problems,
    decision: {
      outcome: "denied",
      statements: [],
      requirements: [],
      summary: problems.map((problem) => `${path}:${problem.line}:${problem.column}: ${problem.message}`),
    },
  };
}
