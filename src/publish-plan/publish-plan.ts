import { dismissStaleReviews } from "../github/dismiss-reviews.js";
import type { GitHubClient } from "../github/octokit.js";
import { publishCheckRun } from "../github/publish-check-run.js";
import { publishStatusComment } from "../github/publish-status-comment.js";
import type { PullRequestRef } from "../github/pull-request-ref.js";
import { requestReviews } from "../github/request-reviews.js";
import type { PriorExecution } from "../plan-pull-request/earlier-runs.js";
import type { PullRequestPlan } from "../plan-pull-request/pull-request-plan.js";
import { renderCheckRun } from "../render/render-check-run.js";
import { missingApprovalLines, renderStatusComment } from "../render/render-status-comment.js";
import type { ExecutionSummary, StateStore } from "../store/state-store.js";

/** Carries out a plan: dismissals, review requests, the check run, the status comment, the state record. */
export async function publishPlan(p: {
  octokit: GitHubClient;
  store: StateStore;
  pr: PullRequestRef;
  plan: PullRequestPlan;
  executions: ExecutionSummary[];
  /** Every execution of the pull request, on any head commit. */
  priorExecutions: readonly PriorExecution[];
  runnerEnabled: boolean;
  now: () => Date;
  /** A pull request that was just opened has no comment of ours to look for. */
  opened: boolean;
}): Promise<{ checkRunId: number }> {
  const { octokit, store, pr, plan } = p;
  const repoRef = { owner: pr.owner, repo: pr.repo };
  const stale = (plan.approval?.approvals ?? []).filter((a) => plan.staleReviewIds.includes(a.reviewId));
  const dismissProblems = await dismissStaleReviews(octokit, pr, stale);
  const approval = plan.approval && {
    ...plan.approval,
    problems: [...plan.approval.problems, ...dismissProblems],
  };
  const reviews = await requestReviews({
    octokit,
    ...repoRef,
    pullNumber: pr.pullNumber,
    author: pr.author,
    alreadyRequested: pr.requestedReviewers,
    needed: plan.reviewersToAsk,
  });
  const output = renderCheckRun({ ...plan, approval, reviewProblems: reviews.problems });
  const { id } = await publishCheckRun({
    octokit,
    store,
    ...repoRef,
    headSha: pr.headSha,
    detailsUrl: pr.htmlUrl,
    output,
  });
  const checkRunUrl = `${pr.htmlUrl}/checks?check_run_id=${id}`;
  await publishStatusComment({
    octokit,
    store,
    ...repoRef,
    pullNumber: pr.pullNumber,
    create: plan.verdict.state !== "no_requests",
    searchExisting: !p.opened,
    body: renderStatusComment({
      ...plan,
      approval,
      headSha: pr.headSha,
      checkRunUrl,
      runnerEnabled: p.runnerEnabled,
      executions: p.executions,
      priorExecutions: p.priorExecutions,
    }),
  });
  const key = { repo: `${pr.owner}/${pr.repo}`, pullNumber: pr.pullNumber, headSha: pr.headSha };
  // What was approved: a run re-checks against it and says what changed.
  if (plan.run)
    await store.recordApprovedRun({
      ...key,
      fingerprint: plan.run.fingerprint.digest,
      parts: plan.run.fingerprint.parts,
    });
  // The one source of the request's state for the API, the MCP server and `submit --wait`.
  await store.recordRequestState({
    ...key,
    baseRef: pr.baseRef,
    policyCommit: plan.policy.ok ? plan.policy.commitSha : null,
    ...plan.verdict,
    title: output.title,
    // Nothing was counted for a request that already ran: no approval is missing, none is asked for.
    missing: plan.verdict.state === "already_ran" ? [] : missingApprovalLines(plan.decision, approval),
    fingerprint: plan.run?.fingerprint.digest ?? null,
    checkRunUrl,
    evaluatedAt: p.now(),
  });
  return { checkRunId: id };
}
