import type { RunTrigger } from "../audit/audit-types.js";
import type { GitHubClient } from "../github/octokit.js";
import type { RepositoryLike } from "./evaluate-current-pull-request.js";
import type { PullRequestEvaluation } from "./evaluate-pull-request.js";
import type { HandlerDeps } from "./handler-deps.js";
import { requestRun } from "./request-run.js";

/** Who asked for what, on which pull request: a comment command or a button click. */
export interface CommandParams {
  deps: HandlerDeps;
  octokit: GitHubClient;
  repository: RepositoryLike;
  installationId: number | undefined;
  pullNumber: number;
  sender: string;
  senderIsBot: boolean;
}

/**
 * Asks the runner to run a pull request and says so on it when something needs saying: a refusal, or a
 * request that already ran. A fresh run says nothing here: its result comment follows.
 */
export async function startRun(
  p: CommandParams & { trigger: RunTrigger; evaluated?: PullRequestEvaluation; onlyHead?: string },
): Promise<void> {
  const reply = (body: string) =>
    p.octokit.rest.issues.createComment({
      owner: p.repository.owner.login,
      repo: p.repository.name,
      issue_number: p.pullNumber,
      body,
    });
  if (p.installationId === undefined) {
    await reply("Nothing ran: the event carried no installation, so querygate cannot report a result here.");
    return;
  }
  const result = await requestRun({ ...p, installationId: p.installationId });
  if (result.status === "refused") await reply(result.message);
  // A merge or an approval that finds the request already run says nothing: only people asked.
  if (result.status === "queued" && !result.allNew && (p.trigger === "button" || p.trigger === "comment"))
    await reply(result.message);
}
