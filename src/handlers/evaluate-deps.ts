import type { BlobCache } from "../github/blob-cache.js";
import type { GitHubClient } from "../github/octokit.js";
import type { PolicyCache } from "../policy/policy-cache.js";
import type { StateStore } from "../store/state-store.js";

/** What evaluating a pull request needs: the event's GitHub client and the process's shared parts. */
export interface EvaluateDeps {
  octokit: GitHubClient;
  store: StateStore;
  policies: PolicyCache;
  blobs: BlobCache;
  now: () => Date;
  /** Whether ready requests can be started from GitHub (the Run button and `/querygate run`). */
  runnerEnabled: boolean;
  /** The login the app itself acts as (`<slug>[bot]`), to tell its own pull requests apart. */
  appLogin?: () => Promise<string | null>;
}
