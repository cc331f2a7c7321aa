import { describe, expect, it } from "vitest";
import {
  type RenderExecutionResultParams,
  renderExecuteCheckRun,
  renderExecutionResult,
} from "../../../src/render/render-execution-result.js";
import {
  executionResultParams,
  resultColumn,
  selectResult,
  writeResult,
} from "../../support/render-inputs.js";
import { executeCheckRunSnapshot } from "../../support/snapshot-text.js";

/** Table rows of one part kept at each end of a long part; the rows between are left out of its snapshot. */
const KEPT_ROWS = 3;

const CASES: Record<string, RenderExecutionResultParams> = {
  "succeeded-read-masked": executionResultParams({
    requestPath: "queries/customer-5-orders.sql",
    trigger: "comment",
    statements: [
      selectResult(
        [
          ["5", "ada@example.com", "3", "412.50"],
          ["5", "ada@example.com", "4", null],
          ["5", "ada@example.com", "9", "19.99"],
        ],
        {
          columns: ["customer_id", "email", "order_id", "total"].map(resultColumn),
          masked: new Set([1]),
        },
      ),
    ],
    maskInForce: true,
  }),
  write: executionResultParams({
    requestPath: "queries/refund-order-42.sql",
    statements: [
      writeResult("UPDATE", 1, { index: 0, line: 4 }),
      selectResult([["42", "refunded"]], {
        index: 1,
        line: 5,
        columns: [resultColumn("id"), resultColumn("status")],
      }),
    ],
  }),
  "failed-with-error": executionResultParams({
    outcome: "failed",
    requestPath: "queries/add-order.sql",
    trigger: "merge",
    statements: [writeResult("INSERT", 0, { index: 0, line: 3 })],
    error: {
      sqlstate: "23505",
      message: 'duplicate key value violates unique constraint "orders_pkey"',
      detail: "Key (id)=(42) already exists.",
      hint: null,
      line: 3,
      statementIndex: 0,
      kind: "statement",
    },
  }),
  "rolled-back-over-ceiling": executionResultParams({
    outcome: "rolled_back",
    requestPath: "queries/archive-old-orders.sql",
    statements: [writeResult("DELETE", 4213, { index: 0, line: 3 })],
    error: {
      sqlstate: null,
      message:
        "statement 1 (line 3) brought the rows affected to 4213, over the ceiling of 1000: the transaction was rolled back and nothing changed",
      detail: null,
      hint: "Narrow the WHERE clause, split the change into smaller requests, or ask for a higher max_affected_rows in the policy.",
      line: 3,
      statementIndex: 0,
      kind: "over_ceiling",
      ceiling: { maxAffectedRows: 1000, affectedRows: 4213 },
    },
  }),
  "needs-verification": executionResultParams({
    outcome: "needs_verification",
    resolution: "crash_unknown",
    requestPath: "queries/archive-old-orders.sql",
    statements: [],
    error: {
      sqlstate: null,
      message:
        "The worker stopped while running this request (COMMIT got no answer), and the status of target transaction 7401 could not be read: connect ECONNREFUSED 10.0.0.5:5432. Needs manual verification; it will not be run again automatically.",
      detail: null,
      hint: null,
      line: null,
      statementIndex: null,
    },
  }),
  "split-in-parts": executionResultParams({
    requestPath: "queries/export-orders.sql",
    maxRows: 400,
    statements: [
      selectResult(
        Array.from({ length: 400 }, (_, i) => [String(i + 1), "shipped", `note ${i + 1} `.padEnd(180, "·")]),
        { columns: ["id", "status", "note"].map(resultColumn), rowCount: 400 },
      ),
    ],
  }),
};

/** A long part with the data rows in its middle left out, saying how many; short parts whole. */
function abridged(part: string): string {
  const lines = part.split("\n");
  const rows = lines.flatMap((line, i) =>
    line.startsWith("| ") && !(lines[i + 1] ?? "").startsWith("|---") ? [i] : [],
  );
  if (rows.length <= 2 * KEPT_ROWS + 1) return part;
  const from = rows[KEPT_ROWS] ?? 0;
  const to = rows[rows.length - KEPT_ROWS - 1] ?? 0;
  return [
    ...lines.slice(0, from),
    `<!-- snapshot: ${rows.filter((r) => r >= from && r <= to).length} table rows left out (${part.length} characters in this part) -->`,
    ...lines.slice(to + 1),
  ].join("\n");
}

/** The result comment(s) and the `querygate/execute` check run, as users read them after a run. */
describe("execution results, as users read them", () => {
  it.each(Object.keys(CASES))("%s", async (name) => {
    const params = CASES[name] as RenderExecutionResultParams;
    const parts = renderExecutionResult(params);
    if (parts.length === 1) {
      await expect(parts[0]).toMatchFileSnapshot(`./__snapshots__/result-comment-${name}.md`);
    } else {
      for (const [i, part] of parts.entries()) {
        await expect(abridged(part)).toMatchFileSnapshot(
          `./__snapshots__/result-comment-${name}-part-${i + 1}.md`,
        );
      }
    }
    await expect(executeCheckRunSnapshot(renderExecuteCheckRun(params))).toMatchFileSnapshot(
      `./__snapshots__/execute-check-run-${name}.md`,
    );
  });

  it("splits the long result into more than one comment", () => {
    expect(
      renderExecutionResult(CASES["split-in-parts"] as RenderExecutionResultParams).length,
    ).toBeGreaterThan(1);
  });
});
