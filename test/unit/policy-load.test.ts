import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadPolicy } from "../../src/policy/load/load-policy.js";
import {
  MAX_POLICY_FILE_BYTES,
  MAX_POLICY_NODES,
  MAX_REPORTED_ERRORS,
  MAX_RULES,
} from "../../src/policy/load/policy-limits.js";
import type { Policy, PolicyError } from "../../src/policy/policy-types.js";
import { readPolicyDir } from "../../src/policy/read-policy-dir.js";
import { policyFixtureLines } from "../support/builders/policy-file.js";

const FILE = "policies/querygate.yml";

/** A valid policy in 7 lines (fixtures/policies/minimal.yml); tests append from line 8. */
const BASE = policyFixtureLines("minimal.yml");

function yaml(...lines: string[]): string {
  return `${lines.join("\n")}\n`;
}

function policy(content: string, file = FILE): Policy {
  const result = loadPolicy([{ path: file, content }]);
  if (!result.ok)
    throw new Error(
      `expected a valid policy:\n${result.errors.map((e) => `${e.line}: ${e.message}`).join("\n")}`,
    );
  return result.policy;
}

function errors(files: string | Array<{ path: string; content: string }>): PolicyError[] {
  const result = loadPolicy(typeof files === "string" ? [{ path: FILE, content: files }] : files);
  if (result.ok) throw new Error("expected policy errors");
  return result.errors;
}

describe("loadPolicy: the example", () => {
  it("loads policies/querygate.yml", () => {
    const files = readPolicyDir("policies");
    expect(files.map((f) => f.path)).toEqual(["policies/querygate.yml"]);
    const result = loadPolicy(files.map((f) => ({ ...f, blobSha: "abc123" })));
    if (!result.ok) throw new Error(JSON.stringify(result.errors, null, 2));
    const p = result.policy;
    expect(Object.keys(p.targets)).toEqual(["orders-prod", "orders-staging"]);
    expect(p.targets["orders-prod"]).toMatchObject({
      engine: "postgres",
      environment: "production",
      serverVersion: 15,
      connection: { env: "ORDERS_PROD_URL", read: "ORDERS_PROD_READ_URL" },
      searchPath: ["public"],
      limits: { maxAffectedRows: 10000, maxResultRows: 1000, statementTimeoutMs: 30_000 },
      execute: "on_approval",
      source: { file: "policies/querygate.yml", line: 7 },
    });
    expect(p.targets["orders-staging"]).toMatchObject({ environment: "staging", execute: "on_merge" });
    expect(p.rules.map((r) => r.name)).toEqual([
      "prod-writes-need-two-dbas",
      "pii-reads",
      "staging-reads-are-free",
      "no-ddl-in-prod",
    ]);
    expect(p.rules[0]).toMatchObject({
      when: { environment: ["production"], class: ["write"] },
      if: null,
      effects: {
        require: { count: 2, from: [{ kind: "team", org: "acme", slug: "dba" }] },
        limits: { maxAffectedRows: 1000 },
      },
    });
    expect(p.rules[2]?.if).toContain("statement.tables");
    expect(p.rules[2]?.effects.approve).toBe("auto");
    expect(p.rules[3]?.effects.deny).toBe("Schema changes go through migrations.");
    expect(p.owners.map((o) => o.pattern)).toEqual([
      "orders-prod/public.*",
      "orders-prod/public.payments",
      "*/public.customers.email",
    ]);
    expect(p.defaults).toEqual({ require: { count: 1, from: [{ kind: "team", org: "acme", slug: "dba" }] } });
    expect(p.policyOwners).toEqual([{ kind: "team", org: "acme", slug: "security" }]);
    expect(p.allowedBaseBranches).toEqual([]);
    expect(p.files).toEqual([{ path: "policies/querygate.yml", blobSha: "abc123" }]);
  });

  it("fills defaults: server_version 15, search_path public, execute on_approval, no defaults", () => {
    const p = policy(yaml(...BASE));
    expect(p.targets["orders-prod"]).toMatchObject({
      serverVersion: 15,
      searchPath: ["public"],
      execute: "on_approval",
      limits: {},
    });
    expect(p.defaults).toBeNull();
    expect(p.rules).toEqual([]);
    expect(p.files).toEqual([{ path: FILE, blobSha: null }]);
  });
});

