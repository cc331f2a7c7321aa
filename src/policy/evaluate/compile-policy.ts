import type { StatementClass } from "../../sql/statement.js";
import type { Policy } from "../policy-types.js";
import { type CompiledRule, compileRule } from "./compile-rule.js";
import { compileOwnerIndex, type OwnerIndex } from "./owner-index.js";

/** (target, class) pairs whose candidate rules are remembered; dropped whole when full. */
export const MAX_CANDIDATE_CACHE_ENTRIES = 1_000;

export interface CompiledPolicy {
  policy: Policy;
  rules: CompiledRule[];
  owners: OwnerIndex;
  /** Rules whose target, environment and class conditions admit such a statement, in policy order. */
  candidates(target: string, statementClass: StatementClass): CompiledRule[];
}

/** Once per loaded policy: globs, CEL programs, the owner index, and rule buckets filled on first use. */
export function compilePolicy(policy: Policy): CompiledPolicy {
  const rules = policy.rules.map((rule, index) => compileRule(rule, index));
  const buckets = new Map<string, CompiledRule[]>();
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
        bucket = rules.filter(
          (r) =>
            (r.targets === null || r.targets.has(target)) &&
            (r.environments === null || (environment !== undefined && r.environments.has(environment))) &&
            (r.classes === null || r.classes.has(statementClass)),
        );
        if (buckets.size >= MAX_CANDIDATE_CACHE_ENTRIES) buckets.clear();
        buckets.set(key, bucket);
      }
      return bucket;
    },
  };
}
