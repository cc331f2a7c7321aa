import { AppNotInstalledError } from "./github-errors.js";
import { INSTALLATION_CACHE_MS } from "./limits.js";
import type { GitHubClient } from "./octokit.js";

/** The app's credentials as the app server holds them: no id → the app itself (JWT), an id → that installation. */
export type AppAuth = (installationId?: number) => Promise<GitHubClient>;

export interface InstallationClients {
  /** An installation client for `owner/repo`, or AppNotInstalledError when the app is not installed there. */
  forRepo(owner: string, repo: string): Promise<GitHubClient>;
}

/** Finds a repository's installation (`GET /repos/{owner}/{repo}/installation`, as the app) and caches its id. */
export function createInstallationClients(auth: AppAuth, now: () => number = Date.now): InstallationClients {
  const ids = new Map<string, { id: number; at: number }>();
  return {
    async forRepo(owner, repo) {
      const key = `${owner}/${repo}`.toLowerCase();
      const hit = ids.get(key);
      if (hit && now() - hit.at < INSTALLATION_CACHE_MS) return auth(hit.id);
      const app = await auth();
      let id: number;
      try {
        ({
          data: { id },
        } = await app.rest.apps.getRepoInstallation({ owner, repo }));
      } catch (error) {
        if ((error as { status?: number }).status === 404) throw new AppNotInstalledError(`${owner}/${repo}`);
        throw error;
      }
      ids.set(key, { id, at: now() });
      return auth(id);
    },
  };
}
