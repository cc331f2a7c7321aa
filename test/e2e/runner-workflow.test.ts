import path from "node:path";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { STATUS_COMMENT_MARKER } from "../../src/github/limits.js";
import { loadScenarioFile } from "../../src/sandbox/scenario-load.js";
import { runScenario, type ScenarioReport } from "../../src/sandbox/scenario-run.js";
import { adminDatabaseUrl } from "../support/test-database.js";

const SCENARIO = path.resolve(import.meta.dirname, "../../examples/runs.yml");
const RESULT_MARKER = "<!-- querygate:result:";

/** examples/runs.yml through the real app, the simulator, the ledger, the worker and real PostgreSQL. */
describe("running approved requests (examples/runs.yml)", () => {
  let report: ScenarioReport;
  const QUERIES = {
    order42: "select status from orders where id = 42",
    customer5Total: "select sum(amount)::text as total from orders where customer_id = 5",
    customer5Seeded:
      "select sum((g % 200) + 0.99)::text as total from generate_series(1, 1000) g where 1 + (g % 50) = 5",
    order1000: "select id from orders where id = 1000",
    order7: "select status from orders where id = 7",
    order9: "select status from orders where id = 9",
    order10: "select status from orders where id = 10",
    amounts11to13: "select id::int, amount::text from orders where id between 11 and 13 order by id",
  };
  const seen: Record<string, unknown[]> = {};
  const prodRows = async (name: keyof typeof QUERIES) => seen[name];

  beforeAll(async () => {
    report = await runScenario({
      scenario: loadScenarioFile(SCENARIO),
      adminDatabaseUrl: adminDatabaseUrl(),
      // The databases are dropped when the scenario ends: read the target's state just before.
      beforeClose: async (targets) => {
        const prod = targets.find((t) => t.name === "orders-prod");
        const client = new pg.Client({ connectionString: prod?.url });
        await client.connect();
        try {
          for (const [name, sql] of Object.entries(QUERIES)) seen[name] = (await client.query(sql)).rows;
        } finally {
          await client.end();
        }
      },
    });
  }, 240_000);

  const pr = (n: number) => report.pull_requests.find((p) => p.number === n);
  const executions = (n: number) => report.executions.filter((e) => e.pull_request === n);
  const results = (n: number) => pr(n)?.comments.filter((c) => c.body.startsWith(RESULT_MARKER)) ?? [];
  const replies = (n: number) =>
    pr(n)?.comments.filter(
      (c) =>
        c.by === "querygate[bot]" &&
        !c.body.startsWith(RESULT_MARKER) &&
        !c.body.startsWith(STATUS_COMMENT_MARKER),
    ) ?? [];
  const executeChecks = (n: number) => pr(n)?.check_runs.filter((c) => c.name === "querygate/execute") ?? [];

  it("runs clean", () => {
    expect(report.violations).toEqual([]);
    expect(report.failed_deliveries).toEqual([]);
  });

  it("1. runs an approved write once, whoever clicks again and however often GitHub redelivers", async () => {
    expect(executions(1)).toEqual([
      expect.objectContaining({ state: "succeeded", triggered_by: "alice", row_counts: [1], reported: true }),
    ]);
    expect(results(1)).toHaveLength(1);
    expect(executeChecks(1)).toEqual([
      expect.objectContaining({ conclusion: "success", external_id: executions(1)[0]?.key }),
    ]);
    expect(replies(1).map((c) => c.body)).toEqual([
      expect.stringContaining("already succeeded — a request runs at most once"),
    ]);
    expect(await prodRows("order42")).toEqual([{ status: "refunded" }]);
    const status = pr(1)?.comments.find((c) => c.body.startsWith(STATUS_COMMENT_MARKER))?.body ?? "";
    expect(status).toContain("### querygate: executed");
  });

  it("2. only the author or a counting approver may start it; masked columns never show", () => {
    expect(replies(2)[0]?.body).toMatch(
      /^Nothing ran: @bob may not start this run\. The policy lets the author \(@alice\) or an approver/,
    );
    expect(executions(2)).toEqual([expect.objectContaining({ state: "succeeded", triggered_by: "dana" })]);
    const body = results(2)[0]?.body ?? "";
    expect(body).toContain("| `3` | `Customer 3` | •••• | •••• |");
    expect(body).not.toContain("customer3@example.com");
    expect(body.toLowerCase()).not.toContain("customer3@example");
  });

  it("3. nothing runs before the approvals are there", () => {
    expect(executions(3)).toEqual([]);
    expect(replies(3)[0]?.body).toBe(
      "Nothing ran: approvals are still missing. The status comment says what to do next.",
    );
  });

  it("4. a write over its ceiling is rolled back and the table is unchanged", async () => {
    expect(executions(4)).toEqual([expect.objectContaining({ state: "rolled_back", row_counts: [20] })]);
    expect(results(4)[0]?.body).toContain("### ⛔ Rolled back: over the row ceiling");
    expect(executeChecks(4)[0]?.conclusion).toBe("failure");
    expect(await prodRows("customer5Total")).toEqual(await prodRows("customer5Seeded"));
  });

  it("5. execute: on_merge — no Run button, /querygate run explains, the merge runs it", async () => {
    expect(pr(5)?.check_runs.find((c) => c.name === "querygate")?.actions ?? []).toEqual([]);
    expect(replies(5)[0]?.body).toContain("when the pull request is merged (execute: on_merge)");
    expect(executions(5)).toEqual([expect.objectContaining({ state: "succeeded", triggered_by: "dana" })]);
    expect(await prodRows("order1000")).toEqual([]);
  });

  it("6. execute: auto — an auto-approved staging read runs as soon as it is opened", () => {
    expect(executions(6)).toEqual([
      expect.objectContaining({ state: "succeeded", triggered_by: "querygate[bot]" }),
    ]);
    expect(results(6)[0]?.body).toContain("| `1000` |");
  });

  it("7. a statement the database refuses fails with its SQLSTATE and line; nothing changes", async () => {
    expect(executions(7)).toEqual([expect.objectContaining({ state: "failed", sqlstate: "23514" })]);
    expect(results(7)[0]?.body).toContain("### ❌ Failed: SQLSTATE 23514 at `queries/lost.sql` line 4");
    expect(await prodRows("order7")).not.toEqual([{ status: "lost" }]);
  });

  it("8. a request naming a reviewed action runs its SQL with the values bound as $n", async () => {
    expect(executions(8)).toEqual([expect.objectContaining({ state: "succeeded", row_counts: [1] })]);
    expect(await prodRows("order9")).toEqual([{ status: "shipped" }]);
    const check = pr(8)?.check_runs.find((c) => c.name === "querygate");
    // The statement is the action's: annotated where it is written, in actions/set-status.yml.
    expect(check?.annotations).toContainEqual(
      expect.objectContaining({ path: "actions/set-status.yml", start_line: 5 }),
    );
    const audit = report.commits.filter((c) => c.branch === "querygate/audit");
    // The commit that added the record (later stories add their own records after it).
    const record = audit
      .flatMap((c) => Object.entries(c.files))
      .find(([path]) => path.endsWith(`${executions(8)[0]?.key}.json`));
    expect(JSON.parse(record?.[1] ?? "{}").request.statements[0].params_hash).toMatch(
      /^sha256:[0-9a-f]{64}$/,
    );
  });

  it("9. a value outside its type is refused before anything runs, on its line", async () => {
    expect(executions(9)).toEqual([]);
    const check = pr(9)?.check_runs.find((c) => c.name === "querygate");
    expect(check?.conclusion).toBe("failure");
    expect(check?.annotations).toContainEqual(
      expect.objectContaining({
        path: "queries/bad-status.yml",
        start_line: 5,
        message: expect.stringContaining(
          'params.status: "shiped" is not one of pending, paid, shipped, refunded',
        ),
      }),
    );
    expect(await prodRows("order10")).not.toEqual([{ status: "shiped" }]);
  });

  it("10. what ran does not run again: a later push leaving the request file unchanged makes nothing runnable", async () => {
    // Seeded amounts: 11.99, 12.99, 13.99 (see the stories 10 and 11). Order 11 gets its fee once.
    expect((await prodRows("amounts11to13"))?.[0]).toEqual({ id: 11, amount: "16.99" });
    expect(executions(10)).toEqual([
      expect.objectContaining({ request_path: "queries/fee-11.sql", state: "succeeded", row_counts: [1] }),
    ]);
    expect(results(10)).toHaveLength(1);
    const head = pr(10)?.head_sha;
    const check = pr(10)
      ?.check_runs.filter((c) => c.name === "querygate" && c.head_sha === head)
      .at(-1);
    expect(check?.actions).toEqual([]);
    expect(check?.title).toMatch(/^Already ran/);
    expect(check?.conclusion).toBe("neutral");
    expect(check?.summary).toContain("`queries/fee-11.sql`");
    const resultLink = `#issuecomment-${results(10)[0]?.id}`;
    expect(check?.summary).toContain(resultLink);
    const status = pr(10)?.comments.find((c) => c.body.startsWith(STATUS_COMMENT_MARKER))?.body ?? "";
    expect(status).toContain("### querygate: already ran");
    expect(status).toContain(resultLink);
    const refusal = replies(10).at(-1)?.body ?? "";
    expect(refusal).toMatch(/^Nothing ran: `queries\/fee-11\.sql` already ran on this pull request/);
    expect(refusal).toContain(resultLink);
  });

  it("11. a push that changes one of two request files: the changed one runs once approved again, the other not again", async () => {
    expect((await prodRows("amounts11to13"))?.slice(1)).toEqual([
      { id: 12, amount: "17.99" },
      { id: 13, amount: "25.99" },
    ]);
    expect(executions(11).map((e) => [e.request_path, e.state])).toEqual([
      ["queries/fee-12.sql", "succeeded"],
      ["queries/fee-13.sql", "succeeded"],
      ["queries/fee-13.sql", "succeeded"],
    ]);
    const status = pr(11)?.comments.find((c) => c.body.startsWith(STATUS_COMMENT_MARKER))?.body ?? "";
    expect(status).toContain("`queries/fee-12.sql`");
  });

  it("records every execution in one unbroken audit chain on querygate/audit", () => {
    const audit = report.commits.filter((c) => c.branch === "querygate/audit");
    expect(audit).toHaveLength(report.executions.length);
    const chain = (audit.at(-1)?.files["audit/chain.jsonl"] ?? "")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(chain.map((e) => e.seq)).toEqual(report.executions.map((_, i) => i + 1));
    for (let i = 1; i < chain.length; i++) expect(chain[i].prev).toBe(chain[i - 1].hash);
    expect(new Set(chain.map((e) => e.key))).toEqual(new Set(report.executions.map((e) => e.key)));
  });
});
