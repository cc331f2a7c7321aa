import { sign } from "@octokit/webhooks-methods";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ScenarioEnvironment,
  SIM_WEBHOOK_SECRET,
  startScenarioEnvironment,
} from "../../src/sandbox/scenario-environment.js";
import { sqlRequest } from "../support/builders/request-file.js";
import { adminDatabaseUrl } from "../support/test-database.js";

describe("webhook signatures", () => {
  let env: ScenarioEnvironment;
  let payload: unknown;

  beforeAll(async () => {
    env = await startScenarioEnvironment({ owner: "acme", adminDatabaseUrl: adminDatabaseUrl() });
    env.sim.createRepo({ fullName: "acme/db-requests", files: { "README.md": "x" } });
    env.sim.addCollaborator({ repo: "acme/db-requests", login: "alice" });
    // A real, schema-checked payload: the one the simulator sends for this pull request.
    env.sim.setWebhookTarget("http://127.0.0.1:9/unused", SIM_WEBHOOK_SECRET);
    await env.sim
      .openPullRequest({
        repo: "acme/db-requests",
        number: 1,
        author: "alice",
        files: { "queries/a.sql": sqlRequest("SELECT 1;", { reason: "r" }) },
      })
      .catch(() => undefined);
    env.sim.setWebhookTarget(env.app.webhookUrl, SIM_WEBHOOK_SECRET);
    payload = env.sim.lastPayload("pull_request");
  }, 120_000);

  afterAll(async () => {
    await env?.close();
  });

  const counts = async () => ({
    deliveries: Number(
      (await env.state.pool.query("select count(*) from querygate.deliveries")).rows[0].count,
    ),
    checkRuns: env.sim.report().pull_requests.flatMap((p) => p.check_runs).length,
    apiCalls: env.sim.apiCalls.length,
  });

  it("rejects a delivery with a wrong signature with 4xx and changes no state", async () => {
    const before = await counts();
    const response = await env.sim.deliverRaw({ event: "pull_request", payload, signature: "sha256=0000" });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(await counts()).toEqual(before);
  });

  it("rejects a delivery signed with another secret", async () => {
    const before = await counts();
    const signature = await sign("not-the-secret", JSON.stringify(payload));
    const response = await env.sim.deliverRaw({ event: "pull_request", payload, signature });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(await counts()).toEqual(before);
  });

  it("rejects a delivery without a signature with 4xx and changes no state", async () => {
    const before = await counts();
    const response = await env.sim.deliverRaw({ event: "pull_request", payload, signature: null });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(await counts()).toEqual(before);
  });

  it("accepts the same payload correctly signed, and handles it", async () => {
    const before = await counts();
    const response = await env.sim.deliverRaw({ event: "pull_request", payload });
    expect(response.status).toBe(200);
    const after = await counts();
    expect(after.deliveries).toBe(before.deliveries + 1);
    expect(after.checkRuns).toBe(before.checkRuns + 1);
  });
});
