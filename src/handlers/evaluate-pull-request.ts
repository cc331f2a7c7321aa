import type { PullRequestRef } from "../github/pull-request-ref.js";
import { planPullRequest } from "../plan-pull-request/plan-pull-request.js";
import type { PullRequestPlan } from "../plan-pull-request/pull-request-plan.js";
import { publishPlan } from "../publish-plan/publish-plan.js";
import type { EvaluateDeps } from "./evaluate-deps.js";
import { gatherPullRequest } from "./gather-pull-request.js";

export type { EvaluateDeps };

export interface PullRequestEvaluation {
  pr: PullRequestRef;
  plan: PullRequestPlan;
  checkRunId: number;
}

/** Gather (GitHub, the state store) → plan (pure) → publish (check run, status comment, records). */
export async function evaluatePullRequest(
  deps: EvaluateDeps,
  pr: PullRequestRef,
  options: { opened?: boolean } = {},
): Promise<PullRequestEvaluation> {
  const gathered = await gatherPullRequest(deps, pr);
  const plan = planPullRequest(gathered);
  const { checkRunId } = await publishPlan({
    ...deps,
    pr,
    plan,
    executions: gathered.executions,
    priorExecutions: gathered.priorExecutions,
    opened: options.opened ?? false,
  });
  return { pr, plan, checkRunId };
}
