import type { Decision, Principal, RequirementStatus } from "../policy/policy-types.js";
import { satisfyRequirements } from "../policy/satisfy-requirements.js";

/** What a request would come to with the given approvals: the evaluation, plus "approved" when they suffice. */
export type SimulatedOutcome = "denied" | "approved" | "needs_approval" | "auto";

/** Team members by `slug` (any organisation) or `org/slug` (that organisation only). */
export type TeamMembers = Record<string, string[]>;

export interface SimulatedApprovals {
  outcome: SimulatedOutcome;
  statuses: RequirementStatus[];
  /** The approvals that count: `approvedBy` without the author. */
  approvers: string[];
  /** Approvals that were dropped because they are the author's own. */
  selfApprovals: string[];
}

/**
 * Offline stand-in for the app's approval check: the author never counts (invariant 4), logins compare
 * case-insensitively as on GitHub, and a team nobody described is "unknown", which never satisfies anything.
 */
export function simulateApprovals(p: {
  decision: Decision;
  author: string;
  approvedBy: string[];
  teams: TeamMembers;
}): SimulatedApprovals {
  const author = normalizeLogin(p.author);
  const seen = new Set<string>();
  const approvers: string[] = [];
  const selfApprovals: string[] = [];
  for (const raw of p.approvedBy) {
    const login = normalizeLogin(raw);
    if (login === author) selfApprovals.push(raw);
    else if (!seen.has(login)) {
      seen.add(login);
      approvers.push(raw.replace(/^@/, ""));
    }
  }
  const teams = new Map<string, Set<string>>();
  for (const [key, members] of Object.entries(p.teams)) {
    teams.set(key.replace(/^@/, "").toLowerCase(), new Set(members.map(normalizeLogin)));
  }
  const statuses = satisfyRequirements({
    requirements: p.decision.requirements,
    approvers,
    isMember: (org, slug, login) => {
      const members = teams.get(`${org}/${slug}`.toLowerCase()) ?? teams.get(slug.toLowerCase());
      return members ? members.has(normalizeLogin(login)) : "unknown";
    },
  });
  return { outcome: simulatedOutcome(p.decision, statuses), statuses, approvers, selfApprovals };
}

function simulatedOutcome(decision: Decision, statuses: RequirementStatus[]): SimulatedOutcome {
  if (decision.outcome !== "needs_approval") return decision.outcome;
  // Nothing to satisfy yet approval needed would be an evaluator slip: stay closed rather than approve.
  const satisfied = statuses.length > 0 && statuses.every((s) => s.missing === 0);
  return satisfied ? "approved" : "needs_approval";
}

/** `@acme/dba` for a team, `dana` for a user: how people write principals in the policy. */
export function formatPrincipal(principal: Principal): string {
  return principal.kind === "team" ? `@${principal.org}/${principal.slug}` : principal.login;
}

function normalizeLogin(login: string): string {
  return login.replace(/^@/, "").toLowerCase();
}
