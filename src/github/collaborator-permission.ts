import type { GitHubClient, RepoRef } from "./octokit.js";

/** Permission levels that may command querygate: the people who could push the request themselves. */
const COMMANDING_PERMISSIONS: readonly string[] = ["admin", "write"];

/**
 * Asks GitHub, never the payload, whether a user may command querygate on this repository. A lookup that
 * fails counts as no permission.
 */
export async function canCommand(octokit: GitHubClient, p: RepoRef & { login: string }): Promise<boolean> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({
      owner: p.owner,
      repo: p.repo,
      username: p.login,
    });
    // `permission` folds maintain into write and triage into read.
    return COMMANDING_PERMISSIONS.includes(data.permission);
  } catch {
    return false;
  }
}
