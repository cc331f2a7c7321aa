import { createApiHandler } from "../api/api-router.js";
import { type AppServer, startAppServer } from "../app-server.js";
import { createHandlerDeps } from "../handlers/create-handler-deps.js";
import { createExecutionLedger } from "../runner/ledger/execution-ledger.js";
import { startRunner } from "../runner-service/start-runner.js";
import { type Simulator, startSimulator } from "../simulator/simulator.js";
import { type AppState, openState } from "../store/open-state.js";
import { readAppManifest } from "./app-manifest.js";
import { openScenarioDatabases } from "./scenario-databases.js";
import type { ScenarioTarget } from "./scenario-load.js";

/** The secret the simulator signs with and the app verifies; scenarios never leave this machine. */
export const SIM_WEBHOOK_SECRET = "querygate-sim-secret";

export interface ScenarioEnvironment {
  sim: Simulator;
  app: AppServer;
  state: AppState;
  targets: Array<{ name: string; database: string; url: string; seeded: boolean }>;
  /** Waits until every queued execution has run and been reported (the worker is asynchronous). */
  settleExecutions(): Promise<void>;
  /** Every execution the ledger holds, oldest first. */
  executions(): Promise<ScenarioExecution[]>;
  close(): Promise<void>;
}

export interface ScenarioExecution {
  key: string;
  pull_request: number;
  request_path: string;
  target: string;
  state: string;
  resolution: string | null;
  triggered_by: string;
  xid: string | null;
  sqlstate: string | null;
  row_counts: number[] | null;
  reported: boolean;
}

/** How long a step may wait for the executions it queued to run and be reported. */
export const SETTLE_EXECUTIONS_TIMEOUT_MS = 60_000;
const SETTLE_POLL_MS = 25;

export interface StartScenarioEnvironmentParams {
  owner: string;
  /** Admin URL of a PostgreSQL server for fresh databases; an embedded PostgreSQL when null. */
  adminDatabaseUrl: string | null;
  targets?: Record<string, ScenarioTarget>;
  logLevel?: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
  /** CLI runs: on SIGINT/SIGTERM, stop the app, the simulator and the databases before exiting. */
  handleSignals?: boolean;
  /** Serve the HTTP API (docs/api.md) at the app's /api/v1. */
  api?: boolean;
}

/** Fresh databases, the simulator and the real app on local ports, wired to each other. */
export async function startScenarioEnvironment(
  params: StartScenarioEnvironmentParams,
): Promise<ScenarioEnvironment> {
  const databases = await openScenarioDatabases(params.adminDatabaseUrl);
  const cleanups: Array<() => Promise<void>> = [() => databases.close()];
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`querygate sim: ${signal} received, cleaning up\n`);
    void close().then(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  const close = async () => {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
  };
  if (params.handleSignals) {
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  }
  try {
    const targets: ScenarioEnvironment["targets"] = [];
    // The runner's environment is the scenario's targets and nothing else: never this process's own variables.
    const runnerEnv: Record<string, string> = {};
    for (const [name, target] of Object.entries(params.targets ?? {})) {
      const url = target.databaseUrl ?? (await databases.createTarget({ name, seed: target.seed }));
      runnerEnv[targetEnvName(name)] = url;
      for (const variable of target.env) runnerEnv[variable] = url;
      targets.push({
        name,
        database: new URL(url).pathname.slice(1),
        url,
        seeded: target.databaseUrl === null && target.seed !== null,
      });
    }
    const state = await openState({ databaseUrl: databases.stateUrl, dataDir: ".querygate", log: () => {} });
    cleanups.unshift(() => state.close());
    const sim = await startSimulator({ owner: params.owner, ...readAppManifest() });
    cleanups.unshift(() => sim.close());
    const ledger = createExecutionLedger(state.pool);
    const app = await startAppServer({
      deps: await createHandlerDeps({ store: state.store, runner: { ledger, boss: state.queue.boss } }),
      appId: sim.appId,
      privateKey: sim.appPrivateKey,
      webhookSecret: SIM_WEBHOOK_SECRET,
      baseUrl: sim.apiBaseUrl,
      host: "127.0.0.1",
      port: 0,
      logLevel: params.logLevel ?? "warn",
      deterministic: true,
      healthCheck: async () => {
        await state.pool.query("select 1");
      },
      ...(params.api
        ? { api: ({ auth }) => createApiHandler({ pool: state.pool, auth, log: () => {} }) }
        : {}),
    });
    cleanups.unshift(() => app.stop());
    const worker = await startRunner({
      pool: state.pool,
      boss: state.queue.boss,
      ledger,
      store: state.store,
      auth: app.auth,
      env: runnerEnv,
      log: () => {},
    });
    cleanups.unshift(() => worker.stop());
    sim.setWebhookTarget(app.webhookUrl, SIM_WEBHOOK_SECRET);
    const settleExecutions = async () => {
      const deadline = Date.now() + SETTLE_EXECUTIONS_TIMEOUT_MS;
      for (;;) {
        const pending = await ledger.listUnresolved();
        if (pending.length === 0) return;
        if (Date.now() > deadline)
          throw new Error(
            `querygate sim: ${pending.length} execution(s) still ${pending.map((r) => r.state).join(", ")} after ${SETTLE_EXECUTIONS_TIMEOUT_MS} ms`,
          );
        await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
      }
    };
    const executions = async (): Promise<ScenarioExecution[]> =>
      (await ledger.listAll()).map((r) => ({
        key: r.key,
        pull_request: r.pullNumber,
        request_path: r.requestPath,
        target: r.target,
        state: r.state,
        resolution: r.resolution,
        triggered_by: r.triggeredBy,
        xid: r.xid,
        sqlstate: r.sqlstate,
        row_counts: r.rowCounts,
        reported: r.reportedAt !== null,
      }));
    return { sim, app, state, targets, settleExecutions, executions, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Environment variable that carries a target's connection string, e.g. QUERYGATE_TARGET_ORDERS_PROD_URL. */
export function targetEnvName(target: string): string {
  return `QUERYGATE_TARGET_${target.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_URL`;
}
