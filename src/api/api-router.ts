import type { IncomingMessage, ServerResponse } from "node:http";
import type pg from "pg";
import { AppNotInstalledError, GitHubRefusedError } from "../github/github-errors.js";
import {
  type AppAuth,
  createInstallationClients,
  type InstallationClients,
} from "../github/installation-clients.js";
import { readActions } from "../github/read-repo-actions.js";
import { readTargets } from "../github/read-repo-targets.js";
import { createPolicyCache, type PolicyCache } from "../policy/policy-cache.js";
import { createStateStore, type StateStore } from "../store/state-store.js";
import { SubmitInputError } from "../submit/submit-errors.js";
import { ApiError, sendError, sendJson } from "./api-error.js";
import { API_PREFIX } from "./api-limits.js";
import { logApiCall } from "./call-log.js";
import { createRateLimiter, type RateLimiter } from "./rate-limit.js";
import { discardBody, readJsonBody } from "./read-json-body.js";
import { readRequest } from "./read-request-state.js";
import { submitApiRequest } from "./submit-api-request.js";
import { type ApiToken, createTokenStore, type TokenStore, tokenCovers } from "./token-store.js";
import { validateSubmitInput } from "./validate-submit-input.js";

export type ApiHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface CreateApiHandlerParams {
  /** The state database: tokens, rate windows, the call log, request states, the execution ledger. */
  pool: pg.Pool;
  /** Where requests' states and results are read from; default: the state store on `pool`. */
  store?: StateStore;
  /** The app's credentials (from the app server): no id → the app, an id → that installation. */
  auth: AppAuth;
  tokens?: TokenStore;
  rateLimiter?: RateLimiter;
  policies?: PolicyCache;
  log?: (message: string) => void;
}

interface Call {
  req: IncomingMessage;
  token: ApiToken;
  params: Record<string, string>;
  query: URLSearchParams;
}

interface Route {
  method: "GET" | "POST";
  /** For the log and errors, e.g. `GET /api/v1/requests/:owner/:repo/:number`. */
  pattern: string;
  regex: RegExp;
  names: string[];
  handle(call: Call): Promise<{ status: number; body: unknown }>;
}

const SEGMENT = "([A-Za-z0-9._-]+)";

/** Returns the handler for every path under API_PREFIX (docs/api.md). */
export function createApiHandler(p: CreateApiHandlerParams): ApiHandler {
  const tokens = p.tokens ?? createTokenStore(p.pool);
  const limiter = p.rateLimiter ?? createRateLimiter(p.pool);
  const policies = p.policies ?? createPolicyCache();
  const store = p.store ?? createStateStore(p.pool);
  const installations: InstallationClients = createInstallationClients(p.auth);
  const log = p.log ?? ((message: string) => console.error(message));

  const scoped = async (call: Call, owner: string, repo: string) => {
    if (!tokenCovers(call.token, `${owner}/${repo}`))
      throw new ApiError(
        403,
        "repo",
        `token "${call.token.name}" may not act on ${owner}/${repo}; it covers ${call.token.repos.join(", ")}`,
      );
    return installations.forRepo(owner, repo);
  };
  const repoQuery = (call: Call): { owner: string; repo: string } => {
    const value = call.query.get("repo");
    if (value === null || value === "")
      throw new ApiError(400, "repo", "give the repository as ?repo=OWNER/NAME");
    const match = /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(value);
    if (!match) throw new ApiError(422, "repo", `"${value}" is not a repository: give OWNER/NAME`);
    return { owner: match[1] as string, repo: match[2] as string };
  };
  const requestRef = (call: Call) => {
    const number = Number(call.params.number);
    if (!Number.isSafeInteger(number) || number < 1)
      throw new ApiError(400, "number", `"${call.params.number}" is not a pull request number`);
    return { owner: call.params.owner as string, repo: call.params.repo as string, number };
  };

  const routes: Route[] = [
    route("POST", "/requests", async (call) => {
      const input = validateSubmitInput(await readJsonBody(call.req));
      const octokit = await scoped(call, input.owner, input.repo);
      const targets = await readTargets(octokit, { owner: input.owner, repo: input.repo, policies });
      if (targets.ok && !targets.targets.some((t) => t.name === input.target))
        throw new ApiError(
          422,
          "target",
          `"${input.target}" is not a target of the policy on the default branch; known targets: ${targets.targets.map((t) => t.name).join(", ") || "none"}`,
        );
      const submitted = await submitApiRequest(octokit, input, call.token);
      log(`querygate api: token ${call.token.name} submitted ${submitted.id} (${submitted.url})`);
      return { status: 201, body: submitted };
    }),
    // A request's state and result come from the app's state store only (plus the pull request's own
    // facts from GitHub): never from comments or check runs, which anyone (or any app) can write.
    route("GET", "/requests/:owner/:repo/:number", async (call) => {
      const ref = requestRef(call);
      const octokit = await scoped(call, ref.owner, ref.repo);
      const read = await readRequest(octokit, store, ref);
      if (!read) throw notFoundPull(ref);
      return { status: 200, body: read.status };
    }),
    route("GET", "/requests/:owner/:repo/:number/result", async (call) => {
      const ref = requestRef(call);
      const octokit = await scoped(call, ref.owner, ref.repo);
      const read = await readRequest(octokit, store, ref);
      if (!read) throw notFoundPull(ref);
      const { status, result } = read;
      if (!result)
        throw new ApiError(
          404,
          null,
          `${status.id} has no result yet (state: ${status.state}); it has one once an approver runs it and querygate reports the outcome`,
        );
      return {
        status: 200,
        body: {
          id: status.id,
          url: status.url,
          state: status.state,
          outcome: result.outcome,
          status: result.status,
          result: { markdown: result.markdown },
        },
      };
    }),
    route("GET", "/targets", async (call) => {
      const { owner, repo } = repoQuery(call);
      const octokit = await scoped(call, owner, repo);
      const result = await readTargets(octokit, { owner, repo, policies });
      return {
        status: 200,
        body: result.ok
          ? { repo: `${owner}/${repo}`, policy_commit: result.policyCommit, targets: result.targets }
          : {
              repo: `${owner}/${repo}`,
              policy_commit: result.policyCommit,
              targets: [],
              policy_errors: result.errors,
            },
      };
    }),
    route("GET", "/actions", async (call) => {
      const { owner, repo } = repoQuery(call);
      const octokit = await scoped(call, owner, repo);
      const result = await readActions(octokit, { owner, repo });
      return { status: 200, body: { repo: `${owner}/${repo}`, ...result } };
    }),
  ];

  return async (req, res) => {
    const started = performance.now();
    const url = new URL(req.url ?? "/", "http://querygate.invalid");
    let pattern = `${req.method} ${url.pathname}`;
    let token: ApiToken | null = null;
    let status = 500;
    let field: string | null = null;
    try {
      const matched = match(routes, req.method ?? "GET", url.pathname);
      if (matched.route) pattern = `${matched.route.method} ${matched.route.pattern}`;
      token = await authenticate(tokens, req);
      const rate = await limiter.take(token.id);
      if (!rate.allowed)
        throw new ApiError(
          429,
          null,
          `token "${token.name}" made too many calls; try again in ${rate.retryAfterSeconds} s`,
          { "retry-after": String(rate.retryAfterSeconds) },
        );
      if (!matched.route) {
        if (matched.allowed.length > 0)
          throw new ApiError(
            405,
            null,
            `${req.method} is not allowed here; use ${matched.allowed.join(" or ")}`,
            {
              allow: matched.allowed.join(", "),
            },
          );
        throw new ApiError(404, null, `no API route ${req.method} ${url.pathname}; see docs/api.md`);
      }
      const out = await matched.route.handle({ req, token, params: matched.params, query: url.searchParams });
      status = out.status;
      sendJson(res, out.status, out.body, { "x-ratelimit-remaining": String(rate.remaining) });
    } catch (error) {
      const apiError = toApiError(error);
      if (apiError.status >= 500) log(`querygate api: ${pattern} failed: ${describe(error)}`);
      status = apiError.status;
      field = apiError.field;
      discardBody(req);
      sendError(res, apiError);
    } finally {
      await logApiCall(p.pool, {
        tokenId: token?.id ?? null,
        tokenName: token?.name ?? null,
        method: req.method ?? "",
        route: pattern,
        status,
        ms: performance.now() - started,
        errorField: field,
      }).catch((error: unknown) => log(`querygate api: could not log a call: ${describe(error)}`));
    }
  };
}

