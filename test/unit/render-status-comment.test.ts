import { describe, expect, it } from "vitest";
import type { ApprovalStatus } from "../../src/approvals/approval-types.js";
import { ISSUE_COMMENT_MAX_CHARS, STATUS_COMMENT_MARKER } from "../../src/github/limits.js";
import type { Decision } from "../../src/policy/policy-types.js";
import { missingApprovalLines, renderStatusComment } from "../../src/render/render-status-comment.js";
import { DBA_TEAM, requirement } from "../support/builders/policy-model.js";
import { approvalStatusWith, requirementStatus } from "../support/builders/reviews.js";
import { executionSummary, statusCommentParams } from "../support/render-inputs.js";

const HEAD = "a".repeat(40);
const decision: Decision = {
  outcome: "needs_approval",
  statements: [],
  requirements: [requirement("prod-writes", 3, [DBA_TEAM], { id: "rule:dbas" })],
  summary: [],
};
const approval = (missing: number, extra: Partial<ApprovalStatus> = {}): ApprovalStatus =>
  approvalStatusWith({
    statuses: [requirementStatus("rule:dbas", ["dana", "dave"].slice(0, 3 - missing), missing)],
    satisfied: missing === 0,
    ...extra,
  });
const render = (a: ApprovalStatus, runnerEnabled = true, d: Decision = decision) =>
  renderStatusComment(
    statusCommentParams({
      decision: d,
      approval: a,
      requestFiles: 1,
      headSha: HEAD,
      checkRunUrl: "https://github.test/acme/r/pull/1/checks?check_run_id=7",
      runnerEnabled,
    }),
  );

describe("renderStatusComment", () => {
  it("says what is missing and the next step, behind its hidden marker", () => {
    const body = render(approval(1));
    expect(body.startsWith(`${STATUS_COMMENT_MARKER}\n### querygate: waiting for approval`)).toBe(true);
    expect(body).toContain("Needs 1 more approval from @acme/dba (2 of 3 met) for rule `prod-writes`.");
    expect(body).toContain(
      "When approved, click **Run** on the querygate check or comment `/querygate run`.",
    );
    expect(body).toContain("Head aaaaaaa");
  });

  it("records the same missing-approval lines it shows (what the API reports as missing_approvals)", () => {
    const lines = missingApprovalLines(decision, approval(1));
    expect(lines).toEqual(["Needs 1 more approval from @acme/dba (2 of 3 met) for rule `prod-writes`."]);
    for (const line of lines) expect(render(approval(1))).toContain(line);
    expect(missingApprovalLines(decision, approval(0))).toEqual([]);
    // Nothing counted yet: every approval is missing.
    expect(missingApprovalLines(decision, null)).toEqual([
      "Needs 3 more approvals from @acme/dba (0 of 3 met) for rule `prod-writes`.",
    ]);
  });

  it("does not promise a Run button in review-only mode", () => {
    expect(render(approval(1), false)).not.toContain("click **Run**");
    expect(render(approval(0), false)).toContain("Ready to run.");
  });

  it("names the approvers once ready, and stale approvals while not", () => {
    const ready = render(
      approval(0, {
        approvals: [{ reviewId: 1, login: "dana", commitId: HEAD, ignored: null, counted: ["rule:dbas"] }],
      }),
    );
    expect(ready).toContain("### querygate: approved");
    expect(ready).toContain("Approved by @dana.");
    const stale = render(
      approval(1, {
        approvals: [
          { reviewId: 1, login: "dana", commitId: "b".repeat(40), ignored: "stale_commit", counted: [] },
        ],
      }),
    );
    expect(stale).toContain("@dana: your approval was for an earlier commit");
  });

  it("reports executions instead of the approval status once something ran for the head", () => {
    const body = renderStatusComment(
      statusCommentParams({
        decision,
        approval: approval(0),
        requestFiles: 1,
        headSha: HEAD,
        checkRunUrl: null,
        runnerEnabled: true,
        executions: [
          executionSummary("queries/a.sql", "succeeded", { key: "a", commentId: 1 }),
          executionSummary("queries/b.sql", "rolled_back", { key: "b", commentId: 2 }),
        ],
      }),
    );
    expect(body.startsWith(`${STATUS_COMMENT_MARKER}\n### querygate: ran — see the results`)).toBe(true);
    expect(body).toContain("- `queries/a.sql`: ✅ executed");
    expect(body).toContain("- `queries/b.sql`: ⛔ rolled back — nothing changed");
    expect(body).not.toContain("click **Run**");
  });

  it("quotes at most three denials and stays within GitHub's comment limit", () => {
    const denied: Decision = {
      ...decision,
      outcome: "denied",
      statements: Array.from({ length: 5 }, (_, index) => ({
        index,
        outcome: "denied" as const,
        denials: [{ rule: `r${index}`, message: "x".repeat(100_000) }],
        requirements: [],
        trace: { owners: [], rules: [], defaults: "none" as const },
      })) as unknown as Decision["statements"],
    };
    const body = render(approval(3), true, denied);
    expect(body).toContain("### querygate: denied by policy");
    expect(body).toContain("…and 2 more on the check");
    expect(body.length).toBeLessThanOrEqual(ISSUE_COMMENT_MAX_CHARS);
  });
});
