import { describe, expect, it } from "vitest";
import { loadPolicy } from "../../src/policy/load/load-policy.js";
import type { Policy, PolicyError, PolicyRule, PolicyTarget } from "../../src/policy/policy-types.js";
import {
  policy,
  policyFixtureLines,
  target as policyTarget,
  type YamlValue,
} from "../support/builders/policy-file.js";

const FILE = "policies/querygate.yml";

/** A valid policy in 7 lines (fixtures/policies/minimal.yml); tests append from line 8. */
const BASE = policyFixtureLines("minimal.yml");

function yaml(...lines: string[]): string {
  return `${lines.join("\n")}\n`;
}

function load(...lines: string[]): Policy {
  const result = loadPolicy([{ path: FILE, content: yaml(...BASE, ...lines) }]);
  if (!result.ok)
    throw new Error(
      `expected a valid policy:\n${result.errors.map((e) => `${e.line}: ${e.message}`).join("\n")}`,
    );
  return result.policy;
}

function errorsOf(...lines: string[]): PolicyError[] {
  const result = loadPolicy([{ path: FILE, content: yaml(...BASE, ...lines) }]);
  if (result.ok) throw new Error("expected policy errors");
  return result.errors;
}

/** The single error of a policy: its line, key and message. */
function only(...lines: string[]): { line: number; key: string; message: string } {
  const found = errorsOf(...lines);
  expect(found, JSON.stringify(found, null, 2)).toHaveLength(1);
  const [error] = found as [PolicyError];
  expect(error.file).toBe(FILE);
  return { line: error.line, key: error.key, message: error.message };
}

/** A policy whose only target is written by `lines` (from line 3). */
const withTarget = (...lines: string[]) =>
  yaml("version: 1", "targets:", ...lines, "policy_owners: ['@acme/security']");

function targetErrors(...lines: string[]): PolicyError[] {
  const result = loadPolicy([{ path: FILE, content: withTarget(...lines) }]);
  if (result.ok) throw new Error("expected policy errors");
  return result.errors;
}

function target(...lines: string[]): PolicyTarget {
  const result = loadPolicy([{ path: FILE, content: withTarget(...lines) }]);
  if (!result.ok) throw new Error(JSON.stringify(result.errors, null, 2));
  const [first] = Object.values(result.policy.targets);
  if (!first) throw new Error("no target");
  return first;
}

function rule(...lines: string[]): PolicyRule {
  const [first] = load("rules:", ...lines).rules;
  if (!first) throw new Error("no rule");
  return first;
}

describe("unknown keys", () => {
  it("suggests the closest key, at the key's line", () => {
    expect(
      only("rules:", "  - name: r", "    when: { class: write }", "    requires: { count: 1, from: [dana] }"),
    ).toEqual({
      line: 11,
      key: "rules[0].requires",
      message:
        "unknown key `requires` — did you mean `require`? (keys of `rules[0]`: name, description, when, if, require, approve, deny, limits, execute, mask, lint)",
    });
    expect(only("polcy_owners: [dana]")).toMatchObject({
      line: 8,
      key: "polcy_owners",
      message: expect.stringContaining("did you mean `policy_owners`?"),
    });
    expect(only("rules:", "  - name: r", "    when:", "      clas: write", "    deny: x")).toMatchObject({
      line: 11,
      key: "rules[0].when.clas",
      message: expect.stringContaining("did you mean `class`?"),
    });
  });

  it("offers no suggestion when nothing is close", () => {
    expect(only("zzzzzz: 1").message).toBe(
      "unknown key `zzzzzz` (top-level keys: version, targets, owners, rules, defaults, policy_owners, allowed_base_branches, dismiss_stale_approvals, run_by)",
    );
  });
});

describe("version", () => {
  it("must be 1", () => {
    const result = loadPolicy([{ path: FILE, content: yaml("version: 2", ...BASE.slice(1)) }]);
    expect(result.ok ? [] : result.errors).toEqual([
      { file: FILE, line: 1, key: "version", message: "`version` must be 1 — got 2" },
    ]);
  });
});

