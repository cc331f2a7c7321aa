import { describe, expect, it } from "vitest";
import { combineDecisions } from "../../src/policy/evaluate/combine-decisions.js";
import { compilePolicy } from "../../src/policy/evaluate/compile-policy.js";
import { type EvaluateRequestInput, evaluateRequest } from "../../src/policy/evaluate/evaluate-policy.js";
import {
  MAX_TRACE_OWNERS_PER_STATEMENT,
  MAX_TRACE_RULES_PER_STATEMENT,
  UNMATCHED_DENIAL,
} from "../../src/policy/evaluate/evaluate-statement.js";
import type {
  ConditionResult,
  Decision,
  Policy,
  PolicyRule,
  Principal,
  RequirementSpec,
  RuleEffects,
  RuleTrace,
  WhenConditions,
} from "../../src/policy/policy-types.js";
import { satisfyRequirements } from "../../src/policy/satisfy-requirements.js";
import {
  DBA_TEAM as DBA,
  loadedPolicy,
  type PolicyParts,
  loadedRule as rule,
  SOURCE,
  loadedTarget as target,
  team,
  user,
} from "../support/builders/policy-model.js";
import { reviewSql } from "../support/parse-sql.js";

/** A Wednesday. */
const NOW = new Date("2025-03-05T12:00:00Z");
const PROD = "orders-prod";
const STAGING = "orders-staging";

/** A policy over orders-prod and orders-staging, with defaults of one @acme/dba approval unless given. */
function policyWith(p: Partial<PolicyParts> = {}): Policy {
  return loadedPolicy({
    targets: { [PROD]: target(PROD, "production"), [STAGING]: target(STAGING, "staging") },
    ...p,
  });
}

type RequestOverrides = Partial<EvaluateRequestInput["request"]>;

function evaluate(
  policy: Policy,
  sql: string,
  opts: { request?: RequestOverrides; now?: Date; estimatedRows?: number | null } = {},
): Decision {
  return evaluateRequest({
    policy: compilePolicy(policy),
    request: {
      path: "queries/q.sql",
      target: PROD,
      reason: "fix a stuck order",
      ticket: null,
      author: "alice",
      actor: "user",
      labels: [],
      ...opts.request,
    },
    statements: reviewSql(sql, opts.estimatedRows),
    now: opts.now ?? NOW,
  });
}

function traceOf(decision: Decision, ruleName: string, statement = 0): RuleTrace {
  const trace = decision.statements[statement]?.trace.rules.find((r) => r.rule === ruleName);
  if (!trace) throw new Error(`no trace for ${ruleName}`);
  return trace;
}

/** The rule's result over its traced conditions, as the evaluator combines them. */
function resultOf(trace: RuleTrace): ConditionResult {
  const results = trace.conditions.map((c) => c.result);
  if (results.includes("no_match")) return "no_match";
  return results.includes("unknown") ? "unknown" : "match";
}

/** How one rule with `when` (and `if`) comes out for a statement. */
function check(
  when: WhenConditions | null,
  sql: string,
  opts: { request?: RequestOverrides; now?: Date; estimatedRows?: number | null; cel?: string } = {},
): ConditionResult {
  const d = evaluate(
    policyWith({ rules: [rule("r", when, { mask: ["x.y"] }, opts.cel ?? null)] }),
    sql,
    opts,
  );
  return resultOf(traceOf(d, "r"));
}

const WRITE = "UPDATE orders SET status = 'x' WHERE id = 1";
const READ = "SELECT id FROM orders WHERE id = 1";

