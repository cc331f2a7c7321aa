import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Simulator, startSimulator } from "../../src/simulator/index.js";
import { httpStatus, installationOctokit, type TestOctokit } from "../support/simulator-clients.js";

const owner = "acme";
const repo = "db";

function annotations(count: number, path = "queries/a.sql") {
  return Array.from({ length: count }, (_, i) => ({
    path,
    start_line: i + 1,
    end_line: i + 1,
    annotation_level: "warning" as const,
    message: `finding ${i + 1}`,
  }));
}

describe("simulator check runs", () => {
  let sim: Simulator;
  let octokit: InstanceType<typeof TestOctokit>;
  let headSha: string;

  beforeAll(async () => {
    sim = await startSimulator({ owner });
    sim.createRepo({ fullName: `${owner}/${repo}` });
    await sim.openPullRequest({
      repo: `${owner}/${repo}`,
      author: "alice",
      files: { "queries/a.sql": "SELECT 1;\n" },
    });
    headSha = sim.report().pull_requests[0]?.head_sha ?? "";
    octokit = installationOctokit(sim);
  });

  afterAll(async () => {
    await sim.close();
  });

  const create = (output: { title: string; summary: string; annotations?: ReturnType<typeof annotations> }) =>
    octokit.rest.checks.create({
      owner,
      repo,
      name: "querygate",
      head_sha: headSha,
      status: "in_progress",
      output,
    });

  test("a 65535-character summary passes; 65536 is 422 and a violation", async () => {
    expect(await httpStatus(create({ title: "ok", summary: "x".repeat(65_535) }))).toBe(200);
    const before = sim.violations.length;
    expect(await httpStatus(create({ title: "too long", summary: "x".repeat(65_536) }))).toBe(422);
    expect(sim.violations.slice(before)).toEqual([
      expect.stringMatching(/^POST \/api\/v3\/repos\/acme\/db\/check-runs: .*summary.*65535/),
    ]);
  });

  test("summary and text are counted in UTF-8 bytes, as GitHub does: 65535 bytes of CJK pass, 65536 are 422", async () => {
    const atLimit = "注".repeat(21_845); // 65,535 bytes
    const pastLimit = `${atLimit}x`; // 65,536 bytes in 21,846 characters
    expect(await httpStatus(create({ title: "ok", summary: atLimit }))).toBe(200);
    const { data: run } = await create({ title: "ok", summary: "s" });
    const text = octokit.rest.checks.update({
      owner,
      repo,
      check_run_id: run.id,
      output: { title: "ok", summary: "s", text: atLimit },
    });
    expect(await httpStatus(text)).toBe(200);
    await expect(create({ title: "too long", summary: pastLimit })).rejects.toMatchObject({
      status: 422,
      response: {
        data: {
          message: "Validation Failed",
          errors: [
            {
              resource: "CheckRun",
              code: "custom",
              field: "summary",
              message: "summary exceeds a maximum bytesize of 65535",
            },
          ],
        },
      },
    });
    const tooLongText = octokit.rest.checks.update({
      owner,
      repo,
      check_run_id: run.id,
      output: { title: "too long", summary: "s", text: `${"é".repeat(32_767)}xx` }, // 65,536 bytes
    });
    await expect(tooLongText).rejects.toMatchObject({
      status: 422,
      response: { data: { errors: [expect.objectContaining({ field: "text" })] } },
    });
    const { data: after } = await octokit.rest.checks.get({ owner, repo, check_run_id: run.id });
    expect(after.output.text).toBe(atLimit);
  });

  test("50 annotations pass, 51 are refused, and PATCHes append", async () => {
    expect(await httpStatus(create({ title: "t", summary: "s", annotations: annotations(51) }))).toBe(422);
    const { data: run } = await create({ title: "t", summary: "s", annotations: annotations(50) });
    await octokit.rest.checks.update({
      owner,
      repo,
      check_run_id: run.id,
      output: { title: "t", summary: "s", annotations: annotations(2, "queries/b.sql") },
    });
    const { data: done } = await octokit.rest.checks.update({
      owner,
      repo,
      check_run_id: run.id,
      conclusion: "success",
      output: { title: "done", summary: "all good", annotations: annotations(1, "queries/c.sql") },
    });
    expect(done).toMatchObject({ status: "completed", conclusion: "success" });
    expect(done.output.annotations_count).toBe(53);
    const listed = await octokit.paginate(octokit.rest.checks.listAnnotations, {
      owner,
      repo,
      check_run_id: run.id,
      per_page: 20,
    });
    expect(listed.map((a) => a.path)).toEqual([
      ...Array<string>(50).fill("queries/a.sql"),
      "queries/b.sql",
      "queries/b.sql",
      "queries/c.sql",
    ]);
    const reported = sim.report().pull_requests[0]?.check_runs.find((r) => r.id === run.id);
    expect(reported).toMatchObject({
      status: "completed",
      conclusion: "success",
      title: "done",
      summary: "all good",
    });
    expect(reported?.annotations).toHaveLength(53);
  });

  test("more than three actions, or a label over 20 characters, is 422", async () => {
    const action = { label: "Run", identifier: "run", description: "Execute" };
    const base = { owner, repo, name: "querygate", head_sha: headSha };
    expect(
      await httpStatus(octokit.rest.checks.create({ ...base, actions: [action, action, action, action] })),
    ).toBe(422);
    expect(
      await httpStatus(
        octokit.rest.checks.create({ ...base, actions: [{ ...action, label: "L".repeat(21) }] }),
      ),
    ).toBe(422);
    expect(await httpStatus(octokit.rest.checks.create({ ...base, actions: [action] }))).toBe(200);
  });

  test("completing without a conclusion is 422; an unknown head sha is 422", async () => {
    const base = { owner, repo, name: "querygate" };
    expect(
      await httpStatus(octokit.rest.checks.create({ ...base, head_sha: headSha, status: "completed" })),
    ).toBe(422);
    expect(await httpStatus(octokit.rest.checks.create({ ...base, head_sha: "0".repeat(40) }))).toBe(422);
  });

  test("listForRef filters by name and returns only the latest run per name by default", async () => {
    await octokit.rest.checks.create({ owner, repo, name: "other", head_sha: headSha });
    const latest = await octokit.rest.checks.listForRef({
      owner,
      repo,
      ref: headSha,
      check_name: "querygate",
    });
    expect(latest.data.total_count).toBe(1);
    expect(latest.data.check_runs[0]?.name).toBe("querygate");
    const all = await octokit.rest.checks.listForRef({ owner, repo, ref: headSha, filter: "all" });
    expect(all.data.total_count).toBeGreaterThan(2);
    const byBranch = await octokit.rest.checks.listForRef({ owner, repo, ref: "alice-patch-1" });
    expect(byBranch.data.check_runs.map((r) => r.name).sort()).toEqual(["other", "querygate"]);
    const fetched = await octokit.rest.checks.get({
      owner,
      repo,
      check_run_id: latest.data.check_runs[0]?.id ?? 0,
    });
    expect(fetched.data.pull_requests.map((pr) => pr.number)).toEqual([1]);
  });
});
