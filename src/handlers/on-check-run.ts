import type { Context } from "probot";
import { isBotAccount } from "../approvals/latest-reviews.js";
import { canCommand } from "../github/collaborator-permission.js";
import { CHECK_NAME } from "../github/limits.js";
import { notRunnableReply, refusalReply } from "../render/render-command-reply.js";
import { evaluateCurrentPullRequest } from "./evaluate-current-pull-request.js";
import { handleDeliveryOnce } from "./handle-event.js";
import type { HandlerDeps } from "./handler-deps.js";
import { startRun } from "./start-run.js";

/**
 * rerequested re-evaluates every open pull request of the check's head commit. requested_action `run` is a
 * run request from `sender` — whose permission is asked of GitHub, never taken from the payload.
 */
export async function onCheckRun(deps: HandlerDeps, context: Context<"check_run">): Promise<void> {
  const { check_run: run, repository, sender } = context.payload;
  if (run.name !== CHECK_NAME) return;
  const owner = repository.owner.login;
  const repo = repository.name;
  const octokit = context.octokit;
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
      const reply = (body: string) =>
        octokit.rest.issues.createComment({ owner, repo, issue_number: pullNumber, body });
      if (requested === "run" && !(await canCommand(octokit, { owner, repo, login: sender.login }))) {
        await reply(refusalReply(sender.login));
        return;
      }
      if (requested === "run" && deps.runnerEnabled) {
        await startRun({
          deps,
          octokit,
          repository,
          installationId: context.payload.installation?.id,
          pullNumber,
          sender: sender.login,
          senderIsBot: isBotAccount(sender.login, sender.type ?? "User"),
          trigger: "button",
        });
        return;
      }
      const evaluation = await evaluateCurrentPullRequest({ deps, octokit, repository, pullNumber });
      if (evaluation && requested === "run") {
        await reply(
          notRunnableReply({ verdict: evaluation.plan.verdict, runnerEnabled: deps.runnerEnabled }),
        );
      }
    },
  });
}
