import { approvalContextDigest, nextApprovalContext } from "../approvals/approval-context.js";
import { approvalStatus } from "../approvals/approval-status.js";
import type { ApprovalStatus } from "../approvals/approval-types.js";
import { membershipQueries } from "../approvals/membership-queries.js";
import { listCommitAuthors, listReviews, lookUpMemberships } from "../github/fetch-approval-facts.js";
import type { GitHubClient } from "../github/octokit.js";
import type { RequirementSpec } from "../policy/policy-types.js";
import type { StateStore } from "../store/state-store.js";
import type { PullRequestRef } from "./evaluate-pull-request.js";

export interface LoadApprovalStatusParams {
  octokit: GitHubClient;
  store: StateStore;
  pr: PullRequestRef;
  requirements: RequirementSpec[];
  policyFiles: Array<{ path: string; blobSha: string | null }>;
  parserVersion: string;
  /** Dismiss approvals of older commits through the API as well as ignoring them. */
  dismissStale: boolean;
}

export const STALE_DISMISSAL_MESSAGE =
  "querygate: this approval was given on an earlier commit. The pull request has changed since, so it no longer counts: please review the current version and approve again.";

/** Loads reviews, commit authors and the memberships that matter, then asks the pure core what counts. */
export async function loadApprovalStatus(p: LoadApprovalStatusParams): Promise<ApprovalStatus> {
  const { octokit, pr } = p;
  const ref = { owner: pr.owner, repo: pr.repo, pullNumber: pr.pullNumber };
  const [reviews, authors] = await Promise.all([listReviews(octokit, ref), listCommitAuthors(octokit, ref)]);
  const facts = {
    author: pr.author,
    headSha: pr.headSha,
    commitAuthors: authors.logins,
    commitAuthorsIncomplete: authors.incomplete,
  };

  const key = { repo: `${pr.owner}/${pr.repo}`, pullNumber: pr.pullNumber };
  const stored = await p.store.findApprovalContext(key);
  const context = nextApprovalContext({
    stored,
    digest: approvalContextDigest({
      baseRef: pr.baseRef,
      policyFiles: p.policyFiles,
      parserVersion: p.parserVersion,
    }),
    reviewIds: reviews.map((r) => r.id),
  });
  if (stored === null || context.changed) await p.store.recordApprovalContext({ ...key, ...context });

  const memberships = await lookUpMemberships(
    octokit,
    membershipQueries({ requirements: p.requirements, reviews, pr: facts }),
  );
  const status = approvalStatus({
    requirements: p.requirements,
    pr: facts,
    reviews,
    contextWatermark: context.watermark,
    isMember: memberships.isMember,
  });
  if (p.dismissStale) await dismissStaleApprovals(octokit, pr, status);
  return status;
}

async function dismissStaleApprovals(
  octokit: GitHubClient,
  pr: PullRequestRef,
  status: ApprovalStatus,
): Promise<void> {
  for (const approval of status.approvals) {
    if (approval.ignored !== "stale_commit" && approval.ignored !== "stale_context") continue;
    try {
      await octokit.rest.pulls.dismissReview({
        owner: pr.owner,
        repo: pr.repo,
        pull_number: pr.pullNumber,
        review_id: approval.reviewId,
        message: STALE_DISMISSAL_MESSAGE,
      });
    } catch (error) {
      // The approval is ignored either way; a dismissal GitHub refuses is reported, not fatal.
      status.problems.push(
        `could not dismiss @${approval.login}'s stale approval: ${(error as Error).message}`,
      );
    }
  }
}
