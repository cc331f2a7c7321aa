import type pg from "pg";
import type { PgBoss } from "pg-boss";
import { identityOf } from "../../plan-pull-request/earlier-runs.js";
import { requestDigest } from "../../plan-pull-request/same-request.js";
import { EXECUTE_QUEUE } from "../../store/job-queue.js";
import type { RunPayload } from "../run-payload.js";
import type { ExecutionLedger, ExecutionRequest, ExecutionRow } from "./execution-ledger.js";

/** What an `execute` job carries: only the ledger key; everything else is read from the ledger row. */
export interface ExecutionJobData {
  key: string;
}

export interface EnqueueExecutionParams {
  ledger: ExecutionLedger;
  boss: PgBoss;
  request: ExecutionRequest;
}

/**
 * Queues an execution unit once. The ledger row and the pg-boss job are written in one transaction
 * (pg-boss `send()` runs on that transaction through its `db` option), so both commit or neither does.
 * A redelivery or a second click finds the key and returns the existing row with `created: false`
 * and queues nothing: the caller reports `row.state` instead.
 */
export async function enqueueExecution(
  params: EnqueueExecutionParams,
): Promise<{ created: boolean; row: ExecutionRow }> {
  return params.ledger.enqueueOnce(params.request, {
    onCreated: (tx, row) => sendExecutionJob(params.boss, tx, row.key),
  });
}

/**
 * The ledger row's fields for one unit's payload: the key is derived from these (see idempotency-key.ts), and
 * the request's digest from its target, statements and parameters (see same-request.ts).
 */
export function executionRequestOf(payload: RunPayload, fingerprint: string): ExecutionRequest {
  return {
    repo: `${payload.owner}/${payload.repo}`,
    pullNumber: payload.pullNumber,
    headSha: payload.headSha,
    requestPath: payload.unit.requestPath,
    statements: payload.unit.statements.map((s) => ({ index: s.index, hash: s.hash })),
    fingerprint,
    target: payload.unit.target,
    readOnly: payload.unit.readOnly,
    triggeredBy: payload.triggeredBy,
    triggeredAt: new Date(payload.triggeredAt),
    payload,
    requestDigest: requestDigest(identityOf(payload.unit)),
  };
}

/** Queues a new job for a row that is still queued but whose job is gone or stuck (see resolveInterrupted). */
export async function requeueExecution(params: {
  ledger: ExecutionLedger;
  boss: PgBoss;
  key: string;
}): Promise<ExecutionRow | null> {
  return params.ledger.replaceJob(params.key, (tx) => sendExecutionJob(params.boss, tx, params.key));
}

/** Sends the job on the caller's transaction `tx`; it becomes visible to workers when `tx` commits. */
export async function sendExecutionJob(boss: PgBoss, tx: pg.ClientBase, key: string): Promise<string> {
  const data: ExecutionJobData = { key };
  const jobId = await boss.send(EXECUTE_QUEUE, data, {
    db: { executeSql: (text, values) => tx.query(text, values) },
  });
  if (!jobId) throw new Error(`the job queue did not accept the execute job for ${key}`);
  return jobId;
}
