import { describe, expect, it } from "vitest";
import { renderStatusComment } from "../../../src/render/render-status-comment.js";
import { executionSummary, statusCommentParams } from "../../support/render-inputs.js";
import { pullRequestStates, ranBefore } from "./pull-request-states.js";

const states = await pullRequestStates();

/** querygate's status comment on the pull request, one snapshot per state. */
describe("the status comment, as users read it", () => {
  it.each(Object.keys(states))("%s", async (name) => {
    const body = renderStatusComment(statusCommentParams(states[name] ?? {}));
    await expect(body).toMatchFileSnapshot(`./__snapshots__/status-comment-${name}.md`);
  });

  const ready = states["ready-approved"] ?? {};
  it.each([
    ["executed", [executionSummary("queries/refund-order-42.sql", "succeeded")]],
    [
      "running",
      [
        executionSummary("queries/refund-order-42.sql", "running"),
        executionSummary("queries/close-order-43.sql", "queued"),
      ],
    ],
    [
      "ran-mixed",
      [
        executionSummary("queries/refund-order-42.sql", "succeeded"),
        executionSummary("queries/close-order-43.sql", "rolled_back"),
        executionSummary("queries/archive-old-orders.sql", "needs_verification"),
      ],
    ],
  ])("%s", async (name, executions) => {
    const body = renderStatusComment(statusCommentParams({ ...ready, executions }));
    await expect(body).toMatchFileSnapshot(`./__snapshots__/status-comment-${name}.md`);
  });

  it("executed, after another request file ran on an earlier commit", async () => {
    const [refund] = ready.evaluations ?? [];
    if (!refund) throw new Error("the ready state has a request file");
    const body = renderStatusComment(
      statusCommentParams({
        ...ready,
        executions: [executionSummary("queries/close-order-43.sql", "succeeded")],
        priorExecutions: [ranBefore(refund)],
      }),
    );
    await expect(body).toMatchFileSnapshot("./__snapshots__/status-comment-executed-after-earlier-commit.md");
  });
});
