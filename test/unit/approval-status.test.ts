import { describe, expect, it } from "vitest";
import { approvalContextDigest, nextApprovalContext } from "../../src/approvals/approval-context.js";
import { approvalStatus } from "../../src/approvals/approval-status.js";
import type {
  MembershipAnswer,
  PullRequestFacts,
  ReviewFact,
  ReviewState,
} from "../../src/approvals/approval-types.js";
import { baseBranchProblem } from "../../src/approvals/base-branch.js";
import { commitAuthors } from "../../src/approvals/commit-authors.js";
import { membershipQueries } from "../../src/approvals/membership-queries.js";
import { requestVerdict, type VerdictInput } from "../../src/approvals/request-verdict.js";
import { DBA_TEAM, requirement, user } from "../support/builders/policy-model.js";
import { approvalStatusWith, changeRequest, reviewFact } from "../support/builders/reviews.js";

const HEAD = "h".repeat(40);
const OLD = "o".repeat(40);
const DBA = requirement("two-dbas", 2, [DBA_TEAM]);
const SAM = requirement("changes to policies/", 1, [user("sam")], {
  id: "policy_owners",
  source: "policy_owners",
  statements: [],
});
const TEAM: Record<string, string[]> = { "acme/dba": ["dana", "dave", "dora", "alice"] };
const members = (org: string, slug: string, login: string): MembershipAnswer =>
  (TEAM[`${org}/${slug}`] ?? []).includes(login.toLowerCase());

const review = (
  login: string,
  state: ReviewState,
  commitId: string | null = HEAD,
  userType: "User" | "Bot" = "User",
) => reviewFact(login, state, commitId, userType);
const pr = (over: Partial<PullRequestFacts> = {}): PullRequestFacts => ({
  author: "alice",
  headSha: HEAD,
  commitAuthors: ["alice"],
  commitAuthorsIncomplete: null,
  ...over,
});
const status = (reviews: ReviewFact[], over: Partial<Parameters<typeof approvalStatus>[0]> = {}) =>
  approvalStatus({
    requirements: [DBA],
    pr: pr(),
    reviews,
    contextWatermark: 0,
    isMember: members,
    ...over,
  });

