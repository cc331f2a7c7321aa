import { existsSync } from "node:fs";
import { run } from "probot";
import { createApiHandler } from "./api/api-router.js";
import { startAppServer } from "./app-server.js";
import { loadConfig } from "./config/load-config.js";
import { createHandlerDeps } from "./handlers/create-handler-deps.js";
import { createExecutionLedger } from "./runner/ledger/execution-ledger.js";
import { startRunner } from "./runner-service/start-runner.js";
import { openState } from "./store/open-state.js";

/** `npm start`: validate the environment, open the state store, serve the app for real GitHub. */
async function main(): Promise<void> {
  // Probot's setup page writes the new app's credentials to .env; the real environment takes precedence.
  if (existsSync(".env")) process.loadEnvFile(".env");
  const result = loadConfig(process.env);
  if (!result.ok) {
    console.error("querygate cannot start:");
    for (const error of result.errors) console.error(`  - ${error}`);
    process.exit(2);
  }
  const config = result.config;
  if (config.credentials === null) {
    // No app yet: Probot serves its "register a GitHub App" page from app.yml.
    console.error(
      "querygate: APP_ID and a private key are not set; open the setup page to register the GitHub App.",
    );
    await run(() => {});
    return;
  }

  const state = await openState({ databaseUrl: config.databaseUrl ?? undefined, dataDir: config.dataDir });
  const ledger = createExecutionLedger(state.pool);
  const server = await startAppServer({
    deps: await createHandlerDeps({ store: state.store, runner: { ledger, boss: state.queue.boss } }),
    appId: config.credentials.appId,
    privateKey: config.credentials.privateKey,
    webhookSecret: config.webhookSecret,
    baseUrl: config.baseUrl,
    host: config.host,
    port: config.port,
    logLevel: config.logLevel as "info",
    healthCheck: async () => {
      await state.pool.query("select 1");
    },
    api: ({ auth }) => createApiHandler({ pool: state.pool, auth }),
  });
  const worker = await startRunner({
    pool: state.pool,
    boss: state.queue.boss,
    ledger,
    store: state.store,
    auth: server.auth,
    auditBranch: config.auditBranch,
  });
  console.error(`querygate listening on ${server.url} (webhooks at ${server.webhookUrl})`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`querygate: ${signal} received, stopping`);
    await server.stop();
    await worker.stop();
    await state.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(`querygate failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
