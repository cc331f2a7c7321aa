import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  API_MAX_BODY_BYTES,
  API_RATE_LIMIT_PER_WINDOW,
  API_RATE_WINDOW_MS,
} from "../../src/api/api-limits.js";
import { createApiHandler } from "../../src/api/api-router.js";
import { createRateLimiter } from "../../src/api/rate-limit.js";
import { createTokenStore, type TokenStore } from "../../src/api/token-store.js";
import { tokenCommand } from "../../src/cli/token-command.js";
import type { GitHubClient } from "../../src/github/octokit.js";
import { runMigrations } from "../../src/store/migrations.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

const REPO = "acme/db-requests";
const POLICY = readFileSync(path.resolve(import.meta.dirname, "../../policies/querygate.yml"), "utf8");
// Mid-window, so the whole test runs inside one rate window whatever the wall clock does.
const FIXED_NOW = 1_800_000_000_000 - (1_800_000_000_000 % API_RATE_WINDOW_MS) + API_RATE_WINDOW_MS / 2;

/** Just enough of GitHub for `GET /api/v1/targets`: the installation, the repository and its policy. */
function fakeGitHub(): GitHubClient {
  const sha = createHash("sha1").update(POLICY).digest("hex");
  const notFound = () => Promise.reject(Object.assign(new Error("Not Found"), { status: 404 }));
  const client = {
    rest: {
      apps: {
        getRepoInstallation: ({ owner, repo }: { owner: string; repo: string }) =>
          `${owner}/${repo}`.toLowerCase() === REPO ? Promise.resolve({ data: { id: 7 } }) : notFound(),
      },
      repos: {
        get: () => Promise.resolve({ data: { default_branch: "main" } }),
        getContent: ({ path: p }: { path: string }) =>
          p === "policies"
            ? Promise.resolve({
                data: [{ type: "file", name: "querygate.yml", path: "policies/querygate.yml", sha }],
              })
            : notFound(),
      },
      git: {
        getRef: () => Promise.resolve({ data: { object: { type: "commit", sha: "c".repeat(40) } } }),
        getBlob: () =>
          Promise.resolve({ data: { encoding: "base64", content: Buffer.from(POLICY).toString("base64") } }),
      },
    },
  };
  return client as unknown as GitHubClient;
}

