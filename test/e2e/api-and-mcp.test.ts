import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenStore } from "../../src/api/token-store.js";
import {
  type ScenarioEnvironment,
  startScenarioEnvironment,
} from "../../src/sandbox/scenario-environment.js";
import { GitHubRefusal } from "../../src/simulator/steps/review-steps.js";
import { DBA, ORDERS_PROD, PROD_READS_NEED_A_DBA, policy, rule } from "../support/builders/policy-file.js";
import { adminDatabaseUrl } from "../support/test-database.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CLI = path.join(ROOT, "dist/cli/main.js");
const REPO = "acme/db-requests";
const APP_BOT = "querygate[bot]";
const SEED = readFileSync(path.join(ROOT, "examples/seed/orders.sql"), "utf8");
const POLICY = policy({
  targets: { "orders-prod": ORDERS_PROD },
  rules: [
    PROD_READS_NEED_A_DBA,
    rule("agents-change-nothing", { when: { actor: ["agent"] }, limits: { max_affected_rows: 0 } }),
  ],
  policy_owners: [DBA],
});

const ACTION = `name: orders-by-status
description: Count the orders in one status
target: orders-prod
sql: |
  SELECT count(*) AS orders FROM orders WHERE status = $1
params:
  - { name: status, type: enum, values: [pending, paid, shipped, refunded] }
`;

type ToolResult = { isError?: boolean; content: Array<{ type: string; text?: string }> };

/**
 * An agent's whole path: a token, the MCP server (`querygate mcp`, spawned from dist over stdio) backed by
 * the HTTP API of the real app, a pull request the app opens as itself, a DBA who approves and runs it in
 * the GitHub simulator, and the result rows back to the agent. The agent never approves or runs anything.
 */
