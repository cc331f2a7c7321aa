import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueExecution } from "../../src/runner/ledger/enqueue-execution.js";
import { createExecutionLedger, type ExecutionRequest } from "../../src/runner/ledger/execution-ledger.js";
import { createExecutionWorker } from "../../src/runner/ledger/execution-worker.js";
import { startJobQueue } from "../../src/store/job-queue.js";
import { runMigrations } from "../../src/store/migrations.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const CHILD_SOURCE = "test/support/crash-worker.ts";
const CHILD_OUTPUT_TIMEOUT_MS = 45_000;
const CHILD_EXIT_TIMEOUT_MS = 90_000;
/** Two worker processes start per scenario; CI runs the suite on two shared cores. */
const SCENARIO_TIMEOUT_MS = 180_000;

/**
 * The child runs compiled JavaScript (Node 20 cannot run TypeScript and tsx is not installed): the
 * child's source and everything it imports from the repository are transpiled into a temporary folder
 * whose node_modules links to the repository's, so the test never depends on a stale dist/.
 */
async function buildCrashWorker(outDir: string): Promise<string> {
  const pending = [path.join(REPO_ROOT, CHILD_SOURCE)];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = await readFile(file, "utf8");
    for (const imported of ts.preProcessFile(source, true, true).importedFiles) {
      if (imported.fileName.startsWith(".")) {
        pending.push(path.resolve(path.dirname(file), imported.fileName.replace(/\.js$/, ".ts")));
      }
    }
    const { outputText } = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
    });
    const outFile = path.join(outDir, path.relative(REPO_ROOT, file)).replace(/\.ts$/, ".js");
    await mkdir(path.dirname(outFile), { recursive: true });
    await writeFile(outFile, outputText);
  }
  await writeFile(path.join(outDir, "package.json"), JSON.stringify({ type: "module" }));
  await symlink(path.join(REPO_ROOT, "node_modules"), path.join(outDir, "node_modules"), "dir");
  return path.join(outDir, CHILD_SOURCE.replace(/\.ts$/, ".js"));
}

interface Child {
  process: ChildProcess;
  /** Resolves with the first stdout line matching `pattern`. */
  waitFor(pattern: RegExp): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

function startChild(script: string, env: Record<string, string>): Child {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const line of stdout.split("\n")) {
      for (const waiter of waiters.splice(0)) {
        if (waiter.pattern.test(line)) waiter.resolve(line);
        else waiters.push(waiter);
      }
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
  const output = () => `stdout:\n${stdout}\nstderr:\n${stderr}`;
  return {
    process: child,
    exited,
    output,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`child printed no ${pattern} within ${CHILD_OUTPUT_TIMEOUT_MS} ms\n${output()}`),
            ),
          CHILD_OUTPUT_TIMEOUT_MS,
        );
        const done = (line: string) => {
          clearTimeout(timer);
          resolve(line);
        };
        const existing = stdout.split("\n").find((line) => pattern.test(line));
        if (existing !== undefined) done(existing);
        else waiters.push({ pattern, resolve: done });
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`child exited before printing ${pattern}\n${output()}`));
        });
      }),
  };
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const SCENARIOS = [
  {
    point: "before-claim",
    effects: 1,
    state: "succeeded",
    resolution: "worker",
    why: "never claimed, so nothing ran: the restarted worker queues it again and runs it once",
  },
  {
    point: "before-commit",
    effects: 0,
    state: "failed",
    resolution: "crash_aborted",
    why: "claimed and inserted but not committed: PostgreSQL rolled it back; reported as failed, not retried",
  },
  {
    point: "after-commit",
    effects: 1,
    state: "succeeded",
    resolution: "crash_committed",
    why: "committed before the ledger heard of it: pg_xact_status says committed; reported as success, not re-run",
  },
  {
    point: "after-finish",
    effects: 1,
    state: "succeeded",
    resolution: "worker",
    why: "finished but not reported: the restarted worker reports it",
  },
] as const;