describe("targets", () => {
  it("reads every field", () => {
    expect(
      target(
        "  orders-prod:",
        "    engine: postgres",
        "    environment: production",
        "    server_version: 17",
        "    connection: { env: ORDERS_URL, read: ORDERS_READ_URL, write: ORDERS_WRITE_URL, ddl: ORDERS_DDL_URL }",
        "    search_path: [app, public]",
        "    limits: { max_affected_rows: 0, max_result_rows: 500, statement_timeout: 500ms }",
        "    execute: auto",
      ),
    ).toEqual({
      name: "orders-prod",
      engine: "postgres",
      environment: "production",
      serverVersion: 17,
      connection: {
        env: "ORDERS_URL",
        read: "ORDERS_READ_URL",
        write: "ORDERS_WRITE_URL",
        ddl: "ORDERS_DDL_URL",
      },
      searchPath: ["app", "public"],
      limits: { maxAffectedRows: 0, maxResultRows: 500, statementTimeoutMs: 500 },
      execute: "auto",
      source: { file: FILE, line: 3 },
    });
  });

  it.each([
    ["30s", 30_000],
    ["2m", 120_000],
    ["1h", 3_600_000],
    ["500ms", 500],
    [1500, 1500],
  ])("reads statement_timeout %s", (timeout, ms) => {
    const t = target(
      "  t:",
      "    engine: postgres",
      "    environment: production",
      "    connection: { env: URL }",
      `    limits: { statement_timeout: ${timeout} }`,
    );
    expect(t.limits.statementTimeoutMs).toBe(ms);
  });

  it("refuses a connection string, without quoting it back", () => {
    for (const value of ["postgres://app:hunter2@db/orders", "app@db", "host=db password=hunter2"]) {
      const found = targetErrors(
        "  t:",
        "    engine: postgres",
        "    environment: production",
        "    connection:",
        `      env: "${value}"`,
      );
      expect(found).toEqual([
        expect.objectContaining({
          line: 7,
          key: "targets.t.connection.env",
          message: expect.stringContaining(
            "never put a connection string in the policy: name the environment variable that holds it",
          ),
        }),
      ]);
      expect(found[0]?.message).not.toContain("hunter2");
    }
  });

  it("requires environment variable names in connection, and env", () => {
    const found = targetErrors(
      "  t:",
      "    engine: postgres",
      "    environment: production",
      "    connection: { read: orders_url }",
    );
    expect(found.map((e) => [e.line, e.key])).toEqual([
      [6, "targets.t.connection"],
      [6, "targets.t.connection.read"],
    ]);
    expect(found.map((e) => e.message)).toEqual([
      "`t.connection` needs `env`: the environment variable holding the connection string",
      "`connection.read` must name an environment variable (uppercase letters, digits, '_', e.g. ORDERS_PROD_URL)",
    ]);
  });

  it("refuses engines other than postgres as not supported yet", () => {
    expect(
      targetErrors(
        "  t:",
        "    engine: mysql",
        "    environment: production",
        "    connection: { env: URL }",
      ),
    ).toEqual([
      {
        file: FILE,
        line: 4,
        key: "targets.t.engine",
        message:
          "`engine: mysql` is not supported yet: querygate runs PostgreSQL targets only (`engine: postgres`)",
      },
    ]);
  });

  it("requires engine, environment and connection", () => {
    expect(targetErrors("  t:", "    server_version: 15").map((e) => [e.line, e.message])).toEqual([
      [3, "target `t` needs `engine`: add `engine: postgres`"],
      [3, "target `t` needs `environment` (e.g. `environment: production`): rules match on it"],
      [
        3,
        "target `t` needs `connection`: add `connection: { env: NAME_OF_AN_ENVIRONMENT_VARIABLE }` holding its connection string",
      ],
    ]);
  });

  it("checks the name, server_version, search_path, limits and execute", () => {
    const found = targetErrors(
      "  Orders_Prod:",
      "    engine: postgres",
      "    environment: production",
      "    server_version: 14",
      "    connection: { env: URL }",
      '    search_path: ["Public Schema"]',
      "    limits: { max_affected_rows: 1.5, max_result_rows: -1, statement_timeout: 0 }",
      "    execute: on-merge",
    );
    expect(found.map((e) => [e.line, e.key])).toEqual([
      [3, "targets.Orders_Prod"],
      [6, "targets.Orders_Prod.server_version"],
      [8, "targets.Orders_Prod.search_path[0]"],
      [9, "targets.Orders_Prod.limits.max_affected_rows"],
      [9, "targets.Orders_Prod.limits.max_result_rows"],
      [9, "targets.Orders_Prod.limits.statement_timeout"],
      [10, "targets.Orders_Prod.execute"],
    ]);
    expect(found[1]?.message).toBe(
      "`Orders_Prod.server_version` must be the PostgreSQL major version, one of 15, 16, 17 (the grammars querygate ships) — got 14",
    );
    expect(found[5]?.message).toContain("0 would turn the timeout off");
    expect(found[6]?.message).toBe(
      '`Orders_Prod.execute` must be one of on_approval, on_merge, auto — got "on-merge" — did you mean `on_merge`?',
    );
  });
});

