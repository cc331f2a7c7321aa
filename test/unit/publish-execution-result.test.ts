import { describe, expect, it } from "vitest";
import type { GitHubClient } from "../../src/github/octokit.js";
import { upsertExecuteCheckRun, upsertResultComments } from "../../src/github/publish-execution-result.js";

const refused = () => Object.assign(new Error("Resource not accessible by integration"), { status: 403 });
const MARKER = "<!-- querygate:result:k1 -->";

/** A GitHub where another bot planted a look-alike of our result comment and of our execute check run. */
function plantedGitHub() {
  const calls: string[] = [];
  const octokit = {
    paginate: async () => [
      { id: 1, user: { login: "other-app[bot]", type: "Bot" }, body: `${MARKER}\nfake rows` },
    ],
    rest: {
      issues: {
        listComments: () => undefined,
        updateComment: async ({ comment_id }: { comment_id: number }) => {
          calls.push(`update comment ${comment_id}`);
          throw refused();
        },
        createComment: async () => {
          calls.push("create comment");
          return { data: { id: 2 } };
        },
      },
      checks: {
        listForRef: async () => ({ data: { check_runs: [{ id: 10, external_id: "k1" }] } }),
        update: async ({ check_run_id }: { check_run_id: number }) => {
          calls.push(`update check run ${check_run_id}`);
          throw refused();
        },
        create: async () => {
          calls.push("create check run");
          return { data: { id: 11 } };
        },
      },
    },
  } as unknown as GitHubClient;
  return { octokit, calls };
}

describe("reporting a result where someone planted a look-alike", () => {
  it("writes its own comment when GitHub refuses to let it edit another app's", async () => {
    const { octokit, calls } = plantedGitHub();
    const ids = await upsertResultComments(octokit, {
      owner: "acme",
      repo: "r",
      pullNumber: 1,
      bodies: [`${MARKER}\nthe real rows`],
    });
    expect(ids).toEqual([2]);
    expect(calls).toEqual(["update comment 1", "create comment"]);
  });

  it("creates its own execute check run when the one with its key belongs to another app", async () => {
    const { octokit, calls } = plantedGitHub();
    const id = await upsertExecuteCheckRun(octokit, {
      owner: "acme",
      repo: "r",
      headSha: "a".repeat(40),
      detailsUrl: "https://github.test/acme/r/pull/1",
      key: "k1",
      output: { name: "querygate/execute", title: "Executed", summary: "ok", conclusion: "success" },
    });
    expect(id).toBe(11);
    expect(calls).toEqual(["update check run 10", "create check run"]);
  });
});
