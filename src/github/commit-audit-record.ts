import { AuditChainError, appendEntry, findChainLine } from "../audit/append-entry.js";
import { AUDIT_CHAIN_PATH, DEFAULT_AUDIT_BRANCH } from "../audit/audit-paths.js";
import type { AuditEntry, NewAuditEntry } from "../audit/audit-types.js";
import { checkAuditEntry } from "../audit/validate-entry.js";
import type { GitHubClient, RepoRef } from "./octokit.js";

/**
 * Most rounds of read-append-commit-update one record may take. Each round loses only to a writer that
 * moved the branch head in between, so this many concurrent writers all get through even without the
 * backoff; with it, collisions are rarer still.
 */
export const MAX_AUDIT_COMMIT_ATTEMPTS = 20;
/** Backoff between rounds: a random wait up to min(base × 2^round, max), so racing writers spread out. */
export const AUDIT_RETRY_BASE_DELAY_MS = 25;
export const AUDIT_RETRY_MAX_DELAY_MS = 1_000;

const FILE_MODE = "100644";

/** The audit branch kept moving under us for every attempt: nothing was appended. */
export class AuditCommitConflictError extends Error {
  constructor(readonly attempts: number) {
    super(
      `could not append the audit record after ${attempts} attempts: the audit branch head moved every time ` +
        "(too many concurrent writers?); the execution is recorded in the ledger — retry the audit job",
    );
  }
}

export interface CommitAuditRecordOptions extends RepoRef {
  entry: NewAuditEntry;
  /** Default DEFAULT_AUDIT_BRANCH; may be the default branch. */
  branch?: string;
  /**
   * When the branch does not exist yet: start it as an orphan (history of audit/ only, the default) or
   * from the default branch's head.
   */
  createFrom?: "orphan" | "default-branch";
  maxAttempts?: number;
  /** Waits between attempts (tests pass a no-op). */
  sleep?: (ms: number) => Promise<void>;
}

export interface CommittedAuditRecord {
  /** The commit that added the record; for a record already present, the branch head it was found at. */
  commitSha: string;
  entry: AuditEntry;
  /** Rounds taken (1 when nothing raced us). */
  attempts: number;
  /** False when the key was already in the chain: nothing was written (a redelivered job). */
  appended: boolean;
}

/**
 * Appends an audit record: reads audit/chain.jsonl at the branch head, appends the entry, and commits the
 * record file and the new chain in one commit whose parent is that head; the ref moves only as a fast
 * forward, so a writer that lost a race re-reads and tries again, and the chain never forks. Idempotent
 * on the entry's key: if the chain already holds it, returns the recorded entry and writes nothing.
 */
export async function commitAuditRecord(
  octokit: GitHubClient,
  opts: CommitAuditRecordOptions,
): Promise<CommittedAuditRecord> {
  const branch = opts.branch ?? DEFAULT_AUDIT_BRANCH;
  const maxAttempts = opts.maxAttempts ?? MAX_AUDIT_COMMIT_ATTEMPTS;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const git = createTreeReader(octokit, opts);

  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (attempt > 1) {
      const ceiling = Math.min(AUDIT_RETRY_MAX_DELAY_MS, AUDIT_RETRY_BASE_DELAY_MS * 2 ** (attempt - 1));
      await sleep(Math.floor(Math.random() * ceiling));
    }
    const head = await branchHead(octokit, opts, branch);
    const parent =
      head ?? (opts.createFrom === "default-branch" ? await defaultBranchHead(octokit, opts) : null);
    const parentTree = parent ? await git.commitTree(parent) : null;
    const chainText = parentTree ? await git.readFile(parentTree, AUDIT_CHAIN_PATH) : null;

    const existing = findChainLine(chainText, opts.entry.key);
    if (existing && parent && parentTree) {
      const entry = await readRecordedEntry(git, parentTree, existing.record, existing.hash);
      return { commitSha: parent, entry, attempts: attempt, appended: false };
    }

    const appended = appendEntry(chainText, opts.entry);
    const strayRecord = parentTree ? await git.readFile(parentTree, appended.recordPath) : null;
    if (strayRecord !== null) {
      throw new AuditChainError(
        `${appended.recordPath} exists on ${branch} but ${AUDIT_CHAIN_PATH} does not record it: ` +
          "the chain lost entries; run `querygate audit verify` — not overwriting the record",
      );
    }

    const { data: tree } = await octokit.rest.git.createTree({
      owner: opts.owner,
      repo: opts.repo,
      ...(parentTree ? { base_tree: parentTree } : {}),
      tree: [
        { path: appended.recordPath, mode: FILE_MODE, type: "blob", content: appended.recordText },
        { path: AUDIT_CHAIN_PATH, mode: FILE_MODE, type: "blob", content: appended.chainText },
      ],
    });
    const { entry } = appended;
    const { data: commit } = await octokit.rest.git.createCommit({
      owner: opts.owner,
      repo: opts.repo,
      message:
        `querygate audit: record ${entry.seq} (${entry.repo} pull request ${entry.pull_request}) [skip ci]\n\n` +
        `key ${entry.key}\nhash ${entry.hash}\nprev ${entry.prev}\n`,
      tree: tree.sha,
      parents: parent ? [parent] : [],
    });
    try {
      if (head) {
        await octokit.rest.git.updateRef({
          owner: opts.owner,
          repo: opts.repo,
          ref: `heads/${branch}`,
          sha: commit.sha,
          force: false,
        });
      } else {
        await octokit.rest.git.createRef({
          owner: opts.owner,
          repo: opts.repo,
          ref: `refs/heads/${branch}`,
          sha: commit.sha,
        });
      }
    } catch (error) {
      if (lostTheRace(error)) continue;
      throw error;
    }
    return { commitSha: commit.sha, entry, attempts: attempt, appended: true };
  }
  throw new AuditCommitConflictError(maxAttempts);
}

