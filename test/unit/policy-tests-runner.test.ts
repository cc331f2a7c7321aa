import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { policyCommand } from "../../src/cli/policy-command.js";
import { runPolicyTests } from "../../src/policy-tests/run-policy-tests.js";
import {
  NO_DDL_IN_PROD,
  ORDERS_PROD,
  ORDERS_STAGING,
  PROD_WRITES_NEED_TWO_DBAS,
  policy,
  rule,
  STAGING_READS_ARE_FREE,
} from "../support/builders/policy-file.js";
import { sqlRequest } from "../support/builders/request-file.js";
import { compilePolicyText } from "../support/compile-policy-text.js";

const POLICY = policy({
  targets: { "orders-prod": ORDERS_PROD, "orders-staging": ORDERS_STAGING },
  owners: { "orders-prod/public.payments": ["@acme/payments"] },
  rules: [
    PROD_WRITES_NEED_TWO_DBAS,
    NO_DDL_IN_PROD,
    STAGING_READS_ARE_FREE,
    rule("staging-writes-in-office-hours", {
      when: { environment: "staging", class: ["write"], time: { hours: "09:00-17:00" } },
      approve: "auto",
    }),
  ],
});

const baseDir = mkdtempSync(path.join(tmpdir(), "querygate-policy-tests-"));
mkdirSync(path.join(baseDir, "requests"));
writeFileSync(
  path.join(baseDir, "requests", "refund.sql"),
  sqlRequest("UPDATE payments SET refunded = true WHERE id = 7;", { reason: "refund" }),
);
const NOW = new Date("2025-03-04T10:00:00Z");

const run = (content: string) =>
  runPolicyTests({
    policy: compilePolicyText(POLICY),
    testFiles: [{ path: "t.yml", content }],
    baseDir,
    now: NOW,
  });

const PROD_WRITE = `|
      -- target: orders-prod
      -- reason: fix order 42
      UPDATE orders SET status = 'shipped' WHERE id = 42;`;

describe("runPolicyTests", () => {
  it("passes cases whose expectations hold", async () => {
    const result = await run(`teams:
  dba: [dana, dmitri, alice]
cases:
  - name: one approval of two
    author: alice
    request: ${PROD_WRITE}
    approved_by: [alice, dana]
    expect:
      decision: needs_approval
      missing: { prod-writes-need-two-dbas: 1 }
      requirements_include: [rule:prod-writes-need-two-dbas]
  - name: two approvals
    request: ${PROD_WRITE}
    approved_by: [dana, dmitri]
    expect: { decision: approved, missing: { "rule:prod-writes-need-two-dbas": 0 } }
  - name: ddl denied
    request: "-- target: orders-prod\\n-- reason: r\\nDROP TABLE orders;\\n"
    expect: { decision: denied, denied_by: no-ddl-in-prod }
  - name: staging read
    request: "-- target: orders-staging\\n-- reason: r\\nSELECT id FROM orders WHERE id = 1;\\n"
    expect: { decision: auto }
  - name: a request from a file, with owners
    request: { file: requests/refund.sql }
    approved_by: [dana, dmitri]
    teams: { acme/payments: [pat] }
    expect: { decision: needs_approval, missing: { payments: 1 } }
  - name: a file that does not parse is denied as an invalid request
    request: "-- target: orders-prod\\n-- reason: r\\nSELEC 1;\\n"
    expect: { decision: denied, denied_by: invalid-request }
`);
    expect(result.results.filter((r) => !r.ok)).toEqual([]);
    expect(result).toMatchObject({ passed: 6, failed: 0 });
    expect(result.results[0]).toEqual({ file: "t.yml", name: "one approval of two", line: 4, ok: true });
  });

  it("fails cases whose expectations do not hold, saying what differs", async () => {
    const result = await run(`cases:
  - name: wrong decision
    request: "-- target: orders-prod\\n-- reason: r\\nDROP TABLE orders;\\n"
    expect: { decision: auto }
  - name: wrong missing count
    request: ${PROD_WRITE}
    teams: { dba: [dana] }
    approved_by: [dana]
    expect: { decision: needs_approval, missing: { two-dbas: 2 } }
  - name: missing names nothing
    request: ${PROD_WRITE}
    expect: { decision: needs_approval, missing: { privacy: 1 } }
  - name: wrong denying rule
    request: "-- target: orders-prod\\n-- reason: r\\nDROP TABLE orders;\\n"
    expect: { decision: denied, denied_by: no-writes }
  - name: absent requirement
    request: ${PROD_WRITE}
    expect: { decision: needs_approval, requirements_include: [rule:prod-writes-need-two-dba] }
  - name: the author's approval does not count
    author: dana
    request: ${PROD_WRITE}
    teams: { dba: [dana, dmitri] }
    approved_by: [dana, dmitri]
    expect: { decision: approved }
`);
    expect(result).toMatchObject({ passed: 0, failed: 6 });
    const messages = Object.fromEntries(result.results.map((r) => [r.name, r.message]));
    expect(messages["wrong decision"]).toBe("expected auto, got denied (rule no-ddl-in-prod)");
    expect(messages["wrong missing count"]).toBe(
      "rule:prod-writes-need-two-dbas: expected 2 missing, got 1 (approved by dana)",
    );
    expect(messages["missing names nothing"]).toBe(
      'expect.missing: no requirement matches "privacy" (requirements: rule:prod-writes-need-two-dbas)',
    );
    expect(messages["wrong denying rule"]).toBe(
      "expected a denial by rule no-writes, got denials by no-ddl-in-prod",
    );
    expect(messages["absent requirement"]).toContain("did you mean rule:prod-writes-need-two-dbas?");
    expect(messages["the author's approval does not count"]).toBe(
      "expected approved, got needs_approval (missing: rule:prod-writes-need-two-dbas 1)",
    );
    expect(result.results.map((r) => r.line)).toEqual([2, 5, 13, 19, 22, 28]);
  });

  it("evaluates at each case's `now`, else at the runner's", async () => {
    const write = `"-- target: orders-staging\\n-- reason: r\\nUPDATE orders SET a = 1 WHERE id = 1;\\n"`;
    const result = await run(`cases:
  - name: at the runner's now (10:00 UTC)
    request: ${write}
    expect: { decision: auto }
  - name: at night
    now: 2025-03-04T23:00:00Z
    request: ${write}
    expect: { decision: needs_approval, missing: { defaults: 1 } }
  - name: bad clock
    now: tomorrow
    request: ${write}
    expect: { decision: auto }
`);
    expect(result.results.map((r) => r.ok)).toEqual([true, true, false]);
    expect(result.results[2]?.message).toContain("line 10: cases[2].now: must be an ISO 8601 timestamp");
  });
});

