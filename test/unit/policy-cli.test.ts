import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkCommand } from "../../src/cli/check-command.js";
import { policyCommand } from "../../src/cli/policy-command.js";
import { UsageError } from "../../src/cli/usage-error.js";
import {
  approvalsFrom,
  DBA,
  NO_DDL_IN_PROD,
  ORDERS_STAGING,
  PROD_WRITES_NEED_TWO_DBAS,
  policy,
  rule,
  STAGING_READS_ARE_FREE,
  target,
} from "../support/builders/policy-file.js";
import { sqlRequest } from "../support/builders/request-file.js";

const ORDERS_PROD_15 = target("production", "ORDERS_PROD_URL", { server_version: 15 });
const PROD_WRITES = { ...PROD_WRITES_NEED_TWO_DBAS, limits: { max_affected_rows: 1000 } };
const POLICY = policy({
  targets: { "orders-prod": ORDERS_PROD_15, "orders-staging": ORDERS_STAGING },
  rules: [PROD_WRITES, NO_DDL_IN_PROD, STAGING_READS_ARE_FREE],
});
/** Invalid twice: a count of 0 in rules[0] and a misspelt `approve` in rules[2]. */
const BAD_POLICY = policy({
  targets: { "orders-prod": ORDERS_PROD_15, "orders-staging": ORDERS_STAGING },
  rules: [
    { ...PROD_WRITES, require: approvalsFrom(0, DBA) },
    NO_DDL_IN_PROD,
    rule("staging-reads-are-free", { when: { environment: "staging", class: ["read"] }, aprove: "auto" }),
  ],
});

const root = mkdtempSync(path.join(tmpdir(), "querygate-policy-cli-"));
const policyDir = path.join(root, "policies");
mkdirSync(policyDir);
writeFileSync(path.join(policyDir, "querygate.yml"), POLICY);
const badPolicyDir = path.join(root, "bad-policies");
mkdirSync(badPolicyDir);
writeFileSync(path.join(badPolicyDir, "querygate.yml"), BAD_POLICY);

const fileWith = (name: string, content: string) => {
  const file = path.join(root, name);
  writeFileSync(file, content);
  return file;
};
const prodWrite = fileWith(
  "fix.sql",
  sqlRequest("UPDATE orders SET status = 'shipped' WHERE id = 42;", { reason: "fix order 42" }),
);
const prodDdl = fileWith(
  "ddl.sql",
  sqlRequest("SELECT 1;\nALTER TABLE orders ADD COLUMN note text;", { reason: "add a column" }),
);
const stagingRead = fileWith(
  "read.sql",
  sqlRequest("SELECT id FROM orders WHERE id = 1;", { target: "orders-staging", reason: "look" }),
);
const typoTarget = fileWith("typo.sql", sqlRequest("SELECT 1;", { target: "orders-prd", reason: "r" }));
const teams = fileWith("teams.yml", "dba: [dana, dmitri, alice]\n");

async function run(
  command: typeof checkCommand,
  args: string[],
): Promise<{ code: number; out: string; lines: string[] }> {
  const lines: string[] = [];
  const code = await command(args, (text) => lines.push(text));
  return { code, out: lines.join("\n"), lines };
}

const check = (args: string[]) =>
  run(checkCommand, ["--policy-dir", policyDir, "--teams", teams, "--author", "alice", ...args]);

