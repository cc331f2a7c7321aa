import { verify } from "@octokit/webhooks-methods";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/index.js";
import { createWebhookValidator } from "../../src/simulator/webhooks/webhook-validator.js";
import { PLACEHOLDER_POLICY } from "../support/builders/policy-file.js";
import {
  installationOctokit,
  type ReceivedWebhook,
  startWebhookReceiver,
  type WebhookReceiver,
} from "../support/simulator-clients.js";

const SECRET = "test-secret";
const REPO = "acme/db";
// Values from @octokit/webhooks-examples that must never survive into a simulated payload.
const EXAMPLE_LEFTOVERS = ["Codertocat", "Hello-World", "electron", "api.github.com"];

type Received = ReceivedWebhook;

function last(receiver: { received: Received[] }): Received {
  const delivery = receiver.received.at(-1);
  if (!delivery) throw new Error("no webhook was received");
  return delivery;
}

const validator = createWebhookValidator();

function expectValid(delivery: Received) {
  const event = String(delivery.headers["x-github-event"]);
  expect(validator.validate(event, delivery.payload)).toEqual([]);
  for (const leftover of EXAMPLE_LEFTOVERS) expect(delivery.body).not.toContain(leftover);
}

describe("simulator webhooks", () => {
  let sim: Simulator;
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    receiver = await startWebhookReceiver();
    sim = await startSimulator({ owner: "acme", webhookUrl: receiver.url, webhookSecret: SECRET });
    sim.createRepo({ fullName: REPO, files: { "policies/querygate.yml": PLACEHOLDER_POLICY } });
    sim.addTeam({ org: "acme", slug: "dba", members: ["dana", "dave"] });
  });

  afterEach(async () => {
    await sim.close();
    await receiver.close();
  });

  test("openPullRequest delivers a signed, schema-valid pull_request.opened", async () => {
    const number = await sim.openPullRequest({
      repo: REPO,
      author: "alice",
      title: "Count orders",
      files: { "queries/count.sql": "-- target: orders\nSELECT count(*) FROM orders;\n" },
    });
    expect(number).toBe(1);
    const delivery = last(receiver);
    expect(delivery.headers["x-github-event"]).toBe("pull_request");
    expect(delivery.headers["x-github-hook-installation-target-type"]).toBe("integration");
    expect(delivery.headers["user-agent"]).toBe("GitHub-Hookshot/querygate-sim");
    const signature = String(delivery.headers["x-hub-signature-256"]);
    expect(await verify(SECRET, delivery.body, signature)).toBe(true);
    expectValid(delivery);
    const payload = delivery.payload as {
      action: string;
      number: number;
      pull_request: { title: string; user: { login: string }; head: { sha: string }; base: { ref: string } };
      installation: { id: number };
      organization: { login: string };
    };
    expect(payload.action).toBe("opened");
    expect(payload.number).toBe(1);
    expect(payload.pull_request.title).toBe("Count orders");
    expect(payload.pull_request.user.login).toBe("alice");
    expect(payload.pull_request.base.ref).toBe("main");
    expect(payload.pull_request.head.sha).toBe(sim.report().pull_requests[0]?.head_sha);
    expect(payload.installation.id).toBe(sim.installationId);
    expect(payload.organization.login).toBe("acme");
    expect(sim.deliveries).toEqual([
      expect.objectContaining({ event: "pull_request", action: "opened", status: 200 }),
    ]);
    expect(sim.violations).toEqual([]);
  });

  test("redeliver resends with the same delivery id and body", async () => {
    await sim.openPullRequest({ repo: REPO, author: "alice", files: { "queries/a.sql": "SELECT 1;\n" } });
    await sim.comment({ repo: REPO, number: 1, by: "bob", body: "/querygate run" });
    await sim.redeliver(2);
    expect(receiver.received).toHaveLength(4);
    const [first, second, third, fourth] = receiver.received as [Received, Received, Received, Received];
    expect(third.headers["x-github-delivery"]).toBe(first.headers["x-github-delivery"]);
    expect(fourth.headers["x-github-delivery"]).toBe(second.headers["x-github-delivery"]);
    expect(third.body).toBe(first.body);
    expect(fourth.body).toBe(second.body);
    expect(sim.deliveries.map((d) => d.id)).toEqual(
      receiver.received.map((r) => r.headers["x-github-delivery"]),
    );
  });

  test("a review webhook carries the lowercase state and the head sha", async () => {
    await sim.openPullRequest({ repo: REPO, author: "alice", files: { "queries/a.sql": "SELECT 1;\n" } });
    await sim.push({ repo: REPO, number: 1, author: "alice", files: { "queries/a.sql": "SELECT 2;\n" } });
    const head = sim.report().pull_requests[0]?.head_sha;
    await sim.review({ repo: REPO, number: 1, by: "dana", state: "approve" });
    const delivery = last(receiver);
    expectValid(delivery);
    const payload = delivery.payload as {
      action: string;
      review: { state: string; commit_id: string; user: { login: string } };
    };
    expect(payload.action).toBe("submitted");
    expect(payload.review.state).toBe("approved");
    expect(payload.review.commit_id).toBe(head);
    expect(payload.review.user.login).toBe("dana");

    const rest = await installationOctokit(sim).rest.pulls.listReviews({
      owner: "acme",
      repo: "db",
      pull_number: 1,
    });
    expect(rest.data.map((r) => [r.state, r.commit_id])).toEqual([["APPROVED", head]]);

    await sim.dismissReview({ repo: REPO, number: 1, by: "dana" });
    const dismissed = last(receiver);
    expectValid(dismissed);
    expect((dismissed.payload as { review: { state: string } }).review.state).toBe("dismissed");
  });

  test("push delivers synchronize with before and after", async () => {
    await sim.openPullRequest({ repo: REPO, author: "alice", files: { "queries/a.sql": "SELECT 1;\n" } });
    const before = sim.report().pull_requests[0]?.head_sha;
    await sim.push({
      repo: REPO,
      number: 1,
      author: "alice",
      files: { "queries/a.sql": null, "queries/b.sql": "SELECT 2;\n" },
    });
    const delivery = last(receiver);
    expectValid(delivery);
    const payload = delivery.payload as { action: string; before: string; after: string };
    expect(payload.action).toBe("synchronize");
    expect(payload.before).toBe(before);
    expect(payload.after).toBe(sim.report().pull_requests[0]?.head_sha);
  });

  test("a pull request comment arrives as issue_comment.created on an issue with pull_request", async () => {
    await sim.openPullRequest({ repo: REPO, author: "alice", files: { "queries/a.sql": "SELECT 1;\n" } });
    await sim.comment({ repo: REPO, number: 1, by: "dana", body: "/querygate approve" });
    const delivery = last(receiver);
    expectValid(delivery);
    const payload = delivery.payload as {
      issue: { number: number; pull_request?: { url: string } };
      comment: { body: string; user: { login: string } };
    };
    expect(payload.issue.number).toBe(1);
    expect(payload.issue.pull_request?.url).toBe(`${sim.apiBaseUrl}/repos/acme/db/pulls/1`);
    expect(payload.comment.body).toBe("/querygate approve");
    expect(payload.comment.user.login).toBe("dana");
  });

  test("clicking a check run action delivers check_run.requested_action; a missing action throws", async () => {
    await sim.openPullRequest({ repo: REPO, author: "alice", files: { "queries/a.sql": "SELECT 1;\n" } });
    const octokit = installationOctokit(sim);
    const head = sim.report().pull_requests[0]?.head_sha ?? "";
    const created = await octokit.rest.checks.create({
      owner: "acme",
      repo: "db",
      name: "querygate",
      head_sha: head,
      status: "completed",
      conclusion: "action_required",
      output: { title: "Ready", summary: "Approved; run it?" },
      actions: [{ label: "Run", identifier: "run", description: "Execute the approved statement" }],
    });
    await expect(
      sim.clickCheckRunButton({ repo: REPO, number: 1, by: "dana", action: "nope", checkName: "querygate" }),
    ).rejects.toThrow(/no "querygate" check run .* offers the action "nope"/);
    await sim.clickCheckRunButton({ repo: REPO, number: 1, by: "dana", action: "run" });
    const delivery = last(receiver);
    expectValid(delivery);
    const payload = delivery.payload as {
      requested_action: { identifier: string };
      check_run: { id: number; head_sha: string; pull_requests: Array<{ number: number }> };
      sender: { login: string };
    };
    expect(payload.requested_action.identifier).toBe("run");
    expect(payload.check_run.id).toBe(created.data.id);
    expect(payload.check_run.head_sha).toBe(head);
    expect(payload.check_run.pull_requests.map((pr) => pr.number)).toEqual([1]);
    expect(payload.sender.login).toBe("dana");
  });

  test("merge closes with merged true and moves the base branch; retarget sends changes.base", async () => {
    sim.createBranch({ repo: REPO, name: "release" });
    await sim.openPullRequest({ repo: REPO, author: "alice", files: { "queries/a.sql": "SELECT 1;\n" } });
    await sim.retarget({ repo: REPO, number: 1, base: "release" });
    const edited = last(receiver);
    expectValid(edited);
    expect(edited.payload.action).toBe("edited");
    expect((edited.payload as { changes: { base: { ref: { from: string } } } }).changes.base.ref.from).toBe(
      "main",
    );

    await sim.merge({ repo: REPO, number: 1, by: "dana" });
    const closed = last(receiver);
    expectValid(closed);
    const payload = closed.payload as {
      action: string;
      pull_request: { merged: boolean; merged_by: { login: string } };
    };
    expect(payload.action).toBe("closed");
    expect(payload.pull_request.merged).toBe(true);
    expect(payload.pull_request.merged_by.login).toBe("dana");
    expect(sim.report().pull_requests[0]?.state).toBe("merged");

    const content = await installationOctokit(sim).rest.repos.getContent({
      owner: "acme",
      repo: "db",
      path: "queries/a.sql",
      ref: "release",
    });
    expect(Buffer.from((content.data as { content: string }).content, "base64").toString()).toBe(
      "SELECT 1;\n",
    );
  });

  test("close delivers pull_request.closed with merged false", async () => {
    await sim.openPullRequest({ repo: REPO, author: "alice", files: { "queries/a.sql": "SELECT 1;\n" } });
    await sim.close({ repo: REPO, number: 1 });
    const delivery = last(receiver);
    expectValid(delivery);
    expect(
      (delivery.payload as { pull_request: { merged: boolean; state: string } }).pull_request,
    ).toMatchObject({
      merged: false,
      state: "closed",
    });
  });

  test("a fork pull request points head.repo at the fork", async () => {
    await sim.openPullRequest({
      repo: REPO,
      author: "mallory",
      fork: true,
      files: { "queries/a.sql": "DROP TABLE x;\n" },
    });
    const delivery = last(receiver);
    expectValid(delivery);
    const pr = (
      delivery.payload as { pull_request: { head: { repo: { full_name: string; fork: boolean } } } }
    ).pull_request;
    expect(pr.head.repo).toMatchObject({ full_name: "mallory/db", fork: true });
  });

  test("payloads stay schema-valid with labels, requested users and teams, and app comments", async () => {
    await sim.openPullRequest({ repo: REPO, author: "alice", files: { "queries/a.sql": "SELECT 1;\n" } });
    const octokit = installationOctokit(sim);
    const pr = { owner: "acme", repo: "db", pull_number: 1 };
    await octokit.rest.pulls.requestReviewers({ ...pr, reviewers: ["dana"], team_reviewers: ["dba"] });
    await octokit.rest.issues.addLabels({
      owner: "acme",
      repo: "db",
      issue_number: 1,
      labels: ["querygate"],
    });
    const { data: comment } = await octokit.rest.issues.createComment({
      owner: "acme",
      repo: "db",
      issue_number: 1,
      body: "Needs one DBA approval",
    });
    await octokit.rest.reactions.createForIssueComment({
      owner: "acme",
      repo: "db",
      comment_id: comment.id,
      content: "+1",
    });
    await sim.push({ repo: REPO, number: 1, author: "alice", files: { "queries/a.sql": "SELECT 2;\n" } });
    const synchronize = last(receiver);
    expectValid(synchronize);
    const pull = (
      synchronize.payload as {
        pull_request: {
          labels: Array<{ name: string }>;
          requested_reviewers: Array<{ login: string }>;
          requested_teams: Array<{ slug: string }>;
        };
      }
    ).pull_request;
    expect(pull.labels.map((l) => l.name)).toEqual(["querygate"]);
    expect(pull.requested_reviewers.map((u) => u.login)).toEqual(["dana"]);
    expect(pull.requested_teams.map((t) => t.slug)).toEqual(["dba"]);
    await sim.review({
      repo: REPO,
      number: 1,
      by: "dave",
      state: "request_changes",
      body: "Add a WHERE clause",
    });
    expectValid(last(receiver));
    await sim.comment({ repo: REPO, number: 1, by: "dave", body: "ok now" });
    expectValid(last(receiver));
    expect(sim.violations).toEqual([]);
  });

  test("deliverRaw sends wrong or missing signatures as asked, and non-2xx answers are recorded", async () => {
    const payload = { action: "opened", zen: "raw" };
    await sim.deliverRaw({ event: "pull_request", payload, signature: "sha256=00" });
    await sim.deliverRaw({ event: "pull_request", payload, signature: null, deliveryId: "fixed-id" });
    await sim.deliverRaw({ event: "pull_request", payload });
    const [wrong, missing, right] = receiver.received as [Received, Received, Received];
    expect(wrong.headers["x-hub-signature-256"]).toBe("sha256=00");
    expect(missing.headers["x-hub-signature-256"]).toBeUndefined();
    expect(missing.headers["x-github-delivery"]).toBe("fixed-id");
    expect(await verify(SECRET, right.body, String(right.headers["x-hub-signature-256"]))).toBe(true);

    const failing = await startWebhookReceiver(500);
    sim.setWebhookTarget(failing.url, SECRET);
    const answer = await sim.deliverRaw({ event: "pull_request", payload });
    expect(answer).toEqual({ status: 500, body: "nope" });
    await sim.openPullRequest({ repo: REPO, author: "alice", files: { "queries/a.sql": "SELECT 1;\n" } });
    expect(sim.deliveries.at(-1)).toMatchObject({ event: "pull_request", action: "opened", status: 500 });
    await failing.close();
  });
});

