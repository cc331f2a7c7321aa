import type { ApprovalStatus } from "../approvals/approval-types.js";
import type { RequestVerdict, VerdictState } from "../approvals/request-verdict.js";
import { ISSUE_COMMENT_MAX_CHARS, STATUS_COMMENT_MARKER } from "../github/limits.js";
import type { PriorExecution } from "../plan-pull-request/earlier-runs.js";
import type { PullRequestPlan } from "../plan-pull-request/pull-request-plan.js";
import { formatPrincipal } from "../policy/evaluate/principals.js";
import type { Decision } from "../policy/policy-types.js";
import type { ExecutionSummary } from "../store/state-store.js";
import { earlierRunLine, otherHeadLine, RUNS_ONCE } from "./describe-earlier-run.js";
import { missingOf, requirementLabel } from "./describe-requirement.js";
import { fitToLimit, tableCell } from "./markdown.js";

/** Denial reasons quoted in the comment; the check run lists them all. */
const MAX_QUOTED_DENIALS = 3;

export interface RenderStatusCommentParams
  extends Pick<PullRequestPlan, "evaluations" | "skipped" | "policyChange" | "earlierRuns"> {
  verdict: RequestVerdict;
  decision: Decision | null;
  approval: ApprovalStatus | null;
  baseProblem: string | null;
  headSha: string;
  /** Link to the check run with the full report. */
  checkRunUrl: string | null;
  /** Whether a ready request can be started from GitHub (Run button, `/querygate run`). */
  runnerEnabled: boolean;
  /** Executions of this head commit; once there are any, the comment reports them instead. */
  executions: ExecutionSummary[];
  /** Every execution of the pull request, on any head commit (the executed status lists the other heads'). */
  priorExecutions: readonly PriorExecution[];
}

const EXECUTION_STATE: Record<string, string> = {
  queued: "⏳ queued",
  running: "⏳ running",
  succeeded: "✅ executed",
  failed: "❌ failed — nothing changed",
  rolled_back: "⛔ rolled back — nothing changed",
  needs_verification: "⚠️ needs manual verification",
};

/**
 * Pure: the status comment once something ran (or is running) for this head commit; what ran on the pull
 * request's other head commits follows.
 */
export function renderExecutedStatus(p: {
  headSha: string;
  executions: ExecutionSummary[];
  priorExecutions: readonly PriorExecution[];
}): string {
  const head = p.headSha.toLowerCase();
  const others = p.priorExecutions.filter((e) => e.headSha.toLowerCase() !== head);
  const states = p.executions.map((e) => e.state);
  const headline = states.some((s) => s === "queued" || s === "running")
    ? EXECUTED_HEADLINES.running
    : states.every((s) => s === "succeeded")
      ? EXECUTED_HEADLINES.executed
      : EXECUTED_HEADLINES.mixed;
  const lines = [
    STATUS_COMMENT_MARKER,
    `### querygate: ${headline}`,
    "",
    ...p.executions.map((e) => `- \`${e.requestPath}\`: ${EXECUTION_STATE[e.state] ?? e.state}`),
    "",
    ...(others.length > 0
      ? ["Ran on other commits of this pull request:", ...others.map((e) => `- ${otherHeadLine(e)}`), ""]
      : []),
    "Each result is in its own comment below, and its audit record on the `querygate/audit` branch. A request runs at most once: a later push that leaves its statements, parameters and target as they were does not make it runnable again, unless it failed or was rolled back (nothing changed) — then the new commit's approvals may run it again. To run one that executed again, add a new request file, or change its statements, parameters or target.",
    "",
    `<sub>Head ${p.headSha.slice(0, 7)}</sub>`,
  ];
  // A long history of other commits' runs must not push the comment over GitHub's limit.
  return fitToLimit(lines.join("\n"), ISSUE_COMMENT_MAX_CHARS, "The result comments below list the rest.")
    .text;
}

/** Pure: the sticky comment — the status in plain words and the one next step. */
export function renderStatusComment(p: RenderStatusCommentParams): string {
  if (p.executions.length > 0) return renderExecutedStatus(p);
  const lines = [STATUS_COMMENT_MARKER, `### querygate: ${headline(p)}`, "", ...body(p)];
  // Request files that ran on an earlier commit (every one of them: the body already lists them).
  if (p.earlierRuns.length > 0 && p.verdict.state !== "already_ran") {
    lines.push(
      "",
      "Ran on an earlier commit of this pull request:",
      ...p.earlierRuns.map((r) => `- ${earlierRunLine(r)}`),
      ...(p.earlierRuns.some((r) => !r.runsAgain) ? ["", RUNS_ONCE] : []),
    );
  }
  const stale = (p.approval?.approvals ?? []).filter(
    (a) => a.ignored === "stale_commit" || a.ignored === "stale_context",
  );
  if (stale.length > 0 && p.verdict.state !== "ready") {
    lines.push(
      "",
      `${stale.map((a) => `@${a.login}`).join(", ")}: your approval was for ${stale.some((a) => a.ignored === "stale_context") ? "an earlier base branch or policy" : "an earlier commit"}, so it no longer counts. Please review the current version and approve again.`,
    );
  }
  const report = p.checkRunUrl ? `[querygate check](${p.checkRunUrl})` : "querygate check";
  lines.push(
    "",
    `<sub>Head ${p.headSha.slice(0, 7)} · full report on the ${report} · comment \`/querygate help\` for commands</sub>`,
  );
  return fitToLimit(lines.join("\n"), ISSUE_COMMENT_MAX_CHARS, "See the querygate check for the rest.").text;
}

