import type { Context } from "probot";
import { evaluatePullRequest } from "./evaluate-pull-request.js";
import { handleDeliveryOnce } from "./handle-event.js";
import type { HandlerDeps } from "./handler-deps.js";
import { parseCommand } from "./parse-command.js";
import { pullRequestRef } from "./pull-request-ref.js";

/** `/querygate plan` re-evaluates the pull request. Other verbs arrive with the approval workflow. */
export async function onIssueComment(deps: HandlerDeps, context: Context<"issue_comment">): Promise<void> {
  const { issue, comment, repository } = context.payload;
  if (!issue.pull_request || issue.state !== "open") return;
  if (comment.user?.type === "Bot") return;
  const command = parseCommand(comment.body);
  if (command?.verb !== "plan") return;
  const owner = repository.owner.login;
  const repo = repository.name;
  await handleDeliveryOnce({
    context,
    store: deps.store,
    repo: repository.full_name,
    pullNumbers: [issue.number],
    work: async () => {
      const { data: pr } = await context.octokit.rest.pulls.get({ owner, repo, pull_number: issue.number });
      await evaluatePullRequest({ ...deps, octokit: context.octokit }, pullRequestRef(repository, pr));
    },
  });
}
