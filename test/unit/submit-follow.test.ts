import { describe, expect, test } from "vitest";
import {
  type ApiClient,
  ApiClientError,
  type ApiRequestResult,
  type ApiRequestStatus,
} from "../../src/api-client/api-client.js";
import { followRequest } from "../../src/api-client/follow-request.js";
import { GitHubRefusedError } from "../../src/github/github-errors.js";
import type { GitHubClient } from "../../src/github/octokit.js";
import type { SubmitOctokit } from "../../src/github/submit-octokit.js";
import { submitRequest } from "../../src/github/submit-request.js";
import { branchName } from "../../src/submit/request-file.js";

// The app's installation client fits the submission core as well as @octokit/rest's Octokit does.
const _appClientFits = (client: GitHubClient): SubmitOctokit => client;
void _appClientFits;

const URL = "https://github.example/acme/db/pull/7";
const ID = { owner: "acme", repo: "db", number: 7 };

type Step = ApiRequestStatus | Error;

/**
 * A fake querygate API whose answers change from one poll to the next. It is all the follower may ask:
 * there is no GitHub here, so nothing can be read from comments or check runs.
 */
function fakeApi(steps: Step[], result: ApiRequestResult | null = null) {
  let poll = 0;
  const calls: string[] = [];
  const api: ApiClient = {
    status: async () => {
      calls.push("status");
      const at = steps[Math.min(poll++, steps.length - 1)] as Step;
      if (at instanceof Error) throw at;
      return at;
    },
    result: async () => {
      calls.push("result");
      return result;
    },
    submit: async () => {
      throw new Error("not asked");
    },
    targets: async () => {
      throw new Error("not asked");
    },
    actions: async () => {
      throw new Error("not asked");
    },
  };
  return { api, calls };
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

const at = (state: string, title: string | null = null, missing: string[] = []): ApiRequestStatus => ({
  state,
  url: URL,
  decision: title === null ? null : { conclusion: "action_required", title },
  missing_approvals: missing,
});
const ran = (
  outcome: string,
  status: string,
  markdown = "<!-- querygate:result:k1 -->\nrows",
): ApiRequestResult => ({
  url: URL,
  state: "executed",
  outcome,
  status,
  result: { markdown },
});

const follow = (api: ApiClient, timeoutMs = 60_000) => {
  const statuses: string[] = [];
  const result = followRequest({
    api,
    id: ID,
    timeoutMs,
    pollMs: 1000,
    ...clock(),
    onStatus: (s) => statuses.push(s),
  });
  return { result, statuses };
};

describe("followRequest (through the querygate API)", () => {
  test("waits through evaluation and approval, then returns the execution's outcome and stored result", async () => {
    const markdown =
      "<!-- querygate:result:k1 -->\npart one\n\n<!-- querygate:result:k1:part:2 -->\npart two";
    const { api, calls } = fakeApi(
      [
        at("pending"),
        at("needs_approval", "Needs 1 more approval from @acme/dba", [
          "Needs 1 more approval from @acme/dba (0 of 1 met) for rule `r`.",
        ]),
        at("ready", "Every approval requirement is met"),
        at("running", "Every approval requirement is met"),
        at("executed", "Every approval requirement is met"),
      ],
      ran("executed", "Executed", markdown),
    );
    const { result, statuses } = follow(api);
    expect(await result).toEqual({
      outcome: "executed",
      state: "executed",
      url: URL,
      status: "Executed",
      result: { markdown },
      last: null,
    });
    expect(statuses).toEqual([
      "waiting for querygate to evaluate the request",
      "Needs 1 more approval from @acme/dba",
      "Every approval requirement is met — waiting for the run",
      "running",
      "Executed",
    ]);
    // The result is asked for only once the status says it ran.
    expect(calls).toEqual(["status", "status", "status", "status", "status", "result"]);
  });

  test.each([
    ["rolled_back", "Rolled back: over the row ceiling"],
    ["failed", "Failed: SQLSTATE 23514 at queries/a.sql line 4"],
    ["needs_verification", "Needs manual verification"],
  ])("an execution the API reports as %s ends the wait with that outcome", async (outcome, title) => {
    const { api } = fakeApi([at("executed")], ran(outcome, title));
    expect(await follow(api).result).toMatchObject({ outcome, status: title });
  });

  test("an outcome the follower does not know counts as a failure", async () => {
    const { api } = fakeApi([at("executed")], ran("exploded", "?"));
    expect((await follow(api).result).outcome).toBe("failed");
  });

  test("a request that will not run as written is a denial; a closed pull request is closed; neither asks for a result", async () => {
    const denied = fakeApi([at("needs_approval", "Needs"), at("denied", "Denied by policy")]);
    const status = at("denied", "Denied by policy");
    expect(await follow(denied.api).result).toEqual({
      outcome: "denied",
      state: "denied",
      url: URL,
      status: "Denied by policy",
      result: null,
      last: status,
    });
    expect(denied.calls).not.toContain("result");
    for (const state of ["invalid", "no_policy", "wrong_base", "fork", "no_requests", "already_ran"]) {
      const { api } = fakeApi([at(state)]);
      expect((await follow(api).result).outcome, state).toBe("denied");
    }
    const closed = fakeApi([at("closed", "Needs")]);
    expect(await follow(closed.api).result).toMatchObject({
      outcome: "closed",
      status: "closed without running",
    });
    expect(closed.calls).not.toContain("result");
  });

  test("times out at the deadline with the last status", async () => {
    const { api, calls } = fakeApi([at("needs_approval", "Needs 1 more approval")]);
    expect(await follow(api, 5_000).result).toMatchObject({
      outcome: "timed_out",
      state: "needs_approval",
      url: URL,
      status: "Needs 1 more approval",
      result: null,
    });
    expect(calls.filter((c) => c === "status")).toHaveLength(6);
  });

  test("timeout 0 is one look", async () => {
    const { api, calls } = fakeApi([at("ready", "Approved")]);
    expect((await follow(api, 0).result).outcome).toBe("timed_out");
    expect(calls).toEqual(["status"]);
  });

  test("rides out a few server errors, but not a refusal", async () => {
    const flaky = fakeApi([
      new ApiClientError(502, null, "the querygate API answered 502"),
      new ApiClientError(0, null, "cannot reach the querygate API"),
      at("denied", "Denied"),
    ]);
    expect((await follow(flaky.api).result).outcome).toBe("denied");
    // The rate limit is waited out as the API says, and is not an error.
    const limited = new ApiClientError(429, null, "too many calls", 30);
    const busy = fakeApi([limited, limited, limited, limited, at("denied", "Denied")]);
    const waiting = follow(busy.api, 600_000);
    expect((await waiting.result).outcome).toBe("denied");
    expect(waiting.statuses).toEqual([
      "over the querygate API's rate limit for this token; asking again in 30 s",
      "Denied",
    ]);

    const down = fakeApi([new ApiClientError(503, null, "down")]);
    expect(await follow(down.api).result.catch((e) => e)).toMatchObject({ status: 503 });

    const refused = fakeApi([
      new ApiClientError(401, "authorization", "the API token is unknown or revoked"),
    ]);
    const error = await follow(refused.api).result.catch((e) => e);
    expect(error).toBeInstanceOf(ApiClientError);
    expect(error).toMatchObject({ status: 401, field: "authorization" });
    expect(refused.calls).toEqual(["status"]);
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
