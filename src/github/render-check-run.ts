import type { LintLevel } from "../lint/lint-rule.js";
import { type RequestFileAnalysis, requestFileFailed } from "../requests/analyze-request-file.js";
import type { ReviewedStatement } from "../sql/review-statements.js";
import type { Statement } from "../sql/statement.js";
import {
  CHECK_RUN_MAX_ANNOTATIONS,
  CHECK_RUN_SUMMARY_MAX_CHARS,
  CHECK_RUN_TEXT_MAX_CHARS,
} from "./limits.js";
import { codeBlock, fitToLimit, inlineCode, tableCell } from "./markdown.js";

export type CheckConclusion = "success" | "failure" | "neutral" | "action_required";

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "notice" | "warning" | "failure";
  title: string;
  message: string;
}

export interface CheckRunOutput {
  conclusion: CheckConclusion;
  title: string;
  summary: string;
  text: string;
  annotations: CheckAnnotation[];
}

export interface RenderCheckRunParams {
  files: RequestFileAnalysis[];
  /** Request files the pull request touches beyond what was analysed. */
  skipped: Array<{ path: string; reason: string }>;
  parserVersion: string;
}

/** Pure: analysed request files in, the `querygate` check run's output out, within GitHub's limits. */
export function renderCheckRun({ files, skipped, parserVersion }: RenderCheckRunParams): CheckRunOutput {
  const hint = "Run `querygate analyze FILE` locally for the full analysis.";
  if (files.length === 0 && skipped.length === 0) {
    return {
      conclusion: "neutral",
      title: "No query requests in this pull request",
      summary:
        "This pull request adds or changes no request files (`queries/**/*.sql`), so querygate has nothing to review.",
      text: "",
      annotations: [],
    };
  }
  const statements = files.flatMap((f) => f.statements);
  const failed = files.filter(requestFileFailed);
  const failedCount = failed.length + skipped.length;
  const conclusion: CheckConclusion = failedCount > 0 ? "failure" : "action_required";
  const title =
    failedCount > 0
      ? `${failedCount} of ${files.length + skipped.length} request files cannot run`
      : `${statements.length} ${plural(statements.length, "statement")} in ${files.length} ${plural(files.length, "request")} ${statements.length === 1 ? "needs" : "need"} approval`;

  const summary: string[] = [];
  summary.push(
    conclusion === "failure"
      ? "**Cannot run.** Fix the problems below (they are also annotated on the file lines) and push again."
      : "**Needs approval.** Every statement below was parsed with PostgreSQL's own grammar. Approval rules are not evaluated yet, so querygate fails closed: nothing here can run until the policy engine approves it.",
  );
  summary.push("");
  summary.push("| Request | Target | # | Line | Class | Statement | Objects | Notes |");
  summary.push("|---|---|---|---|---|---|---|---|");
  for (const file of files) {
    const target = file.header?.target ?? "—";
    if (!file.analysis?.ok) {
      const err = file.analysis?.ok === false ? file.analysis.error : null;
      summary.push(
        `| ${tableCell(file.path)} | ${tableCell(target)} | — | ${err?.line ?? "—"} | **unparseable** | — | — | ${tableCell(err?.message ?? "not analysed", 120)} |`,
      );
      continue;
    }
    for (const s of file.statements) {
      summary.push(
        `| ${tableCell(file.path)} | ${tableCell(target)} | ${s.index + 1} | ${s.span.line} | ${classLabel(s)} | ${tableCell(preview(s), 60)} | ${tableCell(objectList(s), 60)} | ${tableCell(notes(s), 120)} |`,
      );
    }
    for (const p of file.problems) {
      summary.push(
        `| ${tableCell(file.path)} | ${tableCell(target)} | — | ${p.line} | **invalid header** | — | — | ${tableCell(p.message, 120)} |`,
      );
    }
  }
  for (const s of skipped) {
    summary.push(
      `| ${tableCell(s.path)} | — | — | — | **not analysed** | — | — | ${tableCell(s.reason, 120)} |`,
    );
  }
  summary.push("", `<sub>Parser: ${parserVersion}</sub>`);

  const text: string[] = [];
  for (const file of files) {
    text.push(`### ${inlineCode(file.path)}`);
    if (file.header) {
      text.push(
        `Target ${inlineCode(file.header.target)} · reason: ${tableCell(file.header.reason, 300)}${file.header.ticket ? ` · ticket ${inlineCode(file.header.ticket)}` : ""}${file.header.maxRows !== null ? ` · max rows ${file.header.maxRows}` : ""}`,
      );
    }
    if (file.analysis?.ok) {
      for (const s of file.statements) {
        text.push(
          "",
          `**Statement ${s.index + 1}** (line ${s.span.line}) — class \`${s.class}\`: ${s.reasons.join("; ")}`,
        );
        if (s.flags.length > 0) text.push(`Flags: ${s.flags.map((f) => inlineCode(f)).join(", ")}`);
        for (const f of s.findings)
          text.push(`- ${f.level} ${inlineCode(f.rule)} (line ${f.line}): ${f.message}`);
        text.push(codeBlock(s.text.trim(), "sql"));
      }
    } else if (file.analysis) {
      text.push(
        "",
        `Parse error at line ${file.analysis.error.line}, column ${file.analysis.error.column}: ${file.analysis.error.message}`,
      );
    }
    text.push("");
  }

  return {
    conclusion,
    title,
    summary: fitToLimit(summary.join("\n"), CHECK_RUN_SUMMARY_MAX_CHARS, hint).text,
    text: fitToLimit(text.join("\n"), CHECK_RUN_TEXT_MAX_CHARS, hint).text,
    annotations: annotationsFor(files).slice(0, CHECK_RUN_MAX_ANNOTATIONS),
  };
}

