import { bodyOf, created, noContent, notFound, ok, pathParam, unprocessable } from "../http/api-responses.js";
import type { ApiRequest, RouteContext, RouteTable } from "../http/api-types.js";
import { gitCommitShape } from "../shapes/commit-shapes.js";
import { nodeId } from "../shapes/shape-context.js";
import type { GitIdentity } from "../state/git-store.js";
import { moveBranch } from "../state/move-branch.js";
import { gitIdentity, loginForEmail, type RepoRecord, resolveRef } from "../state/sim-state.js";
import {
  actorLogin,
  installedRepo,
  optionalString,
  SimulatorGapError,
  wrappedBase64,
} from "./route-helpers.js";

const BRANCH_REF_PREFIX = "refs/heads/";

function refShape(ctx: RouteContext, repo: RepoRecord, branch: string, sha: string) {
  const api = `${ctx.urls.api}/repos/${repo.fullName}`;
  return {
    ref: `${BRANCH_REF_PREFIX}${branch}`,
    node_id: nodeId("Ref", `${repo.id}:${branch}`),
    url: `${api}/git/refs/heads/${branch}`,
    object: { type: "commit", sha, url: `${api}/git/commits/${sha}` },
  };
}

/** "heads/x" or "refs/heads/x" → "x"; other ref namespaces are not modelled. */
function branchOfRef(ref: string): string {
  const short = ref.replace(/^refs\//, "");
  if (!short.startsWith("heads/")) throw new SimulatorGapError(`refs outside refs/heads/ (got "${ref}")`);
  return short.slice("heads/".length);
}

function treeShape(ctx: RouteContext, repo: RepoRecord, sha: string, recursive: boolean) {
  const api = `${ctx.urls.api}/repos/${repo.fullName}`;
  const entries = ctx.state.git.listTree(sha, recursive) ?? [];
  return {
    sha,
    url: `${api}/git/trees/${sha}`,
    tree: entries.map((entry) => ({
      path: entry.path,
      mode: entry.mode,
      type: entry.type,
      sha: entry.sha,
      ...(entry.size !== undefined ? { size: entry.size } : {}),
      url: `${api}/git/${entry.type === "blob" ? "blobs" : "trees"}/${entry.sha}`,
    })),
    truncated: false,
  };
}

function identityFrom(ctx: RouteContext, value: unknown, fallbackDate: string): GitIdentity | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const { name, email, date } = value as Record<string, unknown>;
  const emailText = String(email ?? "");
  return {
    login: loginForEmail(ctx.state, emailText),
    name: String(name ?? ""),
    email: emailText,
    date: typeof date === "string" ? date : fallbackDate,
  };
}

function createTree(req: ApiRequest, ctx: RouteContext) {
  const repo = installedRepo(req, ctx);
  if (!repo) return notFound();
  const body = bodyOf(req);
  const { git } = ctx.state;
  const baseTreeSha = optionalString(body.base_tree);
  const base = baseTreeSha === undefined ? new Map<string, string>() : git.getTree(baseTreeSha);
  if (!base) return unprocessable(`base_tree ${baseTreeSha} is not a valid tree oid`);
  const next = new Map(base);
  const entries = Array.isArray(body.tree) ? (body.tree as Array<Record<string, unknown>>) : [];
  for (const entry of entries) {
    const path = String(entry.path ?? "").replace(/^\/+|\/+$/g, "");
    if (path === "") return unprocessable("tree.path cannot be blank");
    const hasSha = "sha" in entry && entry.sha !== undefined;
    const hasContent = typeof entry.content === "string";
    if (hasSha && hasContent)
      return unprocessable(`tree entry ${path}: use either tree.sha or tree.content, not both`);
    if (entry.type === "commit") throw new SimulatorGapError("submodule tree entries (type: commit)");
    if (hasSha && entry.sha === null) {
      next.delete(path);
      for (const existing of [...next.keys()]) if (existing.startsWith(`${path}/`)) next.delete(existing);
      continue;
    }
    if (hasContent) {
      next.set(path, git.putBlob(entry.content as string));
      continue;
    }
    const sha = String(entry.sha ?? "");
    if (entry.type === "tree") {
      const subtree = git.getTree(sha);
      if (!subtree) return unprocessable(`tree.sha ${sha} is not a valid tree`);
      for (const existing of [...next.keys()]) if (existing.startsWith(`${path}/`)) next.delete(existing);
      for (const [subPath, blob] of subtree) next.set(`${path}/${subPath}`, blob);
      continue;
    }
    if (git.getBlob(sha) === undefined) return unprocessable(`tree.sha ${sha} is not a valid blob`);
    next.set(path, sha);
  }
  return created(treeShape(ctx, repo, git.putTree(next), false));
}

function createCommit(req: ApiRequest, ctx: RouteContext) {
  const repo = installedRepo(req, ctx);
  if (!repo) return notFound();
  const body = bodyOf(req);
  const { git } = ctx.state;
  const tree = String(body.tree ?? "");
  if (!git.getTree(tree)) return unprocessable("Tree SHA does not exist");
  const parents = Array.isArray(body.parents) ? body.parents.map(String) : [];
  const missing = parents.find((sha) => !git.getCommit(sha));
  if (missing) return unprocessable(`Parent SHA ${missing} does not exist or is not a commit object`);
  const date = ctx.state.clock.tick();
  const caller = gitIdentity(ctx.state, actorLogin(req, ctx), date);
  const author = identityFrom(ctx, body.author, date) ?? caller;
  const committer = identityFrom(ctx, body.committer, date) ?? (body.author ? author : caller);
  const sha = git.putCommit({
    tree,
    parents,
    author,
    committer,
    message: String(body.message ?? ""),
    // GitHub signs API commits whose committer it is (no committer given).
    verified: body.committer === undefined,
  });
  if (req.actor.kind !== "user") ctx.state.appCommits.push({ repo: repo.fullName, sha, branch: "" });
  const commit = git.getCommit(sha);
  return commit ? created(gitCommitShape(ctx, repo.fullName, commit)) : notFound();
}

