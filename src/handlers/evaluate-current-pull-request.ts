import type { GitHubClient } from "../github/octokit.js";
import {
  type EvaluateDeps,
  evaluatePullRequest,
  type PullRequestEvaluation,
} from "./evaluate-pull-request.js";
import type { HandlerDeps } from "./handler-deps.js";
import { pullRequestRef } from "./pull-request-ref.js";

export interface RepositoryLike {
  owner: { login: string };
  name: string;
  full_name: string;
  default_branch: string;
}

/**
 * Re-reads the pull request before evaluating: a review, comment or click may arrive after a push, and the
 * verdict must be about the current head, not the one in the event.
 */
export async function evaluateCurrentPullRequest(p: {
  deps: HandlerDeps;
  octokit: GitHubClient;
  repository: RepositoryLike;
  pullNumber: number;
}): Promise<PullRequestEvaluation | null> {
  const { data: pr } = await p.octokit.rest.pulls.get({
    owner: p.repository.owner.login,
    repo: p.repository.name,
    pull_number: p.pullNumber,
  });
  if (pr.state !== "open") return null;
  const deps: EvaluateDeps = { ...p.deps, octokit: p.octokit };
  return evaluatePullRequest(deps, pullRequestRef(p.repository, pr));
}