describe("execution crash recovery (real processes, kill -9)", () => {
  let workDir: string;
  let script: string;
  let target: TestDatabase;
  let targetPool: pg.Pool;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), "querygate-crash-worker-"));
    script = await buildCrashWorker(workDir);
    target = await createTestDatabase();
    targetPool = new pg.Pool({ connectionString: target.url });
    targetPool.on("error", () => {});
    await targetPool.query("create table effects (id serial primary key, key text not null)");
    await targetPool.query(
      "create table reports (id serial primary key, key text not null, state text not null, resolution text, attempt int not null)",
    );
  });

  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await targetPool?.end();
    await target?.drop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it.each(SCENARIOS)(
    "killed at $point: $why",
    async (scenario) => {
      const state = await createTestDatabase();
      const pool = new pg.Pool({ connectionString: state.url });
      pool.on("error", () => {});
      try {
        await runMigrations(pool);
        const queue = await startJobQueue({ connectionString: state.url, log: () => undefined });
        const ledger = createExecutionLedger(pool);
        const request: ExecutionRequest = {
          repo: "acme/db-requests",
          pullNumber: 3,
          headSha: "0123456789abcdef0123456789abcdef01234567",
          requestPath: `queries/crash-${scenario.point}.sql`,
          statements: [{ index: 0, hash: "insert-into-effects" }],
          fingerprint: "fp",
          target: "crash-target",
          readOnly: false,
          triggeredBy: "alice",
        };
        const { row } = await enqueueExecution({ ledger, boss: queue.boss, request });
        const env = { CRASH_STATE_URL: state.url, CRASH_TARGET_URL: target.url, CRASH_KEY: row.key };

        const first = startChild(script, { ...env, CRASH_PAUSE_AT: scenario.point });
        children.push(first.process);
        await first.waitFor(new RegExp(`^PAUSED ${scenario.point}$`));
        first.process.kill("SIGKILL");
        expect(await first.exited).toEqual({ code: null, signal: "SIGKILL" });

        const second = startChild(script, env);
        children.push(second.process);
        await second.waitFor(/^DONE /);
        const exit = await withTimeout(second.exited, CHILD_EXIT_TIMEOUT_MS, "the restarted worker's exit");
        expect(exit, second.output()).toEqual({ code: 0, signal: null });

        const effects = await targetPool.query("select count(*)::int as n from effects where key = $1", [
          row.key,
        ]);
        expect(effects.rows[0].n).toBe(scenario.effects);
        const reports = await targetPool.query("select state, resolution from reports where key = $1", [
          row.key,
        ]);
        expect(reports.rows).toEqual([{ state: scenario.state, resolution: scenario.resolution }]);
        const final = await ledger.find(row.key);
        expect(final).toMatchObject({
          state: scenario.state,
          resolution: scenario.resolution,
          reportCommentId: 1,
        });
        expect(final?.reportedAt).toBeInstanceOf(Date);

        // A pg-boss retry of the job and a second click afterwards run nothing and report nothing.
        const retry = await createExecutionWorker({
          pool,
          ledger,
          boss: queue.boss,
          execute: async () => {
            throw new Error("must not run again");
          },
          xactStatus: async () => null,
          report: async () => {
            throw new Error("must not report again");
          },
          log: () => undefined,
        }).handleJob(row.key);
        expect(retry).toMatchObject({ status: "settled", steps: [] });
        expect((await enqueueExecution({ ledger, boss: queue.boss, request })).created).toBe(false);
        const after = await targetPool.query(
          "select (select count(*)::int from effects where key = $1) as effects, (select count(*)::int from reports where key = $1) as reports",
          [row.key],
        );
        expect(after.rows[0]).toEqual({ effects: scenario.effects, reports: 1 });
        await queue.stop();
      } finally {
        await pool.end();
        await state.drop();
      }
    },
    SCENARIO_TIMEOUT_MS,
  );
});
