import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_CHAIN_PATH, DEFAULT_AUDIT_BRANCH } from "../../src/audit/audit-paths.js";
import { GENESIS_PREV } from "../../src/audit/hash-entry.js";
import { type ChainVerification, type RequestFileRead, verifyChain } from "../../src/audit/verify-chain.js";
import { CHECK_NAME, EXECUTE_CHECK_NAME, STATUS_COMMENT_MARKER } from "../../src/github/limits.js";
import type { GitHubClient } from "../../src/github/octokit.js";
import type { ExecutionRow } from "../../src/runner/ledger/execution-ledger.js";
import { readAppManifest } from "../../src/sandbox/app-manifest.js";
import { openScenarioDatabases, type ScenarioDatabases } from "../../src/sandbox/scenario-databases.js";
import { type Simulator, type SimulatorReport, startSimulator } from "../../src/simulator/simulator.js";
import type { DeliveryRecord } from "../../src/simulator/webhooks/webhook-deliverer.js";
import { EXECUTE_QUEUE, JOB_SCHEMA } from "../../src/store/job-queue.js";
import { STATE_SCHEMA } from "../../src/store/migrations.js";
import { approvalsFrom, DBA, policy, rule, target } from "../support/builders/policy-file.js";
import { type Replica, startReplicas, stopReplicas } from "../support/replicas.js";
import { adminDatabaseUrl } from "../support/test-database.js";

/**
 * The issue's scale test: "Three app processes sharing one state database execute 100 approved requests
 * with every webhook delivered to two of them: exactly 100 executions, 100 audit entries, an unbroken
 * chain."
 *
 * The three replicas run in this process (test/support/replicas.ts): each has its own pg pool, pg-boss
 * instance, Probot server and execution worker, so everything they coordinate through — delivery claims,
 * pull request locks, the ledger, the job queue, key locks, the audit branch — goes through separate
 * database sessions and separate HTTP clients, exactly as between processes.
 */
const REPO = "acme/db-requests";
const OWNER = "acme";
const SECRET = "querygate-scale-secret";
const REPLICAS = 3;
const FAN_OUT = 2;
const REQUESTS = 100;
const TARGET_ENV = "ORDERS_PROD_URL";
/** From the last click until every execution is run and reported. */
const SETTLE_TIMEOUT_MS = 150_000;
const SETTLE_POLL_MS = 200;
const RESULT_MARKER = "<!-- querygate:result:";

const POLICY = policy({
  targets: { "orders-prod": target("production", TARGET_ENV) },
  rules: [
    rule("prod-writes-need-a-dba", {
      when: { environment: "production", class: ["write"] },
      require: approvalsFrom(1, DBA),
    }),
  ],
});

const SEED = `create table counters (id int primary key, n int not null default 0);
insert into counters (id, n) select g, 0 from generate_series(1, ${REQUESTS}) g;`;

const requestPath = (i: number) => `queries/counter-${String(i).padStart(3, "0")}.sql`;
const requestFile = (i: number) =>
  `-- target: orders-prod\n-- reason: bump counter ${i} (scale test)\nUPDATE counters SET n = n + 1 WHERE id = ${i};\n`;

interface Figures {
  totalMs: number;
  phases: Record<string, number>;
}