describe("querygate check --json", () => {
  it("prints one object in the documented shape; one DBA approval of two needs approval (exit 1)", async () => {
    const { code, out, lines } = await check(["--request", prodWrite, "--approved-by", "dana", "--json"]);
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    const report = JSON.parse(out);
    expect(report.decision).toBe("needs_approval");
    expect(report.statements).toEqual([
      {
        index: 0,
        line: 3,
        class: "write",
        outcome: "needs_approval",
        denials: [],
        requirements: ["rule:prod-writes-need-two-dbas"],
        limits: { maxAffectedRows: 1000 },
        execute: "on_approval",
        mask: [],
      },
    ]);
    expect(report.requirements).toEqual([
      {
        source: "rule",
        id: "rule:prod-writes-need-two-dbas",
        label: "prod-writes-need-two-dbas",
        count: 2,
        from: ["@acme/dba"],
        satisfied_by: ["dana"],
        missing: 1,
        errors: [],
      },
    ]);
    expect(report.trace).toHaveLength(1);
    expect(report.trace[0]).toMatchObject({ index: 0, defaults: "not_needed" });
    expect(report.trace[0].rules).toContainEqual(
      expect.objectContaining({ rule: "prod-writes-need-two-dbas", matched: true }),
    );
  });

  it("approves once two DBAs approved (exit 0)", async () => {
    const { code, out } = await check(["--request", prodWrite, "--approved-by", "dana,dmitri", "--json"]);
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.decision).toBe("approved");
    expect(report.requirements[0]).toMatchObject({ satisfied_by: ["dana", "dmitri"], missing: 0 });
  });

  it("never counts the author, and says so", async () => {
    const { code, out } = await check(["--request", prodWrite, "--approved-by", "alice,dana", "--json"]);
    expect(code).toBe(1);
    const report = JSON.parse(out);
    expect(report.requirements[0]).toMatchObject({ satisfied_by: ["dana"], missing: 1 });
    expect(report.notes).toEqual([expect.stringContaining("alice is the author")]);
  });

  it("decides several request files together and adds the policy owners when the policy changes, as the app does", async () => {
    const both = await check([
      "--request",
      prodWrite,
      "--request",
      stagingRead,
      "--approved-by",
      "dana,dmitri",
      "--json",
    ]);
    expect(both.code).toBe(0);
    const report = JSON.parse(both.out);
    expect(report.decision).toBe("approved");
    expect(report.statements.map((s: { path: string }) => s.path)).toEqual([
      expect.stringMatching(/fix\.sql$/),
      expect.stringMatching(/read\.sql$/),
    ]);
    // The same pull request changing policies/ also needs @acme/security, whom nobody described: not met.
    const withPolicy = await check([
      "--request",
      prodWrite,
      "--request",
      stagingRead,
      "--changes-policy",
      "--approved-by",
      "dana,dmitri",
      "--json",
    ]);
    expect(withPolicy.code).toBe(1);
    const policyReport = JSON.parse(withPolicy.out);
    expect(policyReport.decision).toBe("needs_approval");
    expect(policyReport.requirements).toContainEqual(
      expect.objectContaining({ source: "policy_owners", from: ["@acme/security"], missing: 1 }),
    );
    // One file the policy denies denies the whole pull request.
    const denied = await check(["--request", stagingRead, "--request", prodDdl, "--json"]);
    expect(denied.code).toBe(2);
  });

  it("counts approvals as the app does: the given spelling kept, bots never counted and said so", async () => {
    const bots = fileWith("bot-teams.yml", 'dba: [dana, dmitri, "renovate[bot]"]\n');
    const { code, out } = await run(checkCommand, [
      ...["--policy-dir", policyDir, "--teams", bots, "--author", "alice"],
      ...["--request", prodWrite, "--approved-by", "Dana,renovate[bot]", "--json"],
    ]);
    expect(code).toBe(1);
    const report = JSON.parse(out);
    expect(report.requirements[0]).toMatchObject({ satisfied_by: ["Dana"], missing: 1 });
    expect(report.notes).toEqual([expect.stringContaining("renovate[bot] is a bot")]);
  });

  it("denies DDL in production with the rule's name (exit 2)", async () => {
    const { code, out } = await check(["--request", prodDdl, "--json"]);
    expect(code).toBe(2);
    const report = JSON.parse(out);
    expect(report.decision).toBe("denied");
    expect(report.statements[1]).toMatchObject({
      index: 1,
      line: 4,
      class: "ddl",
      outcome: "denied",
      denials: [{ rule: "no-ddl-in-prod", message: "Schema changes go through migrations." }],
    });
  });

  it("says auto for a staging read (exit 0)", async () => {
    const { code, out } = await check(["--request", stagingRead, "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ decision: "auto", requirements: [] });
  });

  it("denies a request for an unknown target, with did-you-mean and its line (exit 2)", async () => {
    const { code, out } = await check(["--request", typoTarget, "--json"]);
    expect(code).toBe(2);
    const report = JSON.parse(out);
    expect(report).toMatchObject({ decision: "denied", statements: [], requirements: [] });
    expect(report.problems).toEqual([
      { line: 1, column: 1, message: expect.stringContaining("did you mean `orders-prod`?") },
    ]);
  });

  it("counts a team member only when --teams describes the team", async () => {
    const { code, out } = await run(checkCommand, [
      "--policy-dir",
      policyDir,
      "--request",
      prodWrite,
      "--approved-by",
      "dana,dmitri",
      "--json",
    ]);
    expect(code).toBe(1);
    const requirement = JSON.parse(out).requirements[0];
    expect(requirement.missing).toBe(2);
    expect(requirement.errors[0]).toContain("@acme/dba");
  });
});

describe("querygate check (text)", () => {
  it("reports the decision, each statement's requirements and what is missing, then the trace", async () => {
    const { code, out } = await check(["--request", prodWrite, "--approved-by", "alice,dana"]);
    expect(code).toBe(1);
    expect(out).toContain("needs approval — 1 more approval needed");
    expect(out).toContain("note: alice is the author: their approval does not count");
    expect(out).toContain("statement 1, line 3 (write): needs_approval");
    expect(out).toContain(
      "  requires rule:prod-writes-need-two-dbas — 2 from @acme/dba: approved by dana; missing 1",
    );
    expect(out).toContain("trace:\n  statement 1:");
    expect(out).toMatch(/\n {4}rule prod-writes-need-two-dbas \(policies\/querygate\.yml:\d+\): matched/);
  });

  it("names the rule of each denial", async () => {
    const { code, out } = await check(["--request", prodDdl]);
    expect(code).toBe(2);
    expect(out).toContain("statement 2, line 4 (ddl): denied");
    expect(out).toContain("  denied by no-ddl-in-prod: Schema changes go through migrations.");
  });
});

describe("querygate check: invalid input (exit 3)", () => {
  it("prints a bad policy's errors as file:line: key: message", async () => {
    const { code, lines } = await run(checkCommand, ["--policy-dir", badPolicyDir, "--request", prodWrite]);
    expect(code).toBe(3);
    expect(lines.some((l) => /policies\/querygate\.yml:\d+: rules\[0\]\.require\.count: /.test(l))).toBe(
      true,
    );
    expect(lines.some((l) => /querygate\.yml:\d+: rules\[2\]\.aprove: .*approve/.test(l))).toBe(true);
  });

  it("prints one JSON object with the errors under --json", async () => {
    const { code, out, lines } = await run(checkCommand, [
      "--policy-dir",
      badPolicyDir,
      "--request",
      prodWrite,
      "--json",
    ]);
    expect(code).toBe(3);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(out)).toMatchObject({
      decision: null,
      errors: expect.arrayContaining([expect.any(String)]),
    });
  });

  it("refuses an unreadable request", async () => {
    const { code, out } = await check(["--request", path.join(root, "nope.sql")]);
    expect(code).toBe(3);
    expect(out).toContain("cannot read --request");
  });

  it.each([
    [["--request", prodWrite, "--bogus"], "--bogus"],
    [[], "check needs --request FILE"],
    [["--request", prodWrite, "--actor", "robot"], "--actor must be one of user, bot, agent"],
    [["--request", prodWrite, "--now", "yesterday"], "--now must be an ISO 8601 timestamp"],
  ])("refuses bad flags %j", async (args, message) => {
    const { code, out } = await check(args);
    expect(code).toBe(3);
    expect(out).toContain(message);
  });

  it("refuses a teams file that does not map slugs to logins, at its line", async () => {
    const badTeams = fileWith("bad-teams.yml", "dba: [dana]\nprivacy: pia\n");
    const { code, out } = await run(checkCommand, [
      "--policy-dir",
      policyDir,
      "--request",
      prodWrite,
      "--teams",
      badTeams,
    ]);
    expect(code).toBe(3);
    expect(out).toContain(`${badTeams}:2: privacy: must be a list of GitHub logins`);
  });

  it("prints its usage with --help (exit 0)", async () => {
    const { code, out } = await run(checkCommand, ["--help"]);
    expect(code).toBe(0);
    expect(out).toContain("Usage: querygate check");
  });
});

