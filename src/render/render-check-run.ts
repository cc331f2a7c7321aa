import type { IgnoredReason } from "../approvals/approval-types.js";
import type { RequestVerdict } from "../approvals/request-verdict.js";
import {
  type CheckAnnotation,
  type CheckRunButton,
  type CheckRunOutput,
  RUN_BUTTON,
} from "../github/check-run-output.js";
import {
  CHECK_RUN_MAX_ANNOTATIONS,
  CHECK_RUN_SUMMARY_MAX_BYTES,
  CHECK_RUN_TEXT_MAX_BYTES,
} from "../github/limits.js";
import type { Finding, LintLevel } from "../lint/lint-rule.js";
import type { ReviewedStatement } from "../lint/review-statements.js";
import type { RequestFileEvaluation } from "../plan-pull-request/evaluate-request-file.js";
import type { PullRequestPlan } from "../plan-pull-request/pull-request-plan.js";
import { formatPrincipal } from "../policy/evaluate/principals.js";
import type { RequirementSpec, RequirementStatus, StatementDecision } from "../policy/policy-types.js";
import { firstTokenOffset } from "../sql/source-text.js";
import { earlierRunLine, RUNS_ONCE } from "./describe-earlier-run.js";
import { missingOf, requirementLabel } from "./describe-requirement.js";
import { codeBlock, fitToLimit, inlineCode, tableCell } from "./markdown.js";

/** A plan (src/plan-pull-request) and what publishing it met so far; the renderer decides nothing. */
export interface RenderCheckRunParams
  extends Pick<
    PullRequestPlan,
    | "verdict"
    | "policy"
    | "evaluations"
    | "skipped"
    | "decision"
    | "approval"
    | "baseProblem"
    | "fork"
    | "policyChange"
    | "offerRun"
    | "parserVersions"
    | "earlierRuns"
  > {
  /** Review requests GitHub refused. */
  reviewProblems: string[];
}

const HINT = "Run `querygate analyze FILE` or `querygate check` locally for the full report.";

/** Pure: evaluated request files in, the `querygate` check run's output out, within GitHub's limits. */
export function renderCheckRun(p: RenderCheckRunParams): CheckRunOutput {
  const annotations = annotationsFor(p);
  const invalidFiles = p.evaluations.filter((e) => !e.ok).length + p.skipped.length;
  const { verdict } = p;
  const statuses = p.approval?.statuses ?? [];
  const decision = p.decision;
  const unmet = (decision?.requirements ?? []).filter((r) => missingOf(r, statuses) > 0);
  const head = (title: string, lead: string[]) =>
    finish(p, {
      verdict,
      title,
      lead,
      annotations,
      actions: p.offerRun ? [RUN_BUTTON] : [],
    });

  switch (verdict.state) {
    case "no_policy": {
      const policy = p.policy as Extract<RenderCheckRunParams["policy"], { ok: false }>;
      return head("No valid policy on the base branch: every request is denied", [
        `**Denied.** querygate fails closed: the policy on the base branch${policy.commitSha ? ` (${policy.commitSha.slice(0, 7)})` : ""} is missing or invalid, so nothing can be approved until it is fixed there.`,
        "",
        ...policy.errors.slice(0, 50).map((e) => `- ${tableCell(e, 300)}`),
      ]);
    }
    case "no_requests":
      return {
        conclusion: verdict.conclusion,
        title: "No query requests in this pull request",
        summary:
          "This pull request adds or changes no request files (`queries/**/*.sql`) and no policy, so querygate has nothing to review.",
        text: "",
        annotations: [],
        actions: [],
      };
    case "wrong_base":
      return head("Requests must target an allowed base branch", [`**Cannot run.** ${p.baseProblem ?? ""}`]);
    case "invalid":
    case "denied": {
      const policyBroken = verdict.state === "invalid" && invalidFiles === 0;
      const reasons = [
        invalidFiles > 0 ? `${invalidFiles} request ${plural(invalidFiles, "file")} cannot run` : "",
        verdict.state === "denied" ? "denied by policy" : "",
        policyBroken ? "the proposed policy is invalid or fails its tests" : "",
      ].filter(Boolean);
      return head(capitalise(reasons.join("; ")), [
        `**${policyBroken ? "Cannot be approved" : "Cannot run"}.** Fix what is listed below (also annotated on the file lines) and push again.`,
      ]);
    }
    case "fork":
      return head("From a fork: evaluated, but querygate never runs it", [
        "**Never runs.** This pull request comes from a fork. querygate analyses and evaluates it so reviewers can see the verdict, but runs requests only from branches of this repository: push the branch here and open a new pull request.",
      ]);
    case "blocked": {
      const who = (p.approval?.changeRequests ?? []).map((c) => `@${c.login}`).join(", ");
      return head(`Changes requested by ${who}`, [
        `**Blocked.** ${who} requested changes. The request cannot run until that review is dismissed or they approve.${unmet.length > 0 ? ` ${unmet.map((r) => describeNeed(r, statuses)).join(" ")}` : ""}`,
      ]);
    }
    case "needs_approval": {
      const total = decision?.requirements.length ?? 0;
      const only = unmet.length === 1 ? unmet[0] : undefined;
      const missing = only ? missingOf(only, statuses) : 0;
      return head(
        only
          ? `Needs ${missing} more ${plural(missing, "approval")} from ${only.from.map(formatPrincipal).join(" or ")}`
          : `Needs approvals for ${unmet.length} of ${total} requirements`,
        [`**Needs approval.** ${unmet.map((r) => describeNeed(r, statuses)).join(" ")}`],
      );
    }
    case "already_ran":
      return head("Already ran: nothing here runs again", [
        "**Already ran.** Every request file of this pull request already ran on an earlier commit, and this commit leaves their statements, parameters and target as they were: nothing here runs again, so no approval is asked for or counted.",
      ]);
    case "ready":
      return decision?.outcome === "auto" && (decision?.requirements.length ?? 0) === 0
        ? head("Approved automatically by policy", [
            "**Approved.** Every statement is auto-approved by the policy; no review is needed.",
          ])
        : head("Every approval requirement is met", [
            "**Approved.** Every requirement below is met: the request is ready to run.",
          ]);
  }
}