describe("conditions", () => {
  it("target and environment come from the request's target and the policy's targets", () => {
    expect(check({ target: [PROD] }, READ)).toBe("match");
    expect(check({ target: [STAGING] }, READ)).toBe("no_match");
    expect(check({ environment: ["production"] }, READ)).toBe("match");
    expect(check({ environment: ["production"] }, READ, { request: { target: STAGING } })).toBe("no_match");
  });

  it("class", () => {
    expect(check({ class: ["write"] }, WRITE)).toBe("match");
    expect(check({ class: ["write", "ddl"] }, READ)).toBe("no_match");
  });

  it("operation matches when any object has one of the operations", () => {
    const sql = "UPDATE orders SET a = 1 FROM customers WHERE customers.id = orders.cid";
    expect(check({ operation: ["read"] }, sql)).toBe("match");
    expect(check({ operation: ["delete"] }, sql)).toBe("no_match");
  });

  it("objects and columns match when any subject matches any glob", () => {
    expect(check({ objects: ["*/public.orders"] }, READ)).toBe("match");
    expect(check({ objects: ["*/sales.*", "orders-prod/public.ord*"] }, READ)).toBe("match");
    expect(check({ objects: ["staging/public.orders"] }, READ)).toBe("no_match");
    expect(check({ columns: ["*/public.orders.id"] }, READ)).toBe("match");
    expect(check({ columns: ["*/public.orders.email"] }, READ)).toBe("no_match");
  });

  it("`*/public.*` does not match a column subject; `**` does", () => {
    const sql = "SELECT email FROM orders WHERE id = 1";
    expect(check({ columns: ["*/public.*"] }, sql)).toBe("no_match");
    expect(check({ columns: ["**"] }, sql)).toBe("match");
    expect(check({ columns: ["*/public.**"] }, sql)).toBe("match");
  });

  it("a `*` column might be any column: a columns glob that could match one is unknown, never ignored", () => {
    expect(check({ columns: ["*/public.customers.ssn"] }, "SELECT * FROM customers")).toBe("unknown");
    expect(check({ columns: ["*/public.customers.ssn"] }, "SELECT c.* FROM customers c")).toBe("unknown");
    expect(check({ columns: ["*/public.customers.ssn"] }, "SELECT * FROM orders")).toBe("no_match");
  });

  it("flags and findings match when any is present", () => {
    const sql = "DELETE FROM orders";
    expect(check({ flags: ["no_where", "view"] }, sql)).toBe("match");
    expect(check({ flags: ["view"] }, sql)).toBe("no_match");
    expect(check({ findings: ["delete-without-where"] }, sql)).toBe("match");
    expect(check({ findings: ["select-star"] }, sql)).toBe("no_match");
  });

  it("estimated rows: a range over the estimate; a missing estimate is unknown", () => {
    expect(check({ estimatedRows: { gt: 1000 } }, WRITE, { estimatedRows: 5000 })).toBe("match");
    expect(check({ estimatedRows: { gt: 1000 } }, WRITE, { estimatedRows: 10 })).toBe("no_match");
    expect(check({ estimatedRows: { gte: 10, lte: 10 } }, WRITE, { estimatedRows: 10 })).toBe("match");
    expect(check({ estimatedRows: { lt: 10 } }, WRITE, { estimatedRows: 10 })).toBe("no_match");
    expect(check({ estimatedRows: { gt: 1000 } }, WRITE, { estimatedRows: null })).toBe("unknown");
    expect(check({ estimatedRows: { gt: 1000 } }, WRITE)).toBe("unknown");
  });

  it("params: one of the values, or within a range; a missing one does not match, a non-number range is unknown", () => {
    const params = { region: "eu", amount: 1500, note: "n/a" };
    expect(check({ params: { region: { in: ["eu", "us"] } } }, READ, { request: { params } })).toBe("match");
    expect(check({ params: { region: { in: ["us"] } } }, READ, { request: { params } })).toBe("no_match");
    expect(check({ params: { amount: { range: { gt: 1000 } } } }, READ, { request: { params } })).toBe(
      "match",
    );
    expect(check({ params: { amount: { range: { lte: 1000 } } } }, READ, { request: { params } })).toBe(
      "no_match",
    );
    expect(check({ params: { amount: { in: ["1500"] } } }, READ, { request: { params } })).toBe("no_match");
    expect(check({ params: { other: { in: ["x"] } } }, READ, { request: { params } })).toBe("no_match");
    expect(check({ params: { note: { range: { gt: 0 } } } }, READ, { request: { params } })).toBe("unknown");
  });

  it("actor and labels (any label)", () => {
    expect(check({ actor: ["agent"] }, READ, { request: { actor: "agent" } })).toBe("match");
    expect(check({ actor: ["agent", "bot"] }, READ)).toBe("no_match");
    expect(check({ labels: ["hotfix", "urgent"] }, READ, { request: { labels: ["x", "urgent"] } })).toBe(
      "match",
    );
    expect(check({ labels: ["hotfix"] }, READ, { request: { labels: ["x"] } })).toBe("no_match");
  });

  it("every condition must hold (AND); list values match if any element does (OR)", () => {
    expect(
      check({ class: ["write"], environment: ["production"], objects: ["*/public.orders"] }, WRITE),
    ).toBe("match");
    expect(check({ class: ["write"], environment: ["staging"] }, WRITE)).toBe("no_match");
    expect(check({ class: ["read", "write"] }, WRITE)).toBe("match");
  });

  it("a no_match beats an unknown; a rule without conditions matches everything", () => {
    expect(check({ class: ["ddl"], estimatedRows: { gt: 1 } }, WRITE)).toBe("no_match");
    expect(check(null, WRITE)).toBe("match");
  });

  it("traces each condition with expected, actual and result", () => {
    const d = evaluate(
      policyWith({ rules: [rule("r", { class: ["write"], estimatedRows: { gt: 100 } }, { deny: "no" })] }),
      WRITE,
    );
    expect(traceOf(d, "r").conditions).toEqual([
      { condition: "class", expected: ["write"], actual: "write", result: "match" },
      {
        condition: "estimated_rows",
        expected: { gt: 100 },
        actual: null,
        result: "unknown",
        note: "no row estimate",
      },
    ]);
  });
});

