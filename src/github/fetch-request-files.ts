import { isSqlRequestPath, MAX_REQUEST_FILES_PER_PR } from "../requests/request-paths.js";
import { MAX_SQL_SOURCE_BYTES } from "../sql/source-text.js";
import { PER_PAGE_MAX, PULL_REQUEST_FILES_MAX } from "./limits.js";
import type { GitHubClient, RepoRef } from "./octokit.js";

export interface FetchedRequestFile {
  path: string;
  blobSha: string;
  content: Uint8Array;
}

export interface FetchRequestFilesResult {
  files: FetchedRequestFile[];
  skipped: Array<{ path: string; reason: string }>;
}

/** Lists the pull request's added or changed request files and fetches their exact bytes by blob SHA. */
export async function fetchRequestFiles(
  octokit: GitHubClient,
  { owner, repo, pullNumber }: RepoRef & { pullNumber: number },
): Promise<FetchRequestFilesResult> {
  const changed = await octokit.paginate(
    octokit.rest.pulls.listFiles,
    { owner, repo, pull_number: pullNumber, per_page: PER_PAGE_MAX },
    (response, done) => {
      // GitHub stops at 3000 files; never page past what it can return.
      if (response.data.length < PER_PAGE_MAX) done();
      return response.data;
    },
  );
  const candidates = changed
    .slice(0, PULL_REQUEST_FILES_MAX)
    .filter((f) => f.status !== "removed" && isSqlRequestPath(f.filename));

  const files: FetchedRequestFile[] = [];
  const skipped: FetchRequestFilesResult["skipped"] = [];
  for (const [i, f] of candidates.entries()) {
    if (i >= MAX_REQUEST_FILES_PER_PR) {
      skipped.push({
        path: f.filename,
        reason: `more than ${MAX_REQUEST_FILES_PER_PR} request files in one pull request: split it`,
      });
      continue;
    }
    if (!f.sha) {
      skipped.push({
        path: f.filename,
        reason: "GitHub reported no blob for this file (a submodule?): commit a plain .sql file",
      });
      continue;
    }
    const { data: blob } = await octokit.rest.git.getBlob({ owner, repo, file_sha: f.sha });
    if ((blob.size ?? 0) > MAX_SQL_SOURCE_BYTES) {
      skipped.push({
        path: f.filename,
        reason: `file is ${blob.size} bytes, over the limit of ${MAX_SQL_SOURCE_BYTES}: split it into smaller requests`,
      });
      continue;
    }
    const content =
      blob.encoding === "base64" ? Buffer.from(blob.content, "base64") : Buffer.from(blob.content, "utf8");
    files.push({ path: f.filename, blobSha: f.sha, content: new Uint8Array(content) });
  }
  return { files, skipped };
}
