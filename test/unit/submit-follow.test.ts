import { describe, expect, test } from "vitest";
import { followRequest } from "../../src/github/follow-request.js";
import { GitHubRefusedError } from "../../src/github/github-errors.js";
import type { GitHubClient } from "../../src/github/octokit.js";
import type { SubmitOctokit } from "../../src/github/submit-octokit.js";
import { submitRequest } from "../../src/github/submit-request.js";
import { branchName } from "../../src/submit/request-file.js";

// The app's installation client fits the submission core as well as @octokit/rest's Octokit does.
const _appClientFits = (client: GitHubClient): SubmitOctokit => client;
void _appClientFits;

const URL = "https://github.example/acme/db/pull/7";

interface Run {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  external_id?: string | null;
  title?: string;
}

/** A fake GitHub whose pull request and check runs change from one poll to the next. */
function fakeGitHub(
  states: Array<{ pr?: { state: string; merged: boolean }; runs: Run[] }>,
  comments: string[] = [],
) {
  let poll = 0;
  const calls: string[] = [];
  const octokit = {
    rest: {
      pulls: {
        get: async () => {
          calls.push("pulls.get");
          const at = states[Math.min(poll, states.length - 1)];
          return { data: { html_url: URL, head: { sha: "abc" }, state: "open", merged: false, ...at?.pr } };
        },
      },
      checks: {
        listForRef: async () => {
          calls.push("checks.listForRef");
          const at = states[Math.min(poll++, states.length - 1)];
          return {
            data: {
              check_runs: (at?.runs ?? []).map((r) => ({
                ...r,
                external_id: r.external_id ?? null,
                output: { title: r.title ?? null },
              })),
            },
          };
        },
      },
      issues: {
        listComments: async () => {
          calls.push("issues.listComments");
          return { data: comments.map((body, i) => ({ id: i + 1, body })) };
        },
      },
    },
  } as unknown as SubmitOctokit;
  return { octokit, calls };
}

function clock() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

const gate = (conclusion: string, title: string): Run => ({
  id: 1,
  name: "querygate",
  status: "completed",
  conclusion,
  title,
});
const execute = (key: string, conclusion: string, title: string, id = 2): Run => ({
  id,
  name: "querygate/execute",
  status: "completed",
  conclusion,
  title,
  external_id: key,
});

const follow = (octokit: SubmitOctokit, timeoutMs = 60_000) => {
  const statuses: string[] = [];
  const result = followRequest({
    octokit,
    owner: "acme",
    repo: "db",
    number: 7,
    timeoutMs,
    pollMs: 1000,
    ...clock(),
    onStatus: (s) => statuses.push(s),
  });
  return { result, statuses };
};

describe("followRequest", () => {
  test("waits through evaluation and approval, then returns the execution and its own result comments", async () => {
    const { octokit } = fakeGitHub(
      [
        { runs: [] },
        { runs: [gate("action_required", "Needs 1 more approval from @acme/dba")] },
        { runs: [gate("success", "Every approval requirement is met")] },
        {
          runs: [
            gate("success", "ok"),
            { ...execute("k1", "", ""), status: "in_progress", conclusion: null },
          ],
        },
        { runs: [gate("success", "ok"), execute("k1", "success", "Executed")] },
      ],
      [
        "<!-- querygate:status --> not a result",
        "<!-- querygate:result:k1:part:2 -->\npart two",
        "<!-- querygate:result:k1 -->\npart one",
        "<!-- querygate:result:other-key -->\nanother execution",
      ],
    );
    const { result, statuses } = follow(octokit);
    expect(await result).toEqual({
      outcome: "executed",
      url: URL,
      status: "Executed",
      result: {
        markdown: "<!-- querygate:result:k1 -->\npart one\n\n<!-- querygate:result:k1:part:2 -->\npart two",
      },
    });
    expect(statuses).toEqual([
      "waiting for querygate to evaluate the request",
      "Needs 1 more approval from @acme/dba",
      "Every approval requirement is met — waiting for the run",
      "running",
      "Executed",
    ]);
  });

  test.each([
    ["failure", "Rolled back: over the row ceiling", "rolled_back"],
    ["failure", "Failed: SQLSTATE 23514 at queries/a.sql line 4", "failed"],
    ["neutral", "Needs manual verification", "needs_verification"],
  ])("an execute check run concluding %s titled %j is %s", async (conclusion, title, outcome) => {
    const { octokit } = fakeGitHub([{ runs: [gate("success", "ok"), execute("k", conclusion, title)] }]);
    expect((await follow(octokit).result).outcome).toBe(outcome);
  });

  test("the worst of several executions speaks for all", async () => {
    const { octokit } = fakeGitHub([
      { runs: [execute("a", "success", "Executed", 2), execute("b", "failure", "Failed: x", 3)] },
    ]);
    expect((await follow(octokit).result).outcome).toBe("failed");
  });

  test("a failing querygate check is a denial; a closed pull request is closed; neither reads comments", async () => {
    const denied = fakeGitHub([{ runs: [gate("failure", "Denied by policy")] }]);
    expect(await follow(denied.octokit).result).toEqual({
      outcome: "denied",
      url: URL,
      status: "Denied by policy",
      result: null,
    });
    expect(denied.calls).not.toContain("issues.listComments");
    const closed = fakeGitHub([
      { pr: { state: "closed", merged: false }, runs: [gate("action_required", "Needs")] },
    ]);
    expect((await follow(closed.octokit).result).outcome).toBe("closed");
  });

  test("times out at the deadline with the last status", async () => {
    const { octokit, calls } = fakeGitHub([{ runs: [gate("action_required", "Needs 1 more approval")] }]);
    expect(await follow(octokit, 5_000).result).toEqual({
      outcome: "timed_out",
      url: URL,
      status: "Needs 1 more approval",
      result: null,
    });
    expect(calls.filter((c) => c === "pulls.get")).toHaveLength(6);
  });

  test("rides out a few server errors, but not a refusal", async () => {
    const flaky = fakeGitHub([{ runs: [gate("failure", "Denied")] }]);
    const get = flaky.octokit.rest.pulls.get;
    let failures = 2;
    (flaky.octokit.rest.pulls as { get: unknown }).get = async (...args: Parameters<typeof get>) => {
      if (failures-- > 0) throw Object.assign(new Error("bad gateway"), { status: 502 });
      return get(...args);
    };
    expect((await follow(flaky.octokit).result).outcome).toBe("denied");

    const refused = fakeGitHub([{ runs: [] }]);
    (refused.octokit.rest.pulls as { get: unknown }).get = async () => {
      throw Object.assign(new Error("Bad credentials"), { status: 401 });
    };
    const error = await follow(refused.octokit).result.catch((e) => e);
    expect(error).toBeInstanceOf(GitHubRefusedError);
    expect(error.message).toMatch(/GitHub answered 401 .*check GITHUB_TOKEN/);
  });
});