describe("time windows", () => {
  const at = (iso: string) => ({ now: new Date(iso) });

  it("weekdays and hours in UTC by default, end exclusive", () => {
    const when: WhenConditions = {
      time: { weekdays: ["mon", "tue", "wed", "thu", "fri"], hours: "09:00-17:00", timezone: "UTC" },
    };
    expect(check(when, READ, at("2025-03-05T09:00:00Z"))).toBe("match");
    expect(check(when, READ, at("2025-03-05T16:59:00Z"))).toBe("match");
    expect(check(when, READ, at("2025-03-05T17:00:00Z"))).toBe("no_match");
    expect(check(when, READ, at("2025-03-08T12:00:00Z"))).toBe("no_match");
  });

  it("a window may wrap midnight; the hours after midnight belong to the evening it opened", () => {
    const when: WhenConditions = { time: { weekdays: ["fri"], hours: "22:00-06:00", timezone: "UTC" } };
    expect(check(when, READ, at("2025-03-07T23:00:00Z"))).toBe("match");
    expect(check(when, READ, at("2025-03-08T02:00:00Z"))).toBe("match");
    expect(check(when, READ, at("2025-03-08T06:00:00Z"))).toBe("no_match");
    expect(check(when, READ, at("2025-03-07T02:00:00Z"))).toBe("no_match");
    expect(check(when, READ, at("2025-03-07T12:00:00Z"))).toBe("no_match");
  });

  it("uses the window's time zone", () => {
    const when: WhenConditions = { time: { hours: "09:00-17:00", timezone: "America/New_York" } };
    expect(check(when, READ, at("2025-03-05T15:00:00Z"))).toBe("match");
    expect(check(when, READ, at("2025-03-05T23:00:00Z"))).toBe("no_match");
    const sunday: WhenConditions = { time: { weekdays: ["sun"], timezone: "Asia/Tokyo" } };
    expect(check(sunday, READ, at("2025-03-08T20:00:00Z"))).toBe("match");
    expect(check(sunday, READ, at("2025-03-08T10:00:00Z"))).toBe("no_match");
  });

  it("an unknown time zone is unknown", () => {
    expect(check({ time: { hours: "09:00-17:00", timezone: "Mars/Olympus" } }, READ)).toBe("unknown");
  });
});

describe("CEL `if`", () => {
  it("sees statement, request and now, with ints as CEL ints", () => {
    const request = { labels: ["hotfix"], params: { n: 3 } };
    const opts = { request, estimatedRows: 42 };
    const sql = "UPDATE orders SET status = $1 WHERE orders.id = 1";
    for (const cel of [
      "statement.class == 'write' && statement.kind == 'UpdateStmt'",
      "statement.objects.exists(o, o.target == 'orders-prod' && o.schema == 'public' && o.name == 'orders' && o.operation == 'update')",
      "'public.orders' in statement.tables",
      "'public.orders.status' in statement.columns",
      "statement.estimated_rows == 42 && statement.estimated_rows + 1 == 43",
      "statement.has_where && statement.param_count == 1",
      "size(statement.findings) == 0 && size(statement.flags) == 0 && size(statement.functions) == 0",
      "request.target == 'orders-prod' && request.environment == 'production' && request.path == 'queries/q.sql'",
      "request.author == 'alice' && request.actor == 'user' && 'hotfix' in request.labels && request.ticket == null",
      "request.params.n == 3 && request.reason.startsWith('fix')",
      "now.utc_hour == 12 && now.utc_weekday == 'wed' && now.date == '2025-03-05'",
    ]) {
      expect(check({ class: ["write"] }, sql, { ...opts, cel }), cel).toBe("match");
    }
    expect(check(null, sql, { ...opts, cel: "statement.class == 'read'" })).toBe("no_match");
    expect(check(null, "SELECT * FROM customers", { cel: "'public.customers.*' in statement.columns" })).toBe(
      "match",
    );
    expect(check(null, READ, { cel: "request.environment == null", request: { target: "nowhere" } })).toBe(
      "match",
    );
  });

  it("a null estimate is null: comparing it errors, which is unknown", () => {
    expect(check(null, WRITE, { cel: "statement.estimated_rows == null" })).toBe("match");
    expect(check(null, WRITE, { cel: "statement.estimated_rows > 1000" })).toBe("unknown");
  });

  it("an error or a non-boolean result is unknown", () => {
    expect(check(null, READ, { cel: "1 / 0 == 1" })).toBe("unknown");
    expect(check(null, READ, { cel: "request.params.missing == 'x'" })).toBe("unknown");
    expect(check(null, READ, { cel: "statement.param_count" })).toBe("unknown");
  });

  it("runs only after the structured conditions held", () => {
    const d = evaluate(
      policyWith({ rules: [rule("r", { class: ["ddl"] }, { deny: "x" }, "1 / 0 == 1")] }),
      READ,
    );
    expect(traceOf(d, "r").conditions.map((c) => c.condition)).toEqual(["class"]);
    expect(d.summary.join("\n")).not.toContain("could not be fully evaluated");
  });

  it("deny with an erroring `if` denies", () => {
    const d = evaluate(policyWith({ rules: [rule("guard", null, { deny: "blocked" }, "1 / 0 == 1")] }), READ);
    expect(d.outcome).toBe("denied");
    expect(d.statements[0]?.denials).toEqual([{ rule: "guard", message: "blocked" }]);
    expect(traceOf(d, "guard").applied).toEqual(["deny"]);
  });

  it("approve: auto with an erroring `if` does not auto-approve", () => {
    const d = evaluate(
      policyWith({ rules: [rule("free", null, { approve: "auto" }, "statement.nope")] }),
      READ,
    );
    expect(d.outcome).toBe("needs_approval");
    expect(d.requirements.map((r) => r.id)).toEqual(["defaults"]);
    expect(traceOf(d, "free")).toMatchObject({ matched: true, applied: [] });
    const noDefaults = evaluate(
      policyWith({ defaults: null, rules: [rule("free", null, { approve: "auto" }, "statement.nope")] }),
      READ,
    );
    expect(noDefaults.outcome).toBe("denied");
  });
});

