import type { RunTrigger } from "../audit/audit-types.js";
import { decideRun } from "../decide-run/decide-run.js";
import type { GitHubClient } from "../github/octokit.js";
import { alreadyRanReply, notRunnableReply, queuedReply } from "../render/render-command-reply.js";
import { enqueueExecution, executionRequestOf } from "../runner/ledger/enqueue-execution.js";
import { evaluateLive, type RepositoryLike } from "./evaluate-current-pull-request.js";
import type { PullRequestEvaluation } from "./evaluate-pull-request.js";
import type { HandlerDeps } from "./handler-deps.js";

export interface RequestRunParams {
  deps: HandlerDeps;
  octokit: GitHubClient;
  repository: RepositoryLike;
  installationId: number;
  pullNumber: number;
  sender: string;
  senderIsBot: boolean;
  trigger: RunTrigger;
  /** The head the event is about (a check run's): when it is no longer the head, nothing runs or is said. */
  onlyHead?: string;
  /** An evaluation this same delivery just made under the pull request's lock (`execute: auto`). */
  evaluated?: PullRequestEvaluation;
}

export type RequestRunResult =
  | { status: "queued"; message: string; allNew: boolean }
  | { status: "refused"; message: string }
  | { status: "ignored" };

/** Re-reads and re-evaluates the pull request, asks decideRun, and queues each request file once. */
export async function requestRun(p: RequestRunParams): Promise<RequestRunResult> {
  const { deps } = p;
  if (!deps.runner)
    return { status: "refused", message: notRunnableReply({ verdict: null, runnerEnabled: false }) };
  const live = p.evaluated
    ? { evaluation: p.evaluated, approved: null }
    : await evaluateLive({ ...p, open: (pr) => (p.trigger === "merge" ? pr.merged : pr.state === "open") });
  if (live === "moved") return { status: "ignored" };
  if (!live) return { status: "refused", message: "The pull request is closed, so nothing ran." };
  const { plan } = live.evaluation;
  const decision = decideRun({ ...p, ...live.evaluation, approved: live.approved, now: deps.now() });
  if (decision.kind === "ignored") return { status: "ignored" };
  if (decision.kind === "not_runnable")
    return { status: "refused", message: notRunnableReply({ verdict: plan.verdict, runnerEnabled: true }) };
  if (decision.kind === "refused") return { status: "refused", message: decision.error };
  if (decision.kind === "already_ran") return { status: "refused", message: alreadyRanReply(decision.runs) };
  const fingerprint = plan.run?.fingerprint.digest ?? "";
  const queued = [];
  for (const payload of decision.payloads) {
    const request = executionRequestOf(payload, fingerprint);
    queued.push({
      ...(await enqueueExecution({ ...deps.runner, request })),
      requestPath: request.requestPath,
    });
  }
  return { status: "queued", message: queuedReply(queued), allNew: queued.every((q) => q.created) };
}
