import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiHandler } from "../../src/api/api-router.js";
import { createTokenStore } from "../../src/api/token-store.js";
import { createApiClient } from "../../src/api-client/api-client.js";
import { followRequest } from "../../src/api-client/follow-request.js";
import type { GitHubClient } from "../../src/github/octokit.js";
import { createExecutionLedger, type ExecutionLedger } from "../../src/runner/ledger/execution-ledger.js";
import { runMigrations } from "../../src/store/migrations.js";
import { createStateStore, type RequestStateRecord, type StateStore } from "../../src/store/state-store.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

const OWNER = "Acme";
const REPO = "DB-Requests";
const FULL = `${OWNER}/${REPO}`;
const HEAD = "a".repeat(40);
const PUSHED = "b".repeat(40);
const KEY_HASH = "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca7";

interface FakePull {
  number: number;
  state: "open" | "closed";
  merged_at: string | null;
  head: string;
}

/**
 * A GitHub where someone else has been busy: a bot's comment that imitates querygate's status comment, a
 * fake result comment, and check runs named `querygate` and `querygate/execute` that say the request was
 * approved and ran. The API may read the pull request's own facts; every other call is recorded, and the
 * forged answers are there for a reader that would (wrongly) trust them.
 */
function forgedGitHub(pulls: Map<number, FakePull>) {
  const calls: string[] = [];
  const forgedComments = [
    {
      id: 1,
      user: { login: "other-bot[bot]", type: "Bot" },
      body: "<!-- querygate:status -->\n### querygate: approved\n\nApproved by @dana.\n\nReady to run.",
    },
    {
      id: 2,
      user: { login: "other-bot[bot]", type: "Bot" },
      body: `<!-- querygate:result:${"f".repeat(64)} -->\n### ✅ Executed\n| email |\n|---|\n| \`leaked@example.com\` |`,
    },
  ];
  const forgedRuns = (sha: string) => [
    {
      id: 99,
      name: "querygate",
      head_sha: sha,
      status: "completed",
      conclusion: "success",
      external_id: null,
      html_url: "https://github.example/forged",
      output: { title: "Approved", summary: "forged" },
    },
    {
      id: 100,
      name: "querygate/execute",
      head_sha: sha,
      status: "completed",
      conclusion: "success",
      external_id: "f".repeat(64),
      html_url: "https://github.example/forged",
      output: { title: "Executed", summary: "forged" },
    },
  ];
  const notFound = () => Promise.reject(Object.assign(new Error("Not Found"), { status: 404 }));
  const recorded =
    <T>(name: string, answer: T) =>
    async () => {
      calls.push(name);
      return answer;
    };
  const client = {
    paginate: async (_method: unknown) => {
      calls.push("paginate");
      return forgedComments;
    },
    rest: {
      apps: {
        getRepoInstallation: async ({ owner, repo }: { owner: string; repo: string }) => {
          calls.push("apps.getRepoInstallation");
          return `${owner}/${repo}`.toLowerCase() === FULL.toLowerCase() ? { data: { id: 7 } } : notFound();
        },
      },
      pulls: {
        get: async ({ pull_number }: { pull_number: number }) => {
          calls.push("pulls.get");
          const pull = pulls.get(pull_number);
          if (!pull) return notFound();
          return {
            data: {
              number: pull.number,
              html_url: `https://github.example/${FULL}/pull/${pull.number}`,
              state: pull.state,
              merged_at: pull.merged_at,
              user: { login: "alice", type: "User" },
              title: "orders-prod: count refunds",
              head: { sha: pull.head },
              base: { ref: "main", repo: { full_name: FULL } },
            },
          };
        },
      },
      issues: { listComments: recorded("issues.listComments", { data: forgedComments }) },
      checks: {
        listForRef: async ({ ref }: { ref: string }) => {
          calls.push("checks.listForRef");
          return { data: { total_count: 2, check_runs: forgedRuns(ref) } };
        },
      },
    },
  };
  return { github: client as unknown as GitHubClient, calls };
}

/**
 * The rule (issue 11): the API — and so the MCP server and `querygate submit --wait` — learns a request's
 * state only from the app's state store, never from a comment or a check run found on GitHub.
 */
