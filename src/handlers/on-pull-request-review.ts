import type { Context } from "probot";
import { evaluateCurrentPullRequest } from "./evaluate-current-pull-request.js";
import { handleDeliveryOnce } from "./handle-event.js";
import type { HandlerDeps } from "./handler-deps.js";

/** submitted, edited, dismissed: a review can change the outcome, so re-evaluate the current head. */
export async function onPullRequestReview(
  deps: HandlerDeps,
  context: Context<"pull_request_review">,
): Promise<void> {
  const { pull_request: pr, repository } = context.payload;
  if (pr.state !== "open") return;
  await handleDeliveryOnce({
    context,
    store: deps.store,
    repo: repository.full_name,
    pullNumbers: [pr.number],
    work: async () => {
      await evaluateCurrentPullRequest({ deps, octokit: context.octokit, repository, pullNumber: pr.number });
    },
  });
}
