import {
  bodyOf,
  created,
  noContent,
  notFound,
  numberParam,
  ok,
  validationFailed,
} from "../http/api-responses.js";
import type { ApiRequest, ApiResponse, RouteContext, RouteTable } from "../http/api-types.js";
import { paginate } from "../http/paginate.js";
import { commentShape, reactionShape } from "../shapes/comment-shape.js";
import { labelShape } from "../shapes/label-and-team-shapes.js";
import { MAX_COMMENT_BODY_CHARS } from "../simulator-limits.js";
import type { CommentRecord, RepoRecord } from "../state/sim-state.js";
import { installedRepo, pullFromParams } from "./route-helpers.js";

const NEW_LABEL_COLOR = "ededed";

function bodyTooLong(body: string): ApiResponse | null {
  if (body.length <= MAX_COMMENT_BODY_CHARS) return null;
  return validationFailed([
    {
      resource: "IssueComment",
      code: "custom",
      field: "body",
      message: `Body is too long (maximum is ${MAX_COMMENT_BODY_CHARS} characters)`,
    },
  ]);
}

function findComment(
  req: ApiRequest,
  ctx: RouteContext,
): { repo: RepoRecord; comment: CommentRecord } | undefined {
  const repo = installedRepo(req, ctx);
  const id = numberParam(req, "comment_id");
  const comment = repo ? ctx.state.comments.find((c) => c.id === id && c.repo === repo.fullName) : undefined;
  return repo && comment ? { repo, comment } : undefined;
}

/** Label names from any of the body forms GitHub accepts: {labels: [..]}, [..], or [{name}]. */
function labelNames(body: unknown): string[] {
  const list = Array.isArray(body)
    ? body
    : body !== null && typeof body === "object"
      ? ((body as { labels?: unknown }).labels ?? [])
      : [];
  return (Array.isArray(list) ? list : [])
    .map((entry) => (typeof entry === "string" ? entry : (entry as { name?: unknown })?.name))
    .filter((name): name is string => typeof name === "string");
}

function labelsOnIssue(ctx: RouteContext, repo: RepoRecord, names: readonly string[]) {
  return names
    .map((name) => repo.labels.get(name.toLowerCase()))
    .filter((label) => label !== undefined)
    .map((label) => labelShape(ctx, repo.fullName, label));
}

export const issuesRoutes: RouteTable = {
  "issues/create-comment": {
    auth: "installation",
    handle(req, ctx) {
      const found = pullFromParams(req, ctx, "issue_number");
      if (!found) return notFound();
      const text = String(bodyOf(req).body ?? "");
      const problem = bodyTooLong(text);
      if (problem) return problem;
      const now = ctx.state.clock.tick();
      const comment: CommentRecord = {
        id: ctx.state.nextId("comment"),
        repo: found.pr.repo,
        number: found.pr.number,
        user: ctx.state.app.botLogin,
        body: text,
        createdAt: now,
        updatedAt: now,
        reactions: [],
      };
      ctx.state.comments.push(comment);
      return created(commentShape(ctx, comment));
    },
  },
  "issues/update-comment": {
    auth: "installation",
    handle(req, ctx) {
      const found = findComment(req, ctx);
      if (!found) return notFound();
      const text = String(bodyOf(req).body ?? "");
      const problem = bodyTooLong(text);
      if (problem) return problem;
      found.comment.body = text;
      found.comment.updatedAt = ctx.state.clock.tick();
      return ok(commentShape(ctx, found.comment));
    },
  },
  "issues/get-comment": {
    auth: "installation",
    handle(req, ctx) {
      const found = findComment(req, ctx);
      return found ? ok(commentShape(ctx, found.comment)) : notFound();
    },
  },
  "issues/delete-comment": {
    auth: "installation",
    handle(req, ctx) {
      const found = findComment(req, ctx);
      if (!found) return notFound();
      ctx.state.clock.tick();
      ctx.state.comments.splice(ctx.state.comments.indexOf(found.comment), 1);
      return noContent();
    },
  },
  "issues/list-comments": {
    auth: "installation",
    handle(req, ctx) {
      const found = pullFromParams(req, ctx, "issue_number");
      if (!found) return notFound();
      const since = req.query.get("since");
      const comments = ctx.state.comments
        .filter((c) => c.repo === found.pr.repo && c.number === found.pr.number)
        .filter((c) => since === null || c.updatedAt >= since);
      const page = paginate(req, comments);
      return ok(
        page.items.map((comment) => commentShape(ctx, comment)),
        page.headers,
      );
    },
  },
  "issues/add-labels": {
    auth: "installation",
    handle(req, ctx) {
      const found = pullFromParams(req, ctx, "issue_number");
      if (!found) return notFound();
      const { repo, pr } = found;
      for (const name of labelNames(req.body)) {
        if (!repo.labels.has(name.toLowerCase())) {
          repo.labels.set(name.toLowerCase(), {
            id: ctx.state.nextId("label"),
            name,
            color: NEW_LABEL_COLOR,
          });
        }
        const canonical = repo.labels.get(name.toLowerCase())?.name ?? name;
        if (!pr.labels.includes(canonical)) pr.labels.push(canonical);
      }
      pr.updatedAt = ctx.state.clock.tick();
      return ok(labelsOnIssue(ctx, repo, pr.labels));
    },
  },
  "issues/list-labels-on-issue": {
    auth: "installation",
    handle(req, ctx) {
      const found = pullFromParams(req, ctx, "issue_number");
      if (!found) return notFound();
      const page = paginate(req, labelsOnIssue(ctx, found.repo, found.pr.labels));
      return ok(page.items, page.headers);
    },
  },
  "reactions/create-for-issue-comment": {
    auth: "installation",
    handle(req, ctx) {
      const found = findComment(req, ctx);
      if (!found) return notFound();
      const content = String(bodyOf(req).content ?? "");
      const user = ctx.state.app.botLogin;
      const existing = found.comment.reactions.find((r) => r.user === user && r.content === content);
      if (existing) return ok(reactionShape(ctx, existing));
      const reaction = { id: ctx.state.nextId("reaction"), user, content, createdAt: ctx.state.clock.tick() };
      found.comment.reactions.push(reaction);
      return created(reactionShape(ctx, reaction));
    },
  },
};
