import { beforeAll, describe, expect, it } from "vitest";
import { approvalContextDigest } from "../../src/approvals/approval-context.js";
import { approvalStatus } from "../../src/approvals/approval-status.js";
import type { ApprovalStatus } from "../../src/approvals/approval-types.js";
import { decideRun } from "../../src/decide-run/decide-run.js";
import { identityOf, type PriorExecution } from "../../src/plan-pull-request/earlier-runs.js";
import { type DecisionPlan, planDecision } from "../../src/plan-pull-request/plan-decision.js";
import {
  earlierRunsOf,
  needsApprovals,
  type PlanPullRequestParams,
  planPullRequest,
} from "../../src/plan-pull-request/plan-pull-request.js";
import type { BasePolicy } from "../../src/plan-pull-request/pull-request-plan.js";
import { requestDigest, sameRequest } from "../../src/plan-pull-request/same-request.js";
import type { CompiledPolicy } from "../../src/policy/evaluate/compile-policy.js";
import { bundledGrammarVersions } from "../../src/sql/postgres/load-parser.js";
import { ORDERS_PROD, PROD_WRITES_NEED_TWO_DBAS, policy, target } from "../support/builders/policy-file.js";
import { sqlRequest } from "../support/builders/request-file.js";
import { reviewFact } from "../support/builders/reviews.js";
import { compilePolicyText } from "../support/compile-policy-text.js";

const HEAD = "c".repeat(40);
const NOW = new Date("2026-11-21T10:00:00Z");
let compiled: CompiledPolicy;

beforeAll(() => {
  compiled = compilePolicyText(
    policy({
      targets: {
        "orders-prod": ORDERS_PROD,
        "orders-16": target("production", "ORDERS_16_URL", { server_version: 16 }),
      },
      rules: [PROD_WRITES_NEED_TWO_DBAS],
      run_by: ["author", "approvers"],
    }),
  );
});

const basePolicy = (): BasePolicy => ({
  ok: true,
  commitSha: "a".repeat(40),
  files: [{ path: "policies/querygate.yml", blobSha: "b".repeat(40) }],
  policy: compiled.policy,
  compiled,
});

const decide = (files: Record<string, string>, changesPolicy = false): Promise<DecisionPlan> =>
  planDecision({
    policy: compiled,
    files: Object.entries(files).map(([path, text]) => ({ path, content: Buffer.from(text) })),
    changesPolicy,
    author: "alice",
    actor: "user",
    labels: [],
    now: NOW,
  });

/** The app's approval core for reviews of the head by these logins (dba team: dana, dave). */
function approvalsBy(decided: DecisionPlan, ...logins: string[]): ApprovalStatus {
  return approvalStatus({
    requirements: decided.decision.requirements,
    pr: { author: "alice", headSha: HEAD, commitAuthors: [], commitAuthorsIncomplete: null },
    reviews: logins.map((login) => reviewFact(login, "APPROVED", HEAD)),
    contextWatermark: 0,
    isMember: (_org, slug, login) => slug === "dba" && ["dana", "dave"].includes(login),
  });
}

function plan(decided: DecisionPlan, over: Partial<PlanPullRequestParams> = {}) {
  return planPullRequest({
    pr: { headSha: HEAD, baseRef: "main", fork: false },
    policy: basePolicy(),
    decided,
    skipped: [],
    baseProblem: null,
    policyChange: null,
    approval: null,
    contextFiles: [{ path: "policies/querygate.yml", blobSha: "b".repeat(40) }],
    executionCount: 0,
    priorExecutions: [],
    runnerEnabled: true,
    dismissStale: false,
    ...over,
  });
}

const WRITE = sqlRequest("UPDATE orders SET status = 'x' WHERE id = 7;");

describe("planDecision", () => {
  it("decides several files together and adds the policy owners when the pull request changes the policy", async () => {
    const decided = await decide({ "queries/a.sql": WRITE, "queries/b.sql": sqlRequest("SELECT 1;") }, true);
    expect(decided.evaluations.map((e) => e.path)).toEqual(["queries/a.sql", "queries/b.sql"]);
    expect(decided.decision.statements.map((s) => s.path)).toEqual(["queries/a.sql", "queries/b.sql"]);
    expect(decided.decision.requirements).toContainEqual(
      expect.objectContaining({
        source: "policy_owners",
        from: [{ kind: "team", org: "acme", slug: "security" }],
      }),
    );
  });
});

