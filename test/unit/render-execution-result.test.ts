import { describe, expect, it } from "vitest";
import { CHECK_RUN_SUMMARY_MAX_BYTES, ISSUE_COMMENT_MAX_CHARS } from "../../src/github/limits.js";
import {
  DEFAULT_RESULT_MAX_ROWS,
  MASKED_CELL,
  RESULT_CELL_MAX_CHARS,
  RESULT_COMMENT_MAX_PARTS,
  type RenderExecutionResultParams,
  renderExecuteCheckRun,
  renderExecutionResult,
  resultCommentMarker,
} from "../../src/render/render-execution-result.js";
import {
  EXECUTION_KEY,
  executionResultParams,
  resultColumn,
  selectResult,
} from "../support/render-inputs.js";

const SECRET = "078-05-1120";
const OTHER_SECRET = "SECRET-of-another-length-123456789";

/** Every text the renderers produce for these parameters. */
function everything(p: RenderExecutionResultParams): string {
  const check = renderExecuteCheckRun(p);
  return [...renderExecutionResult(p), check.title, check.summary].join("\n");
}

/** The data rows of the markdown tables in a body (lines starting with a pipe, minus header and rule). */
function tableRows(body: string): string[] {
  const lines = body.split("\n");
  return lines.filter((line, i) => line.startsWith("| ") && !(lines[i + 1] ?? "").startsWith("|---"));
}

/** Cells of a table row, split on the pipes GitHub reads as separators (not `\|`). */
function cells(row: string): string[] {
  return row
    .split(/(?<!\\)\|/)
    .slice(1, -1)
    .map((c) => c.trim());
}

describe("renderExecutionResult: masking", () => {
  const masked = (rows: (string | null)[][]) =>
    executionResultParams({
      statements: [
        {
          ...selectResult(rows),
          columns: [resultColumn("id"), resultColumn("ssn"), resultColumn("note")],
          masked: new Set([1, 2]),
        },
      ],
    });

  it("never shows a masked value, anywhere in the comment or the check run", () => {
    const text = everything(masked([["1", SECRET, `${SECRET} in a note`]]));
    expect(text).not.toContain(SECRET);
    expect(text).toContain(`| \`1\` | ${MASKED_CELL} | ${MASKED_CELL} |`);
  });

  it("does not reveal a masked value's length, nor whether it is NULL", () => {
    const a = renderExecutionResult(masked([["1", SECRET, null]]));
    const b = renderExecutionResult(masked([["1", OTHER_SECRET, "x"]]));
    expect(a).toEqual(b);
  });

  it("withholds PostgreSQL's error texts when a mask applies, since they can quote values", () => {
    const error = {
      sqlstate: "22P02",
      message: `invalid input syntax for type integer: "${SECRET}"`,
      detail: `Key (ssn)=(${SECRET}) already exists.`,
      hint: null,
      line: 4,
      statementIndex: 0,
    };
    const withheld = everything(
      executionResultParams({ outcome: "failed", error, statements: [], maskInForce: true }),
    );
    expect(withheld).not.toContain(SECRET);
    expect(withheld).toContain("SQLSTATE 22P02");
    const shown = everything(
      executionResultParams({ outcome: "failed", error, statements: [], maskInForce: false }),
    );
    expect(shown).toContain(`Key (ssn)=(${SECRET}) already exists.`);
  });
});

