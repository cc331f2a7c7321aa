import type { RepoRef } from "./octokit.js";

export interface PullRequestRef extends RepoRef {
  pullNumber: number;
  headSha: string;
  htmlUrl: string;
  /** The base branch name: its policy is read at the branch's current head, never the PR's. */
  baseRef: string;
  /** The repository's default branch: its policy says which other bases may receive requests. */
  defaultBranch: string;
  author: string;
  authorType: string;
  /** The head branch lives in another repository (or one since deleted): never runnable. */
  fork: boolean;
  labels: string[];
  requestedReviewers: { users: string[]; teams: string[] };
}

/** The fields of a webhook's or the REST API's pull request object that evaluation needs. */
export interface PullRequestLike {
  number: number;
  html_url: string;
  head: { sha: string; repo: { full_name: string } | null };
  base: { ref: string };
  user: { login: string; type?: string } | null;
  labels?: Array<{ name?: string } | string>;
  /** Users — and, in some webhook payloads, teams — already asked for a review. */
  requested_reviewers?: ReadonlyArray<unknown> | null;
  requested_teams?: ReadonlyArray<unknown> | null;
}

/** The fields of a webhook's repository object that evaluation needs. */
export interface RepositoryLike {
  owner: { login: string };
  name: string;
  full_name: string;
  default_branch: string;
}

export function pullRequestRef(repository: RepositoryLike, pr: PullRequestLike): PullRequestRef {
  return {
    owner: repository.owner.login,
    repo: repository.name,
    pullNumber: pr.number,
    headSha: pr.head.sha,
    htmlUrl: pr.html_url,
    baseRef: pr.base.ref,
    defaultBranch: repository.default_branch,
    // A deleted fork leaves head.repo null: it still did not come from here.
    fork: pr.head.repo?.full_name.toLowerCase() !== repository.full_name.toLowerCase(),
    author: pr.user?.login ?? "",
    authorType: pr.user?.type ?? "User",
    labels: (pr.labels ?? []).map((l) => (typeof l === "string" ? l : (l.name ?? ""))).filter(Boolean),
    requestedReviewers: {
      users: (pr.requested_reviewers ?? [])
        .map((u) => (u as { login?: string } | null)?.login ?? "")
        .filter(Boolean),
      teams: (pr.requested_teams ?? [])
        .map((t) => (t as { slug?: string } | null)?.slug ?? "")
        .filter(Boolean),
    },
  };
}
