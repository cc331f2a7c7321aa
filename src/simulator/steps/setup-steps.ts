import type { ShapeContext } from "../shapes/shape-context.js";
import { moveBranch } from "../state/move-branch.js";
import {
  ensureUser,
  findRepo,
  findTeam,
  gitIdentity,
  type Permission,
  type RepoRecord,
} from "../state/sim-state.js";
import { requireRepo } from "./step-context.js";

const DEFAULT_BRANCH = "main";
const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

/** A commit on top of `parent` (or a root commit) applying `files`; null deletes a path. */
export function commitFiles(
  ctx: ShapeContext,
  p: {
    parent: string | undefined;
    author: string;
    message: string;
    files: Record<string, string | null>;
    verified?: boolean;
  },
): string {
  const { git } = ctx.state;
  const base = p.parent
    ? (git.getTree(git.getCommit(p.parent)?.tree ?? "") ?? new Map())
    : new Map<string, string>();
  const date = ctx.state.clock.tick();
  const who = gitIdentity(ctx.state, p.author, date);
  return git.putCommit({
    tree: git.writeFiles(base, p.files),
    parents: p.parent ? [p.parent] : [],
    author: who,
    committer: who,
    message: p.message,
    verified: p.verified ?? false,
  });
}

export function createRepoRecord(
  ctx: ShapeContext,
  p: {
    fullName: string;
    defaultBranch?: string;
    files?: Record<string, string>;
    private?: boolean;
    fork?: { parent: string };
  },
): RepoRecord {
  const [owner, name, ...rest] = p.fullName.split("/");
  if (!owner || !name || rest.length > 0 || !NAME_PATTERN.test(owner) || !NAME_PATTERN.test(name)) {
    throw new Error(`simulator: repository name must look like "owner/name", got "${p.fullName}"`);
  }
  if (findRepo(ctx.state, owner, name)) throw new Error(`simulator: repository ${p.fullName} already exists`);
  const ownerUser = ensureUser(ctx.state, owner);
  const now = ctx.state.clock.tick();
  const repo: RepoRecord = {
    id: ctx.state.nextId("repo"),
    owner: ownerUser.login,
    name,
    fullName: `${ownerUser.login}/${name}`,
    defaultBranch: p.defaultBranch ?? DEFAULT_BRANCH,
    private: p.private ?? false,
    fork: p.fork !== undefined,
    parent: p.fork?.parent ?? null,
    branches: new Map(),
    collaborators: new Map(),
    labels: new Map(),
    createdAt: now,
    updatedAt: now,
    pushedAt: now,
  };
  ctx.state.repos.set(repo.fullName.toLowerCase(), repo);
  if (!p.fork) {
    const sha = commitFiles(ctx, {
      parent: undefined,
      author: repo.owner,
      message: "Initial commit",
      files: p.files ?? {},
      verified: true,
    });
    moveBranch(ctx.state, { repo, branch: repo.defaultBranch, from: undefined, to: sha });
  }
  return repo;
}

export function createBranch(
  ctx: ShapeContext,
  p: { repo: string; name: string; from?: string; files?: Record<string, string | null> },
): void {
  const repo = requireRepo(ctx, p.repo);
  if (repo.branches.has(p.name))
    throw new Error(`simulator: branch ${p.name} already exists in ${repo.fullName}`);
  const from = p.from ?? repo.defaultBranch;
  const start = repo.branches.get(from);
  if (!start)
    throw new Error(`simulator: cannot branch ${p.name} from "${from}": no such branch in ${repo.fullName}`);
  const files = p.files ?? {};
  const sha =
    Object.keys(files).length > 0
      ? commitFiles(ctx, {
          parent: start,
          author: repo.owner,
          message: `Create ${p.name}`,
          files,
          verified: true,
        })
      : start;
  moveBranch(ctx.state, { repo, branch: p.name, from: undefined, to: sha });
}

export function addTeam(ctx: ShapeContext, p: { org: string; slug: string; members: string[] }): void {
  if (findTeam(ctx.state, p.org, p.slug))
    throw new Error(`simulator: team ${p.org}/${p.slug} already exists`);
  const org = ensureUser(ctx.state, p.org, "Organization");
  if (org.type !== "Organization")
    throw new Error(`simulator: ${p.org} is a user, not an organization; teams need an org`);
  ctx.state.clock.tick();
  ctx.state.teams.set(`${org.login}/${p.slug}`.toLowerCase(), {
    id: ctx.state.nextId("team"),
    org: org.login,
    slug: p.slug,
    name: p.slug,
    members: new Set(p.members.map((login) => ensureUser(ctx.state, login).login)),
  });
}

export function addCollaborator(
  ctx: ShapeContext,
  p: { repo: string; login: string; permission?: Exclude<Permission, "none"> },
): void {
  const repo = requireRepo(ctx, p.repo);
  const user = ensureUser(ctx.state, p.login);
  ctx.state.clock.tick();
  repo.collaborators.set(user.login, p.permission ?? "write");
}
