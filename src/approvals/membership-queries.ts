import type { RequirementSpec } from "../policy/policy-types.js";
import { membershipKey } from "../policy/satisfy-requirements.js";
import type { PullRequestFacts, ReviewFact } from "./approval-types.js";
import { isBotAccount, latestReviews } from "./latest-reviews.js";

export interface MembershipQuery {
  org: string;
  slug: string;
  login: string;
}

/**
 * Pure: the team memberships worth asking GitHub about — only for reviewers whose verdict could matter
 * (a current, eligible approval, or any change request) and only for teams a requirement names.
 */
export function membershipQueries(p: {
  requirements: RequirementSpec[];
  reviews: ReviewFact[];
  pr: PullRequestFacts;
}): MembershipQuery[] {
  const authors = new Set([p.pr.author, ...p.pr.commitAuthors].map((l) => l.toLowerCase()));
  const logins = latestReviews(p.reviews)
    .filter(
      (r) =>
        r.state === "CHANGES_REQUESTED" ||
        (r.commitId === p.pr.headSha &&
          !isBotAccount(r.login, r.userType) &&
          !authors.has(r.login.toLowerCase())),
    )
    .map((r) => r.login);
  const seen = new Set<string>();
  const out: MembershipQuery[] = [];
  for (const login of logins) {
    for (const requirement of p.requirements) {
      const listed = requirement.from.some(
        (f) => f.kind === "user" && f.login.replace(/^@/, "").toLowerCase() === login.toLowerCase(),
      );
      if (listed) continue;
      for (const f of requirement.from) {
        if (f.kind !== "team") continue;
        const key = membershipKey(f.org, f.slug, login);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ org: f.org, slug: f.slug, login });
      }
    }
  }
  return out;
}
