import { describe, expect, it } from "vitest";
import type { EarlierRun } from "../../src/plan-pull-request/earlier-runs.js";
import { alreadyRanReply, queuedReply } from "../../src/render/render-command-reply.js";
import type { ExecutionRow } from "../../src/runner/ledger/execution-ledger.js";

const RESULT = "https://github.test/acme/r/pull/1#issuecomment-5";

function earlier(requestPath: string, more: Partial<EarlierRun["execution"]> = {}): EarlierRun {
  return {
    requestPath,
    runsAgain: false,
    execution: {
      key: "k".repeat(64),
      requestPath,
      headSha: "e".repeat(40),
      state: "succeeded",
      at: "2026-11-21T09:00:01.000Z",
      resultUrl: RESULT,
      ...more,
    },
  };
}

describe("replies to a run request for what already ran", () => {
  it("says when it ran, on which head, and links the result", () => {
    expect(alreadyRanReply([earlier("queries/a.sql")])).toBe(
      `Nothing ran: \`queries/a.sql\` already ran on this pull request — ✅ executed 2026-11-21 09:00 UTC on head eeeeeee — [result](${RESULT}).\n\nA request runs at most once: a push that leaves its statements, parameters and target as they were does not make it runnable again. To run it again, add a new request file, or change its statements, parameters or target, and get it approved.`,
    );
  });

  it("lists several files, and the path a moved request ran as", () => {
    const reply = alreadyRanReply([
      earlier("queries/a.sql", { state: "needs_verification", resultUrl: null }),
      earlier("queries/renamed.sql", { requestPath: "queries/b.sql" }),
    ]);
    expect(reply).toContain("Nothing ran: these request files already ran on this pull request.");
    expect(reply).toContain(
      "- `queries/a.sql`: ⚠️ needs manual verification (it may have committed) since 2026-11-21 09:00 UTC on head eeeeeee\n",
    );
    expect(reply).toContain(
      `- \`queries/renamed.sql\`: ✅ executed 2026-11-21 09:00 UTC as \`queries/b.sql\` on head eeeeeee — [result](${RESULT})`,
    );
  });

  it("names the file the ledger found the same request under", () => {
    const row = {
      key: "f".repeat(64),
      requestPath: "queries/a.sql",
      target: "orders-prod",
      state: "queued",
    } as ExecutionRow;
    expect(queuedReply([{ row, created: false, requestPath: "queries/copy.sql" }])).toBe(
      "- `queries/copy.sql` on `orders-prod`: already queued as `queries/a.sql` — a request runs at most once (key `ffffffffffff`)",
    );
    expect(queuedReply([{ row, created: false }])).toBe(
      "- `queries/a.sql` on `orders-prod`: already queued — a request runs at most once (key `ffffffffffff`)",
    );
  });
});
