import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenarioFile, parseScenario, type Scenario } from "../../src/sandbox/scenario-load.js";
import { MAX_SCENARIO_STEPS, ScenarioError } from "../../src/simulator/scenario/github-scenario.js";

const FULL = `
repo: acme/db-requests
default_branch: trunk
teams:
  dba: [alice, bob]
users: [carol, "dependabot[bot]"]
base:
  README.md: |
    # Requests
branches:
  feature: null
  other:
    queries/old.sql: "SELECT 1;"
targets:
  orders-prod:
    database_url: postgres://localhost/orders
  scratch:
    seed: CREATE TABLE t (a int);
  empty: null
steps:
  - open_pr:
      pr: 1
      author: carol
      title: Refund
      body: Please
      base: trunk
      fork: false
      files:
        queries/refund.sql: |
          -- target: orders-prod
          -- reason: refund
          UPDATE orders SET status = 'refunded' WHERE id = 1;
  - push:
      pr: 1
      author: carol
      files:
        queries/refund.sql: null
  - review: { pr: 1, by: alice, state: request_changes, body: Why? }
  - review: { pr: 1, by: alice, state: approve }
  - review: { pr: 1, by: bob, state: comment }
  - dismiss: { pr: 1, by: alice }
  - comment: { pr: 1, by: carol, body: /querygate plan }
  - click: { pr: 1, by: alice, action: run }
  - merge: { pr: 1, by: alice }
  - close: { pr: 1 }
  - retarget: { pr: 1, base: main }
  - redeliver: { last: 2 }
`;

function parse(text: string): Scenario {
  return parseScenario(text, { file: "s.yml", baseDir: "." });
}

function withSteps(steps: string): string {
  return `repo: acme/db-requests\nsteps:\n${steps}`;
}

