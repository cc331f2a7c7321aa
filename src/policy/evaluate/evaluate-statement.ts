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
import type { CompiledPolicy } from "./compile-policy.js";
import type { CompiledRule, StatementRequirement } from "./compile-rule.js";
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
  if (owners.omitted > 0 || rules.omitted > 0) trace.omitted = { owners: owners.omitted, rules: rules.omitted };
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
  const label = describeStatement(p.context.statement);
  const lines: string[] = [];
  if (p.outcome === "denied") {
    for (const d of p.denials) lines.push(`${label} is denied: ${d.message} (${describeDenier(d.rule)})`);
  } else if (p.outcome === "auto") {
    lines.push(`${label} is approved automatically (rule ${rules.autoApprovers.map((t) => t.rule).join(", ")})`);
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
  for (const group of groups.values()) requirements.push(policy.ownerRequirement(group.sort((a, b) => a - b)));
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
  // A small policy is traced whole; a large one only over the rules its target, environment and class admit.
  const traceAll = all.length <= MAX_TRACE_RULES_PER_STATEMENT;
  const rules = traceAll ? all : policy.candidates(context.request.request.target, context.statement.class);
  const out: RuleOutcome = {
    traces: [],
    omitted: traceAll ? 0 : all.length - rules.length,
    denials: [],
    requirements: [],
    autoApprovers: [],
    limits: [],
    execute: null,
    mask: [],
    lint: {},
    unknown: [],
  };
  const excluded = excludedByGlobs(policy, context);
  const mask = new Set<string>();
  for (const rule of rules) {
    const name = rule.rule.name;
    const room = out.traces.length < MAX_TRACE_RULES_PER_STATEMENT;
    // The glob indexes already know this rule's `objects` or `columns` condition fails: trace just that one.
    const failing = excluded(rule);
    if (failing !== null) {
      if (room) out.traces.push({ rule: name, source: rule.rule.source, matched: false, applied: [], conditions: [failing] });
      else out.omitted++;
      continue;
    }
    const { result, conditions } = checkRule(rule, context);
    if (result === "no_match") {
      if (room) out.traces.push({ rule: name, source: rule.rule.source, matched: false, applied: [], conditions });
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
      for (const m of effects.mask) mask.add(m);
      applied.push("mask");
    }
    if (result === "unknown") {
      const notes = conditions.filter((c) => c.result === "unknown").map((c) => `${c.condition}: ${c.note ?? "unknown"}`);
      out.unknown.push({ rule: name, notes });
      continue;
    }
    if (effects.approve === "auto") out.autoApprovers.push(trace);
    if (effects.execute) {
      if (out.execute === null || EXECUTE_RANK[effects.execute] > EXECUTE_RANK[out.execute]) out.execute = effects.execute;
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
  out.mask = [...mask];
  return out;
}

/**
 * Rules whose `objects` glob matches none of the statement's objects, or whose `columns` glob matches none of
 * its columns, cannot match: their failing condition, or null. A `*` column could be any column, so it leaves
 * `columns` to the full check.
 */
function excludedByGlobs(
  policy: CompiledPolicy,
  context: StatementContext,
): (rule: CompiledRule) => ConditionTrace | null {
  let objectHits: Set<number> | null = null;
  let columnHits: Set<number> | null = null;
  const hits = (subjects: string[], lookUp: (subject: string) => number[]) => {
    const set = new Set<number>();
    for (const s of subjects) for (const r of lookUp(s)) set.add(r);
    return set;
  };
  return (rule) => {
    const when = rule.rule.when;
    if (when?.objects) {
      objectHits ??= hits(context.subjects.objects, policy.rulesForObject);
      if (!objectHits.has(rule.index)) {
        return { condition: "objects", expected: when.objects, actual: context.subjects.objects, result: "no_match" };
      }
    }
    if (when?.columns && context.subjects.allColumnsOf.length === 0) {
      columnHits ??= hits(context.subjects.columns, policy.rulesForColumn);
      if (!columnHits.has(rule.index)) {
        return { condition: "columns", expected: when.columns, actual: context.subjects.columns, result: "no_match" };
      }
    }
    return null;
  };
}

/** AND over three values: any no_match decides; otherwise any unknown makes the whole unknown. */
function checkRule(
  rule: CompiledRule,
  context: StatementContext,
): { result: ConditionResult; conditions: ConditionTrace[] } {
  const conditions: ConditionTrace[] = [];
  let result: ConditionResult = "match";
  for (const check of rule.checks) {
    const trace = check(context);
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
