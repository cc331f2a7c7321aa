import { readFileSync } from "node:fs";
import path from "node:path";

/**
 * Policies as their files say them (`policies/querygate.yml`, snake_case, principals as `@org/team`):
 * plain objects built from the pieces tests share, and `policy()` to turn one into YAML text.
 *
 * The text keeps the layout the tests were written in, so line numbers stay predictable: one line for
 * `version`, each target, each owner pattern, each key of a rule and of `defaults`, and each other
 * top-level key. The policies several tests use verbatim are files under fixtures/policies (`policyFixture`).
 */

export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };
export type YamlMap = { [key: string]: YamlValue };

/** A target as the policy file writes it; `more` adds or replaces keys (`server_version`, `limits`, …). */
export function target(environment: string, connectionEnv: string, more: YamlMap = {}): YamlMap {
  return { engine: "postgres", environment, connection: { env: connectionEnv }, ...more };
}

/** A rule as the policy file writes it: its name first, then `when`, `if` and effects in the given order. */
export function rule(name: string, body: YamlMap): YamlMap {
  return { name, ...body };
}

/** A `require` effect: `count` approvals from any of `from` (`@org/team` or `user`). */
export function approvalsFrom(count: number, ...from: string[]): YamlMap {
  return { count, from };
}

/** Shared pieces are frozen: a test that wants a variant spreads one (`{ ...NO_DDL_IN_PROD, deny: "…" }`). */
function shared<T extends YamlValue>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) shared(inner);
    Object.freeze(value);
  }
  return value;
}

/** A policies/querygate.yml where only its presence matters: tests of the simulator never load it. */
export const PLACEHOLDER_POLICY = "version: 1\n";

export const DBA = "@acme/dba";
export const SECURITY = "@acme/security";

export const ORDERS_PROD = shared(target("production", "ORDERS_PROD_URL"));
export const ORDERS_STAGING = shared(target("staging", "ORDERS_STAGING_URL"));

/** Production writes need two DBAs. */
export const PROD_WRITES_NEED_TWO_DBAS = shared(
  rule("prod-writes-need-two-dbas", {
    when: { environment: "production", class: ["write"] },
    require: approvalsFrom(2, DBA),
  }),
);
/** DDL in production is denied. */
export const NO_DDL_IN_PROD = shared(
  rule("no-ddl-in-prod", {
    when: { environment: "production", class: ["ddl"] },
    deny: "Schema changes go through migrations.",
  }),
);
/** Production reads need one DBA. */
export const PROD_READS_NEED_A_DBA = shared(
  rule("prod-reads-need-a-dba", {
    when: { environment: "production", class: ["read"] },
    require: approvalsFrom(1, DBA),
  }),
);
/** Staging reads are approved automatically. */
export const STAGING_READS_ARE_FREE = shared(
  rule("staging-reads-are-free", {
    when: { environment: "staging", class: ["read"] },
    approve: "auto",
  }),
);

export interface PolicyDocument {
  targets: Record<string, YamlMap>;
  owners?: Record<string, string[]>;
  rules?: YamlMap[];
  /** Default: one approval from @acme/dba. Null leaves `defaults` out. */
  defaults?: YamlMap | null;
  /** Default: @acme/security. */
  policy_owners?: string[];
  /** Any other top-level key (`allowed_base_branches`, `run_by`, …), written after the others. */
  [key: string]: YamlValue | undefined;
}

/** The policy file's text: `version: 1`, the document's keys, defaults filled in (see PolicyDocument). */
export function policy(doc: PolicyDocument): string {
  const { targets, owners, rules, defaults, policy_owners, ...rest } = doc;
  const top: YamlMap = { version: 1, targets };
  if (owners) top.owners = owners;
  if (rules) top.rules = rules;
  const resolvedDefaults = defaults === undefined ? { require: approvalsFrom(1, DBA) } : defaults;
  if (resolvedDefaults !== null) top.defaults = resolvedDefaults;
  top.policy_owners = policy_owners ?? [SECURITY];
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) top[key] = value;
  return toYaml(top);
}

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/policies");

/** A policy file under test/support/fixtures/policies, by name (`orders.yml`). */
export function policyFixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), "utf8");
}

/** A policy file's lines, without the final newline's empty line. */
export function policyFixtureLines(name: string): string[] {
  return policyFixture(name).replace(/\n$/, "").split("\n");
}

// ——— text ———

/** Block style at the top; maps of maps and lists of maps one level down; flow style below that. */
export function toYaml(doc: YamlMap): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(doc)) {
    if (isMap(value) && Object.keys(value).length > 0) {
      lines.push(`${scalar(key)}:`);
      for (const [k, v] of Object.entries(value)) lines.push(`  ${scalar(k)}: ${flow(v)}`);
    } else if (Array.isArray(value) && value.length > 0 && value.every(isMap)) {
      lines.push(`${scalar(key)}:`);
      for (const item of value) {
        Object.entries(item).forEach(([k, v], i) => {
          lines.push(`${i === 0 ? "  - " : "    "}${scalar(k)}: ${flow(v)}`);
        });
      }
    } else lines.push(`${scalar(key)}: ${flow(value)}`);
  }
  return `${lines.join("\n")}\n`;
}

function isMap(value: YamlValue | undefined): value is YamlMap {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function flow(value: YamlValue): string {
  if (Array.isArray(value)) return `[${value.map(flow).join(", ")}]`;
  if (isMap(value)) {
    const entries = Object.entries(value);
    return entries.length === 0
      ? "{}"
      : `{ ${entries.map(([k, v]) => `${scalar(k)}: ${flow(v)}`).join(", ")} }`;
  }
  return scalar(value);
}

/** Plain when YAML reads it back as the same string; double-quoted (JSON) otherwise. */
const PLAIN = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const RESERVED = /^(true|false|null|yes|no|on|off|y|n)$/i;

function scalar(value: string | number | boolean | null): string {
  if (typeof value !== "string") return String(value);
  return PLAIN.test(value) && !RESERVED.test(value) ? value : JSON.stringify(value);
}