describe("unknown is fail-closed, per effect", () => {
  const effects: RuleEffects = {
    require: { count: 2, from: [DBA] },
    limits: { maxAffectedRows: 10 },
    mask: ["*.ssn"],
    execute: "auto",
    lint: { "update-without-where": "off" },
    approve: "auto",
  };

  it("an unknown condition applies require, limits and mask, but not approve, execute or lint", () => {
    const d = evaluate(policyWith({ rules: [rule("big", { estimatedRows: { gt: 100 } }, effects)] }), WRITE);
    const s = d.statements[0];
    expect(traceOf(d, "big").applied).toEqual(["require", "limits", "mask"]);
    expect(s?.outcome).toBe("needs_approval");
    expect(s?.requirements).toEqual(["rule:big"]);
    expect(s?.limits).toEqual({ maxAffectedRows: 10 });
    expect(s?.mask).toEqual(["*.ssn"]);
    expect(s?.execute).toBe("on_approval");
    expect(s?.lint).toEqual({});
    expect(d.summary).toContain(
      "Statement 1 (write on public.orders): rule big could not be fully evaluated (estimated_rows: no row estimate), so only its restrictive effects apply",
    );
  });

  it("an unknown estimate with an auto rule: no auto-approval", () => {
    const d = evaluate(
      policyWith({ rules: [rule("small-writes", { estimatedRows: { lte: 10 } }, { approve: "auto" })] }),
      WRITE,
    );
    expect(d.outcome).toBe("needs_approval");
    expect(d.requirements.map((r) => r.id)).toEqual(["defaults"]);
    const known = evaluate(
      policyWith({ rules: [rule("small-writes", { estimatedRows: { lte: 10 } }, { approve: "auto" })] }),
      WRITE,
      { estimatedRows: 3 },
    );
    expect(known.outcome).toBe("auto");
  });

  it("a full match applies everything", () => {
    const d = evaluate(policyWith({ rules: [rule("big", { estimatedRows: { gt: 100 } }, effects)] }), WRITE, {
      estimatedRows: 500,
    });
    expect(traceOf(d, "big").applied).toEqual(["require", "limits", "mask", "execute", "lint"]);
    expect(d.statements[0]?.execute).toBe("auto");
  });
});

