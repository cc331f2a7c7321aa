import type { StatementClass } from "../../sql/statement.js";
import type { ConditionTrace, Policy } from "../policy-types.js";
import {
  type CompiledRule,
  compileRule,
  type StatementRequirement,
  statementRequirement,
} from "./compile-rule.js";
import { GlobIndex } from "./glob-index.js";
import { compileOwnerIndex, type OwnerIndex } from "./owner-index.js";
import { principalSetKey } from "./principals.js";

/** (target, class) pairs whose candidate rules are remembered; dropped whole when full. */
export const MAX_CANDIDATE_CACHE_ENTRIES = 1_000;
/** Subjects whose matching `objects`/`columns` rules are remembered, and owner requirement groups; likewise. */
export const MAX_SUBJECT_CACHE_ENTRIES = 20_000;

export interface CompiledPolicy {
  policy: Policy;
  rules: CompiledRule[];
  owners: OwnerIndex;
  /** Rules whose target, environment and class conditions admit such a statement. */
  candidates(target: string, statementClass: StatementClass): RuleBucket;
  /** Indexes of the rules with an `objects` (or `columns`) glob that matches the subject. */
  rulesForObject(subject: string): number[];
  rulesForColumn(subject: string): number[];
  /** Equal for owner entries with the same set of owners. */
  ownerSetKey(entry: number): string;
  /** The owner requirement for subjects won by these entries (same owners), built once per set of entries. */
  ownerRequirement(entries: number[]): StatementRequirement;
  /** `defaults.require` as a requirement, or null. */
  defaults: StatementRequirement | null;
}

/** The rules a (target, class) admits, split by how the rest of their conditions can be ruled out cheaply. */
export interface RuleBucket {
  /** Rules without `objects` or `columns`, in policy order. */
  plain: CompiledRule[];
  /** Indexes of rules with `objects`: candidates only when the object index says a glob matches. */
  withObjects: ReadonlySet<number>;
  /** Rules with `columns` but no `objects`, in policy order, and their indexes. */
  withColumns: CompiledRule[];
  withColumnsIndexes: ReadonlySet<number>;
  /** Per admitted rule, the traces of its target, environment and class conditions: all match here. */
  discriminatorTraces: ReadonlyMap<number, readonly ConditionTrace[]>;
}

/** Once per loaded policy: globs, CEL programs, the owner index, rule indexes; buckets fill on first use. */
export function compilePolicy(policy: Policy): CompiledPolicy {
  const rules = policy.rules.map((rule, index) => compileRule(rule, index));
  const buckets = new Map<string, RuleBucket>();
  const byObject = ruleGlobIndex(rules, (r) => r.rule.when?.objects);
  const byColumn = ruleGlobIndex(rules, (r) => r.rule.when?.columns);
  const ownerGroups = new Map<string, StatementRequirement>();
  const singleOwnerGroups: Array<StatementRequirement | undefined> = [];
  const fallback = policy.defaults?.require;
  const ownerSetKeys: string[] = policy.owners.map((e) => principalSetKey(e.owners));
  return {
    policy,
    rules,
    owners: compileOwnerIndex(policy.owners),
    candidates(target, statementClass) {
      const key = `${target}\u0000${statementClass}`;
      let bucket = buckets.get(key);
      if (!bucket) {
        // An undefined target has no environment: rules that name one cannot be candidates.
        const environment = Object.hasOwn(policy.targets, target)
          ? policy.targets[target]?.environment
          : undefined;
        const admitted = rules.filter(
          (r) =>
            (r.targets === null || r.targets.has(target)) &&
            (r.environments === null || (environment !== undefined && r.environments.has(environment))) &&
            (r.classes === null || r.classes.has(statementClass)),
        );
        const withColumns = admitted.filter((r) => !r.hasObjects && r.hasColumns);
        bucket = {
          plain: admitted.filter((r) => !r.hasObjects && !r.hasColumns),
          withObjects: new Set(admitted.filter((r) => r.hasObjects).map((r) => r.index)),
          withColumns,
          withColumnsIndexes: new Set(withColumns.map((r) => r.index)),
          discriminatorTraces: new Map(
            admitted.map((r) => [r.index, discriminatorTraces(r, { target, environment, statementClass })]),
          ),
        };
        remember(buckets, key, bucket, MAX_CANDIDATE_CACHE_ENTRIES);
      }
      return bucket;
    },
    ownerSetKey: (entry) => ownerSetKeys[entry] ?? "",
    rulesForObject: byObject,
    rulesForColumn: byColumn,
    ownerRequirement(entries) {
      // Most groups are one entry: those are kept by position, without building a key.
      const single = entries.length === 1 ? (entries[0] as number) : -1;
      const key = single === -1 ? entries.join(",") : "";
      let requirement = single === -1 ? ownerGroups.get(key) : singleOwnerGroups[single];
      if (!requirement) {
        const patterns = [...new Set(entries.map((i) => policy.owners[i]?.pattern ?? ""))];
        requirement = statementRequirement({
          id: `owners:${patterns.join("+")}`,
          source: "owners",
          label: patterns.join(", "),
          count: 1,
          from: policy.owners[entries[0] as number]?.owners ?? [],
        });
        if (single === -1) remember(ownerGroups, key, requirement, MAX_SUBJECT_CACHE_ENTRIES);
        else singleOwnerGroups[single] = requirement;
      }
      return requirement;
    },
    defaults: fallback
      ? statementRequirement({
          id: "defaults",
          source: "defaults",
          label: "defaults",
          count: fallback.count,
          from: fallback.from,
        })
      : null,
  };
}

/** The traces `checks` would give for a rule's target, environment and class in a bucket that admits it. */
function discriminatorTraces(
  r: CompiledRule,
  at: { target: string; environment: string | undefined; statementClass: StatementClass },
): ConditionTrace[] {
  const when = r.rule.when;
  // Shared by every decision made from this bucket: frozen, so a consumer that edits a trace fails loudly.
  const traces: ConditionTrace[] = [];
  if (when?.target)
    traces.push({ condition: "target", expected: when.target, actual: at.target, result: "match" });
  if (when?.environment) {
    traces.push({
      condition: "environment",
      expected: when.environment,
      actual: at.environment,
      result: "match",
    });
  }
  if (when?.class)
    traces.push({ condition: "class", expected: when.class, actual: at.statementClass, result: "match" });
  return traces.map((t) => Object.freeze(t));
}

/** Subject → indexes of the rules with a matching glob, through one index over every rule's globs. */
function ruleGlobIndex(rules: CompiledRule[], globsOf: (r: CompiledRule) => string[] | undefined) {
  const patterns: string[] = [];
  const ruleOf: number[] = [];
  for (const r of rules) {
    for (const g of globsOf(r) ?? []) {
      patterns.push(g);
      ruleOf.push(r.index);
    }
  }
  const index = new GlobIndex(patterns);
  const cache = new Map<string, number[]>();
  return (subject: string): number[] => {
    let found = cache.get(subject);
    if (!found) {
      found = [...new Set(index.all(subject).map((g) => ruleOf[g] as number))];
      remember(cache, subject, found, MAX_SUBJECT_CACHE_ENTRIES);
    }
    return found;
  };
}

function remember<V>(cache: Map<string, V>, key: string, value: V, limit: number): void {
  if (cache.size >= limit) cache.clear();
  cache.set(key, value);
}
