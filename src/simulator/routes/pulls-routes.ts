import { pullDiffBase, pullFiles } from "../diff/pull-files.js";
import {
  bodyOf,
  created,
  notFound,
  ok,
  pathParam,
  unprocessable,
  validationFailed,
} from "../http/api-responses.js";
import type { ApiRequest, RouteContext, RouteTable } from "../http/api-types.js";
import { paginate } from "../http/paginate.js";
import { repoCommitShape } from "../shapes/commit-shapes.js";
import { teamShape } from "../shapes/label-and-team-shapes.js";
import { pullShape, pullSimpleShape } from "../shapes/pull-shape.js";
import { reviewShape } from "../shapes/review-shape.js";
import { userShape } from "../shapes/user-shape.js";
import {
  findRepo,
  findTeam,
  findUser,
  type PullRecord,
  permissionOf,
  type RepoRecord,
} from "../state/sim-state.js";
import { pullRequestOpenedEvent, recordPullRequest } from "../steps/pull-request-steps.js";
import {
  actorLogin,
  installedRepo,
  optionalString,
  pullFromParams,
  SimulatorGapError,
  stringArray,
} from "./route-helpers.js";

function notCollaborator(repo: RepoRecord) {
  return unprocessable(
    `Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${repo.fullName} repository.`,
  );
}

function listPulls(req: ApiRequest, ctx: RouteContext) {
  const repo = installedRepo(req, ctx);
  if (!repo) return notFound();
  const state = req.query.get("state") ?? "open";
  const head = req.query.get("head");
  const base = req.query.get("base");
  const pulls = ctx.state.pulls
    .filter((pr) => pr.repo === repo.fullName)
    .filter((pr) => state === "all" || pr.state === state)
    .filter((pr) => base === null || pr.baseRef === base)
    .filter((pr) => head === null || `${pr.headRepo.split("/")[0]}:${pr.headRef}` === head)
    .sort((a, b) => b.number - a.number);
  const page = paginate(req, pulls);
  return ok(
    page.items.map((pr) => pullSimpleShape(ctx, pr)),
    page.headers,
  );
}

/** GitHub's 422 for a pull request it will not open, in its "Validation Failed" form. */
function invalidPull(field: string, message?: string) {
  return validationFailed([
    message === undefined
      ? { resource: "PullRequest", field, code: "invalid" }
      : { resource: "PullRequest", code: "custom", message },
  ]);
}

/**
 * POST /repos/{owner}/{repo}/pulls: opens a pull request from an existing branch, as whoever the token names
 * (a user, an agent's bot account, or the app's installation), and sends `pull_request.opened` with that
 * sender — GitHub does so even when the app itself opened it. The webhook goes out after the 201, as on
 * GitHub; `sim.idle()` waits for it.
 */
function createPull(req: ApiRequest, ctx: RouteContext) {
  const repo = installedRepo(req, ctx);
  if (!repo) return notFound();
  const body = bodyOf(req);
  if (body.draft === true) throw new SimulatorGapError("draft pull requests");
  if (body.issue !== undefined) throw new SimulatorGapError("converting an issue into a pull request");
  const title = optionalString(body.title);
  if (title === undefined || title.trim() === "") return invalidPull("title", "Title can't be blank");
  const head = String(body.head ?? "");
  const base = String(body.base ?? "");
  const [headOwner, headRef] = head.includes(":")
    ? (head.split(":", 2) as [string, string])
    : [repo.owner, head];
  const headRepoName = optionalString(body.head_repo)?.split("/")[1] ?? repo.name;
  const headRepo = findRepo(ctx.state, headOwner, headRepoName);
  if (!headRepo || (headRepo !== repo && headRepo.parent?.toLowerCase() !== repo.fullName.toLowerCase()))
    return invalidPull("head");
  const headSha = headRepo.branches.get(headRef);
  if (!headSha) return invalidPull("head");
  const baseSha = repo.branches.get(base);
  if (!baseSha) return invalidPull("base");
  const existing = ctx.state.pulls.find(
    (pr) =>
      pr.repo === repo.fullName &&
      pr.state === "open" &&
      pr.headRepo === headRepo.fullName &&
      pr.headRef === headRef &&
      pr.baseRef === base,
  );
  if (existing) return invalidPull("head", `A pull request already exists for ${headRepo.owner}:${headRef}.`);
  if (ctx.state.git.isAncestor(headSha, baseSha))
    return invalidPull("head", `No commits between ${base} and ${headRef}`);
  const sender = actorLogin(req, ctx);
  const pr = recordPullRequest(ctx, {
    repo,
    author: sender,
    headRepo,
    headRef,
    baseRef: base,
    title,
    body: optionalString(body.body) ?? null,
    fork: headRepo !== repo,
  });
  // Validated (and a schema violation thrown) now; delivered in order after the response, like GitHub.
  void ctx.deliverer.send(pullRequestOpenedEvent(ctx, pr, sender)).catch(() => undefined);
  return created(pullShape(ctx, pr));
}

