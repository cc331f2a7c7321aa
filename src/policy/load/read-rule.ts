import type { LintLevel } from "../../lint/lint-rule.js";
import type { KeyPath } from "../../yaml/key-path.js";
import {
  checkKeys,
  describe,
  didYouMean,
  lineOf,
  quoted,
  type ReadContext,
  readChoice,
  readMapping,
  readString,
  readStringList,
  report,
} from "../../yaml/read-context.js";
import type { PolicyRule, RuleEffects } from "../policy-types.js";
import { compileCel } from "./compile-cel.js";
import { checkColumnGlob } from "./object-pattern.js";
import { readLimits } from "./read-limits.js";
import { readRequirement } from "./read-requirement.js";
import { EXECUTE_MODES } from "./read-target.js";
import { readWhen } from "./read-when.js";
import { REVIEW_RULE_IDS } from "./statement-vocabulary.js";

const RULE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const EFFECT_KEYS = ["require", "approve", "deny", "limits", "execute", "mask", "lint"] as const;
const RULE_KEYS = ["name", "description", "when", "if", ...EFFECT_KEYS] as const;
const LINT_LEVELS: ReadonlyArray<LintLevel | "off"> = ["error", "warning", "notice", "off"];

/** One entry of `rules:`: a name, conditions (`when`, `if`) and at least one effect. */
export function readRule(
  ctx: ReadContext,
  { value, path }: { value: unknown; path: KeyPath },
): PolicyRule | null {
  const map = readMapping(ctx, { value, path, expected: "a mapping with `name`, conditions and effects" });
  if (!map) return null;
  let ok = checkKeys(ctx, { map, path, known: RULE_KEYS });
  const at = (key: string): KeyPath => [...path, key];

  let name: string | null = null;
  if (map.name === undefined) {
    report(
      ctx,
      path,
      `${quoted(path)} needs a \`name\` (lowercase letters, digits and '-'), e.g. \`name: prod-writes\``,
    );
  } else if (typeof map.name !== "string" || !RULE_NAME.test(map.name)) {
    report(
      ctx,
      at("name"),
      `${quoted(at("name"))} must be lowercase letters, digits and '-' (at most 63, e.g. prod-writes-need-two-dbas) — got ${describe(map.name)}`,
    );
  } else name = map.name;

  let description: string | undefined;
  if (map.description !== undefined) {
    description = readString(ctx, { value: map.description, path: at("description") }) ?? undefined;
    if (description === undefined) ok = false;
  }
  const when = map.when === undefined ? null : readWhen(ctx, { value: map.when, path: at("when") });
  if (map.when !== undefined && when === null) ok = false;
  const condition = map.if === undefined ? null : readIf(ctx, { value: map.if, path: at("if") });
  if (map.if !== undefined && condition === null) ok = false;

  // A misspelt effect (`requires:`) is already reported as an unknown key; "no effect" would repeat it.
  const effects = readEffects(ctx, { map, path, keysKnown: ok });
  if (!ok || name === null || effects === null) return null;
  const rule: PolicyRule = {
    name,
    when,
    if: condition,
    effects,
    source: { file: ctx.file, line: lineOf(ctx, path) },
  };
  if (description !== undefined) rule.description = description;
  return rule;
}

function readIf(ctx: ReadContext, { value, path }: { value: unknown; path: KeyPath }): string | null {
  const source = readString(ctx, { value, path });
  if (source === null) return null;
  const compiled = compileCel(source);
  if (compiled.ok) return source;
  report(ctx, path, `${quoted(path)} is not a valid CEL expression: ${compiled.error}`);
  return null;
}

function readEffects(
  ctx: ReadContext,
  { map, path, keysKnown }: { map: Record<string, unknown>; path: KeyPath; keysKnown: boolean },
): RuleEffects | null {
  const at = (key: string): KeyPath => [...path, key];
  const given = EFFECT_KEYS.filter((key) => map[key] !== undefined);
  if (given.length === 0) {
    if (keysKnown) report(ctx, path, `${quoted(path)} has no effect: add one of ${EFFECT_KEYS.join(", ")}`);
    return null;
  }
  let ok = true;
  const effects: RuleEffects = {};
  if (map.require !== undefined) {
    const requirement = readRequirement(ctx, { value: map.require, path: at("require") });
    if (requirement) effects.require = requirement;
    else ok = false;
  }
  if (map.approve !== undefined) {
    if (map.approve === "auto") effects.approve = "auto";
    else {
      ok = false;
      report(
        ctx,
        at("approve"),
        `${quoted(at("approve"))} can only be \`auto\` — got ${describe(map.approve)}`,
      );
    }
    const clashing = (["require", "deny"] as const).filter((key) => map[key] !== undefined);
    if (clashing.length > 0) {
      ok = false;
      report(
        ctx,
        at("approve"),
        `\`approve: auto\` cannot be combined with ${clashing.map((k) => `\`${k}\``).join(" and ")} in one rule: split it into two rules, each with its own \`when\``,
      );
    }
  }
  if (map.deny !== undefined) {
    if (typeof map.deny === "string" && map.deny.trim() !== "") effects.deny = map.deny;
    else {
      ok = false;
      report(
        ctx,
        at("deny"),
        `\`deny\` takes the message shown to the requester, e.g. \`deny: "Schema changes go through migrations."\` — got ${describe(map.deny)}`,
      );
    }
  }
  if (map.limits !== undefined) {
    const limits = readLimits(ctx, { value: map.limits, path: at("limits") });
    if (limits) effects.limits = limits;
    else ok = false;
  }
  if (map.execute !== undefined) {
    const execute = readChoice(ctx, { value: map.execute, path: at("execute"), allowed: EXECUTE_MODES });
    if (execute) effects.execute = execute;
    else ok = false;
  }
  if (map.mask !== undefined) {
    const globs = readStringList(ctx, { value: map.mask, path: at("mask"), check: checkColumnGlob });
    if (globs) effects.mask = globs.map((g) => g.item);
    else ok = false;
  }
  if (map.lint !== undefined) {
    const lint = readLintOverrides(ctx, { value: map.lint, path: at("lint") });
    if (lint) effects.lint = lint;
    else ok = false;
  }
  return ok ? effects : null;
}

function readLintOverrides(
  ctx: ReadContext,
  { value, path }: { value: unknown; path: KeyPath },
): Record<string, LintLevel | "off"> | null {
  const map = readMapping(ctx, {
    value,
    path,
    expected: "a mapping of review rule id → error, warning, notice or off",
  });
  if (!map) return null;
  if (Object.keys(map).length === 0) {
    report(ctx, path, `${quoted(path)} is empty: name review rules to change, or remove it`);
    return null;
  }
  let ok = true;
  const lint: Record<string, LintLevel | "off"> = {};
  for (const [id, level] of Object.entries(map)) {
    const idPath = [...path, id];
    if (!REVIEW_RULE_IDS.includes(id)) {
      ok = false;
      report(
        ctx,
        idPath,
        `\`${id}\` is not a review rule${didYouMean(id, REVIEW_RULE_IDS)} (see docs/review-rules.md)`,
      );
      continue;
    }
    const chosen = readChoice(ctx, { value: level, path: idPath, allowed: LINT_LEVELS });
    if (chosen) lint[id] = chosen;
    else ok = false;
  }
  return ok ? lint : null;
}
