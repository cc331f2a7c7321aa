import type { GitHubClient, RepoRef } from "./octokit.js";

/** A full commit SHA (SHA-1, or SHA-256 for repositories that use it). */
const COMMIT_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

/** Where to read the repository: a branch at its current head, or one commit. */
export type ReadAt = { branch: string } | { commit: string };

/**
 * The commit to read at. A branch's head comes from the refs API (`GET /repos/{o}/{r}/git/ref/heads/{branch}`),
 * one small object, never from `repos/get-commit`, which pages the commit's whole diff. A commit SHA needs
 * no call; anything else given as a commit is a programming error, never resolved as a branch name.
 */
export async function commitToRead(octokit: GitHubClient, repo: RepoRef & { at: ReadAt }): Promise<string> {
  if ("commit" in repo.at) {
    if (!COMMIT_SHA.test(repo.at.commit))
      throw new Error(
        `expected a full commit SHA to read ${repo.owner}/${repo.repo} at, got "${repo.at.commit}"`,
      );
    return repo.at.commit;
  }
  const { data } = await octokit.rest.git.getRef({
    owner: repo.owner,
    repo: repo.repo,
    ref: `heads/${repo.at.branch}`,
  });
  if (data.object.type !== "commit")
    throw new Error(
      `${repo.owner}/${repo.repo}: refs/heads/${repo.at.branch} points at a ${data.object.type}, not a commit`,
    );
  return data.object.sha;
}
