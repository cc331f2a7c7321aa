import { describe, expect, it } from "vitest";
import type { SessionSettings } from "../../src/runner/execute/execution-types.js";
import {
  escapeOptionValue,
  searchPathValue,
  sessionStartup,
  settingMismatches,
} from "../../src/runner/execute/session-settings.js";
import { checkConnectionString } from "../../src/runner/execute/target-session.js";

const settings: SessionSettings = {
  statementTimeoutMs: 30_000,
  lockTimeoutMs: 2_000,
  idleInTransactionTimeoutMs: 10_000,
  applicationName: "querygate runner",
  searchPath: ["app", "public"],
};

describe("sessionStartup", () => {
  it("turns the settings into -c options and the values pg_settings must report", () => {
    const startup = sessionStartup(settings);
    expect(startup.options).toBe(
      [
        "-c standard_conforming_strings=on",
        "-c client_encoding=UTF8",
        '-c search_path="app","public","pg_temp"',
        "-c statement_timeout=30000",
        "-c lock_timeout=2000",
        "-c idle_in_transaction_session_timeout=10000",
      ].join(" "),
    );
    expect(startup.expected).toEqual({
      standard_conforming_strings: "on",
      client_encoding: "UTF8",
      search_path: '"app","public","pg_temp"',
      statement_timeout: "30000",
      lock_timeout: "2000",
      idle_in_transaction_session_timeout: "10000",
      application_name: "querygate runner",
    });
  });

  it("refuses settings that would switch a guard off or cannot be kept", () => {
    expect(() => sessionStartup({ ...settings, statementTimeoutMs: 0 })).toThrow(
      /statementTimeoutMs must be an integer from 1/,
    );
    expect(() => sessionStartup({ ...settings, lockTimeoutMs: 1.5 })).toThrow(/lockTimeoutMs/);
    expect(() => sessionStartup({ ...settings, searchPath: [] })).toThrow(/at least one schema/);
    expect(() => sessionStartup({ ...settings, searchPath: ["a".repeat(64)] })).toThrow(/not a schema name/);
    expect(() => sessionStartup({ ...settings, searchPath: ["app", "pg_catalog"] })).toThrow(
      /pg_catalog only first/,
    );
    expect(() => sessionStartup({ ...settings, searchPath: ["pg_temp", "app"] })).toThrow(
      /pg_temp only last/,
    );
    expect(() => sessionStartup({ ...settings, searchPath: ["pg_catalog", "app", "pg_temp"] })).not.toThrow();
    expect(() => sessionStartup({ ...settings, applicationName: "x".repeat(64) })).toThrow(
      /at most 63 bytes/,
    );
  });
});

describe("searchPathValue", () => {
  it("quotes every schema as an identifier and puts pg_temp last", () => {
    expect(searchPathValue(["app"])).toBe('"app","pg_temp"');
    expect(searchPathValue(['we"ird', "My Schema"])).toBe('"we""ird","My Schema","pg_temp"');
    expect(searchPathValue(["app", "pg_temp"])).toBe('"app","pg_temp"');
  });
});

describe("escapeOptionValue", () => {
  it("escapes whitespace and backslashes for PostgreSQL's option splitter", () => {
    expect(escapeOptionValue('search_path="My Schema"')).toBe('search_path="My\\ Schema"');
    expect(escapeOptionValue("a\\b\tc")).toBe("a\\\\b\\\tc");
  });
});

describe("settingMismatches", () => {
  it("names each setting that differs or is missing", () => {
    const actual = new Map([
      ["statement_timeout", "0"],
      ["search_path", '"app"'],
    ]);
    expect(
      settingMismatches({ statement_timeout: "200", search_path: '"app"', lock_timeout: "1" }, actual),
    ).toEqual([
      { name: "statement_timeout", expected: "200", actual: "0" },
      { name: "lock_timeout", expected: "1", actual: null },
    ]);
  });
});

describe("checkConnectionString", () => {
  it("accepts postgres URLs with connection and TLS parameters", () => {
    expect(() =>
      checkConnectionString("postgres://u:p@db.internal:5432/orders?sslmode=verify-full"),
    ).not.toThrow();
    expect(() => checkConnectionString("postgresql://u@/orders?host=/var/run/postgresql")).not.toThrow();
  });

  it("refuses parameters that would replace the session guards, without echoing the string", () => {
    const secret = "s3cret-password";
    for (const url of [
      `postgres://u:${secret}@h/db?options=-c%20statement_timeout%3D0`,
      `postgres://u:${secret}@h/db?application_name=x&client_encoding=SJIS`,
    ]) {
      let message = "";
      try {
        checkConnectionString(url);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/which the runner does not accept/);
      expect(message).not.toContain(secret);
    }
    expect(() => checkConnectionString(`host=h password=${secret}`)).toThrow(
      /^the target's connection string is not a URL/,
    );
    expect(() => checkConnectionString(`mysql://u:${secret}@h/db`)).toThrow(/got mysql:\/\/$/);
  });
});