describe("effects", () => {
  it("any matching deny denies the statement with the rule's message", () => {
    const d = evaluate(
      policyWith({
        rules: [
          rule(
            "no-ddl-in-prod",
            { environment: ["production"], class: ["ddl"] },
            { deny: "Schema changes go through migrations." },
          ),
          rule("free", null, { approve: "auto" }),
        ],
      }),
      "DROP TABLE orders",
    );
    expect(d.outcome).toBe("denied");
    expect(d.statements[0]?.denials).toEqual([
      { rule: "no-ddl-in-prod", message: "Schema changes go through migrations." },
    ]);
    expect(d.statements[0]?.requirements).toEqual([]);
    expect(d.summary).toEqual([
      "Statement 1 (ddl on public.orders) is denied: Schema changes go through migrations. (rule no-ddl-in-prod)",
    ]);
  });

  it("every matching require and every owner requirement applies, each on its own", () => {
    const d = evaluate(
      policyWith({
        rules: [
          rule("prod-writes-need-two-dbas", { class: ["write"] }, { require: { count: 2, from: [DBA] } }),
          rule(
            "orders-need-ops",
            { objects: ["*/public.orders"] },
            { require: { count: 1, from: [user("olga")] } },
          ),
        ],
        owners: [{ pattern: "*/public.orders", owners: [team("acme", "eng")], source: SOURCE }],
      }),
      WRITE,
    );
    expect(d.outcome).toBe("needs_approval");
    expect(d.requirements.map((r) => [r.id, r.count])).toEqual([
      ["owners:*/public.orders", 1],
      ["rule:prod-writes-need-two-dbas", 2],
      ["rule:orders-need-ops", 1],
    ]);
    expect(d.summary).toContain(
      "Statement 1 (write on public.orders) needs 2 approvals from @acme/dba (rule prod-writes-need-two-dbas)",
    );
    expect(d.statements[0]?.trace.defaults).toBe("not_needed");
  });

  it("approve: auto applies only when no requirement applies", () => {
    const free = rule("free", null, { approve: "auto" });
    const auto = evaluate(policyWith({ rules: [free] }), READ);
    expect(auto.outcome).toBe("auto");
    expect(traceOf(auto, "free").applied).toEqual(["approve"]);
    expect(auto.summary).toEqual([
      "Statement 1 (read on public.orders) is approved automatically (rule free)",
    ]);

    const owned = evaluate(
      policyWith({ rules: [free], owners: [{ pattern: "**", owners: [user("dana")], source: SOURCE }] }),
      READ,
    );
    expect(owned.outcome).toBe("needs_approval");
    expect(traceOf(owned, "free").applied).toEqual([]);

    const required = evaluate(
      policyWith({ rules: [free, rule("r", null, { require: { count: 1, from: [DBA] } })] }),
      READ,
    );
    expect(required.outcome).toBe("needs_approval");
  });

  it("an unmatched statement takes the defaults", () => {
    const d = evaluate(policyWith({}), READ);
    expect(d.outcome).toBe("needs_approval");
    expect(d.requirements).toEqual([
      { id: "defaults", source: "defaults", label: "defaults", count: 1, from: [DBA], statements: [0] },
    ]);
    expect(d.statements[0]?.trace.defaults).toBe("applied");
    expect(d.summary).toEqual([
      "Statement 1 (read on public.orders) needs 1 approval from @acme/dba (policy defaults: no rule or owner covers it)",
    ]);
  });

  it("an unmatched statement without defaults is denied", () => {
    const d = evaluate(policyWith({ defaults: null }), READ);
    expect(d.outcome).toBe("denied");
    expect(d.statements[0]?.denials).toEqual([{ rule: "(defaults)", message: UNMATCHED_DENIAL }]);
    expect(d.statements[0]?.trace.defaults).toBe("missing");
    expect(UNMATCHED_DENIAL).toBe("no rule or owner covers this statement and the policy has no defaults");
  });

  it("limits: the strictest of the target's, the matching rules' and the request's max rows", () => {
    const targets = {
      [PROD]: target(PROD, "production", { limits: { maxAffectedRows: 500, statementTimeoutMs: 5000 } }),
    };
    const rules = [
      rule("a", null, { limits: { maxAffectedRows: 1000, maxResultRows: 50 } }),
      rule("b", null, { limits: { maxAffectedRows: 200 } }),
      rule("c", { class: ["ddl"] }, { limits: { maxAffectedRows: 1 } }),
    ];
    const d = evaluate(policyWith({ targets, rules }), WRITE);
    expect(d.statements[0]?.limits).toEqual({
      maxAffectedRows: 200,
      statementTimeoutMs: 5000,
      maxResultRows: 50,
    });
    const capped = evaluate(policyWith({ targets, rules }), WRITE, { request: { maxRows: 20 } });
    expect(capped.statements[0]?.limits.maxAffectedRows).toBe(20);
    const loose = evaluate(policyWith({ targets, rules }), WRITE, { request: { maxRows: 100000 } });
    expect(loose.statements[0]?.limits.maxAffectedRows).toBe(200);
  });

  it("execute: the target's mode, overridden by matching rules, the most manual winning", () => {
    expect(evaluate(policyWith({}), READ).statements[0]?.execute).toBe("on_approval");
    const relaxed = evaluate(policyWith({ rules: [rule("a", null, { execute: "auto" })] }), READ);
    expect(relaxed.statements[0]?.execute).toBe("auto");
    const both = evaluate(
      policyWith({ rules: [rule("a", null, { execute: "on_merge" }), rule("b", null, { execute: "auto" })] }),
      READ,
    );
    expect(both.statements[0]?.execute).toBe("on_merge");
  });

  it("mask: the union of matching rules' globs", () => {
    const d = evaluate(
      policyWith({
        rules: [
          rule("a", null, { mask: ["*.ssn", "customers.email"] }),
          rule("b", null, { mask: ["*.ssn", "public.users.phone"] }),
          rule("c", { class: ["ddl"] }, { mask: ["never.this"] }),
        ],
      }),
      READ,
    );
    expect(d.statements[0]?.mask).toEqual(["*.ssn", "customers.email", "public.users.phone"]);
  });

  it("lint: matching rules' overrides, the strictest winning a conflict", () => {
    const d = evaluate(
      policyWith({
        rules: [
          rule("a", null, { lint: { "select-star": "off", truncate: "warning" } }),
          rule("b", null, { lint: { "select-star": "notice", truncate: "error" } }),
          rule("c", null, { lint: { "select-star": "off" } }),
        ],
      }),
      READ,
    );
    expect(d.statements[0]?.lint).toEqual({ "select-star": "notice", truncate: "error" });
  });

  it("a rejected statement is always denied, with the analyser's reason", () => {
    const d = evaluate(
      policyWith({ rules: [rule("free", null, { approve: "auto" })] }),
      "COPY orders TO PROGRAM 'ls'",
    );
    expect(d.outcome).toBe("denied");
    expect(d.statements[0]?.denials[0]?.rule).toBe("(analysis)");
    expect(d.statements[0]?.denials[0]?.message).toContain("never allowed");
  });

  it("an error-level finding is not a denial, but the summary says so unless a rule lowers it", () => {
    const d = evaluate(policyWith({}), "DELETE FROM orders");
    expect(d.outcome).toBe("needs_approval");
    expect(d.summary).toContain(
      "Statement 1 (write on public.orders) has error-level findings (delete-without-where): it cannot run until they are fixed or the policy lowers them",
    );
    const lowered = evaluate(
      policyWith({ rules: [rule("ok", null, { lint: { "delete-without-where": "warning" } })] }),
      "DELETE FROM orders",
    );
    expect(lowered.summary.join("\n")).not.toContain("error-level");
  });

  it("a target the policy does not define denies every statement", () => {
    const d = evaluate(policyWith({ rules: [rule("free", null, { approve: "auto" })] }), READ, {
      request: { target: "nowhere" },
    });
    expect(d.outcome).toBe("denied");
    expect(d.statements[0]?.denials[0]?.message).toBe('target "nowhere" is not defined in the policy');
  });
});