describe("renderExecutionResult: cells", () => {
  const rowOf = (value: string | null) => {
    const [body] = renderExecutionResult(
      executionResultParams({ statements: [selectResult([["1", value]])] }),
    );
    const [row] = tableRows(body ?? "");
    return row ?? "";
  };

  it("shows NULL in italics, distinct from the text 'NULL' and from an empty string", () => {
    expect(cells(rowOf(null))[1]).toBe("_NULL_");
    expect(cells(rowOf("NULL"))[1]).toBe("`NULL`");
    expect(cells(rowOf(""))[1]).toBe("");
  });

  it("keeps pipes, newlines and backticks inside their cell", () => {
    const row = rowOf("a|b\nc\r\nd`e``f");
    expect(row).not.toMatch(/[\r\n]/);
    expect(cells(row)).toHaveLength(2);
    expect(cells(row)[1]).toBe("```a\\|b↵c↵d`e``f```");
  });

  it("shows markdown, HTML and mentions as code, not as markup", () => {
    const cell = cells(rowOf("<img src=x> @acme/dba [x](http://e) **b**"))[1];
    expect(cell).toBe("`<img src=x> @acme/dba [x](http://e) **b**`");
  });

  it("cuts a long value at the named length with … outside the code", () => {
    const cell = cells(rowOf("x".repeat(RESULT_CELL_MAX_CHARS + 50)))[1];
    expect(cell).toBe(`\`${"x".repeat(RESULT_CELL_MAX_CHARS - 1)}\`…`);
    expect(cells(rowOf("y".repeat(RESULT_CELL_MAX_CHARS)))[1]).toBe(
      `\`${"y".repeat(RESULT_CELL_MAX_CHARS)}\``,
    );
  });

  it("shows the first maxRows rows (50 by default), folded in <details>, and says how many there were", () => {
    const rows = Array.from({ length: 60 }, (_, i) => [String(i), "v"]);
    const [body] = renderExecutionResult(
      executionResultParams({ statements: [selectResult(rows, { rowCount: 1_234, truncated: true })] }),
    );
    expect(tableRows(body ?? "")).toHaveLength(DEFAULT_RESULT_MAX_ROWS);
    expect(body).toContain("<details><summary>50 rows</summary>");
    expect(body).toContain("Showing the first 50 of 1234 rows.");
    const [few] = renderExecutionResult(
      executionResultParams({ maxRows: 3, statements: [selectResult(rows)] }),
    );
    expect(tableRows(few ?? "")).toHaveLength(3);
    expect(few).not.toContain("<details>");
  });
});

describe("renderExecutionResult: the comment limit", () => {
  const ROW_VALUE_CHARS = 150;

  /** Room to grow in each value before it would be cut. */
  const ROOM = RESULT_CELL_MAX_CHARS - ROW_VALUE_CHARS;

  /** n rows of two cells; `pad` more characters spread over the last values (none is cut). */
  const bigResult = (n: number, pad = 0) =>
    executionResultParams({
      maxRows: 10_000,
      statements: [
        selectResult(
          Array.from({ length: n }, (_, i) => {
            const extra = Math.max(0, Math.min(ROOM, pad - (n - 1 - i) * ROOM));
            return [String(i).padStart(5, "0"), "v".repeat(ROW_VALUE_CHARS) + "w".repeat(extra)];
          }),
        ),
      ],
    });

  /** The largest result that fits one comment, padded so the comment is exactly at the limit. */
  function exactFit(): { rows: number; pad: number } {
    let rows = 1;
    while (renderExecutionResult(bigResult(rows + 1)).length === 1) rows++;
    const length = renderExecutionResult(bigResult(rows))[0]?.length ?? 0;
    return { rows, pad: ISSUE_COMMENT_MAX_CHARS - length };
  }

  it("keeps a result that exactly fits in one comment", () => {
    const { rows, pad } = exactFit();
    expect(pad).toBeGreaterThan(0);
    const bodies = renderExecutionResult(bigResult(rows, pad));
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toHaveLength(ISSUE_COMMENT_MAX_CHARS);
    expect(bodies[0]).not.toContain("Continued");
  });

  it("splits one character past it into two comments, between rows, each under the limit", () => {
    const { rows, pad } = exactFit();
    const p = bigResult(rows, pad + 1);
    const bodies = renderExecutionResult(p);
    expect(bodies).toHaveLength(2);
    for (const body of bodies) expect(body.length).toBeLessThanOrEqual(ISSUE_COMMENT_MAX_CHARS);
    expect(bodies[0]?.startsWith(`${resultCommentMarker(EXECUTION_KEY)}\n`)).toBe(true);
    expect(bodies[1]?.startsWith(`${resultCommentMarker(EXECUTION_KEY, 2)}\n`)).toBe(true);
    expect(bodies[0]).toContain("Continued in the next comment.");
    expect(bodies[1]).toContain("Continued from the previous comment");
    // Every row exactly once, whole and in order; both parts open the table with its header.
    const shown = bodies.flatMap(tableRows).map((row) => cells(row)[0]);
    expect(shown).toEqual(Array.from({ length: rows }, (_, i) => `\`${String(i).padStart(5, "0")}\``));
    for (const body of bodies) expect(body).toContain("| `c0` | `c1` |\n|---|---|");
    for (const body of bodies) expect(body.split("<details>").length).toBe(body.split("</details>").length);
  });

  it("stops after RESULT_COMMENT_MAX_PARTS comments and says so", () => {
    const wide = Array.from({ length: 40 }, (_, i) => resultColumn(`c${i}`));
    const rows = Array.from({ length: 400 }, () => wide.map(() => "z".repeat(RESULT_CELL_MAX_CHARS)));
    const bodies = renderExecutionResult(
      executionResultParams({ maxRows: 400, statements: [{ ...selectResult(rows), columns: wide }] }),
    );
    expect(bodies).toHaveLength(RESULT_COMMENT_MAX_PARTS);
    for (const body of bodies) expect(body.length).toBeLessThanOrEqual(ISSUE_COMMENT_MAX_CHARS);
    expect(bodies.at(-1)).toContain("**Truncated**");
  });

  it("numbers the markers of each part and refuses a key that could break out of the marker", () => {
    expect(resultCommentMarker(EXECUTION_KEY)).toBe(`<!-- querygate:result:${EXECUTION_KEY} -->`);
    expect(resultCommentMarker(EXECUTION_KEY, 3)).toBe(`<!-- querygate:result:${EXECUTION_KEY}:part:3 -->`);
    expect(() => renderExecutionResult(executionResultParams({ key: "x --> <b>" }))).toThrow(/key/);
  });
});

