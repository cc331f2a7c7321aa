import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crashOutcome } from "../../src/runner/ledger/crash-outcome.js";
import { enqueueExecution, sendExecutionJob } from "../../src/runner/ledger/enqueue-execution.js";
import {
  createExecutionLedger,
  type ExecutionLedger,
  type ExecutionRequest,
  type ExecutionRow,
} from "../../src/runner/ledger/execution-ledger.js";
import {
  createExecutionWorker,
  type ExecuteFn,
  type ExecutionWorkerOptions,
  type ReportContext,
} from "../../src/runner/ledger/execution-worker.js";
import { idempotencyKey } from "../../src/runner/ledger/idempotency-key.js";
import { createPgXactStatus, type TransactionStatus } from "../../src/runner/ledger/xact-status.js";
import { EXECUTE_QUEUE, JOB_SCHEMA, type JobQueue, startJobQueue } from "../../src/store/job-queue.js";
import { runMigrations } from "../../src/store/migrations.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

const CONCURRENT_CALLS = 10;
const HEAD_SHA = "3f786850e387550fdab836ed7e6dc881de23001b";

let pathCounter = 0;
function request(overrides: Partial<ExecutionRequest> = {}): ExecutionRequest {
  pathCounter += 1;
  return {
    repo: "acme/db-requests",
    pullNumber: 7,
    headSha: HEAD_SHA,
    requestPath: `queries/request-${pathCounter}.sql`,
    statements: [{ index: 0, hash: "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca7" }],
    fingerprint: "fp-1",
    target: "orders-prod",
    readOnly: false,
    triggeredBy: "alice",
    payload: { sql: "update orders set state = 'void' where id = $1", params: [42] },
    ...overrides,
  };
}

describe("idempotency key", () => {
  const identity = request();

  it("is a stable SHA-256 of the unit's identity, case-insensitive only where GitHub is", () => {
    const key = idempotencyKey(identity);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(idempotencyKey({ ...identity })).toBe(key);
    expect(idempotencyKey({ ...identity, repo: "ACME/DB-Requests", headSha: HEAD_SHA.toUpperCase() })).toBe(
      key,
    );
    expect(idempotencyKey({ ...identity, requestPath: identity.requestPath.toUpperCase() })).not.toBe(key);
  });

  it("changes with every part of the identity", () => {
    const key = idempotencyKey(identity);
    const variants: Partial<ExecutionRequest>[] = [
      { repo: "acme/other" },
      { pullNumber: 8 },
      { headSha: "0".repeat(40) },
      { requestPath: "queries/other.sql" },
      { statements: [{ index: 1, hash: identity.statements[0]?.hash ?? "" }] },
      { statements: [{ index: 0, hash: "other" }] },
      { statements: [...identity.statements, { index: 1, hash: "second" }] },
    ];
    const keys = variants.map((variant) => idempotencyKey({ ...identity, ...variant }));
    expect(new Set([key, ...keys]).size).toBe(variants.length + 1);
  });

  it("does not depend on the fingerprint, the target or who triggered the run", () => {
    expect(
      idempotencyKey({ ...identity, fingerprint: "fp-2", triggeredBy: "bob", target: "x" } as never),
    ).toBe(idempotencyKey(identity));
  });

  it("refuses identities that cannot name one unit", () => {
    expect(() => idempotencyKey({ ...identity, statements: [] })).toThrow(/at least one statement/);
    expect(() => idempotencyKey({ ...identity, headSha: "main" })).toThrow(/commit SHA/);
    expect(() => idempotencyKey({ ...identity, pullNumber: 0 })).toThrow(/pullNumber/);
    expect(() =>
      idempotencyKey({
        ...identity,
        statements: [
          { index: 1, hash: "a" },
          { index: 0, hash: "b" },
        ],
      }),
    ).toThrow(/increasing order/);
  });
});

