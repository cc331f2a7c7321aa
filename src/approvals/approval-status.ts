import type { RequirementSpec } from "../policy/policy-types.js";
import { approverOf, satisfyRequirements } from "../policy/satisfy-requirements.js";
import type {
  ApprovalStatus,
  ChangeRequest,
  IgnoredReason,
  MembershipAnswer,
  PullRequestFacts,
  ReviewFact,
  ReviewVerdict,
} from "./approval-types.js";
import { isBotAccount, latestReviews } from "./latest-reviews.js";

export interface ApprovalStatusParams {
  requirements: RequirementSpec[];
  pr: PullRequestFacts;
  reviews: ReviewFact[];
  /** Reviews with an id up to this one were given before the base branch or its policy changed. */
  contextWatermark: number;
  /** Answers fetched for this evaluation; anything not asked is unknown and never counts. */
  isMember: (org: string, slug: string, login: string) => MembershipAnswer;
}

/**
 * Pure: which approvals count, for which requirement, and what blocks. Only an approval of the current head
 * commit, given under the current base and policy, by someone who neither wrote the pull request nor any
 * of its commits and is not a bot, counts; a change request from anyone eligible blocks.
 */
export function approvalStatus(p: ApprovalStatusParams): ApprovalStatus {
  const latest = latestReviews(p.reviews);
  const authors = new Set([p.pr.author, ...p.pr.commitAuthors].map((l) => l.toLowerCase()));
  const problems: string[] = [];
  if (p.pr.commitAuthorsIncomplete) problems.push(p.pr.commitAuthorsIncomplete);

  const verdicts: ReviewVerdict[] = [];
  const eligible: string[] = [];
  for (const review of latest.filter((r) => r.state === "APPROVED")) {
    const ignored = ignoredReason(review, p, authors);
    verdicts.push({
      reviewId: review.id,
      login: review.login,
      commitId: review.commitId,
      ignored,
      counted: [],
    });
    if (ignored === null) eligible.push(review.login);
  }
  const statuses = satisfyRequirements({
    requirements: p.requirements,
    approvers: eligible,
    isMember: p.isMember,
  });
  for (const verdict of verdicts) {
    const login = verdict.login.toLowerCase();
    verdict.counted = statuses
      .filter((s) => s.satisfiedBy.some((l) => l.toLowerCase() === login))
      .map((s) => s.id);
    if (verdict.counted.length > 0) verdict.teams = confirmedTeams(verdict.login, p);
  }

  const changeRequests: ChangeRequest[] = [];
  for (const review of latest.filter((r) => r.state === "CHANGES_REQUESTED")) {
    const blocks = blockedRequirements(review.login, p);
    if (blocks.requirements.length === 0 && !blocks.unverified) continue;
    changeRequests.push({ reviewId: review.id, login: review.login, commitId: review.commitId, ...blocks });
    if (blocks.unverified)
      problems.push(
        `could not check whether @${review.login} belongs to a required team: their change request blocks until checked`,
      );
  }
  for (const status of statuses) problems.push(...status.errors);

  const satisfied =
    p.requirements.length === statuses.length &&
    statuses.every((s) => s.missing === 0) &&
    changeRequests.length === 0 &&
    p.pr.commitAuthorsIncomplete === null;
  return { statuses, approvals: verdicts, changeRequests, satisfied, problems: [...new Set(problems)] };
}

function confirmedTeams(login: string, p: ApprovalStatusParams): string[] {
  const teams = new Set<string>();
  for (const requirement of p.requirements)
    for (const f of requirement.from)
      if (f.kind === "team" && memberOrUnknown(p, f.org, f.slug, login) === true)
        teams.add(`${f.org}/${f.slug}`);
  return [...teams];
}

function ignoredReason(
  review: ReviewFact,
  p: ApprovalStatusParams,
  authors: Set<string>,
): IgnoredReason | null {
  const login = review.login.toLowerCase();
  if (isBotAccount(review.login, review.userType)) return "bot";
  if (login === p.pr.author.toLowerCase()) return "author";
  if (authors.has(login) || p.pr.commitAuthorsIncomplete !== null) return "commit_author";
  // A review whose commit GitHub no longer has (commit_id null) approved something that is not the head.
  if (review.commitId === null || review.commitId !== p.pr.headSha) return "stale_commit";
  if (review.id <= p.contextWatermark) return "stale_context";
  return null;
}

function blockedRequirements(
  login: string,
  p: ApprovalStatusParams,
): { requirements: string[]; unverified: boolean } {
  const requirements: string[] = [];
  let unverified = false;
  for (const requirement of p.requirements) {
    const verdict = approverOf(requirement.from, login, (org, slug, user) =>
      memberOrUnknown(p, org, slug, user),
    );
    if (verdict.counts) requirements.push(requirement.id);
    else if (verdict.unknown.length > 0) {
      requirements.push(requirement.id);
      unverified = true;
    }
  }
  return { requirements, unverified };
}

/** A lookup that throws is unknown, like one that failed. */
function memberOrUnknown(
  p: ApprovalStatusParams,
  org: string,
  slug: string,
  login: string,
): MembershipAnswer {
  try {
    return p.isMember(org, slug, login);
  } catch {
    return "unknown";
  }
}