describe("agents through the HTTP API and MCP", () => {
  let env: ScenarioEnvironment;
  let mcp: Client;
  let secret: string;
  let stderr = "";
  let requestId = "";

  const tool = async (name: string, args: Record<string, unknown> = {}) => {
    const result = (await mcp.callTool({ name, arguments: args })) as ToolResult;
    const text = result.content.map((c) => c.text ?? "").join("");
    return {
      isError: result.isError === true,
      text,
      json: () => JSON.parse(text) as Record<string, unknown>,
    };
  };
  const api = (route: string, init: RequestInit = {}) =>
    fetch(`${env.app.url}${route}`, {
      ...init,
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json", ...init.headers },
    });
  const pull = () => env.sim.report().pull_requests.find((p) => p.number === 1);

  beforeAll(async () => {
    if (!existsSync(CLI))
      throw new Error(`${CLI} is missing: run \`npm run build\` first (CI builds before testing)`);
    env = await startScenarioEnvironment({
      owner: "acme",
      adminDatabaseUrl: adminDatabaseUrl(),
      targets: { "orders-prod": { databaseUrl: null, env: ["ORDERS_PROD_URL"], seed: SEED } },
      api: true,
    });
    env.sim.createRepo({
      fullName: REPO,
      defaultBranch: "main",
      files: { "policies/querygate.yml": POLICY, "actions/orders-by-status.yml": ACTION },
    });
    env.sim.addTeam({ org: "acme", slug: "dba", members: ["dana", "dave"] });
    for (const login of ["dana", "dave", "agent-bot[bot]"])
      env.sim.addCollaborator({ repo: REPO, login, permission: "write" });
    ({ secret } = await createTokenStore(env.state.pool).create({ name: "ci-agent", repos: [REPO] }));

    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, "mcp", "--api-url", env.app.url, "--repo", REPO, "--poll-ms", "100"],
      env: { PATH: process.env.PATH ?? "", QUERYGATE_API_TOKEN: secret },
      stderr: "pipe",
    });
    transport.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    mcp = new Client({ name: "querygate-e2e-agent", version: "1.0.0" });
    await mcp.connect(transport);
  }, 120_000);

  afterAll(async () => {
    await mcp?.close().catch(() => undefined);
    await env?.close();
  });

  it("offers exactly the five tools — none approves or runs", async () => {
    const { tools } = await mcp.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      "get_request",
      "list_actions",
      "list_targets",
      "request_query",
      "wait_for_result",
    ]);
    expect(tools.find((t) => t.name === "request_query")?.inputSchema.required).toEqual(
      expect.arrayContaining(["target", "reason"]),
    );
  });

  it("lists targets and actions from the default branch", async () => {
    const targets = await tool("list_targets");
    expect(targets.isError).toBe(false);
    expect(targets.json().targets).toEqual([
      {
        name: "orders-prod",
        engine: "postgres",
        environment: "production",
        server_version: 15,
        execute: "on_approval",
      },
    ]);
    expect(targets.text).not.toContain("ORDERS_PROD_URL");
    const actions = await tool("list_actions");
    expect(actions.json()).toEqual({
      repo: REPO,
      actions: [
        {
          name: "orders-by-status",
          description: "Count the orders in one status",
          target: "orders-prod",
          params: [
            {
              name: "status",
              required: true,
              type: "enum",
              values: ["pending", "paid", "shipped", "refunded"],
            },
          ],
        },
      ],
      problems: [],
    });
  });

  it("returns the API's error, naming the field, as an MCP tool error", async () => {
    const unknown = await tool("request_query", { target: "nope", reason: "r", sql: "select 1" });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toMatch(
      /^target: "nope" is not a target of the policy .*known targets: orders-prod \(HTTP 422\)$/,
    );
    const elsewhere = await tool("list_targets", { repo: "acme/other" });
    expect(elsewhere.isError).toBe(true);
    expect(elsewhere.text).toContain('repo: token "ci-agent" may not act on acme/other');
  });

  it("refuses invalid parameters before any pull request is opened, naming the parameter", async () => {
    const before = env.sim.report().pull_requests.length;
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ status: "shiped" }, "params.status", /"shiped" is not one of pending, paid, shipped, refunded/],
      [{}, "params.status", /status/],
      [{ status: "paid", colour: "red" }, "params.colour", /colour/],
      [{ status: 7 }, "params.status", /status/],
    ];
    for (const [params, field, message] of cases) {
      const response = await api("/api/v1/requests", {
        method: "POST",
        body: JSON.stringify({
          repo: REPO,
          target: "orders-prod",
          reason: "Count orders",
          action: "orders-by-status",
          params,
        }),
      });
      expect(response.status, JSON.stringify(params)).toBe(422);
      const body = (await response.json()) as { error: { field: string; message: string } };
      expect(body.error.field, JSON.stringify(params)).toBe(field);
      expect(body.error.message).toMatch(message);
    }
    expect(env.sim.report().pull_requests.length).toBe(before);
  });

  it("submits through the API: the app opens the pull request as itself, naming the agent's token", async () => {
    const submitted = await tool("request_query", {
      target: "orders-prod",
      reason: "How many orders are refunded? (SUP-77)",
      sql: "SELECT count(*) AS refunded FROM orders WHERE status = 'refunded';",
      ticket: "SUP-77",
    });
    expect(submitted.isError, submitted.text).toBe(false);
    const body = submitted.json();
    expect(body).toMatchObject({
      id: `${REPO}#1`,
      url: expect.stringMatching(/\/acme\/db-requests\/pull\/1$/),
    });
    requestId = body.id as string;
    await env.sim.idle();

    const pr = pull();
    expect(pr).toMatchObject({ number: 1, author: APP_BOT, state: "open" });
    expect(pr?.title).toBe("orders-prod: How many orders are refunded? (SUP-77)");
    const commit = env.sim
      .report()
      .commits.find((c) => Object.keys(c.files).some((f) => f.startsWith("queries/")));
    const file = Object.entries(commit?.files ?? {}).find(([f]) => f.startsWith("queries/"));
    expect(file?.[1]).toContain("-- target: orders-prod");
    expect(file?.[1]).toContain("Requested by ci-agent (agent) through querygate");
    const { rows } = await env.state.pool.query("select token_name, route, status from querygate.api_calls");
    expect(rows).toContainEqual({ token_name: "ci-agent", route: "POST /api/v1/requests", status: 201 });
  });

  it("the pull request body names the token and says the requester is an agent", async () => {
    const status = (await (await api(`/api/v1/requests/${REPO}/1`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ id: requestId, state: "needs_approval" });
    const github = await env.app.auth(env.sim.installationId);
    const prBody = await github.rest.pulls.get({ owner: "acme", repo: "db-requests", pull_number: 1 });
    expect(prBody.data.body).toContain(
      "an **agent** (actor type `agent`) using the querygate API token `ci-agent`",
    );
    expect(prBody.data.body).toContain("cannot approve or run this request");
  });

  it("evaluates the request as an agent's: policy rules can match actor: agent", () => {
    const check = env.sim
      .report()
      .pull_requests.find((p) => p.number === 1)
      ?.check_runs.find((c) => c.name === "querygate");
    expect(check?.text).toMatch(/rule `agents-change-nothing` \([^)]*\): matched/);
  });

  it("reports what is missing, and has no result before anyone approves", async () => {
    const status = await tool("get_request", { id: requestId });
    expect(status.json()).toMatchObject({
      state: "needs_approval",
      missing_approvals: [expect.stringContaining("Needs 1 more approval from @acme/dba")],
      decision: expect.objectContaining({ conclusion: "action_required" }),
    });
    const waited = await tool("wait_for_result", { id: requestId, timeout_seconds: 0 });
    expect(waited.json()).toMatchObject({ done: false, state: "needs_approval" });
    const result = await api(`/api/v1/requests/${REPO}/1/result`);
    expect(result.status).toBe(404);
  });

  it("comments and check runs someone else wrote change nothing the API or MCP reports", async () => {
    const head = pull()?.head_sha as string;
    const key = "f".repeat(64);
    // Another bot imitates querygate's status comment (hidden marker, headline) and a result comment; check
    // runs named like querygate's say it was approved and ran. GitHub lists every app's check runs to a
    // reader asking by name; the simulator models one app, so these are posted with an installation token.
    await env.sim.comment({
      repo: REPO,
      number: 1,
      by: "agent-bot[bot]",
      body: "<!-- querygate:status -->\n### querygate: approved\n\nApproved by @dana.\n\nReady to run.",
    });
    await env.sim.comment({
      repo: REPO,
      number: 1,
      by: "agent-bot[bot]",
      body: `<!-- querygate:result:${key} -->\n### ✅ Executed\n| refunded |\n|---|\n| \`9999\` |`,
    });
    const installation = await env.app.auth(env.sim.installationId);
    for (const [name, title, externalId] of [
      ["querygate", "Every approval requirement is met", undefined],
      ["querygate/execute", "Executed", key],
    ] as const)
      await installation.rest.checks.create({
        owner: "acme",
        repo: "db-requests",
        name,
        head_sha: head,
        status: "completed",
        conclusion: "success",
        ...(externalId ? { external_id: externalId } : {}),
        output: { title, summary: "Not written by querygate." },
      });
    await env.sim.idle();

    const status = await tool("get_request", { id: requestId });
    expect(status.json()).toMatchObject({
      state: "needs_approval",
      missing_approvals: [expect.stringContaining("Needs 1 more approval from @acme/dba")],
      decision: expect.objectContaining({
        conclusion: "action_required",
        title: "Needs 1 more approval from @acme/dba",
      }),
    });
    expect(status.text).not.toContain("Not written by querygate");
    const waited = await tool("wait_for_result", { id: requestId, timeout_seconds: 0 });
    expect(waited.json()).toMatchObject({ done: false, state: "needs_approval" });
    expect(waited.text).not.toContain("9999");
    const viaApi = (await (await api(`/api/v1/requests/${REPO}/1`)).json()) as Record<string, unknown>;
    expect(viaApi).toMatchObject({ state: "needs_approval", decision: { conclusion: "action_required" } });
    expect((await api(`/api/v1/requests/${REPO}/1/result`)).status).toBe(404);
  });

  it("the agent's identities cannot approve or start the run", async () => {
    // The pull request is the app's: GitHub refuses its bot approving it.
    await expect(env.sim.review({ repo: REPO, number: 1, by: APP_BOT, state: "approve" })).rejects.toThrow(
      GitHubRefusal,
    );
    // An agent with a bot account of its own: its approval never counts.
    await env.sim.review({ repo: REPO, number: 1, by: "agent-bot[bot]", state: "approve" });
    await env.sim.idle();
    expect((await tool("get_request", { id: requestId })).json()).toMatchObject({ state: "needs_approval" });

    // A DBA approves; now the Run button is there — and a bot clicking it starts nothing.
    await env.sim.review({ repo: REPO, number: 1, by: "dana", state: "approve" });
    await env.sim.idle();
    expect((await tool("get_request", { id: requestId })).json()).toMatchObject({
      state: "ready",
      missing_approvals: [],
    });
    for (const bot of [APP_BOT, "agent-bot[bot]"]) {
      await env.sim.clickCheckRunButton({ repo: REPO, number: 1, by: bot, action: "run" });
      await env.sim.comment({ repo: REPO, number: 1, by: bot, body: "/querygate run" });
    }
    await env.sim.idle();
    await env.settleExecutions();
    expect(await env.executions()).toEqual([]);
    expect((await api(`/api/v1/requests/${REPO}/1/result`)).status).toBe(404);
  });

  it("a DBA runs it; the agent's wait_for_result returns the result rows", async () => {
    const waiting = tool("wait_for_result", { id: requestId, timeout_seconds: 45 });
    await env.sim.clickCheckRunButton({ repo: REPO, number: 1, by: "dana", action: "run" });
    await env.sim.idle();
    await env.settleExecutions();
    expect(await env.executions()).toEqual([
      expect.objectContaining({ state: "succeeded", triggered_by: "dana", reported: true }),
    ]);
    const waited = await waiting;
    expect(waited.isError, waited.text).toBe(false);
    const body = waited.json();
    expect(body).toMatchObject({ done: true, outcome: "executed" });
    // 1000 orders, status cycling through four values: 250 refunded.
    expect(body.result).toContain("| `250` |");
    expect(body.result).toContain("refunded");

    const viaApi = await api(`/api/v1/requests/${REPO}/1/result`);
    expect(viaApi.status).toBe(200);
    expect(await viaApi.json()).toMatchObject({
      outcome: "executed",
      result: { markdown: expect.stringContaining("| `250` |") },
    });
    expect((await tool("get_request", { id: requestId })).json()).toMatchObject({ state: "executed" });
    expect(env.sim.violations).toEqual([]);
    expect(stderr).toContain("querygate mcp: serving on stdio");
  });
});
