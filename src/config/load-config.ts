import { existsSync, readFileSync } from "node:fs";
import { DEFAULT_AUDIT_BRANCH } from "../audit/audit-paths.js";
import { DEFAULT_DATA_DIR } from "../store/embedded-postgres.js";

export const DEFAULT_PORT = 3000;
export const DEFAULT_HOST = "0.0.0.0";
const PROBOT_DEFAULT_SECRET = "development";

export interface AppCredentials {
  appId: number;
  privateKey: string;
}

export interface AppConfig {
  production: boolean;
  credentials: AppCredentials | null;
  webhookSecret: string;
  databaseUrl: string | null;
  dataDir: string;
  host: string;
  port: number;
  logLevel: string;
  /** Set from GHE_HOST/GHE_PROTOCOL (GitHub Enterprise, or the simulator). */
  baseUrl: string | null;
  /** Branch the audit records are committed to (QUERYGATE_AUDIT_BRANCH). */
  auditBranch: string;
}

export type ConfigResult = { ok: true; config: AppConfig } | { ok: false; errors: string[] };

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"];
const BRANCH_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*(?:\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/;

/** Validates the environment once, at start-up; every error says which variable and what to change. */
export function loadConfig(env: NodeJS.ProcessEnv): ConfigResult {
  const errors: string[] = [];
  const production = env.NODE_ENV === "production";

  const secret = env.WEBHOOK_SECRET ?? "";
  if (production && secret === "") {
    errors.push(
      'WEBHOOK_SECRET is not set: in production it is required (Probot would silently accept webhooks signed with "development"). Set it to your GitHub App\'s webhook secret.',
    );
  } else if (production && secret === PROBOT_DEFAULT_SECRET) {
    errors.push(
      'WEBHOOK_SECRET is "development", Probot\'s public default: set a long random secret in the GitHub App and here.',
    );
  }

  let appId: number | null = null;
  if (env.APP_ID !== undefined && env.APP_ID !== "") {
    if (!/^[0-9]{1,12}$/.test(env.APP_ID) || Number(env.APP_ID) < 1) {
      errors.push(`APP_ID must be your GitHub App's numeric id — got "${env.APP_ID}"`);
    } else appId = Number(env.APP_ID);
  }

  let privateKey: string | null = null;
  if (env.PRIVATE_KEY && env.PRIVATE_KEY_PATH) {
    errors.push("both PRIVATE_KEY and PRIVATE_KEY_PATH are set: keep one");
  } else if (env.PRIVATE_KEY) {
    privateKey = env.PRIVATE_KEY.replaceAll("\\n", "\n");
  } else if (env.PRIVATE_KEY_PATH) {
    if (!existsSync(env.PRIVATE_KEY_PATH)) {
      errors.push(
        `PRIVATE_KEY_PATH points to ${env.PRIVATE_KEY_PATH}, which does not exist: download the app's private key (.pem) and point to it`,
      );
    } else privateKey = readFileSync(env.PRIVATE_KEY_PATH, "utf8");
  }
  if (privateKey !== null && !/-----BEGIN (RSA )?PRIVATE KEY-----/.test(privateKey)) {
    errors.push("the private key is not a PEM private key: use the .pem file GitHub generated for the app");
  }
  if (appId !== null && privateKey === null && !errors.some((e) => e.includes("PRIVATE_KEY"))) {
    errors.push(
      "APP_ID is set but no private key: set PRIVATE_KEY_PATH (or PRIVATE_KEY) to the app's .pem file",
    );
  }
  const appIdGiven = env.APP_ID !== undefined && env.APP_ID !== "";
  if (!appIdGiven && privateKey !== null) {
    errors.push("a private key is set but APP_ID is not: set APP_ID to the GitHub App's id");
  }
  if (production && (appId === null || privateKey === null) && !errors.some((e) => e.includes("APP_ID"))) {
    errors.push(
      "NODE_ENV=production needs APP_ID and PRIVATE_KEY_PATH (or PRIVATE_KEY): register the GitHub App first (run without NODE_ENV=production to use the setup page)",
    );
  }

  let databaseUrl: string | null = null;
  if (env.DATABASE_URL) {
    try {
      const url = new URL(env.DATABASE_URL);
      if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") throw new Error("protocol");
      databaseUrl = env.DATABASE_URL;
    } catch {
      errors.push(
        "DATABASE_URL must be a postgres://user:password@host:port/database URL — or unset it to use the embedded database",
      );
    }
  }

  let port = DEFAULT_PORT;
  if (env.PORT) {
    const n = Number(env.PORT);
    if (!Number.isInteger(n) || n < 0 || n > 65535)
      errors.push(`PORT must be a TCP port (0-65535) — got "${env.PORT}"`);
    else port = n;
  }

  const logLevel = (env.LOG_LEVEL ?? "info").toLowerCase();
  if (!LOG_LEVELS.includes(logLevel))
    errors.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")} — got "${env.LOG_LEVEL}"`);

  let baseUrl: string | null = null;
  if (env.GHE_HOST) {
    const protocol = env.GHE_PROTOCOL ?? "https";
    if (protocol !== "http" && protocol !== "https")
      errors.push(`GHE_PROTOCOL must be http or https — got "${protocol}"`);
    else baseUrl = `${protocol}://${env.GHE_HOST}/api/v3`;
  }

  const auditBranch = env.QUERYGATE_AUDIT_BRANCH || DEFAULT_AUDIT_BRANCH;
  if (!BRANCH_NAME.test(auditBranch) || auditBranch.includes(".."))
    errors.push(
      `QUERYGATE_AUDIT_BRANCH must be a branch name such as querygate/audit or main — got "${env.QUERYGATE_AUDIT_BRANCH}"`,
    );

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: {
      production,
      credentials: appId !== null && privateKey !== null ? { appId, privateKey } : null,
      webhookSecret: secret || PROBOT_DEFAULT_SECRET,
      databaseUrl,
      dataDir: env.QUERYGATE_DATA_DIR || DEFAULT_DATA_DIR,
      host: env.HOST || DEFAULT_HOST,
      port,
      logLevel,
      baseUrl,
      auditBranch,
    },
  };
}
