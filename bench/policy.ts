/**
 * `npm run bench:policy`: how many statement decisions per second the policy evaluator makes with a large
 * policy (1,000 rules, 1,000 owner patterns) compiled once, over a mixed stream of statements analysed up
 * front. Prints figures; asserts nothing.
 *
 * Each figure is the median of several rounds of wall-clock time, with the best round beside it: other work
 * on the machine slows both, so compare runs made under the same load. A last run gives every rule an environment instead of a target, the worst
 * case for the rule buckets, to show what a policy written that way costs.
 */

import { type ReviewedStatement, reviewStatements } from "../src/lint/review-statements.js";
import { type CompiledPolicy, compilePolicy } from "../src/policy/evaluate/compile-policy.js";
import { evaluateRequest } from "../src/policy/evaluate/evaluate-policy.js";
import type {
  ExecuteMode,
  OwnerEntry,
  Policy,
  PolicyRule,
  PolicyTarget,
  Principal,
  RuleEffects,
  WhenConditions,
} from "../src/policy/policy-types.js";
import type { LiveStatementFacts } from "../src/sql/live-facts.js";
import { createPostgresDialect } from "../src/sql/postgres/postgres-dialect.js";
import type { StatementClass } from "../src/sql/statement.js";

const RULES = 1_000;
const OWNER_PATTERNS = 1_000;
const APPS = 25;
const TABLES_PER_SCHEMA = 60;
const SCHEMAS = ["public", "sales", "billing", "audit"];
const COLUMNS = ["id", "email", "status", "amount", "ssn", "created_at", "customer_id"];
const CLASSES: StatementClass[] = ["read", "write", "ddl", "maintenance", "dcl", "read_lock"];
const STATEMENTS = 600;
const DECISIONS_PER_ROUND = 200_000;
const MULTI_STATEMENT_REQUEST = 10;
const ROUNDS = 5;
const SAMPLE_STATEMENTS = 100;
const SOURCE = { file: "policies/bench.yml", line: 1 };

let seed = 42;
function random(): number {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
}
function pick<T>(items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}
function int(below: number): number {
  return Math.floor(random() * below);
}

const targets: Record<string, PolicyTarget> = {};
for (let a = 0; a < APPS; a++) {
  for (const environment of ["production", "staging"]) {
    const name = `app${a}-${environment === "production" ? "prod" : "staging"}`;
    targets[name] = {
      name,
      engine: "postgres",
      environment,
      serverVersion: 15,
      connection: { env: `APP${a}_URL` },
      searchPath: ["public"],
      limits: { maxAffectedRows: 10_000, statementTimeoutMs: 30_000 },
      execute: environment === "production" ? "on_approval" : "auto",
      source: SOURCE,
    };
  }
}
const targetNames = Object.keys(targets);
const teams: Principal[] = ["dba", "eng", "payments", "privacy", "security", "data", "sre", "support"].map(
  (slug) => ({ kind: "team", org: "acme", slug }),
);
const table = () => `${pick(SCHEMAS)}.t${int(TABLES_PER_SCHEMA)}`;

/**
 * A large organisation's policy: most rules are about one database (target) and a kind of statement; a few
 * span an environment (limits, shared tables such as billing, big-estimate reviews).
 */
function generateRule(i: number): PolicyRule {
  const kind = random();
  const t = pick(targetNames);
  const environment = pick(["production", "staging"]);
  let when: WhenConditions;
  let effects: RuleEffects;
  let cel: string | null = null;
  if (kind < 0.45) {
    when = { target: [t], class: [pick(CLASSES)] };
    if (random() < 0.3) when.operation = [pick(["update", "delete", "insert", "read"] as const)];
    effects = { require: { count: 1 + int(2), from: [pick(teams)] } };
  } else if (kind < 0.57) {
    when = { target: [t], class: [pick(CLASSES)] };
    cel = pick([
      `statement.tables.exists(t, t.startsWith('billing.'))`,
      `'hotfix' in request.labels`,
      `statement.estimated_rows != null && statement.estimated_rows > ${int(10_000)}`,
      `statement.columns.exists(c, c.endsWith('.ssn'))`,
      `now.utc_hour >= 9 && now.utc_hour < 17`,
    ]);
    effects = { require: { count: 1, from: [pick(teams)] } };
  } else if (kind < 0.67) {
    when = { target: [t], objects: [`${t}/${table()}`, `*/${pick(SCHEMAS)}.t${int(TABLES_PER_SCHEMA)}*`] };
    effects = { require: { count: 1, from: [pick(teams)] } };
  } else if (kind < 0.72) {
    when = { environment: ["production"], objects: [`*/billing.t${int(TABLES_PER_SCHEMA)}`] };
    effects = { require: { count: 1, from: [pick(teams)] }, limits: { maxAffectedRows: 100 } };
  } else if (kind < 0.77) {
    when = { target: [t], columns: [`*/${pick(SCHEMAS)}.*.${pick(COLUMNS)}`] };
    effects = { mask: [`*.${pick(COLUMNS)}`], require: { count: 1, from: [pick(teams)] } };
  } else if (kind < 0.79) {
    when = { environment: [environment], class: [pick(CLASSES)] };
    effects = {
      limits: { maxAffectedRows: 100 + int(5000) },
      execute: pick<ExecuteMode>(["on_merge", "on_approval"]),
    };
  } else if (kind < 0.86) {
    when = { target: [t], class: ["ddl"] };
    effects = { deny: "Schema changes go through migrations." };
  } else if (kind < 0.93) {
    when = { target: [t], class: ["read"], labels: random() < 0.5 ? ["self-serve"] : undefined };
    effects = { approve: "auto", lint: { "select-star": "off" } };
  } else if (kind < 0.98) {
    when = { target: [t], flags: ["no_where", "unknown_function"] };
    effects = { require: { count: 2, from: [pick(teams), pick(teams)] } };
  } else {
    when = { environment: ["production"], class: [pick(CLASSES)], estimatedRows: { gt: int(100_000) } };
    effects = { require: { count: 2, from: [pick(teams)] } };
  }
  return { name: `rule-${i}`, when, if: cel, effects, source: { ...SOURCE, line: i } };
}