describe("crash outcome", () => {
  const write = { readOnly: false, xid: "1234" };
  it.each([
    [{ status: "committed" as TransactionStatus }, "succeeded", "crash_committed"],
    [{ status: "aborted" as TransactionStatus }, "failed", "crash_aborted"],
    [{ status: "in progress" as TransactionStatus }, "needs_verification", "crash_unknown"],
    [{ status: null }, "needs_verification", "crash_unknown"],
    [{ error: "connection refused" }, "needs_verification", "crash_unknown"],
  ])("resolves a write whose transaction lookup gave %j as %s", (lookup, state, resolution) => {
    expect(crashOutcome(write, lookup)).toMatchObject({ state, resolution });
  });

  it("needs verification for a write with no recorded transaction id", () => {
    expect(crashOutcome({ readOnly: false, xid: null }, undefined)).toMatchObject({
      state: "needs_verification",
      resolution: "crash_unknown",
    });
  });

  it("fails a read-only execution whatever became of its transaction", () => {
    expect(crashOutcome({ readOnly: true, xid: null }, undefined)).toMatchObject({
      state: "failed",
      resolution: "crash_read_only",
    });
  });
});

describe("execution ledger", () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let queue: JobQueue;
  let ledger: ExecutionLedger;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: CONCURRENT_CALLS + 2 });
    pool.on("error", () => {});
    await runMigrations(pool);
    queue = await startJobQueue({ connectionString: database.url, log: () => undefined });
    ledger = createExecutionLedger(pool);
  });

  afterAll(async () => {
    await queue?.stop();
    await pool?.end();
    await database?.drop();
  });

  async function countRows(key: string): Promise<number> {
    const { rows } = await pool.query("select count(*)::int as n from querygate.executions where key = $1", [
      key,
    ]);
    return rows[0].n;
  }

  async function countJobs(key: string): Promise<number> {
    const { rows } = await pool.query(
      `select count(*)::int as n from ${JOB_SCHEMA}.job where name = $1 and data->>'key' = $2`,
      [EXECUTE_QUEUE, key],
    );
    return rows[0].n;
  }

  function worker(overrides: Partial<ExecutionWorkerOptions> = {}) {
    return createExecutionWorker({
      pool,
      ledger,
      boss: queue.boss,
      execute: async () => ({ state: "succeeded", rowCounts: [1] }),
      xactStatus: async () => "committed",
      report: async () => undefined,
      log: () => undefined,
      inProgressChecks: 2,
      inProgressDelayMs: 10,
      ...overrides,
    });
  }

  it("keeps one row and one job when ten enqueues of one key race", async () => {
    const unit = request();
    const results = await Promise.all(
      Array.from({ length: CONCURRENT_CALLS }, () =>
        enqueueExecution({ ledger, boss: queue.boss, request: unit }),
      ),
    );
    const key = idempotencyKey(unit);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(results.map((result) => result.row.key))).toEqual(new Set([key]));
    // Every caller, created or not, sees the job the winner queued.
    expect(new Set(results.map((result) => result.row.jobId)).size).toBe(1);
    expect(await countRows(key)).toBe(1);
    expect(await countJobs(key)).toBe(1);
    const [job] = await queue.boss.findJobs(EXECUTE_QUEUE, { id: results[0]?.row.jobId ?? "" });
    expect(job?.data).toEqual({ key });
  });

  it("queues one request of a pull request once, whichever head commit and whichever replica asks", async () => {
    // Ten replicas (their own pools and ledgers), each asked on another head for the same request.
    const pools = Array.from({ length: CONCURRENT_CALLS }, () => {
      const replicaPool = new pg.Pool({ connectionString: database.url, max: 2 });
      replicaPool.on("error", () => {});
      return replicaPool;
    });
    try {
      const digest = "d".repeat(64);
      const results = await Promise.all(
        pools.map((replicaPool, i) =>
          enqueueExecution({
            ledger: createExecutionLedger(replicaPool),
            boss: queue.boss,
            request: request({
              headSha: i.toString(16).padStart(40, "a"),
              requestPath: "queries/fee.sql",
              requestDigest: digest,
            }),
          }),
        ),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.row.key)).size).toBe(1);
      const { rows } = await pool.query(
        "select count(*)::int as n from querygate.executions where request_digest = $1",
        [digest],
      );
      expect(rows[0].n).toBe(1);
      expect(await countJobs(results[0]?.row.key ?? "")).toBe(1);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it("queues the same request again on a later head only after a run that changed nothing", async () => {
    const digest = "e".repeat(64);
    const on = (head: string, more: Partial<ExecutionRequest> = {}) =>
      request({ headSha: head.repeat(40), requestPath: "queries/again.sql", requestDigest: digest, ...more });
    const finishAs = async (key: string, state: "failed" | "rolled_back" | "needs_verification") => {
      await ledger.claim(key, "worker-x");
      await ledger.finish(key, "worker-x", { state });
    };
    const first = await ledger.enqueueOnce(on("1"));
    expect(first.created).toBe(true);
    // Queued: another head finds it.
    expect(await ledger.enqueueOnce(on("2"))).toMatchObject({ created: false, row: { key: first.row.key } });
    await finishAs(first.row.key, "failed");
    // Failed: nothing changed, so a later head may queue it again; the same head never (its key).
    expect((await ledger.enqueueOnce(on("1"))).row.key).toBe(first.row.key);
    const second = await ledger.enqueueOnce(on("2"));
    expect(second.created).toBe(true);
    await finishAs(second.row.key, "rolled_back");
    const third = await ledger.enqueueOnce(on("3"));
    expect(third.created).toBe(true);
    await finishAs(third.row.key, "needs_verification");
    // It may have committed: never queued again, on any head.
    expect(await ledger.enqueueOnce(on("4"))).toMatchObject({
      created: false,
      row: { key: third.row.key, state: "needs_verification" },
    });
    // The digest is per pull request: another pull request's same request is its own.
    expect((await ledger.enqueueOnce(on("4", { pullNumber: 8 }))).created).toBe(true);
    // A row without a digest (a caller that did not give one) is guarded by its key only.
    expect((await ledger.enqueueOnce(on("5", { requestDigest: null }))).created).toBe(true);
  });

  it("records who, what, where and when on the row", async () => {
    const unit = request({ triggeredAt: new Date("2026-01-02T03:04:05Z"), readOnly: true });
    const { created, row } = await enqueueExecution({ ledger, boss: queue.boss, request: unit });
    expect(created).toBe(true);
    expect(row).toMatchObject({
      key: idempotencyKey(unit),
      repo: unit.repo,
      pullNumber: 7,
      headSha: HEAD_SHA,
      requestPath: unit.requestPath,
      statements: unit.statements,
      fingerprint: "fp-1",
      target: "orders-prod",
      readOnly: true,
      triggeredBy: "alice",
      triggeredAt: new Date("2026-01-02T03:04:05Z"),
      payload: unit.payload,
      state: "queued",
      reportedAt: null,
    });
  });

  it("leaves neither row nor job when the enqueue transaction rolls back", async () => {
    const unit = request();
    const key = idempotencyKey(unit);
    let sentJobId: string | null = null;
    await expect(
      ledger.enqueueOnce(unit, {
        onCreated: async (tx, row) => {
          sentJobId = await sendExecutionJob(queue.boss, tx, row.key);
          throw new Error("the GitHub call after the send failed");
        },
      }),
    ).rejects.toThrow(/GitHub call/);
    expect(sentJobId).toEqual(expect.any(String));
    expect(await countRows(key)).toBe(0);
    expect(await countJobs(key)).toBe(0);
    // The key is not burned: the next attempt queues normally.
    const again = await enqueueExecution({ ledger, boss: queue.boss, request: unit });
    expect(again.created).toBe(true);
    expect(await countJobs(key)).toBe(1);
  });

  it("lets exactly one of two racing claims win", async () => {
    const { row } = await ledger.enqueueOnce(request());
    const claims = await Promise.all([ledger.claim(row.key, "worker-a"), ledger.claim(row.key, "worker-b")]);
    const winners = claims.filter((claim) => claim !== null);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ state: "running", claimedBy: expect.stringMatching(/^worker-[ab]$/) });
  });

  it("runs a job once when two workers handle it at the same time", async () => {
    const { row } = await enqueueExecution({ ledger, boss: queue.boss, request: request() });
    let runs = 0;
    const execute: ExecuteFn = async (_job, hooks) => {
      runs += 1;
      await hooks.onTransactionId("777");
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { state: "succeeded", rowCounts: [1] };
    };
    let reports = 0;
    const report = async () => {
      reports += 1;
      return { commentId: 99 };
    };
    const results = await Promise.all([
      worker({ execute, report, workerId: "a" }).handleJob(row.key),
      worker({ execute, report, workerId: "b" }).handleJob(row.key),
    ]);
    expect(runs).toBe(1);
    expect(reports).toBe(1);
    expect(results.map((result) => result.status).sort()).toEqual(["busy", "settled"]);
    const final = await ledger.find(row.key);
    expect(final).toMatchObject({
      state: "succeeded",
      xid: "777",
      rowCounts: [1],
      resolution: "worker",
      reportCommentId: 99,
      reportAttempts: 1,
    });
    expect(final?.startedAt).toBeInstanceOf(Date);
    expect(final?.endedAt).toBeInstanceOf(Date);

    // A pg-boss retry of the same job, or a redelivery, changes nothing and runs nothing.
    const retry = await worker({ execute, report }).handleJob(row.key);
    expect(retry).toMatchObject({ status: "settled", steps: [] });
    const second = await enqueueExecution({ ledger, boss: queue.boss, request: request({ ...pick(row) }) });
    expect(second).toMatchObject({ created: false, row: { state: "succeeded" } });
    expect(await countJobs(row.key)).toBe(1);
    expect(runs).toBe(1);
    expect(reports).toBe(1);
  });

  it("marks an outcome reported exactly once", async () => {
    const { row } = await ledger.enqueueOnce(request());
    expect(await ledger.markReported(row.key)).toBeNull();
    await ledger.claim(row.key, "w");
    expect(await ledger.markReported(row.key)).toBeNull();
    await ledger.finish(row.key, "w", { state: "rolled_back", message: "row ceiling exceeded" });
    const marks = await Promise.all(
      Array.from({ length: CONCURRENT_CALLS }, (_, i) => ledger.markReported(row.key, { checkRunId: i + 1 })),
    );
    const winners = marks.filter((mark) => mark !== null);
    expect(winners).toHaveLength(1);
    expect(winners[0]?.reportedAt).toBeInstanceOf(Date);
    expect(await ledger.listUnresolved()).not.toContainEqual(expect.objectContaining({ key: row.key }));
  });

  it("fences a stale claim: its xid and outcome are refused", async () => {
    const { row } = await ledger.enqueueOnce(request());
    await ledger.claim(row.key, "w1");
    await expect(ledger.recordXid(row.key, "w2", "5")).rejects.toThrow(/roll back/);
    await ledger.recordXid(row.key, "w1", "5");
    await expect(ledger.recordXid(row.key, "w1", "6")).rejects.toThrow(/already has a transaction id/);
    expect(await ledger.finish(row.key, "w2", { state: "succeeded" })).toBeNull();
    expect(await ledger.finish(row.key, "w1", { state: "succeeded" })).toMatchObject({ state: "succeeded" });
    expect(await ledger.finish(row.key, "w1", { state: "failed" })).toBeNull();
  });

  it.each([
    ["committed", "succeeded"],
    ["aborted", "failed"],
    ["in progress", "needs_verification"],
    [null, "needs_verification"],
  ] as const)(
    "resolves a running row whose target transaction is %s as %s, without re-running",
    async (status, state) => {
      const { row } = await enqueueExecution({ ledger, boss: queue.boss, request: request() });
      await ledger.claim(row.key, "dead-worker");
      await ledger.recordXid(row.key, "dead-worker", "4242");
      const asked: string[] = [];
      const reported: ExecutionRow[] = [];
      const results = await worker({
        execute: async () => {
          throw new Error("must not run again");
        },
        xactStatus: async (target, xid) => {
          asked.push(`${target}:${xid}`);
          return status;
        },
        report: async (reportedRow) => {
          reported.push(reportedRow);
          return undefined;
        },
      }).resolveInterrupted();
      expect(results.find((result) => result.key === row.key)).toMatchObject({
        steps: ["resolved", "reported"],
        row: { state, xid: "4242" },
      });
      expect(asked).toContain("orders-prod:4242");
      // Other tests' leftovers are resolved too; this row is reported once, with its resolved state.
      expect(reported.filter((r) => r.key === row.key).map((r) => r.state)).toEqual([state]);
    },
  );

  it("needs verification when no xid was recorded or the lookup fails; fails a crashed read", async () => {
    const noXid = (await ledger.enqueueOnce(request())).row;
    await ledger.claim(noXid.key, "dead");
    const lookupFails = (await ledger.enqueueOnce(request())).row;
    await ledger.claim(lookupFails.key, "dead");
    await ledger.recordXid(lookupFails.key, "dead", "10");
    const read = (await ledger.enqueueOnce(request({ readOnly: true }))).row;
    await ledger.claim(read.key, "dead");
    await ledger.recordXid(read.key, "dead", "11");
    await worker({
      xactStatus: async () => {
        throw new Error("target unreachable");
      },
    }).resolveInterrupted();
    expect(await ledger.find(noXid.key)).toMatchObject({
      state: "needs_verification",
      resolution: "crash_unknown",
    });
    expect(await ledger.find(lookupFails.key)).toMatchObject({
      state: "needs_verification",
      message: expect.stringContaining("target unreachable"),
    });
    expect(await ledger.find(read.key)).toMatchObject({ state: "failed", resolution: "crash_read_only" });
  });

  it("leaves a row another live worker holds alone", async () => {
    const { row } = await ledger.enqueueOnce(request());
    await ledger.claim(row.key, "live");
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query("select pg_advisory_lock(('x' || substr($1, 1, 16))::bit(64)::bigint)", [row.key]);
      const results = await worker().resolveInterrupted();
      expect(results.find((result) => result.key === row.key)).toMatchObject({ status: "busy" });
      expect(await ledger.find(row.key)).toMatchObject({ state: "running" });
    } finally {
      await holder.end();
    }
  });

  it("fails an execution whose executor threw before starting a transaction; resolves one that threw after", async () => {
    const before = (await enqueueExecution({ ledger, boss: queue.boss, request: request() })).row;
    await worker({
      execute: async () => {
        throw new Error("cannot connect to target");
      },
    }).handleJob(before.key);
    expect(await ledger.find(before.key)).toMatchObject({
      state: "failed",
      resolution: "worker",
      message: expect.stringContaining("cannot connect to target"),
    });

    const after = (await enqueueExecution({ ledger, boss: queue.boss, request: request() })).row;
    await worker({
      execute: async (_job, hooks) => {
        await hooks.onTransactionId("31337");
        throw new Error("connection lost during COMMIT");
      },
      xactStatus: async () => "committed",
    }).handleJob(after.key);
    expect(await ledger.find(after.key)).toMatchObject({
      state: "succeeded",
      resolution: "crash_committed",
      message: expect.stringContaining("connection lost during COMMIT"),
    });
  });

  it("resolves an executor's 'unknown' from the target and hands its details to the reporter", async () => {
    const unknown = (await enqueueExecution({ ledger, boss: queue.boss, request: request() })).row;
    const contexts: ReportContext[] = [];
    await worker({
      execute: async (_job, hooks) => {
        await hooks.onTransactionId("4711");
        return { state: "unknown", message: "COMMIT got no answer", details: { rows: [["1"]] } };
      },
      xactStatus: async () => "aborted",
      report: async (_row, context) => {
        contexts.push(context);
        return undefined;
      },
    }).handleJob(unknown.key);
    expect(await ledger.find(unknown.key)).toMatchObject({
      state: "failed",
      resolution: "crash_aborted",
      message: expect.stringContaining("COMMIT got no answer"),
    });
    expect(contexts).toEqual([{ attempt: 1, details: { rows: [["1"]] } }]);
  });

  it("queues a new job for a queued row whose job was lost, and none for one still waiting", async () => {
    const lost = (await enqueueExecution({ ledger, boss: queue.boss, request: request() })).row;
    const waiting = (await enqueueExecution({ ledger, boss: queue.boss, request: request() })).row;
    await queue.boss.deleteJob(EXECUTE_QUEUE, lost.jobId ?? "");
    const results = await worker().resolveInterrupted();
    const requeued = await ledger.find(lost.key);
    expect(results.find((result) => result.key === lost.key)?.steps).toEqual(["requeued"]);
    expect(requeued?.jobId).not.toBe(lost.jobId);
    expect(requeued?.state).toBe("queued");
    expect(await countJobs(lost.key)).toBe(1);
    expect(results.find((result) => result.key === waiting.key)?.steps).toEqual([]);
    expect((await ledger.find(waiting.key))?.jobId).toBe(waiting.jobId);
  });
});