describe("planPullRequest", () => {
  it("asks the requirement's approvers still needed, never one whose approval already counts", async () => {
    const decided = await decide({ "queries/a.sql": WRITE });
    const one = plan(decided, { approval: approvalsBy(decided, "dana") });
    expect(one.verdict.state).toBe("needs_approval");
    expect(one.reviewersToAsk).toEqual([{ kind: "team", org: "acme", slug: "dba" }]);
    expect(one.run).toBeNull();
    expect(one.offerRun).toBe(false);
    // From a fork or onto a base that may not receive requests: nobody is asked.
    expect(
      plan(decided, {
        approval: approvalsBy(decided, "dana"),
        pr: { headSha: HEAD, baseRef: "main", fork: true },
      }).reviewersToAsk,
    ).toEqual([]);
    expect(
      plan(decided, { approval: approvalsBy(decided, "dana"), baseProblem: "no" }).reviewersToAsk,
    ).toEqual([]);
  });

  it("offers Run only for a runnable request with the runner on and nothing run yet", async () => {
    const decided = await decide({ "queries/a.sql": WRITE });
    const approval = approvalsBy(decided, "dana", "dave");
    const ready = plan(decided, { approval });
    expect(ready.verdict).toMatchObject({ state: "ready", runnable: true });
    expect(ready.offerRun).toBe(true);
    expect(ready.run?.units.map((u) => u.requestPath)).toEqual(["queries/a.sql"]);
    expect(plan(decided, { approval, runnerEnabled: false }).offerRun).toBe(false);
    expect(plan(decided, { approval, executionCount: 1 }).offerRun).toBe(false);
  });

  it("lists stale approvals to dismiss only when the policy says so", async () => {
    const decided = await decide({ "queries/a.sql": WRITE });
    const approval = approvalStatus({
      requirements: decided.decision.requirements,
      pr: { author: "alice", headSha: HEAD, commitAuthors: [], commitAuthorsIncomplete: null },
      reviews: [reviewFact("dana", "APPROVED", "d".repeat(40))],
      contextWatermark: 0,
      isMember: () => true,
    });
    const stale = approval.approvals.map((a) => a.reviewId);
    expect(plan(decided, { approval }).staleReviewIds).toEqual([]);
    expect(plan(decided, { approval, dismissStale: true }).staleReviewIds).toEqual(stale);
  });

  it("binds each file's own grammar into the fingerprint: a target on PostgreSQL 16 records the 16 grammar", async () => {
    const decided = await decide({
      "queries/a.sql": WRITE,
      "queries/b.sql": sqlRequest("UPDATE orders SET status = 'y' WHERE id = 8;", { target: "orders-16" }),
    });
    const ready = plan(decided, { approval: approvalsBy(decided, "dana", "dave") });
    const parts = ready.run?.fingerprint.parts ?? {};
    expect(parts["queries/a.sql: parser"]).toMatch(/PostgreSQL 15 grammar/);
    expect(parts["queries/b.sql: parser"]).toMatch(/PostgreSQL 16 grammar/);
    expect(ready.parserVersions).toHaveLength(2);
  });
});

describe("approval context", () => {
  it("changes when any bundled grammar is upgraded, whatever order they are listed in", () => {
    const files = [{ path: "policies/querygate.yml", blobSha: "b".repeat(40) }];
    const versions = bundledGrammarVersions();
    expect(versions.map((v) => /PostgreSQL (\d+)/.exec(v)?.[1])).toEqual(["15", "16", "17"]);
    const digest = (parserVersions: string[]) =>
      approvalContextDigest({ baseRef: "main", policyFiles: files, parserVersions });
    expect(digest([...versions].reverse())).toBe(digest(versions));
    const upgraded = versions.map((v) => (v.includes("PostgreSQL 16") ? v.replace(/@[^ ]+/, "@99.0.0") : v));
    expect(digest(upgraded)).not.toBe(digest(versions));
  });
});

