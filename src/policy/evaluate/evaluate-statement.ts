import type { LintLevel } from "../../lint/lint-rule.js";
import type {
  ConditionResult,
  ConditionTrace,
  ExecuteMode,
  Limits,
  OwnerTrace,
  RuleEffects,
  RuleTrace,
  StatementDecision,
} from "../policy-types.js";
import type { CompiledPolicy, RuleBucket } from "./compile-policy.js";
import type { CompiledRule, ConditionCheck, StatementRequirement } from "./compile-rule.js";
import { describeStatement } from "./describe-decision.js";
import type { StatementContext } from "./evaluation-context.js";

/** Rule traces kept per statement; rules that match are always kept, the rest are counted beyond this. */
export const MAX_TRACE_RULES_PER_STATEMENT = 50;
/** Owner traces (one per subject) kept per statement; the rest are counted. */
export const MAX_TRACE_OWNERS_PER_STATEMENT = 100;

export const UNMATCHED_DENIAL = "no rule or owner covers this statement and the policy has no defaults";

/** Denials that come from outside the rules carry these in place of a rule name (no rule can be named so). */
export const DENIED_BY_ANALYSIS = "(analysis)";
export const DENIED_BY_TARGET = "(target)";
export const DENIED_BY_DEFAULTS = "(defaults)";

const EXECUTE_RANK: Record<ExecuteMode, number> = { auto: 0, on_approval: 1, on_merge: 2 };
const LINT_RANK: Record<LintLevel | "off", number> = { off: 0, notice: 1, warning: 2, error: 3 };
const LIMIT_KEYS = ["maxAffectedRows", "maxResultRows", "statementTimeoutMs"] as const;

export interface StatementEvaluation {
  /** `requirements` holds the ids of `requirements` below until the request merges them. */
  decision: StatementDecision;
  requirements: StatementRequirement[];
  summary: string[];
}

/** Owners, rules, defaults: one statement's outcome, effects and trace. */
export function evaluateStatement(p: {
  policy: CompiledPolicy;
  context: StatementContext;
  path: string;
}): StatementEvaluation {
  const { policy, context } = p;
  const { statement } = context;
  const request = context.request;
  const denials: StatementDecision["denials"] = [];
  if (request.target === null) {
    denials.push({
      rule: DENIED_BY_TARGET,
      message: `target "${request.request.target}" is not defined in the policy`,
    });
  }
  if (statement.class === "rejected") {
    denials.push({ rule: DENIED_BY_ANALYSIS, message: rejectionReason(statement.reasons) });
  }

  const owners = ownerRequirements(policy, context);
  const rules = applyRules(policy, context);
  const requirements: StatementRequirement[] = [...owners.requirements, ...rules.requirements];
  for (const d of rules.denials) denials.push(d);

  let outcome: StatementDecision["outcome"];
  let defaults: StatementDecision["trace"]["defaults"] = "not_needed";
  if (denials.length > 0) outcome = "denied";
  else if (requirements.length > 0) outcome = "needs_approval";
  else if (rules.autoApprovers.length > 0) {
    outcome = "auto";
    for (const trace of rules.autoApprovers) trace.applied.push("approve");
  } else if (policy.defaults) {
    outcome = "needs_approval";
    defaults = "applied";
    requirements.push(policy.defaults);
  } else {
    outcome = "denied";
    defaults = "missing";
    denials.push({ rule: DENIED_BY_DEFAULTS, message: UNMATCHED_DENIAL });
  }
  // Nothing can make a denied statement run: asking people to approve it would only be noise.
  const kept = outcome === "denied" ? [] : requirements;

  const limits: Limits = { ...request.target?.limits };
  for (const l of rules.limits) tighten(limits, l);
  const maxRows = request.request.maxRows;
  if (typeof maxRows === "number" && maxRows >= 0) tighten(limits, { maxAffectedRows: maxRows });

  // An undefined target is denied anyway; its mode is the most manual one.
  const execute = rules.execute ?? request.target?.execute ?? "on_merge";

  const trace: StatementDecision["trace"] = { owners: owners.traces, rules: rules.traces, defaults };
  if (owners.omitted > 0 || rules.omitted > 0)
    trace.omitted = { owners: owners.omitted, rules: rules.omitted };
  return {
    decision: {
      index: statement.index,
      path: p.path,
      outcome,
      denials,
      requirements: kept.map((r) => r.id),
      limits,
      execute,
      mask: rules.mask,
      lint: rules.lint,
      trace,
    },
    requirements: kept,
    summary: summarize({ context, outcome, denials, requirements: kept, rules }),
  };
}

