import type { IncomingMessage, ServerResponse } from "node:http";
import { findValidToken } from "../auth/installation-tokens.js";
import { userAccessProblem } from "../auth/user-access.js";
import { verifyAppJwt } from "../auth/verify-app-jwt.js";
import type { OpenApiChecker } from "../openapi/openapi-checker.js";
import { SimulatorGapError } from "../routes/route-helpers.js";
import type {
  ApiActor,
  ApiRequest,
  ApiResponse,
  RouteContext,
  RouteDefinition,
  RouteTable,
} from "./api-types.js";

export const API_PREFIX = "/api/v3";

// Octokit's throttling plugin reads these headers; the simulator never limits, so it reports a fresh hour.
const RATE_LIMIT_PER_HOUR = 5000;
const RATE_LIMIT_WINDOW_S = 3600;

const OPENAPI_VIOLATION_MESSAGE = "querygate simulator: request violates GitHub's OpenAPI description";

export interface ApiCallRecord {
  method: string;
  route: string;
  status: number;
}

export interface ApiPipeline {
  ctx: RouteContext;
  checker: OpenApiChecker;
  routes: RouteTable;
  recordCall(call: ApiCallRecord): void;
  recordViolation(violation: string): void;
}

function send(res: ServerResponse, response: ApiResponse): void {
  const headers: Record<string, string> = {
    "x-github-media-type": "github.v3; format=json",
    "x-ratelimit-limit": String(RATE_LIMIT_PER_HOUR),
    "x-ratelimit-remaining": String(RATE_LIMIT_PER_HOUR - 1),
    "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + RATE_LIMIT_WINDOW_S),
    ...response.headers,
  };
  if (response.body === undefined) {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(response.body);
  res.writeHead(response.status, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function badCredentials(): ApiResponse {
  return {
    status: 401,
    body: { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" },
  };
}

/** Who the credentials name, or why they may not call this route. */
function authenticate(p: {
  authorization: string | undefined;
  kind: RouteDefinition["auth"];
  ctx: RouteContext;
}): { actor: ApiActor } | { problem: string } {
  const match = /^(?:token|bearer)\s+(\S+)$/i.exec(p.authorization?.trim() ?? "");
  if (!match)
    return { problem: p.authorization ? "malformed Authorization header" : "no Authorization header" };
  const credential = match[1] as string;
  const looksLikeJwt = credential.split(".").length === 3;
  if (p.kind === "app-jwt") {
    if (!looksLikeJwt)
      return { problem: "this endpoint needs the app's JWT, not an installation or user token" };
    const check = verifyAppJwt({
      jwt: credential,
      publicKey: p.ctx.appPublicKey,
      appId: p.ctx.state.app.id,
      nowMs: p.ctx.nowMs(),
    });
    return check.ok ? { actor: { kind: "app" } } : { problem: `JWT rejected: ${check.reason}` };
  }
  if (looksLikeJwt)
    return { problem: "this endpoint needs an installation or user token, not the app's JWT" };
  const token = findValidToken(p.ctx.state, credential, p.ctx.nowMs());
  if (!token) return { problem: "token is unknown or expired" };
  return {
    actor:
      token.user !== null
        ? { kind: "user", login: token.user }
        : { kind: "installation", login: p.ctx.state.app.botLogin },
  };
}

/** Routes the OpenAPI description puts under /app (and the repo installation lookup) use the app JWT. */
function defaultAuthKind(template: string): RouteDefinition["auth"] {
  return template.startsWith("/app") || template.endsWith("/installation") ? "app-jwt" : "installation";
}

/**
 * One REST request: OpenAPI check first, then credentials, then the simulator's handler. Every call is
 * recorded; every deviation from what GitHub would accept (or what the simulator can model) is a violation.
 */
export async function handleApiRequest(
  pipeline: ApiPipeline,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const method = (req.method ?? "GET").toUpperCase();
  const origin = `http://${req.headers.host ?? "127.0.0.1"}`;
  const url = new URL(req.url ?? "/", origin);
  const rawPath = (req.url ?? "/").split("?")[0] ?? "/";
  const answer = (route: string, response: ApiResponse, violation?: string) => {
    if (violation !== undefined) pipeline.recordViolation(`${method} ${rawPath}: ${violation}`);
    pipeline.recordCall({ method, route, status: response.status });
    send(res, response);
  };

  if (!rawPath.startsWith(`${API_PREFIX}/`)) {
    answer(
      rawPath,
      { status: 404, body: { message: "Not Found" } },
      `not a REST API path (expected ${API_PREFIX}/…)`,
    );
    return;
  }
  const path = rawPath.slice(API_PREFIX.length);
  const text = await readBody(req);
  let body: unknown;
  if (text.trim() !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      answer(
        path,
        { status: 400, body: { message: "Problems parsing JSON" } },
        "request body is not valid JSON",
      );
      return;
    }
  }

  const check = pipeline.checker.check({ method, path, query: url.searchParams, body });
  if (!check.route) {
    answer(path, { status: 404, body: { message: "Not Found" } }, check.errors.join("; "));
    return;
  }
  const route = check.route;
  if (!check.ok) {
    answer(
      route.template,
      { status: 422, body: { message: OPENAPI_VIOLATION_MESSAGE, errors: check.errors } },
      check.errors.join("; "),
    );
    return;
  }

  const definition = pipeline.routes[route.operationId];
  const authKind = definition?.auth ?? defaultAuthKind(route.template);
  const auth = authenticate({
    authorization: req.headers.authorization,
    kind: authKind,
    ctx: pipeline.ctx,
  });
  if ("problem" in auth) {
    answer(route.template, badCredentials(), `401 Bad credentials (${auth.problem})`);
    return;
  }
  if (!definition) {
    const message = `simulator does not implement ${route.operationId}`;
    answer(route.template, { status: 501, body: { message } }, message);
    return;
  }
  // A user's token may be refused what the installation may do; GitHub answers, nothing is violated.
  const refused = userAccessProblem({
    state: pipeline.ctx.state,
    actor: auth.actor,
    operationId: route.operationId,
    definition,
    method,
    params: route.params,
  });
  if (refused) {
    answer(route.template, refused);
    return;
  }

  const request: ApiRequest = {
    method,
    path,
    query: url.searchParams,
    body,
    params: route.params,
    url,
    actor: auth.actor,
  };
  try {
    answer(route.template, definition.handle(request, pipeline.ctx));
  } catch (error) {
    if (error instanceof SimulatorGapError) {
      answer(
        route.template,
        { status: 501, body: { message: error.message } },
        `${error.message} (${route.operationId})`,
      );
      return;
    }
    const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
    answer(
      route.template,
      { status: 500, body: { message: `querygate simulator crashed handling ${route.operationId}` } },
      `simulator bug in ${route.operationId}: ${reason}`,
    );
  }
}