describe(`${REPLICAS} replicas on one state database, every webhook delivered to ${FAN_OUT} of them`, () => {
  let databases: ScenarioDatabases;
  let targetUrl: string;
  let sim: Simulator;
  let replicas: Replica[] = [];
  let rows: ExecutionRow[];
  let report: SimulatorReport;
  let deliveries: DeliveryRecord[];
  let apiCalls: Array<{ method: string; route: string; status: number }>;
  let handled: Array<{ status: string; attempts: number; n: number }>;
  let jobs: Array<{ state: string; n: number }>;
  const figures: Figures = { totalMs: 0, phases: {} };
  const workerLog: string[] = [];

  beforeAll(async () => {
    const started = performance.now();
    const phase = async (name: string, work: () => Promise<void>) => {
      const t = performance.now();
      await work();
      figures.phases[name] = Math.round(performance.now() - t);
    };

    databases = await openScenarioDatabases(adminDatabaseUrl());
    targetUrl = await databases.createTarget({ name: "orders_prod", seed: SEED });

    sim = await startSimulator({ owner: OWNER, ...readAppManifest() });
    sim.createRepo({
      fullName: REPO,
      files: { "README.md": "requests\n", "policies/querygate.yml": POLICY },
    });
    sim.addTeam({ org: OWNER, slug: "dba", members: ["dana"] });
    sim.addTeam({ org: OWNER, slug: "security", members: ["sam"] });
    for (const login of ["alice", "dana", "sam"])
      sim.addCollaborator({ repo: REPO, login, permission: "write" });

    await phase("start replicas", async () => {
      replicas = await startReplicas({
        count: REPLICAS,
        stateUrl: databases.stateUrl,
        sim,
        webhookSecret: SECRET,
        env: { [TARGET_ENV]: targetUrl },
        log: (m) => workerLog.push(m),
      });
    });
    sim.setWebhookTargets(
      replicas.map((r) => ({ url: r.app.webhookUrl, secret: SECRET })),
      { fanOut: FAN_OUT },
    );

    const numbers = Array.from({ length: REQUESTS }, (_, i) => i + 1);
    await phase("open", async () => {
      for (const i of numbers)
        await sim.openPullRequest({
          repo: REPO,
          number: i,
          author: "alice",
          title: `Bump counter ${i}`,
          files: { [requestPath(i)]: requestFile(i) },
        });
    });
    await phase("approve", async () => {
      for (const i of numbers) await sim.review({ repo: REPO, number: i, by: "dana", state: "approve" });
    });
    // Clicks are answered once the run is queued; the workers execute and report meanwhile.
    await phase("click", async () => {
      for (const i of numbers)
        await sim.clickCheckRunButton({ repo: REPO, number: i, by: "alice", action: "run" });
      await sim.idle();
    });
    await phase("settle", async () => {
      const ledger = replicas[0]?.ledger;
      if (!ledger) throw new Error("no replica started");
      const deadline = Date.now() + SETTLE_TIMEOUT_MS;
      for (;;) {
        const pending = await ledger.listUnresolved();
        if (pending.length === 0) break;
        if (Date.now() > deadline) {
          const states = new Map<string, number>();
          for (const r of pending) states.set(r.state, (states.get(r.state) ?? 0) + 1);
          throw new Error(
            `${pending.length} execution(s) still unreported after ${SETTLE_TIMEOUT_MS} ms: ${[...states].map(([s, n]) => `${n} ${s}`).join(", ")}; worker log:\n${workerLog.slice(-20).join("\n")}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
      }
    });
    figures.totalMs = Math.round(performance.now() - started);

    // Snapshot before the test itself reads GitHub below.
    deliveries = sim.deliveries.map((d) => ({ ...d }));
    apiCalls = sim.apiCalls.map((c) => ({ ...c }));
    report = sim.report();
    const { rows: keys } = await (replicas[0] as Replica).state.pool.query<{ key: string }>(
      "select key from querygate.executions order by created_at, key",
    );
    rows = [];
    for (const { key } of keys) {
      const row = await (replicas[0] as Replica).ledger.find(key);
      if (row) rows.push(row);
    }
    const pool = (replicas[0] as Replica).state.pool;
    handled = (
      await pool.query<{ status: string; attempts: number; n: number }>(
        `select status, attempts, count(*)::int as n from ${STATE_SCHEMA}.deliveries group by 1, 2 order by 1, 2`,
      )
    ).rows;
    jobs = (
      await pool.query<{ state: string; n: number }>(
        `select state::text as state, count(*)::int as n from ${JOB_SCHEMA}.job where name = $1 group by 1 order by 1`,
        [EXECUTE_QUEUE],
      )
    ).rows;
  }, 300_000);

  afterAll(async () => {
    await stopReplicas(replicas);
    await sim?.close();
    await databases?.close();
  }, 60_000);

  it("delivered every webhook to exactly two distinct replicas, round-robin, and all answered 2xx", () => {
    const byId = new Map<string, DeliveryRecord[]>();
    for (const d of deliveries) byId.set(d.id, [...(byId.get(d.id) ?? []), d]);
    // open + review + click per request: at least three deliveries each (a review may add more events).
    expect(byId.size).toBeGreaterThanOrEqual(3 * REQUESTS);
    for (const [id, attempts] of byId) {
      expect(attempts, id).toHaveLength(FAN_OUT);
      expect(new Set(attempts.map((a) => a.target)).size, id).toBe(FAN_OUT);
    }
    const perReplica = new Map<string, number>();
    for (const d of deliveries) perReplica.set(d.target ?? "", (perReplica.get(d.target ?? "") ?? 0) + 1);
    expect(perReplica.size).toBe(REPLICAS);
    for (const n of perReplica.values())
      expect(Math.abs(n - (FAN_OUT * byId.size) / REPLICAS)).toBeLessThanOrEqual(1);
    expect(deliveries.filter((d) => d.status < 200 || d.status >= 300)).toEqual([]);
  });

  it("handled each delivery once: the second replica to get it acknowledged it as a duplicate", () => {
    const webhooks = new Set(deliveries.map((d) => d.id)).size;
    expect(handled).toEqual([{ status: "done", attempts: 1, n: webhooks }]);
  });

  it("queued one execute job per request, and every job completed", () => {
    expect(jobs).toEqual([{ state: "completed", n: REQUESTS }]);
  });

  it("left nothing doubled on the pull requests: one querygate check run and one status comment each", () => {
    for (const pr of report.pull_requests) {
      expect(
        pr.check_runs.filter((c) => c.name === CHECK_NAME),
        `#${pr.number}`,
      ).toHaveLength(1);
      expect(
        pr.comments.filter((c) => c.body.startsWith(STATUS_COMMENT_MARKER)),
        `#${pr.number}`,
      ).toHaveLength(1);
      expect(pr.reviews.map((r) => r.by)).toEqual(["dana"]);
    }
  });

  it("logged no crash resolution, lost claim or double report", () => {
    expect(workerLog.filter((line) => /resolved|meanwhile|could not|queued again/.test(line))).toEqual([]);
  });

  it("made no request GitHub would reject", () => {
    expect(sim.violations).toEqual([]);
  });

  it(`ran exactly ${REQUESTS} executions, each succeeded once and was reported once`, () => {
    expect(rows).toHaveLength(REQUESTS);
    expect(new Set(rows.map((r) => r.pullNumber)).size).toBe(REQUESTS);
    for (const r of rows) {
      expect(r, `#${r.pullNumber}`).toMatchObject({
        state: "succeeded",
        resolution: "worker",
        rowCounts: [1],
      });
      expect(r.reportedAt, `#${r.pullNumber}`).not.toBeNull();
      expect(r.reportAttempts, `#${r.pullNumber}`).toBe(1);
      expect(r.triggeredBy).toBe("alice");
    }
    // All three workers took part (a queue shared by replicas).
    const byWorker = countBy(rows.map((r) => r.claimedBy ?? "?"));
    console.log(`executions per worker: ${[...byWorker.values()].join(", ")}`);
    expect(byWorker.size).toBe(REPLICAS);
  });

  it("incremented every counter on the target exactly once", async () => {
    const client = new pg.Client({ connectionString: targetUrl });
    await client.connect();
    try {
      const { rows: sums } = await client.query<{ sum: string; max: number; min: number; count: string }>(
        "select sum(n) as sum, max(n) as max, min(n) as min, count(*) as count from counters",
      );
      expect(sums[0]).toEqual({ sum: String(REQUESTS), max: 1, min: 1, count: String(REQUESTS) });
    } finally {
      await client.end();
    }
  });

  it(`posted exactly one result comment and one ${EXECUTE_CHECK_NAME} check run per pull request`, () => {
    expect(report.pull_requests).toHaveLength(REQUESTS);
    let comments = 0;
    let checks = 0;
    for (const pr of report.pull_requests) {
      const results = pr.comments.filter((c) => c.body.startsWith(RESULT_MARKER));
      expect(results, `#${pr.number}`).toHaveLength(1);
      expect(results[0]?.by).toBe("querygate[bot]");
      const runs = pr.check_runs.filter((c) => c.name === EXECUTE_CHECK_NAME);
      expect(runs, `#${pr.number}`).toHaveLength(1);
      expect(runs[0]).toMatchObject({ status: "completed", conclusion: "success", head_sha: pr.head_sha });
      const row = rows.find((r) => r.pullNumber === pr.number);
      expect(runs[0]?.external_id).toBe(row?.key);
      expect(row?.reportCommentId).toBe(results[0]?.id);
      expect(row?.reportCheckRunId).toBe(runs[0]?.id);
      comments += results.length;
      checks += runs.length;
      // No "already ran" or refusal replies: each click queued its run once.
      const replies = pr.comments.filter((c) => c.by === "querygate[bot]" && !c.body.startsWith("<!--"));
      expect(replies, `#${pr.number}`).toEqual([]);
    }
    expect(comments).toBe(REQUESTS);
    expect(checks).toBe(REQUESTS);
  });

  it(`committed ${REQUESTS} audit entries as one unbroken chain that verifies`, async () => {
    const octokit = await (replicas[0] as Replica).app.auth(sim.installationId);
    const [owner, repo] = REPO.split("/") as [string, string];
    const git = createGitReader(octokit, owner, repo);
    const head = await git.branchHead(DEFAULT_AUDIT_BRANCH);
    const files = await git.files(head);
    const chainText = files.get(AUDIT_CHAIN_PATH) ?? "";
    const lines = chainText
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as { seq: number; prev: string; hash: string; key: string; record: string });
    expect(lines).toHaveLength(REQUESTS);
    lines.forEach((line, i) => {
      expect(line.seq).toBe(i + 1);
      expect(line.prev).toBe(i === 0 ? GENESIS_PREV : lines[i - 1]?.hash);
    });
    expect(new Set(lines.map((l) => l.key))).toEqual(new Set(rows.map((r) => r.key)));
    // Every row points at a commit of the audit branch's first-parent history.
    const history = await git.firstParentHistory(head);
    expect(history).toHaveLength(REQUESTS);
    for (const r of rows) expect(history).toContain(r.reportAuditCommitSha);

    const verification: ChainVerification = await verifyChain({
      chainText,
      readRecord: async (path) => files.get(path) ?? null,
      readRequestFile: (commit, path) => git.readFileAt(commit, path),
      listRecordPaths: async () => [...files.keys()].filter((p) => p.startsWith("audit/")),
    });
    expect(verification).toEqual({ ok: true, count: REQUESTS, head: lines.at(-1)?.hash });
  });

  it("prints the figures", () => {
    const byRoute = countBy(apiCalls.map((c) => `${c.method} ${c.route}`));
    const refMoves = apiCalls.filter((c) => c.method === "PATCH" && c.route.includes("/git/refs/"));
    const lostRaces = refMoves.filter((c) => c.status === 422 || c.status === 409).length;
    const auditCommits = report.commits.filter((c) => c.message.startsWith("querygate audit:"));
    const orphaned = auditCommits.filter((c) => c.branch === "").length;
    const top = [...byRoute]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([route, n]) => `${n} ${route}`)
      .join("; ");
    console.log(
      [
        `scale: ${REQUESTS} requests, ${REPLICAS} replicas, fan-out ${FAN_OUT}`,
        `total ${(figures.totalMs / 1000).toFixed(1)} s (${Object.entries(figures.phases)
          .map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`)
          .join(", ")})`,
        `deliveries: ${new Set(deliveries.map((d) => d.id)).size} webhooks, ${deliveries.length} attempts`,
        `API calls: ${apiCalls.length} (${top})`,
        `audit: ${auditCommits.length} commits created, ${orphaned} left off the branch; ${refMoves.length} ref updates, ${lostRaces} lost a race (commit retries)`,
      ].join("\n"),
    );
    expect(orphaned).toBe(lostRaces);
  });
});

/**
 * The simulator's fan-out on its own, with plain receivers: one delivery id, one body and one valid
 * signature to each of the two chosen targets; the pairs rotate.
 */
describe("simulator fan-out delivery", () => {
  it("sends the same signed delivery to fanOut targets chosen round-robin and records each attempt", async () => {
    const received: Array<{ receiver: number; id: string; body: string; signature: string }> = [];
    const servers = await Promise.all(
      [0, 1, 2].map(async (receiver) => {
        const server = createServer(async (req, res) => {
          let body = "";
          for await (const chunk of req) body += chunk;
          received.push({
            receiver,
            id: String(req.headers["x-github-delivery"]),
            body,
            signature: String(req.headers["x-hub-signature-256"]),
          });
          res.writeHead(receiver === 2 ? 503 : 200).end();
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` };
      }),
    );
    const sim = await startSimulator({ owner: OWNER });
    try {
      sim.createRepo({ fullName: REPO, files: { "README.md": "x\n" } });
      expect(() =>
        sim.setWebhookTargets([{ url: servers[0]?.url ?? "", secret: SECRET }], { fanOut: 2 }),
      ).toThrow(/fanOut must be an integer from 1 to the number of targets \(1\), got 2/);
      sim.setWebhookTargets(
        servers.map((s) => ({ url: s.url, secret: SECRET })),
        { fanOut: 2 },
      );
      for (let i = 1; i <= 3; i++)
        await sim.openPullRequest({ repo: REPO, author: "alice", files: { [`f${i}.txt`]: `${i}\n` } });
      await sim.redeliver(1);
      // Deliveries go one after another, so the received copies come in pairs: three sends, one redelivery.
      const pairs = [0, 2, 4, 6].map((i) => received.slice(i, i + 2));
      const ids = pairs.map((pair) => [...new Set(pair.map((r) => r.id))]);
      expect(ids).toEqual([[ids[0]?.[0]], [ids[1]?.[0]], [ids[2]?.[0]], [ids[2]?.[0]]]);
      expect(new Set(ids.flat()).size).toBe(3);
      expect(pairs.map((pair) => pair.map((r) => r.receiver).sort())).toEqual([
        [0, 1],
        [1, 2],
        [0, 2],
        [0, 1],
      ]);
      for (const id of new Set(ids.flat())) {
        const copies = received.filter((r) => r.id === id);
        expect(new Set(copies.map((c) => c.body)).size).toBe(1);
        expect(new Set(copies.map((c) => c.signature)).size).toBe(1);
      }
      expect(sim.deliveries).toHaveLength(8);
      expect(sim.deliveries.filter((d) => d.status === 503).map((d) => d.target)).toEqual([
        servers[2]?.url,
        servers[2]?.url,
      ]);
      sim.setWebhookTarget(servers[0]?.url ?? "", SECRET);
      await sim.openPullRequest({ repo: REPO, author: "alice", files: { "f4.txt": "4\n" } });
      expect(sim.deliveries.at(-1)?.target).toBeUndefined();
      expect(received.at(-1)?.receiver).toBe(0);
    } finally {
      await sim.close();
      for (const { server } of servers) await new Promise((resolve) => server.close(resolve));
    }
  });
});

