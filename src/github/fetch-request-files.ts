import { isSqlRequestPath, isYamlRequestPath, MAX_REQUEST_FILES_PER_PR } from "../requests/request-paths.js";
import { MAX_SQL_SOURCE_BYTES } from "../sql/source-text.js";
import type { BlobCache } from "./blob-cache.js";
import { PER_PAGE_MAX, PULL_REQUEST_FILES_MAX } from "./limits.js";
import type { GitHubClient, RepoRef } from "./octokit.js";
import { readBlob } from "./read-blob.js";

export interface ChangedFile {
  path: string;
  status: string;
  blobSha: string | null;
}

export interface FetchedRequestFile {
  path: string;
  blobSha: string;
  content: Uint8Array;
}

export interface FetchRequestFilesResult {
  files: FetchedRequestFile[];
  skipped: Array<{ path: string; reason: string }>;
}

/** Every file the pull request changes (GitHub lists at most 3000). */
export async function listChangedFiles(
  octokit: GitHubClient,
  { owner, repo, pullNumber }: RepoRef & { pullNumber: number },
): Promise<ChangedFile[]> {
  const changed = await octokit.paginate(
    octokit.rest.pulls.listFiles,
    { owner, repo, pull_number: pullNumber, per_page: PER_PAGE_MAX },
    (response, done) => {
      // GitHub stops at 3000 files; never page past what it can return.
      if (response.data.length < PER_PAGE_MAX) done();
      return response.data;
    },
  );
  return changed
    .slice(0, PULL_REQUEST_FILES_MAX)
    .map((f) => ({ path: f.filename, status: f.status, blobSha: f.sha ?? null }));
}

/** Fetches the exact bytes of the added or changed request files by blob SHA. */
export async function fetchRequestFiles(
  octokit: GitHubClient,
  { owner, repo, changed, cache }: RepoRef & { changed: ChangedFile[]; cache?: BlobCache },
): Promise<FetchRequestFilesResult> {
  const candidates = changed.filter(
    (f) => f.status !== "removed" && (isSqlRequestPath(f.path) || isYamlRequestPath(f.path)),
  );
  const files: FetchedRequestFile[] = [];
  const skipped: FetchRequestFilesResult["skipped"] = [];
  for (const [i, f] of candidates.entries()) {
    if (i >= MAX_REQUEST_FILES_PER_PR) {
      skipped.push({
        path: f.path,
        reason: `more than ${MAX_REQUEST_FILES_PER_PR} request files in one pull request: split it`,
      });
      continue;
    }
    if (!f.blobSha) {
      skipped.push({
        path: f.path,
        reason: "GitHub reported no blob for this file (a submodule?): commit a plain .sql file",
      });
      continue;
    }
    const content = await readBlob(octokit, { owner, repo, sha: f.blobSha, cache });
    if (content.byteLength > MAX_SQL_SOURCE_BYTES) {
      skipped.push({
        path: f.path,
        reason: `file is ${content.byteLength} bytes, over the limit of ${MAX_SQL_SOURCE_BYTES}: split it into smaller requests`,
      });
      continue;
    }
    files.push({ path: f.path, blobSha: f.blobSha, content });
  }
  return { files, skipped };
}
