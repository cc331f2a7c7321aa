import { fetchPullRequestFacts } from "../github/fetch-pull-request-facts.js";
import type { PullRequestRef } from "../github/pull-request-ref.js";
import { planDecision } from "../plan-pull-request/plan-decision.js";
import { needsApprovals, type PlanPullRequestParams } from "../plan-pull-request/plan-pull-request.js";
import { validateProposedPolicy } from "../policy-tests/validate-proposed-policy.js";
import { bundledGrammarVersions } from "../sql/postgres/load-parser.js";
import type { ExecutionSummary } from "../store/state-store.js";
import type { EvaluateDeps } from "./evaluate-deps.js";
import { keepApprovalContext } from "./keep-approval-context.js";
import { loadApprovalStatus } from "./load-approval-status.js";
import { loadEarlierRuns } from "./load-earlier-runs.js";

/**
 * Everything the planner needs, from GitHub and the state store (what ran on any head of the pull request:
 * the app's own ledger, never a comment). What the policy decides, and which request files already ran, are
 * worked out on the way (pure): they say whether the reviews must be read at all.
 */
export async function gatherPullRequest(
  deps: EvaluateDeps,
  pr: PullRequestRef,
): Promise<PlanPullRequestParams & { executions: ExecutionSummary[] }> {
  const { store } = deps;
  const facts = await fetchPullRequestFacts({ ...deps, pr });
  const now = deps.now();
  const { policy, proposed } = facts;
  const decided = policy.ok
    ? await planDecision({
        ...facts,
        policy: policy.compiled,
        files: facts.requestFiles,
        author: pr.author,
        labels: pr.labels,
        now,
      })
    : null;
  const { priorExecutions, earlier } = await loadEarlierRuns(store, { pr, policy, decided });
  const context = { ...deps, pr, policyFiles: facts.contextFiles, parserVersions: bundledGrammarVersions() };
  const approval =
    decided && needsApprovals({ ...facts, decided, earlier })
      ? await loadApprovalStatus({ ...context, requirements: decided.decision.requirements })
      : await keepApprovalContext(context).then(() => null);
  const ref = { repo: `${pr.owner}/${pr.repo}`, pullNumber: pr.pullNumber, headSha: pr.headSha };
  const executions = await store.listExecutions(ref);
  return {
    ...facts,
    pr,
    decided,
    approval,
    policyChange: proposed ? await validateProposedPolicy({ ...proposed, now }) : null,
    executions,
    executionCount: executions.length,
    priorExecutions,
    runnerEnabled: deps.runnerEnabled,
    dismissStale: policy.ok && policy.policy.dismissStaleApprovals,
  };
}