describe("runPolicyTests: strict validation of test files", () => {
  it("reports unknown keys with did-you-mean at their line, and still runs the valid cases", async () => {
    const result = await run(`cases:
  - name: typo in a key
    request: ${PROD_WRITE}
    aproved_by: [dana]
    expect: { decision: needs_approval }
  - name: typo in expect
    request: ${PROD_WRITE}
    expect: { decison: needs_approval }
  - name: fine
    request: ${PROD_WRITE}
    expect: { decision: needs_approval }
`);
    expect(result).toMatchObject({ passed: 1, failed: 2 });
    expect(result.results[0]).toEqual({
      file: "t.yml",
      name: "typo in a key",
      line: 2,
      ok: false,
      message: expect.stringContaining(
        "line 7: cases[0].aproved_by: unknown key `aproved_by` — did you mean `approved_by`?",
      ),
    });
    expect(result.results[1]).toMatchObject({ name: "typo in expect", line: 9, ok: false });
    expect(result.results[1]?.message).toContain("did you mean `decision`?");
    expect(result.results[1]?.message).toContain("cases[1].expect.decision: is required");
    expect(result.results[2]).toMatchObject({ name: "fine", ok: true });
  });

  it("refuses wrong values, each at its line", async () => {
    const result = await run(`teams:
  dba: dana
cases:
  - name: dup
    request: ${PROD_WRITE}
    expect: { decision: needs_approval }
  - name: dup
    request: ${PROD_WRITE}
    actor: robot
    expect: { decision: aproved, missing: { x: -1 } }
  - name: denied_by without denied
    request: { file: /etc/passwd }
    expect: { decision: needs_approval, denied_by: no-ddl-in-prod }
  - request: 42
`);
    const failures = result.results.filter((r) => !r.ok).map((r) => `${r.line}: ${r.name}: ${r.message}`);
    expect(failures).toHaveLength(4);
    expect(failures[0]).toBe(
      "2: (test file): teams.dba: must be a list of GitHub logins, e.g. [dana, dmitri]",
    );
    expect(failures[1]).toMatch(/^10: dup: /);
    for (const part of [
      "line 10: cases[1].name: another case on line 4 has this name",
      "line 15: cases[1].actor: must be one of user, bot, agent",
      'line 16: cases[1].expect.decision: "aproved" is not a decision',
      "did you mean `approved`?",
      "line 16: cases[1].expect.missing.x: must be a whole number ≥ 0",
    ]) {
      expect(failures[1]).toContain(part);
    }
    expect(failures[2]).toMatch(/^17: denied_by without denied: /);
    expect(failures[2]).toContain(
      "line 18: cases[2].request.file: must be a path relative to the tests folder",
    );
    expect(failures[2]).toContain(
      "line 19: cases[2].expect.denied_by: only a denied request has a denying rule",
    );
    expect(failures[3]).toMatch(/^20: cases\[3\]: line 20: cases\[3\]\.name: is required/);
    expect(failures[3]).toContain("cases[3].request: must be the request's SQL");
  });

  it("refuses a file that is not YAML or has no cases", async () => {
    const notYaml = await run("cases: [\n  - name: x\n");
    expect(notYaml.results).toEqual([
      expect.objectContaining({ ok: false, message: expect.stringContaining("not valid YAML") }),
    ]);
    const noCases = await run("case:\n  - name: x\n");
    expect(noCases.results.map((r) => r.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining("unknown key `case` — did you mean `cases`?"),
        expect.stringContaining("a policy test file is a mapping with `cases:`"),
      ]),
    );
  });

  it("fails a case whose request file cannot be read", async () => {
    const result = await run(`cases:
  - name: missing file
    request: { file: requests/nope.sql }
    expect: { decision: denied }
`);
    expect(result.results[0]).toMatchObject({
      ok: false,
      message: expect.stringContaining("cannot read requests/nope.sql"),
    });
  });
});

describe("querygate policy test on the repository's policies/", () => {
  it("validates the example policy and passes all its tests", async () => {
    const lines: string[] = [];
    const code = await policyCommand(["test", "policies"], (text) => lines.push(text));
    expect(lines.filter((l) => l.startsWith("FAIL"))).toEqual([]);
    expect(code).toBe(0);
    expect(lines.filter((l) => l.startsWith("PASS: querygate.yml: ")).length).toBeGreaterThanOrEqual(8);
    expect(lines.at(-1)).toMatch(/^\d+ passed, 0 failed$/);
  });
});