describe("owners", () => {
  it("keeps the patterns in order, with their lines; [] means explicitly unowned", () => {
    const p = load(
      "owners:",
      '  "*/public.*": ["@acme/eng", dana]',
      '  "orders-prod/public.payments": "@acme/payments"',
      '  "**/audit.**": []',
      '  "orders-*/public.customers.ssn": ["@Dana"]',
    );
    expect(p.owners).toEqual([
      {
        pattern: "*/public.*",
        owners: [
          { kind: "team", org: "acme", slug: "eng" },
          { kind: "user", login: "dana" },
        ],
        source: { file: FILE, line: 9 },
      },
      {
        pattern: "orders-prod/public.payments",
        owners: [{ kind: "team", org: "acme", slug: "payments" }],
        source: { file: FILE, line: 10 },
      },
      { pattern: "**/audit.**", owners: [], source: { file: FILE, line: 11 } },
      {
        pattern: "orders-*/public.customers.ssn",
        owners: [{ kind: "user", login: "Dana" }],
        source: { file: FILE, line: 12 },
      },
    ]);
  });

  it("checks pattern syntax and that a literal target exists", () => {
    const found = errorsOf(
      "owners:",
      '  "public.orders": [dana]',
      '  "orders-prd/public.orders": [dana]',
      '  "*/public": [dana]',
      '  "*/a.b.c.d": [dana]',
      '  "*/pub lic.orders": [dana]',
      '  "*/public.x**": [dana]',
      '  "*/public.orders":',
    );
    expect(found.map((e) => [e.line, e.message])).toEqual([
      [
        9,
        "`public.orders` has no target: write `target/schema.table` or `target/schema.table.column` (`*/` for every target)",
      ],
      [10, "unknown target `orders-prd` — did you mean `orders-prod`? (targets: orders-prod)"],
      [
        11,
        "`*/public`: `public` has 1 dotted part; write `target/schema.table` or `target/schema.table.column`",
      ],
      [
        12,
        "`*/a.b.c.d`: `a.b.c.d` has 4 dotted parts; write `target/schema.table` or `target/schema.table.column`",
      ],
      [
        13,
        "`*/pub lic.orders`: `pub lic` is not a name or glob (letters, digits, '_', '$', '*'); write `target/schema.table` or `target/schema.table.column`",
      ],
      [
        14,
        "`*/public.x**`: `**` must stand alone between dots, not in `x**`; write `target/schema.table` or `target/schema.table.column`",
      ],
      [
        15,
        '`owners["*/public.orders"]` has no owners: list them, or write `[]` to mark the objects explicitly unowned',
      ],
    ]);
  });
});

