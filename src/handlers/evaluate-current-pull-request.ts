import type { GitHubClient } from "../github/octokit.js";
import { pullRequestRef, type RepositoryLike } from "../github/pull-request-ref.js";
import type { RunFingerprint } from "../plan-pull-request/fingerprint.js";
import { evaluatePullRequest, type PullRequestEvaluation } from "./evaluate-pull-request.js";
import type { HandlerDeps } from "./handler-deps.js";

export type { RepositoryLike };

interface CurrentParams {
  deps: HandlerDeps;
  octokit: GitHubClient;
  repository: RepositoryLike;
  pullNumber: number;
  /** Just opened: there is no status comment of ours to look for yet. */
  opened?: boolean;
  /** The head the event is about: when it is no longer the head, the event changes nothing ("moved"). */
  onlyHead?: string;
}

/**
 * Re-reads the pull request before evaluating: a review, comment or click may arrive after a push, and the
 * verdict must be about the current head, not the one in the event.
 */
export async function evaluateCurrentPullRequest(p: CurrentParams): Promise<PullRequestEvaluation | null> {
  const read = await evaluateLive({ ...p, open: (pr) => pr.state === "open" });
  return read === "moved" ? null : (read?.evaluation ?? null);
}

/**
 * For a run: the pull request as it is now (open, or merged for a merge), what was recorded as approved for
 * its head (read before evaluating, which records what it finds ready), and a fresh evaluation.
 */
export async function evaluateLive(
  p: CurrentParams & { open: (pr: { state: string; merged: boolean; head: { sha: string } }) => boolean },
): Promise<{ evaluation: PullRequestEvaluation; approved: RunFingerprint | null } | "moved" | null> {
  const { repository } = p;
  const { data: pr } = await p.octokit.rest.pulls.get({
    owner: repository.owner.login,
    repo: repository.name,
    pull_number: p.pullNumber,
  });
  if (p.onlyHead !== undefined && pr.head.sha.toLowerCase() !== p.onlyHead.toLowerCase()) return "moved";
  if (!p.open(pr)) return null;
  const key = { repo: repository.full_name, pullNumber: p.pullNumber, headSha: pr.head.sha };
  const approved = await p.deps.store.findApprovedRun(key);
  const evaluation = await evaluatePullRequest(
    { ...p.deps, octokit: p.octokit },
    pullRequestRef(repository, pr),
    {
      opened: p.opened ?? false,
    },
  );
  return { evaluation, approved: approved && { digest: approved.fingerprint, parts: approved.parts } };
}
