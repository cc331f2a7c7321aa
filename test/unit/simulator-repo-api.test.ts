import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/index.js";
import { httpStatus, installationOctokit, type TestOctokit } from "../support/simulator-clients.js";

const owner = "acme";
const repo = "db";
const fullName = `${owner}/${repo}`;
const POLICY_V1 = "version: 1\nowners: {}\n";

function decode(data: unknown): string {
  return Buffer.from((data as { content: string }).content, "base64").toString("utf8");
}

describe("simulator repository, pull request and Git Data APIs", () => {
  let sim: Simulator;
  let octokit: InstanceType<typeof TestOctokit>;

  beforeAll(async () => {
    sim = await startSimulator({ owner, appSlug: "querygate" });
    sim.createRepo({
      fullName,
      files: { "policies/querygate.yml": POLICY_V1, "queries/old.sql": "SELECT 1;\nSELECT 2;\nSELECT 3;\n" },
    });
    sim.addTeam({ org: owner, slug: "dba", members: ["dana"] });
    sim.addCollaborator({ repo: fullName, login: "carol", permission: "read" });
    const files: Record<string, string | null> = { "queries/old.sql": "SELECT 1;\nSELECT 20;\nSELECT 3;\n" };
    for (let i = 0; i < 34; i++) files[`queries/batch/q${String(i).padStart(2, "0")}.sql`] = `SELECT ${i};\n`;
    await sim.openPullRequest({ repo: fullName, author: "alice", files });
    octokit = installationOctokit(sim);
  });

  afterAll(async () => {
    await sim.close();
  });

  test("listFiles paginates 30 per page with a Link header, and Octokit follows it", async () => {
    const first = await octokit.rest.pulls.listFiles({ owner, repo, pull_number: 1 });
    expect(first.data).toHaveLength(30);
    expect(first.headers.link).toMatch(/[?&]page=2[^>]*>; rel="next"/);
    expect(first.headers.link).toContain(sim.apiBaseUrl);
    const all = await octokit.paginate(octokit.rest.pulls.listFiles, {
      owner,
      repo,
      pull_number: 1,
      per_page: 100,
    });
    expect(all).toHaveLength(35);
    const modified = all.find((f) => f.filename === "queries/old.sql");
    expect(modified).toMatchObject({ status: "modified", additions: 1, deletions: 1, changes: 2 });
    expect(modified?.patch).toBe("@@ -1,3 +1,3 @@\n SELECT 1;\n-SELECT 2;\n+SELECT 20;\n SELECT 3;");
    const added = all.find((f) => f.filename === "queries/batch/q00.sql");
    expect(added).toMatchObject({
      status: "added",
      additions: 1,
      deletions: 0,
      patch: "@@ -0,0 +1 @@\n+SELECT 0;",
    });
  });

  test("getContent reads a file at a branch, a sha or the default branch; absent paths are 404", async () => {
    const pr = await octokit.rest.pulls.get({ owner, repo, pull_number: 1 });
    const atHead = await octokit.rest.repos.getContent({
      owner,
      repo,
      path: "queries/old.sql",
      ref: pr.data.head.sha,
    });
    expect(decode(atHead.data)).toBe("SELECT 1;\nSELECT 20;\nSELECT 3;\n");
    const atBranch = await octokit.rest.repos.getContent({
      owner,
      repo,
      path: "queries/old.sql",
      ref: pr.data.head.ref,
    });
    expect(decode(atBranch.data)).toBe("SELECT 1;\nSELECT 20;\nSELECT 3;\n");
    const atBase = await octokit.rest.repos.getContent({ owner, repo, path: "queries/old.sql" });
    expect(decode(atBase.data)).toBe("SELECT 1;\nSELECT 2;\nSELECT 3;\n");
    expect(
      await httpStatus(octokit.rest.repos.getContent({ owner, repo, path: "queries/batch/q00.sql" })),
    ).toBe(404);
    const dir = await octokit.rest.repos.getContent({ owner, repo, path: "queries", ref: pr.data.head.sha });
    expect((dir.data as Array<{ name: string; type: string }>).map((e) => [e.name, e.type])).toEqual([
      ["batch", "dir"],
      ["old.sql", "file"],
    ]);
  });

  test("a Git Data API commit moved onto a branch shows up in report.commits", async () => {
    const { data: ref } = await octokit.rest.git.getRef({ owner, repo, ref: "heads/main" });
    const { data: parent } = await octokit.rest.git.getCommit({ owner, repo, commit_sha: ref.object.sha });
    const { data: blob } = await octokit.rest.git.createBlob({ owner, repo, content: "audit one\n" });
    const { data: tree } = await octokit.rest.git.createTree({
      owner,
      repo,
      base_tree: parent.tree.sha,
      tree: [
        { path: "audit/1.json", mode: "100644", type: "blob", sha: blob.sha },
        { path: "audit/2.json", mode: "100644", type: "blob", content: "audit two\n" },
        { path: "queries/old.sql", mode: "100644", type: "blob", sha: null },
      ],
    });
    const { data: commit } = await octokit.rest.git.createCommit({
      owner,
      repo,
      message: "querygate: audit record",
      tree: tree.sha,
      parents: [parent.sha],
    });
    expect(commit.verification?.verified).toBe(true);
    expect(sim.report().commits).toEqual([expect.objectContaining({ sha: commit.sha, branch: "" })]);

    await octokit.rest.git.updateRef({ owner, repo, ref: "heads/main", sha: commit.sha });
    expect(sim.report().commits).toEqual([
      {
        branch: "main",
        sha: commit.sha,
        message: "querygate: audit record",
        files: { "audit/1.json": "audit one\n", "audit/2.json": "audit two\n", "queries/old.sql": null },
      },
    ]);
    const { data: readBack } = await octokit.rest.git.getTree({
      owner,
      repo,
      tree_sha: tree.sha,
      recursive: "1",
    });
    expect(readBack.tree.filter((e) => e.type === "blob").map((e) => e.path)).toEqual([
      "audit/1.json",
      "audit/2.json",
      "policies/querygate.yml",
    ]);
    const { data: gotBlob } = await octokit.rest.git.getBlob({ owner, repo, file_sha: blob.sha });
    expect(decode(gotBlob)).toBe("audit one\n");
  });

  test("updateRef refuses a non-fast-forward unless forced; createRef refuses an existing ref", async () => {
    const { data: main } = await octokit.rest.git.getRef({ owner, repo, ref: "heads/main" });
    const { data: head } = await octokit.rest.git.getCommit({ owner, repo, commit_sha: main.object.sha });
    const { data: sideways } = await octokit.rest.git.createCommit({
      owner,
      repo,
      message: "sideways",
      tree: head.tree.sha,
      parents: head.parents.map((p) => p.sha),
    });
    const refused = octokit.rest.git.updateRef({ owner, repo, ref: "heads/main", sha: sideways.sha });
    await expect(refused).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining("Update is not a fast forward"),
    });
    const created = await octokit.rest.git.createRef({
      owner,
      repo,
      ref: "refs/heads/side",
      sha: sideways.sha,
    });
    expect(created.status).toBe(201);
    expect(
      await httpStatus(
        octokit.rest.git.createRef({ owner, repo, ref: "refs/heads/side", sha: sideways.sha }),
      ),
    ).toBe(422);
    expect(sim.report().commits.at(-1)).toMatchObject({ sha: sideways.sha, branch: "side" });
    await octokit.rest.git.updateRef({ owner, repo, ref: "heads/side", sha: main.object.sha, force: true });
  });

  test("review requests: collaborators and teams only, never the author", async () => {
    const pulls = octokit.rest.pulls;
    const notCollaborator = pulls.requestReviewers({ owner, repo, pull_number: 1, reviewers: ["stranger"] });
    await expect(notCollaborator).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining("Reviews may only be requested from collaborators"),
    });
    expect(
      await httpStatus(pulls.requestReviewers({ owner, repo, pull_number: 1, reviewers: ["alice"] })),
    ).toBe(422);
    expect(
      await httpStatus(pulls.requestReviewers({ owner, repo, pull_number: 1, team_reviewers: ["ghosts"] })),
    ).toBe(422);
    const ok = await pulls.requestReviewers({
      owner,
      repo,
      pull_number: 1,
      reviewers: ["carol", "dana"],
      team_reviewers: ["dba"],
    });
    expect(ok.status).toBe(201);
    await pulls.removeRequestedReviewers({ owner, repo, pull_number: 1, reviewers: ["carol"] });
    const listed = await pulls.listRequestedReviewers({ owner, repo, pull_number: 1 });
    expect(listed.data.users.map((u) => u.login)).toEqual(["dana"]);
    expect(listed.data.teams.map((t) => t.slug)).toEqual(["dba"]);
    await sim.review({ repo: fullName, number: 1, by: "dana", state: "approve" });
    expect(sim.report().pull_requests[0]?.requested_reviewers).toEqual({ users: [], teams: ["dba"] });
  });

  test("permissions and memberships answer like GitHub", async () => {
    const permission = async (username: string) =>
      (await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username })).data.permission;
    expect(await permission("dana")).toBe("write");
    expect(await permission("carol")).toBe("read");
    expect(await permission("alice")).toBe("none");
    expect(
      await httpStatus(
        octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: "nobody" }),
      ),
    ).toBe(404);
    const membership = await octokit.rest.teams.getMembershipForUserInOrg({
      org: owner,
      team_slug: "dba",
      username: "dana",
    });
    expect(membership.data).toMatchObject({ state: "active", role: "member" });
    expect(
      await httpStatus(
        octokit.rest.teams.getMembershipForUserInOrg({ org: owner, team_slug: "dba", username: "alice" }),
      ),
    ).toBe(404);
    expect((await octokit.rest.orgs.checkMembershipForUser({ org: owner, username: "dana" })).status).toBe(
      204,
    );
    expect(
      await httpStatus(octokit.rest.orgs.checkMembershipForUser({ org: owner, username: "alice" })),
    ).toBe(404);
    const user = await octokit.rest.users.getByUsername({ username: "querygate[bot]" });
    expect(user.data.type).toBe("Bot");
  });

  test("comments, reactions and labels", async () => {
    const issues = octokit.rest.issues;
    const long = issues.createComment({ owner, repo, issue_number: 1, body: "x".repeat(65_537) });
    await expect(long).rejects.toMatchObject({ status: 422 });
    const { data: comment } = await issues.createComment({ owner, repo, issue_number: 1, body: "Checking…" });
    expect(comment.user?.login).toBe("querygate[bot]");
    await issues.updateComment({ owner, repo, comment_id: comment.id, body: "Checked." });
    const first = await octokit.rest.reactions.createForIssueComment({
      owner,
      repo,
      comment_id: comment.id,
      content: "eyes",
    });
    const again = await octokit.rest.reactions.createForIssueComment({
      owner,
      repo,
      comment_id: comment.id,
      content: "eyes",
    });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.data.id).toBe(first.data.id);
    const listed = await issues.listComments({ owner, repo, issue_number: 1 });
    expect(listed.data.map((c) => c.body)).toEqual(["Checked."]);
    await issues.addLabels({ owner, repo, issue_number: 1, labels: ["querygate:pending"] });
    const labels = await issues.listLabelsOnIssue({ owner, repo, issue_number: 1 });
    expect(labels.data.map((l) => l.name)).toEqual(["querygate:pending"]);
    expect(sim.report().pull_requests[0]?.comments).toEqual([
      { id: comment.id, by: "querygate[bot]", body: "Checked.", reactions: ["eyes"] },
    ]);
  });

  test("pull request commits list the author login; the simulator made no violations", async () => {
    const commits = await octokit.rest.pulls.listCommits({ owner, repo, pull_number: 1 });
    expect(commits.data.map((c) => c.author?.login)).toEqual(["alice"]);
    const list = await octokit.rest.pulls.list({ owner, repo, state: "open" });
    expect(list.data.map((p) => p.number)).toEqual([1]);
    expect(sim.violations).toEqual([]);
  });
});
