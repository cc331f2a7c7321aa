import type {
  OwnerEntry,
  Policy,
  PolicyRule,
  PolicyTarget,
  Principal,
  RequirementSpec,
  RuleEffects,
  SourceRef,
  WhenConditions,
} from "../../../src/policy/policy-types.js";

/**
 * Policies as loadPolicy returns them (src/policy/policy-types.ts), for tests that start after loading:
 * principals, targets, rules, whole policies and the requirements a decision carries.
 */

export const POLICY_FILE = "policies/querygate.yml";
export const SOURCE: SourceRef = { file: POLICY_FILE, line: 1 };

export const user = (login: string): Principal => ({ kind: "user", login });
export const team = (org: string, slug: string): Principal => ({ kind: "team", org, slug });
export const DBA_TEAM = team("acme", "dba");
export const SECURITY_TEAM = team("acme", "security");

/** A PostgreSQL 15 target reading its connection string from `URL`; `more` replaces any field. */
export function loadedTarget(
  name: string,
  environment: string,
  more: Partial<PolicyTarget> = {},
): PolicyTarget {
  return {
    name,
    engine: "postgres",
    environment,
    serverVersion: 15,
    connection: { env: "URL" },
    searchPath: ["public"],
    limits: {},
    execute: "on_approval",
    source: SOURCE,
    ...more,
  };
}

/** A rule written at line 20 of the policy file. */
export function loadedRule(
  name: string,
  when: WhenConditions | null,
  effects: RuleEffects,
  cel: string | null = null,
): PolicyRule {
  return { name, when, if: cel, effects, source: { ...SOURCE, line: 20 } };
}

/** Owner entries from `[pattern, owners]` pairs, written from line 10 of the policy file. */
export function ownerEntries(...entries: Array<[pattern: string, owners: Principal[]]>): OwnerEntry[] {
  return entries.map(([pattern, owners], i) => ({ pattern, owners, source: { ...SOURCE, line: i + 10 } }));
}

export interface PolicyParts {
  targets: Record<string, PolicyTarget>;
  owners?: OwnerEntry[];
  rules?: PolicyRule[];
  defaults?: Policy["defaults"];
}

/**
 * A loaded policy: the given targets (required: tests name their own), no owners or rules unless given,
 * defaults of one @acme/dba approval (null: none), @acme/security as policy owners.
 */
export function loadedPolicy(p: PolicyParts): Policy {
  return {
    version: 1,
    targets: p.targets,
    owners: p.owners ?? [],
    rules: p.rules ?? [],
    defaults: p.defaults === undefined ? { require: { count: 1, from: [DBA_TEAM] } } : p.defaults,
    policyOwners: [SECURITY_TEAM],
    allowedBaseBranches: [],
    dismissStaleApprovals: false,
    runBy: ["author", "approvers"],
    files: [{ path: POLICY_FILE, blobSha: null }],
  };
}

/** A rule's requirement (`rule:<label>`) for statement 0, unless `more` says otherwise. */
export function requirement(
  label: string,
  count: number,
  from: Principal[],
  more: Partial<RequirementSpec> = {},
): RequirementSpec {
  return { id: `rule:${label}`, source: "rule", label, count, from, statements: [0], ...more };
}
