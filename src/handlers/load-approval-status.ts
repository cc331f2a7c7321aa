import { approvalContextDigest, nextApprovalContext } from "../approvals/approval-context.js";
import { approvalStatus } from "../approvals/approval-status.js";
import type { ApprovalStatus } from "../approvals/approval-types.js";
import { membershipQueries } from "../approvals/membership-queries.js";
import { listCommitAuthors, listReviews, lookUpMemberships } from "../github/fetch-approval-facts.js";
import type { GitHubClient } from "../github/octokit.js";
import type { PullRequestRef } from "../github/pull-request-ref.js";
import type { RequirementSpec } from "../policy/policy-types.js";
import type { StateStore } from "../store/state-store.js";

/** Reads reviews, commit authors and the memberships that matter, then asks the pure core what counts. */
export async function loadApprovalStatus(p: {
  octokit: GitHubClient;
  store: StateStore;
  pr: PullRequestRef;
  requirements: RequirementSpec[];
  policyFiles: Array<{ path: string; blobSha: string | null }>;
  parserVersions: string[];
}): Promise<ApprovalStatus> {
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
      parserVersions: p.parserVersions,
    }),
    reviewIds: reviews.map((r) => r.id),
  });
  if (stored === null || context.changed) await p.store.recordApprovalContext({ ...key, ...context });
  const memberships = await lookUpMemberships(
    octokit,
    membershipQueries({ requirements: p.requirements, reviews, pr: facts }),
  );
  return approvalStatus({
    requirements: p.requirements,
    pr: facts,
    reviews,
    contextWatermark: context.watermark,
    isMember: memberships.isMember,
  });
}
