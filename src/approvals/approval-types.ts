import type { RequirementStatus } from "../policy/policy-types.js";

/** GitHub's review states, upper case as the REST API returns them (webhooks send lower case). */
export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";

export interface ReviewFact {
  id: number;
  login: string;
  /** `User`, `Bot`, `Organization`, … as GitHub reports the reviewer's account type. */
  userType: string;
  state: ReviewState;
  /**
   * The commit the review was made on; null when GitHub no longer has that commit (garbage-collected after a
   * force-push): such an approval is stale, such a change request still blocks.
   */
  commitId: string | null;
}

export interface PullRequestFacts {
  author: string;
  headSha: string;
  /** Logins of everyone who authored or committed a commit of the pull request (co-authors included). */
  commitAuthors: string[];
  /** Set when the commit list could not be read completely: nobody can then be cleared of authorship. */
  commitAuthorsIncomplete: string | null;
}

/** What the app asked GitHub about one team membership during this evaluation. */
export type MembershipAnswer = boolean | "unknown";

export type IgnoredReason = "author" | "commit_author" | "bot" | "stale_commit" | "stale_context";

export interface ReviewVerdict {
  reviewId: number;
  login: string;
  /** Null when the approved commit no longer exists: the approval is then `stale_commit`. */
  commitId: string | null;
  /** Null when the approval counts towards at least one requirement. */
  ignored: IgnoredReason | null;
  /** Requirement ids this approval counted towards. */
  counted: string[];
  /** Teams (`org/slug`) of those requirements GitHub confirmed the approver is an active member of. */
  teams?: string[];
}

export interface ChangeRequest {
  reviewId: number;
  login: string;
  /** Null when the commit no longer exists: the change request blocks all the same. */
  commitId: string | null;
  /** Requirements the reviewer is eligible for: their change request blocks those. */
  requirements: string[];
  /** Set when eligibility could not be checked: the request blocks anyway (fail closed). */
  unverified: boolean;
}

export interface ApprovalStatus {
  statuses: RequirementStatus[];
  approvals: ReviewVerdict[];
  changeRequests: ChangeRequest[];
  /** Every requirement is met and nothing blocks: the request may run. */
  satisfied: boolean;
  /** Lookups that failed, in words, for the check run. */
  problems: string[];
}
