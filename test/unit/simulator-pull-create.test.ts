import { Octokit } from "@octokit/rest";
import { verify } from "@octokit/webhooks-methods";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/index.js";
import { createWebhookValidator } from "../../src/simulator/webhooks/webhook-validator.js";
import { PLACEHOLDER_POLICY } from "../support/builders/policy-file.js";
import { sqlRequest } from "../support/builders/request-file.js";
import {
  httpStatus,
  installationOctokit,
  type ReceivedWebhook,
  silentLog,
  startWebhookReceiver,
  type WebhookReceiver,
} from "../support/simulator-clients.js";

const SECRET = "pull-create-secret";
const owner = "acme";
const repo = "db-requests";
const fullName = `${owner}/${repo}`;

// biome-ignore lint/suspicious/noExplicitAny: payloads are checked against GitHub's schemas below
type Payload = Record<string, any>;

/** A plain @octokit/rest client, as `querygate submit` makes one, with a user's token. */
function userOctokit(sim: Simulator, token: string) {
  return new Octokit({ auth: token, baseUrl: sim.apiBaseUrl, log: silentLog });
}

/** A branch from main with one file committed through the contents API, as `submitRequest` does. */
async function branchWithFile(octokit: Octokit, branch: string, path: string) {
  const { data: main } = await octokit.rest.git.getRef({ owner, repo, ref: "heads/main" });
  await octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha: main.object.sha });
  const { data } = await octokit.rest.repos.createOrUpdateFileContents({
    owner,
    repo,
    path,
    branch,
    message: `Add ${path}`,
    content: Buffer.from(sqlRequest("SELECT 1;")).toString("base64"),
  });
  return { mainSha: main.object.sha, commit: data.commit };
}

const validator = createWebhookValidator();

