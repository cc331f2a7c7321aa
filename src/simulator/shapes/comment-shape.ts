import type { CommentRecord, PullRecord, ReactionRecord } from "../state/sim-state.js";
import { authorAssociation } from "./author-association.js";
import { pullSimpleShape } from "./pull-shape.js";
import { nodeId, type ShapeContext } from "./shape-context.js";
import { userShape } from "./user-shape.js";

export const REACTION_CONTENTS = [
  "+1",
  "-1",
  "laugh",
  "confused",
  "heart",
  "hooray",
  "rocket",
  "eyes",
] as const;

function reactionRollup(url: string, reactions: ReactionRecord[]): Record<string, unknown> {
  const counts = Object.fromEntries(
    REACTION_CONTENTS.map((content) => [content, reactions.filter((r) => r.content === content).length]),
  );
  return { url: `${url}/reactions`, total_count: reactions.length, ...counts };
}

export function commentShape(ctx: ShapeContext, comment: CommentRecord): Record<string, unknown> {
  const url = `${ctx.urls.api}/repos/${comment.repo}/issues/comments/${comment.id}`;
  return {
    url,
    html_url: `${ctx.urls.web}/${comment.repo}/pull/${comment.number}#issuecomment-${comment.id}`,
    issue_url: `${ctx.urls.api}/repos/${comment.repo}/issues/${comment.number}`,
    id: comment.id,
    node_id: nodeId("IssueComment", comment.id),
    user: userShape(ctx, comment.user),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    author_association: authorAssociation(ctx.state, comment.repo, comment.user),
    body: comment.body,
    reactions: reactionRollup(url, comment.reactions),
    performed_via_github_app: null,
  };
}

export function reactionShape(ctx: ShapeContext, reaction: ReactionRecord): Record<string, unknown> {
  return {
    id: reaction.id,
    node_id: nodeId("Reaction", reaction.id),
    user: userShape(ctx, reaction.user),
    content: reaction.content,
    created_at: reaction.createdAt,
  };
}

/** A pull request seen through the Issues API (webhook `issue` of issue_comment events). */
export function pullAsIssueShape(ctx: ShapeContext, pr: PullRecord): Record<string, unknown> {
  const pull = pullSimpleShape(ctx, pr);
  const url = `${ctx.urls.api}/repos/${pr.repo}/issues/${pr.number}`;
  const html = `${ctx.urls.web}/${pr.repo}/pull/${pr.number}`;
  return {
    url,
    repository_url: `${ctx.urls.api}/repos/${pr.repo}`,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: html,
    id: pr.id,
    node_id: nodeId("Issue", pr.id),
    number: pr.number,
    title: pr.title,
    user: pull.user,
    labels: pull.labels,
    state: pr.state,
    locked: false,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: ctx.state.comments.filter((c) => c.repo === pr.repo && c.number === pr.number).length,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.closedAt,
    author_association: pull.author_association,
    active_lock_reason: null,
    draft: false,
    body: pr.body,
    reactions: reactionRollup(url, []),
    timeline_url: `${url}/timeline`,
    performed_via_github_app: null,
    state_reason: null,
    pull_request: {
      url: `${ctx.urls.api}/repos/${pr.repo}/pulls/${pr.number}`,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      merged_at: pr.mergedAt,
    },
  };
}