export const gitRoutes: RouteTable = {
  "git/get-ref": {
    auth: "installation",
    handle(req, ctx) {
      const repo = installedRepo(req, ctx);
      if (!repo) return notFound();
      const branch = branchOfRef(pathParam(req, "ref"));
      const sha = repo.branches.get(branch);
      return sha ? ok(refShape(ctx, repo, branch, sha)) : notFound();
    },
  },
  "git/list-matching-refs": {
    auth: "installation",
    handle(req, ctx) {
      const repo = installedRepo(req, ctx);
      if (!repo) return notFound();
      const prefix = branchOfRef(pathParam(req, "ref"));
      return ok(
        [...repo.branches]
          .filter(([branch]) => branch.startsWith(prefix))
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([branch, sha]) => refShape(ctx, repo, branch, sha)),
      );
    },
  },
  "git/create-ref": {
    auth: "installation",
    handle(req, ctx) {
      const repo = installedRepo(req, ctx);
      if (!repo) return notFound();
      const body = bodyOf(req);
      const ref = String(body.ref ?? "");
      if (!/^refs\/[^/]+\/.+/.test(ref)) {
        return unprocessable(
          `${ref} is not a valid ref name: it must start with 'refs' and have at least two slashes`,
        );
      }
      const branch = branchOfRef(ref);
      const sha = String(body.sha ?? "");
      if (repo.branches.has(branch)) return unprocessable("Reference already exists");
      if (!ctx.state.git.getCommit(sha)) return unprocessable("Object does not exist");
      ctx.state.clock.tick();
      moveBranch(ctx.state, { repo, branch, from: undefined, to: sha });
      return created(refShape(ctx, repo, branch, sha));
    },
  },
  "git/update-ref": {
    auth: "installation",
    handle(req, ctx) {
      const repo = installedRepo(req, ctx);
      if (!repo) return notFound();
      const branch = branchOfRef(pathParam(req, "ref"));
      const body = bodyOf(req);
      const current = repo.branches.get(branch);
      if (!current) return unprocessable("Reference does not exist");
      const sha = String(body.sha ?? "");
      if (!ctx.state.git.getCommit(sha)) return unprocessable("Object does not exist");
      if (body.force !== true && !ctx.state.git.isAncestor(current, sha)) {
        return unprocessable("Update is not a fast forward");
      }
      ctx.state.clock.tick();
      moveBranch(ctx.state, { repo, branch, from: current, to: sha });
      return ok(refShape(ctx, repo, branch, sha));
    },
  },
  "git/delete-ref": {
    auth: "installation",
    handle(req, ctx) {
      const repo = installedRepo(req, ctx);
      if (!repo) return notFound();
      const branch = branchOfRef(pathParam(req, "ref"));
      if (!repo.branches.has(branch)) return unprocessable("Reference does not exist");
      ctx.state.clock.tick();
      repo.branches.delete(branch);
      return noContent();
    },
  },
  "git/get-commit": {
    auth: "installation",
    handle(req, ctx) {
      const repo = installedRepo(req, ctx);
      const commit = repo ? ctx.state.git.getCommit(pathParam(req, "commit_sha")) : undefined;
      return repo && commit ? ok(gitCommitShape(ctx, repo.fullName, commit)) : notFound();
    },
  },
  "git/create-commit": { auth: "installation", handle: createCommit },
  "git/get-tree": {
    auth: "installation",
    handle(req, ctx) {
      const repo = installedRepo(req, ctx);
      if (!repo) return notFound();
      const wanted = pathParam(req, "tree_sha");
      const { git } = ctx.state;
      const commitSha = git.getTree(wanted) ? undefined : resolveRef(ctx.state, repo, wanted);
      const sha = commitSha ? git.getCommit(commitSha)?.tree : wanted;
      if (!sha || !git.getTree(sha)) return notFound();
      return ok(treeShape(ctx, repo, sha, req.query.has("recursive")));
    },
  },
  "git/create-tree": { auth: "installation", handle: createTree },
  "git/create-blob": {
    auth: "installation",
    handle(req, ctx) {
      const repo = installedRepo(req, ctx);
      if (!repo) return notFound();
      const body = bodyOf(req);
      const raw = String(body.content ?? "");
      const content = body.encoding === "base64" ? Buffer.from(raw, "base64").toString("utf8") : raw;
      const sha = ctx.state.git.putBlob(content);
      return created({ sha, url: `${ctx.urls.api}/repos/${repo.fullName}/git/blobs/${sha}` });
    },
  },
  "git/get-blob": {
    auth: "installation",
    handle(req, ctx) {
      const repo = installedRepo(req, ctx);
      const sha = pathParam(req, "file_sha");
      const content = repo ? ctx.state.git.getBlob(sha) : undefined;
      if (!repo || content === undefined) return notFound();
      return ok({
        sha,
        node_id: nodeId("Blob", sha),
        size: Buffer.byteLength(content),
        url: `${ctx.urls.api}/repos/${repo.fullName}/git/blobs/${sha}`,
        content: wrappedBase64(content),
        encoding: "base64",
      });
    },
  },
};
