import { combineDecisions } from "../policy/evaluate/combine-decisions.js";
import type { CompiledPolicy } from "../policy/evaluate/compile-policy.js";
import type { Actor, Decision, Principal, RequirementSpec } from "../policy/policy-types.js";
import type { Action } from "../requests/actions/action-types.js";
import { evaluateRequestFile, type RequestFileEvaluation } from "./evaluate-request-file.js";

export interface PlanDecisionParams {
  policy: CompiledPolicy;
  files: Array<{ path: string; content: Uint8Array }>;
  /** The pull request changes policies/ or actions/: the policy owners must approve it as well. */
  changesPolicy: boolean;
  author: string;
  actor: Actor;
  labels: string[];
  now: Date;
  /** The reviewed actions (`actions/*.yml` of the base branch) YAML requests may name. */
  actions?: { actions: ReadonlyMap<string, Action>; invalid: ReadonlySet<string> };
  /** Policy tests only: values for `request.params` in CEL. */
  params?: Record<string, string | number | boolean | null>;
}

export interface DecisionPlan {
  evaluations: RequestFileEvaluation[];
  /** Every file's decision and the pull request's own requirements, combined. */
  decision: Decision;
}

/**
 * Pure (but for loading a grammar once): what the policy decides about a pull request's request files. The
 * app, `querygate check` and `querygate policy test` all decide through this one function.
 */
export async function planDecision(p: PlanDecisionParams): Promise<DecisionPlan> {
  const evaluations = await Promise.all(
    p.files.map((f) =>
      evaluateRequestFile({
        policy: p.policy,
        path: f.path,
        content: f.content,
        author: p.author,
        actor: p.actor,
        labels: p.labels,
        now: p.now,
        ...(p.actions ? { actions: p.actions } : {}),
        ...(p.params ? { params: p.params } : {}),
      }),
    ),
  );
  const extra = p.changesPolicy ? [policyOwnersRequirement(p.policy.policy.policyOwners)] : [];
  return {
    evaluations,
    decision: combineDecisions(
      evaluations.map((e) => e.decision),
      extra,
    ),
  };
}

export const POLICY_OWNERS_REQUIREMENT_ID = "policy_owners";

/** The requirement a pull request that changes policies/ or actions/ adds: one of the policy owners. */
export function policyOwnersRequirement(owners: Principal[]): RequirementSpec {
  return {
    id: POLICY_OWNERS_REQUIREMENT_ID,
    source: "policy_owners",
    label: "changes to policies/",
    count: 1,
    from: owners,
    statements: [],
  };
}