/** Each verdict's headline. */
const STATUS_HEADLINES: Record<VerdictState, string> = {
  no_policy: "no valid policy on the base branch",
  no_requests: "nothing to review",
  wrong_base: "wrong base branch",
  invalid: "cannot run as written",
  denied: "denied by policy",
  fork: "from a fork — never runs",
  already_ran: "already ran",
  blocked: "blocked by a change request",
  needs_approval: "waiting for approval",
  ready: "approved",
};
/** Headlines once something ran for the head commit. */
const EXECUTED_HEADLINES = {
  running: "running",
  executed: "executed",
  mixed: "ran — see the results",
} as const;

function headline(p: RenderStatusCommentParams): string {
  return STATUS_HEADLINES[p.verdict.state];
}

/**
 * Pure: one line per requirement still unmet, as the status comment says it; the app records the same
 * lines as a request's `missing` approvals (RequestStateRecord), which the API reports.
 */
export function missingApprovalLines(decision: Decision | null, approval: ApprovalStatus | null): string[] {
  const statuses = approval?.statuses ?? [];
  return (decision?.requirements ?? [])
    .filter((r) => missingOf(r, statuses) > 0)
    .map((r) => {
      const missing = missingOf(r, statuses);
      return `Needs ${missing} more ${missing === 1 ? "approval" : "approvals"} from ${r.from.map(formatPrincipal).join(" or ")} (${r.count - missing} of ${r.count} met) for ${requirementLabel(r, (name) => `\`${name}\``)}.`;
    });
}

function body(p: RenderStatusCommentParams): string[] {
  const needs = missingApprovalLines(p.decision, p.approval);
  const whenApproved = p.runnerEnabled
    ? "When approved, click **Run** on the querygate check or comment `/querygate run`."
    : "When approved, the request is ready to run.";
  switch (p.verdict.state) {
    case "no_policy":
      return [
        "The base branch has no valid policy, so querygate denies every request here. Fix `policies/` on the base branch first; the check lists the errors.",
      ];
    case "no_requests":
      return ["This pull request no longer adds or changes any request file or policy."];
    case "wrong_base":
      return [p.baseProblem ?? "This base branch may not receive requests."];
    case "invalid": {
      const files = p.evaluations.filter((e) => !e.ok).length + p.skipped.length;
      const change = p.policyChange;
      const policyBroken = change !== null && (change.errors.length > 0 || (change.tests?.failed ?? 0) > 0);
      return [
        ...(files > 0
          ? [
              "Some request files cannot run. Fix the problems annotated on the querygate check and push again.",
            ]
          : []),
        ...(policyBroken
          ? [
              "The proposed policy is invalid or fails its own tests, so it cannot be approved. Fix what the querygate check lists (annotated on the policy files) and push again.",
            ]
          : []),
      ];
    }
    case "denied": {
      const denials = (p.decision?.statements ?? []).flatMap((s) => s.denials);
      return [
        "The policy denies this request as written:",
        ...denials
          .slice(0, MAX_QUOTED_DENIALS)
          .map((d) => `- ${tableCell(d.message, 300)} (rule \`${d.rule}\`)`),
        ...(denials.length > MAX_QUOTED_DENIALS
          ? [`- …and ${denials.length - MAX_QUOTED_DENIALS} more on the check`]
          : []),
      ];
    }
    case "already_ran":
      return [
        "Every request file of this pull request already ran on an earlier commit, and this commit leaves their statements, parameters and target as they were: nothing here runs again.",
        "",
        ...p.earlierRuns.map((r) => `- ${earlierRunLine(r)}`),
        "",
        RUNS_ONCE,
      ];
    case "fork":
      return [
        "This pull request comes from a fork. querygate evaluates it so reviewers can see the verdict, but never runs requests from forks. Push the branch to this repository and open the pull request from there.",
      ];
    case "blocked": {
      const who = (p.approval?.changeRequests ?? []).map((c) => `@${c.login}`).join(", ");
      return [
        `${who} requested changes. That blocks the request until the review is dismissed or they approve.`,
        ...needs,
      ];
    }
    case "needs_approval":
      return [...needs, "", whenApproved];
    case "ready": {
      const by = (p.approval?.approvals ?? []).filter((a) => a.ignored === null && a.counted.length > 0);
      const approved =
        by.length > 0
          ? `Approved by ${by.map((a) => `@${a.login}`).join(", ")}.`
          : "Approved automatically by the policy.";
      return [
        approved,
        "",
        p.runnerEnabled
          ? "Ready to run: click **Run** on the querygate check or comment `/querygate run`."
          : "Ready to run.",
      ];
    }
  }
}
