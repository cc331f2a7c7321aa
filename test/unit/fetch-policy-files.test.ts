import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchPolicyFiles } from "../../src/github/fetch-base-policy.js";
import type { GitHubClient } from "../../src/github/octokit.js";
import { type Simulator, startSimulator } from "../../src/simulator/index.js";
import { installationOctokit } from "../support/simulator-clients.js";

const owner = "acme";
const repo = "db";
const POLICY = "version: 1\n";

describe("fetchPolicyFiles: where it reads, and what that costs", () => {
  let sim: Simulator;
  let octokit: GitHubClient;
  let releaseHead: string;

  beforeAll(async () => {
    sim = await startSimulator({ owner });
    sim.createRepo({ fullName: `${owner}/${repo}`, files: { "policies/querygate.yml": POLICY } });
    sim.createBranch({
      repo: `${owner}/${repo}`,
      name: "release/2026",
      from: "main",
      files: { "policies/querygate.yml": `${POLICY}# release\n` },
    });
    octokit = installationOctokit(sim) as unknown as GitHubClient;
    const { data } = await octokit.rest.git.getRef({ owner, repo, ref: "heads/release/2026" });
    releaseHead = data.object.sha;
  });

  afterAll(async () => {
    await sim.close();
  });

  /** The calls `read` made, by `METHOD route`, without the token exchange. */
  async function callsOf(read: () => Promise<unknown>): Promise<string[]> {
    const before = sim.apiCalls.length;
    await read();
    return sim.apiCalls
      .slice(before)
      .map((c) => `${c.method} ${c.route}`)
      .filter((c) => !c.includes("access_tokens"));
  }

  it("resolves a branch's head with one refs API call, never repos/get-commit (which pages the whole diff)", async () => {
    let files: Awaited<ReturnType<typeof fetchPolicyFiles>> | undefined;
    const calls = await callsOf(async () => {
      files = await fetchPolicyFiles(octokit, { owner, repo, at: { branch: "release/2026" } });
    });
    expect(files?.commitSha).toBe(releaseHead);
    expect(files?.files.map((f) => f.content)).toEqual([`${POLICY}# release\n`]);
    expect(calls.filter((c) => c.includes("/git/ref/"))).toEqual(["GET /repos/{owner}/{repo}/git/ref/{ref}"]);
    expect(calls.filter((c) => c.includes("/commits/"))).toEqual([]);
  });

  it("reads at a commit it is given without any lookup", async () => {
    const calls = await callsOf(() =>
      fetchPolicyFiles(octokit, { owner, repo, at: { commit: releaseHead } }),
    );
    expect(calls.filter((c) => c.includes("/git/ref") || c.includes("/commits/"))).toEqual([]);
  });

  it("never resolves a name given as a commit as if it were a branch", async () => {
    await expect(fetchPolicyFiles(octokit, { owner, repo, at: { commit: "main" } })).rejects.toThrow(
      'expected a full commit SHA to read acme/db at, got "main"',
    );
  });

  it("fails on a branch that does not exist (GitHub answers 404 for the ref)", async () => {
    await expect(
      fetchPolicyFiles(octokit, { owner, repo, at: { branch: "no-such-branch" } }),
    ).rejects.toMatchObject({ status: 404 });
  });
});
