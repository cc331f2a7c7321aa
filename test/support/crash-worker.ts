/**
 * Child process for test/integration/execution-crash.test.ts: a real execution worker (pg-boss work() on
 * the state database) whose executor writes one row into the target database. With CRASH_PAUSE_AT set it
 * prints "PAUSED <point>" at that point and waits there to be killed with SIGKILL. Without it, it runs
 * until the ledger row CRASH_KEY is reported, prints "DONE <state>" and exits 0.
 *
 * Environment: CRASH_STATE_URL, CRASH_TARGET_URL, CRASH_KEY, CRASH_PAUSE_AT (optional).
 */
import pg from "pg";
import { createExecutionLedger } from "../../src/runner/ledger/execution-ledger.js";
import { createExecutionWorker, type ExecuteFn } from "../../src/runner/ledger/execution-worker.js";
import { createPgXactStatus } from "../../src/runner/ledger/xact-status.js";
import { startJobQueue } from "../../src/store/job-queue.js";

// Not imported by the test (importing would run main): the test names the same points.
type CrashPoint = "before-claim" | "before-commit" | "after-commit" | "after-finish";

const POLL_MS = 50;
const GIVE_UP_MS = 60_000;

async function main(): Promise<void> {
  const stateUrl = requireEnv("CRASH_STATE_URL");
  const targetUrl = requireEnv("CRASH_TARGET_URL");
  const key = requireEnv("CRASH_KEY");
  const pauseAt = process.env.CRASH_PAUSE_AT || null;

  const pause = async (point: CrashPoint): Promise<void> => {
    if (point !== pauseAt) return;
    process.stdout.write(`PAUSED ${point}\n`);
    // Keeps the process (and its connections, locks and open transaction) alive until the test kills it.
    setInterval(() => undefined, 60_000);
    await new Promise<never>(() => undefined);
  };

  const pool = new pg.Pool({ connectionString: stateUrl });
  pool.on("error", () => undefined);
  const target = new pg.Pool({ connectionString: targetUrl });
  target.on("error", () => undefined);
  const queue = await startJobQueue({
    connectionString: stateUrl,
    log: (message) => process.stderr.write(`${message}\n`),
  });
  const ledger = createExecutionLedger(pool);

  const execute: ExecuteFn = async (job, hooks) => {
    const client = await target.connect();
    try {
      await client.query("begin");
      const { rows } = await client.query<{ xid: string }>("select pg_current_xact_id()::text as xid");
      await hooks.onTransactionId(rows[0]?.xid ?? "");
      const inserted = await client.query("insert into effects (key) values ($1)", [job.key]);
      await pause("before-commit");
      await client.query("commit");
      await pause("after-commit");
      return { state: "succeeded", rowCounts: [inserted.rowCount ?? 0] };
    } catch (error) {
      await client.query("rollback").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };

  const worker = createExecutionWorker({
    pool,
    ledger,
    boss: queue.boss,
    execute,
    xactStatus: createPgXactStatus({ connectionString: () => targetUrl }),
    report: async (row, { attempt }) => {
      await target.query("insert into reports (key, state, resolution, attempt) values ($1, $2, $3, $4)", [
        row.key,
        row.state,
        row.resolution,
        attempt,
      ]);
      return { commentId: 1 };
    },
    checkpoint: (point) => pause(point),
    log: (message) => process.stderr.write(`${message}\n`),
    inProgressDelayMs: 200,
    inProgressChecks: 25,
  });
  await worker.start();

  const deadline = Date.now() + GIVE_UP_MS;
  for (;;) {
    const row = await ledger.find(key);
    if (row?.reportedAt) {
      process.stdout.write(`DONE ${row.state}\n`);
      break;
    }
    if (Date.now() > deadline) throw new Error(`execution ${key} was not reported within ${GIVE_UP_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  await worker.stop();
  await queue.stop();
  await target.end();
  await pool.end();
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`crash-worker: ${name} is not set`);
  return value;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`crash-worker failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
