import { describe, expect, it } from "vitest";
import { listReviews, lookUpMemberships } from "../../src/github/fetch-approval-facts.js";
import { STATUS_COMMENT_MARKER } from "../../src/github/limits.js";
import type { GitHubClient } from "../../src/github/octokit.js";
import { publishStatusComment } from "../../src/github/publish-status-comment.js";
import type { StateStore } from "../../src/store/state-store.js";
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
  it("keeps REST's upper-case states and drops reviews without an account, a commit or a known state", async () => {
    const reviews = [
      restReview("dana", "APPROVED", { id: 1 }),
      restReview("deploy[bot]", "APPROVED", { id: 2, userType: "Bot" }),
      restReview("dave", "CHANGES_REQUESTED", { id: 3, commitId: "b".repeat(40) }),
      { ...restReview("ghost", "APPROVED", { id: 4 }), user: null },
      { ...restReview("dora", "APPROVED", { id: 5 }), commit_id: null },
      { ...restReview("eve", "APPROVED", { id: 6 }), state: "SOMETHING_NEW" },
    ];
    const octokit = {
      paginate: async () => reviews,
      rest: { pulls: { listReviews: {} } },
    } as unknown as GitHubClient;
    expect(await listReviews(octokit, { owner: "acme", repo: "r", pullNumber: 1 })).toEqual([
      { id: 1, login: "dana", userType: "User", state: "APPROVED", commitId: HEAD_SHA },
      { id: 2, login: "deploy[bot]", userType: "Bot", state: "APPROVED", commitId: HEAD_SHA },
      { id: 3, login: "dave", userType: "User", state: "CHANGES_REQUESTED", commitId: "b".repeat(40) },
    ]);
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