describe("requests", () => {
  it("identical requirements across statements merge into one listing every statement", () => {
    const d = evaluate(
      policyWith({
        rules: [
          rule("prod-writes-need-two-dbas", { class: ["write"] }, { require: { count: 2, from: [DBA] } }),
        ],
      }),
      `${WRITE}; SELECT 1 FROM orders WHERE id = 1; DELETE FROM orders WHERE id = 2`,
    );
    expect(d.requirements).toEqual([
      {
        id: "rule:prod-writes-need-two-dbas",
        source: "rule",
        label: "prod-writes-need-two-dbas",
        count: 2,
        from: [DBA],
        statements: [0, 2],
      },
      { id: "defaults", source: "defaults", label: "defaults", count: 1, from: [DBA], statements: [1] },
    ]);
    expect(d.statements.map((s) => s.requirements)).toEqual([
      ["rule:prod-writes-need-two-dbas"],
      ["defaults"],
      ["rule:prod-writes-need-two-dbas"],
    ]);
  });

  it("denied if any statement is denied; auto only if all are auto; else needs approval", () => {
    const rules = [
      rule("reads-free", { class: ["read"] }, { approve: "auto" }),
      rule("no-ddl", { class: ["ddl"] }, { deny: "no" }),
    ];
    expect(evaluate(policyWith({ rules }), `${READ}; ${READ}`).outcome).toBe("auto");
    expect(evaluate(policyWith({ rules }), `${READ}; ${WRITE}`).outcome).toBe("needs_approval");
    expect(evaluate(policyWith({ rules }), `${READ}; ${WRITE}; DROP TABLE x`).outcome).toBe("denied");
  });

  it("a request without statements is denied", () => {
    const d = evaluateRequest({
      policy: compilePolicy(policyWith({})),
      request: {
        path: "q.sql",
        target: PROD,
        reason: "r",
        ticket: null,
        author: "a",
        actor: "user",
        labels: [],
      },
      statements: [],
      now: NOW,
    });
    expect(d.outcome).toBe("denied");
  });

  it("is pure: the same input gives the same decision", () => {
    const policy = compilePolicy(
      policyWith({
        rules: [rule("r", { time: { hours: "09:00-17:00", timezone: "UTC" } }, { approve: "auto" })],
      }),
    );
    const input: EvaluateRequestInput = {
      policy,
      request: {
        path: "q.sql",
        target: PROD,
        reason: "r",
        ticket: null,
        author: "a",
        actor: "user",
        labels: [],
      },
      statements: reviewSql(READ),
      now: NOW,
    };
    expect(evaluateRequest(input)).toEqual(evaluateRequest(input));
    expect(evaluateRequest({ ...input, now: new Date("2025-03-05T20:00:00Z") }).outcome).toBe(
      "needs_approval",
    );
  });
});