describe("querygate policy validate", () => {
  it("summarises a valid policy (exit 0)", async () => {
    const { code, out } = await run(policyCommand, ["validate", policyDir]);
    expect(code).toBe(0);
    expect(out).toBe("OK: 1 file, 2 targets, 0 owner patterns, 3 rules");
  });

  it("lists every error as file:line: key: message (exit 1)", async () => {
    const { code, lines } = await run(policyCommand, ["validate", badPolicyDir]);
    expect(code).toBe(1);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).toMatch(/^bad-policies\/querygate\.yml:\d+: \S+: /);
  });

  it("fails on a folder without policy files (exit 1)", async () => {
    const { code, out } = await run(policyCommand, ["validate", path.join(root, "empty")]);
    expect(code).toBe(1);
    expect(out).toContain("no policy files");
  });

  it("throws usage errors (exit 2 from main) for a missing or unknown subcommand or extra folders", async () => {
    await expect(run(policyCommand, [])).rejects.toThrow(UsageError);
    await expect(run(policyCommand, ["vaildate"])).rejects.toThrow(/unknown policy subcommand "vaildate"/);
    await expect(run(policyCommand, ["validate", "a", "b"])).rejects.toThrow(UsageError);
    await expect(run(policyCommand, ["test", "--bogus"])).rejects.toThrow(UsageError);
  });
});

