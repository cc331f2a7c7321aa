import type { RestEndpointMethodTypes } from "@octokit/rest";
import type { Context } from "probot";
import type {
  ApprovalStatus,
  ChangeRequest,
  IgnoredReason,
  ReviewFact,
  ReviewState,
  ReviewVerdict,
} from "../../../src/approvals/approval-types.js";
import type { RequirementStatus } from "../../../src/policy/policy-types.js";

/**
 * Reviews in the three shapes the app meets them — GitHub's REST API (`APPROVED`, upper case), GitHub's
 * webhooks (`approved`, lower case) and the app's own ReviewFact — and what the approval count makes of
 * them (ApprovalStatus: requirement statuses, counted or ignored approvals, change requests).
 */

export const HEAD_SHA = "a".repeat(40);
const WEB = "https://github.com";
const API = "https://api.github.com";
const REPO = "acme/db-requests";

export type RestReview = RestEndpointMethodTypes["pulls"]["listReviews"]["response"]["data"][number];
export type WebhookReview = Context<"pull_request_review.submitted">["payload"]["review"];
export type WebhookReviewState = "approved" | "changes_requested" | "commented" | "dismissed";

let nextId = 1;

interface ReviewOptions {
  /** Default: the next of a counter, so later reviews have larger ids, as on GitHub. */
  id?: number;
  /** Default: HEAD_SHA. Null as GitHub reports a review whose commit no longer exists (force-pushed away). */
  commitId?: string | null;
  /** `User`, `Bot` or `Organization`. */
  userType?: "User" | "Bot" | "Organization";
  pullNumber?: number;
  body?: string;
}

/** A review as the app keeps it after reading GitHub (listReviews): upper-case state. */
export function reviewFact(
  login: string,
  state: ReviewState,
  commitId: string | null = HEAD_SHA,
  userType: "User" | "Bot" | "Organization" = "User",
): ReviewFact {
  return { id: nextId++, login, userType, state, commitId };
}

/** A review as `GET /repos/{owner}/{repo}/pulls/{n}/reviews` returns it: upper-case state (`APPROVED`). */
export function restReview(login: string, state: ReviewState, o: ReviewOptions = {}): RestReview {
  const common = reviewCommon(login, o);
  return { ...common, state, commit_id: o.commitId === undefined ? HEAD_SHA : o.commitId };
}

/** A review as a `pull_request_review` webhook carries it: lower-case state (`approved`). */
export function webhookReview(
  login: string,
  state: WebhookReviewState,
  o: ReviewOptions = {},
): WebhookReview {
  const common = reviewCommon(login, o);
  return { ...common, state, commit_id: o.commitId ?? HEAD_SHA } as WebhookReview;
}

function reviewCommon(login: string, o: ReviewOptions) {
  const id = o.id ?? nextId++;
  const number = o.pullNumber ?? 1;
  const html = `${WEB}/${REPO}/pull/${number}#pullrequestreview-${id}`;
  const pull = `${API}/repos/${REPO}/pulls/${number}`;
  return {
    id,
    node_id: `PRR_${id}`,
    user: githubUser(login, o.userType ?? "User"),
    body: o.body ?? "",
    submitted_at: "2026-11-21T10:00:00Z",
    html_url: html,
    pull_request_url: pull,
    author_association: "MEMBER" as const,
    _links: { html: { href: html }, pull_request: { href: pull } },
  };
}

/** An account as GitHub's REST API and webhooks describe it (`simple-user`). */
export function githubUser(login: string, type: "User" | "Bot" | "Organization" = "User") {
  const id = [...login].reduce((n, c) => (n * 31 + c.charCodeAt(0)) % 1_000_000, 7);
  const url = `${API}/users/${login}`;
  return {
    login,
    id,
    node_id: `U_${id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: "",
    url,
    html_url: `${WEB}/${login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type,
    site_admin: false,
  };
}

// ——— what the approval count makes of them ———

/** A requirement's status: who satisfied it and how many approvals are still missing. */
export function requirementStatus(
  id: string,
  satisfiedBy: string[],
  missing: number,
  errors: string[] = [],
): RequirementStatus {
  return { id, satisfiedBy, missing, errors };
}

/** An approval of the head commit that counts for `counted` (requirement ids). */
export function countedApproval(
  login: string,
  counted: string[],
  o: { reviewId?: number; commitId?: string } = {},
): ReviewVerdict {
  return { reviewId: o.reviewId ?? 1, login, commitId: o.commitId ?? HEAD_SHA, ignored: null, counted };
}

/** An approval that does not count, and why. */
export function ignoredApproval(
  login: string,
  ignored: IgnoredReason,
  o: { reviewId?: number; commitId?: string | null } = {},
): ReviewVerdict {
  const commitId = o.commitId === undefined ? HEAD_SHA : o.commitId;
  return { reviewId: o.reviewId ?? 1, login, commitId, ignored, counted: [] };
}

/** A change request that blocks `requirements`. */
export function changeRequest(
  login: string,
  requirements: string[],
  o: { reviewId?: number; commitId?: string | null; unverified?: boolean } = {},
): ChangeRequest {
  return {
    reviewId: o.reviewId ?? 2,
    login,
    commitId: o.commitId === undefined ? HEAD_SHA : o.commitId,
    requirements,
    unverified: o.unverified ?? false,
  };
}

/** An approval status; `satisfied` defaults to every requirement met and no change request. */
export function approvalStatusWith(p: Partial<ApprovalStatus> = {}): ApprovalStatus {
  const statuses = p.statuses ?? [];
  const changeRequests = p.changeRequests ?? [];
  return {
    statuses,
    approvals: p.approvals ?? [],
    changeRequests,
    satisfied: p.satisfied ?? (statuses.every((s) => s.missing === 0) && changeRequests.length === 0),
    problems: p.problems ?? [],
  };
}