describe("HTTP API tokens, scopes, limits and input errors (real PostgreSQL)", () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let tokens: TokenStore;
  let server: Server;
  let base: string;
  let secret: string;
  const logged: string[] = [];

  const call = (
    method: string,
    route: string,
    opts: { token?: string | null; body?: string; contentType?: string } = {},
  ) =>
    fetch(`${base}${route}`, {
      method,
      headers: {
        ...(opts.token === null ? {} : { authorization: `Bearer ${opts.token ?? secret}` }),
        ...(opts.body !== undefined ? { "content-type": opts.contentType ?? "application/json" } : {}),
      },
      body: opts.body,
    });
  const errorOf = async (response: Response) =>
    ((await response.json()) as { error: { field: string | null; message: string } }).error;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url });
    await runMigrations(pool);
    tokens = createTokenStore(pool);
    const github = fakeGitHub();
    const handler = createApiHandler({
      pool,
      auth: async () => github,
      tokens,
      rateLimiter: createRateLimiter(pool, { now: () => FIXED_NOW }),
      log: (m) => logged.push(m),
    });
    server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    ({ secret } = await tokens.create({ name: "ci-agent", repos: ["Acme/DB-Requests"] }));
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await pool?.end();
    await db?.drop();
  });

  it("stores only the SHA-256 of a token, never the token", async () => {
    expect(secret).toMatch(/^qg_[A-Za-z0-9_-]{43}$/);
    const { rows } = await pool.query<{ row: string }>(
      "select row_to_json(t)::text as row from querygate.api_tokens t",
    );
    const dump = rows.map((r) => r.row).join("\n");
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(secret.slice(3));
    expect(dump).toContain(createHash("sha256").update(secret).digest("hex"));
    // Repositories are kept lower case: scopes are compared like GitHub compares names.
    expect((await tokens.list())[0]).toMatchObject({ name: "ci-agent", repos: [REPO], actorType: "agent" });
  });

  it("answers a valid token and records its use; lists targets without connection details", async () => {
    const response = await call("GET", `/api/v1/targets?repo=${REPO}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { targets: Array<Record<string, unknown>> };
    expect(body.targets.map((t) => t.name)).toEqual(["orders-prod", "orders-staging"]);
    expect(body.targets[0]).toEqual({
      name: "orders-prod",
      engine: "postgres",
      environment: "production",
      server_version: 15,
      execute: "on_approval",
    });
    expect(JSON.stringify(body)).not.toContain("ORDERS_PROD_URL");
    expect((await tokens.list())[0]?.lastUsedAt).not.toBeNull();
  });

  it("refuses a call without a token, with a malformed one, an unknown one and a revoked one (401)", async () => {
    const { secret: doomed } = await tokens.create({ name: "doomed", repos: [REPO] });
    expect((await call("GET", `/api/v1/targets?repo=${REPO}`, { token: doomed })).status).toBe(200);
    expect(await tokens.revoke({ name: "doomed" })).toMatchObject({ name: "doomed" });
    for (const token of [null, "nope", `qg_${"A".repeat(43)}`, doomed]) {
      const response = await call("GET", `/api/v1/targets?repo=${REPO}`, { token });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer /);
      expect((await errorOf(response)).field).toBe("authorization");
    }
    // The name can be given to a new token once the old one is revoked.
    await expect(tokens.create({ name: "doomed", repos: [REPO] })).resolves.toBeTruthy();
    await expect(tokens.create({ name: "doomed", repos: [REPO] })).rejects.toThrow(/already named "doomed"/);
  });

  it("refuses a repository the token does not cover (403 naming repo)", async () => {
    const targets = await call("GET", "/api/v1/targets?repo=acme/other-requests");
    expect(targets.status).toBe(403);
    expect(await errorOf(targets)).toEqual({
      field: "repo",
      message: 'token "ci-agent" may not act on acme/other-requests; it covers acme/db-requests',
    });
    const submit = await call("POST", "/api/v1/requests", {
      body: JSON.stringify({ repo: "evil/db-requests", target: "orders-prod", reason: "x", sql: "select 1" }),
    });
    expect(submit.status).toBe(403);
    expect((await errorOf(submit)).field).toBe("repo");
    const status = await call("GET", "/api/v1/requests/evil/db-requests/1");
    expect(status.status).toBe(403);
    expect((await errorOf(status)).field).toBe("repo");
  });

  it.each([
    ["not JSON", "{", 400, "body"],
    ["a JSON array", "[]", 400, "body"],
    ["no repo", { target: "orders-prod", reason: "r", sql: "select 1" }, 400, "repo"],
    ["no reason", { repo: REPO, target: "orders-prod", sql: "select 1" }, 400, "reason"],
    ["a number as reason", { repo: REPO, target: "orders-prod", reason: 5, sql: "select 1" }, 400, "reason"],
    ["neither sql nor action", { repo: REPO, target: "orders-prod", reason: "r" }, 400, "sql"],
    [
      "max_rows as text",
      { repo: REPO, target: "orders-prod", reason: "r", sql: "select 1", max_rows: "5" },
      400,
      "max_rows",
    ],
    ["a bad repository", { repo: "acme", target: "orders-prod", reason: "r", sql: "select 1" }, 422, "repo"],
    [
      "both sql and action",
      { repo: REPO, target: "orders-prod", reason: "r", sql: "select 1", action: "a" },
      422,
      "sql",
    ],
    [
      "a negative max_rows",
      { repo: REPO, target: "orders-prod", reason: "r", sql: "select 1", max_rows: -1 },
      422,
      "max_rows",
    ],
    [
      "a two-line reason",
      { repo: REPO, target: "orders-prod", reason: "a\nb", sql: "select 1" },
      422,
      "reason",
    ],
    [
      "an unknown field",
      { repo: REPO, target: "orders-prod", reason: "r", sql: "select 1", role: "admin" },
      422,
      "role",
    ],
    [
      "a bad param name",
      { repo: REPO, target: "orders-prod", reason: "r", action: "a", params: { "1x": 1 } },
      422,
      "params.1x",
    ],
    [
      "params of sql as an object",
      { repo: REPO, target: "orders-prod", reason: "r", sql: "select $1", params: { a: 1 } },
      400,
      "params",
    ],
  ])("refuses %s with %i naming the field", async (_label, body, status, field) => {
    const response = await call("POST", "/api/v1/requests", {
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    expect(response.status).toBe(status);
    expect((await errorOf(response)).field).toBe(field);
  });

  it("refuses a body that is not JSON by type (400 naming content-type) and a bad number (400)", async () => {
    const text = await call("POST", "/api/v1/requests", { body: "{}", contentType: "text/plain" });
    expect(text.status).toBe(400);
    expect((await errorOf(text)).field).toBe("content-type");
    const number = await call("GET", `/api/v1/requests/${REPO}/0`);
    expect(number.status).toBe(400);
    expect((await errorOf(number)).field).toBe("number");
  });

  it("refuses an oversize body with 413 before reading it as JSON", async () => {
    const sql = `select '${"x".repeat(API_MAX_BODY_BYTES)}'`;
    const response = await call("POST", "/api/v1/requests", {
      body: JSON.stringify({ repo: REPO, target: "orders-prod", reason: "big", sql }),
    });
    expect(response.status).toBe(413);
    expect(await errorOf(response)).toMatchObject({ field: "body" });
  });

  it("answers unknown routes with 404 and wrong methods with 405", async () => {
    expect((await call("GET", "/api/v1/nothing")).status).toBe(404);
    const wrong = await call("DELETE", "/api/v1/requests");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
    // No route approves or runs anything: those happen in GitHub, by people.
    expect((await call("POST", `/api/v1/requests/${REPO}/1/approve`, { body: "{}" })).status).toBe(404);
    expect((await call("POST", `/api/v1/requests/${REPO}/1/run`, { body: "{}" })).status).toBe(404);
  });

  it(`allows ${API_RATE_LIMIT_PER_WINDOW} calls a window per token, then 429 with Retry-After; replicas share the count`, async () => {
    const { token, secret: busy } = await tokens.create({ name: "busy-agent", repos: [REPO] });
    // A second limiter on the same database stands for another replica.
    const replica = createRateLimiter(pool, { now: () => FIXED_NOW });
    for (let i = 1; i < API_RATE_LIMIT_PER_WINDOW; i++) {
      const response = await call("GET", `/api/v1/targets?repo=${REPO}`, { token: busy });
      expect(response.status).toBe(200);
    }
    expect(await replica.take(token.id)).toEqual({ allowed: true, remaining: 0 });
    const past = await call("GET", `/api/v1/targets?repo=${REPO}`, { token: busy });
    expect(past.status).toBe(429);
    expect(past.headers.get("retry-after")).toBe(String(API_RATE_WINDOW_MS / 2 / 1000));
    expect((await errorOf(past)).message).toContain('token "busy-agent" made too many calls');
    // Other tokens have their own windows.
    expect((await call("GET", `/api/v1/targets?repo=${REPO}`)).status).toBe(200);
    // And the next window starts afresh.
    const later = createRateLimiter(pool, { now: () => FIXED_NOW + API_RATE_WINDOW_MS });
    expect(await later.take(token.id)).toEqual({ allowed: true, remaining: API_RATE_LIMIT_PER_WINDOW - 1 });
  });

  it("logs every call, accepted or refused, with the token, the route pattern, the status and the time", async () => {
    const { rows } = await pool.query<{
      token_name: string | null;
      method: string;
      route: string;
      status: number;
      ms: number;
      error_field: string | null;
    }>("select token_name, method, route, status, ms, error_field from querygate.api_calls order by id");
    expect(rows.length).toBeGreaterThan(API_RATE_LIMIT_PER_WINDOW);
    expect(rows).toContainEqual(
      expect.objectContaining({
        token_name: null,
        route: "GET /api/v1/targets",
        status: 401,
        error_field: "authorization",
      }),
    );
    expect(rows).toContainEqual(
      expect.objectContaining({
        token_name: "ci-agent",
        route: "GET /api/v1/targets",
        status: 403,
        error_field: "repo",
      }),
    );
    expect(rows).toContainEqual(
      expect.objectContaining({ token_name: "busy-agent", route: "GET /api/v1/targets", status: 429 }),
    );
    expect(rows).toContainEqual(
      expect.objectContaining({
        token_name: "ci-agent",
        route: "GET /api/v1/requests/:owner/:repo/:number",
        status: 400,
      }),
    );
    expect(rows.every((r) => r.ms >= 0)).toBe(true);
    // No secret and no query string ever reaches the log.
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain("?repo=");
  });

  it("querygate token create prints the secret once; list and revoke never show it", async () => {
    const out: string[] = [];
    const open = async () => ({ tokens, close: async () => {} });
    const write = (text: string) => out.push(text);
    expect(
      await tokenCommand(["create", "--repo", "acme/db-requests,acme/other", "--name", "cli-made"], write, {
        open,
      }),
    ).toBe(0);
    const created = out.join("\n").match(/qg_[A-Za-z0-9_-]{43}/)?.[0] as string;
    expect(created).toBeTruthy();
    expect(out.join("\n")).toContain("shown only this once");
    expect(await tokens.verify(created)).toMatchObject({
      name: "cli-made",
      repos: ["acme/db-requests", "acme/other"],
    });
    out.length = 0;
    expect(await tokenCommand(["list"], write, { open })).toBe(0);
    expect(out.join("\n")).toContain("cli-made");
    expect(out.join("\n")).not.toMatch(/qg_/);
    expect(await tokenCommand(["revoke", "--name", "cli-made"], write, { open })).toBe(0);
    expect(await tokens.verify(created)).toBeNull();
    expect(await tokenCommand(["revoke", "--name", "cli-made"], write, { open })).toBe(1);
    expect(await tokenCommand(["create", "--repo", "not-a-repo", "--name", "x"], write, { open })).toBe(3);
    expect(out.at(-1)).toContain("--repo:");
  });
});
