import { checkRunShape } from "../shapes/check-run-shape.js";
import { commentShape, pullAsIssueShape } from "../shapes/comment-shape.js";
import { pullShape } from "../shapes/pull-shape.js";
import { repoShape } from "../shapes/repo-shape.js";
import { reviewShape } from "../shapes/review-shape.js";
import { nodeId, type ShapeContext } from "../shapes/shape-context.js";
import { organizationShape, userShape } from "../shapes/user-shape.js";
import {
  type CheckRunRecord,
  type CommentRecord,
  findUser,
  type PullRecord,
  type ReviewRecord,
} from "../state/sim-state.js";
import { examplePayload } from "./example-payloads.js";
import { overlayExample } from "./overlay-example.js";

export interface WebhookEvent {
  event: string;
  payload: Record<string, unknown>;
}

const ENVELOPE_EXTRAS = ["installation", "organization"];

function repoOf(ctx: ShapeContext, fullName: string) {
  const repo = ctx.state.repos.get(fullName.toLowerCase());
  if (!repo) throw new Error(`simulator: no repository ${fullName} to build a webhook for`);
  return repo;
}

/** Builds one payload from GitHub's example for event+action, overwritten with simulator state. */
function build(
  ctx: ShapeContext,
  p: {
    event: string;
    action: string;
    repo: string;
    sender: string;
    body: Record<string, unknown>;
    extraKeys?: string[];
  },
): WebhookEvent {
  const repo = repoOf(ctx, p.repo);
  const orgOwned = findUser(ctx.state, repo.owner)?.type === "Organization";
  const ours: Record<string, unknown> = {
    action: p.action,
    ...p.body,
    repository: repoShape(ctx, repo),
    sender: userShape(ctx, p.sender),
    installation: {
      id: ctx.state.app.installationId,
      node_id: nodeId("Installation", ctx.state.app.installationId),
    },
    ...(orgOwned ? { organization: organizationShape(ctx, repo.owner) } : {}),
  };
  const payload = overlayExample(examplePayload(p.event, p.action), ours, [
    ...ENVELOPE_EXTRAS,
    ...(p.extraKeys ?? []),
  ]) as Record<string, unknown>;
  if (!orgOwned) delete payload.organization;
  return { event: p.event, payload };
}

export function pullRequestEvent(
  ctx: ShapeContext,
  p: {
    action: "opened" | "synchronize" | "closed" | "edited" | "reopened";
    pr: PullRecord;
    sender: string;
    before?: string;
    changes?: Record<string, unknown>;
  },
): WebhookEvent {
  return build(ctx, {
    event: "pull_request",
    action: p.action,
    repo: p.pr.repo,
    sender: p.sender,
    body: {
      number: p.pr.number,
      pull_request: pullShape(ctx, p.pr),
      ...(p.before !== undefined ? { before: p.before, after: p.pr.headSha } : {}),
      ...(p.changes !== undefined ? { changes: p.changes } : {}),
    },
    extraKeys: ["before", "after", "changes"],
  });
}

export function pullRequestReviewEvent(
  ctx: ShapeContext,
  p: { action: "submitted" | "dismissed"; pr: PullRecord; review: ReviewRecord; sender: string },
): WebhookEvent {
  return build(ctx, {
    event: "pull_request_review",
    action: p.action,
    repo: p.pr.repo,
    sender: p.sender,
    body: { review: reviewShape(ctx, p.review, "webhook"), pull_request: pullShape(ctx, p.pr) },
  });
}

export function issueCommentEvent(
  ctx: ShapeContext,
  p: { action: "created"; pr: PullRecord; comment: CommentRecord; sender: string },
): WebhookEvent {
  return build(ctx, {
    event: "issue_comment",
    action: p.action,
    repo: p.pr.repo,
    sender: p.sender,
    body: { issue: pullAsIssueShape(ctx, p.pr), comment: commentShape(ctx, p.comment) },
    // GitHub's recorded examples are all plain-issue comments; a pull request's issue carries this key.
    extraKeys: ["issue.pull_request"],
  });
}

export function checkRunEvent(
  ctx: ShapeContext,
  p: { action: "requested_action"; run: CheckRunRecord; sender: string; identifier: string },
): WebhookEvent {
  return build(ctx, {
    event: "check_run",
    action: p.action,
    repo: p.run.repo,
    sender: p.sender,
    body: { check_run: checkRunShape(ctx, p.run), requested_action: { identifier: p.identifier } },
  });
}