describe("approvalStatus", () => {
  it("is met at exactly the required count of distinct approvers, and not one below", () => {
    const one = status([review("dana", "APPROVED")]);
    expect(one.satisfied).toBe(false);
    expect(one.statuses[0]).toMatchObject({ satisfiedBy: ["dana"], missing: 1 });
    const two = status([review("dana", "APPROVED"), review("Dave", "APPROVED")]);
    expect(two.satisfied).toBe(true);
    expect(two.statuses[0]).toMatchObject({ satisfiedBy: ["dana", "Dave"], missing: 0 });
    expect(two.approvals.map((a) => a.counted)).toEqual([["rule:two-dbas"], ["rule:two-dbas"]]);
  });

  it("counts one person once, however often they approve", () => {
    const s = status([review("dana", "APPROVED"), review("DANA", "APPROVED")]);
    expect(s.statuses[0]?.missing).toBe(1);
  });

  it("takes each reviewer's latest verdict: a later comment keeps an approval, a dismissal drops it", () => {
    expect(status([review("dana", "APPROVED"), review("dana", "COMMENTED")]).statuses[0]?.missing).toBe(1);
    expect(status([review("dana", "APPROVED"), review("dana", "DISMISSED")]).statuses[0]?.missing).toBe(2);
    const changed = status([review("dana", "APPROVED"), review("dana", "CHANGES_REQUESTED")]);
    expect(changed.changeRequests.map((c) => c.login)).toEqual(["dana"]);
  });

  it("never counts the author, a commit author or a bot, even when they are in the team", () => {
    const s = status(
      [
        review("alice", "APPROVED"),
        review("dave", "APPROVED"),
        review("deploy[bot]", "APPROVED", HEAD, "Bot"),
        review("dora", "APPROVED"),
      ],
      {
        requirements: [{ ...DBA, from: [...DBA.from, { kind: "user", login: "deploy[bot]" }] }],
        pr: pr({ commitAuthors: ["alice", "dave"] }),
      },
    );
    expect(s.approvals.map((a) => [a.login, a.ignored])).toEqual([
      ["alice", "author"],
      ["dave", "commit_author"],
      ["deploy[bot]", "bot"],
      ["dora", null],
    ]);
    expect(s.statuses[0]).toMatchObject({ satisfiedBy: ["dora"], missing: 1 });
  });

  it("ignores approvals of an older commit, and approvals given before the base or policy changed", () => {
    const old = review("dana", "APPROVED", OLD);
    const before = review("dave", "APPROVED");
    const after = review("dora", "APPROVED");
    const s = status([old, before, after], { contextWatermark: before.id });
    expect(s.approvals.map((a) => [a.login, a.ignored])).toEqual([
      ["dana", "stale_commit"],
      ["dave", "stale_context"],
      ["dora", null],
    ]);
    expect(s.satisfied).toBe(false);
  });

  it("treats an approval of a commit that no longer exists (commit id null) as stale, never counted", () => {
    const gone = review("dana", "APPROVED", null);
    const s = status([gone, review("dora", "APPROVED")]);
    expect(s.approvals.map((a) => [a.login, a.commitId, a.ignored, a.counted])).toEqual([
      ["dana", null, "stale_commit", []],
      ["dora", HEAD, null, ["rule:two-dbas"]],
    ]);
    expect(s.statuses[0]).toMatchObject({ satisfiedBy: ["dora"], missing: 1 });
    expect(s.satisfied).toBe(false);
  });

  it("blocks on an eligible reviewer's change request on a commit that no longer exists, until dismissed", () => {
    const approvals = [review("dana", "APPROVED"), review("dora", "APPROVED")];
    const blocked = status([...approvals, review("dave", "CHANGES_REQUESTED", null)]);
    expect(blocked.statuses[0]?.missing).toBe(0);
    expect(blocked.satisfied).toBe(false);
    expect(blocked.changeRequests).toEqual([
      expect.objectContaining({ login: "dave", commitId: null, requirements: ["rule:two-dbas"] }),
    ]);
    const dismissed = status([
      ...approvals,
      review("dave", "CHANGES_REQUESTED", null),
      review("dave", "DISMISSED", null),
    ]);
    expect(dismissed.satisfied).toBe(true);
  });

  it("does not count an approver outside every listed team or user", () => {
    const s = status([review("eve", "APPROVED"), review("sam", "APPROVED")]);
    expect(s.approvals.map((a) => a.counted)).toEqual([[], []]);
    expect(s.statuses[0]?.missing).toBe(2);
  });

  it("never counts an unknown membership, and says so", () => {
    const s = status([review("dana", "APPROVED"), review("dave", "APPROVED")], {
      isMember: (_o, _s, login) => (login === "dana" ? true : "unknown"),
    });
    expect(s.satisfied).toBe(false);
    expect(s.problems).toEqual(["could not check whether @dave is in @acme/dba"]);
  });

  it("treats a membership lookup that throws as unknown", () => {
    const s = status([review("dana", "APPROVED"), review("dave", "APPROVED")], {
      isMember: () => {
        throw new Error("rate limited");
      },
    });
    expect(s.statuses[0]?.missing).toBe(2);
  });

  it("blocks on a change request from anyone eligible for a requirement, whatever the approvals", () => {
    const s = status([
      review("dana", "APPROVED"),
      review("dora", "APPROVED"),
      review("dave", "CHANGES_REQUESTED", OLD),
    ]);
    expect(s.statuses[0]?.missing).toBe(0);
    expect(s.satisfied).toBe(false);
    expect(s.changeRequests).toEqual([
      expect.objectContaining({ login: "dave", requirements: ["rule:two-dbas"], unverified: false }),
    ]);
  });

  it("does not block on a change request from someone no requirement names", () => {
    const s = status([
      review("dana", "APPROVED"),
      review("dora", "APPROVED"),
      review("eve", "CHANGES_REQUESTED"),
    ]);
    expect(s.satisfied).toBe(true);
    expect(s.changeRequests).toEqual([]);
  });

  it("blocks on a change request whose reviewer's eligibility could not be checked", () => {
    const s = status(
      [review("dana", "APPROVED"), review("dora", "APPROVED"), review("dave", "CHANGES_REQUESTED")],
      {
        isMember: (_o, _s, login) => (login === "dave" ? "unknown" : members("acme", "dba", login)),
      },
    );
    expect(s.satisfied).toBe(false);
    expect(s.changeRequests[0]?.unverified).toBe(true);
  });

  it("counts nothing when the commit list was incomplete", () => {
    const s = status([review("dana", "APPROVED"), review("dora", "APPROVED")], {
      pr: pr({ commitAuthorsIncomplete: "more than 250 commits" }),
    });
    expect(s.satisfied).toBe(false);
    expect(s.approvals.every((a) => a.ignored === "commit_author")).toBe(true);
    expect(s.problems).toContain("more than 250 commits");
  });

  it("records who satisfied which requirement", () => {
    const s = status([review("dana", "APPROVED"), review("sam", "APPROVED"), review("dora", "APPROVED")], {
      requirements: [DBA, SAM],
    });
    expect(s.satisfied).toBe(true);
    expect(s.statuses.map((x) => [x.id, x.satisfiedBy])).toEqual([
      ["rule:two-dbas", ["dana", "dora"]],
      ["policy_owners", ["sam"]],
    ]);
  });
});

describe("commitAuthors", () => {
  it("collects authors, committers other than GitHub's web-flow, and co-authors by noreply or known address", () => {
    const logins = commitAuthors([
      {
        author: { login: "alice" },
        committer: { login: "web-flow" },
        commit: {
          message:
            "Fix\n\nCo-authored-by: Dave <12+dave@users.noreply.github.com>\nCo-authored-by: Bob B <bob@acme.test>\nCo-authored-by: Nobody <nobody@else.test>",
          author: { email: "alice@acme.test" },
        },
      },
      {
        author: { login: "bob" },
        committer: { login: "carol" },
        commit: { message: "x", author: { email: "bob@acme.test" } },
      },
      { author: null, committer: null, commit: { message: "unlinked" } },
    ]);
    expect(logins.sort()).toEqual(["alice", "bob", "carol", "dave"]);
  });
});