function route(method: Route["method"], path: string, handle: Route["handle"]): Route {
  const names: string[] = [];
  const regex = new RegExp(
    `^${API_PREFIX}${path.replace(/:([a-z]+)/g, (_, name: string) => {
      names.push(name);
      return SEGMENT;
    })}/?$`,
  );
  return { method, pattern: `${API_PREFIX}${path}`, regex, names, handle };
}

function match(
  routes: Route[],
  method: string,
  pathname: string,
): { route: Route | null; params: Record<string, string>; allowed: string[] } {
  const allowed: string[] = [];
  for (const r of routes) {
    const m = r.regex.exec(pathname);
    if (!m) continue;
    if (r.method !== method) {
      allowed.push(r.method);
      continue;
    }
    const params: Record<string, string> = {};
    r.names.forEach((name, i) => {
      params[name] = decodeURIComponent(m[i + 1] as string);
    });
    return { route: r, params, allowed };
  }
  return { route: null, params: {}, allowed };
}

async function authenticate(tokens: TokenStore, req: IncomingMessage): Promise<ApiToken> {
  const header = req.headers.authorization;
  if (!header)
    throw new ApiError(
      401,
      "authorization",
      "send an API token: Authorization: Bearer qg_… (querygate token create)",
      {
        "www-authenticate": 'Bearer realm="querygate"',
      },
    );
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const token = match ? await tokens.verify(match[1] as string) : null;
  if (!token)
    throw new ApiError(401, "authorization", "the API token is unknown or revoked; ask for a new one", {
      "www-authenticate": 'Bearer realm="querygate", error="invalid_token"',
    });
  return token;
}

function notFoundPull(ref: { owner: string; repo: string; number: number }): ApiError {
  return new ApiError(404, "number", `${ref.owner}/${ref.repo} has no pull request #${ref.number}`);
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof SubmitInputError) return new ApiError(422, error.field, error.message);
  if (error instanceof AppNotInstalledError) return new ApiError(404, "repo", error.message);
  if (error instanceof GitHubRefusedError)
    return new ApiError(502, null, `GitHub refused to ${error.step} (${error.status}); try again later`);
  const githubStatus = (error as { status?: unknown })?.status;
  if (typeof githubStatus === "number")
    return new ApiError(502, null, `GitHub answered ${githubStatus}; try again later`);
  return new ApiError(500, null, "internal error; the server log has the details");
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
