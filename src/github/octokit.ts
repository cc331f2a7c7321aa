import type { Context } from "probot";

/** The installation-scoped client Probot hands each event. Octokit calls live in src/github and handlers only. */
export type GitHubClient = Context["octokit"];

export interface RepoRef {
  owner: string;
  repo: string;
}

export function fullName({ owner, repo }: RepoRef): string {
  return `${owner}/${repo}`;
}
