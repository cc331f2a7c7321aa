import type pg from "pg";
import type { PgBoss } from "pg-boss";
import type { GitHubClient } from "../github/octokit.js";
import { createExecuteJob } from "../runner/execute-job.js";
import type { ExecutionLedger } from "../runner/ledger/execution-ledger.js";
import { createExecutionWorker, type ExecutionWorker } from "../runner/ledger/execution-worker.js";
import { createPgXactStatus } from "../runner/ledger/xact-status.js";
import { connectionEnvFor, isRunPayload } from "../runner/run-payload.js";
import type { StateStore } from "../store/state-store.js";
import { createExecutionReporter } from "./report-execution.js";

export interface StartRunnerParams {
  pool: pg.Pool;
  boss: PgBoss;
  ledger: ExecutionLedger;
  store: StateStore;
  auth: (installationId: number) => Promise<GitHubClient>;
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
  /** Where audit records go; default querygate/audit. */
  auditBranch?: string;
}

/**
 * The execution worker of this process: resolves what a crash left behind (never re-running a write),
 * then takes execute jobs from the queue the replicas share.
 */
export async function startRunner(p: StartRunnerParams): Promise<ExecutionWorker> {
  const env = p.env ?? process.env;
  const ledger = p.ledger;
  const worker = createExecutionWorker({
    pool: p.pool,
    boss: p.boss,
    ledger,
    execute: createExecuteJob({ env, clock: () => new Date() }),
    // pg_xact_status may be asked by any role: use the connection of the target's latest execution.
    xactStatus: createPgXactStatus({
      connectionString: async (target) => {
        const { rows } = await p.pool.query<{ payload: unknown }>(
          "select payload from querygate.executions where target = $1 and payload is not null order by created_at desc limit 1",
          [target],
        );
        const payload = rows[0]?.payload;
        const name = isRunPayload(payload) ? connectionEnvFor(payload) : null;
        const url = name ? env[name] : undefined;
        if (!url) throw new Error(`no connection string for target ${target} to ask pg_xact_status`);
        return url;
      },
    }),
    report: createExecutionReporter({
      store: p.store,
      auth: p.auth,
      ...(p.auditBranch ? { auditBranch: p.auditBranch } : {}),
    }),
    ...(p.log ? { log: p.log } : {}),
  });
  await worker.start();
  return worker;
}
