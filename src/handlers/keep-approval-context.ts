import { approvalContextDigest, nextApprovalContext } from "../approvals/approval-context.js";
import type { ReviewFact } from "../approvals/approval-types.js";
import { listReviews } from "../github/fetch-approval-facts.js";
import type { GitHubClient } from "../github/octokit.js";
import type { PullRequestRef } from "../github/pull-request-ref.js";
import type { StateStore } from "../store/state-store.js";

/**
 * Keeps the pull request's approval context (base branch, its policy and actions, the grammars) current on
 * EVERY evaluation, whether or not approvals are counted now: a request that needed none on one base must
 * not carry the reviews it got there to a base where it needs them. Returns the review watermark: reviews
 * up to it were given under an earlier context. `reviews` is read only when the context changed.
 */
export async function keepApprovalContext(p: {
  octokit: GitHubClient;
  store: StateStore;
  pr: PullRequestRef;
  policyFiles: Array<{ path: string; blobSha: string | null }>;
  parserVersions: string[];
  reviews?: ReviewFact[];
}): Promise<number> {
  const { pr } = p;
  const key = { repo: `${pr.owner}/${pr.repo}`, pullNumber: pr.pullNumber };
  const stored = await p.store.findApprovalContext(key);
  const digest = approvalContextDigest({
    baseRef: pr.baseRef,
    policyFiles: p.policyFiles,
    parserVersions: p.parserVersions,
  });
  if (stored?.digest === digest) return stored.watermark;
  const reviews =
    p.reviews ??
    (stored === null
      ? []
      : await listReviews(p.octokit, { owner: pr.owner, repo: pr.repo, pullNumber: pr.pullNumber }));
  const context = nextApprovalContext({ stored, digest, reviewIds: reviews.map((r) => r.id) });
  await p.store.recordApprovalContext({ ...key, ...context });
  return context.watermark;
}
