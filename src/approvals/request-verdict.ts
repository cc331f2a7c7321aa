import type { RequestOutcome } from "../policy/policy-types.js";
import type { ApprovalStatus } from "./approval-types.js";

export type CheckConclusion = "success" | "failure" | "neutral" | "action_required";

export type VerdictState =
  | "no_policy"
  | "no_requests"
  | "wrong_base"
  | "invalid"
  | "denied"
  | "blocked"
  | "needs_approval"
  | "fork"
  | "already_ran"
  | "ready";

export interface VerdictInput {
  policyOk: boolean;
  /** Request files analysed or skipped. */
  requestFiles: number;
  invalidFiles: number;
  changesPolicy: boolean;
  proposedPolicyBroken: boolean;
  outcome: RequestOutcome | null;
  approval: ApprovalStatus | null;
  /** Why the base branch may not receive requests; null when it may. */
  baseProblem: string | null;
  fork: boolean;
  /**
   * Every request file is a request that already ran on an earlier head commit of this pull request (same
   * statements, parameters and target), and the pull request changes no policy: nothing in it runs again.
   */
  alreadyRan: boolean;
}

export interface RequestVerdict {
  state: VerdictState;
  conclusion: CheckConclusion;
  /** Approved by policy and reviews, from this repository, onto an allowed base: the runner may run it. */
  runnable: boolean;
}

const CONCLUSION: Record<VerdictState, CheckConclusion> = {
  no_policy: "failure",
  no_requests: "neutral",
  wrong_base: "failure",
  invalid: "failure",
  denied: "failure",
  blocked: "action_required",
  needs_approval: "action_required",
  fork: "failure",
  // Nothing to approve and nothing to run: neither a pass (approved) nor a failure.
  already_ran: "neutral",
  ready: "success",
};

/** Pure: the one place that decides what a pull request's status is; every renderer reads it. */
export function requestVerdict(v: VerdictInput): RequestVerdict {
  const state = stateOf(v);
  return { state, conclusion: CONCLUSION[state], runnable: state === "ready" && v.requestFiles > 0 };
}

function stateOf(v: VerdictInput): VerdictState {
  if (!v.policyOk) return "no_policy";
  if (v.requestFiles === 0 && !v.changesPolicy) return "no_requests";
  if (v.baseProblem !== null && v.requestFiles > 0) return "wrong_base";
  if (v.invalidFiles > 0 || v.proposedPolicyBroken) return "invalid";
  if (v.outcome === "denied") return "denied";
  if (v.fork && v.requestFiles > 0) return "fork";
  if (v.alreadyRan && v.requestFiles > 0 && !v.changesPolicy) return "already_ran";
  if (v.approval && v.approval.changeRequests.length > 0) return "blocked";
  // Without an approval status nothing was counted: only an automatic approval with no requirement is met.
  const met = v.approval ? v.approval.satisfied : v.outcome === "auto";
  return met ? "ready" : "needs_approval";
}
