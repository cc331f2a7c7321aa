import { createSign, generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/index.js";
import { installationOctokit } from "../support/simulator-clients.js";

function appJwt(p: { appId: number; privateKey: string; expiresInS?: number }): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${encode({ alg: "RS256", typ: "JWT" })}.${encode({ iat: now - 30, exp: now + (p.expiresInS ?? 540), iss: p.appId })}`;
  const signature = createSign("RSA-SHA256").update(unsigned).sign(p.privateKey, "base64url");
  return `${unsigned}.${signature}`;
}

describe("simulator authentication and request checking", () => {
  let sim: Simulator;
  let api: (
    path: string,
    init?: { method?: string; token?: string | null; body?: string },
  ) => Promise<Response>;
  let token: string;

  beforeAll(async () => {
    sim = await startSimulator({ owner: "acme", appId: 42, appSlug: "querygate", installationId: 7 });
    sim.createRepo({ fullName: "acme/db", files: { "README.md": "hi\n" } });
    api = (path, init = {}) =>
      fetch(`${sim.apiBaseUrl}${path}`, {
        method: init.method ?? "GET",
        headers: {
          ...(init.token ? { authorization: `token ${init.token}` } : {}),
          ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(init.body !== undefined ? { body: init.body } : {}),
      });
    const exchange = await fetch(`${sim.apiBaseUrl}/app/installations/7/access_tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${appJwt({ appId: 42, privateKey: sim.appPrivateKey })}` },
    });
    expect(exchange.status).toBe(201);
    const body = (await exchange.json()) as {
      token: string;
      expires_at: string;
      repository_selection: string;
    };
    expect(body.token).toMatch(/^ghs_[A-Za-z0-9]{36}$/);
    expect(Date.parse(body.expires_at)).toBeGreaterThan(Date.now());
    expect(body.repository_selection).toBe("all");
    token = body.token;
  });

  afterAll(async () => {
    await sim.close();
  });

  const newViolations = async (run: () => Promise<void>): Promise<string[]> => {
    const before = sim.violations.length;
    await run();
    return sim.violations.slice(before);
  };

  test("Probot's own Octokit authenticates as the installation", async () => {
    const octokit = installationOctokit(sim);
    const { data } = await octokit.rest.repos.get({ owner: "acme", repo: "db" });
    expect(data.full_name).toBe("acme/db");
    expect(sim.apiCalls.at(-1)).toEqual({ method: "GET", route: "/repos/{owner}/{repo}", status: 200 });
  });

  test("GET /app and the repo installation take the app JWT", async () => {
    const jwt = appJwt({ appId: 42, privateKey: sim.appPrivateKey });
    const app = await fetch(`${sim.apiBaseUrl}/app`, { headers: { authorization: `Bearer ${jwt}` } });
    expect(app.status).toBe(200);
    expect(await app.json()).toMatchObject({ id: 42, slug: "querygate" });
    const installation = await fetch(`${sim.apiBaseUrl}/repos/acme/db/installation`, {
      headers: { authorization: `Bearer ${jwt}` },
    });
    expect(await installation.json()).toMatchObject({ id: 7, app_id: 42 });
  });

  test("a missing, unknown or misplaced credential is 401 Bad credentials and a violation", async () => {
    const violations = await newViolations(async () => {
      const none = await api("/repos/acme/db");
      expect(none.status).toBe(401);
      expect(await none.json()).toMatchObject({ message: "Bad credentials" });
      expect((await api("/repos/acme/db", { token: "ghs_notissued" })).status).toBe(401);
      const jwtOnRepo = await api("/repos/acme/db", {
        token: appJwt({ appId: 42, privateKey: sim.appPrivateKey }),
      });
      expect(jwtOnRepo.status).toBe(401);
      const tokenOnApp = await api("/app", { token });
      expect(tokenOnApp.status).toBe(401);
    });
    expect(violations).toHaveLength(4);
    expect(violations[0]).toMatch(
      /^GET \/api\/v3\/repos\/acme\/db: 401 Bad credentials \(no Authorization header\)/,
    );
    expect(violations[1]).toMatch(/unknown or expired/);
  });

  test("a JWT from another key, another app or already expired is refused", async () => {
    const { privateKey: otherKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const attempts = [
      appJwt({ appId: 42, privateKey: otherKey }),
      appJwt({ appId: 43, privateKey: sim.appPrivateKey }),
      appJwt({ appId: 42, privateKey: sim.appPrivateKey, expiresInS: -600 }),
    ];
    const violations = await newViolations(async () => {
      for (const jwt of attempts) {
        const res = await fetch(`${sim.apiBaseUrl}/app/installations/7/access_tokens`, {
          method: "POST",
          headers: { authorization: `Bearer ${jwt}` },
        });
        expect(res.status).toBe(401);
      }
    });
    expect(violations.map((v) => v.replace(/^.*JWT rejected: /, ""))).toEqual([
      "JWT signature does not match the app's private key)",
      "'Issuer' claim ('iss') must be the app id 42, got 43)",
      "'Expiration time' claim ('exp') is in the past)",
    ]);
  });

  test("a token for another installation id is 404", async () => {
    const res = await fetch(`${sim.apiBaseUrl}/app/installations/8/access_tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${appJwt({ appId: 42, privateKey: sim.appPrivateKey })}` },
    });
    expect(res.status).toBe(404);
  });

  test("an unknown route is 404 and a violation", async () => {
    const violations = await newViolations(async () => {
      const res = await api("/repos/acme/db/no-such-thing", { token });
      expect(res.status).toBe(404);
    });
    expect(violations).toEqual([expect.stringMatching(/^GET \/api\/v3\/repos\/acme\/db\/no-such-thing: /)]);
    expect(sim.apiCalls.at(-1)).toEqual({
      method: "GET",
      route: "/repos/acme/db/no-such-thing",
      status: 404,
    });
  });

  test("a body GitHub's OpenAPI description rejects is 422 and a violation naming the problem", async () => {
    const violations = await newViolations(async () => {
      const res = await api("/repos/acme/db/check-runs", {
        method: "POST",
        token,
        body: JSON.stringify({ name: "x" }),
      });
      expect(res.status).toBe(422);
      const body = (await res.json()) as { message: string; errors: string[] };
      expect(body.message).toBe("querygate simulator: request violates GitHub's OpenAPI description");
      expect(body.errors.join(" ")).toMatch(/head_sha/);
    });
    expect(violations).toEqual([
      expect.stringMatching(/^POST \/api\/v3\/repos\/acme\/db\/check-runs: .*head_sha/),
    ]);
  });

  test("invalid JSON is 400 Problems parsing JSON", async () => {
    const res = await api("/repos/acme/db/check-runs", { method: "POST", token, body: "{nope" });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: "Problems parsing JSON" });
    expect(sim.violations.at(-1)).toMatch(/not valid JSON/);
  });

  test("a real GitHub operation the simulator does not model is 501 and a violation", async () => {
    const res = await api("/repos/acme/db/branches", { token });
    expect(res.status).toBe(501);
    expect(sim.violations.at(-1)).toBe(
      "GET /api/v3/repos/acme/db/branches: simulator does not implement repos/list-branches",
    );
    expect(sim.apiCalls.at(-1)).toEqual({
      method: "GET",
      route: "/repos/{owner}/{repo}/branches",
      status: 501,
    });
  });
});