function updatePull(req: ApiRequest, ctx: RouteContext) {
  const found = pullFromParams(req, ctx);
  if (!found) return notFound();
  const { repo, pr } = found;
  const body = bodyOf(req);
  const base = optionalString(body.base);
  if (base !== undefined && base !== pr.baseRef) {
    const baseSha = repo.branches.get(base);
    if (!baseSha) {
      return {
        status: 422,
        body: {
          message: "Validation Failed",
          errors: [{ resource: "PullRequest", field: "base", code: "invalid" }],
          status: "422",
        },
      };
    }
    pr.baseRef = base;
    pr.baseSha = baseSha;
  }
  if (typeof body.title === "string") pr.title = body.title;
  if (typeof body.body === "string") pr.body = body.body;
  if (body.state === "closed" && pr.state === "open" && !pr.merged) {
    pr.state = "closed";
    pr.closedAt = ctx.state.clock.now();
  }
  if (body.state === "open" && pr.state === "closed" && !pr.merged) {
    pr.state = "open";
    pr.closedAt = null;
  }
  pr.updatedAt = ctx.state.clock.tick();
  return ok(pullShape(ctx, pr));
}

function requestReviewers(req: ApiRequest, ctx: RouteContext) {
  const found = pullFromParams(req, ctx);
  if (!found) return notFound();
  const { repo, pr } = found;
  const body = bodyOf(req);
  const users = stringArray(body.reviewers);
  const teams = stringArray(body.team_reviewers);
  if (users.some((login) => login.toLowerCase() === pr.author.toLowerCase())) {
    return unprocessable("Review cannot be requested from pull request author.");
  }
  for (const login of users) {
    const user = findUser(ctx.state, login);
    if (!user || permissionOf(ctx.state, repo, user.login) === "none") return notCollaborator(repo);
  }
  for (const slug of teams) {
    if (!findTeam(ctx.state, repo.owner, slug)) return notCollaborator(repo);
  }
  for (const login of users) {
    const canonical = findUser(ctx.state, login)?.login ?? login;
    if (!pr.requestedUsers.includes(canonical)) pr.requestedUsers.push(canonical);
  }
  for (const slug of teams) {
    const canonical = findTeam(ctx.state, repo.owner, slug)?.slug ?? slug;
    if (!pr.requestedTeams.includes(canonical)) pr.requestedTeams.push(canonical);
  }
  pr.updatedAt = ctx.state.clock.tick();
  return created(pullSimpleShape(ctx, pr));
}

function removeRequestedReviewers(req: ApiRequest, ctx: RouteContext) {
  const found = pullFromParams(req, ctx);
  if (!found) return notFound();
  const { pr } = found;
  const body = bodyOf(req);
  const users = new Set(stringArray(body.reviewers).map((login) => login.toLowerCase()));
  const teams = new Set(stringArray(body.team_reviewers).map((slug) => slug.toLowerCase()));
  pr.requestedUsers = pr.requestedUsers.filter((login) => !users.has(login.toLowerCase()));
  pr.requestedTeams = pr.requestedTeams.filter((slug) => !teams.has(slug.toLowerCase()));
  pr.updatedAt = ctx.state.clock.tick();
  return ok(pullSimpleShape(ctx, pr));
}

