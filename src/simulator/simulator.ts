import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { issueUserToken } from "./auth/user-tokens.js";
import { buildReport, type SimulatorReport } from "./build-report.js";
import { API_PREFIX, type ApiCallRecord, handleApiRequest } from "./http/handle-api-request.js";
import { createOpenApiChecker } from "./openapi/openapi-checker.js";
import { routeTable } from "./routes/route-table.js";
import { DEFAULT_WEBHOOK_SECRET } from "./simulator-limits.js";
import { type AppPermissions, createSimState } from "./state/sim-state.js";
import {
  closePullRequest,
  mergePullRequest,
  type OpenPullRequestParams,
  openPullRequest,
  pushToPullRequest,
  retargetPullRequest,
} from "./steps/pull-request-steps.js";
import {
  clickCheckRunButton,
  commentOnPullRequest,
  dismissReview,
  submitReview,
} from "./steps/review-steps.js";
import { addCollaborator, addTeam, createBranch, createRepoRecord } from "./steps/setup-steps.js";
import type { StepContext } from "./steps/step-context.js";
import {
  createWebhookDeliverer,
  type DeliveryRecord,
  type FanOutOptions,
  type WebhookTarget,
} from "./webhooks/webhook-deliverer.js";
import { createWebhookValidator, type WebhookValidator } from "./webhooks/webhook-validator.js";

export type { SimulatorReport } from "./build-report.js";

export interface SimulatorOptions {
  /** The organization the app is installed on. */
  owner: string;
  appId?: number;
  /** The app's registration on GitHub: its slug (its bot is `<slug>[bot]`), description, permissions, events. */
  appSlug?: string;
  appDescription?: string;
  appPermissions?: AppPermissions;
  appEvents?: readonly string[];
  installationId?: number;
  webhookUrl?: string;
  /** Defaults to Probot's own default, "development". */
  webhookSecret?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
}

export interface Simulator {
  apiBaseUrl: string;
  appId: number;
  installationId: number;
  appPrivateKey: string;
  setWebhookTarget(url: string, secret: string): void;
  /**
   * Several app replicas: every delivery (same body, same delivery id) goes to `fanOut` of them at once,
   * chosen round-robin; `deliveries` records each attempt with its `target`.
   */
  setWebhookTargets(targets: ReadonlyArray<WebhookTarget>, options?: FanOutOptions): void;
  createRepo(p: {
    fullName: string;
    defaultBranch?: string;
    files?: Record<string, string>;
    private?: boolean;
  }): void;
  createBranch(p: { repo: string; name: string; from?: string; files?: Record<string, string | null> }): void;
  addTeam(p: { org: string; slug: string; members: string[] }): void;
  addCollaborator(p: { repo: string; login: string; permission?: "read" | "write" | "admin" }): void;
  /**
   * A token that acts as `login` (a Bot when it ends in `[bot]`), like a person's or an agent's own token:
   * `Authorization: token <t>` or `Bearer <t>`. It may read what the user may read and write where the user
   * has push access; check runs stay the app's. Pull requests it opens send `pull_request.opened` with
   * the user as sender.
   */
  createUserToken(login: string): string;
  openPullRequest(p: OpenPullRequestParams): Promise<number>;
  push(p: {
    repo: string;
    number: number;
    author: string;
    files: Record<string, string | null>;
  }): Promise<void>;
  review(p: {
    repo: string;
    number: number;
    by: string;
    state: "approve" | "request_changes" | "comment";
    body?: string;
  }): Promise<void>;
  dismissReview(p: { repo: string; number: number; by: string; message?: string }): Promise<void>;
  comment(p: { repo: string; number: number; by: string; body: string }): Promise<void>;
  clickCheckRunButton(p: {
    repo: string;
    number: number;
    by: string;
    action: string;
    checkName?: string;
  }): Promise<void>;
  merge(p: { repo: string; number: number; by: string }): Promise<void>;
  retarget(p: { repo: string; number: number; base: string }): Promise<void>;
  redeliver(last: number): Promise<void>;
  deliverRaw(p: {
    event: string;
    payload: unknown;
    signature?: string | null;
    deliveryId?: string;
  }): Promise<{ status: number; body: string }>;
  /** The newest webhook payload built for `event` (a copy), e.g. to replay it through deliverRaw. */
  lastPayload(event: string): unknown;
  readonly deliveries: ReadonlyArray<DeliveryRecord>;
  readonly apiCalls: ReadonlyArray<ApiCallRecord>;
  readonly violations: ReadonlyArray<string>;
  report(): SimulatorReport;
  idle(): Promise<void>;
  /** With a pull request: closes it unmerged (pull_request.closed). */
  close(p: { repo: string; number: number }): Promise<void>;
  /** Without arguments: waits for in-flight deliveries, then stops the server. */
  close(): Promise<void>;
}