describe("loadPolicy: YAML", () => {
  it("reports a syntax error at js-yaml's line", () => {
    const [error] = errors(yaml(...BASE, "rules:", "  - name: [unclosed", "    deny: x"));
    expect(error).toMatchObject({ file: FILE, line: 10 });
    expect(error?.message).toMatch(/^not valid YAML: /);
  });

  it("reports a duplicate key with its line and path", () => {
    expect(errors(yaml(...BASE, "owners:", '  "*/public.*": [dana]', '  "*/public.*": [erin]'))).toEqual([
      {
        file: FILE,
        line: 10,
        column: 4,
        key: 'owners["*/public.*"]',
        message: expect.stringContaining("is given twice in the same mapping"),
      },
    ]);
    expect(errors(yaml(...BASE, "version: 1"))[0]).toMatchObject({ line: 8, key: "version" });
  });

  it("refuses an empty file and several documents", () => {
    expect(errors("# nothing yet\n")[0]?.message).toMatch(/the file is empty/);
    expect(errors(yaml(...BASE, "---", "version: 1"))[0]?.message).toMatch(/2 YAML documents/);
  });

  it("accepts anchors, aliases and merge keys, and reports errors where the value is written", () => {
    const content = yaml(
      ...BASE,
      "x-dbas: &dbas { count: 2, from: ['@acme/dba'] }",
      "rules:",
      "  - name: writes",
      "    when: { class: write }",
      "    require: *dbas",
      "  - name: deletes",
      "    when: &deletes { class: write, operation: delete }",
      "    require:",
      "      <<: *dbas",
      "      count: 1",
    );
    // `x-dbas` is not a policy key: anchors live under known keys in real policies.
    expect(errors(content)).toEqual([expect.objectContaining({ line: 8, key: "x-dbas" })]);

    const valid = yaml(
      ...BASE,
      "defaults:",
      "  require: &dbas { count: 2, from: ['@acme/dba'] }",
      "rules:",
      "  - name: writes",
      "    when: { class: write }",
      "    require: *dbas",
      "  - name: deletes",
      "    when: { class: write, operation: delete }",
      "    require:",
      "      <<: *dbas",
      "      count: 1",
    );
    const p = policy(valid);
    expect(p.rules[0]?.effects.require).toEqual({
      count: 2,
      from: [{ kind: "team", org: "acme", slug: "dba" }],
    });
    expect(p.rules[1]?.effects.require).toEqual({
      count: 1,
      from: [{ kind: "team", org: "acme", slug: "dba" }],
    });

    // An invalid value reached through an alias or a merge is reported at its anchor's line.
    const aliased = yaml(
      ...BASE,
      "defaults:",
      "  require: &dbas { count: 0, from: ['@acme/dba'] }",
      "rules:",
      "  - name: writes",
      "    require: *dbas",
      "  - name: deletes",
      "    require:",
      "      <<: *dbas",
      "      from: [dana]",
    );
    expect(
      errors(aliased)
        .map((e) => [e.line, e.key])
        .sort(),
    ).toEqual([
      [9, "defaults.require.count"],
      [9, "rules[0].require.count"],
      [9, "rules[1].require.count"],
    ]);
    expect(errors(aliased)[0]?.message).toBe("`require.count` must be a whole number ≥ 1 — got 0");
  });

  it("survives complex keys, explicit tags and self-referencing anchors", () => {
    expect(errors(yaml(...BASE, "? [a, b]", ": x"))[0]?.message).toMatch(/^not valid YAML: .*complex keys/);
    expect(errors(yaml(...BASE, "rules: !!str nope"))[0]).toMatchObject({ line: 8, key: "rules" });
    expect(errors(yaml(...BASE, "owners: &o", "  '*/public.*': *o"))[0]?.message).toContain(
      "an alias refers to itself",
    );
  });

  it("refuses an alias bomb without expanding it", () => {
    const lines = ["version: 1", "l0: &l0 [x, x, x, x, x, x, x, x, x]"];
    for (let level = 1; level <= 9; level++) {
      lines.push(
        `l${level}: &l${level} [${Array(9)
          .fill(`*l${level - 1}`)
          .join(", ")}]`,
      );
    }
    const found = errors(yaml(...lines));
    expect(found).toEqual([
      expect.objectContaining({
        file: FILE,
        line: 1,
        message: expect.stringContaining("aliases of aliases multiply"),
      }),
    ]);
    expect(found[0]?.message).toContain(MAX_POLICY_NODES.toLocaleString("en"));
  });

  it("refuses a 5 MB file, saying the limit and how to split", () => {
    const big = `${yaml(...BASE)}# ${"x".repeat(5_000_000)}\n`;
    const [error] = errors(big);
    expect(error).toMatchObject({ file: FILE, line: 1 });
    expect(error?.message).toMatch(
      /the file is 4\.8 MiB, over the 1 MiB limit for one policy file: split it/,
    );
    expect(MAX_POLICY_FILE_BYTES).toBe(1024 * 1024);
  });

  it("refuses policies over the total size even when each file fits", () => {
    const chunk = `# ${"x".repeat(MAX_POLICY_FILE_BYTES - 100)}\n`;
    const files = ["a", "b", "c", "d", "e"].map((name) => ({ path: `policies/${name}.yml`, content: chunk }));
    const found = errors(files);
    expect(found.some((e) => e.file === "policies/e.yml" && /limit for a whole policy/.test(e.message))).toBe(
      true,
    );
  });
});

