import type { BlobCache } from "./blob-cache.js";
import type { GitHubClient, RepoRef } from "./octokit.js";

/** A blob's exact bytes by SHA, from the cache when this process has read them before. */
export async function readBlob(
  octokit: GitHubClient,
  p: RepoRef & { sha: string; cache?: BlobCache },
): Promise<Uint8Array> {
  const cached = p.cache?.get(p.sha);
  if (cached) return cached;
  const { data: blob } = await octokit.rest.git.getBlob({ owner: p.owner, repo: p.repo, file_sha: p.sha });
  const content = new Uint8Array(
    blob.encoding === "base64" ? Buffer.from(blob.content, "base64") : Buffer.from(blob.content, "utf8"),
  );
  p.cache?.set(p.sha, content);
  return content;
}