describe("execution worker on pg-boss", () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let queue: JobQueue;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url });
    pool.on("error", () => {});
    await runMigrations(pool);
    queue = await startJobQueue({ connectionString: database.url, log: () => undefined });
  });

  afterAll(async () => {
    await queue?.stop();
    await pool?.end();
    await database?.drop();
  });

  it("executes a queued request through work() and reports it once", async () => {
    const ledger = createExecutionLedger(pool);
    const executed: string[] = [];
    const reported: string[] = [];
    const worker = createExecutionWorker({
      pool,
      boss: queue.boss,
      execute: async (job, hooks) => {
        executed.push(job.key);
        expect(job.payload).toEqual({ sql: "update orders set state = 'void' where id = $1", params: [42] });
        await hooks.onTransactionId("900");
        return { state: "succeeded", rowCounts: [1] };
      },
      xactStatus: async () => "committed",
      report: async (row) => {
        reported.push(`${row.key}:${row.state}`);
        return {
          commentId: 1,
          checkRunId: 2,
          auditCommitSha: "c".repeat(40),
          resultMarkdown: "<!-- querygate:result -->\n### ✅ Executed",
          resultTitle: "Executed",
        };
      },
      log: () => undefined,
    });
    await worker.start();
    try {
      const { row } = await enqueueExecution({ ledger, boss: queue.boss, request: request() });
      const deadline = Date.now() + 20_000;
      let final = await ledger.find(row.key);
      while (final?.reportedAt === null && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        final = await ledger.find(row.key);
      }
      expect(final).toMatchObject({
        state: "succeeded",
        xid: "900",
        reportCommentId: 1,
        reportCheckRunId: 2,
        reportAuditCommitSha: "c".repeat(40),
        // The result as reported, kept for the API: it never reads results back from GitHub.
        resultMarkdown: "<!-- querygate:result -->\n### ✅ Executed",
        resultTitle: "Executed",
      });
      expect(executed).toEqual([row.key]);
      expect(reported).toEqual([`${row.key}:succeeded`]);
    } finally {
      await worker.stop();
    }
  });
});

