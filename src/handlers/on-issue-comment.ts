import type { Context } from "probot";
import { canCommand } from "../github/collaborator-permission.js";
import { parseCommand } from "../github/parse-command.js";
import { closedReply, helpReply, notRunnableReply, refusalReply } from "../render/render-command-reply.js";
import { evaluateCurrentPullRequest } from "./evaluate-current-pull-request.js";
import { handleDeliveryOnce } from "./handle-event.js";
import type { HandlerDeps } from "./handler-deps.js";
import { startRun } from "./start-run.js";

/**
 * `/querygate plan|run|help` on a pull request. The sender's permission is asked of GitHub; accepted
 * commands get a 👍 reaction, refused ones a polite reply and nothing else.
 */
export async function onIssueComment(deps: HandlerDeps, context: Context<"issue_comment">): Promise<void> {
  const { issue, comment, repository } = context.payload;
  if (!issue.pull_request) return;
  if (comment.user?.type === "Bot") return;
  const command = parseCommand(comment.body);
  if (command === null) return;
  const owner = repository.owner.login;
  const repo = repository.name;
  const octokit = context.octokit;
  const reply = (body: string) =>
    octokit.rest.issues.createComment({ owner, repo, issue_number: issue.number, body });
  await handleDeliveryOnce({
    context,
    store: deps.store,
    repo: repository.full_name,
    pullNumbers: [issue.number],
    work: async () => {
      const login = comment.user?.login ?? "";
      if (!(await canCommand(octokit, { owner, repo, login }))) {
        await reply(refusalReply(login));
        return;
      }
      await octokit.rest.reactions.createForIssueComment({
        owner,
        repo,
        comment_id: comment.id,
        content: "+1",
      });
      if (command.verb === "help" || command.verb === "unknown") {
        await reply(
          helpReply({
            unknownWord: command.verb === "unknown" ? command.word : null,
            runnerEnabled: deps.runnerEnabled,
          }),
        );
        return;
      }
      if (command.verb === "run" && deps.runnerEnabled) {
        await startRun({
          deps,
          octokit,
          repository,
          installationId: context.payload.installation?.id,
          pullNumber: issue.number,
          sender: login,
          // Bot comments were ignored above; the type is asked again for clarity.
          senderIsBot: comment.user?.type === "Bot",
          trigger: "comment",
        });
        return;
      }
      const evaluation = await evaluateCurrentPullRequest({
        deps,
        octokit,
        repository,
        pullNumber: issue.number,
      });
      if (evaluation === null) {
        await reply(closedReply());
        return;
      }
      // Review-only mode: say why nothing runs.
      if (command.verb === "run") {
        await reply(
          notRunnableReply({ verdict: evaluation.plan.verdict, runnerEnabled: deps.runnerEnabled }),
        );
      }
    },
  });
}
