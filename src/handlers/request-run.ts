import type { ApprovalStatus } from "../approvals/approval-types.js";
import type { AuditTrigger } from "../audit/audit-types.js";
import type { GitHubClient } from "../github/octokit.js";
import { fingerprintChanges } from "../plan-pull-request/fingerprint.js";
import type { RunBy } from "../policy/policy-types.js";
import { notRunnableReply } from "../render/render-command-reply.js";
import { enqueueExecution } from "../runner/ledger/enqueue-execution.js";
import type { ExecutionRow } from "../runner/ledger/execution-ledger.js";
import type { RunPayload } from "../runner/run-payload.js";
import type { RepositoryLike } from "./evaluate-current-pull-request.js";
import { evaluatePullRequest, type PullRequestEvaluation } from "./evaluate-pull-request.js";
import type { HandlerDeps } from "./handler-deps.js";
import { pullRequestRef } from "./pull-request-ref.js";

export interface RequestRunParams {
  deps: HandlerDeps;
  octokit: GitHubClient;
  repository: RepositoryLike;
  installationId: number;
  pullNumber: number;
  /** Who clicked, commented or merged; GitHub signs the webhook that names them. */
  sender: string;
  /** A bot (an agent's token, an app) never starts a run, even one it authored. */
  senderIsBot: boolean;
  trigger: AuditTrigger;
  /**
   * An evaluation this same delivery has just made, under the pull request's lock (`execute: auto`):
   * used as it is instead of reading and evaluating the pull request a second time.
   */
  evaluated?: PullRequestEvaluation;
}

export type RequestRunResult =
  | { status: "queued"; rows: ExecutionRow[]; message: string; allNew: boolean }
  | { status: "refused"; message: string }
  /** A merge or an approval that the policy does not run on: nothing to say. */
  | { status: "ignored" };

/**
 * A run request, re-verified live: the pull request, its reviews and the base policy are read again, the
 * analysis and the decision are redone, the sender must be allowed to start it, and what would run must be
 * what was approved. Each request file is then queued once (ledger row and job in one transaction).
 */
export async function requestRun(p: RequestRunParams): Promise<RequestRunResult> {
  const { deps, octokit, repository } = p;
  if (!deps.runner)
    return { status: "refused", message: notRunnableReply({ verdict: NOT_READY, runnerEnabled: false }) };
  const repo = repository.full_name;
  let approved: { fingerprint: string; parts: Record<string, string> } | null = null;
  let evaluation = p.evaluated;
  if (!evaluation) {
    const { data: pr } = await octokit.rest.pulls.get({
      owner: repository.owner.login,
      repo: repository.name,
      pull_number: p.pullNumber,
    });
    if (p.trigger === "merge" ? !pr.merged : pr.state !== "open")
      return { status: "refused", message: "The pull request is closed, so nothing ran." };
    // Read before evaluating: the evaluation records what it finds ready.
    approved = await deps.store.findApprovedRun({ repo, pullNumber: p.pullNumber, headSha: pr.head.sha });
    evaluation = await evaluatePullRequest({ ...deps, octokit }, pullRequestRef(repository, pr));
  }
  const ref = evaluation.pr;
  if (!evaluation.verdict.runnable || !evaluation.run || !evaluation.policy)
    return {
      status: "refused",
      message: notRunnableReply({ verdict: evaluation.verdict, runnerEnabled: true }),
    };

  const allowed = mayStart({
    runBy: evaluation.policy.value.runBy,
    sender: p.sender,
    senderIsBot: p.senderIsBot,
    author: ref.author,
    approval: evaluation.approval,
    trigger: p.trigger,
  });
  if (allowed !== null) return { status: "refused", message: allowed };

  if (approved) {
    const changes = fingerprintChanges(
      { digest: approved.fingerprint, parts: approved.parts },
      evaluation.run.fingerprint,
    );
    if (changes.length > 0)
      return {
        status: "refused",
        message: `Nothing ran: what would run is not what was approved.\n\n${changes.map((c) => `- ${c}`).join("\n")}\n\nReview the current version; the check shows what is needed now.`,
      };
  }

  const mode = modeProblem(evaluation, p.trigger);
  if (mode === "ignore") return { status: "ignored" };
  if (mode !== null) return { status: "refused", message: mode };

  const rows: ExecutionRow[] = [];
  const lines: string[] = [];
  let allNew = true;
  const now = deps.now();
  for (const unit of evaluation.run.units) {
    const target = evaluation.policy.value.targets[unit.target];
    if (!target)
      return { status: "refused", message: `Nothing ran: target ${unit.target} is not in the policy.` };
    const payload: RunPayload = {
      version: 1,
      installationId: p.installationId,
      owner: ref.owner,
      repo: ref.repo,
      pullNumber: p.pullNumber,
      htmlUrl: ref.htmlUrl,
      headSha: ref.headSha,
      unit,
      target: {
        name: target.name,
        engine: target.engine,
        environment: target.environment,
        connection: target.connection,
        searchPath: target.searchPath,
      },
      policy: {
        commitSha: evaluation.policy.commitSha,
        files: evaluation.policy.files.map((f) => ({ path: f.path, blobSha: f.blobSha })),
        matchedRules: matchedRules(evaluation, unit.requestPath),
      },
      approvals: (evaluation.approval?.approvals ?? [])
        .filter((a) => a.ignored === null && a.counted.length > 0)
        .map((a) => ({ login: a.login, reviewId: a.reviewId, commitId: a.commitId, teams: a.teams ?? [] })),
      trigger: p.trigger,
      triggeredBy: p.sender,
      triggeredAt: now.toISOString(),
    };
    const { row, created } = await enqueueExecution({
      ledger: deps.runner.ledger,
      boss: deps.runner.boss,
      request: {
        repo,
        pullNumber: p.pullNumber,
        headSha: ref.headSha,
        requestPath: unit.requestPath,
        statements: unit.statements.map((s) => ({ index: s.index, hash: s.hash })),
        fingerprint: evaluation.run.fingerprint.digest,
        target: unit.target,
        readOnly: unit.readOnly,
        triggeredBy: p.sender,
        triggeredAt: now,
        payload,
      },
    });
    rows.push(row);
    allNew &&= created;
    lines.push(
      created
        ? `- \`${unit.requestPath}\` on \`${unit.target}\`: queued`
        : `- \`${unit.requestPath}\` on \`${unit.target}\`: already ${row.state.replace("_", " ")} — a request runs at most once (key \`${row.key.slice(0, 12)}\`)`,
    );
  }
  return { status: "queued", rows, message: lines.join("\n"), allNew };
}