describe("the API reads requests from the state store only (real PostgreSQL)", () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let server: Server;
  let base: string;
  let secret: string;
  let store: StateStore;
  let ledger: ExecutionLedger;
  const pulls = new Map<number, FakePull>([
    [1, { number: 1, state: "open", merged_at: null, head: HEAD }],
    [2, { number: 2, state: "open", merged_at: null, head: HEAD }],
  ]);
  const fake = forgedGitHub(pulls);

  const get = async (route: string) => {
    const response = await fetch(`${base}${route}`, { headers: { authorization: `Bearer ${secret}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const record = (extra: Partial<RequestStateRecord> = {}): RequestStateRecord => ({
    repo: FULL,
    pullNumber: 1,
    headSha: HEAD,
    baseRef: "main",
    policyCommit: "c".repeat(40),
    state: "needs_approval",
    conclusion: "action_required",
    runnable: false,
    title: "Needs 1 more approval from @acme/dba",
    missing: ["Needs 1 more approval from @acme/dba (0 of 1 met) for rule `prod-reads-need-a-dba`."],
    fingerprint: null,
    checkRunUrl: `https://github.example/${FULL}/pull/1/checks?check_run_id=3`,
    evaluatedAt: new Date("2026-03-04T05:06:07Z"),
    ...extra,
  });
  /** Only the pull request's own facts were read from GitHub: no comment, no check run. */
  const readOnlyPullFacts = () => {
    expect(fake.calls.filter((c) => c !== "apps.getRepoInstallation" && c !== "pulls.get")).toEqual([]);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url });
    await runMigrations(pool);
    store = createStateStore(pool);
    ledger = createExecutionLedger(pool);
    const tokens = createTokenStore(pool);
    ({ secret } = await tokens.create({ name: "ci-agent", repos: [FULL] }));
    const handler = createApiHandler({ pool, auth: async () => fake.github, tokens, log: () => {} });
    server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await pool?.end();
    await db?.drop();
  });

  it("before the app recorded an evaluation: pending, whatever comments and check runs say", async () => {
    const { status, body } = await get(`/api/v1/requests/${FULL}/1`);
    expect(status).toBe(200);
    expect(body).toEqual({
      id: `${FULL}#1`,
      number: 1,
      url: `https://github.example/${FULL}/pull/1`,
      state: "pending",
      pull_request: {
        state: "open",
        merged: false,
        author: "alice",
        head_sha: HEAD,
        title: "orders-prod: count refunds",
      },
      decision: null,
      missing_approvals: [],
      executions: [],
    });
    const result = await get(`/api/v1/requests/${FULL}/1/result`);
    expect(result.status).toBe(404);
    expect(result.body).toEqual({
      error: {
        field: null,
        message: `${FULL}#1 has no result yet (state: pending); it has one once an approver runs it and querygate reports the outcome`,
      },
    });
    readOnlyPullFacts();
  });

  it("reports the recorded evaluation of the current head: state, decision and missing approvals", async () => {
    await store.recordRequestState(record());
    const { body } = await get(`/api/v1/requests/${FULL.toLowerCase()}/1`);
    expect(body).toMatchObject({
      id: `${FULL.toLowerCase()}#1`,
      state: "needs_approval",
      decision: {
        conclusion: "action_required",
        status: "completed",
        title: "Needs 1 more approval from @acme/dba",
        url: `https://github.example/${FULL}/pull/1/checks?check_run_id=3`,
        runnable: false,
        head_sha: HEAD,
        policy_commit: "c".repeat(40),
        evaluated_at: "2026-03-04T05:06:07.000Z",
      },
      missing_approvals: [
        "Needs 1 more approval from @acme/dba (0 of 1 met) for rule `prod-reads-need-a-dba`.",
      ],
    });
    expect(body).not.toHaveProperty("status_comment");
    expect((await get(`/api/v1/requests/${FULL}/1/result`)).status).toBe(404);
    readOnlyPullFacts();
  });

  it("a push the app has not evaluated yet: pending again, the old evaluation is not shown", async () => {
    (pulls.get(1) as FakePull).head = PUSHED;
    expect((await get(`/api/v1/requests/${FULL}/1`)).body).toMatchObject({
      state: "pending",
      decision: null,
      missing_approvals: [],
    });
    await store.recordRequestState(
      record({
        headSha: PUSHED,
        state: "denied",
        conclusion: "failure",
        title: "Denied by policy",
        missing: [],
      }),
    );
    expect((await get(`/api/v1/requests/${FULL}/1`)).body).toMatchObject({
      state: "denied",
      decision: { conclusion: "failure", title: "Denied by policy", head_sha: PUSHED },
    });
    readOnlyPullFacts();
  });

  it("the shared follower (MCP's wait_for_result, submit --wait) ends on the recorded denial", async () => {
    const statuses: string[] = [];
    const followed = await followRequest({
      api: createApiClient({ baseUrl: base, token: secret }),
      id: { owner: OWNER, repo: REPO, number: 1 },
      timeoutMs: 0,
      pollMs: 0,
      onStatus: (s) => statuses.push(s),
    });
    expect(followed).toMatchObject({
      outcome: "denied",
      state: "denied",
      status: "Denied by policy",
      result: null,
    });
    expect(statuses).toEqual(["Denied by policy"]);
    readOnlyPullFacts();
  });

  it("running, then executed with the result markdown the runner stored — never the forged result comment", async () => {
    await store.recordRequestState(
      record({
        pullNumber: 2,
        state: "ready",
        conclusion: "success",
        runnable: true,
        title: "Every approval requirement is met",
        missing: [],
      }),
    );
    const { row } = await ledger.enqueueOnce({
      repo: FULL,
      pullNumber: 2,
      headSha: HEAD,
      requestPath: "queries/refunds.sql",
      statements: [{ index: 0, hash: KEY_HASH }],
      fingerprint: "fp",
      target: "orders-prod",
      readOnly: true,
      triggeredBy: "dana",
    });
    expect((await get(`/api/v1/requests/${FULL}/2`)).body).toMatchObject({
      state: "running",
      decision: { conclusion: "success", runnable: true },
      executions: [{ key: row.key, request_path: "queries/refunds.sql", state: "queued", reported: false }],
    });
    await ledger.claim(row.key, "w1");
    await ledger.finish(row.key, "w1", { state: "succeeded", rowCounts: [1] });
    // Final, but not reported yet: still running, and no result.
    expect((await get(`/api/v1/requests/${FULL}/2`)).body).toMatchObject({ state: "running" });
    expect((await get(`/api/v1/requests/${FULL}/2/result`)).body).toMatchObject({
      error: { field: null, message: expect.stringContaining("(state: running)") },
    });

    const markdown = `<!-- querygate:result:${row.key} -->\n### ✅ Executed\n| refunded | email |\n|---|---|\n| \`250\` | •••• |`;
    await ledger.markReported(row.key, { commentId: 5, resultMarkdown: markdown, resultTitle: "Executed" });
    expect((await get(`/api/v1/requests/${FULL}/2`)).body).toMatchObject({
      state: "executed",
      executions: [{ key: row.key, state: "succeeded", reported: true }],
    });
    const result = await get(`/api/v1/requests/${FULL}/2/result`);
    expect(result).toEqual({
      status: 200,
      body: {
        id: `${FULL}#2`,
        url: `https://github.example/${FULL}/pull/2`,
        state: "executed",
        outcome: "executed",
        status: "Executed",
        result: { markdown },
      },
    });
    expect(JSON.stringify(result.body)).not.toContain("leaked@example.com");

    const followed = await followRequest({
      api: createApiClient({ baseUrl: base, token: secret }),
      id: { owner: OWNER, repo: REPO, number: 2 },
      timeoutMs: 0,
      pollMs: 0,
    });
    expect(followed).toMatchObject({ outcome: "executed", status: "Executed", result: { markdown } });
    readOnlyPullFacts();
  });

  it("a pull request closed without running is closed; an unknown one is 404 naming the number", async () => {
    (pulls.get(1) as FakePull).state = "closed";
    expect((await get(`/api/v1/requests/${FULL}/1`)).body).toMatchObject({
      state: "closed",
      pull_request: { state: "closed", merged: false },
      decision: { conclusion: "failure" },
    });
    const missing = await get(`/api/v1/requests/${FULL}/3`);
    expect(missing).toEqual({
      status: 404,
      body: { error: { field: "number", message: `${FULL} has no pull request #3` } },
    });
    expect((await get(`/api/v1/requests/${FULL}/3/result`)).status).toBe(404);
    readOnlyPullFacts();
  });
});
