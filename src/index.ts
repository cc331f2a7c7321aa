import type { ApplicationFunction } from "probot";
import type { HandlerDeps } from "./handlers/handler-deps.js";
import { onCheckRun } from "./handlers/on-check-run.js";
import { onIssueComment } from "./handlers/on-issue-comment.js";
import { onPullRequest } from "./handlers/on-pull-request.js";
import { onPullRequestClosed } from "./handlers/on-pull-request-closed.js";
import { onPullRequestReview } from "./handlers/on-pull-request-review.js";

/** Probot entry: wires events to handlers. No logic lives here. */
export function querygateApp(deps: HandlerDeps): ApplicationFunction {
  return (app) => {
    app.on(
      ["pull_request.opened", "pull_request.synchronize", "pull_request.reopened", "pull_request.edited"],
      (context) => onPullRequest(deps, context),
    );
    app.on(
      ["pull_request_review.submitted", "pull_request_review.edited", "pull_request_review.dismissed"],
      (context) => onPullRequestReview(deps, context),
    );
    app.on("pull_request.closed", (context) => onPullRequestClosed(deps, context));
    app.on("issue_comment.created", (context) => onIssueComment(deps, context));
    app.on(["check_run.requested_action", "check_run.rerequested"], (context) => onCheckRun(deps, context));
  };
}
