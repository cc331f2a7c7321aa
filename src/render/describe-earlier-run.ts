import type { EarlierRun, PriorExecution } from "../plan-pull-request/earlier-runs.js";
import { inlineCode } from "./markdown.js";

/** How an earlier execution ended (or stands), in words. */
const RAN_AS: Record<string, string> = {
  queued: "⏳ queued",
  running: "⏳ running since",
  succeeded: "✅ executed",
  failed: "❌ failed",
  rolled_back: "⛔ rolled back",
  needs_verification: "⚠️ needs manual verification (it may have committed) since",
};

/** What a request runs again with: the same sentence in the check run, the status comment and replies. */
export const RUNS_ONCE =
  "A request runs at most once: a push that leaves its statements, parameters and target as they were does not make it runnable again. To run it again, add a new request file, or change its statements, parameters or target, and get it approved.";

/** `2026-01-02 03:04 UTC` from an ISO 8601 time. */
export function utcMinute(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

/** Pure: what became of an execution — its outcome, when, on which head (`as`: under which path), its result. */
export function executionOutcome(
  e: { state: string; at: string; headSha: string; resultUrl: string | null },
  as = "",
): string {
  const result = e.resultUrl ? ` — [result](${e.resultUrl})` : "";
  return `${RAN_AS[e.state] ?? e.state} ${utcMinute(e.at)}${as} on head ${e.headSha.slice(0, 7)}${result}`;
}

/**
 * Pure: what became of a request file's earlier run — its outcome, when, on which head, under which path if
 * it moved, a link to its result, and whether it may run again.
 */
export function earlierRunOutcome(run: EarlierRun): string {
  const e = run.execution;
  const moved = e.requestPath === run.requestPath ? "" : ` as ${inlineCode(e.requestPath)}`;
  const again = run.runsAgain ? "; nothing changed, so it may run again with this head's approvals" : "";
  return `${executionOutcome(e, moved)}${again}`;
}

/** Pure: a request file that ran on an earlier head commit, in one line. */
export function earlierRunLine(run: EarlierRun): string {
  return `${inlineCode(run.requestPath)}: ${earlierRunOutcome(run)}`;
}

/** Pure: an execution of another head commit of the pull request, in one line. */
export function otherHeadLine(e: PriorExecution): string {
  const at = (e.endedAt ?? e.queuedAt).toISOString();
  return `${inlineCode(e.requestPath)}: ${executionOutcome({ ...e, at })}`;
}
