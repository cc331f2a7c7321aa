import { createGitStore, type GitIdentity, type GitStore } from "./git-store.js";
import { createSimClock, type SimClock } from "./sim-clock.js";

export type Permission = "admin" | "write" | "read" | "none";

export interface UserRecord {
  login: string;
  id: number;
  type: "User" | "Bot" | "Organization";
}

export interface LabelRecord {
  id: number;
  name: string;
  color: string;
}

export interface RepoRecord {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  defaultBranch: string;
  private: boolean;
  fork: boolean;
  /** For forks: the repository they were forked from. */
  parent: string | null;
  branches: Map<string, string>;
  collaborators: Map<string, Permission>;
  labels: Map<string, LabelRecord>;
  createdAt: string;
  updatedAt: string;
  pushedAt: string;
}

export interface PullRecord {
  id: number;
  repo: string;
  number: number;
  title: string;
  body: string | null;
  author: string;
  headRepo: string;
  headRef: string;
  headSha: string;
  baseRef: string;
  /** The base branch's head when the PR was opened (or retargeted). */
  baseSha: string;
  state: "open" | "closed";
  merged: boolean;
  mergedBy: string | null;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
  fork: boolean;
  labels: string[];
  requestedUsers: string[];
  requestedTeams: string[];
}

export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED";

export interface ReviewRecord {
  id: number;
  repo: string;
  number: number;
  user: string;
  state: ReviewState;
  body: string | null;
  commitId: string;
  submittedAt: string;
}

export interface ReactionRecord {
  id: number;
  user: string;
  content: string;
  createdAt: string;
}

export interface CommentRecord {
  id: number;
  repo: string;
  number: number;
  user: string;
  body: string;
  createdAt: string;
  updatedAt: string;
  reactions: ReactionRecord[];
}

export interface AnnotationRecord {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: string;
  message: string;
  title?: string;
  raw_details?: string;
}

export interface CheckActionRecord {
  label: string;
  identifier: string;
  description: string;
}

export interface CheckRunRecord {
  id: number;
  repo: string;
  checkSuiteId: number;
  headSha: string;
  name: string;
  status: string;
  conclusion: string | null;
  startedAt: string;
  completedAt: string | null;
  title: string | null;
  summary: string | null;
  text: string | null;
  annotations: AnnotationRecord[];
  actions: CheckActionRecord[];
  externalId: string | null;
  detailsUrl: string | null;
}

export interface TeamRecord {
  id: number;
  org: string;
  slug: string;
  name: string;
  members: Set<string>;
}

export interface TokenRecord {
  token: string;
  /** The installation an installation token acts for; null for a user's token. */
  installationId: number | null;
  /** The user (or bot account) a user token acts as; null for an installation token. */
  user: string | null;
  /** Real time (ms since epoch): token expiry is checked against the wall clock Octokit uses. */
  expiresAtMs: number;
}

export interface AppCommitRecord {
  repo: string;
  sha: string;
  /** Resolved when a ref is moved onto the commit; "" while it is on no branch. */
  branch: string;
}

export type AppPermissions = Readonly<Record<string, "read" | "write">>;

export interface AppIdentity {
  id: number;
  slug: string;
  description: string;
  installationId: number;
  /** What the app's registration asks for; the installation grants exactly this. */
  permissions: AppPermissions;
  /** The webhook events the app subscribes to (shown in GET /app; deliveries are not filtered by them). */
  events: readonly string[];
  botLogin: string;
}

type IdKind =
  | "user"
  | "repo"
  | "pull"
  | "review"
  | "comment"
  | "reaction"
  | "checkRun"
  | "checkSuite"
  | "team"
  | "label";

// Distinct ranges make ids easy to tell apart in logs and reports.
const ID_BASES: Record<IdKind, number> = {
  user: 1000,
  repo: 100,
  pull: 5000,
  review: 7000,
  comment: 9000,
  reaction: 11000,
  checkRun: 13000,
  checkSuite: 15000,
  team: 300,
  label: 400,
};

export interface SimState {
  org: string;
  app: AppIdentity;
  clock: SimClock;
  git: GitStore;
  users: Map<string, UserRecord>;
  repos: Map<string, RepoRecord>;
  pulls: PullRecord[];
  reviews: ReviewRecord[];
  comments: CommentRecord[];
  checkRuns: CheckRunRecord[];
  teams: Map<string, TeamRecord>;
  tokens: Map<string, TokenRecord>;
  appCommits: AppCommitRecord[];
  nextId(kind: IdKind): number;
}

