import type { GitHubClient } from "./octokit.js";

/** A pull request's own facts, as GitHub holds them: never querygate's state (that is in the state store). */
export interface PullRequestFacts {
  /** OWNER/NAME of the base repository, as GitHub spells it. */
  repo: string;
  number: number;
  url: string;
  state: "open" | "closed";
  merged: boolean;
  author: string | null;
  headSha: string;
  /** The base branch the pull request targets now. */
  baseRef: string;
  title: string;
}

/** `pulls.get`; null when GitHub has no such pull request (404). */
export async function readPullRequest(
  octokit: GitHubClient,
  ref: { owner: string; repo: string; number: number },
): Promise<PullRequestFacts | null> {
  let pull: Awaited<ReturnType<GitHubClient["rest"]["pulls"]["get"]>>["data"];
  try {
    ({ data: pull } = await octokit.rest.pulls.get({
      owner: ref.owner,
      repo: ref.repo,
      pull_number: ref.number,
    }));
  } catch (error) {
    if ((error as { status?: number }).status === 404) return null;
    throw error;
  }
  return {
    repo: pull.base.repo.full_name,
    number: pull.number,
    url: pull.html_url,
    state: pull.state === "closed" ? "closed" : "open",
    merged: pull.merged_at !== null,
    author: pull.user?.login ?? null,
    headSha: pull.head.sha,
    baseRef: pull.base.ref,
    title: pull.title,
  };
}
