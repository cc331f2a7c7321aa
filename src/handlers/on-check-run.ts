import type { Context } from "probot";
import { isBotAccount } from "../approvals/latest-reviews.js";
import { CHECK_NAME } from "../github/limits.js";
import { evaluateCurrentPullRequest } from "./evaluate-current-pull-request.js";
import { handleDeliveryOnce } from "./handle-event.js";
import type { HandlerDeps } from "./handler-deps.js";
import { allowedToCommand, runCommand } from "./run-command.js";

/**
 * rerequested re-evaluates every open pull request of the check's head commit. requested_action `run` is a
 * run request from `sender` — whose permission is asked of GitHub, never taken from the payload.
 */
export async function onCheckRun(deps: HandlerDeps, context: Context<"check_run">): Promise<void> {
  const { check_run: run, repository, sender } = context.payload;
  if (run.name !== CHECK_NAME) return;
  const requested =
    context.payload.action === "requested_action"
      ? (context.payload as { requested_action?: { identifier?: string } }).requested_action?.identifier
      : null;
  if (context.payload.action === "requested_action" && requested !== "run") {
    context.log.warn({ check_run: run.id, identifier: requested }, "unknown check run action; ignored");
    return;
  }
  await handleDeliveryOnce({
    context,
    store: deps.store,
    repo: repository.full_name,
    pullNumbers: run.pull_requests.map((ref) => ref.number),
    work: async (pullNumber) => {
      const command = {
        deps,
        octokit: context.octokit,
        repository,
        installationId: context.payload.installation?.id,
        pullNumber,
        sender: sender.login,
        senderIsBot: isBotAccount(sender.login, sender.type ?? "User"),
      };
      // A button or "Re-run" on an older head's check run is about that head only: it changes nothing.
      const onlyHead = run.head_sha;
      if (requested !== "run") await evaluateCurrentPullRequest({ ...command, onlyHead });
      else if (await allowedToCommand(command))
        await runCommand({ ...command, trigger: "button", closedReply: null, onlyHead });
    },
  });
}