describe("principals", () => {
  it("reads users with or without @, and teams by slug", () => {
    expect(load().policyOwners).toEqual([{ kind: "team", org: "acme", slug: "security" }]);
    const r = rule("  - name: r", "    require: { count: 2, from: ['@dana', erin, '@acme/data_owners-2'] }");
    expect(r.effects.require?.from).toEqual([
      { kind: "user", login: "dana" },
      { kind: "user", login: "erin" },
      { kind: "team", org: "acme", slug: "data_owners-2" },
    ]);
  });

  it("asks for the team slug when given a display name", () => {
    expect(
      only("rules:", "  - name: r", "    require:", "      count: 1", '      from: ["@acme/Data Owners"]'),
    ).toEqual({
      line: 12,
      key: "rules[0].require.from[0]",
      message:
        "`@acme/Data Owners` is not a team slug: use the team's slug (lowercase, dashes), e.g. @acme/data-owners",
    });
  });

  it("refuses what is neither a login nor a team", () => {
    const found = errorsOf(
      "rules:",
      "  - name: r",
      "    require: { count: 1, from: ['dana smith', '@-x/team', 42] }",
    );
    expect(found.map((e) => [e.line, e.key, e.message])).toEqual([
      [
        10,
        "rules[0].require.from[0]",
        "`dana smith` is neither a GitHub user (`dana` or `@dana`) nor a team (`@org/team-slug`)",
      ],
      [10, "rules[0].require.from[1]", "`@-x/team`: `-x` is not a GitHub organisation name"],
      [10, "rules[0].require.from[2]", "`require.from[2]` must be a non-empty string — got 42"],
    ]);
  });
});

describe("requirements", () => {
  it("refuses an empty from: nobody could meet it", () => {
    expect(only("defaults:", "  require:", "    count: 1", "    from: []")).toEqual({
      line: 11,
      key: "defaults.require.from",
      message: "`require.from` is empty: a requirement nobody can meet — name who may approve",
    });
  });

  it("requires count ≥ 1", () => {
    expect(only("defaults:", "  require:", "    count: 0", "    from: [dana]")).toEqual({
      line: 10,
      key: "defaults.require.count",
      message: "`require.count` must be a whole number ≥ 1 — got 0",
    });
  });

  it("refuses a count larger than the people listed, but not when a team is listed", () => {
    expect(only("defaults:", "  require:", "    count: 3", "    from: [dana, '@Dana', erin]")).toEqual({
      line: 10,
      key: "defaults.require.count",
      message:
        "`require.count` needs 3 approvals but `from` lists only 2 people: lower the count or add people or a team",
    });
    expect(
      load("defaults:", "  require: { count: 3, from: [dana, '@acme/dba'] }").defaults?.require?.count,
    ).toBe(3);
  });

  it("requires both count and from", () => {
    expect(errorsOf("defaults:", "  require: { from: [dana] }").map((e) => e.message)).toEqual([
      "`defaults.require` needs `count`: how many approvals (e.g. `count: 1`)",
    ]);
    expect(errorsOf("defaults: {}").map((e) => e.message)).toEqual([
      "`defaults` needs `require`; remove `defaults` to deny statements no rule matches",
    ]);
  });
});

describe("policy_owners and allowed_base_branches", () => {
  it("refuses an empty policy_owners", () => {
    const result = loadPolicy([{ path: FILE, content: yaml(...BASE.slice(0, 6), "policy_owners: []") }]);
    expect(result.ok ? [] : result.errors).toEqual([
      {
        file: FILE,
        line: 7,
        key: "policy_owners",
        message:
          "`policy_owners` is empty: a policy nobody can change is a mistake — name who approves changes to policies/",
      },
    ]);
  });

  it("reads branch names, one or a list", () => {
    expect(load("allowed_base_branches: release").allowedBaseBranches).toEqual(["release"]);
    expect(load("allowed_base_branches: [release/2026-11, hotfix]").allowedBaseBranches).toEqual([
      "release/2026-11",
      "hotfix",
    ]);
    expect(only("allowed_base_branches: ['main', 'feature/*']")).toMatchObject({
      line: 8,
      key: "allowed_base_branches[1]",
      message: expect.stringContaining("is not a branch name"),
    });
  });
});

