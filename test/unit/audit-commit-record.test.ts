import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { AuditChainError } from "../../src/audit/append-entry.js";
import { AUDIT_CHAIN_PATH, DEFAULT_AUDIT_BRANCH } from "../../src/audit/audit-paths.js";
import type { NewAuditEntry } from "../../src/audit/audit-types.js";
import { parseChain } from "../../src/audit/chain-lines.js";
import { GENESIS_PREV } from "../../src/audit/hash-entry.js";
import { type RequestFileRead, verifyChain } from "../../src/audit/verify-chain.js";
import { AuditCommitConflictError, commitAuditRecord } from "../../src/github/commit-audit-record.js";
import type { GitHubClient } from "../../src/github/octokit.js";
import { type Simulator, startSimulator } from "../../src/simulator/index.js";
import { newEntry, REQUEST_PATH, REQUEST_TEXT } from "../support/audit-entry-builder.js";
import { installationOctokit } from "../support/simulator-clients.js";

const owner = "acme";
const noWait = () => Promise.resolve();

describe("commitAuditRecord against the GitHub simulator", () => {
  let sim: Simulator;
  let octokit: GitHubClient;
  let repoCount = 0;

  beforeAll(async () => {
    sim = await startSimulator({ owner });
    octokit = installationOctokit(sim);
  });

  afterAll(async () => {
    await sim.close();
  });

  /** A fresh repository with a pull request adding the request file; returns its name and head SHA. */
  async function freshRepo(): Promise<{ repo: string; entry: (n: number) => NewAuditEntry }> {
    const repo = `db${++repoCount}`;
    sim.createRepo({ fullName: `${owner}/${repo}`, files: { "README.md": "hello\n" } });
    const number = await sim.openPullRequest({
      repo: `${owner}/${repo}`,
      author: "alice",
      files: { [REQUEST_PATH]: REQUEST_TEXT },
    });
    const { data: pr } = await octokit.rest.pulls.get({ owner, repo, pull_number: number });
    return { repo, entry: (n) => newEntry(n, { headSha: pr.head.sha, repo: `${owner}/${repo}` }) };
  }

  async function readAt(repo: string, ref: string, path: string): Promise<string | null> {
    try {
      const { data } = await octokit.rest.repos.getContent({ owner, repo, path, ref });
      return Buffer.from((data as { content: string }).content, "base64").toString("utf8");
    } catch (error) {
      if ((error as { status?: number }).status === 404) return null;
      throw error;
    }
  }

  async function verifyBranch(repo: string, branch = DEFAULT_AUDIT_BRANCH) {
    return verifyChain({
      chainText: (await readAt(repo, branch, AUDIT_CHAIN_PATH)) ?? "",
      readRecord: (path) => readAt(repo, branch, path),
      readRequestFile: async (commit, path): Promise<RequestFileRead> => {
        const text = await readAt(repo, commit, path);
        return text === null
          ? { found: false, reason: "no-file" }
          : { found: true, bytes: Buffer.from(text) };
      },
    });
  }

  /** The branch's history from its head: SHAs and parent counts, newest first. */
  async function history(repo: string, branch: string): Promise<Array<{ sha: string; parents: number }>> {
    const { data: ref } = await octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` });
    const out: Array<{ sha: string; parents: number }> = [];
    let sha: string | undefined = ref.object.sha;
    while (sha) {
      const parents: Array<{ sha: string }> = (
        await octokit.rest.git.getCommit({ owner, repo, commit_sha: sha })
      ).data.parents;
      out.push({ sha, parents: parents.length });
      sha = parents[0]?.sha;
    }
    return out;
  }

  test("the first record starts querygate/audit as an orphan; the next one appends; both in one commit each", async () => {
    const { repo, entry } = await freshRepo();
    const first = await commitAuditRecord(octokit, { owner, repo, entry: entry(1) });
    expect(first).toMatchObject({ attempts: 1, appended: true, entry: { seq: 1, prev: GENESIS_PREV } });
    const second = await commitAuditRecord(octokit, { owner, repo, entry: entry(2) });
    expect(second).toMatchObject({ attempts: 1, appended: true, entry: { seq: 2, prev: first.entry.hash } });

    expect(await history(repo, DEFAULT_AUDIT_BRANCH)).toEqual([
      { sha: second.commitSha, parents: 1 },
      { sha: first.commitSha, parents: 0 },
    ]);
    const commits = sim.report().commits.filter((c) => c.sha === second.commitSha);
    expect(commits).toHaveLength(1);
    expect(Object.keys(commits[0]?.files ?? {}).sort()).toEqual([
      `audit/2025/03/${second.entry.key}.json`,
      AUDIT_CHAIN_PATH,
    ]);
    expect(commits[0]?.message).toBe(
      `querygate audit: record 2 (acme/${repo} pull request 7) [skip ci]\n\nkey ${second.entry.key}\nhash ${second.entry.hash}\nprev ${first.entry.hash}\n`,
    );
    const { data: onBranch } = await octokit.rest.git.getTree({
      owner,
      repo,
      tree_sha: DEFAULT_AUDIT_BRANCH,
    });
    expect(onBranch.tree.map((e) => e.path)).toEqual(["audit"]);
    expect(await verifyBranch(repo)).toEqual({ ok: true, count: 2, head: second.entry.hash });
    const record = JSON.parse(
      (await readAt(repo, DEFAULT_AUDIT_BRANCH, `audit/2025/03/${second.entry.key}.json`)) ?? "",
    );
    expect(record).toEqual(second.entry);
  });

  test("a redelivered job appends nothing and returns the recorded entry", async () => {
    const { repo, entry } = await freshRepo();
    const first = await commitAuditRecord(octokit, { owner, repo, entry: entry(1) });
    await commitAuditRecord(octokit, { owner, repo, entry: entry(2) });
    const callsBefore = sim.apiCalls.length;
    const again = await commitAuditRecord(octokit, { owner, repo, entry: entry(1) });
    expect(again).toEqual({ ...first, commitSha: expect.any(String), appended: false, attempts: 1 });
    const writes = sim.apiCalls.slice(callsBefore).filter((c) => c.method !== "GET");
    expect(writes).toEqual([]);
    expect(await verifyBranch(repo)).toMatchObject({ ok: true, count: 2 });
  });

  test("8 concurrent writers after one entry: seq 2..9, one unbroken chain, a linear history (no fork)", async () => {
    const { repo, entry } = await freshRepo();
    await commitAuditRecord(octokit, { owner, repo, entry: entry(100) });
    const writers = 8;
    const unplacedBefore = sim.report().commits.filter((c) => c.branch === "").length;
    const results = await Promise.all(
      Array.from({ length: writers }, (_, i) =>
        commitAuditRecord(octokit, { owner, repo, entry: entry(i + 1), sleep: noWait }),
      ),
    );
    expect(results.every((r) => r.appended)).toBe(true);
    expect(results.map((r) => r.entry.seq).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Math.max(...results.map((r) => r.attempts))).toBeGreaterThan(1);
    expect(Math.max(...results.map((r) => r.attempts))).toBeLessThanOrEqual(writers);

    const verified = await verifyBranch(repo);
    expect(verified).toMatchObject({ ok: true, count: writers + 1 });
    const chain = parseChain((await readAt(repo, DEFAULT_AUDIT_BRANCH, AUDIT_CHAIN_PATH)) ?? "");
    expect(chain.broken).toBeNull();
    expect(new Set(chain.lines.map((l) => l.key)).size).toBe(writers + 1);

    const commits = await history(repo, DEFAULT_AUDIT_BRANCH);
    expect(commits.map((c) => c.parents)).toEqual([...Array(writers).fill(1), 0]);
    expect(new Set(commits.map((c) => c.sha))).toEqual(
      new Set([...results.map((r) => r.commitSha), commits.at(-1)?.sha]),
    );
    // The losers' commits exist but were never placed on a branch: the simulator refused the non-fast-forwards.
    const losers = results.reduce((sum, r) => sum + r.attempts - 1, 0);
    const unplaced = sim.report().commits.filter((c) => c.branch === "").length - unplacedBefore;
    expect(unplaced).toBe(losers);
  });

  test("concurrent writers on a branch that does not exist yet: one creates it, the others append", async () => {
    const { repo, entry } = await freshRepo();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        commitAuditRecord(octokit, { owner, repo, entry: entry(i + 1), sleep: noWait }),
      ),
    );
    expect(results.map((r) => r.entry.seq).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(await verifyBranch(repo)).toMatchObject({ ok: true, count: 5 });
    expect((await history(repo, DEFAULT_AUDIT_BRANCH)).map((c) => c.parents)).toEqual([1, 1, 1, 1, 0]);
  });

  test("concurrent writers of the same key (a job and its redelivery): one appends, the others return it", async () => {
    const { repo, entry } = await freshRepo();
    await commitAuditRecord(octokit, { owner, repo, entry: entry(1) });
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        commitAuditRecord(octokit, { owner, repo, entry: entry(2), sleep: noWait }),
      ),
    );
    expect(results.filter((r) => r.appended)).toHaveLength(1);
    expect(new Set(results.map((r) => r.entry.hash)).size).toBe(1);
    expect(await verifyBranch(repo)).toMatchObject({ ok: true, count: 2 });
  });

  test("gives up after maxAttempts when the head keeps moving, and says how many", async () => {
    const { repo, entry } = await freshRepo();
    await commitAuditRecord(octokit, { owner, repo, entry: entry(1) });
    const racing = await Promise.allSettled(
      Array.from({ length: 4 }, (_, i) =>
        commitAuditRecord(octokit, {
          owner,
          repo,
          entry: entry(i + 2),
          maxAttempts: 1,
          sleep: noWait,
        }),
      ),
    );
    const refused = racing.filter((r) => r.status === "rejected");
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(AuditCommitConflictError);
      expect(String((r as PromiseRejectedResult).reason.message)).toContain("after 1 attempts");
    }
    expect(await verifyBranch(repo)).toMatchObject({ ok: true, count: 1 + racing.length - refused.length });
  });

  test("on the default branch: the record commit keeps the branch's files", async () => {
    const { repo, entry } = await freshRepo();
    const result = await commitAuditRecord(octokit, {
      owner,
      repo,
      branch: "main",
      entry: entry(1),
    });
    expect(result.appended).toBe(true);
    expect(await readAt(repo, "main", "README.md")).toBe("hello\n");
    expect(await verifyBranch(repo, "main")).toMatchObject({ ok: true, count: 1 });
  });

  test("a missing branch can start from the default branch's head", async () => {
    const { repo, entry } = await freshRepo();
    const { data: main } = await octokit.rest.git.getRef({ owner, repo, ref: "heads/main" });
    const result = await commitAuditRecord(octokit, {
      owner,
      repo,
      branch: "audit-trail",
      createFrom: "default-branch",
      entry: entry(1),
    });
    const { data: commit } = await octokit.rest.git.getCommit({ owner, repo, commit_sha: result.commitSha });
    expect(commit.parents.map((p) => p.sha)).toEqual([main.object.sha]);
    expect(await readAt(repo, "audit-trail", "README.md")).toBe("hello\n");
  });

  test("refuses to append to a broken chain, or over a record the chain does not know", async () => {
    const { repo, entry } = await freshRepo();
    const first = await commitAuditRecord(octokit, { owner, repo, entry: entry(1) });
    await commitAuditRecord(octokit, { owner, repo, entry: entry(2) });
    const chain = (await readAt(repo, DEFAULT_AUDIT_BRANCH, AUDIT_CHAIN_PATH)) ?? "";
    const truncated = chain.split("\n").slice(1).join("\n");
    await rewrite(repo, { [AUDIT_CHAIN_PATH]: truncated });
    await expect(commitAuditRecord(octokit, { owner, repo, entry: entry(3) })).rejects.toThrow(
      /the audit chain is broken at line 1: seq is 2, expected 1/,
    );
    await rewrite(repo, { [AUDIT_CHAIN_PATH]: "" });
    await expect(commitAuditRecord(octokit, { owner, repo, entry: entry(1) })).rejects.toThrow(
      new AuditChainError(
        `audit/2025/03/${first.entry.key}.json exists on ${DEFAULT_AUDIT_BRANCH} but ${AUDIT_CHAIN_PATH} does not record it: ` +
          "the chain lost entries; run `querygate audit verify` — not overwriting the record",
      ),
    );
  });

  /** Someone else's commit on the audit branch, changing files. */
  async function rewrite(repo: string, files: Record<string, string>): Promise<void> {
    const { data: ref } = await octokit.rest.git.getRef({
      owner,
      repo,
      ref: `heads/${DEFAULT_AUDIT_BRANCH}`,
    });
    const { data: head } = await octokit.rest.git.getCommit({ owner, repo, commit_sha: ref.object.sha });
    const { data: tree } = await octokit.rest.git.createTree({
      owner,
      repo,
      base_tree: head.tree.sha,
      tree: Object.entries(files).map(([path, content]) => ({
        path,
        mode: "100644" as const,
        type: "blob" as const,
        content,
      })),
    });
    const { data: commit } = await octokit.rest.git.createCommit({
      owner,
      repo,
      message: "tamper",
      tree: tree.sha,
      parents: [head.sha],
    });
    await octokit.rest.git.updateRef({ owner, repo, ref: `heads/${DEFAULT_AUDIT_BRANCH}`, sha: commit.sha });
  }

  test("the simulator saw no request GitHub would reject", () => {
    expect(sim.violations).toEqual([]);
  });
});
