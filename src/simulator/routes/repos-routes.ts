import { diffCommits } from "../diff/pull-files.js";
import { bodyOf, created, notFound, ok, pathParam, unprocessable } from "../http/api-responses.js";
import type { ApiRequest, RouteContext, RouteTable } from "../http/api-types.js";
import { paginate } from "../http/paginate.js";
import { gitCommitShape, repoCommitShape } from "../shapes/commit-shapes.js";
import { repoShape } from "../shapes/repo-shape.js";
import { userShape } from "../shapes/user-shape.js";
import { MAX_INLINE_CONTENT_BYTES } from "../simulator-limits.js";
import { moveBranch } from "../state/move-branch.js";
import { findUser, gitIdentity, permissionOf, type RepoRecord, resolveRef } from "../state/sim-state.js";
import { actorLogin, installedRepo, optionalString, wrappedBase64 } from "./route-helpers.js";

function noCommitForRef(ref: string) {
  return { status: 404, body: { message: `No commit found for the ref ${ref}`, status: "404" } };
}

function contentEntry(
  ctx: RouteContext,
  p: { repo: RepoRecord; ref: string; path: string; type: "file" | "dir"; sha: string; size: number },
) {
  const api = `${ctx.urls.api}/repos/${p.repo.fullName}`;
  const url = `${api}/contents/${p.path}?ref=${encodeURIComponent(p.ref)}`;
  const gitUrl = `${api}/git/${p.type === "file" ? "blobs" : "trees"}/${p.sha}`;
  const htmlUrl = `${ctx.urls.web}/${p.repo.fullName}/${p.type === "file" ? "blob" : "tree"}/${p.ref}/${p.path}`;
  return {
    type: p.type,
    size: p.size,
    name: p.path.split("/").pop() ?? p.path,
    path: p.path,
    sha: p.sha,
    url,
    git_url: gitUrl,
    html_url: htmlUrl,
    download_url: p.type === "file" ? `${ctx.urls.web}/raw/${p.repo.fullName}/${p.ref}/${p.path}` : null,
    _links: { self: url, git: gitUrl, html: htmlUrl },
  };
}

function getContent(req: ApiRequest, ctx: RouteContext) {
  const repo = installedRepo(req, ctx);
  if (!repo) return notFound();
  const ref = req.query.get("ref") ?? repo.defaultBranch;
  const sha = resolveRef(ctx.state, repo, ref);
  if (!sha) return noCommitForRef(ref);
  const path = pathParam(req, "path").replace(/^\/+|\/+$/g, "");
  const commit = ctx.state.git.getCommit(sha);
  const tree = ctx.state.git.getTree(commit?.tree ?? "");
  if (!tree) return notFound();
  const blob = tree.get(path);
  if (blob !== undefined) {
    const content = ctx.state.git.getBlob(blob) ?? "";
    const size = Buffer.byteLength(content);
    const inline = size <= MAX_INLINE_CONTENT_BYTES;
    return ok({
      ...contentEntry(ctx, { repo, ref, path, type: "file", sha: blob, size }),
      encoding: inline ? "base64" : "none",
      content: inline ? wrappedBase64(content) : "",
    });
  }
  const subtree = commit ? ctx.state.git.listTree(commit.tree, true) : undefined;
  const prefix = `${path}/`;
  const children = (subtree ?? []).filter(
    (entry) => entry.path.startsWith(prefix) && !entry.path.slice(prefix.length).includes("/"),
  );
  if (children.length === 0) return notFound();
  return ok(
    children.map((entry) =>
      contentEntry(ctx, {
        repo,
        ref,
        path: entry.path,
        type: entry.type === "blob" ? "file" : "dir",
        sha: entry.sha,
        size: entry.size ?? 0,
      }),
    ),
  );
}

