import type { ApprovalStatus } from "../approvals/approval-types.js";
import { type RequestVerdict, requestVerdict } from "../approvals/request-verdict.js";
import { principalKey } from "../policy/evaluate/principals.js";
import type { Principal, RequirementSpec } from "../policy/policy-types.js";
import { type EarlierRun, earlierRuns, type PriorExecution } from "./earlier-runs.js";
import { type ExecutionUnit, executionUnits } from "./execution-units.js";
import { runFingerprint } from "./fingerprint.js";
import type { DecisionPlan } from "./plan-decision.js";
import type { BasePolicy, PolicyChangeReport, PullRequestPlan, SkippedFile } from "./pull-request-plan.js";

export interface PlanPullRequestParams {
  pr: {
    headSha: string;
    baseRef: string;
    fork: boolean;
  };
  policy: BasePolicy;
  /** What the policy decided; null when the base policy is invalid. */
  decided: DecisionPlan | null;
  skipped: SkippedFile[];
  baseProblem: string | null;
  policyChange: PolicyChangeReport | null;
  /** Null when approvals were not counted (see needsApprovals). */
  approval: ApprovalStatus | null;
  /** The policy and action files (base branch) that approvals and the fingerprint bind to. */
  contextFiles: Array<{ path: string; blobSha: string }>;
  /** Executions of this head commit already queued or done. */
  executionCount: number;
  /** Executions of this pull request on any head commit (the ledger): what already ran does not run again. */
  priorExecutions: readonly PriorExecution[];
  /** Whether ready requests can be started from GitHub (the Run button and `/querygate run`). */
  runnerEnabled: boolean;
  /** Dismiss stale approvals through the API (the policy's `dismiss_stale_approvals`). */
  dismissStale: boolean;
}

/**
 * Whether the approvals must be read and counted: only for a valid, undenied request that needs some, and
 * not when every request file already ran (unless the policy changes too: its owners must still approve).
 */
export function needsApprovals(p: {
  policy: { ok: boolean };
  decided: DecisionPlan | null;
  skipped: SkippedFile[];
  /** The request files that ran on an earlier head commit (earlierRunsOf). */
  earlier: readonly EarlierRun[];
  changesPolicy: boolean;
}): boolean {
  const decision = p.decided?.decision;
  return (
    !(everyRequestRan(p) && !p.changesPolicy) &&
    p.policy.ok &&
    decision !== undefined &&
    decision.outcome !== "denied" &&
    decision.requirements.length > 0 &&
    (p.decided?.evaluations ?? []).every((e) => e.ok) &&
    p.skipped.length === 0
  );
}

/** The pull request's verdict from what was decided and counted (src/approvals/request-verdict.ts). */
export function verdictOf(p: {
  policy: { ok: boolean };
  decided: DecisionPlan | null;
  skipped: SkippedFile[];
  policyChange: PolicyChangeReport | null;
  approval: ApprovalStatus | null;
  baseProblem: string | null;
  fork: boolean;
  /** Every request file already ran on an earlier head commit (everyRequestRan). */
  alreadyRan: boolean;
}): RequestVerdict {
  const evaluations = p.decided?.evaluations ?? [];
  return requestVerdict({
    policyOk: p.policy.ok,
    requestFiles: evaluations.length + p.skipped.length,
    invalidFiles: evaluations.filter((e) => !e.ok).length + p.skipped.length,
    changesPolicy: p.policyChange !== null,
    proposedPolicyBroken:
      p.policyChange !== null &&
      (p.policyChange.errors.length > 0 || (p.policyChange.tests?.failed ?? 0) > 0),
    outcome: p.decided?.decision.outcome ?? null,
    approval: p.approval,
    baseProblem: p.baseProblem,
    fork: p.fork,
    alreadyRan: p.alreadyRan,
  });
}

/** The execution units of the request files, one per valid file; none without a valid policy. */
function unitsOf(p: { policy: BasePolicy; decided: DecisionPlan | null }): ExecutionUnit[] {
  const decision = p.decided?.decision;
  return p.policy.ok && decision
    ? executionUnits({
        evaluations: p.decided?.evaluations ?? [],
        decisions: decision.statements,
        targets: p.policy.policy.targets,
      })
    : [];
}

/**
 * Pure: the request files of this pull request that are requests already run (or queued) on an earlier head
 * commit — the same statements, parameters and target, whatever the path — and whether each may run again.
 */
