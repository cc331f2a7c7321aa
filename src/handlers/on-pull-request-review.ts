import type { Context } from "probot";
import { evaluateCurrentPullRequest } from "./evaluate-current-pull-request.js";
import { handleDeliveryOnce } from "./handle-event.js";
import type { HandlerDeps } from "./handler-deps.js";
import { runIfAutomatic } from "./run-if-automatic.js";

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
      const evaluation = await evaluateCurrentPullRequest({
        deps,
        octokit: context.octokit,
        repository,
        pullNumber: pr.number,
      });
      await runIfAutomatic({
        deps,
        octokit: context.octokit,
        repository,
        installationId: context.payload.installation?.id,
        evaluation,
        pullNumber: pr.number,
      });
    },
  });
}
