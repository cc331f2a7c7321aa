import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type AppServer, startAppServer } from "../../src/app-server.js";
import { createHandlerDeps } from "../../src/handlers/create-handler-deps.js";
import { createExecutionLedger, type ExecutionLedger } from "../../src/runner/ledger/execution-ledger.js";
import type { ExecutionWorker } from "../../src/runner/ledger/execution-worker.js";
import { startRunner } from "../../src/runner-service/start-runner.js";
import type { Simulator } from "../../src/simulator/simulator.js";
import { type AppState, openState } from "../../src/store/open-state.js";

/**
 * One replica of the app, in this process but sharing nothing with the others except the state database
 * and GitHub: its own pg pool, its own pg-boss instance (own connections, own polling loop), its own
 * Probot app and HTTP server (own installation token cache, policy and blob caches) and its own execution
 * worker (own worker id, key locks on its own connections).
 */
export interface Replica {
  name: string;
  state: AppState;
  app: AppServer;
  worker: ExecutionWorker;
  ledger: ExecutionLedger;
  stop(): Promise<void>;
}

export interface StartReplicaParams {
  name: string;
  stateUrl: string;
  sim: Simulator;
  webhookSecret: string;
  /** The runner's environment: the variables the policy's `connection` names (default: this process's). */
  env?: NodeJS.ProcessEnv;
  logLevel?: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
  /** Where worker and state log lines go (default: dropped). */
  log?: (message: string) => void;
}

/** Starts a replica the way production starts the app: state (migrations, job queue), server, worker. */
export async function startReplica(p: StartReplicaParams): Promise<Replica> {
  const log = p.log ?? (() => {});
  const dataDir = mkdtempSync(path.join(tmpdir(), `querygate-${p.name}-`));
  const cleanups: Array<() => Promise<void>> = [
    async () => rmSync(dataDir, { recursive: true, force: true }),
  ];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
  };
  try {
    const state = await openState({
      databaseUrl: p.stateUrl,
      dataDir,
      log: (m) => log(`${p.name} ${m}`),
    });
    cleanups.unshift(() => state.close());
    const ledger = createExecutionLedger(state.pool);
    const app = await startAppServer({
      deps: await createHandlerDeps({ store: state.store, runner: { ledger, boss: state.queue.boss } }),
      appId: p.sim.appId,
      privateKey: p.sim.appPrivateKey,
      webhookSecret: p.webhookSecret,
      baseUrl: p.sim.apiBaseUrl,
      host: "127.0.0.1",
      port: 0,
      logLevel: p.logLevel ?? "warn",
      deterministic: true,
      healthCheck: async () => {
        await state.pool.query("select 1");
      },
    });
    cleanups.unshift(() => app.stop());
    const worker = await startRunner({
      pool: state.pool,
      boss: state.queue.boss,
      ledger,
      store: state.store,
      auth: app.auth,
      ...(p.env ? { env: p.env } : {}),
      log: (m) => log(`${p.name} ${m}`),
    });
    cleanups.unshift(() => worker.stop());
    return { name: p.name, state, app, worker, ledger, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Starts `count` replicas on one state database. One after another: the first runs the migrations and
 * creates pg-boss's schema, the others find them (concurrent first start-ups are not what this tests).
 */
export async function startReplicas(
  p: Omit<StartReplicaParams, "name"> & { count: number },
): Promise<Replica[]> {
  const replicas: Replica[] = [];
  try {
    for (let i = 1; i <= p.count; i++) replicas.push(await startReplica({ ...p, name: `replica-${i}` }));
  } catch (error) {
    await stopReplicas(replicas);
    throw error;
  }
  return replicas;
}

/** Stops the workers first (no job is taken half-way), then the servers and the state connections. */
export async function stopReplicas(replicas: ReadonlyArray<Replica>): Promise<void> {
  await Promise.all(replicas.map((r) => r.worker.stop().catch(() => undefined)));
  await Promise.all(replicas.map((r) => r.stop()));
}
