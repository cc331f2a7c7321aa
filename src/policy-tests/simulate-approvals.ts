import { approvalStatus } from "../approvals/approval-status.js";
import type { ReviewFact } from "../approvals/approval-types.js";
import type { DecisionPlan } from "../plan-pull-request/plan-decision.js";
import { needsApprovals, verdictOf } from "../plan-pull-request/plan-pull-request.js";
import type { Principal, RequirementStatus } from "../policy/policy-types.js";

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
  /** Approvals that were dropped because they are bots' (`name[bot]`): bots never count. */
  botApprovals: string[];
}

/** The head commit the simulated approvals are given on: one commit, so none of them is stale. */
const SIMULATED_HEAD = "0".repeat(40);

/**
 * Offline, through the app's own approval core and verdict: each login in `approvedBy` approves the head
 * commit; the author never counts (invariant 4), logins compare case-insensitively as on GitHub, and a team
 * nobody described is "unknown", which never satisfies anything.
 */
export function simulateApprovals(p: {
  decided: DecisionPlan;
  author: string;
  approvedBy: string[];
  teams: TeamMembers;
}): SimulatedApprovals {
  const raw = new Map<string, string>();
  for (const login of p.approvedBy)
    if (!raw.has(normalizeLogin(login))) raw.set(normalizeLogin(login), login);
  // Logins keep the spelling given (without `@`), as GitHub reports a reviewer's; they compare case-insensitively.
  const reviews: ReviewFact[] = [...raw.values()].map((login, i) => ({
    id: i + 1,
    login: login.replace(/^@/, ""),
    userType: "User",
    state: "APPROVED",
    commitId: SIMULATED_HEAD,
  }));
  const teams = new Map<string, Set<string>>();
  for (const [key, members] of Object.entries(p.teams)) {
    teams.set(key.replace(/^@/, "").toLowerCase(), new Set(members.map(normalizeLogin)));
  }
  const approval = approvalStatus({
    requirements: p.decided.decision.requirements,
    pr: {
      author: normalizeLogin(p.author),
      headSha: SIMULATED_HEAD,
      commitAuthors: [],
      commitAuthorsIncomplete: null,
    },
    reviews,
    contextWatermark: 0,
    isMember: (org, slug, login) => {
      const members = teams.get(`${org}/${slug}`.toLowerCase()) ?? teams.get(slug.toLowerCase());
      return members ? members.has(normalizeLogin(login)) : "unknown";
    },
  });
  // A policy test is about one request, never run before.
  const counted = needsApprovals({
    policy: { ok: true },
    decided: p.decided,
    skipped: [],
    earlier: [],
    changesPolicy: false,
  })
    ? approval
    : null;
  const verdict = verdictOf({
    policy: { ok: true },
    decided: p.decided,
    skipped: [],
    policyChange: null,
    approval: counted,
    baseProblem: null,
    fork: false,
    alreadyRan: false,
  });
  const decision = p.decided.decision;
  const outcome: SimulatedOutcome =
    verdict.state === "ready"
      ? decision.outcome === "auto"
        ? "auto"
        : "approved"
      : verdict.state === "needs_approval" || verdict.state === "blocked"
        ? "needs_approval"
        : "denied";
  const given = (login: string) => raw.get(normalizeLogin(login)) ?? login;
  const ignored = (reason: string) =>
    approval.approvals.filter((a) => a.ignored === reason).map((a) => given(a.login));
  return {
    outcome,
    statuses: approval.statuses,
    approvers: approval.approvals.filter((a) => a.ignored === null).map((a) => a.login),
    selfApprovals: ignored("author"),
    botApprovals: ignored("bot"),
  };
}

/** `@acme/dba` for a team, `dana` for a user: how people write principals in the policy. */
export function formatPrincipal(principal: Principal): string {
  return principal.kind === "team" ? `@${principal.org}/${principal.slug}` : principal.login;
}

function normalizeLogin(login: string): string {
  return login.replace(/^@/, "").toLowerCase();
}
