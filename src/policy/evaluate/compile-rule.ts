import { type CelCompilation, type CelEvaluation, compileCel } from "../load/compile-cel.js";
import type {
  ConditionTrace,
  NumberRange,
  PolicyRule,
  RequirementSpec,
  TimeWindow,
} from "../policy-types.js";
import { celVariablesRead } from "./cel-variables.js";
import { describeNeed } from "./describe-decision.js";
import type { StatementContext } from "./evaluation-context.js";
import { compileGlob, type Glob } from "./glob-pattern.js";
import { principalSetKey } from "./principals.js";
import { compileTimeWindow, weekdayName } from "./time-window.js";

/** One condition of a rule, checked against one statement. */
export type ConditionCheck = (context: StatementContext) => ConditionTrace;

export interface CompiledRule {
  rule: PolicyRule;
  /** Position in the policy. */
  index: number;
  /** The discriminating conditions, as sets; null when the rule does not constrain them. */
  targets: ReadonlySet<string> | null;
  environments: ReadonlySet<string> | null;
  classes: ReadonlySet<string> | null;
  /** Whether `when.objects` / `when.columns` are set: the policy then indexes their globs. */
  hasObjects: boolean;
  hasColumns: boolean;
  /** Every condition, cheapest first; CEL last, so it runs only once the structured ones hold. */
  checks: ConditionCheck[];
  /** How many of `checks` are target, environment and class (they come first). */
  discriminatorChecks: number;
  /** The `require` effect as a requirement, built once. */
  requirement: StatementRequirement | null;
}

/** A requirement as one statement sees it, with what merging and the summary need, computed once. */
export type StatementRequirement = Omit<RequirementSpec, "statements"> & {
  /** Equal for identical requirements: source, label, count and the set of principals. */
  key: string;
  /** `needs 2 approvals from @acme/dba (rule x)`. */
  need: string;
};

export function statementRequirement(r: Omit<RequirementSpec, "statements">): StatementRequirement {
  const key = [r.source, r.label, r.count, principalSetKey(r.from)].join("\u0000");
  return { ...r, key, need: describeNeed(r) };
}

export function compileRule(rule: PolicyRule, index: number): CompiledRule {
  const when = rule.when ?? {};
  const checks: ConditionCheck[] = [];
  const listed = (
    condition: string,
    expected: readonly string[] | undefined,
    actual: (c: StatementContext) => string | string[] | null,
  ) => {
    if (expected === undefined) return;
    const set = new Set(expected);
    checks.push((c) => {
      const value = actual(c);
      const hit = Array.isArray(value) ? hasAny(set, value) : value !== null && set.has(value);
      return { condition, expected, actual: value, result: hit ? "match" : "no_match" };
    });
  };
  listed("target", when.target, (c) => c.request.request.target);
  listed("environment", when.environment, (c) => c.request.environment);
  listed("class", when.class, (c) => c.statement.class);
  const discriminatorChecks = checks.length;
  listed("actor", when.actor, (c) => c.request.request.actor);
  listed("labels", when.labels, (c) => c.request.request.labels);
  listed("action", when.action, (c) => c.request.request.action ?? null);
  listed("operation", when.operation, (c) => c.operations);
  listed("flags", when.flags, (c) => c.statement.flags);
  listed("findings", when.findings, (c) => c.findings);
  for (const [name, condition] of Object.entries(when.params ?? {})) checks.push(paramCheck(name, condition));
  if (when.time) checks.push(timeCheck(when.time));
  if (when.estimatedRows) checks.push(estimatedRowsCheck(when.estimatedRows));
  if (when.objects) checks.push(objectsCheck(when.objects));
  if (when.columns) checks.push(columnsCheck(when.columns));
  if (rule.if !== null) checks.push(celCheck(rule.if));
  return {
    rule,
    index,
    targets: when.target ? new Set(when.target) : null,
    environments: when.environment ? new Set(when.environment) : null,
    classes: when.class ? new Set(when.class) : null,
    hasObjects: when.objects !== undefined,
    hasColumns: when.columns !== undefined,
    checks,
    discriminatorChecks,
    requirement: rule.effects.require
      ? statementRequirement({
          id: `rule:${rule.name}`,
          source: "rule",
          label: rule.name,
          count: rule.effects.require.count,
          from: rule.effects.require.from,
        })
      : null,
  };
}

function paramCheck(
  name: string,
  expected: { in?: Array<string | number | boolean>; range?: NumberRange },
): ConditionCheck {
  const condition = `params.${name}`;
  return (c) => {
    const params = c.request.request.params ?? {};
    if (!Object.hasOwn(params, name)) {
      return {
        condition,
        expected,
        actual: null,
        result: "no_match",
        note: "the request has no such parameter",
      };
    }
    const value = params[name] ?? null;
    if (expected.in !== undefined && !expected.in.some((v) => v === value)) {
      return { condition, expected, actual: value, result: "no_match" };
    }
    if (expected.range !== undefined) {
      if (typeof value !== "number" || Number.isNaN(value)) {
        return {
          condition,
          expected,
          actual: value,
          result: "unknown",
          note: "not a number: the range cannot be checked",
        };
      }
      if (!inRange(value, expected.range)) return { condition, expected, actual: value, result: "no_match" };
    }
    return { condition, expected, actual: value, result: "match" };
  };
}