function generateOwner(i: number): OwnerEntry {
  const kind = random();
  const t = pick(targetNames);
  let pattern: string;
  if (kind < 0.6) pattern = `${t}/${table()}`;
  else if (kind < 0.75) pattern = `*/${table()}`;
  else if (kind < 0.85) pattern = `*/${table()}.${pick(COLUMNS)}`;
  else if (kind < 0.95) pattern = `${t}/${pick(SCHEMAS)}.*`;
  else pattern = pick(["**", `${t}/**`, `*/${pick(SCHEMAS)}.**`]);
  const owners = random() < 0.05 ? [] : [pick(teams)];
  return { pattern, owners, source: { ...SOURCE, line: 5000 + i } };
}

const policy: Policy = {
  version: 1,
  targets,
  owners: Array.from({ length: OWNER_PATTERNS }, (_, i) => generateOwner(i)),
  rules: Array.from({ length: RULES }, (_, i) => generateRule(i)),
  defaults: { require: { count: 1, from: [teams[0] as Principal] } },
  policyOwners: [teams[4] as Principal],
  allowedBaseBranches: [],
  dismissStaleApprovals: false,
  runBy: ["author", "approvers"],
  files: [{ path: "policies/bench.yml", blobSha: null }],
};

const templates: Array<(a: string, b: string) => string> = [
  (a) => `SELECT id, email FROM ${a} WHERE id = $1`,
  (a) => `SELECT * FROM ${a} LIMIT 10`,
  (a, b) => `SELECT x.id, y.email, status FROM ${a} x JOIN ${b} y ON y.id = x.customer_id WHERE x.id = 1`,
  (a) => `UPDATE ${a} SET status = 'done' WHERE id = 42`,
  (a) => `DELETE FROM ${a} WHERE created_at < now() - interval '1 year'`,
  (a) => `DELETE FROM ${a}`,
  (a) => `INSERT INTO ${a} (id, status) VALUES (1, 'new')`,
  (a, b) => `UPDATE ${a} SET amount = ${b}.amount FROM ${b} WHERE ${b}.id = ${a}.id`,
  (a) => `ALTER TABLE ${a} ADD COLUMN note text`,
  (a) => `CREATE INDEX CONCURRENTLY ON ${a} (status)`,
  (a) => `VACUUM ${a}`,
  (a) => `GRANT SELECT ON ${a} TO reporting`,
  (a) => `SELECT ssn, count(*) FROM ${a} GROUP BY ssn`,
  (a) => `SELECT id FROM ${a} FOR UPDATE`,
];

