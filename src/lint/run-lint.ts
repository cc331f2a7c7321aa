import type { LiveStatementFacts } from "../sql/live-facts.js";
import type { Statement } from "../sql/statement.js";
import { closestName } from "../yaml/closest-name.js";
import type { Finding, LintLevel, LintRule } from "./lint-rule.js";
import { ALL_RULES } from "./rules/index.js";
import { isNode } from "./tree/tree-node.js";

export type RuleOverrides = Record<string, LintLevel | "off">;

export interface RunLintParams {
  statements: readonly Statement[];
  /** One entry per statement, in the same order, when the target was consulted; null or absent otherwise. */
  live?: ReadonlyArray<LiveStatementFacts | null> | null;
  rules?: readonly LintRule[];
  /** Levels the policy sets per rule id; "off" skips the rule. */
  overrides?: RuleOverrides;
}

/** Reported when a rule throws: the statement is then not known to be safe. */
export const RULE_CRASHED = "rule-crashed";
/** Reported when a statement carries no parse tree, so tree-based rules cannot see anything. */
export const MISSING_PARSE_TREE = "missing-parse-tree";
/** One rule rarely has more to say about one statement; past this, the rest are counted, not listed. */
export const MAX_FINDINGS_PER_RULE = 20;

const LINT_LEVELS: ReadonlySet<string> = new Set<LintLevel>(["error", "warning", "notice"]);

interface ActiveRule {
  rule: LintRule;
  level: LintLevel;
}

/** Runs every rule (as overridden) over every statement; returns each statement's findings, in statement order. */
export function runLint({ statements, live, rules = ALL_RULES, overrides = {} }: RunLintParams): Finding[][] {
  if (live && live.length !== statements.length) {
    throw new Error(
      `runLint was given live facts for ${live.length} statements but ${statements.length} statements: pass one entry (or null) per statement`,
    );
  }
  const active = activeRules(rules, overrides);
  return statements.map((statement, index) => lintStatement(statement, live?.[index] ?? null, active));
}

function lintStatement(
  statement: Statement,
  live: LiveStatementFacts | null,
  active: readonly ActiveRule[],
): Finding[] {
  const findings: Finding[] = [];
  const firstLine = statement.span.line;
  if (!isNode(statement.ast)) {
    findings.push({
      rule: MISSING_PARSE_TREE,
      level: "error",
      message:
        "this statement reached the review rules without its parse tree, so they could not check it and it is not known to be safe: this is a querygate bug, please report it",
      line: firstLine,
    });
  }
  const context = { statement, live };
  for (const { rule, level } of active) {
    let found: ReturnType<LintRule["check"]>;
    try {
      found = rule.check(context);
    } catch (error) {
      // Fail closed: a rule that could not look at the statement must not read as a clean result.
      const reason = error instanceof Error ? error.message : String(error);
      findings.push({
        rule: RULE_CRASHED,
        level: "error",
        message: `review rule ${rule.id} failed on this statement (${reason}), so the statement is not known to be safe: this is a querygate bug, please report it with the statement`,
        line: firstLine,
      });
      continue;
    }
    if (found.length === 0) continue;
    const listed = Math.min(found.length, MAX_FINDINGS_PER_RULE);
    for (let i = 0; i < listed; i++) {
      const { message, line } = found[i] as (typeof found)[number];
      findings.push({ rule: rule.id, level, message, line: line ?? firstLine });
    }
    if (found.length > MAX_FINDINGS_PER_RULE) {
      findings.push({
        rule: rule.id,
        level,
        message: `${found.length - MAX_FINDINGS_PER_RULE} more findings of this rule on this statement are not listed: fix the ones above and re-run the check to see them`,
        line: found[MAX_FINDINGS_PER_RULE]?.line ?? firstLine,
      });
    }
  }
  return findings;
}

// Most calls use the same rules and no overrides: validate and resolve them once.
let lastResolved: { rules: readonly LintRule[]; overrides: RuleOverrides; active: ActiveRule[] } | null =
  null;

function activeRules(rules: readonly LintRule[], overrides: RuleOverrides): ActiveRule[] {
  const empty = Object.keys(overrides).length === 0;
  if (
    lastResolved &&
    lastResolved.rules === rules &&
    (lastResolved.overrides === overrides || (empty && Object.keys(lastResolved.overrides).length === 0))
  ) {
    return lastResolved.active;
  }
  const active = resolveRules(rules, overrides);
  lastResolved = { rules, overrides, active };
  return active;
}

/** The rules to run with their levels; an override naming no rule is a mistake in the policy, so it throws. */
function resolveRules(rules: readonly LintRule[], overrides: RuleOverrides): ActiveRule[] {
  const ids = new Set<string>();
  for (const rule of rules) {
    if (ids.has(rule.id))
      throw new Error(`two review rules share the id "${rule.id}": give each rule its own id`);
    ids.add(rule.id);
  }
  for (const [id, level] of Object.entries(overrides)) {
    if (!ids.has(id)) {
      const suggestion = closestName(id, ids);
      const hint = suggestion ? `did you mean "${suggestion}"?` : `known rules: ${[...ids].join(", ")}`;
      throw new Error(`rule overrides name an unknown review rule "${id}": ${hint}`);
    }
    if (level !== "off" && !LINT_LEVELS.has(level)) {
      throw new Error(
        `rule override for "${id}" is ${JSON.stringify(level)}: use one of "error", "warning", "notice" or "off"`,
      );
    }
  }
  const active: ActiveRule[] = [];
  for (const rule of rules) {
    const level = Object.hasOwn(overrides, rule.id) ? overrides[rule.id] : rule.level;
    if (level !== undefined && level !== "off") active.push({ rule, level });
  }
  return active;
}
