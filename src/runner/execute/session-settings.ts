import { MAX_APPLICATION_NAME_BYTES, MAX_IDENTIFIER_BYTES, MAX_TIMEOUT_MS } from "./execute-limits.js";
import type { SessionSettings } from "./execution-types.js";

/** The temporary schema: listed last, so a temporary table never shadows a table of the fixed path. */
const TEMP_SCHEMA = "pg_temp";
const CATALOG_SCHEMA = "pg_catalog";
const CLIENT_ENCODING = "UTF8";

/** What every session of the executor must run under, as pg_settings reports it (timeouts in ms). */
export type ExpectedSettings = Readonly<Record<string, string>>;

export interface SessionStartup {
  /** The `options` startup parameter: `-c name=value` pairs, escaped for PostgreSQL's option splitter. */
  options: string;
  applicationName: string;
  clientEncoding: string;
  /** Every setting to read back, application_name included. */
  expected: ExpectedSettings;
}

/** Checks the settings and turns them into startup parameters and the values to verify; throws when invalid. */
export function sessionStartup(settings: SessionSettings): SessionStartup {
  const problems = settingsProblems(settings);
  if (problems.length > 0) throw new Error(problems.join("; "));
  const expected: Record<string, string> = {
    // libpg-query lexes with standard_conforming_strings on; off would make '\' an escape and split strings differently.
    standard_conforming_strings: "on",
    // The statement text is sent as UTF-8: another client encoding would make the server read other characters.
    client_encoding: CLIENT_ENCODING,
    search_path: searchPathValue(settings.searchPath),
    statement_timeout: String(settings.statementTimeoutMs),
    lock_timeout: String(settings.lockTimeoutMs),
    idle_in_transaction_session_timeout: String(settings.idleInTransactionTimeoutMs),
  };
  const options = Object.entries(expected)
    .map(([name, value]) => `-c ${escapeOptionValue(`${name}=${value}`)}`)
    .join(" ");
  return {
    options,
    applicationName: settings.applicationName,
    clientEncoding: CLIENT_ENCODING,
    expected: { ...expected, application_name: settings.applicationName },
  };
}

/** `"a","b","pg_temp"`: every schema quoted as an identifier; pg_temp appended when absent. */
export function searchPathValue(schemas: readonly string[]): string {
  const path = schemas.at(-1) === TEMP_SCHEMA ? schemas : [...schemas, TEMP_SCHEMA];
  return path.map(quoteIdentifier).join(",");
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** PostgreSQL splits `options` at unescaped whitespace and reads `\` as an escape (pg_split_opts). */
export function escapeOptionValue(value: string): string {
  return value.replace(/[\s\\]/g, (c) => `\\${c}`);
}

/** Names (never values) of the settings whose actual value differs from the expected one. */
export function settingMismatches(
  expected: ExpectedSettings,
  actual: ReadonlyMap<string, string>,
): { name: string; expected: string; actual: string | null }[] {
  return Object.entries(expected)
    .filter(([name, value]) => actual.get(name) !== value)
    .map(([name, value]) => ({ name, expected: value, actual: actual.get(name) ?? null }));
}

function settingsProblems(settings: SessionSettings): string[] {
  const problems: string[] = [];
  for (const [name, value] of [
    ["statementTimeoutMs", settings.statementTimeoutMs],
    ["lockTimeoutMs", settings.lockTimeoutMs],
    ["idleInTransactionTimeoutMs", settings.idleInTransactionTimeoutMs],
  ] as const) {
    // 0 would switch the timeout off.
    if (!Number.isInteger(value) || value < 1 || value > MAX_TIMEOUT_MS) {
      problems.push(`settings.${name} must be an integer from 1 to ${MAX_TIMEOUT_MS} ms — got ${value}`);
    }
  }
  if (Buffer.byteLength(settings.applicationName, "utf8") > MAX_APPLICATION_NAME_BYTES) {
    problems.push(
      `settings.applicationName must be at most ${MAX_APPLICATION_NAME_BYTES} bytes: PostgreSQL truncates longer names`,
    );
  }
  if (settings.searchPath.length === 0) {
    problems.push("settings.searchPath must name at least one schema");
  }
  const path = settings.searchPath;
  // Implicitly pg_catalog is searched first and pg_temp (as appended) last; elsewhere they would let a
  // schema's function shadow a built-in, or a temporary table shadow a real one.
  if (path.includes(CATALOG_SCHEMA) && path[0] !== CATALOG_SCHEMA) {
    problems.push(`settings.searchPath may name ${CATALOG_SCHEMA} only first`);
  }
  if (path.includes(TEMP_SCHEMA) && path.at(-1) !== TEMP_SCHEMA) {
    problems.push(`settings.searchPath may name ${TEMP_SCHEMA} only last`);
  }
  for (const schema of path) {
    const bytes = Buffer.byteLength(schema, "utf8");
    if (bytes === 0 || bytes > MAX_IDENTIFIER_BYTES || schema.includes("\0")) {
      problems.push(
        `settings.searchPath: ${JSON.stringify(schema)} is not a schema name (1 to ${MAX_IDENTIFIER_BYTES} bytes, no NUL)`,
      );
    }
  }
  return problems;
}