describe("submitRequest", () => {
  function fakeRepo(
    overrides: { pullsCreate?: () => Promise<unknown>; addLabels?: () => Promise<unknown> } = {},
  ) {
    const calls: string[] = [];
    const octokit = {
      rest: {
        repos: {
          get: async () => ({ data: { default_branch: "main", permissions: { push: true } } }),
          createOrUpdateFileContents: async (p: { branch: string; path: string }) => {
            calls.push(`commit ${p.path} on ${p.branch}`);
            return { data: { commit: { sha: "c0ffee" } } };
          },
        },
        git: {
          getRef: async () => ({ data: { object: { sha: "base" } } }),
          createRef: async (p: { ref: string; sha: string }) =>
            void calls.push(`create ${p.ref} at ${p.sha}`),
          deleteRef: async (p: { ref: string }) => void calls.push(`delete ${p.ref}`),
        },
        pulls: {
          create:
            overrides.pullsCreate ??
            (async (p: { head: string; base: string }) => {
              calls.push(`pull ${p.head} → ${p.base}`);
              return { data: { number: 9, html_url: "https://github.example/acme/db/pull/9" } };
            }),
        },
        issues: {
          addLabels:
            overrides.addLabels ?? (async (p: { labels: string[] }) => void calls.push(`label ${p.labels}`)),
        },
      },
    } as unknown as SubmitOctokit;
    return { octokit, calls };
  }
  const params = (octokit: SubmitOctokit) => ({
    octokit,
    owner: "acme",
    repo: "db",
    file: { path: "queries/2026-03/x-abc.sql", content: "SELECT 1;\n" },
    title: "t",
    body: "b",
    branch: branchName(new Date("2026-03-04T05:06:07Z")),
  });

  test("branch from the default branch's head, one commit, the pull request, the label", async () => {
    const { octokit, calls } = fakeRepo();
    const submitted = await submitRequest(params(octokit));
    expect(submitted).toMatchObject({ number: 9, headSha: "c0ffee", warnings: [] });
    expect(submitted.branch).toMatch(/^querygate\/request-20260304T050607Z-[0-9a-f]{6}$/);
    expect(calls).toEqual([
      `create refs/heads/${submitted.branch} at base`,
      `commit queries/2026-03/x-abc.sql on ${submitted.branch}`,
      `pull ${submitted.branch} → main`,
      "label querygate",
    ]);
  });

  test("a refused label is a warning; a refused pull request deletes the branch again", async () => {
    const labelRefused = fakeRepo({
      addLabels: async () => {
        throw Object.assign(new Error("Validation Failed"), { status: 422 });
      },
    });
    const submitted = await submitRequest(params(labelRefused.octokit));
    expect(submitted.warnings).toEqual([
      expect.stringContaining('GitHub refused the label "querygate" (422)'),
    ]);

    const pullRefused = fakeRepo({
      pullsCreate: async () => {
        throw Object.assign(new Error("Forbidden"), {
          status: 403,
          response: { data: { message: "Forbidden" } },
        });
      },
    });
    const error = await submitRequest(params(pullRefused.octokit)).catch((e) => e);
    expect(error).toBeInstanceOf(GitHubRefusedError);
    expect(error.message).toMatch(
      /GitHub answered 403 to "open the pull request": Forbidden \(the token may not do this in acme\/db/,
    );
    expect(pullRefused.calls.at(-1)).toMatch(/^delete heads\/querygate\/request-/);
  });
});