function countBy(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

/** Reads the repository through the REST API the app uses (Git Data), as an auditor with a token would. */
function createGitReader(octokit: GitHubClient, owner: string, repo: string) {
  const treeOf = async (commit: string) => {
    const { data } = await octokit.rest.git.getCommit({ owner, repo, commit_sha: commit });
    return data;
  };
  const blobText = async (sha: string) => {
    const { data } = await octokit.rest.git.getBlob({ owner, repo, file_sha: sha });
    return Buffer.from(data.content, data.encoding === "base64" ? "base64" : "utf8");
  };
  const listing = async (treeSha: string) => {
    const { data } = await octokit.rest.git.getTree({ owner, repo, tree_sha: treeSha, recursive: "1" });
    expect(data.truncated).toBe(false);
    return data.tree.filter((e) => e.type === "blob" && e.path && e.sha) as Array<{
      path: string;
      sha: string;
    }>;
  };
  return {
    async branchHead(branch: string): Promise<string> {
      const { data } = await octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` });
      return data.object.sha;
    },
    /** Every file at a commit, path → text. */
    async files(commit: string): Promise<Map<string, string>> {
      const out = new Map<string, string>();
      for (const entry of await listing((await treeOf(commit)).tree.sha))
        out.set(entry.path, (await blobText(entry.sha)).toString("utf8"));
      return out;
    },
    async firstParentHistory(commit: string): Promise<string[]> {
      const shas: string[] = [];
      for (let sha: string | undefined = commit; sha; ) {
        shas.push(sha);
        sha = (await treeOf(sha)).parents[0]?.sha;
      }
      return shas;
    },
    async readFileAt(commit: string, path: string): Promise<RequestFileRead> {
      let tree: string;
      try {
        tree = (await treeOf(commit)).tree.sha;
      } catch {
        return { found: false, reason: "no-commit" };
      }
      const entry = (await listing(tree)).find((e) => e.path === path);
      if (!entry) return { found: false, reason: "no-file" };
      return { found: true, bytes: new Uint8Array(await blobText(entry.sha)) };
    },
  };
}
