import type { Context } from "probot";
import { isBotAccount } from "../approvals/latest-reviews.js";
import { handleDeliveryOnce } from "./handle-event.js";
import type { HandlerDeps } from "./handler-deps.js";
import { startRun } from "./start-run.js";

/** A merge runs the requests whose policy says `execute: on_merge`; the merger must be allowed to start them. */
export async function onPullRequestClosed(
  deps: HandlerDeps,
  context: Context<"pull_request.closed">,
): Promise<void> {
  const { pull_request: pr, repository } = context.payload;
  if (!pr.merged || !deps.runnerEnabled) return;
  const merger = pr.merged_by ?? context.payload.sender;
  await handleDeliveryOnce({
    context,
    store: deps.store,
    repo: repository.full_name,
    pullNumbers: [pr.number],
    work: async () => {
      await startRun({
        deps,
        octokit: context.octokit,
        repository,
        installationId: context.payload.installation?.id,
        pullNumber: pr.number,
        sender: merger.login,
        senderIsBot: isBotAccount(merger.login, merger.type ?? "User"),
        trigger: "merge",
      });
    },
  });
}
