import { beforeAll, describe, expect, it } from "vitest";
import { parseScenario } from "../../src/sandbox/scenario-load.js";
import { runScenario, type ScenarioReport } from "../../src/sandbox/scenario-run.js";
import { ORDERS_PROD, PROD_WRITES_NEED_TWO_DBAS, policy } from "../support/builders/policy-file.js";
import { adminDatabaseUrl } from "../support/test-database.js";

const HEADER = "-- target: orders-prod\n-- reason: e2e\n";
const POLICY = policy({ targets: { "orders-prod": ORDERS_PROD }, rules: [PROD_WRITES_NEED_TWO_DBAS] });

const SCENARIO = `
repo: acme/db-requests
teams: { dba: [dana, dave] }
users: [alice, bob]
base:
  README.md: "hello"
  policies/querygate.yml: ${JSON.stringify(POLICY)}
targets:
  orders-prod:
    seed: "create table orders (id int primary key, status text); insert into orders values (1, 'paid');"
steps:
  - open_pr:
      pr: 1
      author: alice
      files:
        queries/fix.sql: ${JSON.stringify(`${HEADER}UPDATE orders SET status = 'refunded' WHERE id = 1;\n\nSELECT id, status FROM orders WHERE id = 1;\n`)}
        docs/notes.md: "not a request"
  - open_pr:
      pr: 2
      author: bob
      files:
        queries/typo.sql: ${JSON.stringify(`${HEADER}\nSELEC count(*) FROM orders;\n`)}
  - push:
      pr: 2
      author: bob
      files:
        queries/typo.sql: ${JSON.stringify(`${HEADER}\nSELECT count(*) FROM orders;\n`)}
  - open_pr:
      pr: 3
      author: alice
      files:
        README.md: "no request files here"
  - review: { pr: 1, by: dana, state: approve }
  - comment: { pr: 1, by: alice, body: "/QueryGate plan\\nplease re-check" }
  - redeliver: { last: 1 }
`;

describe("the app end to end against the GitHub simulator", () => {
  let report: ScenarioReport;

  beforeAll(async () => {
    const scenario = parseScenario(SCENARIO, { file: "e2e.yml", baseDir: "." });
    report = await runScenario({ scenario, adminDatabaseUrl: adminDatabaseUrl() });
  }, 120_000);

  const pr = (n: number) => {
    const found = report.pull_requests.find((p) => p.number === n);
    if (!found) throw new Error(`no PR #${n} in the report`);
    return found;
  };
  const latestCheck = (n: number) => {
    const p = pr(n);
    const runs = p.check_runs.filter((c) => c.name === "querygate" && c.head_sha === p.head_sha);
    return runs[runs.length - 1];
  };

  it("accepted every signed delivery and every API call matched GitHub's OpenAPI description", () => {
    expect(report.violations).toEqual([]);
    expect(report.failed_deliveries).toEqual([]);
    expect(report.ok).toBe(true);
    expect(
      report.api_calls.by_route["POST /app/installations/{installation_id}/access_tokens"],
    ).toBeGreaterThan(0);
  });

  it("posts a querygate check run on the head SHA listing each statement with its class", () => {
    const check = latestCheck(1);
    expect(check).toBeDefined();
    expect(check?.status).toBe("completed");
    expect(check?.conclusion).toBe("action_required");
    // dana's approval met the read's requirement and half the write's.
    expect(check?.title).toBe("Needs 1 more approval from @acme/dba");
    expect(check?.summary).toContain(
      "Needs 1 more approval from @acme/dba for rule prod-writes-need-two-dbas (1 of 2 met)",
    );
    expect(check?.summary).toContain("queries/fix.sql");
    expect(check?.summary).toMatch(/\| 1 \| 3 \| `write` \| needs approval \|/);
    expect(check?.summary).toMatch(/\| 2 \| 5 \| `read` \| needs approval \|/);
    expect(check?.summary).not.toContain("docs/notes.md");
    expect(check?.text).toContain("UPDATE orders SET status = 'refunded' WHERE id = 1");
  });

  it("fails unparseable SQL with an annotation on the right line, then passes after a fixing push", () => {
    const p = pr(2);
    const [first, second] = p.check_runs;
    expect(p.check_runs).toHaveLength(2);
    expect(first?.conclusion).toBe("failure");
    expect(first?.head_sha).not.toBe(second?.head_sha);
    const annotation = first?.annotations.find((a) => a.annotation_level === "failure");
    expect(annotation).toMatchObject({ path: "queries/typo.sql", start_line: 4, end_line: 4 });
    expect(annotation?.message).toContain('syntax error at or near "SELEC"');
    expect(second?.head_sha).toBe(p.head_sha);
    expect(second?.conclusion).toBe("action_required");
  });

  it("marks a pull request without request files neutral", () => {
    expect(latestCheck(3)).toMatchObject({
      conclusion: "neutral",
      title: "No query requests in this pull request",
    });
  });

  it("re-evaluates on a review and on /querygate plan by updating the same check run", () => {
    expect(pr(1).check_runs).toHaveLength(1);
    const [review, comment] = [report.steps[4], report.steps[5]];
    expect(review?.deliveries.map((d) => `${d.event}.${d.action}`)).toEqual([
      "pull_request_review.submitted",
    ]);
    expect(comment?.deliveries.map((d) => `${d.event}.${d.action}`)).toEqual(["issue_comment.created"]);
    expect(report.api_calls.by_route["PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}"]).toBe(2);
  });

  it("ignores a redelivery: no second check run, no further API calls", () => {
    const [comment, redeliver] = [report.steps[5], report.steps[6]];
    expect(redeliver?.deliveries).toHaveLength(1);
    expect(redeliver?.deliveries[0]?.id).toBe(comment?.deliveries[0]?.id);
    expect(redeliver?.deliveries[0]?.status).toBe(200);
    expect(report.api_calls.by_route["POST /repos/{owner}/{repo}/check-runs"]).toBe(4);
    expect(pr(1).check_runs).toEqual(comment?.pull_request?.check_runs);
  });

  it("reads the base branch's head through the refs API, once per evaluation, never through repos/get-commit", () => {
    // GET /repos/{o}/{r}/commits/{ref} pages the commit's whole diff; the ref is one small object.
    expect(report.api_calls.by_route["GET /repos/{owner}/{repo}/commits/{ref}"]).toBeUndefined();
    const refReads = report.steps.map(
      (s) => s.api_calls.by_route["GET /repos/{owner}/{repo}/git/ref/{ref}"] ?? 0,
    );
    expect(refReads).toEqual([1, 1, 1, 1, 1, 1, 0]);
  });

  it("asks the teams whose approval is missing for a review", () => {
    expect(pr(1).requested_reviewers.teams).toEqual(["dba"]);
  });

  it("seeds the scenario's target database", () => {
    expect(report.targets).toEqual([expect.objectContaining({ name: "orders-prod", seeded: true })]);
  });
});
