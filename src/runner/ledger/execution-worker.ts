import { randomUUID } from "node:crypto";
import os from "node:os";
import type pg from "pg";
import type { PgBoss } from "pg-boss";
import { EXECUTE_QUEUE } from "../../store/job-queue.js";
import { crashOutcome, type XactLookup } from "./crash-outcome.js";
import { type ExecutionJobData, requeueExecution } from "./enqueue-execution.js";
import {
  createExecutionLedger,
  type ExecutionLedger,
  type ExecutionOutcome,
  type ExecutionRow,
  isFinalState,
  type ReportRefs,
} from "./execution-ledger.js";
import { withKeyLock } from "./key-lock.js";
import type { XactStatusFn } from "./xact-status.js";

/** How often, and how far apart, an "in progress" target transaction is asked again before giving up. */
export const IN_PROGRESS_CHECKS = 5;
export const IN_PROGRESS_DELAY_MS = 1_000;
/** Job states in which pg-boss will still hand the job to a worker by itself. */
const WAITING_JOB_STATES: readonly string[] = ["created", "retry"];

export interface ExecutionJob {
  key: string;
  row: ExecutionRow;
  payload: unknown;
}

export interface ExecuteHooks {
  /**
   * The executor calls this with `pg_current_xact_id()` of the target transaction and awaits it before
   * the first user statement; when it rejects, the executor must roll back without running anything.
   */
  onTransactionId(xid: string): Promise<void>;
}

/** What the executor returns: a final state, or "unknown" when it cannot tell (e.g. COMMIT got no answer). */
export interface ExecuteResult extends Omit<ExecutionOutcome, "state" | "resolution"> {
  state: ExecutionOutcome["state"] | "unknown";
  /** What the reporter needs that the ledger does not keep (result rows…); handed to report() in-process only. */
  details?: unknown;
}

/**
 * Runs the unit on the target. "unknown" (or a throw after onTransactionId) is resolved from the target
 * transaction's status, like a crash; a throw before onTransactionId means nothing ran and fails the row.
 */
export type ExecuteFn = (job: ExecutionJob, hooks: ExecuteHooks) => Promise<ExecuteResult>;

/**
 * Reports a final row (PR comment, check run, audit record). Called once per outcome; called again only
 * when an earlier call threw or its process died before `markReported` (`attempt` > 1), so a reporter
 * should find what an earlier attempt made (by the key) before making it again.
 */
export type ReportFn = (row: ExecutionRow, context: ReportContext) => Promise<ReportRefs | undefined>;

export interface ReportContext {
  /** 1 for the first call for this outcome. */
  attempt: number;
  /** The executor's `details`, when the same process ran and reports the execution; absent after a crash. */
  details?: unknown;
}

/** Test hooks: awaited at these points so a crash test can stop the process there. */
export type WorkerCheckpoint = (point: "before-claim" | "after-finish", key: string) => Promise<void>;

export interface ExecutionWorkerOptions {
  /** The app's state database (ledger). */
  pool: pg.Pool;
  boss: PgBoss;
  execute: ExecuteFn;
  xactStatus: XactStatusFn;
  report: ReportFn;
  ledger?: ExecutionLedger;
  workerId?: string;
  log?: (message: string) => void;
  localConcurrency?: number;
  inProgressChecks?: number;
  inProgressDelayMs?: number;
  checkpoint?: WorkerCheckpoint;
}

export type SettleStep = "executed" | "resolved" | "reported" | "requeued";

export interface SettleResult {
  key: string;
  /** busy: another live worker holds the key; missing: no ledger row for the key. */
  status: "busy" | "missing" | "settled";
  steps: SettleStep[];
  row: ExecutionRow | null;
}