describe("decideRun", () => {
  const pr = {
    owner: "acme",
    repo: "r",
    pullNumber: 1,
    htmlUrl: "https://github.test/acme/r/pull/1",
    headSha: HEAD,
    author: "alice",
  };
  const run = async (over: Partial<Parameters<typeof decideRun>[0]> = {}) => {
    const decided = await decide({ "queries/a.sql": WRITE });
    const ready = plan(decided, { approval: approvalsBy(decided, "dana", "dave") });
    return {
      ready,
      decision: decideRun({
        plan: ready,
        pr,
        installationId: 1,
        sender: "alice",
        senderIsBot: false,
        trigger: "button",
        approved: null,
        now: NOW,
        ...over,
      }),
    };
  };

  it("queues one payload per file for the author, bound to the approvals that counted", async () => {
    const { decision } = await run();
    expect(decision.kind).toBe("run");
    if (decision.kind !== "run") return;
    expect(decision.payloads).toHaveLength(1);
    expect(decision.payloads[0]?.approvals.map((a) => a.login).sort()).toEqual(["dana", "dave"]);
    expect(decision.payloads[0]?.unit.parserVersion).toMatch(/PostgreSQL 15 grammar/);
  });

  it("refuses what is not what was approved, naming the part that changed", async () => {
    const { ready } = await run();
    const fingerprint = ready.run?.fingerprint;
    if (!fingerprint) throw new Error("expected a runnable plan");
    const approved = {
      ...fingerprint,
      digest: "x",
      parts: { ...fingerprint.parts, "queries/a.sql: parser": "libpg-query@0 (PostgreSQL 15 grammar)" },
    };
    const { decision } = await run({ approved });
    expect(decision).toMatchObject({
      kind: "refused",
      error: expect.stringContaining("queries/a.sql: parser"),
    });
  });

  it("refuses a bot and a stranger, and ignores a merge of a request that does not run on merge", async () => {
    expect((await run({ sender: "agent[bot]", senderIsBot: true })).decision).toMatchObject({
      kind: "refused",
      error: expect.stringContaining("bots never start runs"),
    });
    expect((await run({ sender: "mallory" })).decision).toMatchObject({
      kind: "refused",
      error: expect.stringContaining("@mallory may not start"),
    });
    expect((await run({ trigger: "merge" })).decision).toEqual({ kind: "ignored" });
  });

  it("is not runnable before the approvals are there", async () => {
    const decided = await decide({ "queries/a.sql": WRITE });
    const waiting = plan(decided, { approval: approvalsBy(decided, "dana") });
    expect(
      decideRun({
        plan: waiting,
        pr,
        installationId: 1,
        sender: "alice",
        senderIsBot: false,
        trigger: "button",
        approved: null,
        now: NOW,
      }),
    ).toEqual({ kind: "not_runnable" });
  });
});

