import { approvalStatus } from "../approvals/approval-status.js";
import type { ApprovalStatus } from "../approvals/approval-types.js";
import { membershipQueries } from "../approvals/membership-queries.js";
import { listCommitAuthors, listReviews, lookUpMemberships } from "../github/fetch-approval-facts.js";
import type { GitHubClient } from "../github/octokit.js";
import type { PullRequestRef } from "../github/pull-request-ref.js";
import type { RequirementSpec } from "../policy/policy-types.js";
import type { StateStore } from "../store/state-store.js";
import { keepApprovalContext } from "./keep-approval-context.js";

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
  const watermark = await keepApprovalContext({ ...p, reviews });
  const memberships = await lookUpMemberships(
    octokit,
    membershipQueries({ requirements: p.requirements, reviews, pr: facts }),
  );
  return approvalStatus({
    requirements: p.requirements,
    pr: facts,
    reviews,
    contextWatermark: watermark,
    isMember: memberships.isMember,
  });
}