describe("loadPolicy: several files", () => {
  const targets = yaml(...BASE);
  const rulesA = yaml("rules:", "  - name: first", "    when: { class: ddl }", "    deny: no DDL");
  const rulesB = yaml("owners:", "  '*/public.*': [dana]", "rules:", "  - name: second", "    deny: never");

  it("merges files in path order, whatever order they are given in", () => {
    const p = policy(targets);
    expect(p.rules).toEqual([]);
    const result = loadPolicy([
      { path: "policies/b.yml", content: rulesB },
      { path: "policies/a.yml", content: rulesA },
      { path: "policies/00-base.yml", content: targets },
    ]);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.policy.rules.map((r) => [r.name, r.source])).toEqual([
      ["first", { file: "policies/a.yml", line: 2 }],
      ["second", { file: "policies/b.yml", line: 4 }],
    ]);
    expect(result.policy.owners[0]?.source).toEqual({ file: "policies/b.yml", line: 2 });
    expect(result.policy.files.map((f) => f.path)).toEqual([
      "policies/00-base.yml",
      "policies/a.yml",
      "policies/b.yml",
    ]);
  });

  it("names both places of a rule defined twice across files", () => {
    const again = yaml("rules:", "  - name: other", "    deny: x", "  - name: first", "    deny: y");
    expect(
      errors([
        { path: "policies/00-base.yml", content: targets },
        { path: "policies/a.yml", content: rulesA },
        { path: "policies/b.yml", content: again },
      ]),
    ).toEqual([
      {
        file: "policies/b.yml",
        line: 4,
        key: "rules[1].name",
        message:
          "rule `first` is defined twice: here and at policies/a.yml:2 — rename one (rule names are unique across all policy files; decisions cite them)",
      },
    ]);
  });

  it("names both places of a rule defined twice in one file", () => {
    const found = errors(yaml(...BASE, "rules:", "  - name: r", "    deny: x", "  - name: r", "    deny: y"));
    expect(found).toEqual([
      expect.objectContaining({
        line: 11,
        key: "rules[1].name",
        message: expect.stringContaining(`at ${FILE}:9`),
      }),
    ]);
  });

  it("names both places of a target defined twice, or a single key set twice", () => {
    const found = errors([
      { path: "policies/a.yml", content: targets },
      {
        path: "policies/b.yml",
        content: yaml(
          "version: 1",
          "targets:",
          "  orders-prod:",
          "    engine: postgres",
          "    environment: production",
          "    connection: { env: X }",
        ),
      },
    ]);
    expect(found).toEqual([
      {
        file: "policies/b.yml",
        line: 1,
        key: "version",
        message: "`version` is set twice: here and at policies/a.yml:1 — set it in one policy file only",
      },
      expect.objectContaining({
        file: "policies/b.yml",
        line: 3,
        key: "targets.orders-prod",
        message: expect.stringContaining("here and at policies/a.yml:3"),
      }),
    ]);
  });

  it("requires version, policy_owners and a target somewhere", () => {
    expect(errors(yaml("owners:", "  '*/public.*': [dana]"))).toEqual([
      expect.objectContaining({
        line: 1,
        key: "policy_owners",
        message: expect.stringContaining("`policy_owners` is missing"),
      }),
      expect.objectContaining({ line: 1, key: "targets", message: expect.stringContaining("no targets") }),
      expect.objectContaining({
        line: 1,
        key: "version",
        message: expect.stringContaining("add `version: 1`"),
      }),
    ]);
  });

  it("does not pile missing-key errors on a file that does not parse", () => {
    const found = errors([
      { path: "policies/a.yml", content: "rules: [\n" },
      {
        path: "policies/b.yml",
        content: yaml("rules:", "  - name: r", "    when: { target: orders-prod }", "    deny: x"),
      },
    ]);
    expect(found.map((e) => e.file)).toEqual(["policies/a.yml"]);
  });

  it("refuses no files at all", () => {
    expect(errors([])[0]?.message).toMatch(/no policy files/);
  });
});