/** One plain sentence per denial, requirement, unknown rule and error-level finding. */
function summarize(p: {
  context: StatementContext;
  outcome: StatementDecision["outcome"];
  denials: StatementDecision["denials"];
  requirements: StatementRequirement[];
  rules: RuleOutcome;
}): string[] {
  const { rules } = p;
  const label = describeStatement(p.context.statement, p.context.subjects.tables);
  const lines: string[] = [];
  if (p.outcome === "denied") {
    for (const d of p.denials) lines.push(`${label} is denied: ${d.message} (${describeDenier(d.rule)})`);
  } else if (p.outcome === "auto") {
    lines.push(
      `${label} is approved automatically (rule ${rules.autoApprovers.map((t) => t.rule).join(", ")})`,
    );
  } else {
    for (const r of p.requirements) lines.push(`${label} ${r.need}`);
  }
  for (const u of rules.unknown) {
    lines.push(
      `${label}: rule ${u.rule} could not be fully evaluated (${u.notes.join("; ")}), so only its restrictive effects apply`,
    );
  }
  const errors = errorFindings(p.context.statement.findings, rules.lint);
  if (errors.length > 0) {
    lines.push(
      `${label} has error-level findings (${errors.join(", ")}): it cannot run until they are fixed or the policy lowers them`,
    );
  }
  return lines;
}

/**
 * CODEOWNERS: for each subject the last matching entry wins; an entry without owners leaves it unowned.
 * Subjects with the same owners share one requirement of one approval.
 */
function ownerRequirements(
  policy: CompiledPolicy,
  context: StatementContext,
): { requirements: StatementRequirement[]; traces: OwnerTrace[]; omitted: number } {
  const { objects, columns } = context.subjects;
  const entries = policy.owners.entries;
  const traces: OwnerTrace[] = [];
  const groups = new Map<string, number[]>();
  let omitted = 0;
  const visit = (subject: string) => {
    const found = policy.owners.find(subject);
    const entry = entries[found];
    if (traces.length < MAX_TRACE_OWNERS_PER_STATEMENT) {
      traces.push({
        subject,
        pattern: entry?.pattern ?? null,
        source: entry?.source ?? null,
        owners: entry?.owners ?? [],
      });
    } else omitted++;
    if (!entry || entry.owners.length === 0) return;
    const key = policy.ownerSetKey(found);
    const group = groups.get(key);
    if (!group) groups.set(key, [found]);
    else if (!group.includes(found)) group.push(found);
  };
  for (const s of objects) visit(s);
  for (const s of columns) visit(s);
  const requirements: StatementRequirement[] = [];
  for (const group of groups.values())
    requirements.push(policy.ownerRequirement(group.sort((a, b) => a - b)));
  return { requirements, traces, omitted };
}

interface RuleOutcome {
  traces: RuleTrace[];
  omitted: number;
  denials: StatementDecision["denials"];
  requirements: StatementRequirement[];
  /** Traces of fully matching rules with `approve: auto`; they apply only if nothing is required. */
  autoApprovers: RuleTrace[];
  limits: Limits[];
  execute: ExecuteMode | null;
  mask: string[];
  lint: Record<string, LintLevel | "off">;
  unknown: Array<{ rule: string; notes: string[] }>;
}

function applyRules(policy: CompiledPolicy, context: StatementContext): RuleOutcome {
  const all = policy.rules;
  // A small policy is traced whole; a large one only over the rules that could match (see selectRules).
  const selected = all.length <= MAX_TRACE_RULES_PER_STATEMENT ? null : selectRules(policy, context);
  const rules = selected?.rules ?? all;
  const prefixes = selected?.discriminatorTraces;
  const out: RuleOutcome = {
    traces: [],
    omitted: all.length - rules.length,
    denials: [],
    requirements: [],
    autoApprovers: [],
    limits: [],
    execute: null,
    mask: [],
    lint: {},
    unknown: [],
  };
  for (const rule of rules) {
    const name = rule.rule.name;
    const { result, conditions } = checkRule(rule, context, prefixes?.get(rule.index));
    if (result === "no_match") {
      if (out.traces.length < MAX_TRACE_RULES_PER_STATEMENT)
        out.traces.push({ rule: name, source: rule.rule.source, matched: false, applied: [], conditions });
      else out.omitted++;
      continue;
    }
    const effects: RuleEffects = rule.rule.effects;
    const applied: Array<keyof RuleEffects> = [];
    const trace: RuleTrace = { rule: name, source: rule.rule.source, matched: true, applied, conditions };
    out.traces.push(trace);
    if (effects.deny !== undefined) {
      out.denials.push({ rule: name, message: effects.deny });
      applied.push("deny");
    }
    if (rule.requirement) {
      out.requirements.push(rule.requirement);
      applied.push("require");
    }
    if (effects.limits) {
      out.limits.push(effects.limits);
      applied.push("limits");
    }
    if (effects.mask) {
      for (const m of effects.mask) out.mask.push(m);
      applied.push("mask");
    }
    if (result === "unknown") {
      const notes = conditions
        .filter((c) => c.result === "unknown")
        .map((c) => `${c.condition}: ${c.note ?? "unknown"}`);
      out.unknown.push({ rule: name, notes });
      continue;
    }
    if (effects.approve === "auto") out.autoApprovers.push(trace);
    if (effects.execute) {
      if (out.execute === null || EXECUTE_RANK[effects.execute] > EXECUTE_RANK[out.execute])
        out.execute = effects.execute;
      applied.push("execute");
    }
    if (effects.lint) {
      for (const [id, level] of Object.entries(effects.lint)) {
        const current = out.lint[id];
        if (current === undefined || LINT_RANK[level] > LINT_RANK[current]) out.lint[id] = level;
      }
      applied.push("lint");
    }
  }
  if (out.mask.length > 1) out.mask = [...new Set(out.mask)];
  return out;
}