function dismissReview(req: ApiRequest, ctx: RouteContext) {
  const found = pullFromParams(req, ctx);
  if (!found) return notFound();
  const reviewId = Number(pathParam(req, "review_id"));
  const review = ctx.state.reviews.find(
    (r) => r.id === reviewId && r.repo === found.pr.repo && r.number === found.pr.number,
  );
  if (!review) return notFound();
  if (review.state === "COMMENTED") return unprocessable("Can not dismiss a commented pull request review");
  if (review.state !== "DISMISSED") {
    ctx.state.clock.tick();
    review.state = "DISMISSED";
  }
  return ok(reviewShape(ctx, review, "rest"));
}

function commitsOf(ctx: RouteContext, pr: PullRecord) {
  // GitHub lists a pull request's commits oldest first.
  return ctx.state.git.commitsBetween(pullDiffBase(ctx.state, pr), pr.headSha).reverse();
}

export const pullsRoutes: RouteTable = {
  "pulls/list": { auth: "installation", handle: listPulls },
  "pulls/create": { auth: "installation", handle: createPull },
  "pulls/get": {
    auth: "installation",
    handle(req, ctx) {
      const found = pullFromParams(req, ctx);
      return found ? ok(pullShape(ctx, found.pr)) : notFound();
    },
  },
  "pulls/update": { auth: "installation", handle: updatePull },
  "pulls/list-files": {
    auth: "installation",
    handle(req, ctx) {
      const found = pullFromParams(req, ctx);
      if (!found) return notFound();
      const api = `${ctx.urls.api}/repos/${found.pr.repo}`;
      const files = pullFiles(ctx.state, found.pr).map((file) => ({
        sha: file.sha,
        filename: file.filename,
        status: file.status,
        additions: file.additions,
        deletions: file.deletions,
        changes: file.changes,
        blob_url: `${ctx.urls.web}/${found.pr.repo}/blob/${found.pr.headSha}/${file.filename}`,
        raw_url: `${ctx.urls.web}/${found.pr.repo}/raw/${found.pr.headSha}/${file.filename}`,
        contents_url: `${api}/contents/${file.filename}?ref=${found.pr.headSha}`,
        ...(file.patch !== undefined ? { patch: file.patch } : {}),
        ...(file.previous_filename !== undefined ? { previous_filename: file.previous_filename } : {}),
      }));
      const page = paginate(req, files);
      return ok(page.items, page.headers);
    },
  },
  "pulls/list-commits": {
    auth: "installation",
    handle(req, ctx) {
      const found = pullFromParams(req, ctx);
      if (!found) return notFound();
      const page = paginate(req, commitsOf(ctx, found.pr));
      return ok(
        page.items.map((commit) => repoCommitShape(ctx, found.pr.repo, commit)),
        page.headers,
      );
    },
  },
  "pulls/list-reviews": {
    auth: "installation",
    handle(req, ctx) {
      const found = pullFromParams(req, ctx);
      if (!found) return notFound();
      const reviews = ctx.state.reviews.filter(
        (r) => r.repo === found.pr.repo && r.number === found.pr.number,
      );
      const page = paginate(req, reviews);
      return ok(
        page.items.map((review) => reviewShape(ctx, review, "rest")),
        page.headers,
      );
    },
  },
  "pulls/request-reviewers": { auth: "installation", handle: requestReviewers },
  "pulls/remove-requested-reviewers": { auth: "installation", handle: removeRequestedReviewers },
  "pulls/list-requested-reviewers": {
    auth: "installation",
    handle(req, ctx) {
      const found = pullFromParams(req, ctx);
      if (!found) return notFound();
      const { repo, pr } = found;
      return ok({
        users: pr.requestedUsers.map((login) => userShape(ctx, login)),
        teams: pr.requestedTeams
          .map((slug) => findTeam(ctx.state, repo.owner, slug))
          .filter((team) => team !== undefined)
          .map((team) => teamShape(ctx, team)),
      });
    },
  },
  "pulls/dismiss-review": { auth: "installation", handle: dismissReview },
};
