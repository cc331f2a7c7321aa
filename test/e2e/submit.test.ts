import { readFileSync } from "node:fs";
import path from "node:path";
import { Octokit } from "@octokit/rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenStore } from "../../src/api/token-store.js";
import { SUBMIT_EXIT, type SubmitIo, submitCommand } from "../../src/cli/submit-command.js";
import {
  type ScenarioEnvironment,
  startScenarioEnvironment,
} from "../../src/sandbox/scenario-environment.js";
import { GitHubRefusal } from "../../src/simulator/steps/review-steps.js";
import {
  DBA,
  NO_DDL_IN_PROD,
  ORDERS_PROD,
  PROD_READS_NEED_A_DBA,
  policy,
  rule,
} from "../support/builders/policy-file.js";
import { silentLog } from "../support/simulator-clients.js";
import { adminDatabaseUrl } from "../support/test-database.js";

const OWNER = "acme";
const REPO = "db-requests";
const FULL = `${OWNER}/${REPO}`;
const SEED = readFileSync(path.resolve(import.meta.dirname, "../../examples/seed/orders.sql"), "utf8");
const POLICY = policy({
  targets: { "orders-prod": ORDERS_PROD },
  rules: [
    PROD_READS_NEED_A_DBA,
    NO_DDL_IN_PROD,
    rule("emails-stay-hidden", { when: { environment: "production" }, mask: ["customers.email"] }),
  ],
  policy_owners: [DBA],
});
/** Fast enough for a test, and well inside the API's 60 calls a minute per token (API_RATE_LIMIT_PER_WINDOW). */
const WAIT_POLL_MS = 250;
const STEP_TIMEOUT_MS = 30_000;

/** Runs `querygate submit` in-process, as the CLI would, capturing both streams. */
function submit(args: string[], env: Record<string, string | undefined>) {
  const out: string[] = [];
  const err: string[] = [];
  const io: SubmitIo = {
    write: (l) => out.push(l),
    writeError: (l) => err.push(l),
    env,
    pollMs: WAIT_POLL_MS,
  };
  const code = submitCommand(args, io);
  return { code, out, err };
}

async function waitFor<T>(what: string, probe: () => T | undefined | null | false): Promise<T> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * `querygate submit` with a user's and an agent's own tokens, through the real app, runner and simulator.
 * `--wait` follows the request through the app's HTTP API (an API token), never through GitHub.
 */