describe("loadPolicy: limits", () => {
  const rules = (count: number) =>
    yaml(...BASE, "rules:", ...Array.from({ length: count }, (_, i) => `  - { name: r${i}, deny: x }`));

  it(`accepts ${MAX_RULES} rules and refuses one more`, () => {
    expect(policy(rules(MAX_RULES)).rules).toHaveLength(MAX_RULES);
    expect(errors(rules(MAX_RULES + 1))).toEqual([
      {
        file: FILE,
        line: 9 + MAX_RULES,
        key: "rules",
        message: `more than ${MAX_RULES} rules: combine rules (lists in \`when\` match any of their values)`,
      },
    ]);
  });

  it(`reports at most ${MAX_REPORTED_ERRORS} errors, then how many more`, () => {
    const found = errors(
      yaml(...BASE, "rules:", ...Array.from({ length: 300 }, (_, i) => `  - { name: R${i}, deny: x }`)),
    );
    expect(found).toHaveLength(MAX_REPORTED_ERRORS);
    expect(found[MAX_REPORTED_ERRORS - 2]).toMatchObject({ line: 9 + MAX_REPORTED_ERRORS - 2 });
    expect(found[MAX_REPORTED_ERRORS - 1]?.message).toBe("… 101 more errors (fix the ones above first)");
  });
});

describe("readPolicyDir", () => {
  it("reads *.yml and *.yaml directly in the folder, sorted, not subfolders", () => {
    const root = mkdtempSync(path.join(tmpdir(), "querygate-policy-"));
    const dir = path.join(root, "policies");
    mkdirSync(path.join(dir, "tests"), { recursive: true });
    writeFileSync(path.join(dir, "b.yaml"), "b: 1\n");
    writeFileSync(path.join(dir, "a.yml"), "a: 1\n");
    writeFileSync(path.join(dir, "notes.md"), "#\n");
    writeFileSync(path.join(dir, "tests", "case.yml"), "cases: []\n");
    expect(readPolicyDir(dir)).toEqual([
      { path: "policies/a.yml", content: "a: 1\n" },
      { path: "policies/b.yaml", content: "b: 1\n" },
    ]);
    expect(readPolicyDir(path.join(root, "missing"))).toEqual([]);
  });
});
