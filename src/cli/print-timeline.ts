import { STATUS_COMMENT_MARKER } from "../github/limits.js";
import type { ScenarioReport, StepRecord } from "../sandbox/scenario-run.js";

type Write = (line: string) => void;

/** One readable block per step: what happened, which webhooks went out, what the check run says now. */
export function printStep(record: StepRecord, write: Write): void {
  write(`\n[${record.index}] ${record.description}`);
  for (const d of record.deliveries) {
    const ok = d.status >= 200 && d.status < 300;
    write(
      `    ${ok ? "→" : "✗"} ${d.event}${d.action ? `.${d.action}` : ""}  HTTP ${d.status}  ${d.ms} ms  (delivery ${d.id.slice(0, 8)})`,
    );
  }
  if (record.api_calls.total > 0) write(`    · ${record.api_calls.total} GitHub API calls by the app`);
  if (record.refused) write(`    ✗ GitHub refuses: ${record.refused}`);
  const pr = record.pull_request;
  if (!pr) return;
  const latest = pr.check_runs.filter((c) => c.head_sha === pr.head_sha).at(-1);
  if (!latest) {
    write(`    · #${pr.number} (${pr.state}) has no check run on ${pr.head_sha.slice(0, 7)} yet`);
    return;
  }
  write(
    `    ✓ check run ${latest.name} on ${latest.head_sha.slice(0, 7)}: ${latest.conclusion ?? latest.status} — ${latest.title ?? ""}`,
  );
  for (const row of summaryRows(latest.summary ?? "")) write(`        ${row}`);
  for (const a of latest.annotations.filter((x) => x.annotation_level !== "notice")) {
    write(`        ! ${a.path}:${a.start_line} ${a.title ?? ""}: ${a.message}`);
  }
  const status = pr.comments.find((c) => c.body.startsWith(STATUS_COMMENT_MARKER));
  if (status) {
    const [headline = "", , first = ""] = status.body.split("\n").slice(1);
    write(`    ✎ status comment: ${headline.replace(/^### /, "")} — ${first}`);
  }
  write(`    · check runs on #${pr.number}: ${pr.check_runs.length}, comments: ${pr.comments.length}`);
}

export function printSummary(report: ScenarioReport, write: Write): void {
  write("");
  write(
    `${report.ok ? "✓" : "✗"} ${report.steps.length} steps, ${report.deliveries} signed webhook deliveries, ${report.api_calls.total} GitHub API calls checked against GitHub's OpenAPI description`,
  );
  for (const t of report.targets)
    write(`  target ${t.name}: database ${t.database}${t.seeded ? " (seeded)" : ""}`);
  for (const d of report.failed_deliveries)
    write(`  ✗ delivery ${d.id} ${d.event}.${d.action ?? ""} answered HTTP ${d.status}`);
  for (const v of report.violations) write(`  ✗ violation: ${v}`);
}

/** The requirement and statement rows of the summary's tables, as plain text. */
function summaryRows(summary: string): string[] {
  const out: string[] = [];
  for (const line of summary.split("\n")) {
    if (!line.startsWith("| ") || line.startsWith("|---")) continue;
    const cells = line
      .slice(2, -2)
      .split(" | ")
      .map((c) =>
        c
          .replaceAll("\\|", "|")
          .replaceAll("\\\\", "\\")
          .replaceAll("&lt;", "<")
          .replaceAll("&gt;", ">")
          .replaceAll("`", "")
          .replaceAll("**", ""),
      );
    if (cells[0] === "Requirement" || cells[0] === "Request") continue;
    if (cells.length === 5) {
      const [label, count, from, by, missing] = cells;
      out.push(
        `needs ${count} from ${from} for ${label}: ${missing === "✅ met" ? "met" : `${missing} missing`}${by && by !== "—" ? ` (approved by ${by})` : ""}`,
      );
    } else if (cells.length === 9) {
      const [file, , index, line, cls, decision, statement, , notes] = cells;
      const note =
        notes && notes !== "—" ? ` — ${notes.length > 100 ? `${notes.slice(0, 99)}…` : notes}` : "";
      out.push(`${file}:${line} #${index} ${cls} ${decision}: ${statement}${note}`);
    }
  }
  return out;
}