describe("simulator: pull requests opened through the API, user tokens", () => {
  let sim: Simulator;
  let receiver: WebhookReceiver<Payload>;

  beforeEach(async () => {
    sim = await startSimulator({ owner, appSlug: "querygate" });
    receiver = await startWebhookReceiver<Payload>();
    sim.setWebhookTarget(receiver.url, SECRET);
    sim.createRepo({ fullName, files: { "policies/querygate.yml": PLACEHOLDER_POLICY } });
    sim.addCollaborator({ repo: fullName, login: "alice", permission: "write" });
    sim.addCollaborator({ repo: fullName, login: "helper-bot[bot]", permission: "write" });
    sim.addCollaborator({ repo: fullName, login: "rita", permission: "read" });
  });

  afterEach(async () => {
    await sim.close();
    await receiver.close();
  });

  test("a user's token opens a pull request: 201, the user is the author, pull_request.opened is signed and valid with the user as sender", async () => {
    const octokit = userOctokit(sim, sim.createUserToken("alice"));
    const { mainSha, commit } = await branchWithFile(octokit, "querygate/request-1", "queries/a.sql");
    expect(receiver.received).toEqual([]);

    const { data: pr, status } = await octokit.rest.pulls.create({
      owner,
      repo,
      title: "orders-prod: test",
      body: "why",
      head: "querygate/request-1",
      base: "main",
    });
    expect(status).toBe(201);
    expect(pr).toMatchObject({
      number: 1,
      state: "open",
      title: "orders-prod: test",
      body: "why",
      user: { login: "alice", type: "User" },
      head: { ref: "querygate/request-1", sha: commit.sha },
      base: { ref: "main", sha: mainSha },
    });
    expect(pr.html_url).toMatch(/\/acme\/db-requests\/pull\/1$/);

    await sim.idle();
    expect(receiver.received).toHaveLength(1);
    const delivery = receiver.received[0] as ReceivedWebhook<Payload>;
    expect(delivery.headers["x-github-event"]).toBe("pull_request");
    expect(await verify(SECRET, delivery.body, String(delivery.headers["x-hub-signature-256"]))).toBe(true);
    expect(validator.validate("pull_request", delivery.payload)).toEqual([]);
    expect(delivery.payload).toMatchObject({
      action: "opened",
      number: 1,
      sender: { login: "alice", type: "User" },
      pull_request: { user: { login: "alice" }, head: { sha: commit.sha } },
    });
    expect(sim.violations).toEqual([]);
  });

  test("the contents API commits on the named branch as the token's user; the default branch does not move; no webhook", async () => {
    const octokit = userOctokit(sim, sim.createUserToken("alice"));
    const { mainSha, commit } = await branchWithFile(octokit, "feature", "queries/b.sql");
    expect(commit.author?.name).toBe("alice");
    expect(commit.committer?.name).toBe("alice");
    expect(commit.parents?.map((p) => p.sha)).toEqual([mainSha]);
    const { data: main } = await octokit.rest.git.getRef({ owner, repo, ref: "heads/main" });
    expect(main.object.sha).toBe(mainSha);
    const { data: branch } = await octokit.rest.git.getRef({ owner, repo, ref: "heads/feature" });
    expect(branch.object.sha).toBe(commit.sha);
    await sim.idle();
    expect(receiver.received).toEqual([]);
    // Commits the app made are reported; a user's are not the app's.
    expect(sim.report().commits).toEqual([]);
  });

  test("Bearer works too; an agent's bot account is a Bot in the pull request and the webhook", async () => {
    const token = sim.createUserToken("helper-bot[bot]");
    const octokit = new Octokit({ auth: `Bearer ${token}`, baseUrl: sim.apiBaseUrl, log: silentLog });
    await branchWithFile(octokit, "agent-branch", "queries/c.sql");
    const { data: pr } = await octokit.rest.pulls.create({
      owner,
      repo,
      title: "t",
      head: "agent-branch",
      base: "main",
    });
    expect(pr.user).toMatchObject({ login: "helper-bot[bot]", type: "Bot" });
    await sim.idle();
    expect(receiver.received[0]?.payload.sender).toMatchObject({ login: "helper-bot[bot]", type: "Bot" });
    expect(validator.validate("pull_request", receiver.received[0]?.payload)).toEqual([]);
  });

  test("the app's installation token opens one too, and GitHub still sends pull_request.opened (sender: the app's bot)", async () => {
    const app = installationOctokit(sim);
    const { data: main } = await app.rest.git.getRef({ owner, repo, ref: "heads/main" });
    await app.rest.git.createRef({ owner, repo, ref: "refs/heads/from-app", sha: main.object.sha });
    await app.rest.repos.createOrUpdateFileContents({
      owner,
      repo,
      path: "queries/d.sql",
      branch: "from-app",
      message: "d",
      content: Buffer.from("SELECT 1;\n").toString("base64"),
    });
    const { data: pr } = await app.rest.pulls.create({
      owner,
      repo,
      title: "from the API",
      head: "from-app",
      base: "main",
    });
    expect(pr.user?.login).toBe("querygate[bot]");
    await sim.idle();
    expect(receiver.received.map((d) => [d.payload.action, d.payload.sender.login])).toEqual([
      ["opened", "querygate[bot]"],
    ]);
    expect(sim.violations).toEqual([]);
  });

  test("GitHub's 422s: an open pull request for the head already exists, no commits, unknown head or base, no title", async () => {
    const octokit = userOctokit(sim, sim.createUserToken("alice"));
    await branchWithFile(octokit, "one", "queries/e.sql");
    await octokit.rest.pulls.create({ owner, repo, title: "t", head: "one", base: "main" });
    const again = await octokit.rest.pulls
      .create({ owner, repo, title: "t", head: "acme:one", base: "main" })
      .catch((e) => e);
    expect(again.status).toBe(422);
    expect(JSON.stringify(again.response.data)).toContain("A pull request already exists for acme:one.");

    const { data: main } = await octokit.rest.git.getRef({ owner, repo, ref: "heads/main" });
    await octokit.rest.git.createRef({ owner, repo, ref: "refs/heads/empty", sha: main.object.sha });
    const empty = await octokit.rest.pulls
      .create({ owner, repo, title: "t", head: "empty", base: "main" })
      .catch((e) => e);
    expect(empty.status).toBe(422);
    expect(JSON.stringify(empty.response.data)).toContain("No commits between main and empty");

    expect(
      await httpStatus(octokit.rest.pulls.create({ owner, repo, title: "t", head: "nope", base: "main" })),
    ).toBe(422);
    expect(
      await httpStatus(octokit.rest.pulls.create({ owner, repo, title: "t", head: "one", base: "nope" })),
    ).toBe(422);
    expect(
      await httpStatus(octokit.rest.pulls.create({ owner, repo, title: " ", head: "one", base: "main" })),
    ).toBe(422);
    await sim.idle();
    expect(receiver.received).toHaveLength(1);
    expect(sim.violations).toEqual([]);
  });

  test("a user's token reads, but writes only with push access; check runs stay the app's; unknown tokens are 401", async () => {
    const reader = userOctokit(sim, sim.createUserToken("rita"));
    const { data: main } = await reader.rest.git.getRef({ owner, repo, ref: "heads/main" });
    expect(
      await httpStatus(reader.rest.git.createRef({ owner, repo, ref: "refs/heads/x", sha: main.object.sha })),
    ).toBe(403);
    const { data: seen } = await reader.rest.repos.get({ owner, repo });
    expect(seen.permissions).toMatchObject({ push: false, pull: true });

    const alice = userOctokit(sim, sim.createUserToken("alice"));
    const { data: hers } = await alice.rest.repos.get({ owner, repo });
    expect(hers.permissions).toMatchObject({ push: true });
    const check = await alice.rest.checks
      .create({ owner, repo, name: "querygate", head_sha: main.object.sha })
      .catch((e) => e);
    expect(check.status).toBe(403);
    expect(check.response.data.message).toBe("You must authenticate via a GitHub App.");
    expect(await httpStatus(alice.rest.checks.listForRef({ owner, repo, ref: main.object.sha }))).toBe(200);

    expect(await httpStatus(userOctokit(sim, "ghp_not-a-token").rest.repos.get({ owner, repo }))).toBe(401);
    expect(() => sim.createUserToken("not a login")).toThrow(/GitHub login/);
  });
});
