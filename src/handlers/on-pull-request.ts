import type { Context } from "probot";
import { evaluateCurrentPullRequest } from "./evaluate-current-pull-request.js";
import { handleDeliveryOnce } from "./handle-event.js";
import type { HandlerDeps } from "./handler-deps.js";
import { runIfAutomatic } from "./run-if-automatic.js";

/**
 * opened, synchronize, reopened, edited: (re)analyse the pull request as GitHub has it now. GitHub delivers
 * at least once and in no guaranteed order, and a late or replayed delivery carries its original body: an
 * event about a head that is no longer the head changes nothing (no check run, comment, dismissal or run).
 */
export async function onPullRequest(deps: HandlerDeps, context: Context<"pull_request">): Promise<void> {
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
        onlyHead: pr.head.sha,
        opened: context.payload.action === "opened",
      });
      if (evaluation === null) {
        context.log.info({ delivery: context.id, head: pr.head.sha }, "event about an earlier head; ignored");
        return;
      }
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
