import { POLICY_DIR } from "../policy/policy-paths.js";
import type { BlobCache } from "./blob-cache.js";
import { commitToRead, type ReadAt } from "./commit-to-read.js";
import type { GitHubClient, RepoRef } from "./octokit.js";
import { readBlob } from "./read-blob.js";

export interface PolicyFiles {
  /** The commit the files were read at: the base branch's head when the evaluation started. */
  commitSha: string;
  files: Array<{ path: string; content: string; blobSha: string }>;
  /** Why the files could not be read completely; any problem means the policy is invalid. */
  problems: string[];
}

/** Most policy files read from one commit; the loader refuses what is too large in total. */
export const MAX_POLICY_FILES = 50;

/**
 * Reads `policies/*.yml` at a commit by blob SHA (exact bytes, and the SHA binds approvals to the
 * policy version): a branch at its head now, or a given commit. A missing folder is an empty list: the
 * loader then fails closed.
 */
export async function fetchPolicyFiles(
  octokit: GitHubClient,
  {
    owner,
    repo,
    at,
    dir = POLICY_DIR,
    cache,
    maxFiles = MAX_POLICY_FILES,
  }: RepoRef & { at: ReadAt; dir?: string; cache?: BlobCache; maxFiles?: number },
): Promise<PolicyFiles> {
  const commitSha = await commitToRead(octokit, { owner, repo, at });
  let listing: unknown;
  try {
    ({ data: listing } = await octokit.rest.repos.getContent({ owner, repo, path: dir, ref: commitSha }));
  } catch (error) {
    if ((error as { status?: number }).status === 404) return { commitSha, files: [], problems: [] };
    throw error;
  }
  const entries = Array.isArray(listing)
    ? (listing as Array<{ type: string; path: string; name: string; sha: string }>)
    : [];
  const policyEntries = entries
    .filter((e) => e.type === "file" && /\.ya?ml$/.test(e.name))
    .sort((a, b) => a.path.localeCompare(b.path));
  if (policyEntries.length > maxFiles) {
    return {
      commitSha,
      files: [],
      problems: [
        `${dir}/ holds ${policyEntries.length} files, over the limit of ${maxFiles}: merge some of them`,
      ],
    };
  }
  const files: PolicyFiles["files"] = [];
  for (const entry of policyEntries) {
    const bytes = await readBlob(octokit, { owner, repo, sha: entry.sha, cache });
    const content = Buffer.from(bytes).toString("utf8");
    files.push({ path: entry.path, content, blobSha: entry.sha });
  }
  return { commitSha, files, problems: [] };
}