export function earlierRunsOf(p: {
  policy: BasePolicy;
  decided: DecisionPlan | null;
  priorExecutions: readonly PriorExecution[];
  pr: { headSha: string };
}): EarlierRun[] {
  return earlierRuns({ units: unitsOf(p), prior: p.priorExecutions, headSha: p.pr.headSha });
}

/** Pure: every request file is valid and already ran on an earlier head commit, and none may run again. */
export function everyRequestRan(p: {
  decided: DecisionPlan | null;
  skipped: SkippedFile[];
  earlier: readonly EarlierRun[];
}): boolean {
  const evaluations = p.decided?.evaluations ?? [];
  const ran = new Set(p.earlier.filter((e) => !e.runsAgain).map((e) => e.requestPath));
  return (
    evaluations.length > 0 && p.skipped.length === 0 && evaluations.every((e) => e.ok && ran.has(e.path))
  );
}

/** The grammars a request was analysed with: approvals bind to each of them. */
function parserVersionsOf(decided: DecisionPlan | null): string[] {
  const versions = (decided?.evaluations ?? []).flatMap((e) => (e.ok ? [e.parserVersion] : []));
  return [...new Set(versions)].sort();
}

/**
 * Pure: facts about a pull request in, everything the app does about it out — the verdict, whom to ask for a
 * review, whether to offer Run, what would run and its fingerprint, and which request files already ran on an
 * earlier head commit (those never run again: docs/runner.md, "The same request"). Renderers and publishers
 * only carry it out.
 */
export function planPullRequest(p: PlanPullRequestParams): PullRequestPlan {
  const evaluations = p.decided?.evaluations ?? [];
  const decision = p.decided?.decision ?? null;
  const allUnits = unitsOf(p);
  const earlier = earlierRuns({ units: allUnits, prior: p.priorExecutions, headSha: p.pr.headSha });
  // What already ran does not run again: not offered, not fingerprinted, not queued.
  const ran = new Set(earlier.filter((e) => !e.runsAgain).map((e) => e.requestPath));
  const units = allUnits.filter((u) => !ran.has(u.requestPath));
  const verdict = verdictOf({
    ...p,
    fork: p.pr.fork,
    alreadyRan: everyRequestRan({ ...p, earlier }),
  });
  const asksReviews =
    p.approval !== null &&
    !p.approval.satisfied &&
    p.baseProblem === null &&
    !(p.pr.fork && evaluations.length > 0);
  return {
    verdict,
    policy: p.policy,
    evaluations,
    skipped: p.skipped,
    decision,
    approval: p.approval,
    baseProblem: p.baseProblem,
    fork: p.pr.fork,
    policyChange: p.policyChange,
    reviewersToAsk: asksReviews && decision ? reviewersToAsk(decision.requirements, p.approval) : [],
    staleReviewIds: p.dismissStale ? staleReviewIds(p.approval) : [],
    // Not once this head has run (the button would only say "already ran"), and not when every request
    // file runs on merge (the button would only refuse).
    offerRun:
      verdict.runnable &&
      p.runnerEnabled &&
      p.executionCount === 0 &&
      units.some((u) => u.execute !== "on_merge"),
    run:
      verdict.runnable && p.policy.ok && decision && units.length > 0
        ? {
            units,
            fingerprint: runFingerprint({
              headSha: p.pr.headSha,
              baseRef: p.pr.baseRef,
              policyFiles: p.contextFiles,
              units,
            }),
          }
        : null,
    parserVersions: parserVersionsOf(p.decided),
    earlierRuns: earlier,
  };
}

/**
 * The principals of requirements still short of approvals, minus users whose approval already counts.
 * (src/github/request-reviews.ts skips whoever GitHub already lists as requested, and the author.)
 */
function reviewersToAsk(requirements: RequirementSpec[], approval: ApprovalStatus | null): Principal[] {
  const counted = new Set(
    (approval?.approvals ?? []).filter((a) => a.counted.length > 0).map((a) => a.login.toLowerCase()),
  );
  const unmet = requirements.filter(
    (r) => (approval?.statuses.find((s) => s.id === r.id)?.missing ?? r.count) > 0,
  );
  const seen = new Set<string>();
  return unmet
    .flatMap((r) => r.from)
    .filter((principal) => {
      const key = principalKey(principal);
      if (seen.has(key)) return false;
      seen.add(key);
      return principal.kind === "team" || !counted.has(principal.login.replace(/^@/, "").toLowerCase());
    });
}

function staleReviewIds(approval: ApprovalStatus | null): number[] {
  return (approval?.approvals ?? [])
    .filter((a) => a.ignored === "stale_commit" || a.ignored === "stale_context")
    .map((a) => a.reviewId);
}