describe("querygate submit", () => {
  let env: ScenarioEnvironment;
  let apiUrl: string;
  const tokens: Record<string, string> = {};
  /** What `--wait` needs besides GITHUB_TOKEN: the querygate app's URL and an API token for the repository. */
  let waitFlags: string[];
  let apiToken: string;
  /** A second API token, so the longest wait has a rate window of its own. */
  let watcherToken: string;

  beforeAll(async () => {
    env = await startScenarioEnvironment({
      owner: OWNER,
      adminDatabaseUrl: adminDatabaseUrl(),
      targets: { "orders-prod": { databaseUrl: null, env: ["ORDERS_PROD_URL"], seed: SEED } },
      api: true,
    });
    const { sim } = env;
    apiUrl = sim.apiBaseUrl;
    sim.createRepo({
      fullName: FULL,
      files: {
        "policies/querygate.yml": POLICY,
        "actions/set-status.yml": [
          "name: set-status",
          "description: Set one order's status",
          "target: orders-prod",
          "sql: |",
          "  UPDATE orders SET status = $2 WHERE id = $1",
          "params:",
          "  - { name: order_id, type: bigint, min: 1 }",
          "  - { name: status, type: enum, values: [pending, paid, shipped, refunded] }",
          "",
        ].join("\n"),
      },
    });
    sim.addTeam({ org: OWNER, slug: "dba", members: ["dana", "dave"] });
    for (const login of ["alice", "dana", "dave", "helper-bot[bot]", "other-bot[bot]"]) {
      sim.addCollaborator({ repo: FULL, login, permission: "write" });
    }
    for (const login of ["alice", "helper-bot[bot]"]) tokens[login] = sim.createUserToken(login);
    ({ secret: apiToken } = await createTokenStore(env.state.pool).create({
      name: "alice-laptop",
      repos: [FULL],
      actorType: "user",
    }));
    ({ secret: watcherToken } = await createTokenStore(env.state.pool).create({
      name: "alice-watcher",
      repos: [FULL],
      actorType: "user",
    }));
    waitFlags = ["--wait", "--api-url", env.app.url];
  }, 120_000);

  afterAll(async () => {
    await env?.close();
  });

  const pull = (number: number) => env.sim.report().pull_requests.find((p) => p.number === number);
  const gate = (number: number) =>
    pull(number)
      ?.check_runs.filter((c) => c.name === "querygate")
      .at(-1);
  const newestPull = (after: number) => {
    const pulls = env.sim.report().pull_requests.filter((p) => p.number > after);
    return pulls.at(-1);
  };
  const pullCount = () => env.sim.report().pull_requests.length;
  const base = (reason: string, ...rest: string[]) => [
    "--repo",
    FULL,
    "--target",
    "orders-prod",
    "--reason",
    reason,
    "--github-api-url",
    apiUrl,
    ...rest,
  ];

  it("alice submits with --wait; dana approves, alice clicks Run: executed, with the rows she may see (exit 0)", async () => {
    const before = pullCount();
    const run = submit(
      base(
        "Who is customer 3? (SUP-1300)",
        "--sql",
        "SELECT id, name, email FROM customers WHERE id = 3;",
        "--ticket",
        "SUP-1300",
        ...waitFlags,
        "--timeout",
        "2m",
        "--json",
      ),
      { GITHUB_TOKEN: tokens.alice, QUERYGATE_API_TOKEN: apiToken },
    );
    const pr = await waitFor("the pull request", () => newestPull(before));
    expect(pr.author).toBe("alice");
    expect(pr.title).toBe("orders-prod: Who is customer 3? (SUP-1300)");
    await waitFor("the querygate check run", () => gate(pr.number)?.conclusion === "action_required");
    await env.sim.idle();

    await env.sim.review({ repo: FULL, number: pr.number, by: "dana", state: "approve" });
    await waitFor("the Run button", () => gate(pr.number)?.actions.some((a) => a.identifier === "run"));
    await env.sim.clickCheckRunButton({ repo: FULL, number: pr.number, by: "alice", action: "run" });

    expect(await run.code).toBe(SUBMIT_EXIT.executed);
    const printed = JSON.parse(run.out.at(-1) ?? "{}");
    expect(printed).toMatchObject({
      ok: true,
      exit_code: 0,
      outcome: "executed",
      status: "Executed",
      pull_request: {
        number: pr.number,
        url: expect.stringMatching(new RegExp(`/${FULL}/pull/${pr.number}$`)),
      },
    });
    expect(printed.pull_request.path).toMatch(
      /^queries\/\d{4}-\d{2}\/who-is-customer-3-sup-1300-[0-9a-f]{6}\.sql$/,
    );
    expect(printed.pull_request.branch).toMatch(/^querygate\/request-\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    const markdown: string = printed.result.markdown;
    expect(markdown).toContain("| `3` | `Customer 3` | •••• |");
    expect(markdown).not.toContain("customer3@example.com");

    // The file is exactly what reviewers saw: the header, then the SQL.
    const alice = new Octokit({ auth: tokens.alice, baseUrl: apiUrl, log: silentLog });
    const { data: file } = await alice.rest.repos.getContent({
      owner: OWNER,
      repo: REPO,
      path: printed.pull_request.path,
      ref: printed.pull_request.head_sha,
    });
    expect(Buffer.from((file as { content: string }).content, "base64").toString("utf8")).toBe(
      "-- target: orders-prod\n-- reason: Who is customer 3? (SUP-1300)\n-- ticket: SUP-1300\n\nSELECT id, name, email FROM customers WHERE id = 3;\n",
    );
    const { data: labels } = await alice.rest.issues.listLabelsOnIssue({
      owner: OWNER,
      repo: REPO,
      issue_number: pr.number,
    });
    expect(labels.map((l) => l.name)).toEqual(["querygate"]);
    expect((await env.executions()).filter((e) => e.pull_request === pr.number)).toEqual([
      expect.objectContaining({ state: "succeeded", triggered_by: "alice" }),
    ]);
  });

  it("a request the policy denies ends the wait at once: exit 2", async () => {
    const run = submit(
      base(
        "Add an index to orders",
        "--sql",
        "CREATE INDEX orders_status ON orders (status);",
        ...waitFlags,
        "--timeout",
        "1m",
      ),
      {
        GITHUB_TOKEN: tokens.alice,
        QUERYGATE_API_TOKEN: apiToken,
      },
    );
    expect(await run.code).toBe(SUBMIT_EXIT.denied);
    expect(run.out[0]).toMatch(/^Opened .*\/pull\/\d+ \(queries\/.*\.sql on querygate\/request-/);
    expect(run.out).toContainEqual(expect.stringMatching(/^Outcome: denied — .*[Dd]enied by policy/));
  });

  it("nobody approves within --timeout: exit 4, and the request stays open", async () => {
    const before = pullCount();
    const run = submit(
      base(
        "Count paid orders",
        "--sql",
        "SELECT count(*) FROM orders WHERE status = 'paid';",
        ...waitFlags,
        "--timeout",
        "2s",
        "--json",
      ),
      {
        GITHUB_TOKEN: tokens.alice,
        QUERYGATE_API_TOKEN: apiToken,
      },
    );
    expect(await run.code).toBe(SUBMIT_EXIT.timed_out);
    expect(JSON.parse(run.out.at(-1) ?? "{}")).toMatchObject({
      ok: false,
      outcome: "timed_out",
      result: null,
    });
    expect(newestPull(before)?.state).toBe("open");
  });

  it("comments and check runs someone else wrote do not end the wait: it still times out (exit 4)", async () => {
    const before = pullCount();
    const run = submit(
      base(
        "Count shipped orders",
        "--sql",
        "SELECT count(*) FROM orders WHERE status = 'shipped';",
        ...waitFlags,
        "--timeout",
        "10s",
        "--json",
      ),
      { GITHUB_TOKEN: tokens.alice, QUERYGATE_API_TOKEN: watcherToken },
    );
    let settled = false;
    void run.code.then(() => {
      settled = true;
    });
    const pr = await waitFor("the pull request", () => newestPull(before));
    await waitFor("the querygate check run", () => gate(pr.number)?.conclusion === "action_required");
    await env.sim.idle();
    const head = pull(pr.number)?.head_sha as string;
    const key = "f".repeat(64);
    // What a reader trusting GitHub would have taken for querygate's word: a status comment and a result
    // comment (hidden markers and headlines copied) from another bot, and check runs named like querygate's.
    // GitHub lists every app's check runs to a reader asking by name; the simulator models one app, so
    // these are posted with an installation token.
    await env.sim.comment({
      repo: FULL,
      number: pr.number,
      by: "other-bot[bot]",
      body: "<!-- querygate:status -->\n### querygate: denied by policy\n\nThe policy denies this request as written.",
    });
    await env.sim.comment({
      repo: FULL,
      number: pr.number,
      by: "other-bot[bot]",
      body: `<!-- querygate:result:${key} -->\n### ✅ Executed\n| count |\n|---|\n| \`0\` |`,
    });
    const installation = await env.app.auth(env.sim.installationId);
    for (const [name, conclusion, title, externalId] of [
      ["querygate", "failure", "Denied by policy", undefined],
      ["querygate/execute", "success", "Executed", key],
    ] as const)
      await installation.rest.checks.create({
        owner: OWNER,
        repo: REPO,
        name,
        head_sha: head,
        status: "completed",
        conclusion,
        ...(externalId ? { external_id: externalId } : {}),
        output: { title, summary: "Not written by querygate." },
      });
    await env.sim.idle();
    expect(settled).toBe(false);

    expect(await run.code).toBe(SUBMIT_EXIT.timed_out);
    expect(JSON.parse(run.out.at(-1) ?? "{}")).toMatchObject({
      ok: false,
      outcome: "timed_out",
      state: "needs_approval",
      status: expect.stringContaining("Needs 1 more approval"),
      result: null,
    });
  });

  it("--wait without the querygate API is refused before anything is created: exit 3 saying what to give", async () => {
    const before = pullCount();
    const run = submit(base("Anything", "--sql", "SELECT 1;", "--wait"), { GITHUB_TOKEN: tokens.alice });
    expect(await run.code).toBe(SUBMIT_EXIT.usage);
    expect(run.err.join("\n")).toContain(
      "--wait needs --api-url (or QUERYGATE_API_URL) and QUERYGATE_API_TOKEN: querygate reads a request's state from the app, never from comments or check runs anyone can write",
    );
    expect(pullCount()).toBe(before);
  });

  it("without GITHUB_TOKEN nothing is created: exit 3 with what to set", async () => {
    const before = pullCount();
    const run = submit(base("Anything", "--sql", "SELECT 1;"), {});
    expect(await run.code).toBe(SUBMIT_EXIT.usage);
    expect(run.err.join("\n")).toContain("GITHUB_TOKEN is not set");
    expect(pullCount()).toBe(before);
  });

  it("an action's invalid value is refused before anything is created: exit 3 naming the parameter", async () => {
    const before = pullCount();
    const run = submit(
      [
        "--repo",
        FULL,
        "--target",
        "orders-prod",
        "--reason",
        "Ship order 9",
        "--action",
        "set-status",
        "--param",
        "order_id=9",
        "--param",
        "status=shiped",
        "--github-api-url",
        apiUrl,
      ],
      { GITHUB_TOKEN: tokens.alice },
    );
    expect(await run.code).toBe(SUBMIT_EXIT.usage);
    expect(run.err.join("\n")).toContain(
      'params.status: "shiped" is not one of pending, paid, shipped, refunded',
    );
    expect(pullCount()).toBe(before);
  });

  it("a token GitHub rejects: exit 5", async () => {
    const run = submit(base("Anything", "--sql", "SELECT 1;"), { GITHUB_TOKEN: "ghp_revoked" });
    expect(await run.code).toBe(SUBMIT_EXIT.refused);
    expect(run.err.join("\n")).toContain("GitHub answered 401");
  });

  it("an agent's request: its own approval is refused, another bot's does not count, and it cannot start the run", async () => {
    const before = pullCount();
    const run = submit(
      base("Agent: look up customer 5", "--sql", "SELECT id, name FROM customers WHERE id = 5;"),
      {
        GITHUB_TOKEN: tokens["helper-bot[bot]"],
      },
    );
    expect(await run.code).toBe(SUBMIT_EXIT.submitted);
    const pr = await waitFor("the agent's pull request", () => newestPull(before));
    expect(pr.author).toBe("helper-bot[bot]");
    await waitFor("the querygate check run", () => gate(pr.number)?.conclusion === "action_required");
    await env.sim.idle();

    // GitHub itself refuses an author's approval (422), so no webhook ever carries it.
    await expect(
      env.sim.review({ repo: FULL, number: pr.number, by: "helper-bot[bot]", state: "approve" }),
    ).rejects.toBeInstanceOf(GitHubRefusal);
    // Bots never count as approvers.
    await env.sim.review({ repo: FULL, number: pr.number, by: "other-bot[bot]", state: "approve" });
    expect(gate(pr.number)?.conclusion).toBe("action_required");

    await env.sim.review({ repo: FULL, number: pr.number, by: "dana", state: "approve" });
    await waitFor("the Run button", () => gate(pr.number)?.actions.some((a) => a.identifier === "run"));
    await env.sim.clickCheckRunButton({
      repo: FULL,
      number: pr.number,
      by: "helper-bot[bot]",
      action: "run",
    });
    await env.sim.idle();
    await env.settleExecutions();
    expect((await env.executions()).filter((e) => e.pull_request === pr.number)).toEqual([]);
    const replies =
      pull(pr.number)
        ?.comments.filter((c) => c.by === "querygate[bot]")
        .map((c) => c.body) ?? [];
    expect(replies).toContainEqual(
      expect.stringContaining("@helper-bot[bot] is a bot, and bots never start runs"),
    );
  });

  it("the simulator saw nothing GitHub would reject", () => {
    expect(env.sim.violations.filter((v) => !v.includes("401 Bad credentials (token is unknown"))).toEqual(
      [],
    );
    expect(env.sim.deliveries.filter((d) => d.status < 200 || d.status >= 300)).toEqual([]);
  });
});