describe("membershipQueries", () => {
  it("asks only about reviewers whose verdict can matter, for teams only, once each", () => {
    const queries = membershipQueries({
      requirements: [DBA, { ...DBA, id: "other" }, SAM],
      reviews: [
        review("dana", "APPROVED"),
        review("dana", "COMMENTED"),
        review("dave", "APPROVED", OLD),
        review("alice", "APPROVED"),
        review("bot[bot]", "APPROVED", HEAD, "Bot"),
        review("dora", "CHANGES_REQUESTED", OLD),
        review("sam", "APPROVED"),
      ],
      pr: pr(),
    });
    expect(queries.map((q) => q.login)).toEqual(["dana", "dora", "sam"]);
  });

  it("asks about a change request on a commit that no longer exists, not about an approval of one", () => {
    const queries = membershipQueries({
      requirements: [DBA],
      reviews: [review("dana", "APPROVED", null), review("dave", "CHANGES_REQUESTED", null)],
      pr: pr(),
    });
    expect(queries.map((q) => q.login)).toEqual(["dave"]);
  });
});

describe("approval context", () => {
  const digest = (baseRef: string, blobSha: string) =>
    approvalContextDigest({
      baseRef,
      policyFiles: [{ path: "policies/q.yml", blobSha }],
      parserVersions: ["p"],
    });

  it("starts with no stale reviews, keeps the watermark while nothing changes, and moves it on a change", () => {
    const first = nextApprovalContext({ stored: null, digest: digest("main", "a"), reviewIds: [5, 9] });
    expect(first).toMatchObject({ watermark: 0, changed: false });
    expect(
      nextApprovalContext({ stored: first, digest: digest("main", "a"), reviewIds: [5, 9, 12] }),
    ).toMatchObject({
      watermark: 0,
      changed: false,
    });
    const retargeted = nextApprovalContext({
      stored: first,
      digest: digest("release", "a"),
      reviewIds: [5, 9, 12],
    });
    expect(retargeted).toMatchObject({ watermark: 12, changed: true });
    expect(digest("main", "b")).not.toBe(digest("main", "a"));
  });
});

describe("baseBranchProblem", () => {
  it("allows the default branch and listed branches only, and says how to fix anything else", () => {
    expect(baseBranchProblem({ baseRef: "main", defaultBranch: "main", allowed: [] })).toBeNull();
    expect(baseBranchProblem({ baseRef: "release", defaultBranch: "main", allowed: ["release"] })).toBeNull();
    expect(baseBranchProblem({ baseRef: "exp", defaultBranch: "main", allowed: ["release"] })).toMatch(
      /targets `exp`.*add `exp` to `allowed_base_branches`/,
    );
  });
});

describe("requestVerdict", () => {
  const met = approvalStatusWith({ satisfied: true });
  const base: VerdictInput = {
    policyOk: true,
    requestFiles: 1,
    invalidFiles: 0,
    changesPolicy: false,
    proposedPolicyBroken: false,
    outcome: "needs_approval",
    approval: met,
    baseProblem: null,
    fork: false,
    alreadyRan: false,
  };
  it.each<[Partial<VerdictInput>, string, string, boolean]>([
    [{}, "ready", "success", true],
    [{ policyOk: false }, "no_policy", "failure", false],
    [{ requestFiles: 0 }, "no_requests", "neutral", false],
    [{ baseProblem: "no" }, "wrong_base", "failure", false],
    [{ invalidFiles: 1 }, "invalid", "failure", false],
    [{ outcome: "denied" }, "denied", "failure", false],
    [{ fork: true }, "fork", "failure", false],
    [{ approval: { ...met, satisfied: false } }, "needs_approval", "action_required", false],
    [
      {
        approval: {
          ...met,
          satisfied: false,
          changeRequests: [changeRequest("d", ["x"], { reviewId: 1, commitId: HEAD })],
        },
      },
      "blocked",
      "action_required",
      false,
    ],
    [{ approval: null, outcome: "auto" }, "ready", "success", true],
    [{ approval: null }, "needs_approval", "action_required", false],
    // Every request file already ran on an earlier head: nothing to approve, nothing runs.
    [{ alreadyRan: true, approval: null }, "already_ran", "neutral", false],
    [{ alreadyRan: true, approval: null, outcome: "auto" }, "already_ran", "neutral", false],
    // …unless the pull request changes the policy as well: its owners must still approve that.
    [{ alreadyRan: true, changesPolicy: true }, "ready", "success", true],
    [{ alreadyRan: true, invalidFiles: 1 }, "invalid", "failure", false],
  ])("%j → %s", (over, state, conclusion, runnable) => {
    expect(requestVerdict({ ...base, ...over })).toEqual({ state, conclusion, runnable });
  });

  it("lets a policy-only pull request from a fork be approved (nothing in it runs)", () => {
    expect(requestVerdict({ ...base, requestFiles: 0, changesPolicy: true, fork: true })).toMatchObject({
      state: "ready",
      runnable: false,
    });
  });
});
