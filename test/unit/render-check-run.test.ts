import { describe, expect, it } from "vitest";
import { RUN_BUTTON } from "../../src/github/check-run-output.js";
import {
  CHECK_RUN_MAX_ANNOTATIONS,
  CHECK_RUN_SUMMARY_MAX_BYTES,
  CHECK_RUN_TEXT_MAX_BYTES,
} from "../../src/github/limits.js";
import type { RequestFileEvaluation } from "../../src/plan-pull-request/evaluate-request-file.js";
import { combineDecisions } from "../../src/policy/evaluate/combine-decisions.js";
import { utf8Bytes } from "../../src/render/markdown.js";
import { renderCheckRun } from "../../src/render/render-check-run.js";
import { policyFixture } from "../support/builders/policy-file.js";
import {
  approvalStatusWith,
  changeRequest,
  countedApproval,
  ignoredApproval,
  requirementStatus,
} from "../support/builders/reviews.js";
import { compilePolicyText, evaluateFile } from "../support/compile-policy-text.js";
import { checkRunParams, invalidBasePolicy, type PullRequestState } from "../support/render-inputs.js";

const policy = compilePolicyText(policyFixture("orders.yml"));
const HEADER = "-- target: orders-prod\n-- reason: test\n";
const NOW = new Date("2026-11-21T10:00:00Z");

const evaluate = (path: string, sql: string) => evaluateFile({ policy, path, text: sql, now: NOW });

function render(evaluations: RequestFileEvaluation[], extra: PullRequestState & { offerRun?: boolean } = {}) {
  return renderCheckRun(checkRunParams({ evaluations, ...extra }));
}