describe("traces", () => {
  it("list every rule of a small policy, matched or not", () => {
    const d = evaluate(
      policyWith({
        rules: [rule("a", { class: ["ddl"] }, { deny: "x" }), rule("b", null, { approve: "auto" })],
      }),
      READ,
    );
    expect(d.statements[0]?.trace.rules.map((r) => [r.rule, r.matched])).toEqual([
      ["a", false],
      ["b", true],
    ]);
    expect(d.statements[0]?.trace.omitted).toBeUndefined();
  });

  it("keep at most MAX_TRACE_OWNERS_PER_STATEMENT owner traces, counting the rest", () => {
    const columns = Array.from({ length: MAX_TRACE_OWNERS_PER_STATEMENT + 20 }, (_, i) => `c${i}`);
    const d = evaluate(policyWith({}), `SELECT ${columns.join(", ")} FROM orders`);
    expect(d.statements[0]?.trace.owners).toHaveLength(MAX_TRACE_OWNERS_PER_STATEMENT);
    expect(d.statements[0]?.trace.omitted).toEqual({ owners: 21, rules: 0 });
  });

  it("stay bounded: matching rules are always kept, the rest counted", () => {
    const rules: PolicyRule[] = [];
    for (let i = 0; i < 300; i++) rules.push(rule(`ddl-${i}`, { class: ["ddl"] }, { deny: "x" }));
    for (let i = 0; i < 100; i++)
      rules.push(rule(`read-miss-${i}`, { class: ["read"], labels: ["never"] }, { deny: "x" }));
    rules.push(rule("read-hit", { class: ["read"] }, { require: { count: 1, from: [DBA] } }));
    const d = evaluate(policyWith({ rules }), READ);
    const trace = d.statements[0]?.trace;
    expect(trace?.rules.length).toBe(MAX_TRACE_RULES_PER_STATEMENT + 1);
    expect(trace?.rules.at(-1)?.rule).toBe("read-hit");
    expect((trace?.rules.length ?? 0) + (trace?.omitted?.rules ?? 0)).toBe(rules.length);
    expect(d.requirements.map((r) => r.id)).toEqual(["rule:read-hit"]);
  });
});

describe("large policies", () => {
  it("decide as small ones: rule buckets and glob indexes only skip rules that cannot match", () => {
    const rules: PolicyRule[] = [
      rule(
        "writes",
        { environment: ["production"], class: ["write"] },
        { require: { count: 2, from: [DBA] } },
      ),
      rule("orders", { objects: ["*/public.orders"] }, { limits: { maxAffectedRows: 5 } }),
      rule(
        "pii",
        { columns: ["*/public.customers.ssn", "**.email"] },
        { mask: ["*.ssn"], require: { count: 1, from: [user("pia")] } },
      ),
      rule("prod-reads", { target: [PROD], class: ["read"] }, { approve: "auto" }),
      rule("big", { estimatedRows: { gt: 100 } }, { deny: "too big" }),
      rule(
        "billing",
        { class: ["read", "write"] },
        { require: { count: 1, from: [user("bill")] } },
        "statement.tables.exists(t, t.startsWith('billing.'))",
      ),
      rule("hotfix", null, { execute: "on_merge" }, "'hotfix' in request.labels"),
      rule("broken", { objects: ["*/public.c*"] }, { approve: "auto" }, "1 / 0 == 1"),
    ];
    const padding: PolicyRule[] = [];
    for (let i = 0; i < 60; i++) {
      padding.push(rule(`elsewhere-${i}`, { target: ["elsewhere"] }, { deny: "x" }));
      padding.push(rule(`objects-${i}`, { objects: [`*/public.never${i}`] }, { deny: "x" }));
      padding.push(rule(`columns-${i}`, { columns: [`*/nowhere.*.never${i}`] }, { deny: "x" }));
    }
    const small = policyWith({ rules });
    const large = policyWith({ rules: [...padding.slice(0, 90), ...rules, ...padding.slice(90)] });
    const essentials = (d: Decision) => ({
      outcome: d.outcome,
      requirements: d.requirements,
      statements: d.statements.map((s) => ({
        outcome: s.outcome,
        denials: s.denials,
        limits: s.limits,
        execute: s.execute,
        mask: s.mask,
        matched: s.trace.rules.filter((r) => r.matched).map((r) => [r.rule, r.applied, r.conditions]),
      })),
    });
    const sqls = [
      WRITE,
      READ,
      "SELECT * FROM customers",
      "SELECT c.email FROM customers c JOIN billing.invoices i ON i.cid = c.id",
      "SELECT ssn FROM customers WHERE id = 1",
      "DELETE FROM orders WHERE id = 1",
      "DROP TABLE orders",
      "SELECT 1",
      "UPDATE billing.invoices SET paid = true WHERE id = 1",
    ];
    for (const sql of sqls) {
      for (const opts of [
        {},
        { estimatedRows: 1000 },
        { request: { labels: ["hotfix"] } },
        { request: { target: STAGING } },
      ]) {
        expect(essentials(evaluate(large, sql, opts)), `${sql} ${JSON.stringify(opts)}`).toEqual(
          essentials(evaluate(small, sql, opts)),
        );
      }
    }
  });
});

