import type { Context } from "probot";
import { parseCommand } from "../github/parse-command.js";
import { closedReply, helpReply } from "../render/render-command-reply.js";
import { evaluateCurrentPullRequest } from "./evaluate-current-pull-request.js";
import { handleDeliveryOnce } from "./handle-event.js";
import type { HandlerDeps } from "./handler-deps.js";
import { allowedToCommand, replyOn, runCommand } from "./run-command.js";

/**
 * `/querygate plan|run|help` on a pull request. The sender's permission is asked of GitHub; accepted
 * commands get a 👍 reaction, refused ones a polite reply and nothing else.
 */
export async function onIssueComment(deps: HandlerDeps, context: Context<"issue_comment">): Promise<void> {
  const { issue, comment, repository } = context.payload;
  if (!issue.pull_request || comment.user?.type === "Bot") return;
  const command = parseCommand(comment.body);
  if (command === null) return;
  const params = {
    deps,
    octokit: context.octokit,
    repository,
    installationId: context.payload.installation?.id,
    pullNumber: issue.number,
    sender: comment.user?.login ?? "",
    // Bot comments were ignored above.
    senderIsBot: false,
  };
  await handleDeliveryOnce({
    context,
    store: deps.store,
    repo: repository.full_name,
    pullNumbers: [issue.number],
    work: async () => {
      if (!(await allowedToCommand(params))) return;
      const { owner, name: repo } = { owner: repository.owner.login, name: repository.name };
      await context.octokit.rest.reactions.createForIssueComment({
        owner,
        repo,
        comment_id: comment.id,
        content: "+1",
      });
      if (command.verb === "help" || command.verb === "unknown") {
        const unknownWord = command.verb === "unknown" ? command.word : null;
        await replyOn(params, helpReply({ unknownWord, runnerEnabled: deps.runnerEnabled }));
      } else if (command.verb === "run")
        await runCommand({ ...params, trigger: "comment", closedReply: closedReply() });
      else if ((await evaluateCurrentPullRequest(params)) === null) await replyOn(params, closedReply());
    },
  });
}