const NOT_READY = { state: "needs_approval", conclusion: "action_required", runnable: false } as const;

/** Server-side: the sender must be the author or a counting approver, as the policy's `run_by` says. */
export function mayStart(p: {
  runBy: RunBy[];
  sender: string;
  senderIsBot: boolean;
  author: string;
  approval: ApprovalStatus | null;
  trigger: AuditTrigger;
}): string | null {
  if (p.trigger === "auto") return null;
  if (p.senderIsBot)
    return `Nothing ran: @${p.sender} is a bot, and bots never start runs — not even of their own requests. A person must: the author or an approver whose approval counted.`;
  const sender = p.sender.toLowerCase();
  if (p.runBy.includes("author") && sender === p.author.toLowerCase()) return null;
  const approvers = (p.approval?.approvals ?? []).filter((a) => a.ignored === null && a.counted.length > 0);
  if (p.runBy.includes("approvers") && approvers.some((a) => a.login.toLowerCase() === sender)) return null;
  const who = [
    p.runBy.includes("author") ? `the author (@${p.author})` : "",
    p.runBy.includes("approvers")
      ? `an approver whose approval counted${approvers.length ? ` (${approvers.map((a) => `@${a.login}`).join(", ")})` : ""}`
      : "",
  ].filter(Boolean);
  return `Nothing ran: @${p.sender} may not start this run. The policy lets ${who.join(" or ")} start it.`;
}

/** Whether the policy's execute mode lets this trigger start the run: a message, "ignore", or null (go). */
function modeProblem(evaluation: PullRequestEvaluation, trigger: AuditTrigger): string | "ignore" | null {
  for (const unit of evaluation.run?.units ?? []) {
    if (unit.execute === "on_merge" && trigger !== "merge")
      return `Nothing ran: the policy runs \`${unit.requestPath}\` when the pull request is merged (execute: on_merge). Merge it to run it.`;
    if (trigger === "merge" && unit.execute !== "on_merge") return "ignore";
    if (trigger === "auto" && unit.execute !== "auto") return "ignore";
  }
  return null;
}

function matchedRules(evaluation: PullRequestEvaluation, path: string): string[] {
  const rules = new Set<string>();
  for (const d of evaluation.decision?.statements ?? []) {
    if (d.path !== undefined && d.path !== path) continue;
    for (const r of d.trace.rules) if (r.matched) rules.add(r.rule);
  }
  return [...rules].sort();
}
