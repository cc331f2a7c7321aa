import { describe, expect, it } from "vitest";
import {
  INVALID_REQUEST_RULE,
  UNSTABLE_LINT_RULE,
} from "../../src/plan-pull-request/evaluate-request-file.js";
import { approvalsFrom, DBA, policy, rule, target } from "../support/builders/policy-file.js";
import { compilePolicyText, evaluateFile } from "../support/compile-policy-text.js";

const POLICY = policy({
  targets: {
    "app-staging": target("staging", "APP_STAGING_URL", { server_version: 15 }),
    "app-prod": target("production", "APP_PROD_URL", { server_version: 17 }),
  },
  rules: [
    rule("staging-select-star-is-fine", {
      when: { environment: "staging" },
      lint: { "select-star": "off" },
      approve: "auto",
    }),
    rule("star-reads-need-a-dba", { when: { findings: ["select-star"] }, require: approvalsFrom(1, DBA) }),
    rule("silence-what-you-match", {
      when: { target: ["app-prod"], findings: ["read-without-where-or-limit"] },
      lint: { "read-without-where-or-limit": "off" },
    }),
  ],
});

const compiled = compilePolicyText(POLICY);

const evaluate = (sql: string) =>
  evaluateFile({ policy: compiled, path: "queries/q.sql", text: sql, now: new Date("2025-03-04T10:00:00Z") });

describe("evaluateRequestFile", () => {
  it("returns the header, the reviewed statements and the decision", async () => {
    const result = await evaluate(
      "-- target: app-prod\n-- reason: r\n-- max_rows: 5\nSELECT * FROM t WHERE id = 1;\n",
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.header).toEqual({ target: "app-prod", reason: "r", maxRows: 5, ticket: null });
    expect(result.statements[0]?.findings.map((f) => f.rule)).toContain("select-star");
    expect(result.decision.outcome).toBe("needs_approval");
    expect(result.decision.requirements.map((r) => r.id)).toEqual(["rule:star-reads-need-a-dba"]);
  });

  it("re-reviews with the policy's lint overrides, then evaluates once more on the new findings", async () => {
    const result = await evaluate("-- target: app-staging\n-- reason: r\nSELECT * FROM t WHERE id = 1;\n");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.statements[0]?.findings.map((f) => f.rule)).not.toContain("select-star");
    expect(result.decision.outcome).toBe("auto");
    expect(result.decision.requirements).toEqual([]);
  });

  it("denies a statement whose lint overrides depend on the findings they turn off", async () => {
    const result = await evaluate("-- target: app-prod\n-- reason: r\nSELECT id FROM t;\n");
    expect(result.decision.outcome).toBe("denied");
    expect(result.decision.statements[0]?.denials).toEqual([
      { rule: UNSTABLE_LINT_RULE, message: expect.stringContaining("depend on the findings they change") },
    ]);
  });

  it("analyses with the grammar of the target's server version", async () => {
    const merge = "MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE RETURNING t.a;\n";
    const on17 = await evaluate(`-- target: app-prod\n-- reason: r\n${merge}`);
    expect(on17.ok).toBe(true);
    const on15 = await evaluate(`-- target: app-staging\n-- reason: r\n${merge}`);
    expect(on15).toMatchObject({
      ok: false,
      errors: [{ line: 3, message: expect.stringContaining("syntax error") }],
    });
  });

  it("denies an unknown target with did-you-mean, at the header's line", async () => {
    const result = await evaluate("-- reason: r\n-- target: app-prd\nSELECT 1;\n");
    expect(result).toMatchObject({
      ok: false,
      path: "queries/q.sql",
      errors: [{ line: 2, column: 1, message: expect.stringContaining("did you mean `app-prod`?") }],
      decision: { outcome: "denied", statements: [], requirements: [] },
    });
    expect(result.decision.summary[0]).toMatch(/^queries\/q\.sql:2:1: unknown target `app-prd`/);
  });

  it("does not take Object.prototype's keys for targets", async () => {
    const result = await evaluate("-- target: constructor\n-- reason: r\nSELECT 1;\n");
    expect(result).toMatchObject({
      ok: false,
      errors: [{ message: expect.stringContaining("unknown target") }],
    });
  });

  it("denies a request whose header is invalid, with the header's problems", async () => {
    const result = await evaluate("-- target: app-prod\nSELECT 1;\n");
    expect(result).toMatchObject({
      ok: false,
      errors: [{ message: expect.stringContaining("missing header `-- reason: …`") }],
      decision: { outcome: "denied" },
    });
    expect(INVALID_REQUEST_RULE).toBe("invalid-request");
  });
});
