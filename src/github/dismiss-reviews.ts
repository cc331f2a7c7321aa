import type { GitHubClient } from "./octokit.js";
import type { PullRequestRef } from "./pull-request-ref.js";

export const STALE_DISMISSAL_MESSAGE =
  "querygate: this approval was given on an earlier commit. The pull request has changed since, so it no longer counts: please review the current version and approve again.";

/**
 * Dismisses approvals the plan found stale (`dismiss_stale_approvals: true`). They are ignored either way;
 * a dismissal GitHub refuses is returned as a problem for the check run, never fatal.
 */
export async function dismissStaleReviews(
  octokit: GitHubClient,
  pr: PullRequestRef,
  reviews: Array<{ reviewId: number; login: string }>,
): Promise<string[]> {
  const problems: string[] = [];
  for (const review of reviews) {
    try {
      await octokit.rest.pulls.dismissReview({
        owner: pr.owner,
        repo: pr.repo,
        pull_number: pr.pullNumber,
        review_id: review.reviewId,
        message: STALE_DISMISSAL_MESSAGE,
      });
    } catch (error) {
      problems.push(`could not dismiss @${review.login}'s stale approval: ${(error as Error).message}`);
    }
  }
  return problems;
}
