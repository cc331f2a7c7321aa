import {
  DEFAULT_GRAMMAR_MAJOR,
  isSupportedMajor,
  SUPPORTED_GRAMMAR_MAJORS,
} from "../../sql/postgres/load-parser.js";
import type { KeyPath } from "../../yaml/key-path.js";
import {
  checkKeys,
  describe,
  lineOf,
  quoted,
  type ReadContext,
  readChoice,
  readMapping,
  readString,
  readStringList,
  report,
} from "../../yaml/read-context.js";
import type { ExecuteMode, PolicyTarget } from "../policy-types.js";
import { readLimits } from "./read-limits.js";

export const TARGET_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const EXECUTE_MODES: readonly ExecuteMode[] = ["on_approval", "on_merge", "auto"];
export const DEFAULT_EXECUTE_MODE: ExecuteMode = "on_approval";
export const DEFAULT_SEARCH_PATH = ["public"];

const TARGET_KEYS = [
  "engine",
  "environment",
  "server_version",
  "connection",
  "search_path",
  "limits",
  "execute",
] as const;
const CONNECTION_KEYS = ["env", "read", "write", "ddl"] as const;
const ENGINES = ["postgres"] as const;
const ENVIRONMENT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const ENV_VAR_NAME = /^[A-Z_][A-Z0-9_]*$/;
/** Unquoted PostgreSQL identifiers, as the runner's fixed search_path is written. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_$]{0,62}$/;

/** `targets.<name>`: one database, how to reach it (by environment variable names) and its limits. */
export function readTarget(
  ctx: ReadContext,
  { name, value, path }: { name: string; value: unknown; path: KeyPath },
): PolicyTarget | null {
  let ok = true;
  if (!TARGET_NAME.test(name)) {
    report(
      ctx,
      path,
      `target name \`${name}\` is not valid: use lowercase letters, digits, '-' and '_' (at most 63, starting with a letter or digit)`,
    );
    ok = false;
  }
  const map = readMapping(ctx, {
    value,
    path,
    expected: "a mapping with `engine`, `environment` and `connection`",
  });
  if (!map) return null;
  ok = checkKeys(ctx, { map, path, known: TARGET_KEYS }) && ok;
  for (const required of ["engine", "environment", "connection"] as const) {
    if (map[required] === undefined) {
      ok = false;
      report(ctx, path, `target \`${name}\` needs \`${required}\`${REQUIRED_HINTS[required]}`);
    }
  }

  let engine: "postgres" | null = null;
  if (map.engine !== undefined) {
    if (map.engine === "postgres") engine = "postgres";
    else {
      ok = false;
      report(
        ctx,
        [...path, "engine"],
        typeof map.engine === "string"
          ? `\`engine: ${map.engine}\` is not supported yet: querygate runs PostgreSQL targets only (\`engine: ${ENGINES.join(" | ")}\`)`
          : `${quoted([...path, "engine"])} must be \`postgres\` — got ${describe(map.engine)}`,
      );
    }
  }

  let environment: string | null = null;
  if (map.environment !== undefined) {
    const environmentPath = [...path, "environment"];
    environment = readString(ctx, { value: map.environment, path: environmentPath });
    if (environment !== null && !ENVIRONMENT_NAME.test(environment)) {
      report(
        ctx,
        environmentPath,
        `${quoted(environmentPath)} must be lowercase letters, digits, '-' and '_' (e.g. production, staging) — got ${describe(environment)}`,
      );
      environment = null;
    }
  }

  let serverVersion: number = DEFAULT_GRAMMAR_MAJOR;
  if (map.server_version !== undefined) {
    const versionPath = [...path, "server_version"];
    if (typeof map.server_version === "number" && isSupportedMajor(map.server_version)) {
      serverVersion = map.server_version;
    } else {
      ok = false;
      report(
        ctx,
        versionPath,
        `${quoted(versionPath)} must be the PostgreSQL major version, one of ${SUPPORTED_GRAMMAR_MAJORS.join(", ")} (the grammars querygate ships) — got ${describe(map.server_version)}`,
      );
    }
  }

  const connection =
    map.connection === undefined ? null : readConnection(ctx, [...path, "connection"], map.connection);

  let searchPath = DEFAULT_SEARCH_PATH;
  if (map.search_path !== undefined) {
    const items = readStringList(ctx, {
      value: map.search_path,
      path: [...path, "search_path"],
      check: (schema) =>
        SCHEMA_NAME.test(schema)
          ? null
          : `\`${schema}\` is not a schema name: use an unquoted lowercase identifier (letters, digits, '_')`,
    });
    if (items) searchPath = items.map((i) => i.item);
    else ok = false;
  }

  const limits =
    map.limits === undefined ? {} : readLimits(ctx, { value: map.limits, path: [...path, "limits"] });
  const execute =
    map.execute === undefined
      ? DEFAULT_EXECUTE_MODE
      : readChoice(ctx, { value: map.execute, path: [...path, "execute"], allowed: EXECUTE_MODES });

  if (
    !ok ||
    engine === null ||
    environment === null ||
    connection === null ||
    limits === null ||
    execute === null
  ) {
    return null;
  }
  return {
    name,
    engine,
    environment,
    serverVersion,
    connection,
    searchPath,
    limits,
    execute,
    source: { file: ctx.file, line: lineOf(ctx, path) },
  };
}

const REQUIRED_HINTS: Record<"engine" | "environment" | "connection", string> = {
  engine: ": add `engine: postgres`",
  environment: " (e.g. `environment: production`): rules match on it",
  connection: ": add `connection: { env: NAME_OF_AN_ENVIRONMENT_VARIABLE }` holding its connection string",
};

function readConnection(ctx: ReadContext, path: KeyPath, value: unknown): PolicyTarget["connection"] | null {
  const map = readMapping(ctx, {
    value,
    path,
    expected: "a mapping `{ env, read?, write?, ddl? }` of environment variable names",
  });
  if (!map) return null;
  let ok = checkKeys(ctx, { map, path, known: CONNECTION_KEYS });
  const names: Partial<Record<(typeof CONNECTION_KEYS)[number], string>> = {};
  for (const key of CONNECTION_KEYS) {
    const raw = map[key];
    if (raw === undefined) continue;
    const keyPath = [...path, key];
    if (typeof raw === "string" && /:\/\/|@|=/.test(raw)) {
      // The value is never quoted back: it may hold a password.
      ok = false;
      report(
        ctx,
        keyPath,
        `${quoted(keyPath)} looks like a connection string: never put a connection string in the policy: name the environment variable that holds it (e.g. ORDERS_PROD_URL) — and rotate the password if this was pushed`,
      );
    } else if (typeof raw !== "string" || !ENV_VAR_NAME.test(raw)) {
      ok = false;
      report(
        ctx,
        keyPath,
        `${quoted(keyPath)} must name an environment variable (uppercase letters, digits, '_', e.g. ORDERS_PROD_URL)${typeof raw === "string" ? "" : ` — got ${describe(raw)}`}`,
      );
    } else names[key] = raw;
  }
  if (map.env === undefined) {
    ok = false;
    report(
      ctx,
      path,
      `${quoted(path)} needs \`env\`: the environment variable holding the connection string`,
    );
  }
  if (!ok || names.env === undefined) return null;
  return { ...names, env: names.env };
}