function annotationsFor(files: RequestFileAnalysis[]): CheckAnnotation[] {
  const out: CheckAnnotation[] = [];
  for (const file of files) {
    if (file.analysis && !file.analysis.ok) {
      const { line, column, message } = file.analysis.error;
      out.push({
        path: file.path,
        start_line: line,
        end_line: line,
        start_column: column,
        end_column: column,
        annotation_level: "failure",
        title: "SQL cannot be parsed",
        message: `${message} (line ${line}, column ${column}). PostgreSQL would reject this file; fix the SQL and push again.`,
      });
      continue;
    }
    for (const p of file.problems) {
      out.push({
        path: file.path,
        start_line: p.line,
        end_line: p.line,
        annotation_level: "failure",
        title: "Invalid request header",
        message: p.message,
      });
    }
    for (const s of file.statements) {
      for (const f of s.findings) {
        out.push({
          path: file.path,
          start_line: f.line,
          end_line: f.line,
          annotation_level: ANNOTATION_LEVEL[f.level],
          title: `${f.level}: ${f.rule}`,
          message: f.message,
        });
      }
      if (s.class === "rejected") {
        out.push({
          path: file.path,
          start_line: s.span.line,
          end_line: s.span.endLine,
          annotation_level: "failure",
          title: "Statement refused",
          message: s.reasons.join("; "),
        });
      } else {
        out.push({
          path: file.path,
          start_line: s.span.line,
          end_line: s.span.endLine,
          annotation_level: "notice",
          title: `Statement ${s.index + 1}: ${s.class}`,
          message: [s.reasons.join("; "), s.flags.length ? `flags: ${s.flags.join(", ")}` : ""]
            .filter(Boolean)
            .join(" — "),
        });
      }
    }
  }
  return out;
}

const ANNOTATION_LEVEL: Record<LintLevel, CheckAnnotation["annotation_level"]> = {
  error: "failure",
  warning: "warning",
  notice: "notice",
};

function classLabel(s: Statement): string {
  return s.class === "rejected" ? "**rejected**" : `\`${s.class}\``;
}

function preview(s: Statement): string {
  return s.text.replace(/^(\s|--[^\n]*\n)+/, "");
}

function objectList(s: Statement): string {
  if (s.objects.length === 0) return "—";
  return s.objects.map((o) => `${o.schema ? `${o.schema}.` : ""}${o.name} (${o.operation})`).join(", ");
}

function notes(s: ReviewedStatement): string {
  const parts = s.class === "rejected" ? s.reasons : s.reasons.slice(1);
  const findings = s.findings.map((f) => `${f.level}: ${f.rule}`);
  return [...findings, ...parts, ...s.flags.map((f) => `flag: ${f}`)].join("; ") || "—";
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
