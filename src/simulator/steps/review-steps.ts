import { ensureUser, type ReviewRecord, type ReviewState } from "../state/sim-state.js";
import {
  checkRunEvent,
  issueCommentEvent,
  pullRequestReviewEvent,
} from "../webhooks/build-webhook-payloads.js";
import { requireOpenPull, requirePull, type StepContext } from "./step-context.js";

const REVIEW_STATES: Record<"approve" | "request_changes" | "comment", ReviewState> = {
  approve: "APPROVED",
  request_changes: "CHANGES_REQUESTED",
  comment: "COMMENTED",
};

/** Something GitHub itself refuses to do (it answers 422 and sends no webhook); a scenario may try it. */
export class GitHubRefusal extends Error {}

export async function submitReview(
  ctx: StepContext,
  p: {
    repo: string;
    number: number;
    by: string;
    state: "approve" | "request_changes" | "comment";
    body?: string;
  },
): Promise<void> {
  const { pr } = requireOpenPull(ctx, p.repo, p.number, "review");
  const by = ensureUser(ctx.state, p.by).login;
  const state = REVIEW_STATES[p.state];
  if (by.toLowerCase() === pr.author.toLowerCase() && state !== "COMMENTED") {
    // GitHub refuses this outright (422 "Can not approve your own pull request"), so no webhook ever says so.
    throw new GitHubRefusal(
      `simulator: GitHub does not let ${by} ${p.state.replace("_", " ")} their own pull request #${pr.number} (422 "Can not approve your own pull request"; no webhook is sent)`,
    );
  }
  const review: ReviewRecord = {
    id: ctx.state.nextId("review"),
    repo: pr.repo,
    number: pr.number,
    user: by,
    state,
    body: p.body ?? null,
    commitId: pr.headSha,
    submittedAt: ctx.state.clock.tick(),
  };
  ctx.state.reviews.push(review);
  // A submitted review fulfils that user's review request.
  pr.requestedUsers = pr.requestedUsers.filter((login) => login.toLowerCase() !== by.toLowerCase());
  await ctx.deliverer.send(pullRequestReviewEvent(ctx, { action: "submitted", pr, review, sender: by }));
}

/** Dismisses `by`'s latest review (GitHub only dismisses approvals and change requests). */
export async function dismissReview(
  ctx: StepContext,
  p: { repo: string; number: number; by: string; message?: string },
): Promise<void> {
  const { pr } = requirePull(ctx, p.repo, p.number);
  const latest = ctx.state.reviews
    .filter(
      (r) => r.repo === pr.repo && r.number === pr.number && r.user.toLowerCase() === p.by.toLowerCase(),
    )
    .at(-1);
  if (!latest) throw new Error(`simulator: ${p.by} has no review on ${pr.repo}#${pr.number} to dismiss`);
  if (latest.state !== "APPROVED" && latest.state !== "CHANGES_REQUESTED") {
    throw new Error(
      `simulator: ${p.by}'s latest review on ${pr.repo}#${pr.number} is ${latest.state}; GitHub only dismisses APPROVED or CHANGES_REQUESTED reviews`,
    );
  }
  ctx.state.clock.tick();
  latest.state = "DISMISSED";
  await ctx.deliverer.send(
    pullRequestReviewEvent(ctx, { action: "dismissed", pr, review: latest, sender: latest.user }),
  );
}

export async function commentOnPullRequest(
  ctx: StepContext,
  p: { repo: string; number: number; by: string; body: string },
): Promise<void> {
  const { pr } = requirePull(ctx, p.repo, p.number);
  const now = ctx.state.clock.tick();
  const comment = {
    id: ctx.state.nextId("comment"),
    repo: pr.repo,
    number: pr.number,
    user: ensureUser(ctx.state, p.by).login,
    body: p.body,
    createdAt: now,
    updatedAt: now,
    reactions: [],
  };
  ctx.state.comments.push(comment);
  await ctx.deliverer.send(issueCommentEvent(ctx, { action: "created", pr, comment, sender: comment.user }));
}

/**
 * check_run.requested_action for the newest run on the PR's head that offers `action` (of `checkName` when
 * given: a person clicks the button of one particular check run).
 */
export async function clickCheckRunButton(
  ctx: StepContext,
  p: { repo: string; number: number; by: string; action: string; checkName?: string },
): Promise<void> {
  const { pr } = requirePull(ctx, p.repo, p.number);
  const name = p.checkName;
  const onHead = ctx.state.checkRuns.filter(
    (run) => run.repo === pr.repo && run.headSha === pr.headSha && (name === undefined || run.name === name),
  );
  const run = onHead
    .filter((r) => r.actions.some((a) => a.identifier === p.action))
    .sort((a, b) => b.id - a.id)[0];
  if (!run) {
    const offered = onHead.map(
      (r) => `#${r.id} [${r.actions.map((a) => a.identifier).join(", ") || "no actions"}]`,
    );
    throw new Error(
      `simulator: no ${name === undefined ? "" : `"${name}" `}check run on ${pr.repo}#${pr.number}'s head ${pr.headSha.slice(0, 7)} offers the action "${p.action}" (runs there: ${offered.join("; ") || "none"})`,
    );
  }
  const sender = ensureUser(ctx.state, p.by).login;
  ctx.state.clock.tick();
  await ctx.deliverer.send(
    checkRunEvent(ctx, { action: "requested_action", run, sender, identifier: p.action }),
  );
}
