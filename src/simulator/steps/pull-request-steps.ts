import { diffCommits, pullDiffBase } from "../diff/pull-files.js";
import { moveBranch } from "../state/move-branch.js";
import { ensureUser, findRepo, gitIdentity, type PullRecord, type RepoRecord } from "../state/sim-state.js";
import { pullRequestEvent } from "../webhooks/build-webhook-payloads.js";
import { commitFiles, createRepoRecord } from "./setup-steps.js";
import { requireOpenPull, requireRepo, type StepContext } from "./step-context.js";

export interface OpenPullRequestParams {
  repo: string;
  number?: number;
  author: string;
  files: Record<string, string | null>;
  base?: string;
  title?: string;
  body?: string;
  fork?: boolean;
  coAuthors?: string[];
}

function coAuthorTrailers(ctx: StepContext, coAuthors: readonly string[]): string {
  if (coAuthors.length === 0) return "";
  const lines = coAuthors.map((login) => {
    const who = gitIdentity(ctx.state, login, ctx.state.clock.now());
    return `Co-authored-by: ${who.name} <${who.email}>`;
  });
  return `\n\n${lines.join("\n")}`;
}

/** A pull request record from an existing head branch; `recordPullRequest` checks and stores it. */
export interface NewPullRequest {
  repo: RepoRecord;
  number?: number;
  author: string;
  headRepo: RepoRecord;
  headRef: string;
  baseRef: string;
  title: string;
  body: string | null;
  fork: boolean;
}

/** `wanted`, checked, or the next free number in `repo` (GitHub shares them with issues; the simulator has none). */
function pullNumberFor(ctx: StepContext, repo: RepoRecord, wanted: number | undefined): number {
  const taken = ctx.state.pulls.filter((pr) => pr.repo === repo.fullName).map((pr) => pr.number);
  const number = wanted ?? Math.max(0, ...taken) + 1;
  if (taken.includes(number)) throw new Error(`simulator: ${repo.fullName}#${number} already exists`);
  if (!Number.isInteger(number) || number < 1)
    throw new Error(`simulator: pull request number must be a positive integer, got ${number}`);
  return number;
}

/**
 * Stores a new open pull request from `headRepo`'s `headRef` into `baseRef` and returns it. Shared by the
 * scenario step (`openPullRequest`) and the REST route (`POST /repos/{owner}/{repo}/pulls`); the caller
 * sends `pull_request.opened` (see `pullRequestOpenedEvent`).
 */
export function recordPullRequest(ctx: StepContext, p: NewPullRequest): PullRecord {
  const { repo, headRepo } = p;
  const baseSha = repo.branches.get(p.baseRef);
  if (!baseSha)
    throw new Error(
      `simulator: cannot open a pull request into "${p.baseRef}": no such branch in ${repo.fullName}`,
    );
  const headSha = headRepo.branches.get(p.headRef);
  if (!headSha)
    throw new Error(
      `simulator: cannot open a pull request from "${p.headRef}": no such branch in ${headRepo.fullName}`,
    );
  const number = pullNumberFor(ctx, repo, p.number);
  const now = ctx.state.clock.tick();
  const pr: PullRecord = {
    id: ctx.state.nextId("pull"),
    repo: repo.fullName,
    number,
    title: p.title,
    body: p.body,
    author: ensureUser(ctx.state, p.author).login,
    headRepo: headRepo.fullName,
    headRef: p.headRef,
    headSha,
    baseRef: p.baseRef,
    baseSha,
    state: "open",
    merged: false,
    mergedBy: null,
    mergedAt: null,
    mergeCommitSha: null,
    closedAt: null,
    createdAt: now,
    updatedAt: now,
    fork: p.fork,
    labels: [],
    requestedUsers: [],
    requestedTeams: [],
  };
  ctx.state.pulls.push(pr);
  return pr;
}

/** The `pull_request.opened` webhook for a recorded pull request; `sender` is whoever opened it. */
export function pullRequestOpenedEvent(ctx: StepContext, pr: PullRecord, sender: string) {
  return pullRequestEvent(ctx, { action: "opened", pr, sender });
}

/**
 * Opens a pull request from a new head branch (in a fork when `fork`). Co-authors appear twice, so either
 * way of finding a PR's commit authors sees them: as Co-authored-by trailers on the first commit, and as
 * authors of their own (empty) follow-up commits.
 */
export async function openPullRequest(ctx: StepContext, p: OpenPullRequestParams): Promise<number> {
  const repo = requireRepo(ctx, p.repo);
  const baseRef = p.base ?? repo.defaultBranch;
  const baseSha = repo.branches.get(baseRef);
  if (!baseSha)
    throw new Error(
      `simulator: cannot open a pull request into "${baseRef}": no such branch in ${repo.fullName}`,
    );
  const number = pullNumberFor(ctx, repo, p.number);

  const author = ensureUser(ctx.state, p.author).login;
  const headRepo = p.fork
    ? (findRepo(ctx.state, author, repo.name) ??
      createRepoRecord(ctx, { fullName: `${author}/${repo.name}`, fork: { parent: repo.fullName } }))
    : repo;
  const headRef = `${author}-patch-${number}`;
  const title = p.title ?? `Request from ${author}`;
  const coAuthors = p.coAuthors ?? [];
  let head = commitFiles(ctx, {
    parent: baseSha,
    author,
    message: `${title}${coAuthorTrailers(ctx, coAuthors)}`,
    files: p.files,
  });
  for (const coAuthor of coAuthors) {
    head = commitFiles(ctx, { parent: head, author: coAuthor, message: `Changes by ${coAuthor}`, files: {} });
  }
  moveBranch(ctx.state, { repo: headRepo, branch: headRef, from: undefined, to: head });

  const pr = recordPullRequest(ctx, {
    repo,
    number,
    author,
    headRepo,
    headRef,
    baseRef,
    title,
    body: p.body ?? null,
    fork: p.fork ?? false,
  });
  await ctx.deliverer.send(pullRequestOpenedEvent(ctx, pr, author));
  return number;
}

