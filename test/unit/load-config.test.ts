import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type AppConfig, DEFAULT_HOST, DEFAULT_PORT, loadConfig } from "../../src/config/load-config.js";

const PEM = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
}).privateKey;

const tempDir = mkdtempSync(path.join(os.tmpdir(), "querygate-load-config-"));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

// Probot narrows some variables' types (LOG_LEVEL); the tests must pass any string, as a real environment can.
type Env = Record<string, string | undefined>;

function config(env: Env): AppConfig {
  const result = loadConfig(env as NodeJS.ProcessEnv);
  if (!result.ok) throw new Error(`expected a valid config: ${result.errors.join("; ")}`);
  return result.config;
}

function errors(env: Env): string[] {
  const result = loadConfig(env as NodeJS.ProcessEnv);
  if (result.ok) throw new Error("expected configuration errors");
  return result.errors;
}

const PRODUCTION = {
  NODE_ENV: "production",
  APP_ID: "123",
  PRIVATE_KEY: PEM,
  WEBHOOK_SECRET: "a-long-random-secret",
};

describe("loadConfig", () => {
  it("runs in development without credentials, using Probot's default secret", () => {
    expect(config({})).toEqual({
      production: false,
      credentials: null,
      webhookSecret: "development",
      databaseUrl: null,
      dataDir: ".querygate",
      host: DEFAULT_HOST,
      port: DEFAULT_PORT,
      logLevel: "info",
      baseUrl: null,
      auditBranch: "querygate/audit",
    });
  });

  it("takes QUERYGATE_AUDIT_BRANCH, and refuses what is not a branch name", () => {
    expect(config({ QUERYGATE_AUDIT_BRANCH: "main" }).auditBranch).toBe("main");
    const result = loadConfig({ QUERYGATE_AUDIT_BRANCH: "no such branch" });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatch(/^QUERYGATE_AUDIT_BRANCH must be a branch name/);
  });

  it("accepts a complete production environment", () => {
    expect(config(PRODUCTION)).toMatchObject({
      production: true,
      credentials: { appId: 123, privateKey: PEM },
      webhookSecret: "a-long-random-secret",
    });
  });

  it("refuses production without WEBHOOK_SECRET, naming the variable", () => {
    const found = errors({ ...PRODUCTION, WEBHOOK_SECRET: undefined });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^WEBHOOK_SECRET is not set/);
  });

  it("refuses production with an empty WEBHOOK_SECRET", () => {
    expect(errors({ ...PRODUCTION, WEBHOOK_SECRET: "" })[0]).toContain("WEBHOOK_SECRET");
  });

  it('refuses production with the public default secret "development"', () => {
    const found = errors({ ...PRODUCTION, WEBHOOK_SECRET: "development" });
    expect(found).toEqual([expect.stringContaining('WEBHOOK_SECRET is "development"')]);
  });

  it("refuses production without app credentials", () => {
    const found = errors({ NODE_ENV: "production", WEBHOOK_SECRET: "s3cret" });
    expect(found).toEqual([expect.stringContaining("NODE_ENV=production needs APP_ID and PRIVATE_KEY_PATH")]);
  });

  it.each(["abc", "12a", "0", "-1", "1.5"])("refuses the non-numeric or zero APP_ID %j", (appId) => {
    const found = errors({ APP_ID: appId, PRIVATE_KEY: PEM });
    expect(found).toEqual([`APP_ID must be your GitHub App's numeric id — got "${appId}"`]);
  });

  it("refuses APP_ID without a private key", () => {
    expect(errors({ APP_ID: "123" })).toEqual([expect.stringMatching(/^APP_ID is set but no private key/)]);
  });

  it("refuses a private key without APP_ID", () => {
    expect(errors({ PRIVATE_KEY: PEM })).toEqual([
      expect.stringMatching(/^a private key is set but APP_ID is not/),
    ]);
  });

  it("refuses both PRIVATE_KEY and PRIVATE_KEY_PATH", () => {
    const keyPath = path.join(tempDir, "both.pem");
    writeFileSync(keyPath, PEM);
    expect(errors({ APP_ID: "1", PRIVATE_KEY: PEM, PRIVATE_KEY_PATH: keyPath })).toEqual([
      expect.stringContaining("both PRIVATE_KEY and PRIVATE_KEY_PATH are set"),
    ]);
  });

  it("un-escapes \\n in PRIVATE_KEY", () => {
    const escaped = PEM.replaceAll("\n", "\\n");
    expect(escaped).not.toContain("\n");
    expect(config({ APP_ID: "42", PRIVATE_KEY: escaped }).credentials).toEqual({
      appId: 42,
      privateKey: PEM,
    });
  });

  it("reads the private key from PRIVATE_KEY_PATH", () => {
    const keyPath = path.join(tempDir, "app.pem");
    writeFileSync(keyPath, PEM);
    expect(config({ APP_ID: "42", PRIVATE_KEY_PATH: keyPath }).credentials).toEqual({
      appId: 42,
      privateKey: PEM,
    });
  });

  it("refuses a PRIVATE_KEY_PATH that does not exist, naming the path", () => {
    const keyPath = path.join(tempDir, "missing.pem");
    const found = errors({ APP_ID: "42", PRIVATE_KEY_PATH: keyPath });
    expect(found).toEqual([
      expect.stringContaining(`PRIVATE_KEY_PATH points to ${keyPath}, which does not exist`),
    ]);
  });

  it("refuses a private key that is not PEM", () => {
    expect(errors({ APP_ID: "42", PRIVATE_KEY: "not a key" })).toEqual([
      expect.stringContaining("the private key is not a PEM private key"),
    ]);
  });

  it("accepts a PKCS#8 PEM key", () => {
    const pkcs8 = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    }).privateKey;
    expect(config({ APP_ID: "7", PRIVATE_KEY: pkcs8 }).credentials?.privateKey).toBe(pkcs8);
  });

  it.each(["postgres://u:p@localhost:5432/db", "postgresql://localhost/db"])(
    "accepts DATABASE_URL %s",
    (url) => {
      expect(config({ DATABASE_URL: url }).databaseUrl).toBe(url);
    },
  );

  it.each(["mysql://localhost/db", "localhost:5432", "http://localhost/db"])(
    "refuses the DATABASE_URL %j",
    (url) => {
      expect(errors({ DATABASE_URL: url })).toEqual([
        expect.stringMatching(/^DATABASE_URL must be a postgres:\/\//),
      ]);
    },
  );

  it("accepts PORT 65535", () => {
    expect(config({ PORT: "65535" }).port).toBe(65535);
  });

  it.each(["65536", "-1", "80.5", "http"])("refuses PORT %j", (port) => {
    expect(errors({ PORT: port })).toEqual([`PORT must be a TCP port (0-65535) — got "${port}"`]);
  });

  it("refuses an unknown LOG_LEVEL and accepts a known one in any case", () => {
    expect(errors({ LOG_LEVEL: "verbose" })[0]).toContain("LOG_LEVEL must be one of");
    expect(config({ LOG_LEVEL: "DEBUG" }).logLevel).toBe("debug");
  });

  it("builds the API base URL from GHE_HOST and GHE_PROTOCOL", () => {
    expect(config({ GHE_HOST: "localhost:3001", GHE_PROTOCOL: "http" }).baseUrl).toBe(
      "http://localhost:3001/api/v3",
    );
    expect(config({ GHE_HOST: "github.example.com" }).baseUrl).toBe("https://github.example.com/api/v3");
  });

  it("refuses a GHE_PROTOCOL other than http or https", () => {
    expect(errors({ GHE_HOST: "h", GHE_PROTOCOL: "ftp" })).toEqual([
      'GHE_PROTOCOL must be http or https — got "ftp"',
    ]);
  });

  it("reports every problem at once", () => {
    expect(errors({ PORT: "99999", DATABASE_URL: "mysql://x", LOG_LEVEL: "loud" })).toHaveLength(3);
  });

  it("takes HOST and QUERYGATE_DATA_DIR from the environment", () => {
    expect(config({ HOST: "127.0.0.1", QUERYGATE_DATA_DIR: "/var/lib/qg" })).toMatchObject({
      host: "127.0.0.1",
      dataDir: "/var/lib/qg",
    });
  });
});
