import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScenarioEnvironment } from "../../src/sandbox/scenario-environment.js";
import { createStateStore } from "../../src/store/state-store.js";
import { ORDERS_PROD, PROD_WRITES_NEED_TWO_DBAS, policy, rule } from "../support/builders/policy-file.js";
import { sqlRequest } from "../support/builders/request-file.js";
import { REQUESTS_REPO, startRequestsRepo } from "../support/requests-repo.js";

const REPO = REQUESTS_REPO;
// main: writes need two DBAs, and `release` may receive requests; release's own policy approves everything.
const MAIN_POLICY = policy({
  targets: { "orders-prod": ORDERS_PROD },
  rules: [PROD_WRITES_NEED_TWO_DBAS],
  allowed_base_branches: ["release"],
});
const RELEASE_POLICY = policy({
  targets: { "orders-prod": ORDERS_PROD },
  rules: [rule("everything-is-fine", { when: { environment: "production" }, approve: "auto" })],
});

/**
 * Issue 12, mechanism 7: every base or policy change makes earlier approvals stale — including a retarget
 * from a base where the request needed no approval (so none was counted, and no approval context was kept)
 * to one where it does.
 */
describe("reviews given where no approval was needed, then a retarget", () => {
  let env: ScenarioEnvironment;

  beforeAll(async () => {
    env = await startRequestsRepo({ policy: MAIN_POLICY });
    env.sim.createBranch({
      repo: REPO,
      name: "release",
      from: "main",
      files: { "policies/querygate.yml": RELEASE_POLICY },
    });
    const write = sqlRequest("UPDATE orders SET status = 'refunded' WHERE id = 1;");
    await env.sim.openPullRequest({
      repo: REPO,
      number: 1,
      author: "alice",
      base: "release",
      files: { "queries/a.sql": write },
    });
    await env.sim.review({ repo: REPO, number: 1, by: "dana", state: "approve" });
    await env.sim.review({ repo: REPO, number: 1, by: "dave", state: "approve" });
  }, 120_000);

  afterAll(async () => {
    await env?.close();
  });

  const state = async () =>
    (await createStateStore(env.state.pool).findRequestState({ repo: REPO, pullNumber: 1 }))?.state;

  it("does not carry those reviews to a base where the request needs them", async () => {
    expect(await state()).toBe("ready");
    await env.sim.retarget({ repo: REPO, number: 1, base: "main" });
    expect(await state()).toBe("needs_approval");
    const check = env.sim
      .report()
      .pull_requests.find((p) => p.number === 1)
      ?.check_runs.at(-1);
    // Neither review counts for anything (before the fix they did).
    expect(check?.title).toBe("Needs approvals for 2 of 2 requirements");
    expect(check?.summary).toContain("approved before the base branch or its policy changed");
  });
});