describe("renderExecutionResult: outcomes", () => {
  const error = {
    sqlstate: "23505",
    message: 'duplicate key value violates unique constraint "orders_pkey"',
    detail: "Key (id)=(7) already exists.",
    hint: null,
    line: 12,
    statementIndex: 1,
  };

  it("succeeded: headline, target, approvers with reviews, trigger, duration, counts, audit", () => {
    const p = executionResultParams({
      statements: [
        { index: 0, line: 3, command: "UPDATE", rowCount: 12, masked: new Set() },
        selectResult([["1", "Ada"]], { index: 1, line: 5 }),
      ],
    });
    const [body] = renderExecutionResult(p);
    expect(body).toContain("### ✅ Executed");
    expect(body).toContain("`orders-prod` (`production`)");
    expect(body).toContain("`@dana` (review 101), `@dave` (review 102)");
    expect(body).toContain("`@rita` with the Run button");
    expect(body).toContain("1.3 s");
    expect(body).toContain("Statement 1 (line 3) · `UPDATE` · 12 rows affected");
    expect(body).toContain("Statement 2 (line 5) · `SELECT` · 1 row returned");
    expect(body).toContain(`\`sha256:${"ab".repeat(32)}\` in commit \`d00d111\``);
    expect(renderExecuteCheckRun(p)).toMatchObject({ title: "Executed", conclusion: "success" });
  });

  it("rolled back over the row ceiling", () => {
    const p = executionResultParams({
      outcome: "rolled_back",
      error: {
        sqlstate: null,
        message: "statement 1 (line 3) brought the rows affected to 1500, over the ceiling of 1000",
        detail: null,
        hint: "Narrow the WHERE clause.",
        line: 3,
        statementIndex: 0,
        kind: "over_ceiling",
        ceiling: { maxAffectedRows: 1000, affectedRows: 1500 },
      },
      statements: [{ index: 0, line: 3, command: "UPDATE", rowCount: 1500, masked: new Set() }],
    });
    const [body] = renderExecutionResult(p);
    expect(body).toContain("### ⛔ Rolled back: over the row ceiling");
    expect(body).toContain("1500 rows, over the ceiling of 1000");
    expect(renderExecuteCheckRun(p)).toMatchObject({
      title: "Rolled back: over the row ceiling",
      conclusion: "failure",
    });
  });

  it("rolled back by a failing statement names the SQLSTATE and the line", () => {
    const [body] = renderExecutionResult(executionResultParams({ outcome: "rolled_back", error }));
    expect(body).toContain("### ⛔ Rolled back: SQLSTATE 23505 at `queries/fix-order.sql` line 12");
    expect(body).toContain("Key (id)=(7) already exists.");
  });

  it("failed: SQLSTATE at the request file's line, with PostgreSQL's message", () => {
    const p = executionResultParams({ outcome: "failed", error, statements: [] });
    const [body] = renderExecutionResult(p);
    expect(body).toContain("### ❌ Failed: SQLSTATE 23505 at `queries/fix-order.sql` line 12");
    expect(body).toContain("DETAIL: Key (id)=(7) already exists.");
    expect(renderExecuteCheckRun(p)).toMatchObject({
      title: "Failed: SQLSTATE 23505 at queries/fix-order.sql line 12",
      conclusion: "failure",
    });
    const [refused] = renderExecutionResult(
      executionResultParams({
        outcome: "failed",
        statements: [],
        error: { ...error, sqlstate: null, kind: "connect", line: null, statementIndex: null },
      }),
    );
    expect(refused).toContain("### ❌ Failed: could not connect to the target");
  });

  it("needs verification: says how to check, with the transaction id", () => {
    const p = executionResultParams({
      outcome: "needs_verification",
      resolution: "crash_unknown",
      statements: [],
    });
    const [body] = renderExecutionResult(p);
    expect(body).toContain("### ⚠️ Needs manual verification");
    expect(body).toContain("the database could not say whether it committed");
    expect(body).toContain("`SELECT pg_xact_status('7401')`");
    expect(body).toContain("will not run it again");
    expect(renderExecuteCheckRun(p)).toMatchObject({
      title: "Needs manual verification",
      conclusion: "neutral",
    });
    const [noXid] = renderExecutionResult({ ...p, xid: null });
    expect(noXid).toContain("before the transaction id was recorded");
  });

  it("crash resolutions explain what the database said", () => {
    expect(
      renderExecutionResult(executionResultParams({ resolution: "crash_committed", statements: [] }))[0],
    ).toContain("PostgreSQL confirms it committed");
    expect(
      renderExecutionResult(
        executionResultParams({ outcome: "failed", resolution: "crash_aborted", statements: [] }),
      )[0],
    ).toContain("PostgreSQL rolled it back");
  });

  it("names every trigger and an automatic approval", () => {
    const runBy = (trigger: RenderExecutionResultParams["trigger"]) =>
      renderExecutionResult(executionResultParams({ trigger, approvers: [] }))[0] ?? "";
    expect(runBy("comment")).toContain("with `/querygate run`");
    expect(runBy("merge")).toContain("by merging the pull request");
    expect(runBy("auto")).toContain("automatically");
    expect(runBy("auto")).toContain("no approval needed");
  });
});

describe("renderExecuteCheckRun", () => {
  it("keeps rows out of the summary and stays within the limit", () => {
    const rows = Array.from({ length: 50 }, () => ["x".repeat(10_000), SECRET]);
    const check = renderExecuteCheckRun(executionResultParams({ statements: [selectResult(rows)] }));
    expect(check.summary.length).toBeLessThanOrEqual(CHECK_RUN_SUMMARY_MAX_BYTES);
    expect(Buffer.byteLength(check.summary, "utf8")).toBeLessThanOrEqual(CHECK_RUN_SUMMARY_MAX_BYTES);
    expect(check.summary).not.toContain(SECRET);
    expect(check.summary).toContain("result comment");
  });
});
