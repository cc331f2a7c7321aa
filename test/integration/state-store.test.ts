import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExecutionLedger } from "../../src/runner/ledger/execution-ledger.js";
import { MIGRATIONS, runMigrations } from "../../src/store/migrations.js";
import { createStateStore, type RequestStateRecord, type StateStore } from "../../src/store/state-store.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

const CONCURRENT_CALLS = 10;
const HOLD_MS = 150;

describe("state store", () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let store: StateStore;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url });
    pool.on("error", () => {});
    await runMigrations(pool);
    store = createStateStore(pool);
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it("applies migrations once and skips them on the next run", async () => {
    expect(await runMigrations(pool)).toEqual([]);
    const { rows } = await pool.query<{ id: string }>(
      "select id from querygate.schema_migrations order by id",
    );
    expect(rows.map((row) => row.id)).toEqual(MIGRATIONS.map((migration) => migration.id));
  });

  it("applies migrations on a fresh database even when two start-ups race", async () => {
    const fresh = await createTestDatabase();
    const freshPool = new pg.Pool({ connectionString: fresh.url });
    freshPool.on("error", () => {});
    try {
      const [first, second] = await Promise.all([runMigrations(freshPool), runMigrations(freshPool)]);
      expect([...(first ?? []), ...(second ?? [])].sort()).toEqual(MIGRATIONS.map((m) => m.id).sort());
    } finally {
      await freshPool.end();
      await fresh.drop();
    }
  });

  it("reports a delivery seen before as a duplicate", async () => {
    const delivery = { id: "d-new-dup", event: "pull_request", action: "opened" };
    expect(await store.beginDelivery(delivery)).toBe("new");
    expect(await store.beginDelivery(delivery)).toBe("duplicate");
    await store.finishDelivery(delivery.id, { ok: true });
    expect(await store.beginDelivery(delivery)).toBe("duplicate");
    const { rows } = await pool.query(
      "select status, attempts, finished_at from querygate.deliveries where id = $1",
      [delivery.id],
    );
    expect(rows[0]).toMatchObject({ status: "done", attempts: 1 });
    expect(rows[0].finished_at).toBeInstanceOf(Date);
  });

  it("gives exactly one of many concurrent calls for the same delivery 'new'", async () => {
    const delivery = { id: "d-concurrent", event: "issue_comment", action: "created" };
    const results = await Promise.all(
      Array.from({ length: CONCURRENT_CALLS }, () => store.beginDelivery(delivery)),
    );
    expect(results.filter((result) => result === "new")).toHaveLength(1);
    expect(results.filter((result) => result === "duplicate")).toHaveLength(CONCURRENT_CALLS - 1);
  });

  it("lets a failed delivery be retried", async () => {
    const delivery = { id: "d-failed", event: "pull_request", action: null };
    expect(await store.beginDelivery(delivery)).toBe("new");
    await store.finishDelivery(delivery.id, { ok: false, error: "GitHub API 502" });
    const failed = await pool.query("select status, error from querygate.deliveries where id = $1", [
      delivery.id,
    ]);
    expect(failed.rows[0]).toEqual({ status: "failed", error: "GitHub API 502" });

    expect(await store.beginDelivery(delivery)).toBe("new");
    expect(await store.beginDelivery(delivery)).toBe("duplicate");
    const retried = await pool.query(
      "select status, attempts, error from querygate.deliveries where id = $1",
      [delivery.id],
    );
    expect(retried.rows[0]).toEqual({ status: "processing", attempts: 2, error: null });
  });

  it("retakes a delivery stuck in processing for longer than the stale threshold", async () => {
    const delivery = { id: "d-stale", event: "pull_request", action: "synchronize" };
    expect(await store.beginDelivery(delivery)).toBe("new");
    expect(await store.beginDelivery(delivery)).toBe("duplicate");
    await pool.query(
      "update querygate.deliveries set received_at = now() - interval '6 minutes' where id = $1",
      [delivery.id],
    );
    expect(await store.beginDelivery(delivery)).toBe("new");
    expect(await store.beginDelivery(delivery)).toBe("duplicate");

    const impatient = createStateStore(pool, { staleDeliveryMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await impatient.beginDelivery(delivery)).toBe("new");
    const { rows } = await pool.query("select attempts from querygate.deliveries where id = $1", [
      delivery.id,
    ]);
    expect(rows[0]).toEqual({ attempts: 3 });
  });

  it("refuses to finish a delivery that was never begun", async () => {
    await expect(store.finishDelivery("d-unknown", { ok: true })).rejects.toThrow(/never begun/);
  });

  it("upserts and finds check runs", async () => {
    const key = { repo: "acme/db", headSha: "abc123", name: "querygate" };
    expect(await store.findCheckRun(key)).toBeNull();
    await store.recordCheckRun({ ...key, checkRunId: 42, annotationsDigest: "a1" });
    expect(await store.findCheckRun(key)).toEqual({ checkRunId: 42, annotationsDigest: "a1" });
    await store.recordCheckRun({ ...key, checkRunId: 9_007_199_254, annotationsDigest: "b2" });
    expect(await store.findCheckRun(key)).toEqual({ checkRunId: 9_007_199_254, annotationsDigest: "b2" });
    expect(await store.findCheckRun({ ...key, headSha: "def456" })).toBeNull();
  });

  it("keeps one request state per pull request, replaced by each evaluation, the repository compared case-insensitively", async () => {
    const first: RequestStateRecord = {
      repo: "Acme/DB",
      pullNumber: 11,
      headSha: "a".repeat(40),
      baseRef: "main",
      policyCommit: "b".repeat(40),
      state: "needs_approval",
      conclusion: "action_required",
      runnable: false,
      title: "Needs 1 more approval from @acme/dba",
      missing: [
        "Needs 1 more approval from @acme/dba (0 of 1 met) for rule `prod-reads`.",
        "Needs 1 more approval from @acme/privacy (0 of 1 met) for rule `pii`.",
      ],
      fingerprint: null,
      checkRunUrl: "https://github.example/Acme/DB/pull/11/checks?check_run_id=5",
      evaluatedAt: new Date("2026-03-04T05:06:07.123Z"),
    };
    expect(await store.findRequestState({ repo: "acme/db", pullNumber: 11 })).toBeNull();
    await store.recordRequestState(first);
    expect(await store.findRequestState({ repo: "ACME/db", pullNumber: 11 })).toEqual({
      ...first,
      repo: "acme/db",
    });

    const second: RequestStateRecord = {
      ...first,
      repo: "acme/DB",
      headSha: "c".repeat(40),
      policyCommit: null,
      state: "ready",
      conclusion: "success",
      runnable: true,
      title: "Every approval requirement is met",
      missing: [],
      fingerprint: "f".repeat(64),
      checkRunUrl: null,
      evaluatedAt: new Date("2026-03-04T05:07:00Z"),
    };
    await store.recordRequestState(second);
    expect(await store.findRequestState({ repo: "Acme/DB", pullNumber: 11 })).toEqual({
      ...second,
      repo: "acme/db",
    });
    const { rows } = await pool.query(
      "select count(*)::int as n from querygate.request_states where repo = 'acme/db' and pull_number = 11",
    );
    expect(rows[0]).toEqual({ n: 1 });
    // Other pull requests, and the same number in another repository, have their own records.
    expect(await store.findRequestState({ repo: "acme/db", pullNumber: 12 })).toBeNull();
    expect(await store.findRequestState({ repo: "acme/other", pullNumber: 11 })).toBeNull();
  });

  it("refuses a request state that is not a verdict", async () => {
    const record = {
      repo: "acme/db",
      pullNumber: 13,
      headSha: "a".repeat(40),
      baseRef: "main",
      policyCommit: null,
      state: "executed",
      conclusion: "success",
      runnable: true,
      title: "t",
      missing: [],
      fingerprint: null,
      checkRunUrl: null,
      evaluatedAt: new Date(),
    } as unknown as RequestStateRecord;
    await expect(store.recordRequestState(record)).rejects.toThrow(/request_states_state_check/);
    await expect(
      store.recordRequestState({ ...record, state: "ready", conclusion: "approved" as never }),
    ).rejects.toThrow(/request_states_conclusion_check/);
  });

  it("keeps each reported execution's masked result markdown and outcome title, and lists them", async () => {
    const ledger = createExecutionLedger(pool);
    const headSha = "d".repeat(40);
    const unit = (requestPath: string) => ({
      repo: "Acme/DB",
      pullNumber: 14,
      headSha,
      requestPath,
      statements: [{ index: 0, hash: "e".repeat(64) }],
      fingerprint: "fp",
      target: "orders-prod",
      readOnly: true,
      triggeredBy: "dana",
    });
    const { row: a } = await ledger.enqueueOnce(unit("queries/a.sql"));
    const { row: b } = await ledger.enqueueOnce(unit("queries/b.sql"));
    for (const row of [a, b]) {
      await ledger.claim(row.key, "w1");
      await ledger.finish(row.key, "w1", { state: row === a ? "succeeded" : "rolled_back" });
    }
    const before = await store.listExecutions({ repo: "acme/db", pullNumber: 14, headSha });
    expect(before.map((e) => [e.requestPath, e.reported, e.resultTitle, e.resultMarkdown])).toEqual([
      ["queries/a.sql", false, null, null],
      ["queries/b.sql", false, null, null],
    ]);
    const markdown =
      "<!-- querygate:result:a -->\n### ✅ Executed\n| id | email |\n|---|---|\n| `3` | •••• |";
    const marked = await ledger.markReported(a.key, {
      commentId: 5,
      resultMarkdown: markdown,
      resultTitle: "Executed",
    });
    expect(marked).toMatchObject({ resultMarkdown: markdown, resultTitle: "Executed" });
    // A second report of the same outcome changes nothing.
    expect(await ledger.markReported(a.key, { resultMarkdown: "other", resultTitle: "other" })).toBeNull();
    const after = await store.listExecutions({
      repo: "ACME/db",
      pullNumber: 14,
      headSha: headSha.toUpperCase(),
    });
    expect(after).toEqual([
      {
        key: a.key,
        requestPath: "queries/a.sql",
        state: "succeeded",
        commentId: 5,
        reported: true,
        resultTitle: "Executed",
        resultMarkdown: markdown,
      },
      {
        key: b.key,
        requestPath: "queries/b.sql",
        state: "rolled_back",
        commentId: null,
        reported: false,
        resultTitle: null,
        resultMarkdown: null,
      },
    ]);
  });

  it("records the verdict already_ran (migration 0007)", async () => {
    const record: RequestStateRecord = {
      repo: "acme/db",
      pullNumber: 15,
      headSha: "a".repeat(40),
      baseRef: "main",
      policyCommit: "b".repeat(40),
      state: "already_ran",
      conclusion: "neutral",
      runnable: false,
      title: "Already ran: nothing here runs again",
      missing: [],
      fingerprint: null,
      checkRunUrl: null,
      evaluatedAt: new Date("2026-03-04T05:06:07Z"),
    };
    await store.recordRequestState(record);
    expect(await store.findRequestState({ repo: "acme/db", pullNumber: 15 })).toEqual(record);
  });

  it("lists a pull request's executions on every head, with the parameters their run payloads bound", async () => {
    const ledger = createExecutionLedger(pool);
    const unit = (headSha: string, requestPath: string, payload?: unknown) => ({
      repo: "Acme/DB",
      pullNumber: 16,
      headSha,
      requestPath,
      statements: [
        { index: 0, hash: "1".repeat(64) },
        { index: 1, hash: "2".repeat(64) },
      ],
      fingerprint: "fp",
      target: "orders-prod",
      readOnly: false,
      triggeredBy: "dana",
      ...(payload === undefined ? {} : { payload }),
    });
    const payload = {
      unit: {
        statements: [
          { index: 0, params: ["9", null] },
          { index: 1, params: [] },
        ],
      },
    };
    const { row: first } = await ledger.enqueueOnce(unit("a".repeat(40), "queries/x.yml", payload));
    await ledger.claim(first.key, "w1");
    await ledger.finish(first.key, "w1", { state: "succeeded" });
    await ledger.markReported(first.key, { commentId: 9 });
    const { row: second } = await ledger.enqueueOnce(unit("b".repeat(40), "queries/y.sql"));
    await ledger.enqueueOnce({ ...unit("b".repeat(40), "queries/z.sql"), pullNumber: 17 });
    const listed = await store.listPullRequestExecutions({ repo: "acme/db", pullNumber: 16 });
    expect(listed).toEqual([
      {
        key: first.key,
        requestPath: "queries/x.yml",
        headSha: "a".repeat(40),
        target: "orders-prod",
        statements: [
          { index: 0, hash: "1".repeat(64), params: ["9", null] },
          { index: 1, hash: "2".repeat(64), params: [] },
        ],
        state: "succeeded",
        queuedAt: first.createdAt,
        endedAt: expect.any(Date),
        commentId: 9,
        reported: true,
      },
      {
        key: second.key,
        requestPath: "queries/y.sql",
        headSha: "b".repeat(40),
        target: "orders-prod",
        // No run payload: the parameters are not known.
        statements: [
          { index: 0, hash: "1".repeat(64), params: null },
          { index: 1, hash: "2".repeat(64), params: null },
        ],
        state: "queued",
        queuedAt: second.createdAt,
        endedAt: null,
        commentId: null,
        reported: false,
      },
    ]);
  });

  it("serialises work on the same pull request", async () => {
    const spans: { name: string; start: number; end: number }[] = [];
    const hold = (name: string) => async () => {
      const start = performance.now();
      await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
      spans.push({ name, start, end: performance.now() });
      return name;
    };
    const pullRequest = { repo: "acme/db", pullNumber: 7 };
    const results = await Promise.all([
      store.withPullRequestLock(pullRequest, hold("first")),
      store.withPullRequestLock({ repo: "ACME/db", pullNumber: 7 }, hold("second")),
    ]);
    expect(results).toEqual(["first", "second"]);
    expect(spans).toHaveLength(2);
    const [earlier, later] = [...spans].sort((a, b) => a.start - b.start);
    expect(later?.start).toBeGreaterThanOrEqual(earlier?.end ?? Number.POSITIVE_INFINITY);
  });

  it("does not serialise different pull requests", async () => {
    const spans: { start: number; end: number }[] = [];
    const hold = async () => {
      const start = performance.now();
      await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
      spans.push({ start, end: performance.now() });
    };
    await Promise.all([
      store.withPullRequestLock({ repo: "acme/db", pullNumber: 8 }, hold),
      store.withPullRequestLock({ repo: "acme/db", pullNumber: 9 }, hold),
      store.withPullRequestLock({ repo: "acme/other", pullNumber: 8 }, hold),
    ]);
    const [a, b, c] = [...spans].sort((x, y) => x.start - y.start);
    expect(b?.start).toBeLessThan(a?.end ?? 0);
    expect(c?.start).toBeLessThan(a?.end ?? 0);
  });

  it("releases the lock when the work throws", async () => {
    const pullRequest = { repo: "acme/db", pullNumber: 10 };
    await expect(
      store.withPullRequestLock(pullRequest, async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    const { rows } = await pool.query(`select count(*)::int as held from pg_locks
       where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`);
    expect(rows[0]).toEqual({ held: 0 });
    expect(await store.withPullRequestLock(pullRequest, async () => "again")).toBe("again");
  });
});
