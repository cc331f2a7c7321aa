import type { RunTrigger } from "../audit/audit-types.js";
import { canCommand } from "../github/collaborator-permission.js";
import { notRunnableReply, refusalReply } from "../render/render-command-reply.js";
import { evaluateCurrentPullRequest } from "./evaluate-current-pull-request.js";
import { type CommandParams, startRun } from "./start-run.js";

/** Posts a reply on the pull request. */
export function replyOn(p: CommandParams, body: string) {
  const { owner, name } = { owner: p.repository.owner.login, name: p.repository.name };
  return p.octokit.rest.issues.createComment({ owner, repo: name, issue_number: p.pullNumber, body });
}

/** Whether the sender may command querygate here (asked of GitHub); if not, says so politely. */
export async function allowedToCommand(p: CommandParams): Promise<boolean> {
  const owner = p.repository.owner.login;
  if (await canCommand(p.octokit, { owner, repo: p.repository.name, login: p.sender })) return true;
  await replyOn(p, refusalReply(p.sender));
  return false;
}

/** `/querygate run` or the Run button: a run when the runner is enabled, else why nothing runs. */
export async function runCommand(
  p: CommandParams & { trigger: RunTrigger; closedReply: string | null; onlyHead?: string },
): Promise<void> {
  if (p.deps.runnerEnabled) return startRun(p);
  const evaluation = await evaluateCurrentPullRequest(p);
  if (evaluation)
    await replyOn(p, notRunnableReply({ verdict: evaluation.plan.verdict, runnerEnabled: false }));
  else if (p.closedReply !== null) await replyOn(p, p.closedReply);
}