/**
 * The rules worth checking, in policy order: those the statement's target, environment and class admit, less
 * those whose `objects` glob matches none of its objects or whose `columns` glob matches none of its columns
 * (found through the policy's glob indexes). A `*` column could be any column, so it keeps every `columns` rule.
 */
function selectRules(
  policy: CompiledPolicy,
  context: StatementContext,
): { rules: CompiledRule[]; discriminatorTraces: RuleBucket["discriminatorTraces"] } {
  const bucket = policy.candidates(context.request.request.target, context.statement.class);
  const extra: number[] = [];
  if (bucket.withObjects.size > 0) {
    const seen = new Set<number>();
    for (const subject of context.subjects.objects) {
      for (const r of policy.rulesForObject(subject)) {
        if (bucket.withObjects.has(r) && !seen.has(r)) {
          seen.add(r);
          extra.push(r);
        }
      }
    }
  }
  if (bucket.withColumns.length > 0) {
    if (context.subjects.allColumnsOf.length > 0) {
      for (const r of bucket.withColumns) extra.push(r.index);
    } else {
      const seen = new Set<number>();
      for (const subject of context.subjects.columns) {
        for (const r of policy.rulesForColumn(subject)) {
          if (bucket.withColumnsIndexes.has(r) && !seen.has(r)) {
            seen.add(r);
            extra.push(r);
          }
        }
      }
    }
  }
  const { discriminatorTraces } = bucket;
  if (extra.length === 0) return { rules: bucket.plain, discriminatorTraces };
  const selected = [...bucket.plain];
  for (const r of extra) selected.push(policy.rules[r] as CompiledRule);
  return { rules: selected.sort((a, b) => a.index - b.index), discriminatorTraces };
}

/**
 * AND over three values: any no_match decides; otherwise any unknown makes the whole unknown. A rule picked
 * from a bucket starts from the bucket's (matching) traces of its target, environment and class.
 */
function checkRule(
  rule: CompiledRule,
  context: StatementContext,
  discriminators: readonly ConditionTrace[] | undefined,
): { result: ConditionResult; conditions: ConditionTrace[] } {
  const conditions: ConditionTrace[] = discriminators ? [...discriminators] : [];
  let result: ConditionResult = "match";
  for (let i = discriminators ? rule.discriminatorChecks : 0; i < rule.checks.length; i++) {
    const trace = (rule.checks[i] as ConditionCheck)(context);
    conditions.push(trace);
    if (trace.result === "no_match") return { result: "no_match", conditions };
    if (trace.result === "unknown") result = "unknown";
  }
  return { result, conditions };
}

function tighten(limits: Limits, more: Limits): void {
  for (const key of LIMIT_KEYS) {
    const value = more[key];
    if (value === undefined) continue;
    const current = limits[key];
    limits[key] = current === undefined ? value : Math.min(current, value);
  }
}

/** Findings still at error level once the decision's lint overrides are applied. */
function errorFindings(
  findings: Array<{ rule: string; level: LintLevel }>,
  lint: Record<string, LintLevel | "off">,
): string[] {
  if (findings.length === 0) return [];
  const ids = new Set<string>();
  for (const f of findings) if ((lint[f.rule] ?? f.level) === "error") ids.add(f.rule);
  return [...ids];
}

function rejectionReason(reasons: string[]): string {
  return reasons.length > 0 ? reasons.join("; ") : "the analysis rejected this statement";
}

function describeDenier(rule: string): string {
  switch (rule) {
    case DENIED_BY_ANALYSIS:
      return "analysis";
    case DENIED_BY_TARGET:
      return "policy targets";
    case DENIED_BY_DEFAULTS:
      return "policy defaults";
    default:
      return `rule ${rule}`;
  }
}