describe("parseScenario", () => {
  it("parses a full scenario with every step kind", () => {
    const scenario = parse(FULL);
    expect(scenario.repo).toBe("acme/db-requests");
    expect(scenario.defaultBranch).toBe("trunk");
    expect(scenario.teams).toEqual({ dba: ["alice", "bob"] });
    expect(scenario.users).toEqual(["carol", "dependabot[bot]"]);
    expect(scenario.base).toEqual({ "README.md": "# Requests\n" });
    expect(scenario.branches).toEqual({ feature: {}, other: { "queries/old.sql": "SELECT 1;" } });
    expect(scenario.targets).toEqual({
      "orders-prod": { databaseUrl: "postgres://localhost/orders", seed: null, env: ["ORDERS_PROD_URL"] },
      scratch: { databaseUrl: null, seed: "CREATE TABLE t (a int);", env: ["SCRATCH_URL"] },
      empty: { databaseUrl: null, seed: null, env: ["EMPTY_URL"] },
    });
    expect(scenario.steps.map((step) => Object.keys(step)[0])).toEqual([
      "open_pr",
      "push",
      "review",
      "review",
      "review",
      "dismiss",
      "comment",
      "click",
      "merge",
      "close",
      "retarget",
      "redeliver",
    ]);
    expect(scenario.steps[0]).toEqual({
      open_pr: {
        pr: 1,
        author: "carol",
        title: "Refund",
        body: "Please",
        base: "trunk",
        fork: false,
        files: {
          "queries/refund.sql":
            "-- target: orders-prod\n-- reason: refund\nUPDATE orders SET status = 'refunded' WHERE id = 1;\n",
        },
      },
    });
    expect(scenario.steps[1]).toEqual({
      push: { pr: 1, author: "carol", files: { "queries/refund.sql": null } },
    });
    expect(scenario.steps[11]).toEqual({ redeliver: { last: 2 } });
  });

  it("defaults the branch to main and optional sections to empty", () => {
    expect(parse(withSteps("  - close: { pr: 1 }\n"))).toEqual({
      repo: "acme/db-requests",
      defaultBranch: "main",
      teams: {},
      users: [],
      base: {},
      branches: {},
      targets: {},
      steps: [{ close: { pr: 1 } }],
    });
  });

  it("reads a target's seed_file relative to the scenario", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "querygate-scenario-"));
    try {
      writeFileSync(path.join(dir, "seed.sql"), "CREATE TABLE seeded (a int);\n");
      const text = "repo: acme/x\ntargets:\n  db:\n    seed_file: seed.sql\nsteps:\n  - close: { pr: 1 }\n";
      expect(parseScenario(text, { file: "s.yml", baseDir: dir }).targets.db?.seed).toBe(
        "CREATE TABLE seeded (a int);\n",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names the step index (from 1) and the verb for an unknown step", () => {
    expect(() => parse(withSteps("  - close: { pr: 1 }\n  - approve: { pr: 1 }\n"))).toThrow(
      /^s\.yml: steps\[2\]: unknown step `approve` \(known: open_pr, push, review, dismiss, comment, click, merge, close, retarget, redeliver\)$/,
    );
  });

  it('rejects review state "approved" and lists the allowed states', () => {
    expect(() => parse(withSteps("  - review: { pr: 1, by: alice, state: approved }\n"))).toThrow(
      's.yml: steps[1].review.state: must be one of approve, request_changes, comment — got "approved"',
    );
  });

  it("names a missing required key", () => {
    expect(() => parse(withSteps("  - review: { pr: 1, by: alice }\n"))).toThrow(
      "s.yml: steps[1].review.state: is required",
    );
  });

  it("names an unknown key in a step and lists the known ones", () => {
    expect(() => parse(withSteps("  - merge: { pr: 1, by: alice, squash: true }\n"))).toThrow(
      "s.yml: steps[1].merge.squash: unknown key (known: pr, by)",
    );
  });

  it("rejects a step with more than one verb", () => {
    expect(() => parse(withSteps("  - close: { pr: 1 }\n    merge: { pr: 1, by: a }\n"))).toThrow(
      /steps\[1\]: a step is a mapping with exactly one of/,
    );
  });

  it.each([
    ["pr: 0", "steps[1].close.pr: must be a pull request number ≥ 1"],
    ['pr: "1"', "steps[1].close.pr: must be a pull request number ≥ 1"],
  ])("validates the pull request number (%s)", (params, message) => {
    expect(() => parse(withSteps(`  - close: { ${params} }\n`))).toThrow(message);
  });

  it("rejects an invalid login", () => {
    expect(() => parse(withSteps("  - dismiss: { pr: 1, by: 'not a login' }\n"))).toThrow(
      's.yml: steps[1].dismiss.by: "not a login" is not a GitHub login',
    );
  });

  it.each(["acme", "acme/", "acme/db requests", "ac me/x", "a/b/c"])("rejects the repo %j", (repo) => {
    expect(() => parse(`repo: "${repo}"\nsteps:\n  - close: { pr: 1 }\n`)).toThrow(
      "s.yml: repo: must be OWNER/NAME, e.g. acme/db-requests",
    );
  });

  it("rejects file content that is not a string", () => {
    const steps = "  - push:\n      pr: 1\n      author: carol\n      files:\n        queries/a.sql: 42\n";
    expect(() => parse(withSteps(steps))).toThrow(
      "s.yml: steps[1].push.files.queries/a.sql: content must be a string (use a YAML block `|`) or null to delete",
    );
  });

  it.each(["../escape.sql", "queries/../../x.sql", "/etc/passwd"])("rejects the file path %j", (filePath) => {
    const steps = `  - push:\n      pr: 1\n      author: carol\n      files:\n        "${filePath}": SELECT 1;\n`;
    expect(() => parse(withSteps(steps))).toThrow(
      `s.yml: steps[1].push.files.${filePath}: must be a relative path inside the repository`,
    );
  });

  it("rejects a path with .. in the base files too", () => {
    expect(() => parse(`repo: acme/x\nbase:\n  a/../b: x\nsteps:\n  - close: { pr: 1 }\n`)).toThrow(
      "s.yml: base.a/../b: must be a relative path inside the repository",
    );
  });

  it("accepts exactly MAX_SCENARIO_STEPS steps", () => {
    const scenario = parse(withSteps("  - close: { pr: 1 }\n".repeat(MAX_SCENARIO_STEPS)));
    expect(scenario.steps).toHaveLength(MAX_SCENARIO_STEPS);
  });

  it("rejects one step more than MAX_SCENARIO_STEPS", () => {
    expect(() => parse(withSteps("  - close: { pr: 1 }\n".repeat(MAX_SCENARIO_STEPS + 1)))).toThrow(
      `s.yml: steps: ${MAX_SCENARIO_STEPS + 1} steps, over the limit of ${MAX_SCENARIO_STEPS}`,
    );
  });

  it("requires a non-empty list of steps", () => {
    expect(() => parse("repo: acme/x\nsteps: []\n")).toThrow(
      "s.yml: steps: must be a non-empty list of steps",
    );
    expect(() => parse("repo: acme/x\n")).toThrow("s.yml: steps: must be a non-empty list of steps");
  });

  it("rejects an unknown top-level key", () => {
    expect(() => parse("repo: acme/x\nstep: []\n")).toThrow(/^s\.yml: step: unknown key/);
  });

  it("rejects invalid YAML and a document that is not a mapping", () => {
    expect(() => parse("repo: [unclosed\n")).toThrow(/^s\.yml: not valid YAML: /);
    expect(() => parse("- just a list\n")).toThrow(
      "s.yml: top level: a scenario is a mapping with `repo` and `steps`",
    );
  });

  it("throws ScenarioError", () => {
    expect(() => parse("repo: x\n")).toThrow(ScenarioError);
  });
});

describe("loadScenarioFile", () => {
  const demo = path.resolve("examples/demo.yml");

  it.skipIf(!existsSync(demo))("loads examples/demo.yml", () => {
    expect(loadScenarioFile(demo).steps.length).toBeGreaterThan(0);
  });

  it("names the file it cannot read", () => {
    const missing = path.join(os.tmpdir(), "querygate-no-such-scenario.yml");
    expect(() => loadScenarioFile(missing)).toThrow(`${missing}: cannot read the scenario`);
  });
});

describe("scenario targets' environment variables", () => {
  it("defaults to <TARGET>_URL, takes a list, and refuses what is not a variable name", () => {
    const parse = (targets: string) =>
      parseScenario(`repo: acme/r\ntargets:\n${targets}\nsteps:\n  - close: { pr: 1 }\n`, {
        file: "t.yml",
        baseDir: ".",
      });
    expect(parse("  orders-prod: {}").targets["orders-prod"]?.env).toEqual(["ORDERS_PROD_URL"]);
    expect(parse("  t: { env: [A_URL, B_READ_URL] }").targets.t?.env).toEqual(["A_URL", "B_READ_URL"]);
    expect(() => parse('  t: { env: ["postgres://x"] }')).toThrow(
      /t\.yml: targets\.t\.env: must be a list of environment variable names/,
    );
  });
});
