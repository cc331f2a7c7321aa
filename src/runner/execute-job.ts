import {
  DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  DEFAULT_LOCK_TIMEOUT_MS,
} from "../plan-pull-request/execution-units.js";
import { executeStatements } from "./execute/execute-statements.js";
import type { ExecuteFn } from "./ledger/execution-worker.js";
import { toExecuteResult } from "./ledger/executor-result.js";
import { connectionEnvFor, isRunPayload } from "./run-payload.js";

/** Shown to the database as application_name, with the start of the execution key. */
const APPLICATION_NAME_PREFIX = "querygate";

/**
 * The worker's executor: the connection string comes from the environment variable the policy names for
 * the unit's class, read at run time; the statements are the approved bytes from the ledger.
 */
export function createExecuteJob(p: { env: NodeJS.ProcessEnv; clock: () => Date }): ExecuteFn {
  return async (job, hooks) => {
    if (!isRunPayload(job.payload)) throw new Error(`execution ${job.key} has no run payload`);
    const payload = job.payload;
    const envName = connectionEnvFor(payload);
    const connectionString = p.env[envName];
    if (!connectionString)
      throw new Error(
        `the environment variable ${envName} is not set: it must hold the connection string of target ${payload.target.name} for ${payload.unit.readOnly ? "reads" : `${payload.unit.class} statements`}`,
      );
    const outcome = await executeStatements({
      statements: payload.unit.statements.map((s) => ({
        index: s.index,
        text: s.text,
        params: s.params,
        class: s.class,
        line: s.line,
        ownTransaction: s.ownTransaction,
      })),
      connectionString,
      settings: {
        statementTimeoutMs: payload.unit.statementTimeoutMs,
        lockTimeoutMs: DEFAULT_LOCK_TIMEOUT_MS,
        idleInTransactionTimeoutMs: DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS,
        applicationName: `${APPLICATION_NAME_PREFIX}/${job.key.slice(0, 12)}`,
        searchPath: payload.target.searchPath,
      },
      maxResultRows: payload.unit.maxResultRows,
      maxAffectedRows: payload.unit.maxAffectedRows,
      onTransactionId: hooks.onTransactionId,
      clock: p.clock,
      resolveColumnOrigins: payload.unit.statements.some((s) => s.mask.length > 0),
    });
    return toExecuteResult(outcome);
  };
}