/**
 * The ref moved (or appeared, or vanished) between our read and our write: 422 "Update is not a fast
 * forward", "Reference already exists", "Reference does not exist", or 409.
 */
function lostTheRace(error: unknown): boolean {
  const status = (error as { status?: number }).status;
  if (status === 409) return true;
  if (status !== 422) return false;
  const message = String((error as { message?: unknown }).message ?? "");
  return /not a fast forward|Reference already exists|Reference does not exist/i.test(message);
}

async function branchHead(octokit: GitHubClient, repo: RepoRef, branch: string): Promise<string | null> {
  try {
    const { data } = await octokit.rest.git.getRef({
      owner: repo.owner,
      repo: repo.repo,
      ref: `heads/${branch}`,
    });
    return data.object.sha;
  } catch (error) {
    if ((error as { status?: number }).status === 404) return null;
    throw error;
  }
}

async function defaultBranchHead(octokit: GitHubClient, repo: RepoRef): Promise<string> {
  const { data } = await octokit.rest.repos.get({ owner: repo.owner, repo: repo.repo });
  const head = await branchHead(octokit, repo, data.default_branch);
  if (!head)
    throw new Error(`${repo.owner}/${repo.repo}: the default branch ${data.default_branch} has no commit`);
  return head;
}

async function readRecordedEntry(
  git: TreeReader,
  rootTree: string,
  path: string,
  hash: string,
): Promise<AuditEntry> {
  const text = await git.readFile(rootTree, path);
  let value: unknown = null;
  try {
    value = text === null ? null : JSON.parse(text);
  } catch {
    // reported below
  }
  const checked = checkAuditEntry(value);
  if (!checked.ok || checked.entry.hash !== hash) {
    throw new AuditChainError(
      `${AUDIT_CHAIN_PATH} records ${path} but the record is ${text === null ? "missing" : "not the recorded entry"}: ` +
        "run `querygate audit verify`",
    );
  }
  return checked.entry;
}

interface TreeReader {
  /** The root tree of a commit. */
  commitTree(commitSha: string): Promise<string>;
  /** A file's text under a root tree, walking one tree per path segment; null when absent. */
  readFile(rootTree: string, path: string): Promise<string | null>;
}

/**
 * Reads files through trees and blobs (not the contents API, which stops at 1 MB: chain.jsonl grows),
 * caching trees by SHA — they are immutable.
 */
function createTreeReader(octokit: GitHubClient, repo: RepoRef): TreeReader {
  const trees = new Map<string, Promise<Array<{ path?: string; type?: string; sha?: string }>>>();
  const listTree = (sha: string) => {
    let listing = trees.get(sha);
    if (!listing) {
      listing = octokit.rest.git
        .getTree({ owner: repo.owner, repo: repo.repo, tree_sha: sha })
        .then(({ data }) => data.tree);
      listing.catch(() => trees.delete(sha));
      trees.set(sha, listing);
    }
    return listing;
  };
  return {
    async commitTree(commitSha) {
      const { data } = await octokit.rest.git.getCommit({
        owner: repo.owner,
        repo: repo.repo,
        commit_sha: commitSha,
      });
      return data.tree.sha;
    },
    async readFile(rootTree, path) {
      const segments = path.split("/");
      let sha = rootTree;
      for (let i = 0; i < segments.length; i++) {
        const last = i === segments.length - 1;
        const entry = (await listTree(sha)).find(
          (e) => e.path === segments[i] && e.type === (last ? "blob" : "tree"),
        );
        if (!entry?.sha) return null;
        sha = entry.sha;
      }
      const { data: blob } = await octokit.rest.git.getBlob({
        owner: repo.owner,
        repo: repo.repo,
        file_sha: sha,
      });
      return Buffer.from(blob.content, blob.encoding === "base64" ? "base64" : "utf8").toString("utf8");
    },
  };
}
