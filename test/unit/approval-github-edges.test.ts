import { describe, expect, it } from "vitest";
import { approvalStatus } from "../../src/approvals/approval-status.js";
import { listReviews, lookUpMemberships } from "../../src/github/fetch-approval-facts.js";
import { STATUS_COMMENT_MARKER } from "../../src/github/limits.js";
import type { GitHubClient } from "../../src/github/octokit.js";
import { publishStatusComment } from "../../src/github/publish-status-comment.js";
import type { StateStore } from "../../src/store/state-store.js";
import { DBA_TEAM, requirement } from "../support/builders/policy-model.js";
import { HEAD_SHA, restReview } from "../support/builders/reviews.js";

const httpError = (status: number) => Object.assign(new Error(`HTTP ${status}`), { status });

describe("lookUpMemberships", () => {
  it("active is a member; pending and 404 are not; any other failure is unknown", async () => {
    const answers: Record<string, () => unknown> = {
      dana: () => ({ data: { state: "active" } }),
      pia: () => ({ data: { state: "pending" } }),
      eve: () => {
        throw httpError(404);
      },
      rita: () => {
        throw httpError(403);
      },
      sam: () => {
        throw new Error("socket hang up");
      },
    };
    const octokit = {
      rest: {
        teams: {
          getMembershipForUserInOrg: async ({ username }: { username: string }) => answers[username]?.(),
        },
      },
    } as unknown as GitHubClient;
    const logins = Object.keys(answers);
    const { isMember, calls } = await lookUpMemberships(
      octokit,
      logins.map((login) => ({ org: "acme", slug: "dba", login })),
    );
    expect(calls).toBe(5);
    expect(logins.map((l) => isMember("acme", "dba", l))).toEqual([true, false, false, "unknown", "unknown"]);
    expect(isMember("acme", "dba", "never-asked")).toBe("unknown");
    expect(isMember("ACME", "DBA", "Dana")).toBe(true);
  });
});

describe("listReviews", () => {
  const listed = (reviews: unknown[]) =>
    listReviews(
      {
        paginate: async () => reviews,
        rest: { pulls: { listReviews: {} } },
      } as unknown as GitHubClient,
      { owner: "acme", repo: "r", pullNumber: 1 },
    );

  it("keeps REST's upper-case states and a review whose commit is gone; drops reviews without an account or a known state", async () => {
    expect(
      await listed([
        restReview("dana", "APPROVED", { id: 1 }),
        restReview("deploy[bot]", "APPROVED", { id: 2, userType: "Bot" }),
        restReview("dave", "CHANGES_REQUESTED", { id: 3, commitId: "b".repeat(40) }),
        { ...restReview("ghost", "APPROVED", { id: 4 }), user: null },
        { ...restReview("dora", "APPROVED", { id: 5 }), commit_id: null },
        { ...restReview("eve", "APPROVED", { id: 6 }), state: "SOMETHING_NEW" },
      ]),
    ).toEqual([
      { id: 1, login: "dana", userType: "User", state: "APPROVED", commitId: HEAD_SHA },
      { id: 2, login: "deploy[bot]", userType: "Bot", state: "APPROVED", commitId: HEAD_SHA },
      { id: 3, login: "dave", userType: "User", state: "CHANGES_REQUESTED", commitId: "b".repeat(40) },
      { id: 5, login: "dora", userType: "User", state: "APPROVED", commitId: null },
    ]);
  });

  it("a change request on a commit that no longer exists (commit_id null) still blocks; an approval of one is stale", async () => {
    // GitHub's REST list-reviews reports commit_id null once a force-push left the reviewed commit to be collected.
    const reviews = await listed([
      restReview("dana", "APPROVED", { id: 11 }),
      restReview("dora", "APPROVED", { id: 12 }),
      restReview("dave", "CHANGES_REQUESTED", { id: 13, commitId: null }),
      restReview("doug", "APPROVED", { id: 14, commitId: null }),
    ]);
    const dbas = ["dana", "dora", "dave", "doug"];
    const status = approvalStatus({
      requirements: [requirement("two-dbas", 2, [DBA_TEAM])],
      pr: { author: "alice", headSha: HEAD_SHA, commitAuthors: ["alice"], commitAuthorsIncomplete: null },
      reviews,
      contextWatermark: 0,
      isMember: (_org, _slug, login) => dbas.includes(login),
    });
    expect(status.satisfied).toBe(false);
    expect(status.statuses[0]).toMatchObject({ satisfiedBy: ["dana", "dora"], missing: 0 });
    expect(status.changeRequests).toEqual([
      { reviewId: 13, login: "dave", commitId: null, requirements: ["rule:two-dbas"], unverified: false },
    ]);
    expect(status.approvals.find((a) => a.login === "doug")).toMatchObject({
      commitId: null,
      ignored: "stale_commit",
      counted: [],
    });
  });
});