function timeCheck(window: TimeWindow): ConditionCheck {
  const compiled = compileTimeWindow(window);
  return (c) => {
    if (compiled.problem !== null) {
      return { condition: "time", expected: window, actual: null, result: "unknown", note: compiled.problem };
    }
    const local = c.request.localTime(compiled.timezone);
    if (local === null) {
      return {
        condition: "time",
        expected: window,
        actual: null,
        result: "unknown",
        note: "the local time is unknown",
      };
    }
    const hh = String(Math.floor(local.minutes / 60)).padStart(2, "0");
    const mm = String(local.minutes % 60).padStart(2, "0");
    const actual = { weekday: weekdayName(local.weekday), time: `${hh}:${mm}`, timezone: compiled.timezone };
    return { condition: "time", expected: window, actual, result: compiled.check(local) };
  };
}

function estimatedRowsCheck(range: NumberRange): ConditionCheck {
  return (c) => {
    const rows = c.estimatedRows;
    if (rows === null) {
      return {
        condition: "estimated_rows",
        expected: range,
        actual: null,
        result: "unknown",
        note: "no row estimate",
      };
    }
    return {
      condition: "estimated_rows",
      expected: range,
      actual: rows,
      result: inRange(rows, range) ? "match" : "no_match",
    };
  };
}

function objectsCheck(patterns: string[]): ConditionCheck {
  const globs = patterns.map(compileGlob);
  return (c) => {
    const subjects = c.subjects.objects;
    const hit = anyMatches(globs, subjects);
    return { condition: "objects", expected: patterns, actual: subjects, result: hit ? "match" : "no_match" };
  };
}

/** A `*` column may be any column of its table: a glob that could match one makes the condition unknown. */
function columnsCheck(patterns: string[]): ConditionCheck {
  const globs = patterns.map(compileGlob);
  return (c) => {
    const { columns, allColumnsOf } = c.subjects;
    const actual = allColumnsOf.length === 0 ? columns : [...columns, ...allColumnsOf.map((p) => `${p}*`)];
    if (anyMatches(globs, columns)) {
      return { condition: "columns", expected: patterns, actual, result: "match" };
    }
    if (allColumnsOf.some((p) => globs.some((g) => g.couldMatchChildOf(p)))) {
      const note = "`*` selects columns the analysis cannot name; one of them may match";
      return { condition: "columns", expected: patterns, actual, result: "unknown", note };
    }
    return { condition: "columns", expected: patterns, actual, result: "no_match" };
  };
}

/** An error or a non-boolean result is unknown, never a match: a broken expression must not approve anything. */
function celCheck(source: string): ConditionCheck {
  let compiled: CelCompilation;
  try {
    compiled = compileCel(source);
  } catch (error) {
    compiled = { ok: false, error: describeError(error) };
  }
  if (!compiled.ok) {
    const note = `the expression does not compile: ${compiled.error}`;
    return () => ({ condition: "if", expected: source, actual: null, result: "unknown", note });
  }
  const { program } = compiled;
  const reads = celVariablesRead(source);
  // An expression that cannot read `statement` gives the same result for every statement of the request.
  const readsStatement = reads.includes("statement");
  return (c) => {
    const evaluate = (): CelEvaluation => {
      try {
        return program.evaluate(c.celVariables(reads));
      } catch (error) {
        return { ok: false, error: describeError(error) };
      }
    };
    const outcome = readsStatement ? evaluate() : c.request.celResult(source, evaluate);
    if (!outcome.ok) {
      const note = `evaluation failed: ${outcome.error}`;
      return { condition: "if", expected: source, actual: null, result: "unknown", note };
    }
    const value: unknown = outcome.value;
    if (typeof value !== "boolean") {
      const note = `the expression gave ${describeValue(value)}, not a boolean`;
      return { condition: "if", expected: source, actual: describeValue(value), result: "unknown", note };
    }
    return { condition: "if", expected: source, actual: value, result: value ? "match" : "no_match" };
  };
}

function hasAny(set: ReadonlySet<string>, values: readonly string[]): boolean {
  for (const v of values) if (set.has(v)) return true;
  return false;
}

function anyMatches(globs: readonly Glob[], subjects: readonly string[]): boolean {
  for (const s of subjects) for (const g of globs) if (g.test(s)) return true;
  return false;
}

export function inRange(value: number, range: NumberRange): boolean {
  return (
    (range.gt === undefined || value > range.gt) &&
    (range.gte === undefined || value >= range.gte) &&
    (range.lt === undefined || value < range.lt) &&
    (range.lte === undefined || value <= range.lte)
  );
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  if (error !== null && typeof error === "object" && "message" in error) return String(error.message);
  return String(error);
}

/** JSON-safe: CEL ints are bigints. */
function describeValue(value: unknown): string {
  if (typeof value === "bigint") return `int ${value}`;
  if (typeof value === "number") return `double ${value}`;
  if (typeof value === "string") return `string ${JSON.stringify(value)}`;
  if (value === null) return "null";
  return typeof value;
}