/** PUT contents: one-file commits; the app's are recorded as app commits, like the Git Data API ones. */
function createOrUpdateFile(req: ApiRequest, ctx: RouteContext) {
  const repo = installedRepo(req, ctx);
  if (!repo) return notFound();
  const body = bodyOf(req);
  const path = pathParam(req, "path").replace(/^\/+|\/+$/g, "");
  const branch = optionalString(body.branch) ?? repo.defaultBranch;
  const head = repo.branches.get(branch.replace(/^refs\/heads\//, ""));
  if (!head) return { status: 404, body: { message: `Branch ${branch} not found`, status: "404" } };
  const files = ctx.state.git.getTree(ctx.state.git.getCommit(head)?.tree ?? "") ?? new Map<string, string>();
  const existing = files.get(path);
  const givenSha = optionalString(body.sha);
  if (existing !== undefined && givenSha === undefined)
    return unprocessable('Invalid request.\n\n"sha" wasn\'t supplied.');
  if (existing !== undefined && givenSha !== existing) {
    return { status: 409, body: { message: `${path} does not match ${givenSha}`, status: "409" } };
  }
  const content = Buffer.from(String(body.content ?? ""), "base64").toString("utf8");
  const date = ctx.state.clock.tick();
  const tree = ctx.state.git.writeFiles(files, { [path]: content });
  // The caller is author and committer: the app's bot, or the user whose token this is.
  const who = actorLogin(req, ctx);
  const sha = ctx.state.git.putCommit({
    tree,
    parents: [head],
    author: gitIdentity(ctx.state, who, date),
    committer: gitIdentity(ctx.state, who, date),
    message: String(body.message ?? ""),
    verified: true,
  });
  // No webhook: GitHub would send `push`, which the simulator does not model (docs/simulator.md).
  if (req.actor.kind !== "user") ctx.state.appCommits.push({ repo: repo.fullName, sha, branch: "" });
  moveBranch(ctx.state, { repo, branch: branch.replace(/^refs\/heads\//, ""), from: head, to: sha });
  const blob = ctx.state.git.getTree(tree)?.get(path) ?? "";
  const commit = ctx.state.git.getCommit(sha);
  const response = {
    content: contentEntry(ctx, {
      repo,
      ref: branch,
      path,
      type: "file",
      sha: blob,
      size: Buffer.byteLength(content),
    }),
    commit: commit ? gitCommitShape(ctx, repo.fullName, commit) : null,
  };
  return existing === undefined ? created(response) : ok(response);
}

function commitFilesAgainstParent(ctx: RouteContext, sha: string) {
  const parent = ctx.state.git.getCommit(sha)?.parents[0] ?? "";
  return diffCommits(ctx.state, parent, sha).map((file) => ({ ...file }));
}

export const reposRoutes: RouteTable = {
  "repos/get": {
    auth: "installation",
    handle(req, ctx) {
      const repo = installedRepo(req, ctx);
      if (!repo) return notFound();
      // The installation may push; a user's token has that user's permission.
      const permission = req.actor.kind === "user" ? permissionOf(ctx.state, repo, req.actor.login) : "write";
      return ok({
        ...repoShape(ctx, repo),
        permissions: {
          admin: permission === "admin",
          maintain: permission === "admin",
          push: permission === "admin" || permission === "write",
          triage: permission !== "none",
          pull: permission !== "none",
        },
      });
    },
  },
  "repos/get-content": { auth: "installation", handle: getContent },
  "repos/create-or-update-file-contents": { auth: "installation", handle: createOrUpdateFile },
  "repos/get-collaborator-permission-level": {
    auth: "installation",
    handle(req, ctx) {
      const repo = installedRepo(req, ctx);
      const user = findUser(ctx.state, pathParam(req, "username"));
      if (!repo || !user) return notFound();
      const permission = permissionOf(ctx.state, repo, user.login);
      return ok({
        permission,
        role_name: permission,
        user: {
          ...userShape(ctx, user.login),
          permissions: {
            admin: permission === "admin",
            maintain: permission === "admin",
            push: permission === "admin" || permission === "write",
            triage: permission !== "none",
            pull: permission !== "none",
          },
          role_name: permission,
        },
      });
    },
  },
  "repos/list-commits": {
    auth: "installation",
    handle(req, ctx) {
      const repo = installedRepo(req, ctx);
      if (!repo) return notFound();
      const ref = req.query.get("sha") ?? repo.defaultBranch;
      const head = resolveRef(ctx.state, repo, ref);
      if (!head) return noCommitForRef(ref);
      const path = req.query.get("path");
      const commits = ctx.state.git
        .commitsBetween(undefined, head)
        .filter(
          (commit) =>
            path === null || commitFilesAgainstParent(ctx, commit.sha).some((f) => f.filename === path),
        );
      const page = paginate(req, commits);
      return ok(
        page.items.map((commit) => repoCommitShape(ctx, repo.fullName, commit)),
        page.headers,
      );
    },
  },
  "repos/get-commit": {
    auth: "installation",
    handle(req, ctx) {
      const repo = installedRepo(req, ctx);
      if (!repo) return notFound();
      const ref = pathParam(req, "ref");
      const sha = resolveRef(ctx.state, repo, ref);
      const commit = sha ? ctx.state.git.getCommit(sha) : undefined;
      if (!commit)
        return { status: 422, body: { message: `No commit found for SHA: ${ref}`, status: "422" } };
      const files = commitFilesAgainstParent(ctx, commit.sha);
      return ok(repoCommitShape(ctx, repo.fullName, commit, files));
    },
  },
};