describe("publishStatusComment", () => {
  function fakes(p: {
    stored?: { commentId: number; bodyDigest: string };
    listed?: unknown[];
    update?: () => void;
  }) {
    const calls: string[] = [];
    let record: { commentId: number; bodyDigest: string } | null = p.stored ?? null;
    const store = {
      findStatusComment: async () => record,
      recordStatusComment: async (r: { commentId: number; bodyDigest: string }) => {
        record = { commentId: r.commentId, bodyDigest: r.bodyDigest };
      },
    } as unknown as StateStore;
    const octokit = {
      paginate: async () => {
        calls.push("list");
        return p.listed ?? [];
      },
      rest: {
        issues: {
          listComments: {},
          updateComment: async ({ comment_id }: { comment_id: number }) => {
            calls.push(`update ${comment_id}`);
            p.update?.();
          },
          createComment: async () => {
            calls.push("create");
            return { data: { id: 99 } };
          },
        },
      },
    } as unknown as GitHubClient;
    return { calls, store, octokit, record: () => record };
  }
  const publish = (
    f: ReturnType<typeof fakes>,
    over: { body?: string; create?: boolean; searchExisting?: boolean } = {},
  ) =>
    publishStatusComment({
      octokit: f.octokit,
      store: f.store,
      owner: "acme",
      repo: "r",
      pullNumber: 1,
      body: over.body ?? `${STATUS_COMMENT_MARKER}\nhello`,
      create: over.create ?? true,
      searchExisting: over.searchExisting ?? true,
    });

  it("creates once, then edits in place, and an unchanged body costs no call", async () => {
    const f = fakes({});
    expect((await publish(f)).action).toBe("created");
    expect((await publish(f)).action).toBe("unchanged");
    expect((await publish(f, { body: `${STATUS_COMMENT_MARKER}\nbye` })).action).toBe("updated");
    expect(f.calls).toEqual(["list", "create", "update 99"]);
  });

  it("finds its own marked comment when the state store lost it, and ignores people's comments", async () => {
    const f = fakes({
      listed: [
        { id: 5, user: { type: "User" }, body: `${STATUS_COMMENT_MARKER} copied by a person` },
        { id: 7, user: { type: "Bot" }, body: `${STATUS_COMMENT_MARKER}\nold` },
      ],
    });
    expect(await publish(f)).toEqual({ commentId: 7, action: "updated" });
    expect(f.calls).toEqual(["list", "update 7"]);
  });

  it("posts again when its comment was deleted, and skips when told not to create", async () => {
    const deleted = fakes({
      stored: { commentId: 3, bodyDigest: "x" },
      update: () => {
        throw httpError(404);
      },
    });
    expect(await publish(deleted)).toEqual({ commentId: 99, action: "created" });
    const none = fakes({});
    expect(await publish(none, { create: false, searchExisting: false })).toEqual({
      commentId: null,
      action: "skipped",
    });
    expect(none.calls).toEqual([]);
  });

  it("does not swallow other errors", async () => {
    const f = fakes({
      stored: { commentId: 3, bodyDigest: "x" },
      update: () => {
        throw httpError(500);
      },
    });
    await expect(publish(f)).rejects.toThrow("HTTP 500");
  });
});