export interface ExecutionWorker {
  workerId: string;
  /** The pg-boss handler's work for one job: claim → execute → finish → report, or only what is left. */
  handleJob(key: string): Promise<SettleResult>;
  /** At start-up: resolves rows left `running` by dead workers, reports unreported outcomes, requeues lost jobs. */
  resolveInterrupted(): Promise<SettleResult[]>;
  /** resolveInterrupted, then work() on the execute queue. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createExecutionWorker(options: ExecutionWorkerOptions): ExecutionWorker {
  const ledger = options.ledger ?? createExecutionLedger(options.pool);
  const workerId = options.workerId ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = options.log ?? ((message: string) => console.error(message));
  const checkpoint = options.checkpoint ?? (async () => undefined);
  const inProgressChecks = options.inProgressChecks ?? IN_PROGRESS_CHECKS;
  const inProgressDelayMs = options.inProgressDelayMs ?? IN_PROGRESS_DELAY_MS;
  let workId: string | undefined;

  async function settle(key: string, mode: "job" | "recover"): Promise<SettleResult> {
    const locked = await withKeyLock(options.pool, key, async (): Promise<SettleResult> => {
      const steps: SettleStep[] = [];
      let details: unknown;
      let row = await ledger.find(key);
      if (row === null) return { key, status: "missing", steps, row };
      if (row.state === "queued") {
        if (mode === "recover") {
          if (await requeueIfLost(row)) steps.push("requeued");
          return { key, status: "settled", steps, row: await ledger.find(key) };
        }
        await checkpoint("before-claim", key);
        const claimed = await ledger.claim(key, workerId);
        if (claimed) {
          ({ row, details } = await run(claimed));
          steps.push("executed");
        } else {
          // Claims are made under the key lock we hold, so this only happens to a row claimed outside
          // the worker; leave it to whoever did that.
          return { key, status: "settled", steps, row: await mustFind(key) };
        }
      }
      if (row.state === "running") {
        // We hold the key lock, so the worker that claimed this row is gone: resolve, never re-run.
        row = await resolveRunning(row);
        steps.push("resolved");
      }
      if (isFinalState(row.state) && row.reportedAt === null) {
        await checkpoint("after-finish", key);
        const reported = await reportOnce(key, details);
        if (reported) {
          row = reported;
          steps.push("reported");
        }
      }
      return { key, status: "settled", steps, row };
    });
    return locked.locked ? locked.value : { key, status: "busy", steps: [], row: null };
  }

  async function run(claimed: ExecutionRow): Promise<{ row: ExecutionRow; details?: unknown }> {
    let askedForXid = false;
    let result: ExecuteResult;
    try {
      result = await options.execute(
        { key: claimed.key, row: claimed, payload: claimed.payload },
        {
          onTransactionId: async (xid) => {
            askedForXid = true;
            await ledger.recordXid(claimed.key, workerId, xid);
          },
        },
      );
      if (result.state !== "unknown" && !isFinalState(result.state)) {
        throw new Error(`the executor returned state "${result.state}"`);
      }
    } catch (error) {
      const current = await mustFind(claimed.key);
      if (current.state !== "running") return { row: current };
      if (!askedForXid) {
        // No target transaction was started, so no statement can have run.
        const finished = await ledger.finish(claimed.key, workerId, {
          state: "failed",
          message: `The executor failed before starting a target transaction: ${errorMessage(error)}`,
        });
        return { row: finished ?? (await mustFind(claimed.key)) };
      }
      // The executor could not tell whether the target committed: resolve it like a crash.
      return { row: await resolveRunning(current, `the executor failed: ${errorMessage(error)}`) };
    }
    const { details, ...outcome } = result;
    if (outcome.state === "unknown") {
      const current = await mustFind(claimed.key);
      const cause = `the executor could not tell whether the target committed${outcome.message ? `: ${outcome.message}` : ""}`;
      return { row: current.state === "running" ? await resolveRunning(current, cause) : current, details };
    }
    const finished = await ledger.finish(claimed.key, workerId, {
      ...outcome,
      state: outcome.state,
      resolution: "worker",
    });
    if (finished === null) {
      log(
        `execution ${claimed.key}: finished as ${outcome.state}, but the ledger row had been resolved meanwhile`,
      );
    }
    return { row: finished ?? (await mustFind(claimed.key)), details };
  }

  async function resolveRunning(row: ExecutionRow, cause?: string): Promise<ExecutionRow> {
    const lookup = row.readOnly || row.xid === null ? undefined : await lookupXact(row.target, row.xid);
    const outcome = crashOutcome(row, lookup, cause);
    log(`execution ${row.key}: interrupted run resolved as ${outcome.state} (${outcome.resolution})`);
    // claimed_by is set whenever a row is running (table constraint).
    const finished = await ledger.finish(row.key, row.claimedBy ?? "", outcome);
    return finished ?? (await mustFind(row.key));
  }

  async function lookupXact(target: string, xid: string): Promise<XactLookup> {
    for (let check = 1; ; check++) {
      let status: Awaited<ReturnType<XactStatusFn>>;
      try {
        status = await options.xactStatus(target, xid);
      } catch (error) {
        return { error: errorMessage(error) };
      }
      // A killed worker's target session may not have noticed its closed socket yet.
      if (status !== "in progress" || check >= inProgressChecks) return { status };
      await delay(inProgressDelayMs);
    }
  }

  async function reportOnce(key: string, details: unknown): Promise<ExecutionRow | null> {
    const row = await ledger.beginReport(key);
    if (row === null) return null;
    const refs = await options.report(row, {
      attempt: row.reportAttempts,
      ...(details === undefined ? {} : { details }),
    });
    const marked = await ledger.markReported(key, refs ?? {});
    if (marked === null) log(`execution ${key}: reported, but it had been marked reported meanwhile`);
    return marked;
  }

  async function requeueIfLost(row: ExecutionRow): Promise<boolean> {
    if (row.jobId !== null) {
      const [job] = await options.boss.findJobs(EXECUTE_QUEUE, { id: row.jobId });
      if (job !== undefined && WAITING_JOB_STATES.includes(job.state)) return false;
    }
    // The job is gone, finished, failed or held by a dead worker while the row was never claimed:
    // nothing ran, so a new job is safe (a stray duplicate finds the row claimed and does nothing).
    const requeued = await requeueExecution({ ledger, boss: options.boss, key: row.key });
    if (requeued)
      log(`execution ${row.key}: queued again as job ${requeued.jobId} (job ${row.jobId} was lost)`);
    return requeued !== null;
  }

  async function resolveInterrupted(): Promise<SettleResult[]> {
    const results: SettleResult[] = [];
    for (const row of await ledger.listUnresolved()) {
      try {
        results.push(await settle(row.key, "recover"));
      } catch (error) {
        // One row that cannot be settled now must not keep the others (or the worker) from starting.
        log(`execution ${row.key}: could not be resolved at start-up: ${errorMessage(error)}`);
      }
    }
    return results;
  }

  return {
    workerId,
    handleJob: (key) => settle(key, "job"),

    resolveInterrupted,

    async start() {
      await resolveInterrupted();
      workId = await options.boss.work<ExecutionJobData>(
        EXECUTE_QUEUE,
        { batchSize: 1, localConcurrency: options.localConcurrency ?? 1 },
        async (jobs) => {
          for (const job of jobs) {
            const key = job.data?.key;
            if (typeof key !== "string" || !/^[0-9a-f]{64}$/.test(key)) {
              throw new Error(
                `execute job ${job.id} carries no execution key; it was not queued by enqueueExecution`,
              );
            }
            await settle(key, "job");
          }
        },
      );
    },

    async stop() {
      if (workId === undefined) return;
      const id = workId;
      workId = undefined;
      await options.boss.offWork(EXECUTE_QUEUE, { id, wait: true });
    },
  };

  async function mustFind(key: string): Promise<ExecutionRow> {
    const row = await ledger.find(key);
    if (row === null) throw new Error(`execution ${key} disappeared from the ledger`);
    return row;
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