export function createSimState(p: { org: string; app: Omit<AppIdentity, "botLogin"> }): SimState {
  const counters = new Map<IdKind, number>();
  const state: SimState = {
    org: p.org,
    app: { ...p.app, botLogin: `${p.app.slug}[bot]` },
    clock: createSimClock(),
    git: createGitStore(),
    users: new Map(),
    repos: new Map(),
    pulls: [],
    reviews: [],
    comments: [],
    checkRuns: [],
    teams: new Map(),
    tokens: new Map(),
    appCommits: [],
    nextId(kind) {
      const next = (counters.get(kind) ?? ID_BASES[kind]) + 1;
      counters.set(kind, next);
      return next;
    },
  };
  ensureUser(state, p.org, "Organization");
  ensureUser(state, state.app.botLogin, "Bot");
  return state;
}

/** Registers a login the first time the simulator sees it; users are never removed. */
export function ensureUser(state: SimState, login: string, type?: UserRecord["type"]): UserRecord {
  const existing = state.users.get(login.toLowerCase());
  if (existing) return existing;
  const user: UserRecord = {
    login,
    id: state.nextId("user"),
    type: type ?? (login.endsWith("[bot]") ? "Bot" : "User"),
  };
  state.users.set(login.toLowerCase(), user);
  return user;
}

export function findUser(state: SimState, login: string): UserRecord | undefined {
  return state.users.get(login.toLowerCase());
}

export function gitIdentity(state: SimState, login: string, date: string): GitIdentity {
  const user = ensureUser(state, login);
  return {
    login: user.login,
    name: user.login,
    email: `${user.id}+${user.login}@users.noreply.github.com`,
    date,
  };
}

/** Resolves a commit author email back to a login, the way GitHub links noreply addresses. */
export function loginForEmail(state: SimState, email: string): string | null {
  const match = /^(\d+)\+(.+)@users\.noreply\.github\.com$/.exec(email);
  if (!match) return null;
  const user = findUser(state, match[2] as string);
  return user && String(user.id) === match[1] ? user.login : null;
}

export function findRepo(state: SimState, owner: string, name: string): RepoRecord | undefined {
  return state.repos.get(`${owner}/${name}`.toLowerCase());
}

export function findPull(state: SimState, repo: string, number: number): PullRecord | undefined {
  return state.pulls.find((pr) => pr.repo.toLowerCase() === repo.toLowerCase() && pr.number === number);
}

export function findTeam(state: SimState, org: string, slug: string): TeamRecord | undefined {
  return state.teams.get(`${org}/${slug}`.toLowerCase());
}

export function isOrgMember(state: SimState, org: string, login: string): boolean {
  const wanted = login.toLowerCase();
  return [...state.teams.values()].some(
    (team) =>
      team.org.toLowerCase() === org.toLowerCase() &&
      [...team.members].some((m) => m.toLowerCase() === wanted),
  );
}

const PERMISSION_RANK: Record<Permission, number> = { none: 0, read: 1, write: 2, admin: 3 };

/** Effective permission: owner, direct collaborator, org team (push on every org repo), or org member (read). */
export function permissionOf(state: SimState, repo: RepoRecord, login: string): Permission {
  const wanted = login.toLowerCase();
  const candidates: Permission[] = ["none"];
  if (repo.owner.toLowerCase() === wanted) candidates.push("admin");
  for (const [collaborator, permission] of repo.collaborators) {
    if (collaborator.toLowerCase() === wanted) candidates.push(permission);
  }
  if (isOrgMember(state, repo.owner, login)) candidates.push("write");
  return candidates.reduce((best, p) => (PERMISSION_RANK[p] > PERMISSION_RANK[best] ? p : best), "none");
}

/** Resolves a branch name, `heads/x`, `refs/heads/x` or a commit sha to a commit sha. */
export function resolveRef(state: SimState, repo: RepoRecord, ref: string): string | undefined {
  const branch = ref.replace(/^refs\//, "").replace(/^heads\//, "");
  const fromBranch = repo.branches.get(branch);
  if (fromBranch) return fromBranch;
  if (/^[0-9a-f]{40}$/i.test(ref) && state.git.getCommit(ref.toLowerCase())) return ref.toLowerCase();
  return undefined;
}