test("without a webhook target, actions still change state and deliver nothing", async () => {
  const sim = await startSimulator({ owner: "acme" });
  try {
    sim.createRepo({ fullName: REPO });
    const number = await sim.openPullRequest({
      repo: REPO,
      author: "alice",
      files: { "queries/a.sql": "SELECT 1;\n" },
    });
    await sim.review({ repo: REPO, number, by: "bob", state: "comment", body: "looks fine" });
    expect(sim.deliveries).toEqual([]);
    expect(sim.report().pull_requests[0]?.reviews).toEqual([
      expect.objectContaining({ by: "bob", state: "COMMENTED" }),
    ]);
    await expect(sim.review({ repo: REPO, number, by: "alice", state: "approve" })).rejects.toThrow(
      /does not let alice approve their own pull request/,
    );
    expect(sim.lastPayload("pull_request_review")).toMatchObject({
      action: "submitted",
      review: { state: "commented" },
    });
    expect(() => sim.lastPayload("check_run")).toThrow(/no check_run webhook payload has been built/);
  } finally {
    await sim.close();
  }
});

test("the same steps give the same report: the clock and ids are simulated", async () => {
  const run = async () => {
    const sim = await startSimulator({ owner: "acme" });
    try {
      sim.createRepo({ fullName: REPO, files: { "policies/querygate.yml": PLACEHOLDER_POLICY } });
      const number = await sim.openPullRequest({
        repo: REPO,
        author: "alice",
        files: { "queries/a.sql": "SELECT 1;\n" },
      });
      await sim.push({ repo: REPO, number, author: "alice", files: { "queries/a.sql": "SELECT 2;\n" } });
      await sim.review({ repo: REPO, number, by: "dana", state: "request_changes", body: "why?" });
      await sim.merge({ repo: REPO, number, by: "dana" });
      return { report: sim.report(), payload: sim.lastPayload("pull_request") };
    } finally {
      await sim.close();
    }
  };
  const [first, second] = [await run(), await run()];
  expect(second.report).toEqual(first.report);
  const stable = (payload: unknown) => JSON.stringify(payload).replace(/127\.0\.0\.1:\d+/g, "HOST");
  expect(stable(second.payload)).toBe(stable(first.payload));
  expect((first.payload as { pull_request: { merged_at: string } }).pull_request.merged_at).toMatch(
    /^2026-01-01T00:00:\d\dZ$/,
  );
});
