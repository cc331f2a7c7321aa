import { describe, expect, it } from "vitest";
import {
  CHECK_RUN_MAX_ANNOTATIONS,
  CHECK_RUN_SUMMARY_MAX_CHARS,
  CHECK_RUN_TEXT_MAX_CHARS,
} from "../../src/github/limits.js";
import { renderCheckRun } from "../../src/github/render-check-run.js";
import { analyzeRequestFile, type RequestFileAnalysis } from "../../src/requests/analyze-request-file.js";
import { createPostgresDialect } from "../../src/sql/postgres/postgres-dialect.js";

const dialect = await createPostgresDialect();
const HEADER = "-- target: orders-prod\n-- reason: refund duplicate orders\n";

function file(path: string, sql: string): RequestFileAnalysis {
  return analyzeRequestFile({ path, content: Buffer.from(sql, "utf8"), dialect });
}

function render(files: RequestFileAnalysis[], skipped: Array<{ path: string; reason: string }> = []) {
  return renderCheckRun({ files, skipped, parserVersion: dialect.parserVersion });
}

describe("renderCheckRun", () => {
  it("is neutral when the pull request holds no request files", () => {
    const output = render([]);
    expect(output.conclusion).toBe("neutral");
    expect(output.annotations).toEqual([]);
    expect(output.summary).toContain("queries/**/*.sql");
  });

  it("needs approval for good files, listing every statement in the summary table", () => {
    const output = render([
      file(
        "queries/a.sql",
        `${HEADER}SELECT * FROM orders;\nUPDATE orders SET status = 'refunded' WHERE id = 7;\n`,
      ),
      file("queries/b.sql", `${HEADER}DELETE FROM carts WHERE created < now() - interval '1 year';\n`),
    ]);
    expect(output.conclusion).toBe("action_required");
    expect(output.title).toBe("3 statements in 2 requests need approval");
    const rows = output.summary.split("\n").filter((line) => line.startsWith("| queries/"));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain("| queries/a.sql | orders-prod | 1 | 3 | `read` | SELECT * FROM orders |");
    expect(rows[1]).toContain("| queries/a.sql | orders-prod | 2 | 4 | `write` |");
    expect(rows[1]).toContain("orders (update)");
    expect(rows[2]).toContain("| queries/b.sql | orders-prod | 1 | 3 | `write` |");
    expect(output.summary).toContain(`<sub>Parser: ${dialect.parserVersion}</sub>`);
    expect(output.text).toContain("### `queries/a.sql`");
    expect(output.text).toContain("```sql\nUPDATE orders SET status = 'refunded' WHERE id = 7\n```");
    expect(output.annotations.map((a) => [a.path, a.start_line, a.annotation_level, a.title])).toEqual([
      ["queries/a.sql", 3, "warning", "warning: select-star"],
      ["queries/a.sql", 3, "warning", "warning: read-without-where-or-limit"],
      ["queries/a.sql", 3, "notice", "Statement 1: read"],
      ["queries/a.sql", 4, "notice", "Statement 2: write"],
      ["queries/b.sql", 3, "notice", "Statement 1: write"],
    ]);
    expect(rows[0]).toContain("warning: select-star");
    expect(output.text).toContain("- warning `select-star` (line 3):");
  });

  it("fails a request with an error-level review finding, annotated on its line", () => {
    const output = render([file("queries/a.sql", `${HEADER}SELECT 1;\nDELETE FROM orders;\n`)]);
    expect(output.conclusion).toBe("failure");
    expect(output.annotations).toContainEqual(
      expect.objectContaining({
        path: "queries/a.sql",
        start_line: 4,
        annotation_level: "failure",
        title: "error: delete-without-where",
      }),
    );
  });

  it("uses the singular for one statement in one request", () => {
    expect(render([file("queries/a.sql", `${HEADER}SELECT 1;`)]).title).toBe(
      "1 statement in 1 request needs approval",
    );
  });

  it("fails a parse error and annotates its line and column", () => {
    const output = render([file("queries/bad.sql", `${HEADER}SELECT 1;\nSELEC x;\n`)]);
    expect(output.conclusion).toBe("failure");
    expect(output.title).toBe("1 of 1 request files cannot run");
    expect(output.summary).toContain("| queries/bad.sql | — | — | 4 | **unparseable** |");
    expect(output.annotations).toEqual([
      expect.objectContaining({
        path: "queries/bad.sql",
        start_line: 4,
        end_line: 4,
        start_column: 1,
        end_column: 1,
        annotation_level: "failure",
        title: "SQL cannot be parsed",
        message: expect.stringContaining('syntax error at or near "SELEC" (line 4, column 1)'),
      }),
    ]);
    expect(output.text).toContain("Parse error at line 4, column 1");
  });

  it("fails header problems and annotates each on its line", () => {
    const output = render([file("queries/h.sql", "-- taget: orders-prod\n-- reason: r\nSELECT 1;\n")]);
    expect(output.conclusion).toBe("failure");
    const failures = output.annotations.filter((a) => a.annotation_level === "failure");
    expect(failures.map((a) => [a.start_line, a.title])).toEqual([
      [1, "Invalid request header"],
      [1, "Invalid request header"],
    ]);
    expect(failures[0]?.message).toContain("did you mean `target`?");
    expect(failures[1]?.message).toContain("missing header `-- target: …`");
    expect(output.summary).toContain("**invalid header**");
  });

  it("fails a rejected statement and annotates it as refused", () => {
    const output = render([file("queries/r.sql", `${HEADER}SELECT 1;\nBEGIN;\nDELETE FROM t;\nCOMMIT;\n`)]);
    expect(output.conclusion).toBe("failure");
    const refused = output.annotations.filter((a) => a.title === "Statement refused");
    expect(refused.map((a) => [a.start_line, a.annotation_level])).toEqual([
      [4, "failure"],
      [6, "failure"],
    ]);
    expect(refused[0]?.message).toContain("transaction control");
    expect(output.summary).toContain("**rejected**");
  });

  it("fails and lists request files that were not analysed", () => {
    const output = render(
      [file("queries/a.sql", `${HEADER}SELECT 1;`)],
      [{ path: "queries/huge.sql", reason: "over 1 MiB" }],
    );
    expect(output.conclusion).toBe("failure");
    expect(output.title).toBe("1 of 2 request files cannot run");
    expect(output.summary).toContain(
      "| queries/huge.sql | — | — | — | **not analysed** | — | — | over 1 MiB |",
    );
  });

  it("fails when only skipped files are present", () => {
    const output = render([], [{ path: "queries/x.sql", reason: "too many files" }]);
    expect(output.conclusion).toBe("failure");
    expect(output.summary).toContain("queries/x.sql");
  });

  it("escapes pipes in statements so the summary table keeps its columns", () => {
    const output = render([file("queries/p.sql", `${HEADER}SELECT 'a|b' || 'c';`)]);
    const row = output.summary.split("\n").find((line) => line.startsWith("| queries/p.sql"));
    expect(row?.split(/(?<!\\)\|/)).toHaveLength(10);
  });

  it("caps annotations and fits summary and text within GitHub's limits for 600 statements", () => {
    const sql = `${HEADER}${Array.from({ length: 600 }, (_, i) => `UPDATE orders SET status = 'refunded', note = '${"x".repeat(40)}' WHERE id = ${i};`).join("\n")}\n`;
    const request = file("queries/many.sql", sql);
    expect(request.analysis?.ok && request.analysis.statements).toHaveLength(600);
    const output = render([request]);
    expect(output.conclusion).toBe("action_required");
    expect(output.annotations).toHaveLength(CHECK_RUN_MAX_ANNOTATIONS);
    expect(output.summary.length).toBeLessThanOrEqual(CHECK_RUN_SUMMARY_MAX_CHARS);
    expect(output.text.length).toBeLessThanOrEqual(CHECK_RUN_TEXT_MAX_CHARS);
    expect(output.summary).toContain("**Truncated**");
    expect(output.text).toContain("**Truncated**");
    expect(output.text.endsWith("Run `querygate analyze FILE` locally for the full analysis.")).toBe(true);
    // The cut may fall inside a statement's code block: the marker must not end up inside it.
    const kept = output.text.slice(0, output.text.indexOf("\n\n---\n**Truncated**"));
    expect((kept.match(/^```/gm) ?? []).length % 2).toBe(0);
  });
});
