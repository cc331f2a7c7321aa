import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, Probot, ProbotOctokit } from "probot";
import { API_PREFIX } from "./api/api-limits.js";
import type { GitHubClient } from "./github/octokit.js";
import type { HandlerDeps } from "./handlers/handler-deps.js";
import { querygateApp } from "./index.js";
import { readWebhookBody } from "./read-webhook-body.js";

export const WEBHOOK_PATH = "/api/github/webhooks";
export const HEALTH_PATH = "/healthz";

export interface StartAppServerParams {
  deps: HandlerDeps;
  appId: number;
  privateKey: string;
  webhookSecret: string;
  /** GitHub's REST base URL; null for api.github.com. */
  baseUrl: string | null;
  host: string;
  port: number;
  logLevel: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
  /** Sim and tests: no retries or throttling, so one run's failures never leak into the next. */
  deterministic?: boolean;
  /** Readiness: whatever the app needs to serve (the state database). */
  healthCheck: () => Promise<void>;
  /** The HTTP API (docs/api.md): given the app's credentials, a handler for every path under API_PREFIX. */
  api?: (app: { auth(installationId?: number): Promise<GitHubClient> }) => ApiHook;
}

export type ApiHook = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface AppServer {
  url: string;
  webhookUrl: string;
  server: Server;
  /** An installation-scoped client outside any webhook, for the runner's reports. */
  auth(installationId: number): Promise<GitHubClient>;
  stop(): Promise<void>;
}

/**
 * The real app on a plain HTTP server: webhooks at WEBHOOK_PATH (bodies over GitHub's cap get 413 unread),
 * readiness at HEALTH_PATH.
 */
export async function startAppServer(params: StartAppServerParams): Promise<AppServer> {
  // Probot layers its own throttle options over ours, so the override must be applied last, as a function.
  const Octokit = params.deterministic
    ? ProbotOctokit.defaults((options: Record<string, unknown>) => ({
        ...options,
        retry: { enabled: false },
        throttle: { ...(options.throttle as object), enabled: false },
      }))
    : ProbotOctokit;
  const probot = new Probot({
    appId: params.appId,
    privateKey: params.privateKey,
    secret: params.webhookSecret,
    ...(params.baseUrl ? { baseUrl: params.baseUrl } : {}),
    logLevel: params.logLevel,
    Octokit,
  });
  let appLogin: Promise<string | null> | undefined;
  const deps = {
    ...params.deps,
    // Asked once; a failure is retried on the next event rather than remembered.
    appLogin: () =>
      (appLogin ??= probot
        .auth()
        .then((octokit) => octokit.rest.apps.getAuthenticated())
        .then(({ data }) => (data?.slug ? `${data.slug}[bot]` : null))
        .catch(() => {
          appLogin = undefined;
          return null;
        })),
  };
  const middleware = await createNodeMiddleware(querygateApp(deps), {
    probot,
    webhooksPath: WEBHOOK_PATH,
  });

  const api = params.api?.({
    auth: async (installationId) => (await probot.auth(installationId)) as unknown as GitHubClient,
  });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (api && (req.url === API_PREFIX || req.url?.startsWith(`${API_PREFIX}/`))) {
      api(req, res).catch((error: unknown) => {
        probot.log.error({ err: error }, "API request failed");
        json(res, 500, { error: { field: null, message: "internal error" } });
      });
      return;
    }
    if (req.url === HEALTH_PATH && req.method === "GET") {
      params.healthCheck().then(
        () => json(res, 200, { status: "ok" }),
        (error: unknown) =>
          json(res, 503, {
            status: "unavailable",
            error: error instanceof Error ? error.message : String(error),
          }),
      );
      return;
    }
    // Probot gets the body already read within GitHub's cap: it would otherwise buffer any size before the signature check.
    readWebhookBody(req, res)
      .then((read) => (read ? middleware(req, res, () => json(res, 404, { message: "Not Found" })) : false))
      .catch((error: unknown) => {
        probot.log.error({ err: error }, "request failed");
        if (!res.headersSent) json(res, 500, { message: "internal error" });
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(params.port, params.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = params.host === "0.0.0.0" ? "127.0.0.1" : params.host;
  const url = `http://${host}:${port}`;
  return {
    url,
    webhookUrl: `${url}${WEBHOOK_PATH}`,
    server,
    auth: async (installationId) => (await probot.auth(installationId)) as unknown as GitHubClient,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