const dialect = await createPostgresDialect();
const statements: ReviewedStatement[] = [];
for (let i = 0; i < STATEMENTS; i++) {
  const sql = pick(templates)(table(), table());
  const analysis = dialect.analyze(Buffer.from(sql));
  if (!analysis.ok) throw new Error(`bench SQL does not parse: ${sql}: ${analysis.error.message}`);
  const estimate = random() < 0.7 ? int(100_000) : null;
  const live = analysis.statements.map(
    (): LiveStatementFacts => ({ relations: [], functions: [], estimatedRows: estimate, errors: [] }),
  );
  statements.push(...reviewStatements({ statements: analysis.statements, live }));
}
/** Each statement is always requested against the same target: a database's requests touch its own tables. */
const byTarget: ReviewedStatement[][] = targetNames.map((_, t) =>
  statements.filter((_, k) => k % targetNames.length === t),
);
const requestFor = (r: number) => ({
  path: `queries/q${r}.sql`,
  target: targetNames[r % targetNames.length] as string,
  reason: "bench",
  ticket: null,
  author: "alice",
  actor: "user" as const,
  labels: r % 7 === 0 ? ["hotfix"] : [],
  maxRows: r % 3 === 0 ? 500 : null,
});
/** Request `r`'s statements: `perRequest` of its target's, in turn. */
function statementsFor(r: number, perRequest: number): ReviewedStatement[] {
  const own = byTarget[r % targetNames.length] as ReviewedStatement[];
  const first = Math.floor(r / targetNames.length) * perRequest;
  return Array.from({ length: perRequest }, (_, j) => own[(first + j) % own.length] as ReviewedStatement);
}
const now = new Date("2025-03-05T12:00:00Z");

const gc = (globalThis as { gc?: () => void }).gc;
const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;

console.log(`querygate bench:policy — node ${process.version}`);
console.log(
  `policy: ${RULES} rules, ${OWNER_PATTERNS} owner patterns, ${targetNames.length} targets; stream: ${statements.length} analysed statements\n`,
);

const compileTimes: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const start = process.hrtime.bigint();
  compilePolicy(policy);
  compileTimes.push(Number(process.hrtime.bigint() - start) / 1e6);
}
console.log(`1. compilePolicy: ${median(compileTimes).toFixed(2)} ms (median of ${ROUNDS})\n`);

/** Decides `count` statements, `perRequest` to a request; returns how many requests were not auto-approved. */
function decide(compiled: CompiledPolicy, count: number, perRequest: number): number {
  let notAuto = 0;
  for (let r = 0; r * perRequest < count; r++) {
    const decision = evaluateRequest({
      policy: compiled,
      request: requestFor(r),
      statements: statementsFor(r, perRequest),
      now,
    });
    if (decision.outcome !== "auto") notAuto++;
  }
  return notAuto;
}

function run(label: string, p: { policy: Policy; perRequest: number; fresh: boolean }): void {
  const compiled = compilePolicy(p.policy);
  const count = p.fresh ? statements.length : DECISIONS_PER_ROUND;
  if (!p.fresh) decide(compiled, statements.length, p.perRequest);
  const wall: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const policyForRound = p.fresh ? compilePolicy(p.policy) : compiled;
    gc?.();
    const start = process.hrtime.bigint();
    decide(policyForRound, count, p.perRequest);
    wall.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  const best = Math.min(...wall);
  const seconds = median(wall);
  console.log(label);
  console.log(
    `  ${Math.round(count / seconds).toLocaleString("en")} statement decisions/s, ${((seconds / count) * 1e6).toFixed(2)} µs per decision (median of ${ROUNDS} rounds of ${count.toLocaleString("en")}; best round ${Math.round(count / best).toLocaleString("en")}/s)`,
  );
}

run("2. One statement per request, policy compiled once", { policy, perRequest: 1, fresh: false });
run(`3. ${MULTI_STATEMENT_REQUEST} statements per request, policy compiled once`, {
  policy,
  perRequest: MULTI_STATEMENT_REQUEST,
  fresh: false,
});
run("4. Cold: a freshly compiled policy, first pass over the stream (buckets and caches empty)", {
  policy,
  perRequest: 1,
  fresh: true,
});

const sample = evaluateRequest({
  policy: compilePolicy(policy),
  request: requestFor(1),
  statements: statementsFor(1, SAMPLE_STATEMENTS),
  now,
});
const average = (xs: number[]) => (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1);
const outcomes = ["auto", "needs_approval", "denied"].map(
  (o) => `${o} ${sample.statements.filter((s) => s.outcome === o).length}`,
);
console.log(
  `   per statement (sample of ${SAMPLE_STATEMENTS}): ${average(sample.statements.map((s) => s.trace.rules.length))} rules checked, ${average(sample.statements.map((s) => s.trace.rules.filter((r) => r.matched).length))} matching; outcomes: ${outcomes.join(", ")}\n`,
);

// Every rule scoped by environment instead of target: each statement's bucket holds ~1/12 of the policy.
const broad: Policy = {
  ...policy,
  rules: policy.rules.map((r) => {
    const { target: _target, ...when } = r.when ?? {};
    return {
      ...r,
      when: { ...when, environment: [targets[r.when?.target?.[0] ?? ""]?.environment ?? "production"] },
    };
  }),
};
run("5. Stress: the same rules scoped by environment, not target (10 statements per request)", {
  policy: broad,
  perRequest: MULTI_STATEMENT_REQUEST,
  fresh: false,
});
