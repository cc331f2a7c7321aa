import { beforeAll, describe, expect, it } from "vitest";
import { parseScenario } from "../../src/sandbox/scenario-load.js";
import { runScenario, type ScenarioReport } from "../../src/sandbox/scenario-run.js";
import {
  approvalsFrom,
  DBA,
  NO_DDL_IN_PROD,
  ORDERS_PROD,
  type PolicyDocument,
  policy,
  rule,
} from "../support/builders/policy-file.js";
import { sqlRequest } from "../support/builders/request-file.js";
import { adminDatabaseUrl } from "../support/test-database.js";

/** DDL in production denied, payments owned by @acme/payments; `over` replaces the rules or the defaults. */
const inAppPolicy = (over: Partial<PolicyDocument> = {}) =>
  policy({
    targets: { "orders-prod": ORDERS_PROD },
    owners: { "orders-prod/public.payments": ["@acme/payments"] },
    rules: [NO_DDL_IN_PROD],
    ...over,
  });
const POLICY = inAppPolicy();
/** The same rule, approving DDL instead of denying it. */
const WEAKER = inAppPolicy({
  rules: [rule("no-ddl-in-prod", { when: { environment: "production", class: ["ddl"] }, approve: "auto" })],
});
/** `count: 0` in the defaults, on line 11. */
const BROKEN = inAppPolicy({ defaults: { require: approvalsFrom(0, DBA) } });
const REQUEST = (sql: string) => sqlRequest(sql, { reason: "e2e" });

const scenario = (base: Record<string, string>) =>
  parseScenario(
    JSON.stringify({
      repo: "acme/db-requests",
      teams: { dba: ["dana"], security: ["sam"], payments: ["pia"] },
      users: ["alice"],
      base,
      steps: [
        {
          open_pr: {
            pr: 1,
            author: "alice",
            files: { "queries/ddl.sql": REQUEST("CREATE INDEX i ON orders (status);") },
          },
        },
        {
          open_pr: {
            pr: 2,
            author: "alice",
            files: {
              "policies/querygate.yml": WEAKER,
              "queries/ddl.sql": REQUEST("CREATE INDEX i ON orders (status);"),
            },
          },
        },
        { open_pr: { pr: 3, author: "alice", files: { "policies/querygate.yml": BROKEN } } },
        {
          open_pr: {
            pr: 4,
            author: "alice",
            files: { "queries/pay.sql": REQUEST("SELECT amount FROM payments WHERE id = 1;") },
          },
        },
      ],
    }),
    { file: "policy-e2e.yml", baseDir: "." },
  );

describe("the policy in the app", () => {
  let report: ScenarioReport;
  let noPolicy: ScenarioReport;

  beforeAll(async () => {
    report = await runScenario({
      scenario: scenario({ "policies/querygate.yml": POLICY }),
      adminDatabaseUrl: adminDatabaseUrl(),
    });
    noPolicy = await runScenario({
      scenario: scenario({ "README.md": "no policy here" }),
      adminDatabaseUrl: adminDatabaseUrl(),
    });
  }, 180_000);

  const check = (r: ScenarioReport, n: number) => {
    const pr = r.pull_requests.find((p) => p.number === n);
    return pr?.check_runs.filter((c) => c.head_sha === pr.head_sha).at(-1);
  };

  it("makes no API call GitHub's description forbids", () => {
    expect(report.violations).toEqual([]);
    expect(report.failed_deliveries).toEqual([]);
  });

  it("denies with the rule's message, annotated on the statement's line", () => {
    const run = check(report, 1);
    expect(run?.conclusion).toBe("failure");
    expect(run?.annotations).toContainEqual(
      expect.objectContaining({
        path: "queries/ddl.sql",
        start_line: 3,
        title: "Denied by no-ddl-in-prod",
        message: "Schema changes go through migrations.",
      }),
    );
  });

  it("judges a pull request that weakens the policy by the base branch's policy, and asks the policy owners", () => {
    const run = check(report, 2);
    expect(run?.conclusion).toBe("failure");
    expect(run?.annotations).toContainEqual(expect.objectContaining({ title: "Denied by no-ddl-in-prod" }));
    expect(run?.summary).toContain("This pull request changes the policy");
    expect(run?.summary).toContain("the new policy is valid");
  });

  it("annotates the errors of a proposed policy on its lines and asks @acme/security", () => {
    const run = check(report, 3);
    expect(run?.conclusion).toBe("failure");
    const annotation = run?.annotations.find((a) => a.path === "policies/querygate.yml");
    expect(annotation).toMatchObject({ annotation_level: "failure", start_line: 11 });
    expect(annotation?.message).toContain("0");
    expect(run?.summary).toContain("@acme/security");
    expect(report.pull_requests.find((p) => p.number === 3)?.requested_reviewers.teams).toEqual(["security"]);
  });

  it("requires the owners of a table and requests their review", () => {
    const run = check(report, 4);
    expect(run?.conclusion).toBe("action_required");
    expect(run?.summary).toContain("the owners of orders-prod/public.payments");
    expect(report.pull_requests.find((p) => p.number === 4)?.requested_reviewers.teams).toEqual(["payments"]);
  });

  it("denies everything when the base branch has no policy", () => {
    for (const n of [1, 4]) {
      expect(check(noPolicy, n)).toMatchObject({
        conclusion: "failure",
        title: "No valid policy on the base branch: every request is denied",
      });
    }
    expect(check(noPolicy, 1)?.summary).toContain("no policy files under policies/ on main");
  });
});
