import type { Principal, RequirementSpec, RequirementStatus } from "./policy-types.js";

/** One (team, user) pair; GitHub names compare case-insensitively. */
export function membershipKey(org: string, slug: string, login: string): string {
  return `${org}/${slug}\u0000${login}`.toLowerCase();
}

export type MembershipLookup = (org: string, slug: string, login: string) => boolean | "unknown";

/**
 * Pure: which approvers count towards each requirement. An approver counts when listed as a user or confirmed
 * as a member of a listed team; a lookup that failed (or threw) never counts and is reported, so a
 * requirement is never met on an unknown. Approvers arrive already filtered for eligibility (no author, no bots).
 */
export function satisfyRequirements(p: {
  requirements: RequirementSpec[];
  approvers: string[];
  isMember: MembershipLookup;
}): RequirementStatus[] {
  const approvers = distinctLogins(p.approvers);
  const memberships = new Map<string, boolean | "unknown">();
  const isMember = (org: string, slug: string, login: string) => {
    const key = membershipKey(org, slug, login);
    let answer = memberships.get(key);
    if (answer === undefined) {
      try {
        answer = p.isMember(org, slug, login);
      } catch {
        answer = "unknown";
      }
      if (answer !== true && answer !== false) answer = "unknown";
      memberships.set(key, answer);
    }
    return answer;
  };
  return p.requirements.map((requirement) => {
    const satisfiedBy: string[] = [];
    const errors: string[] = [];
    for (const login of approvers) {
      const verdict = approverOf(requirement.from, login, isMember);
      if (verdict.counts) satisfiedBy.push(login);
      else for (const team of verdict.unknown) errors.push(`could not check whether @${login} is in ${team}`);
    }
    // A count the loader should have refused can never be met: 0 must not mean "approved by nobody".
    const valid = Number.isInteger(requirement.count) && requirement.count >= 1;
    if (!valid)
      errors.push(`count ${requirement.count} is not a whole number ≥ 1, so the requirement cannot be met`);
    const missing = valid ? Math.max(0, requirement.count - satisfiedBy.length) : 1;
    return { id: requirement.id, satisfiedBy, missing, errors };
  });
}

/**
 * Whether `login` is one of `from`: a listed user, or a confirmed member of a listed team; `unknown` names
 * the teams whose membership could not be told (never counted).
 */
export function approverOf(
  from: Principal[],
  login: string,
  isMember: MembershipLookup,
): { counts: boolean; unknown: string[] } {
  const lower = login.toLowerCase();
  const unknown: string[] = [];
  for (const p of from) {
    if (p.kind === "user") {
      if (p.login.replace(/^@/, "").toLowerCase() === lower) return { counts: true, unknown: [] };
      continue;
    }
    const answer = isMember(p.org, p.slug, login);
    if (answer === true) return { counts: true, unknown: [] };
    if (answer === "unknown") unknown.push(`@${p.org}/${p.slug}`);
  }
  return { counts: false, unknown };
}

/** GitHub logins are case-insensitive: one person approving twice (or as `@Dana` and `dana`) counts once. */
function distinctLogins(logins: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of logins) {
    const login = raw.replace(/^@/, "");
    const key = login.toLowerCase();
    if (login === "" || seen.has(key)) continue;
    seen.add(key);
    out.push(login);
  }
  return out;
}