describe("querygate policy test", () => {
  const suite = (cases: string) => {
    const dir = mkdtempSync(path.join(root, "suite-"));
    mkdirSync(path.join(dir, "tests"));
    writeFileSync(path.join(dir, "querygate.yml"), POLICY);
    writeFileSync(path.join(dir, "tests", "prod.yml"), cases);
    return dir;
  };

  it("prints PASS per case, the summary and the totals (exit 0)", async () => {
    const dir = suite(`teams: { dba: [dana, dmitri] }
cases:
  - name: two DBAs approve a prod write
    request: |
      -- target: orders-prod
      -- reason: fix
      UPDATE orders SET status = 'x' WHERE id = 1;
    approved_by: [dana, dmitri]
    expect: { decision: approved }
`);
    const { code, lines } = await run(policyCommand, ["test", dir]);
    expect(code).toBe(0);
    expect(lines[0]).toBe("PASS: prod.yml: two DBAs approve a prod write");
    expect(lines.slice(-2)).toEqual(["PASS: 1/1", "1 passed, 0 failed"]);
  });

  it("prints FAIL with file:line, expected and actual and the denying rule (exit 1)", async () => {
    const dir = suite(`cases:
  - name: ok
    request: "-- target: orders-staging\\n-- reason: r\\nSELECT id FROM orders WHERE id = 1;\\n"
    expect: { decision: auto }
  - name: ddl is fine
    request: "-- target: orders-prod\\n-- reason: r\\nDROP TABLE orders;\\n"
    expect: { decision: needs_approval }
`);
    const { code, lines } = await run(policyCommand, ["test", dir]);
    expect(code).toBe(1);
    expect(lines).toContain("PASS: prod.yml: ok");
    expect(lines).toContain(
      "FAIL: prod.yml:5: ddl is fine — expected needs_approval, got denied (rule no-ddl-in-prod)",
    );
    expect(lines.slice(-2)).toEqual(["FAIL: 1/2", "1 passed, 1 failed"]);
  });

  it("does not run the tests of an invalid policy (exit 1)", async () => {
    const dir = suite("cases: []\n");
    writeFileSync(path.join(dir, "querygate.yml"), "version: 2\n");
    const { code, out } = await run(policyCommand, ["test", dir]);
    expect(code).toBe(1);
    expect(out).toContain("FAIL: the policy is invalid");
  });

  it("fails when there are no tests (exit 1)", async () => {
    const { code, out } = await run(policyCommand, ["test", policyDir]);
    expect(code).toBe(1);
    expect(out).toContain("no policy tests");
  });
});