describe("combineDecisions", () => {
  const policy = policyWith({
    rules: [
      rule("writes", { class: ["write"] }, { require: { count: 2, from: [DBA] } }),
      rule("reads-free", { class: ["read"] }, { approve: "auto" }),
    ],
  });
  const file = (path: string, sql: string) => evaluate(policy, sql, { request: { path } });
  const policyOwners: RequirementSpec = {
    id: "policy_owners",
    source: "policy_owners",
    label: "policy owners",
    count: 1,
    from: [team("acme", "security")],
    statements: [],
  };

  it("merges identical requirements across files, with statements as positions in the combined list", () => {
    const d = combineDecisions([file("a.sql", `${READ}; ${WRITE}`), file("b.sql", WRITE)]);
    expect(d.outcome).toBe("needs_approval");
    expect(d.statements.map((s) => [s.path, s.index])).toEqual([
      ["a.sql", 0],
      ["a.sql", 1],
      ["b.sql", 0],
    ]);
    expect(d.requirements).toEqual([
      { id: "rule:writes", source: "rule", label: "writes", count: 2, from: [DBA], statements: [1, 2] },
    ]);
    expect(d.summary).toContain(
      "b.sql: Statement 1 (write on public.orders) needs 2 approvals from @acme/dba (rule writes)",
    );
  });

  it("adds the pull request's own requirements; all-auto files then still need approval", () => {
    expect(combineDecisions([file("a.sql", READ)]).outcome).toBe("auto");
    const d = combineDecisions([file("a.sql", READ)], [policyOwners]);
    expect(d.outcome).toBe("needs_approval");
    expect(d.requirements).toEqual([policyOwners]);
    expect(d.summary).toContain("The pull request needs 1 approval from @acme/security (policy owners)");
  });

  it("is denied when any file is", () => {
    const denied = evaluate(policyWith({ defaults: null }), "DROP TABLE x", { request: { path: "c.sql" } });
    expect(combineDecisions([file("a.sql", READ), denied]).outcome).toBe("denied");
  });

  it("keeps ids unique when different requirements share one", () => {
    const other = evaluate(
      policyWith({
        rules: [rule("writes", { class: ["write"] }, { require: { count: 1, from: [user("olga")] } })],
      }),
      WRITE,
      { request: { path: "b.sql" } },
    );
    const d = combineDecisions([file("a.sql", WRITE), other]);
    expect(d.requirements.map((r) => [r.id, r.statements])).toEqual([
      ["rule:writes", [0]],
      ["rule:writes#2", [1]],
    ]);
    expect(d.statements.map((s) => s.requirements)).toEqual([["rule:writes"], ["rule:writes#2"]]);
  });
});

describe("satisfyRequirements", () => {
  const spec = (id: string, count: number, from: Principal[]): RequirementSpec => ({
    id,
    source: "rule",
    label: id,
    count,
    from,
    statements: [0],
  });
  const members: Record<string, string[]> = { "acme/dba": ["dana", "dmitri"], "acme/eng": ["erin"] };
  const isMember = (org: string, slug: string, login: string): boolean | "unknown" => {
    const list = members[`${org}/${slug}`];
    return list ? list.includes(login.toLowerCase()) : "unknown";
  };

  it("counts distinct approvers who are listed users or members of a listed team", () => {
    const [status] = satisfyRequirements({
      requirements: [spec("r", 2, [DBA, user("Olga")])],
      approvers: ["dana", "Dana", "olga", "erin"],
      isMember,
    });
    expect(status).toEqual({ id: "r", satisfiedBy: ["dana", "olga"], missing: 0, errors: [] });
  });

  it("each requirement is met on its own; one approver may count towards several", () => {
    const statuses = satisfyRequirements({
      requirements: [
        spec("dba", 1, [DBA]),
        spec("eng", 1, [team("acme", "eng")]),
        spec("dana", 1, [user("dana")]),
      ],
      approvers: ["dana"],
      isMember,
    });
    expect(statuses.map((s) => [s.id, s.missing])).toEqual([
      ["dba", 0],
      ["eng", 1],
      ["dana", 0],
    ]);
  });

  it("a count larger than the eligible people is never met", () => {
    const [status] = satisfyRequirements({
      requirements: [spec("r", 3, [DBA])],
      approvers: ["dana", "dmitri", "erin"],
      isMember,
    });
    expect(status?.missing).toBe(1);
  });

  it("an unknown membership never counts and is reported", () => {
    const [status] = satisfyRequirements({
      requirements: [spec("r", 1, [team("acme", "ghost")])],
      approvers: ["dana"],
      isMember,
    });
    expect(status).toEqual({
      id: "r",
      satisfiedBy: [],
      missing: 1,
      errors: ["could not check whether @dana is in @acme/ghost"],
    });
    const throwing = satisfyRequirements({
      requirements: [spec("r", 1, [DBA])],
      approvers: ["dana"],
      isMember: () => {
        throw new Error("rate limited");
      },
    });
    expect(throwing[0]?.missing).toBe(1);
    expect(throwing[0]?.errors).toHaveLength(1);
  });

  it("a confirmed membership in another listed team still counts", () => {
    const [status] = satisfyRequirements({
      requirements: [spec("r", 1, [team("acme", "ghost"), DBA])],
      approvers: ["dana"],
      isMember,
    });
    expect(status?.satisfiedBy).toEqual(["dana"]);
    expect(status?.missing).toBe(0);
  });

  it("a team slug is not a user login", () => {
    const [status] = satisfyRequirements({
      requirements: [spec("r", 1, [team("acme", "dana")])],
      approvers: ["dana"],
      isMember: () => false,
    });
    expect(status?.missing).toBe(1);
  });
});
