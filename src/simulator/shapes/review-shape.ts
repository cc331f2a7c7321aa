import type { ReviewRecord } from "../state/sim-state.js";
import { authorAssociation } from "./author-association.js";
import { nodeId, type ShapeContext } from "./shape-context.js";
import { userShape } from "./user-shape.js";

/** REST reviews carry uppercase states (`APPROVED`); webhooks lowercase (`approved`). */
export function reviewShape(
  ctx: ShapeContext,
  review: ReviewRecord,
  stateCase: "rest" | "webhook",
): Record<string, unknown> {
  const html = `${ctx.urls.web}/${review.repo}/pull/${review.number}#pullrequestreview-${review.id}`;
  const pullUrl = `${ctx.urls.api}/repos/${review.repo}/pulls/${review.number}`;
  return {
    id: review.id,
    node_id: nodeId("PullRequestReview", review.id),
    user: userShape(ctx, review.user),
    body: review.body,
    commit_id: review.commitId,
    submitted_at: review.submittedAt,
    state: stateCase === "rest" ? review.state : review.state.toLowerCase(),
    html_url: html,
    pull_request_url: pullUrl,
    author_association: authorAssociation(ctx.state, review.repo, review.user),
    _links: { html: { href: html }, pull_request: { href: pullUrl } },
  };
}
