import type { Context } from "probot";
import { pullRequestRef } from "../github/pull-request-ref.js";
import { type EvaluateDeps, evaluatePullRequest } from "./evaluate-pull-request.js";
import { handleDeliveryOnce } from "./handle-event.js";
import type { HandlerDeps } from "./handler-deps.js";
import { runIfAutomatic } from "./run-if-automatic.js";

/** opened, synchronize, reopened, edited: (re)analyse the head commit. */
export async function onPullRequest(deps: HandlerDeps, context: Context<"pull_request">): Promise<void> {
  const { pull_request: pr, repository } = context.payload;
  if (pr.state !== "open") return;
  await handleDeliveryOnce({
    context,
    store: deps.store,
    repo: repository.full_name,
    pullNumbers: [pr.number],
    work: async () => {
      const evaluate: EvaluateDeps = { ...deps, octokit: context.octokit };
      const evaluation = await evaluatePullRequest(evaluate, pullRequestRef(repository, pr), {
        opened: context.payload.action === "opened",
      });
      await runIfAutomatic({
        deps,
        octokit: context.octokit,
        repository,
        installationId: (context.payload as { installation?: { id: number } }).installation?.id,
        evaluation,
        pullNumber: pr.number,
      });
    },
  });
}