describe("rules", () => {
  it("requires a valid name and at least one effect", () => {
    expect(only("rules:", "  - name: Prod Writes", "    deny: x")).toMatchObject({
      line: 9,
      key: "rules[0].name",
    });
    expect(only("rules:", "  - when: { class: write }", "    deny: x")).toMatchObject({
      line: 9,
      key: "rules[0]",
      message: expect.stringContaining("needs a `name`"),
    });
    expect(only("rules:", "  - name: r", "    when: { class: write }")).toEqual({
      line: 9,
      key: "rules[0]",
      message: "`rules[0]` has no effect: add one of require, approve, deny, limits, execute, mask, lint",
    });
  });

  it("refuses approve: auto together with require or deny", () => {
    expect(only("rules:", "  - name: r", "    approve: auto", "    deny: no")).toEqual({
      line: 10,
      key: "rules[0].approve",
      message:
        "`approve: auto` cannot be combined with `deny` in one rule: split it into two rules, each with its own `when`",
    });
    expect(
      only("rules:", "  - name: r", "    require: { count: 1, from: [dana] }", "    approve: auto").message,
    ).toContain("cannot be combined with `require`");
    expect(only("rules:", "  - name: r", "    approve: yes")).toMatchObject({
      line: 10,
      message: '`rules[0].approve` can only be `auto` — got "yes"',
    });
  });

  it("reads every effect", () => {
    expect(
      rule(
        "  - name: r",
        "    description: Every effect",
        "    require: { count: 1, from: [dana] }",
        "    limits: { max_result_rows: 10 }",
        "    execute: on_merge",
        "    mask: ['*.ssn', public.customers.email]",
        "    lint: { select-star: off, truncate: error }",
        "    deny: no",
      ),
    ).toEqual({
      name: "r",
      description: "Every effect",
      when: null,
      if: null,
      effects: {
        require: { count: 1, from: [{ kind: "user", login: "dana" }] },
        limits: { maxResultRows: 10 },
        execute: "on_merge",
        mask: ["*.ssn", "public.customers.email"],
        lint: { "select-star": "off", truncate: "error" },
        deny: "no",
      },
      source: { file: FILE, line: 9 },
    });
  });

  it("checks lint overrides and mask globs", () => {
    const found = errorsOf(
      "rules:",
      "  - name: r",
      "    lint: { select-str: off, truncate: loud }",
      "    mask: ssn",
    );
    expect(found.map((e) => [e.line, e.key, e.message])).toEqual([
      [
        10,
        "rules[0].lint.select-str",
        "`select-str` is not a review rule — did you mean `select-star`? (see docs/review-rules.md)",
      ],
      [
        10,
        "rules[0].lint.truncate",
        '`lint.truncate` must be one of error, warning, notice, off — got "loud"',
      ],
      [
        11,
        "rules[0].mask",
        "`ssn`: `ssn` has 1 dotted part; write `schema.table.column`, `table.column` or `*.column`",
      ],
    ]);
  });

  it("refuses a deny without a message", () => {
    expect(only("rules:", "  - name: r", "    deny: true").message).toBe(
      '`deny` takes the message shown to the requester, e.g. `deny: "Schema changes go through migrations."` — got true',
    );
  });
});

