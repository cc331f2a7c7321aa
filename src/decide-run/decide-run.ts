import type { RunTrigger } from "../audit/audit-types.js";
import type { EarlierRun } from "../plan-pull-request/earlier-runs.js";
import { fingerprintChanges, type RunFingerprint } from "../plan-pull-request/fingerprint.js";
import type { PullRequestPlan } from "../plan-pull-request/pull-request-plan.js";
import type { RunPayload } from "../runner/run-payload.js";
import { mayStart } from "./may-start.js";

export type RunDecision =
  /** The plan is not runnable: its verdict says why. */
  | { kind: "not_runnable" }
  | { kind: "refused"; error: string }
  /** Nothing is left to run: each request file already ran on an earlier head commit (`runs`). */
  | { kind: "already_ran"; runs: EarlierRun[] }
  /** A merge or an approval that the policy does not run on: nothing to say. */
  | { kind: "ignored" }
  | { kind: "run"; payloads: RunPayload[] };

export interface DecideRunParams {
  plan: PullRequestPlan;
  pr: { owner: string; repo: string; pullNumber: number; htmlUrl: string; headSha: string; author: string };
  installationId: number;
  /** Who clicked, commented or merged; GitHub signs the webhook that names them. */
  sender: string;
  /** A bot (an agent's token, an app) never starts a run, even one it authored. */
  senderIsBot: boolean;
  trigger: RunTrigger;
  /** What was recorded when this head became ready; what would run must be exactly that. */
  approved: RunFingerprint | null;
  now: Date;
}

/**
 * Pure: whether a run request starts anything — something in the plan must not have run yet, the plan must
 * be runnable, the sender allowed, what would run must be what was approved, and the policy's execute mode
 * must let this trigger start it — and if so the payload the ledger keeps for each request file (request
 * files that already ran on an earlier head are not in the plan's run).
 */
export function decideRun(p: DecideRunParams): RunDecision {
  const { plan } = p;
  // What ran does not run again by accident, whoever asks and however (button, comment, merge, auto).
  const ran = plan.earlierRuns.filter((e) => !e.runsAgain);
  if (ran.length > 0 && (plan.verdict.state === "already_ran" || (plan.verdict.runnable && !plan.run)))
    return { kind: "already_ran", runs: ran };
  if (!plan.verdict.runnable || !plan.run || !plan.policy.ok) return { kind: "not_runnable" };
  const { policy } = plan.policy;
  const refused = (error: string): RunDecision => ({ kind: "refused", error });
  const notAllowed = mayStart({ ...p, runBy: policy.runBy, author: p.pr.author, approval: plan.approval });
  if (notAllowed !== null) return refused(notAllowed);
  const changes = p.approved ? fingerprintChanges(p.approved, plan.run.fingerprint) : [];
  if (changes.length > 0)
    return refused(
      `Nothing ran: what would run is not what was approved.\n\n${changes.map((c) => `- ${c}`).join("\n")}\n\nReview the current version; the check shows what is needed now.`,
    );
  for (const unit of plan.run.units) {
    if (unit.execute === "on_merge" && p.trigger !== "merge")
      return refused(
        `Nothing ran: the policy runs \`${unit.requestPath}\` when the pull request is merged (execute: on_merge). Merge it to run it.`,
      );
    if (p.trigger === "merge" && unit.execute !== "on_merge") return { kind: "ignored" };
    if (p.trigger === "auto" && unit.execute !== "auto") return { kind: "ignored" };
  }
  const payloads: RunPayload[] = [];
  for (const unit of plan.run.units) {
    const target = policy.targets[unit.target];
    if (!target) return refused(`Nothing ran: target ${unit.target} is not in the policy.`);
    payloads.push({
      version: 1,
      installationId: p.installationId,
      owner: p.pr.owner,
      repo: p.pr.repo,
      pullNumber: p.pr.pullNumber,
      htmlUrl: p.pr.htmlUrl,
      headSha: p.pr.headSha,
      unit,
      target: {
        name: target.name,
        engine: target.engine,
        environment: target.environment,
        connection: target.connection,
        searchPath: target.searchPath,
      },
      policy: {
        commitSha: plan.policy.commitSha,
        files: plan.policy.files.map((f) => ({ path: f.path, blobSha: f.blobSha })),
        matchedRules: matchedRules(plan, unit.requestPath),
      },
      approvals: (plan.approval?.approvals ?? [])
        // A counted approval is of the head commit, so its commit is never null.
        .flatMap(({ login, reviewId, commitId, ignored, counted, teams }) =>
          ignored === null && counted.length > 0 && commitId !== null
            ? [{ login, reviewId, commitId, teams: teams ?? [] }]
            : [],
        ),
      trigger: p.trigger,
      triggeredBy: p.sender,
      triggeredAt: p.now.toISOString(),
    });
  }
  return { kind: "run", payloads };
}

function matchedRules(plan: PullRequestPlan, path: string): string[] {
  const rules = new Set<string>();
  for (const d of plan.decision?.statements ?? []) {
    if (d.path !== undefined && d.path !== path) continue;
    for (const r of d.trace.rules) if (r.matched) rules.add(r.rule);
  }
  return [...rules].sort();
}
