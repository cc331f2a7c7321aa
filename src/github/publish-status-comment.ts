import { createHash } from "node:crypto";
import type { StateStore } from "../store/state-store.js";
import { PER_PAGE_MAX, STATUS_COMMENT_MARKER } from "./limits.js";
import type { GitHubClient, RepoRef } from "./octokit.js";

export interface PublishStatusCommentParams extends RepoRef {
  octokit: GitHubClient;
  store: StateStore;
  pullNumber: number;
  body: string;
  /** Post a new comment when none exists yet; false only updates one that is already there. */
  create: boolean;
  /** Look for a marked comment when the state store has none (false for a pull request just opened). */
  searchExisting: boolean;
}

/**
 * Keeps one status comment per pull request, edited in place: found by the id the state store remembers,
 * else by its hidden marker (state lost), else created. An unchanged body costs no API call.
 */
export async function publishStatusComment(
  p: PublishStatusCommentParams,
): Promise<{ commentId: number | null; action: "unchanged" | "updated" | "created" | "skipped" }> {
  const { octokit, store, owner, repo, pullNumber, body } = p;
  const key = { repo: `${owner}/${repo}`, pullNumber };
  const bodyDigest = createHash("sha256").update(body).digest("hex");
  const stored = await store.findStatusComment(key);
  if (stored?.bodyDigest === bodyDigest) return { commentId: stored.commentId, action: "unchanged" };

  let commentId = stored?.commentId ?? (p.searchExisting ? await findMarkedComment(p) : null);
  if (commentId !== null) {
    try {
      await octokit.rest.issues.updateComment({ owner, repo, comment_id: commentId, body });
      await store.recordStatusComment({ ...key, commentId, bodyDigest });
      return { commentId, action: "updated" };
    } catch (error) {
      // Deleted (404), or another app's comment carrying our marker (403): post our own below.
      const status = (error as { status?: number }).status;
      if (status !== 404 && status !== 403) throw error;
      commentId = null;
    }
  }
  if (!p.create) return { commentId: null, action: "skipped" };
  const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: pullNumber, body });
  await store.recordStatusComment({ ...key, commentId: data.id, bodyDigest });
  return { commentId: data.id, action: "created" };
}

async function findMarkedComment(p: PublishStatusCommentParams): Promise<number | null> {
  const comments = await p.octokit.paginate(p.octokit.rest.issues.listComments, {
    owner: p.owner,
    repo: p.repo,
    issue_number: p.pullNumber,
    per_page: PER_PAGE_MAX,
  });
  const ours = comments.find(
    (c) => c.user?.type === "Bot" && (c.body ?? "").startsWith(STATUS_COMMENT_MARKER),
  );
  return ours?.id ?? null;
}