describe("when", () => {
  it("normalises scalars to lists", () => {
    expect(
      rule(
        "  - name: r",
        "    when:",
        "      target: orders-prod",
        "      environment: production",
        "      class: write",
        "      operation: delete",
        "      objects: orders-prod/public.orders",
        "      columns: '*/public.customers.*'",
        "      flags: no_where",
        "      findings: delete-without-where",
        "      actor: agent",
        "      labels: emergency",
        "    deny: x",
      ).when,
    ).toEqual({
      target: ["orders-prod"],
      environment: ["production"],
      class: ["write"],
      operation: ["delete"],
      objects: ["orders-prod/public.orders"],
      columns: ["*/public.customers.*"],
      flags: ["no_where"],
      findings: ["delete-without-where"],
      actor: ["agent"],
      labels: ["emergency"],
    });
  });

  it("reads ranges, params and time windows", () => {
    expect(
      rule(
        "  - name: r",
        "    when:",
        "      estimated_rows: { gt: 1000, lte: 1e6 }",
        "      params:",
        "        region: { in: [eu, us] }",
        "        amount: { gte: 0, lt: 500 }",
        "        flag: { in: true }",
        "      time: { weekdays: [sat, sun], hours: '22:00-06:00', timezone: Europe/Paris }",
        "    require: { count: 1, from: [dana] }",
      ).when,
    ).toEqual({
      estimatedRows: { gt: 1000, lte: 1_000_000 },
      params: { region: { in: ["eu", "us"] }, amount: { range: { gte: 0, lt: 500 } }, flag: { in: [true] } },
      time: { weekdays: ["sat", "sun"], hours: "22:00-06:00", timezone: "Europe/Paris" },
    });
    expect(
      rule("  - name: r", "    when: { time: { hours: '09:00-24:00' } }", "    deny: x").when?.time,
    ).toEqual({
      hours: "09:00-24:00",
      timezone: "UTC",
    });
  });

  it("checks values against the analyser's vocabulary, with suggestions", () => {
    const found = errorsOf(
      "rules:",
      "  - name: r",
      "    when:",
      "      class: [read, wirte]",
      "      operation: delet",
      "      flags: no-where",
      "      findings: select-str",
      "      actor: human",
      "    deny: x",
    );
    expect(found.map((e) => [e.line, e.key, e.message])).toEqual([
      [
        11,
        "rules[0].when.class[1]",
        "`wirte` is not one of read, read_lock, write, maintenance, ddl, dcl, admin, rejected — did you mean `write`?",
      ],
      [12, "rules[0].when.operation", expect.stringContaining("did you mean `delete`?")],
      [13, "rules[0].when.flags", expect.stringContaining("did you mean `no_where`?")],
      [14, "rules[0].when.findings", expect.stringContaining("did you mean `select-star`?")],
      [15, "rules[0].when.actor", "`human` is not one of user, bot, agent"],
    ]);
  });

  it("requires targets and environments that exist", () => {
    const found = errorsOf(
      "rules:",
      "  - name: r",
      "    when:",
      "      target: [orders-prod, orders-staging]",
      "      environment: prod",
      "      objects: orders-stg/public.orders",
      "    deny: x",
    );
    expect(found.map((e) => [e.line, e.key, e.message])).toEqual([
      [11, "rules[0].when.target[1]", "unknown target `orders-staging` (targets: orders-prod)"],
      [
        12,
        "rules[0].when.environment",
        "no target is in environment `prod` (environments: production): a condition on it would never match",
      ],
      [13, "rules[0].when.objects", "unknown target `orders-stg` (targets: orders-prod)"],
    ]);
    expect(
      errorsOf(
        "rules:",
        "  - name: r",
        "    when: { target: orders-prd, environment: productoin }",
        "    deny: x",
      ).map((e) => e.message),
    ).toEqual([
      "no target is in environment `productoin` — did you mean `production`? (environments: production): a condition on it would never match",
      "unknown target `orders-prd` — did you mean `orders-prod`? (targets: orders-prod)",
    ]);
  });

  it("refuses empty lists, empty conditions and empty ranges", () => {
    const found = errorsOf(
      "rules:",
      "  - name: a",
      "    when: {}",
      "    deny: x",
      "  - name: b",
      "    when: { class: [], estimated_rows: { gt: 10, lt: 5 }, params: { p: {} } }",
      "    deny: x",
    );
    expect(found.map((e) => [e.line, e.key, e.message])).toEqual([
      [
        10,
        "rules[0].when",
        "`rules[0].when` is empty: remove it to match every statement, or add conditions",
      ],
      [
        13,
        "rules[1].when.class",
        "`when.class` is an empty list: list at least one value, or remove the key",
      ],
      [
        13,
        "rules[1].when.estimated_rows",
        "`when.estimated_rows` matches no number: its lower bound is above its upper bound",
      ],
      [13, "rules[1].when.params.p", "`params.p` needs `in: [values]` or a bound (gt, gte, lt, lte)"],
    ]);
  });

  it("validates time windows", () => {
    const found = errorsOf(
      "rules:",
      "  - name: r",
      "    when:",
      "      time:",
      "        weekdays: [mon, tues]",
      "        hours: '9:00-17:00'",
      "        timezone: Europe/Pariss",
      "    deny: x",
      "  - name: s",
      "    when: { time: { hours: '08:00-08:00' } }",
      "    deny: x",
      "  - name: t",
      "    when: { time: { timezone: UTC } }",
      "    deny: x",
    );
    expect(found.map((e) => [e.line, e.key, e.message])).toEqual([
      [
        12,
        "rules[0].when.time.weekdays[1]",
        "`tues` is not a weekday: use mon, tue, wed, thu, fri, sat, sun — did you mean `tue`?",
      ],
      [
        13,
        "rules[0].when.time.hours",
        '`time.hours` must be "HH:MM-HH:MM" (24-hour, end exclusive, may wrap midnight: "22:00-06:00") — got "9:00-17:00"',
      ],
      [
        14,
        "rules[0].when.time.timezone",
        "`time.timezone` `Europe/Pariss` is not an IANA time zone (e.g. UTC, Europe/Paris, America/New_York)",
      ],
      [
        17,
        "rules[1].when.time.hours",
        '`time.hours` starts where it ends: give a window, or remove `hours` to match the whole day — got "08:00-08:00"',
      ],
      [20, "rules[2].when.time", "`when.time` needs `weekdays` or `hours`"],
    ]);
  });
});

