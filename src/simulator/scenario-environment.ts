import { type AppServer, startAppServer } from "../app-server.js";
import { createHandlerDeps } from "../handlers/create-handler-deps.js";
import { type AppState, openState } from "../store/open-state.js";
import { openScenarioDatabases } from "./scenario-databases.js";
import type { ScenarioTarget } from "./scenario-load.js";
import { type Simulator, startSimulator } from "./simulator.js";

/** The secret the simulator signs with and the app verifies; scenarios never leave this machine. */
export const SIM_WEBHOOK_SECRET = "querygate-sim-secret";

export interface ScenarioEnvironment {
  sim: Simulator;
  app: AppServer;
  state: AppState;
  targets: Array<{ name: string; database: string; url: string; seeded: boolean }>;
  close(): Promise<void>;
}

export interface StartScenarioEnvironmentParams {
  owner: string;
  /** Admin URL of a PostgreSQL server for fresh databases; an embedded PostgreSQL when null. */
  adminDatabaseUrl: string | null;
  targets?: Record<string, ScenarioTarget>;
  logLevel?: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
  /** CLI runs: on SIGINT/SIGTERM, stop the app, the simulator and the databases before exiting. */
  handleSignals?: boolean;
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
    for (const [name, target] of Object.entries(params.targets ?? {})) {
      const url = target.databaseUrl ?? (await databases.createTarget({ name, seed: target.seed }));
      process.env[targetEnvName(name)] = url;
      targets.push({
        name,
        database: new URL(url).pathname.slice(1),
        url,
        seeded: target.databaseUrl === null && target.seed !== null,
      });
    }
    const state = await openState({ databaseUrl: databases.stateUrl, dataDir: ".querygate", log: () => {} });
    cleanups.unshift(() => state.close());
    const sim = await startSimulator({ owner: params.owner });
    cleanups.unshift(() => sim.close());
    const app = await startAppServer({
      // Review-only until the runner is wired to GitHub.
      deps: await createHandlerDeps({ store: state.store, runnerEnabled: false }),
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
    });
    cleanups.unshift(() => app.stop());
    sim.setWebhookTarget(app.webhookUrl, SIM_WEBHOOK_SECRET);
    return { sim, app, state, targets, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Environment variable that carries a target's connection string, e.g. QUERYGATE_TARGET_ORDERS_PROD_URL. */
export function targetEnvName(target: string): string {
  return `QUERYGATE_TARGET_${target.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_URL`;
}