function finish(
  p: RenderCheckRunParams,
  head: {
    verdict: RequestVerdict;
    title: string;
    lead: string[];
    annotations: CheckAnnotation[];
    actions: CheckRunButton[];
  },
): CheckRunOutput {
  const summary = [
    ...head.lead,
    "",
    ...earlierRunsSection(p),
    ...requirementsTable(p),
    ...approvalsSection(p),
    ...statementsTable(p),
    ...policyChangeSection(p),
  ];
  if (p.reviewProblems.length > 0) {
    summary.push("", "**Review requests**", ...p.reviewProblems.map((m) => `- ${tableCell(m, 300)}`));
  }
  const policyLine = p.policy.ok
    ? `Policy: ${p.policy.files.map((f) => inlineCode(f.path)).join(", ")} at ${p.policy.commitSha.slice(0, 7)}`
    : "";
  const parserLine = p.parserVersions.length > 0 ? `Parser: ${p.parserVersions.join(", ")}` : "";
  const footer = [policyLine, parserLine].filter(Boolean).join(" · ");
  if (footer) summary.push("", `<sub>${footer}</sub>`);
  return {
    conclusion: head.verdict.conclusion,
    actions: head.actions,
    title: head.title,
    summary: fitToLimit(summary.join("\n"), CHECK_RUN_SUMMARY_MAX_BYTES, HINT, "bytes").text,
    text: fitToLimit(traceText(p).join("\n"), CHECK_RUN_TEXT_MAX_BYTES, HINT, "bytes").text,
    annotations: head.annotations.slice(0, CHECK_RUN_MAX_ANNOTATIONS),
  };
}

function earlierRunsSection(p: RenderCheckRunParams): string[] {
  if (p.earlierRuns.length === 0) return [];
  const blocked = p.earlierRuns.some((r) => !r.runsAgain);
  return [
    "**Ran on an earlier commit of this pull request**",
    ...p.earlierRuns.map((r) => `- ${earlierRunLine(r)}`),
    ...(blocked ? ["", RUNS_ONCE] : []),
    "",
  ];
}