describe("pg_xact_status lookup", () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  it("tells committed, aborted and in-progress transactions apart, and refuses a future xid", async () => {
    const xactStatus = createPgXactStatus({ connectionString: () => database.url });
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const xidOf = async () =>
        (await client.query<{ xid: string }>("select pg_current_xact_id()::text as xid")).rows[0]?.xid ?? "";
      await client.query("begin");
      const committed = await xidOf();
      await client.query("commit");
      await client.query("begin");
      const aborted = await xidOf();
      await client.query("rollback");
      await client.query("begin");
      const open = await xidOf();
      expect(await xactStatus("t", committed)).toBe("committed");
      expect(await xactStatus("t", aborted)).toBe("aborted");
      expect(await xactStatus("t", open)).toBe("in progress");
      await client.query("commit");
      expect(await xactStatus("t", open)).toBe("committed");
      await expect(xactStatus("t", "999999999999")).rejects.toThrow(/future/);
      await expect(xactStatus("t", "1; drop table x")).rejects.toThrow(/decimal/);
    } finally {
      await client.end();
    }
  });
});

function pick(row: ExecutionRow): Partial<ExecutionRequest> {
  return {
    repo: row.repo,
    pullNumber: row.pullNumber,
    headSha: row.headSha,
    requestPath: row.requestPath,
    statements: row.statements,
  };
}
