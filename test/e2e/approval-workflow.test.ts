import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { STATUS_COMMENT_MARKER } from "../../src/github/limits.js";
import { loadScenarioFile, parseScenario } from "../../src/sandbox/scenario-load.js";
import { runScenario, type ScenarioReport, type StepRecord } from "../../src/sandbox/scenario-run.js";
import { adminDatabaseUrl } from "../support/test-database.js";

const SCENARIO = path.resolve(import.meta.dirname, "../../examples/approvals.yml");

/** The scenario's stories, one pull request each; every assertion names the story it proves. */
describe("the approval workflow (examples/approvals.yml through the simulator)", () => {
  let report: ScenarioReport;
  beforeAll(async () => {
    report = await runScenario({
      scenario: loadScenarioFile(SCENARIO),
      adminDatabaseUrl: adminDatabaseUrl(),
    });
  }, 180_000);

  const steps = (pr: number) => report.steps.filter((s) => s.pull_request?.number === pr);
  const checkAfter = (s: StepRecord | undefined) => {
    const pr = s?.pull_request;
    return pr?.check_runs.filter((c) => c.head_sha === pr.head_sha).at(-1);
  };
  const statusComments = (pr: number) =>
    report.pull_requests
      .find((p) => p.number === pr)
      ?.comments.filter((c) => c.body.startsWith(STATUS_COMMENT_MARKER)) ?? [];
  const conclusions = (pr: number) => steps(pr).map((s) => checkAfter(s)?.conclusion);

  it("runs clean: no schema violation, every delivery answered 2xx", () => {
    expect(report.violations).toEqual([]);
    expect(report.failed_deliveries).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it("1. two approvals required: one → action_required, two → success; the DBA team was asked", () => {
    expect(conclusions(1).slice(0, 3)).toEqual(["action_required", "action_required", "success"]);
    const [opened, first, second] = steps(1);
    expect(checkAfter(opened)?.title).toBe("Needs 2 more approvals from @acme/dba");
    expect(checkAfter(first)?.title).toBe("Needs 1 more approval from @acme/dba");
    expect(checkAfter(second)?.summary).toContain("@dana, @dave");
    expect(opened?.pull_request?.requested_reviewers.teams).toEqual(["dba"]);
    expect(
      opened?.api_calls.by_route["POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers"],
    ).toBe(1);
    const comment = statusComments(1);
    expect(comment).toHaveLength(1);
    expect(first?.pull_request?.comments[0]?.body).toContain(
      "Needs 1 more approval from @acme/dba (1 of 2 met) for rule `prod-writes-need-two-dbas`.",
    );
    const total = steps(1)
      .slice(0, 3)
      .reduce((n, s) => n + s.api_calls.total, 0);
    console.log(
      `scenario 1 API calls: ${steps(1)
        .slice(0, 3)
        .map((s) => `${s.description}: ${s.api_calls.total}`)
        .join("; ")}; total ${total}`,
    );
  });

  it("2. neither the author (GitHub refuses), a commit co-author nor a bot counts; another DBA does", () => {
    const [, self, coauthor, bot, dora] = steps(2);
    expect(self?.refused).toMatch(/does not let dana approve their own pull request/);
    for (const s of [self, coauthor, bot])
      expect(checkAfter(s)?.title).toBe("Needs 2 more approvals from @acme/dba");
    const summary = checkAfter(bot)?.summary ?? "";
    expect(summary).toContain("@dave approved");
    expect(summary).toContain("wrote a commit of this pull request");
    expect(summary).toContain("bots never count as approvers");
    expect(checkAfter(dora)?.title).toBe("Needs 1 more approval from @acme/dba");
    expect(dora?.pull_request?.requested_reviewers.users).not.toContain("dana");
  });

  it("3. a push makes an approval stale until it is given again", () => {
    expect(conclusions(3)).toEqual(["action_required", "success", "action_required", "success"]);
    const pushed = steps(3)[2];
    expect(pushed?.pull_request?.comments[0]?.body).toContain("your approval was for an earlier commit");
    expect(checkAfter(pushed)?.summary).toContain("approved an older commit");
  });

  it("4. a DBA's change request blocks despite an approval, until it is dismissed", () => {
    expect(conclusions(4)).toEqual(["action_required", "action_required", "action_required", "success"]);
    expect(checkAfter(steps(4)[2])?.title).toBe("Changes requested by @dave");
    expect(steps(4)[2]?.pull_request?.comments[0]?.body).toContain("@dave requested changes");
  });

  it("5. an approval from outside the required team does not count", () => {
    expect(conclusions(5)).toEqual(["action_required", "action_required"]);
    expect(checkAfter(steps(5)[1])?.summary).toContain("@eve approved");
    expect(checkAfter(steps(5)[1])?.summary).toContain("not among the approvers any requirement names");
  });

  it("6. a policy-weakening PR is judged by the base policy and also needs the policy owners", () => {
    expect(conclusions(6)).toEqual(["action_required", "action_required", "action_required", "success"]);
    const opened = checkAfter(steps(6)[0]);
    expect(opened?.summary).toContain("prod-writes-need-two-dbas");
    expect(opened?.summary).toContain("changes to policies/");
    expect(steps(6)[0]?.pull_request?.requested_reviewers.teams.sort()).toEqual(["dba", "security"]);
  });

  it("7. retargeting re-evaluates against the new base's policy; earlier approvals stop counting", () => {
    expect(conclusions(7)).toEqual(["action_required", "success", "action_required", "success", "failure"]);
    const retargeted = checkAfter(steps(7)[2]);
    expect(retargeted?.title).toBe("Needs 1 more approval from @acme/security");
    expect(retargeted?.summary).toContain("approved before the base branch or its policy changed");
    const experimental = checkAfter(steps(7)[4]);
    expect(experimental?.title).toBe("Requests must target an allowed base branch");
    expect(experimental?.summary).toContain("add `experimental` to `allowed_base_branches`");
  });

  it("8. a fork's pull request is evaluated but never runnable", () => {
    expect(conclusions(8)).toEqual(["failure", "failure"]);
    const approved = checkAfter(steps(8)[1]);
    expect(approved?.title).toBe("From a fork: evaluated, but querygate never runs it");
    expect(approved?.summary).toContain("met");
    expect(approved?.actions).toEqual([]);
    expect(steps(8)[0]?.pull_request?.requested_reviewers).toEqual({ users: [], teams: [] });
  });

  it("10. invalid SQL fails with an annotation on the line of the error", () => {
    const check = checkAfter(steps(10)[0]);
    expect(check?.conclusion).toBe("failure");
    expect(check?.annotations).toContainEqual(
      expect.objectContaining({ path: "queries/broken.sql", start_line: 5, annotation_level: "failure" }),
    );
  });

  it("answers commands: plan refreshes with a 👍, help and unknown verbs get the help, no write access is refused", () => {
    const comments = report.pull_requests.find((p) => p.number === 1)?.comments ?? [];
    const by = (login: string) => comments.filter((c) => c.by === login);
    expect(by("alice")[0]?.reactions).toContain("+1");
    expect(by("bob").every((c) => c.reactions.includes("+1"))).toBe(true);
    const replies = comments.filter(
      (c) => c.by === "querygate[bot]" && !c.body.startsWith(STATUS_COMMENT_MARKER),
    );
    expect(replies.map((c) => c.body.split("\n")[0])).toEqual([
      "querygate understands these commands, written alone on the first line of a comment:",
      "querygate does not know the command `deploy`. It understands these, written alone on the first line of a comment:",
      expect.stringMatching(/^Sorry @mallory, querygate only takes commands from people with write access/),
    ]);
    expect(by("mallory")[0]?.reactions).toEqual([]);
  });

  it("9. redelivering every webhook three times changes nothing and costs no API call", () => {
    const redeliveries = report.steps.filter((s) => s.step === "redeliver");
    expect(redeliveries).toHaveLength(3);
    for (const s of redeliveries) {
      expect(s.deliveries.length).toBeGreaterThan(25);
      expect(s.api_calls.total).toBe(0);
    }
    for (const pr of report.pull_requests) {
      const heads = new Set(pr.check_runs.map((c) => c.head_sha));
      expect(pr.check_runs.length, `#${pr.number} check runs`).toBe(heads.size);
      expect(statusComments(pr.number), `#${pr.number} status comments`).toHaveLength(1);
    }
  });
});

describe("dismiss_stale_approvals: true", () => {
  it("dismisses an approval of an older commit through the API, with a message, once", async () => {
    const policy = (await import("node:fs"))
      .readFileSync(SCENARIO, "utf8")
      .split("\n")
      .slice(0, 23)
      .join("\n");
    const scenario = parseScenario(
      `${policy}\n    dismiss_stale_approvals: true\nsteps:\n${[
        '  - open_pr: { pr: 1, author: alice, files: { queries/a.sql: "-- target: orders-prod\\n-- reason: r\\nSELECT 1 FROM orders WHERE id = 1;\\n" } }',
        "  - review: { pr: 1, by: dana, state: approve }",
        '  - push: { pr: 1, author: alice, files: { queries/a.sql: "-- target: orders-prod\\n-- reason: r\\nSELECT 2 FROM orders WHERE id = 1;\\n" } }',
        "  - comment: { pr: 1, by: alice, body: /querygate plan }",
      ].join("\n")}\n`,
      { file: "dismiss.yml", baseDir: "." },
    );
    const report = await runScenario({ scenario, adminDatabaseUrl: adminDatabaseUrl() });
    expect(report.violations).toEqual([]);
    const pr = report.pull_requests[0];
    expect(pr?.reviews).toEqual([expect.objectContaining({ by: "dana", state: "DISMISSED" })]);
    const dismissals = report.steps.map(
      (s) =>
        s.api_calls.by_route[
          "PUT /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/dismissals"
        ] ?? 0,
    );
    expect(dismissals).toEqual([0, 0, 1, 0]);
    expect(pr?.check_runs.at(-1)?.conclusion).toBe("action_required");
  }, 120_000);
});
