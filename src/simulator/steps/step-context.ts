import type { ShapeContext } from "../shapes/shape-context.js";
import { findPull, findRepo, type PullRecord, type RepoRecord } from "../state/sim-state.js";
import type { WebhookDeliverer } from "../webhooks/webhook-deliverer.js";

export interface StepContext extends ShapeContext {
  deliverer: WebhookDeliverer;
}

export function requireRepo(ctx: ShapeContext, fullName: string): RepoRecord {
  const [owner = "", name = ""] = fullName.split("/");
  const repo = findRepo(ctx.state, owner, name);
  if (!repo) {
    const known = [...ctx.state.repos.values()].map((r) => r.fullName).join(", ") || "none";
    throw new Error(`simulator: no repository "${fullName}" (known: ${known}); call createRepo first`);
  }
  return repo;
}

export function requirePull(
  ctx: ShapeContext,
  repoName: string,
  number: number,
): { repo: RepoRecord; pr: PullRecord } {
  const repo = requireRepo(ctx, repoName);
  const pr = findPull(ctx.state, repo.fullName, number);
  if (!pr)
    throw new Error(
      `simulator: no pull request #${number} in ${repo.fullName}; open it with openPullRequest first`,
    );
  return { repo, pr };
}

export function requireOpenPull(ctx: ShapeContext, repoName: string, number: number, doing: string) {
  const found = requirePull(ctx, repoName, number);
  if (found.pr.state !== "open") {
    throw new Error(
      `simulator: cannot ${doing} ${found.repo.fullName}#${number}: it is ${found.pr.merged ? "merged" : "closed"}`,
    );
  }
  return found;
}
