import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ScenarioEnvironment, SIM_WEBHOOK_SECRET } from "../../src/sandbox/scenario-environment.js";
import { createStateStore } from "../../src/store/state-store.js";
import { ORDERS_PROD, PROD_WRITES_NEED_TWO_DBAS, policy } from "../support/builders/policy-file.js";
import { sqlRequest } from "../support/builders/request-file.js";
import { REQUESTS_REPO, startRequestsRepo } from "../support/requests-repo.js";

const REPO = REQUESTS_REPO;
const POLICY = policy({ targets: { "orders-prod": ORDERS_PROD }, rules: [PROD_WRITES_NEED_TWO_DBAS] });

/**
 * GitHub delivers webhooks at least once, in no guaranteed order, and a late delivery carries its original
 * body (issue 12, mechanism 1, in part): an `opened` event about a head that is no longer the head, arriving
 * after the new head was approved, must change nothing.
 */
describe("an event about an earlier head, delivered late", () => {
  let env: ScenarioEnvironment;
  let openedPayload: unknown;

  beforeAll(async () => {
    env = await startRequestsRepo({ policy: POLICY });
    const write = (id: number) => sqlRequest(`UPDATE orders SET status = 'x' WHERE id = ${id};`);
    await env.sim.openPullRequest({
      repo: REPO,
      number: 1,
      author: "alice",
      files: { "queries/a.sql": write(1) },
    });
    openedPayload = env.sim.lastPayload("pull_request");
    await env.sim.push({ repo: REPO, number: 1, author: "alice", files: { "queries/a.sql": write(2) } });
    await env.sim.review({ repo: REPO, number: 1, by: "dana", state: "approve" });
    await env.sim.review({ repo: REPO, number: 1, by: "dave", state: "approve" });
  }, 120_000);

  afterAll(async () => {
    await env?.close();
  });

  const picture = async () => {
    const pr = env.sim.report().pull_requests.find((p) => p.number === 1);
    const record = await createStateStore(env.state.pool).findRequestState({ repo: REPO, pullNumber: 1 });
    return {
      checkRuns: pr?.check_runs.map((c) => ({ head: c.head_sha, conclusion: c.conclusion, title: c.title })),
      comments: pr?.comments.map((c) => c.body),
      reviews: pr?.reviews.map((r) => r.state),
      state: record && { head: record.headSha, state: record.state },
    };
  };

  it("is acknowledged and changes nothing: no check run, comment, dismissal or recorded state for the old head", async () => {
    const before = await picture();
    expect(before.state?.state).toBe("ready");
    const head = env.sim.report().pull_requests.find((p) => p.number === 1)?.head_sha;
    expect(before.state?.head).toBe(head);
    const calls = env.sim.apiCalls.length;

    // The original body, correctly signed, under a new delivery id: a late or duplicated event.
    const late = await env.sim.deliverRaw({ event: "pull_request", payload: openedPayload });
    expect(late.status).toBe(200);
    expect(await picture()).toEqual(before);
    // It read the pull request (and no more) to learn that its head had moved on.
    const made = env.sim.apiCalls.slice(calls).map((c) => `${c.method} ${c.route}`);
    expect(made.filter((r) => !r.includes("access_tokens"))).toEqual([
      "GET /repos/{owner}/{repo}/pulls/{pull_number}",
    ]);
  });
});

/**
 * GitHub keeps an older head's check run, and its Run button, clickable. A click on it is about that head
 * only: with a newer head approved too, it must run nothing (not the newer head) and say nothing.
 */
describe("a Run button on an older head's check run", () => {
  let env: ScenarioEnvironment;
  let oldClick: unknown;

  beforeAll(async () => {
    env = await startRequestsRepo({
      policy: POLICY,
      targets: {
        "orders-prod": {
          databaseUrl: null,
          env: ["ORDERS_PROD_URL"],
          seed: "create table orders (id int primary key, status text); insert into orders values (1, 'paid'), (2, 'paid');",
        },
      },
    });
    const write = (id: number) => sqlRequest(`UPDATE orders SET status = 'refunded' WHERE id = ${id};`);
    const approve = async () => {
      await env.sim.review({ repo: REPO, number: 1, by: "dana", state: "approve" });
      await env.sim.review({ repo: REPO, number: 1, by: "dave", state: "approve" });
    };
    await env.sim.openPullRequest({
      repo: REPO,
      number: 1,
      author: "alice",
      files: { "queries/a.sql": write(1) },
    });
    await approve();
    // The click on the first head's Run button, built by GitHub but held back (nothing receives it now).
    env.sim.setWebhookTarget("http://127.0.0.1:9/held", SIM_WEBHOOK_SECRET);
    await env.sim
      .clickCheckRunButton({ repo: REPO, number: 1, by: "alice", action: "run" })
      .catch(() => undefined);
    oldClick = env.sim.lastPayload("check_run");
    env.sim.setWebhookTarget(env.app.webhookUrl, SIM_WEBHOOK_SECRET);
    await env.sim.push({ repo: REPO, number: 1, author: "alice", files: { "queries/a.sql": write(2) } });
    await approve();
  }, 120_000);

  afterAll(async () => {
    await env?.close();
  });

  it("runs nothing and says nothing; the newer, approved head still runs from its own button", async () => {
    const comments = () => env.sim.report().pull_requests.find((p) => p.number === 1)?.comments.length;
    const before = comments();
    const late = await env.sim.deliverRaw({ event: "check_run", payload: oldClick });
    expect(late.status).toBe(200);
    await env.settleExecutions();
    expect(await env.executions()).toEqual([]);
    expect(comments()).toBe(before);

    await env.sim.clickCheckRunButton({ repo: REPO, number: 1, by: "alice", action: "run" });
    await env.settleExecutions();
    expect((await env.executions()).map((e) => e.state)).toEqual(["succeeded"]);
  });
});