function requirementsTable(p: RenderCheckRunParams): string[] {
  // Nothing was counted: a table would only show every requirement as missing.
  if (p.verdict.state === "already_ran") return [];
  const requirements = p.decision?.requirements ?? [];
  if (requirements.length === 0) return [];
  const out = ["| Requirement | Needs | From | Approved by | Missing |", "|---|---|---|---|---|"];
  const statuses = p.approval?.statuses ?? [];
  for (const r of requirements) {
    const status = statuses.find((s) => s.id === r.id);
    const by = status?.satisfiedBy.length ? status.satisfiedBy.map((l) => `@${l}`).join(", ") : "—";
    const missing = missingOf(r, statuses);
    out.push(
      `| ${tableCell(requirementLabel(r), 60)} | ${r.count} | ${tableCell(r.from.map(formatPrincipal).join(", "), 80)} | ${tableCell(by, 80)} | ${missing === 0 ? "✅ met" : `**${missing}**`}${status?.errors.length ? ` (${tableCell(status.errors.join("; "), 80)})` : ""} |`,
    );
  }
  out.push("");
  return out;
}

const IGNORED_REASON: Record<IgnoredReason, string> = {
  author: "the author of a pull request cannot approve it",
  commit_author: "wrote a commit of this pull request, so cannot approve it",
  bot: "bots never count as approvers",
  stale_commit: "approved an older commit; the pull request changed since: approve again",
  stale_context: "approved before the base branch or its policy changed: approve again",
};

/** The reviewed commit's short SHA; GitHub reports none when the commit is gone (after a force-push). */
function reviewedCommit(commitId: string | null): string {
  return commitId === null ? "a commit that no longer exists (force-pushed away)" : commitId.slice(0, 7);
}

function approvalsSection(p: RenderCheckRunParams): string[] {
  const a = p.approval;
  if (!a || (a.approvals.length === 0 && a.changeRequests.length === 0 && a.problems.length === 0)) return [];
  const out = ["**Reviews**"];
  for (const v of a.approvals) {
    const sha = reviewedCommit(v.commitId);
    if (v.ignored) out.push(`- ➖ @${v.login} approved ${sha}: not counted — ${IGNORED_REASON[v.ignored]}`);
    else if (v.counted.length === 0)
      out.push(
        `- ➖ @${v.login} approved ${sha}: not counted — not among the approvers any requirement names`,
      );
    else
      out.push(
        `- ✅ @${v.login} approved ${sha}: counts for ${v.counted.map((id) => inlineCode(id)).join(", ")}`,
      );
  }
  for (const c of a.changeRequests)
    out.push(
      `- ⛔ @${c.login} requested changes on ${reviewedCommit(c.commitId)}: blocks until dismissed or they approve${c.unverified ? " (eligibility could not be checked)" : ""}`,
    );
  for (const problem of a.problems) out.push(`- ⚠️ ${tableCell(problem, 300)}`);
  out.push("");
  return out;
}