export async function pushToPullRequest(
  ctx: StepContext,
  p: { repo: string; number: number; author: string; files: Record<string, string | null> },
): Promise<void> {
  const { pr } = requireOpenPull(ctx, p.repo, p.number, "push to");
  const headRepo = requireRepo(ctx, pr.headRepo);
  const before = pr.headSha;
  const after = commitFiles(ctx, {
    parent: before,
    author: p.author,
    message: `Update from ${p.author}`,
    files: p.files,
  });
  moveBranch(ctx.state, { repo: headRepo, branch: pr.headRef, from: before, to: after });
  pr.headSha = after;
  pr.updatedAt = ctx.state.clock.tick();
  await ctx.deliverer.send(pullRequestEvent(ctx, { action: "synchronize", pr, sender: p.author, before }));
}

/** A merge commit on the base branch: the PR's changes since the merge base, laid over the base's head. */
export async function mergePullRequest(
  ctx: StepContext,
  p: { repo: string; number: number; by: string },
): Promise<void> {
  const { repo, pr } = requireOpenPull(ctx, p.repo, p.number, "merge");
  const { git } = ctx.state;
  const baseHead = repo.branches.get(pr.baseRef);
  if (!baseHead)
    throw new Error(`simulator: base branch ${pr.baseRef} of ${repo.fullName}#${pr.number} no longer exists`);
  const changes = Object.fromEntries(
    diffCommits(ctx.state, pullDiffBase(ctx.state, pr), pr.headSha).flatMap(
      (file): Array<[string, string | null]> => {
        if (file.status === "removed") return [[file.filename, null]];
        const content: [string, string | null] = [file.filename, git.getBlob(file.sha) ?? ""];
        return file.previous_filename ? [[file.previous_filename, null], content] : [content];
      },
    ),
  );
  const date = ctx.state.clock.tick();
  const headRepo = requireRepo(ctx, pr.headRepo);
  const mergeSha = git.putCommit({
    tree: git.writeFiles(git.getTree(git.getCommit(baseHead)?.tree ?? "") ?? new Map(), changes),
    parents: [baseHead, pr.headSha],
    author: gitIdentity(ctx.state, p.by, date),
    committer: gitIdentity(ctx.state, "web-flow", date),
    message: `Merge pull request #${pr.number} from ${headRepo.owner}/${pr.headRef}\n\n${pr.title}`,
    verified: true,
  });
  moveBranch(ctx.state, { repo, branch: pr.baseRef, from: baseHead, to: mergeSha });
  pr.baseSha = baseHead;
  pr.state = "closed";
  pr.merged = true;
  pr.mergedBy = ensureUser(ctx.state, p.by).login;
  pr.mergedAt = date;
  pr.closedAt = date;
  pr.mergeCommitSha = mergeSha;
  pr.updatedAt = date;
  await ctx.deliverer.send(pullRequestEvent(ctx, { action: "closed", pr, sender: p.by }));
}

export async function closePullRequest(ctx: StepContext, p: { repo: string; number: number }): Promise<void> {
  const { pr } = requireOpenPull(ctx, p.repo, p.number, "close");
  const now = ctx.state.clock.tick();
  pr.state = "closed";
  pr.closedAt = now;
  pr.updatedAt = now;
  await ctx.deliverer.send(pullRequestEvent(ctx, { action: "closed", pr, sender: pr.author }));
}

export async function retargetPullRequest(
  ctx: StepContext,
  p: { repo: string; number: number; base: string },
): Promise<void> {
  const { repo, pr } = requireOpenPull(ctx, p.repo, p.number, "retarget");
  const newBaseSha = repo.branches.get(p.base);
  if (!newBaseSha)
    throw new Error(
      `simulator: cannot retarget ${repo.fullName}#${pr.number} to "${p.base}": no such branch`,
    );
  if (p.base === pr.baseRef)
    throw new Error(`simulator: ${repo.fullName}#${pr.number} already targets ${p.base}`);
  const changes = {
    base: { ref: { from: pr.baseRef }, sha: { from: repo.branches.get(pr.baseRef) ?? pr.baseSha } },
  };
  pr.baseRef = p.base;
  pr.baseSha = newBaseSha;
  pr.updatedAt = ctx.state.clock.tick();
  await ctx.deliverer.send(pullRequestEvent(ctx, { action: "edited", pr, sender: pr.author, changes }));
}
