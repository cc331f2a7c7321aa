import { describe, expect, test } from "vitest";
import { requestResult, requestStatus } from "../../src/api/read-request-state.js";
import type { PullRequestFacts } from "../../src/github/read-pull-request.js";
import type { ExecutionSummary, RequestStateRecord } from "../../src/store/state-store.js";

const HEAD = "a".repeat(40);
const pull = (extra: Partial<PullRequestFacts> = {}): PullRequestFacts => ({
  repo: "Acme/DB",
  number: 7,
  url: "https://github.example/Acme/DB/pull/7",
  state: "open",
  merged: false,
  author: "alice",
  headSha: HEAD,
  baseRef: "main",
  title: "orders-prod: count",
  ...extra,
});
const record = (extra: Partial<RequestStateRecord> = {}): RequestStateRecord => ({
  repo: "acme/db",
  pullNumber: 7,
  headSha: HEAD,
  baseRef: "main",
  policyCommit: "b".repeat(40),
  state: "needs_approval",
  conclusion: "action_required",
  runnable: false,
  title: "Needs 1 more approval from @acme/dba",
  missing: ["Needs 1 more approval from @acme/dba (0 of 1 met) for rule `prod-reads`."],
  fingerprint: null,
  checkRunUrl: "https://github.example/Acme/DB/pull/7/checks?check_run_id=3",
  evaluatedAt: new Date("2026-03-04T05:06:07Z"),
  ...extra,
});
const execution = (extra: Partial<ExecutionSummary> = {}): ExecutionSummary => ({
  key: "k".repeat(64),
  requestPath: "queries/a.sql",
  state: "succeeded",
  commentId: 1,
  reported: true,
  resultTitle: "Executed",
  resultMarkdown: "<!-- querygate:result:a -->\n### ✅ Executed",
  ...extra,
});
const status = (p: {
  pull?: PullRequestFacts;
  record?: RequestStateRecord | null;
  executions?: ExecutionSummary[];
}) =>
  requestStatus({
    id: "Acme/DB#7",
    pull: p.pull ?? pull(),
    record: p.record === undefined ? record() : p.record,
    executions: p.executions ?? [],
  });

describe("a request's state, from the state store only", () => {
  test("an evaluation of this head onto another base (a late event from before a retarget) is not this one's", () => {
    expect(status({ pull: pull({ baseRef: "release" }) }).state).toBe("pending");
    expect(status({ pull: pull({ baseRef: "release" }), record: record({ baseRef: "release" }) }).state).toBe(
      "needs_approval",
    );
  });

  test("the recorded evaluation of the current head: its state, decision and missing approvals", () => {
    expect(status({})).toEqual({
      id: "Acme/DB#7",
      number: 7,
      url: "https://github.example/Acme/DB/pull/7",
      state: "needs_approval",
      pull_request: {
        state: "open",
        merged: false,
        author: "alice",
        head_sha: HEAD,
        title: "orders-prod: count",
      },
      decision: {
        conclusion: "action_required",
        status: "completed",
        title: "Needs 1 more approval from @acme/dba",
        url: "https://github.example/Acme/DB/pull/7/checks?check_run_id=3",
        runnable: false,
        head_sha: HEAD,
        policy_commit: "b".repeat(40),
        evaluated_at: "2026-03-04T05:06:07.000Z",
      },
      missing_approvals: ["Needs 1 more approval from @acme/dba (0 of 1 met) for rule `prod-reads`."],
      executions: [],
    });
  });

  test("nothing recorded, or recorded for an earlier head: pending, with no decision", () => {
    expect(status({ record: null })).toMatchObject({
      state: "pending",
      decision: null,
      missing_approvals: [],
    });
    const stale = status({ record: record({ headSha: "c".repeat(40), state: "ready" }) });
    expect(stale).toMatchObject({ state: "pending", decision: null, missing_approvals: [] });
    // The head compares case-insensitively.
    expect(status({ record: record({ headSha: HEAD.toUpperCase() }) }).state).toBe("needs_approval");
  });

  test("closed wins over the record, executions win over both", () => {
    expect(status({ pull: pull({ state: "closed" }) }).state).toBe("closed");
    expect(status({ pull: pull({ state: "closed" }), record: null }).state).toBe("closed");
    const merged = pull({ state: "closed", merged: true });
    expect(
      status({ pull: merged, executions: [execution({ state: "running", reported: false })] }).state,
    ).toBe("running");
    expect(status({ pull: merged, executions: [execution()] })).toMatchObject({
      state: "executed",
      pull_request: { state: "closed", merged: true },
      executions: [
        { key: "k".repeat(64), request_path: "queries/a.sql", state: "succeeded", reported: true },
      ],
    });
  });

  test("running until every execution is final and reported", () => {
    const done = execution();
    for (const other of [
      execution({ requestPath: "queries/b.sql", state: "queued", reported: false }),
      execution({ requestPath: "queries/b.sql", state: "running", reported: false }),
      execution({ requestPath: "queries/b.sql", state: "failed", reported: false }),
    ])
      expect(status({ executions: [done, other] }).state).toBe("running");
    expect(status({ executions: [done, execution({ requestPath: "queries/b.sql" })] }).state).toBe(
      "executed",
    );
  });
});

describe("a request's result, from the execution ledger only", () => {
  test("none before every execution is final and reported", () => {
    expect(requestResult([])).toBeNull();
    expect(requestResult([execution({ reported: false })])).toBeNull();
    expect(requestResult([execution(), execution({ state: "running", reported: false })])).toBeNull();
  });

  test.each([
    ["succeeded", "executed"],
    ["failed", "failed"],
    ["rolled_back", "rolled_back"],
    ["needs_verification", "needs_verification"],
  ])("a ledger state %s is the outcome %s", (state, outcome) => {
    expect(requestResult([execution({ state })])?.outcome).toBe(outcome);
  });

  test("the worst of several executions speaks for all; titles and markdown in request path order", () => {
    const result = requestResult([
      execution({ requestPath: "queries/a.sql", resultMarkdown: "A", resultTitle: "Executed" }),
      execution({
        requestPath: "queries/b.sql",
        state: "rolled_back",
        resultMarkdown: "B",
        resultTitle: "Rolled back",
      }),
      execution({
        requestPath: "queries/c.sql",
        state: "needs_verification",
        resultMarkdown: "C",
        resultTitle: null,
      }),
    ]);
    expect(result).toEqual({
      outcome: "rolled_back",
      status: "Executed; Rolled back; needs_verification",
      markdown: "A\n\nB\n\nC",
    });
    expect(
      requestResult([execution({ state: "failed" }), execution({ state: "rolled_back" })])?.outcome,
    ).toBe("failed");
  });

  test("a result reported before results were kept says where to read it", () => {
    expect(requestResult([execution({ resultMarkdown: null })])?.markdown).toBe(
      "_The result of `queries/a.sql` was reported before querygate kept results in its own state: read it on the pull request._",
    );
  });
});