describe("if", () => {
  it("keeps an expression that compiles", () => {
    expect(
      rule("  - name: r", "    if: statement.estimated_rows > 1000 && now.utc_hour < 6", "    deny: x").if,
    ).toBe("statement.estimated_rows > 1000 && now.utc_hour < 6");
  });

  it("reports an expression that does not compile at the `if` line", () => {
    expect(
      only(
        "rules:",
        "  - name: r",
        "    when: { class: write }",
        "    if: 'statement.class =='",
        "    deny: x",
      ),
    ).toEqual({
      line: 11,
      key: "rules[0].if",
      message: "`rules[0].if` is not a valid CEL expression: at 1:17: found = but expecting end of input",
    });
  });

  it("reports unknown variables and functions at load", () => {
    expect(only("rules:", "  - name: r", "    if: statment.class == 'write'", "    deny: x").message).toBe(
      "`rules[0].if` is not a valid CEL expression: unknown variable `statment` — did you mean `statement`? (the variables are statement, request, now)",
    );
    expect(only("rules:", "  - name: r", "    if: shout(request.reason)", "    deny: x").message).toContain(
      "unknown function `shout`",
    );
  });
});

describe("secrets", () => {
  it("never echoes a URL with credentials, wherever it was written", () => {
    const found = errorsOf(
      "owners:",
      '  "postgres://app:hunter2@db/orders": [dana]',
      "rules:",
      "  - name: r",
      "    when: { labels: [x] }",
      "    deny: x",
      "    description: 1",
      "    mask: 'postgres://app:hunter2@db'",
    );
    expect(found.length).toBeGreaterThan(0);
    for (const error of found) expect(JSON.stringify(error)).not.toContain("hunter2");
  });

  it("refuses parameter names that are not plain identifiers", () => {
    expect(
      only("rules:", "  - name: r", "    when: { params: { __proto__: { in: [1] } } }", "    deny: x"),
    ).toMatchObject({
      line: 10,
      message: "`__proto__` is not a parameter name (a letter, then letters, digits, '_')",
    });
  });
});

describe("dismiss_stale_approvals", () => {
  it("is false by default, takes true, and refuses anything but a boolean with its line", async () => {
    const { loadPolicy } = await import("../../src/policy/load/load-policy.js");
    /** Four lines: `dismiss_stale_approvals` goes on line 5. */
    const withDismiss = (dismiss?: YamlValue) =>
      policy({
        targets: { t: policyTarget("prod", "T_URL") },
        defaults: null,
        ...(dismiss === undefined ? {} : { dismiss_stale_approvals: dismiss }),
      });
    const off = loadPolicy([{ path: "policies/q.yml", content: withDismiss() }]);
    expect(off.ok && off.policy.dismissStaleApprovals).toBe(false);
    const on = loadPolicy([{ path: "policies/q.yml", content: withDismiss(true) }]);
    expect(on.ok && on.policy.dismissStaleApprovals).toBe(true);
    const bad = loadPolicy([{ path: "policies/q.yml", content: withDismiss("yes") }]);
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.errors[0]).toMatchObject({
        file: "policies/q.yml",
        line: 5,
        key: "dismiss_stale_approvals",
      });
  });
});
