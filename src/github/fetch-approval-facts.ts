import type { MembershipAnswer, ReviewFact, ReviewState } from "../approvals/approval-types.js";
import { commitAuthors } from "../approvals/commit-authors.js";
import type { MembershipQuery } from "../approvals/membership-queries.js";
import { membershipKey } from "../policy/satisfy-requirements.js";
import { PER_PAGE_MAX, PULL_REQUEST_COMMITS_MAX } from "./limits.js";
import type { GitHubClient, RepoRef } from "./octokit.js";

const REVIEW_STATES: readonly string[] = [
  "APPROVED",
  "CHANGES_REQUESTED",
  "COMMENTED",
  "DISMISSED",
  "PENDING",
];

/**
 * Every review of the pull request, as the REST API reports them (upper-case states). A review whose commit
 * GitHub no longer has (garbage-collected after a force-push) comes with `commit_id: null`: it is kept with
 * `commitId: null`, so its approval counts as stale and its change request still blocks.
 */
export async function listReviews(
  octokit: GitHubClient,
  { owner, repo, pullNumber }: RepoRef & { pullNumber: number },
): Promise<ReviewFact[]> {
  const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, {
    owner,
    repo,
    pull_number: pullNumber,
    per_page: PER_PAGE_MAX,
  });
  return reviews.flatMap((r) => {
    const state = r.state.toUpperCase();
    if (!r.user || !REVIEW_STATES.includes(state)) return [];
    return [
      {
        id: r.id,
        login: r.user.login,
        userType: r.user.type ?? "User",
        state: state as ReviewState,
        commitId: r.commit_id || null,
      },
    ];
  });
}

/** Who wrote the pull request's commits; GitHub lists at most 250, so a longer history clears nobody. */
export async function listCommitAuthors(
  octokit: GitHubClient,
  { owner, repo, pullNumber }: RepoRef & { pullNumber: number },
): Promise<{ logins: string[]; incomplete: string | null }> {
  const commits = await octokit.paginate(
    octokit.rest.pulls.listCommits,
    { owner, repo, pull_number: pullNumber, per_page: PER_PAGE_MAX },
    (response, done) => {
      if (response.data.length < PER_PAGE_MAX) done();
      return response.data;
    },
  );
  const incomplete =
    commits.length >= PULL_REQUEST_COMMITS_MAX
      ? `the pull request has ${PULL_REQUEST_COMMITS_MAX} or more commits, more than GitHub lists, so querygate cannot tell who wrote them and no approval counts: squash them`
      : null;
  return { logins: commitAuthors(commits), incomplete };
}

/**
 * Asks GitHub about each team membership once: `state: active` is a member, 404 is not; anything else
 * (an error, a pending invitation aside) is unknown and never counts.
 */
export async function lookUpMemberships(
  octokit: GitHubClient,
  queries: MembershipQuery[],
): Promise<{ isMember: (org: string, slug: string, login: string) => MembershipAnswer; calls: number }> {
  const answers = new Map<string, MembershipAnswer>();
  for (const q of queries) {
    let answer: MembershipAnswer;
    try {
      const { data } = await octokit.rest.teams.getMembershipForUserInOrg({
        org: q.org,
        team_slug: q.slug,
        username: q.login,
      });
      answer = data.state === "active";
    } catch (error) {
      answer = (error as { status?: number }).status === 404 ? false : "unknown";
    }
    answers.set(membershipKey(q.org, q.slug, q.login), answer);
  }
  return {
    isMember: (org, slug, login) => answers.get(membershipKey(org, slug, login)) ?? "unknown",
    calls: queries.length,
  };
}