describe("renderCheckRun", () => {
  it("is neutral when the pull request has no request files and no policy change", () => {
    const output = render([]);
    expect(output).toMatchObject({ conclusion: "neutral", title: "No query requests in this pull request" });
  });

  it("fails closed when the base branch has no valid policy", () => {
    const output = render([], {
      policy: invalidBasePolicy(["policies/querygate.yml:3: version: missing"], "b".repeat(40)),
      decision: null,
    });
    expect(output.conclusion).toBe("failure");
    expect(output.title).toBe("No valid policy on the base branch: every request is denied");
    expect(output.summary).toContain("policies/querygate.yml:3: version: missing");
  });

  it("needs approval with a requirements table saying who is missing, and lists every statement", async () => {
    const e = await evaluate(
      "queries/a.sql",
      `${HEADER}UPDATE orders SET status = 'x' WHERE id = 7;\nSELECT id FROM orders WHERE id = 7;\n`,
    );
    const output = render([e]);
    expect(output.conclusion).toBe("action_required");
    expect(output.title).toBe("Needs approvals for 2 of 2 requirements");
    expect(output.summary).toContain("Needs 2 more approvals from @acme/dba for");
    expect(output.summary).toMatch(
      /\| queries\/a\.sql \| orders-prod \| 1 \| 3 \| `write` \| needs approval \|/,
    );
    expect(output.summary).toMatch(
      /\| queries\/a\.sql \| orders-prod \| 2 \| 4 \| `read` \| needs approval \|/,
    );
    expect(output.text).toContain("rule `prod-writes-need-two-dbas`");
    expect(output.text).toContain("```sql\nUPDATE orders SET status = 'x' WHERE id = 7\n```");
  });

  it("succeeds when every requirement is met", async () => {
    const e = await evaluate("queries/a.sql", `${HEADER}SELECT id FROM orders WHERE id = 7;\n`);
    const decision = combineDecisions([e.decision]);
    const statuses = decision.requirements.map((r) => requirementStatus(r.id, ["dana"], 0));
    const approval = approvalStatusWith({
      statuses,
      approvals: [countedApproval("dana", ["x"], { reviewId: 1, commitId: "c".repeat(40) })],
      satisfied: true,
    });
    const output = render([e], { approval });
    expect(output).toMatchObject({ conclusion: "success", title: "Every approval requirement is met" });
    expect(output.summary).toContain("@dana");
    expect(output.actions).toEqual([]);
    expect(render([e], { approval, offerRun: true }).actions).toEqual([RUN_BUTTON]);
    const fork = render([e], { approval, fork: true, offerRun: true });
    expect(fork).toMatchObject({ conclusion: "failure", actions: [] });
    expect(fork.title).toMatch(/fork/);
    const blocked = render([e], {
      approval: {
        ...approval,
        satisfied: false,
        changeRequests: [changeRequest("dave", ["x"], { reviewId: 2, commitId: "c".repeat(40) })],
      },
    });
    expect(blocked).toMatchObject({ conclusion: "action_required", title: "Changes requested by @dave" });
    const wrongBase = render([e], {
      approval,
      baseProblem: "Requests must target the default branch `main`.",
    });
    expect(wrongBase).toMatchObject({
      conclusion: "failure",
      title: "Requests must target an allowed base branch",
    });
  });

  it("names a review whose commit no longer exists (commit id null) instead of a SHA, and still blocks on it", async () => {
    const e = await evaluate("queries/a.sql", `${HEADER}SELECT id FROM orders WHERE id = 7;\n`);
    const decision = combineDecisions([e.decision]);
    const statuses = decision.requirements.map((r) => requirementStatus(r.id, ["dana"], 0));
    const approval = approvalStatusWith({
      statuses,
      approvals: [
        countedApproval("dana", ["x"], { reviewId: 1 }),
        ignoredApproval("doug", "stale_commit", { reviewId: 3, commitId: null }),
      ],
      changeRequests: [changeRequest("dave", ["x"], { reviewId: 2, commitId: null })],
      satisfied: false,
    });
    const output = render([e], { approval });
    expect(output).toMatchObject({ conclusion: "action_required", title: "Changes requested by @dave" });
    expect(output.summary).toContain(
      "- ➖ @doug approved a commit that no longer exists (force-pushed away): not counted — approved an older commit",
    );
    expect(output.summary).toContain(
      "- ⛔ @dave requested changes on a commit that no longer exists (force-pushed away): blocks until dismissed or they approve",
    );
    expect(output.summary).not.toContain("null");
  });

  it("succeeds without review when every statement is auto-approved", async () => {
    const e = await evaluate(
      "queries/s.sql",
      "-- target: orders-staging\n-- reason: r\nSELECT id FROM orders WHERE id = 1;\n",
    );
    expect(render([e])).toMatchObject({ conclusion: "success", title: "Approved automatically by policy" });
  });

  it("fails a denied statement with the rule's message annotated on its line", async () => {
    const e = await evaluate("queries/ddl.sql", `${HEADER}SELECT 1;\nCREATE INDEX i ON orders (status);\n`);
    const output = render([e]);
    expect(output.conclusion).toBe("failure");
    expect(output.annotations).toContainEqual(
      expect.objectContaining({
        path: "queries/ddl.sql",
        start_line: 4,
        annotation_level: "failure",
        title: "Denied by no-ddl-in-prod",
        message: "Schema changes go through migrations.",
      }),
    );
  });

  it("denies an error-level review finding the policy did not lower", async () => {
    const e = await evaluate("queries/del.sql", `${HEADER}DELETE FROM orders;\n`);
    const output = render([e]);
    expect(output.conclusion).toBe("failure");
    expect(output.annotations).toContainEqual(
      expect.objectContaining({ start_line: 3, title: "Denied by review:delete-without-where" }),
    );
    expect(output.annotations).toContainEqual(
      expect.objectContaining({
        start_line: 3,
        annotation_level: "failure",
        title: "error: delete-without-where",
      }),
    );
  });

  it("fails unparseable SQL with an annotation on the right line", async () => {
    const e = await evaluate("queries/bad.sql", `${HEADER}\nSELEC 1;\n`);
    const output = render([e]);
    expect(output.conclusion).toBe("failure");
    expect(output.annotations[0]).toMatchObject({
      path: "queries/bad.sql",
      start_line: 4,
      annotation_level: "failure",
    });
    expect(output.annotations[0]?.message).toContain('syntax error at or near "SELEC"');
  });

  it("reports a proposed policy's errors and failing tests on their lines", async () => {
    const output = render([], {
      policyChange: {
        errors: [
          {
            file: "policies/querygate.yml",
            line: 7,
            key: "rules[0].require.count",
            message: "must be ≥ 1 — got 0",
          },
        ],
        tests: {
          passed: 3,
          failed: 1,
          failures: [
            {
              file: "policies/tests/a.yml",
              line: 12,
              name: "ddl denied",
              message: "expected denied, got auto",
            },
          ],
        },
      },
    });
    expect(output.conclusion).toBe("failure");
    expect(output.summary).toContain("This pull request changes the policy");
    expect(output.annotations.map((a) => [a.path, a.start_line])).toEqual([
      ["policies/querygate.yml", 7],
      ["policies/tests/a.yml", 12],
    ]);
  });

  it("stays within GitHub's limits for a request with 600 statements, with an explicit truncation marker", async () => {
    const sql = `${HEADER}${Array.from({ length: 600 }, (_, i) => `SELECT id, status, amount FROM orders WHERE id = ${i} AND status = 'paid';`).join("\n")}\n`;
    const output = render([await evaluate("queries/many.sql", sql)]);
    expect(output.summary.length).toBeLessThanOrEqual(CHECK_RUN_SUMMARY_MAX_BYTES);
    expect(output.text.length).toBeLessThanOrEqual(CHECK_RUN_TEXT_MAX_BYTES);
    expect(utf8Bytes(output.summary)).toBeLessThanOrEqual(CHECK_RUN_SUMMARY_MAX_BYTES);
    expect(utf8Bytes(output.text)).toBeLessThanOrEqual(CHECK_RUN_TEXT_MAX_BYTES);
    expect(output.text).toContain("**Truncated**");
    expect(output.annotations).toHaveLength(CHECK_RUN_MAX_ANNOTATIONS);
  });

  it("counts UTF-8 bytes, as GitHub does, for a request written in CJK and accented text", async () => {
    // Each statement carries comments and a literal in Japanese, Chinese and accented French: 3 bytes per
    // CJK character, 2 per accented letter, so a check run cut at 65,535 characters is far over 65,535 bytes.
    const note = "注文の状態を確認します・订单状态检查・vérifié à la caisse, reçu déjà émis";
    const sql = `${HEADER}${Array.from(
      { length: 300 },
      (_, i) =>
        `-- ${note} ${i}\nSELECT id, status /* ${note} */ FROM orders WHERE id = ${i} AND status = '${note}';`,
    ).join("\n")}\n`;
    const output = render([await evaluate("queries/国际化.sql", sql)]);
    expect(output.text.length).toBeLessThan(CHECK_RUN_TEXT_MAX_BYTES);
    expect(utf8Bytes(output.summary)).toBeLessThanOrEqual(CHECK_RUN_SUMMARY_MAX_BYTES);
    expect(utf8Bytes(output.text)).toBeLessThanOrEqual(CHECK_RUN_TEXT_MAX_BYTES);
    expect(output.text).toContain(note);
    expect(output.text).toMatch(/\n\n---\n\*\*Truncated\*\*: \d+ more characters not shown\. [^\n]+$/);
    expect(output.text).not.toContain("\uFFFD");
    expect(Buffer.from(output.text, "utf8").toString("utf8")).toBe(output.text);
  });
});
