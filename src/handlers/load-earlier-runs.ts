import type { PullRequestRef } from "../github/pull-request-ref.js";
import { type EarlierRun, type PriorExecution, priorExecution } from "../plan-pull-request/earlier-runs.js";
import type { DecisionPlan } from "../plan-pull-request/plan-decision.js";
import { earlierRunsOf } from "../plan-pull-request/plan-pull-request.js";
import type { BasePolicy } from "../plan-pull-request/pull-request-plan.js";
import type { StateStore } from "../store/state-store.js";

/**
 * What ran on every head commit of a pull request, from the app's own ledger — never from a comment or a
 * check run, which anyone could write — with a link to each reported result; and, worked out from it
 * (pure), which of the request files already ran.
 */
export async function loadEarlierRuns(
  store: StateStore,
  p: { pr: PullRequestRef; policy: BasePolicy; decided: DecisionPlan | null },
): Promise<{ priorExecutions: PriorExecution[]; earlier: EarlierRun[] }> {
  const { pr } = p;
  const rows = await store.listPullRequestExecutions({
    repo: `${pr.owner}/${pr.repo}`,
    pullNumber: pr.pullNumber,
  });
  const priorExecutions = rows.map((row) => priorExecution(row, pr.htmlUrl));
  return { priorExecutions, earlier: earlierRunsOf({ ...p, priorExecutions }) };
}