describe("what ran does not run again (earlier head commits)", () => {
  const EARLIER = "e".repeat(40);
  const OTHER = sqlRequest("UPDATE orders SET status = 'y' WHERE id = 8;");
  const pr = {
    owner: "acme",
    repo: "r",
    pullNumber: 1,
    htmlUrl: "https://github.test/acme/r/pull/1",
    headSha: HEAD,
    author: "alice",
  };

  /** The ledger's execution of what `path` is now, queued on head `headSha`. */
  async function ranAs(
    files: Record<string, string>,
    path: string,
    more: Partial<PriorExecution> = {},
  ): Promise<PriorExecution> {
    const decided = await decide(files);
    const unit = plan(decided, { approval: approvalsBy(decided, "dana", "dave") }).run?.units.find(
      (u) => u.requestPath === path,
    );
    if (!unit) throw new Error(`no unit for ${path}`);
    return {
      key: "k".repeat(64),
      requestPath: path,
      headSha: EARLIER,
      ...identityOf(unit),
      state: "succeeded",
      queuedAt: new Date("2026-11-21T09:00:00Z"),
      endedAt: new Date("2026-11-21T09:00:01Z"),
      resultUrl: `${pr.htmlUrl}#issuecomment-5`,
      ...more,
    };
  }

  const decideFor = (planned: ReturnType<typeof plan>, over: Partial<Parameters<typeof decideRun>[0]> = {}) =>
    decideRun({
      plan: planned,
      pr,
      installationId: 1,
      sender: "alice",
      senderIsBot: false,
      trigger: "button",
      approved: null,
      now: NOW,
      ...over,
    });

  it("a push that leaves the request file unchanged: already ran, nothing to approve, no Run, every trigger refused", async () => {
    const files = { "queries/a.sql": WRITE };
    const decided = await decide(files);
    const priorExecutions = [await ranAs(files, "queries/a.sql")];
    const earlier = earlierRunsOf({ policy: basePolicy(), decided, priorExecutions, pr });
    expect(earlier).toEqual([
      {
        requestPath: "queries/a.sql",
        runsAgain: false,
        execution: expect.objectContaining({
          headSha: EARLIER,
          state: "succeeded",
          at: "2026-11-21T09:00:01.000Z",
        }),
      },
    ]);
    // The handler does not even read the reviews: nothing here can run.
    expect(
      needsApprovals({ policy: basePolicy(), decided, skipped: [], earlier, changesPolicy: false }),
    ).toBe(false);
    const planned = plan(decided, { priorExecutions });
    expect(planned.verdict).toEqual({ state: "already_ran", conclusion: "neutral", runnable: false });
    expect(planned.offerRun).toBe(false);
    expect(planned.run).toBeNull();
    expect(planned.reviewersToAsk).toEqual([]);
    for (const trigger of ["button", "comment", "merge", "auto"] as const)
      expect(decideFor(planned, { trigger, sender: "mallory" })).toEqual({
        kind: "already_ran",
        runs: earlier,
      });
    // Approved again on the new head, it still does not run.
    const reapproved = plan(decided, { priorExecutions, approval: approvalsBy(decided, "dana", "dave") });
    expect(reapproved.verdict.state).toBe("already_ran");
    expect(decideFor(reapproved)).toMatchObject({ kind: "already_ran" });
  });

  it("a push that changes one of two request files: only the changed one is runnable, once approved again", async () => {
    const before = { "queries/a.sql": WRITE, "queries/b.sql": OTHER };
    const priorExecutions = [await ranAs(before, "queries/a.sql"), await ranAs(before, "queries/b.sql")];
    const after = { ...before, "queries/b.sql": sqlRequest("UPDATE orders SET status = 'z' WHERE id = 8;") };
    const decided = await decide(after);
    const waiting = plan(decided, { priorExecutions, approval: approvalsBy(decided, "dana") });
    expect(waiting.verdict.state).toBe("needs_approval");
    expect(waiting.earlierRuns.map((r) => [r.requestPath, r.runsAgain])).toEqual([["queries/a.sql", false]]);
    const ready = plan(decided, { priorExecutions, approval: approvalsBy(decided, "dana", "dave") });
    expect(ready.verdict.state).toBe("ready");
    expect(ready.offerRun).toBe(true);
    expect(ready.run?.units.map((u) => u.requestPath)).toEqual(["queries/b.sql"]);
    expect(Object.keys(ready.run?.fingerprint.parts ?? {}).some((k) => k.startsWith("queries/a.sql"))).toBe(
      false,
    );
    const decision = decideFor(ready);
    expect(decision.kind).toBe("run");
    if (decision.kind === "run")
      expect(decision.payloads.map((p) => p.unit.requestPath)).toEqual(["queries/b.sql"]);
  });

  it("the same statements and target under a new path are the same request (fail closed)", async () => {
    const priorExecutions = [await ranAs({ "queries/a.sql": WRITE }, "queries/a.sql")];
    const moved = plan(await decide({ "queries/renamed.sql": WRITE }), { priorExecutions });
    expect(moved.verdict.state).toBe("already_ran");
    expect(moved.earlierRuns).toEqual([
      expect.objectContaining({
        requestPath: "queries/renamed.sql",
        execution: expect.objectContaining({ requestPath: "queries/a.sql" }),
      }),
    ]);
  });

  it("other statement bytes, another target or other parameters make a new request", async () => {
    const priorExecutions = [await ranAs({ "queries/a.sql": WRITE }, "queries/a.sql")];
    const verdictFor = async (text: string) =>
      plan(await decide({ "queries/a.sql": text }), { priorExecutions }).verdict.state;
    expect(await verdictFor(WRITE)).toBe("already_ran");
    // A statement's bytes start after the one before it: the first carries the .sql header's comment lines
    // (they are sent and hashed as approved), so a new reason or ticket is a new request, to approve anew.
    expect(
      await verdictFor(sqlRequest("UPDATE orders SET status = 'x' WHERE id = 7;", { reason: "again" })),
    ).toBe("needs_approval");
    expect(await verdictFor(sqlRequest("UPDATE orders SET status = 'x' WHERE id = 8;"))).toBe(
      "needs_approval",
    );
    expect(
      await verdictFor(sqlRequest("UPDATE orders SET status = 'x' WHERE id = 7;", { target: "orders-16" })),
    ).toBe("needs_approval");
    const statement = { index: 0, hash: "sha256:1" };
    const identity = (params: unknown[] | null) => ({ target: "t", statements: [{ ...statement, params }] });
    expect(sameRequest(identity(["9", "shipped"]), identity(["9", "shipped"]))).toBe(true);
    expect(sameRequest(identity(["9", "shipped"]), identity(["9", "paid"]))).toBe(false);
    expect(requestDigest(identity(["9", "shipped"]))).not.toBe(requestDigest(identity(["9", "paid"])));
    expect(requestDigest(identity(["9", "shipped"]))).toBe(requestDigest(identity(["9", "shipped"])));
    // A ledger row without its run payload does not say: any parameters match it (fail closed).
    expect(sameRequest(identity(null), identity(["9", "paid"]))).toBe(true);
  });

  it("failed or rolled back on an earlier head (nothing changed): may run again with this head's approvals", async () => {
    const files = { "queries/a.sql": WRITE };
    const decided = await decide(files);
    const approval = approvalsBy(decided, "dana", "dave");
    for (const state of ["failed", "rolled_back"]) {
      const retry = plan(decided, {
        approval,
        priorExecutions: [await ranAs(files, "queries/a.sql", { state })],
      });
      expect(retry.verdict.state).toBe("ready");
      expect(retry.offerRun).toBe(true);
      expect(retry.earlierRuns).toEqual([expect.objectContaining({ runsAgain: true })]);
      expect(decideFor(retry).kind).toBe("run");
    }
  });

  it("needs_verification, queued or running blocks — whatever else the ledger holds", async () => {
    const files = { "queries/a.sql": WRITE };
    const decided = await decide(files);
    const approval = approvalsBy(decided, "dana", "dave");
    for (const state of ["needs_verification", "queued", "running"]) {
      const failed = await ranAs(files, "queries/a.sql", {
        state: "failed",
        queuedAt: new Date("2026-11-21T09:30:00Z"),
      });
      const priorExecutions = [await ranAs(files, "queries/a.sql", { state }), failed];
      const planned = plan(decided, { approval, priorExecutions });
      expect(planned.verdict.state).toBe("already_ran");
      expect(planned.earlierRuns[0]?.execution.state).toBe(state);
    }
  });

  it("an execution on the current head is left to the ledger's key and the executed status", async () => {
    const files = { "queries/a.sql": WRITE };
    const decided = await decide(files);
    const approval = approvalsBy(decided, "dana", "dave");
    const priorExecutions = [
      await ranAs(files, "queries/a.sql", { headSha: HEAD.toUpperCase(), state: "failed" }),
    ];
    const planned = plan(decided, { approval, priorExecutions, executionCount: 1 });
    expect(planned.earlierRuns).toEqual([]);
    expect(planned.verdict.state).toBe("ready");
    expect(planned.offerRun).toBe(false);
  });

  it("a pull request that also changes the policy still needs its owners' approval; what ran does not run", async () => {
    const files = { "queries/a.sql": WRITE };
    const decided = await decide(files, true);
    const priorExecutions = [await ranAs(files, "queries/a.sql")];
    const earlier = earlierRunsOf({ policy: basePolicy(), decided, priorExecutions, pr });
    expect(needsApprovals({ policy: basePolicy(), decided, skipped: [], earlier, changesPolicy: true })).toBe(
      true,
    );
    const policyChange = { errors: [], tests: null };
    const waiting = plan(decided, { priorExecutions, policyChange });
    expect(waiting.verdict.state).toBe("needs_approval");
    const approval = approvalStatus({
      requirements: decided.decision.requirements,
      pr: { author: "alice", headSha: HEAD, commitAuthors: [], commitAuthorsIncomplete: null },
      reviews: ["dana", "dave", "sam"].map((login) => reviewFact(login, "APPROVED", HEAD)),
      contextWatermark: 0,
      isMember: (_org, slug, login) =>
        (slug === "dba" && ["dana", "dave"].includes(login)) || (slug === "security" && login === "sam"),
    });
    const approved = plan(decided, { priorExecutions, policyChange, approval });
    expect(approved.verdict.state).toBe("ready");
    expect(approved.run).toBeNull();
    expect(approved.offerRun).toBe(false);
    expect(decideFor(approved)).toMatchObject({ kind: "already_ran" });
  });
});
