import type { Context } from "probot";
import { evaluatePullRequest } from "./evaluate-pull-request.js";
import { handleDeliveryOnce } from "./handle-event.js";
import type { HandlerDeps } from "./handler-deps.js";
import { pullRequestRef } from "./pull-request-ref.js";

/** submitted, edited, dismissed: a review can change the outcome, so re-evaluate the head commit. */
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
      await evaluatePullRequest({ ...deps, octokit: context.octokit }, pullRequestRef(repository, pr));
    },
  });
}