function statementsTable(p: RenderCheckRunParams): string[] {
  const out = [
    "| Request | Target | # | Line | Class | Decision | Statement | Objects | Notes |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const e of p.evaluations) {
    if (!e.ok) {
      for (const problem of e.errors) {
        out.push(
          `| ${tableCell(e.path)} | — | — | ${problem.line} | — | **invalid** | — | — | ${tableCell(problem.message, 160)} |`,
        );
      }
      continue;
    }
    for (const s of e.statements) {
      const d = e.decision.statements.find((x) => x.index === s.index);
      out.push(
        `| ${tableCell(e.path)} | ${tableCell(e.header.target)} | ${s.index + 1} | ${sqlLocation(e).line(s.span.line)} | ${s.class === "rejected" ? "**rejected**" : `\`${s.class}\``} | ${outcomeLabel(d)} | ${tableCell(preview(s), 60)} | ${tableCell(objectList(s), 60)} | ${tableCell(notes(s, d), 160)} |`,
      );
    }
  }
  for (const s of p.skipped)
    out.push(
      `| ${tableCell(s.path)} | — | — | — | — | **not analysed** | — | — | ${tableCell(s.reason, 160)} |`,
    );
  // No request files (a policy-only change, no valid policy): no table of nothing.
  return out.length > 2 ? out : [];
}

function policyChangeSection(p: RenderCheckRunParams): string[] {
  const change = p.policyChange;
  if (!change) return [];
  const out = [
    "",
    "**This pull request changes the policy.** It needs approval from the policy owners, and its new policy was checked:",
  ];
  out.push(
    change.errors.length === 0
      ? "- ✅ the new policy is valid"
      : `- ❌ ${change.errors.length} ${plural(change.errors.length, "error")} in the new policy (annotated)`,
  );
  if (change.tests) {
    out.push(
      change.tests.failed === 0
        ? `- ✅ policy tests: ${change.tests.passed} passed`
        : `- ❌ policy tests: ${change.tests.failed} failed, ${change.tests.passed} passed`,
    );
  } else out.push("- policy tests: none (add cases under `policies/tests/`)");
  return out;
}

function traceText(p: RenderCheckRunParams): string[] {
  const text: string[] = [];
  for (const e of p.evaluations) {
    text.push(`### ${inlineCode(e.path)}`);
    if (!e.ok) {
      for (const problem of e.errors) text.push(`- line ${problem.line}: ${problem.message}`);
      text.push("");
      continue;
    }
    text.push(
      `Target ${inlineCode(e.header.target)} · reason: ${tableCell(e.header.reason, 300)}${e.header.ticket ? ` · ticket ${inlineCode(e.header.ticket)}` : ""}${e.header.maxRows !== null ? ` · max rows ${e.header.maxRows}` : ""}`,
    );
    for (const s of e.statements) {
      const d = e.decision.statements.find((x) => x.index === s.index);
      text.push(
        "",
        `**Statement ${s.index + 1}** (${sqlLocation(e).path} line ${sqlLocation(e).line(s.span.line)}) — \`${s.class}\`, ${outcomeLabel(d)}: ${s.reasons.join("; ")}`,
      );
      if (s.flags.length > 0) text.push(`Flags: ${s.flags.map((f) => inlineCode(f)).join(", ")}`);
      for (const f of s.findings)
        text.push(`- ${f.level} ${inlineCode(f.rule)} (line ${f.line}): ${f.message}`);
      if (d) text.push(...traceLines(d));
      text.push(codeBlock(displayText(s), "sql"));
    }
    text.push("");
  }
  if (p.decision) text.push("### Decision", ...p.decision.summary.map((l) => `- ${l}`));
  return text;
}

function traceLines(d: StatementDecision): string[] {
  const out: string[] = [];
  for (const denial of d.denials)
    out.push(`- ⛔ denied by rule ${inlineCode(denial.rule)}: ${denial.message}`);
  for (const o of d.trace.owners) {
    out.push(
      `- owners of ${inlineCode(o.subject)}: ${o.pattern ? `${inlineCode(o.pattern)} (${o.source?.file}:${o.source?.line}) → ${o.owners.map(formatPrincipal).join(", ") || "unowned"}` : "no pattern matches"}`,
    );
  }
  for (const r of d.trace.rules) {
    const conditions = r.conditions
      .map((c) => `${c.condition} ${c.result}${c.note ? ` (${c.note})` : ""}`)
      .join(", ");
    out.push(
      `- rule ${inlineCode(r.rule)} (${r.source.file}:${r.source.line}): ${r.matched ? `matched, applied ${r.applied.join(", ") || "nothing"}` : "did not match"}${conditions ? ` — ${conditions}` : ""}`,
    );
  }
  if (d.trace.defaults === "applied")
    out.push("- no rule or owner covers this statement: the policy's defaults apply");
  if (d.trace.defaults === "missing")
    out.push("- no rule or owner covers this statement and the policy has no defaults: denied");
  return out;
}

function annotationsFor(p: RenderCheckRunParams): CheckAnnotation[] {
  const out: CheckAnnotation[] = [];
  for (const e of p.evaluations) {
    if (!e.ok) {
      for (const problem of e.errors) {
        out.push({
          path: e.path,
          start_line: problem.line,
          end_line: problem.line,
          annotation_level: "failure",
          title: "Request cannot run",
          message: problem.message,
        });
      }
      continue;
    }
    const at = sqlLocation(e);
    for (const s of e.statements) {
      const d = e.decision.statements.find((x) => x.index === s.index);
      for (const f of s.findings) out.push(findingAnnotation(at.path, { ...f, line: at.line(f.line) }));
      for (const denial of d?.denials ?? []) {
        out.push({
          path: at.path,
          start_line: at.line(s.span.line),
          end_line: at.line(s.span.endLine),
          annotation_level: "failure",
          title: `Denied by ${denial.rule}`,
          message: denial.message,
        });
      }
      out.push({
        path: at.path,
        start_line: at.line(s.span.line),
        end_line: at.line(s.span.endLine),
        annotation_level: d?.outcome === "denied" ? "failure" : "notice",
        title: `Statement ${s.index + 1}: ${s.class}, ${outcomeLabel(d).replaceAll("*", "")}`,
        message: [s.reasons.join("; "), s.flags.length ? `flags: ${s.flags.join(", ")}` : ""]
          .filter(Boolean)
          .join(" — "),
      });
    }
  }
  for (const error of p.policyChange?.errors ?? []) {
    out.push({
      path: error.file,
      start_line: error.line,
      end_line: error.line,
      annotation_level: "failure",
      title: `Invalid policy: ${error.key}`,
      message: error.message,
    });
  }
  for (const failure of p.policyChange?.tests?.failures ?? []) {
    out.push({
      path: failure.file,
      start_line: failure.line,
      end_line: failure.line,
      annotation_level: "failure",
      title: `Policy test failed: ${failure.name}`,
      message: failure.message,
    });
  }
  return out;
}

const ANNOTATION_LEVEL: Record<LintLevel, CheckAnnotation["annotation_level"]> = {
  error: "failure",
  warning: "warning",
  notice: "notice",
};

/** Where a request's statements are written: the request file, or the YAML file (an action's) holding its SQL. */
function sqlLocation(e: RequestFileEvaluation & { ok: true }): { path: string; line: (n: number) => number } {
  const source = e.sqlSource;
  if (!source) return { path: e.path, line: (n) => n };
  return { path: source.path, line: (n) => n + source.line - 1 };
}

function findingAnnotation(path: string, f: Finding): CheckAnnotation {
  return {
    path,
    start_line: f.line,
    end_line: f.line,
    annotation_level: ANNOTATION_LEVEL[f.level],
    title: `${f.level}: ${f.rule}`,
    message: f.message,
  };
}

function describeNeed(r: RequirementSpec, statuses: RequirementStatus[]): string {
  const missing = missingOf(r, statuses);
  const met = r.count - missing;
  return `Needs ${missing} more ${plural(missing, "approval")} from ${r.from.map(formatPrincipal).join(" or ")} for ${requirementLabel(r)} (${met} of ${r.count} met).`;
}

function outcomeLabel(d: StatementDecision | undefined): string {
  if (!d) return "—";
  if (d.outcome === "denied") return "**denied**";
  if (d.outcome === "auto") return "auto-approved";
  return "needs approval";
}

/** The statement from its first token: the request header's comments belong to the file, not the SQL. */
function displayText(s: ReviewedStatement): string {
  return s.text.slice(firstTokenOffset(s.text, 0, s.text.length)).trim();
}

function preview(s: ReviewedStatement): string {
  return displayText(s);
}

function objectList(s: ReviewedStatement): string {
  if (s.objects.length === 0) return "—";
  return s.objects.map((o) => `${o.schema}.${o.name} (${o.operation})`).join(", ");
}

function notes(s: ReviewedStatement, d: StatementDecision | undefined): string {
  const parts = [
    ...(d?.denials.map((x) => `denied: ${x.message}`) ?? []),
    ...(d?.requirements.map((id) => `needs ${id}`) ?? []),
    ...s.findings.map((f) => `${f.level}: ${f.rule}`),
    ...s.flags.map((f) => `flag: ${f}`),
  ];
  return parts.join("; ") || "—";
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
