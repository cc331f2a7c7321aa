import type { Octokit } from "@octokit/rest";

/**
 * What submitting and following a request need from a client: `@octokit/rest`'s Octokit with a user's or an
 * agent's token (the CLI), or the app's installation client (src/github/octokit.ts `GitHubClient`).
 */
export interface SubmitOctokit {
  rest: Pick<Octokit["rest"], "repos" | "git" | "pulls" | "issues" | "checks">;
}
