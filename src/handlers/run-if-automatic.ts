import type { GitHubClient } from "../github/octokit.js";
import type { RepositoryLike } from "./evaluate-current-pull-request.js";
import type { PullRequestEvaluation } from "./evaluate-pull-request.js";
import type { HandlerDeps } from "./handler-deps.js";
import { startRun } from "./start-run.js";

/** Who `auto` runs are recorded as: the app itself, not a person. */
export const AUTO_TRIGGER_LOGIN = "querygate[bot]";

/** `execute: auto`: a request that just became ready runs without a click (once: the ledger keys it). */
export async function runIfAutomatic(p: {
  deps: HandlerDeps;
  octokit: GitHubClient;
  repository: RepositoryLike;
  installationId: number | undefined;
  evaluation: PullRequestEvaluation | null;
  pullNumber: number;
}): Promise<void> {
  const units = p.evaluation?.plan.run?.units ?? [];
  if (!p.deps.runnerEnabled || units.length === 0 || !units.every((u) => u.execute === "auto")) return;
  const { evaluation, ...rest } = p;
  if (!evaluation) return;
  await startRun({
    ...rest,
    evaluated: evaluation,
    sender: AUTO_TRIGGER_LOGIN,
    senderIsBot: false,
    trigger: "auto",
  });
}