const DEFAULT_APP_ID = 1;
const DEFAULT_APP_SLUG = "simulated-app";
/** Every GitHub App may read repository metadata; anything more is asked for by its registration. */
const DEFAULT_APP_PERMISSIONS: AppPermissions = { metadata: "read" };
const DEFAULT_INSTALLATION_ID = 1;
const RSA_MODULUS_BITS = 2048;
const HOOK_ID = 1;
const HOST = "127.0.0.1";

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", (error) =>
      reject(new Error(`querygate simulator could not listen on ${HOST}:${port}: ${error.message}`)),
    );
    server.listen(port, HOST, () => resolve((server.address() as AddressInfo).port));
  });
}

/** Starts a stateful GitHub stand-in on 127.0.0.1: REST under /api/v3, signed webhooks to the app. */
export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  if (!opts.owner)
    throw new Error("startSimulator: `owner` (the organization the app is installed on) is required");
  const appId = opts.appId ?? DEFAULT_APP_ID;
  const installationId = opts.installationId ?? DEFAULT_INSTALLATION_ID;
  const appSlug = opts.appSlug ?? DEFAULT_APP_SLUG;
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: RSA_MODULUS_BITS,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  const state = createSimState({
    org: opts.owner,
    app: {
      id: appId,
      slug: appSlug,
      description: opts.appDescription ?? `${appSlug} (simulated)`,
      installationId,
      permissions: opts.appPermissions ?? DEFAULT_APP_PERMISSIONS,
      events: opts.appEvents ?? [],
    },
  });
  const violations: string[] = [];
  const apiCalls: ApiCallRecord[] = [];
  const recordViolation = (violation: string) => {
    violations.push(violation);
    process.stderr.write(`querygate simulator violation: ${violation}\n`);
  };

  let validator: WebhookValidator | undefined;
  const deliverer = createWebhookDeliverer({
    appId,
    hookId: HOOK_ID,
    validate: (event, payload) => {
      validator ??= createWebhookValidator();
      return validator.validate(event, payload);
    },
    recordViolation,
  });
  if (opts.webhookUrl) deliverer.setTarget(opts.webhookUrl, opts.webhookSecret ?? DEFAULT_WEBHOOK_SECRET);

  const urls = { api: "", web: "" };
  const ctx: StepContext & { appPublicKey: ReturnType<typeof createPublicKey>; nowMs(): number } = {
    state,
    urls,
    deliverer,
    appPublicKey: createPublicKey(publicKey),
    nowMs: () => Date.now(),
  };
  const pipeline = {
    ctx,
    checker: createOpenApiChecker(),
    routes: routeTable,
    recordCall: (call: ApiCallRecord) => apiCalls.push(call),
    recordViolation,
  };
  const server = createServer((req, res) => {
    handleApiRequest(pipeline, req, res).catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      recordViolation(`${req.method} ${req.url}: simulator failed to answer: ${reason}`);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "querygate simulator failed to answer" }));
    });
  });
  const port = await listen(server, opts.port ?? 0);
  urls.web = `http://${HOST}:${port}`;
  urls.api = `${urls.web}${API_PREFIX}`;

  return {
    apiBaseUrl: urls.api,
    appId,
    installationId,
    appPrivateKey: privateKey,
    setWebhookTarget: (url, secret) => deliverer.setTarget(url, secret),
    setWebhookTargets: (targets, options) => deliverer.setTargets(targets, options),
    createRepo: (p) => void createRepoRecord(ctx, p),
    createBranch: (p) => createBranch(ctx, p),
    addTeam: (p) => addTeam(ctx, p),
    addCollaborator: (p) => addCollaborator(ctx, p),
    createUserToken: (login) => issueUserToken(state, login, ctx.nowMs()).token,
    openPullRequest: (p) => openPullRequest(ctx, p),
    push: (p) => pushToPullRequest(ctx, p),
    review: (p) => submitReview(ctx, p),
    dismissReview: (p) => dismissReview(ctx, p),
    comment: (p) => commentOnPullRequest(ctx, p),
    clickCheckRunButton: (p) => clickCheckRunButton(ctx, p),
    merge: (p) => mergePullRequest(ctx, p),
    retarget: (p) => retargetPullRequest(ctx, p),
    redeliver: async (last) => deliverer.redeliver(last),
    deliverRaw: async (p) => deliverer.deliverRaw(p),
    lastPayload: (event) => deliverer.lastPayload(event),
    get deliveries() {
      return deliverer.deliveries;
    },
    get apiCalls() {
      return apiCalls;
    },
    get violations() {
      return violations;
    },
    report: () => buildReport(state),
    idle: () => deliverer.idle(),
    async close(p?: { repo: string; number: number }) {
      if (p) return closePullRequest(ctx, p);
      await deliverer.idle();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
