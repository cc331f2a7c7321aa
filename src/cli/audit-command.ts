import { execFile, spawn } from "node:child_process";
import path from "node:path";
import { parseArgs, promisify } from "node:util";
import { AUDIT_CHAIN_PATH, AUDIT_DIR, DEFAULT_AUDIT_BRANCH } from "../audit/audit-paths.js";
import { DIGEST_PATTERN } from "../audit/digest.js";
import { type ChainVerification, type RequestFileRead, verifyChain } from "../audit/verify-chain.js";
import { parseOrUsage, UsageError } from "./usage-error.js";

export const AUDIT_USAGE = `Usage: querygate audit verify [--branch B] [--repo-dir DIR] [--expect-hash HASH] [--json]

  Check the audit trail in a local clone: every line of ${AUDIT_CHAIN_PATH} follows the one before
  (seq, prev), every record file hashes to its hash, and every statement hash matches the request file's
  bytes at the recorded commit. Reports the first broken entry.

  --branch B          the audit branch (default ${DEFAULT_AUDIT_BRANCH}, else origin/${DEFAULT_AUDIT_BRANCH})
  --repo-dir DIR      the git checkout (default .)
  --expect-hash HASH  a chain head published elsewhere (PR comment, state store): it must be in the chain
  --json              print one JSON object

  The recorded commits must be in the clone; pull request heads are fetched with
    git fetch origin '+refs/pull/*/head:refs/remotes/origin/pull/*'

Exit codes: 0 the chain is sound, 1 broken, 2 incomplete (a recorded commit is missing here),
3 invalid input (flags, not a git repository, no such branch).`;

/** Exit codes of `querygate audit verify`. */
export const AUDIT_EXIT = { ok: 0, broken: 1, incomplete: 2, invalid: 3 } as const;

/** Largest object read from git (chain.jsonl grows one short line per execution). */
export const MAX_GIT_OBJECT_BYTES = 512 * 1024 * 1024;

const FETCH_PULL_HEADS = "git fetch origin '+refs/pull/*/head:refs/remotes/origin/pull/*'";
const execFileAsync = promisify(execFile);

/** Invalid input: reported, exit 3. */
class AuditInputError extends Error {}

export async function auditCommand(args: string[], write: (text: string) => void): Promise<number> {
  try {
    return await audit(args, write);
  } catch (error) {
    if (!(error instanceof AuditInputError || error instanceof UsageError)) throw error;
    write(`querygate audit: ${error.message}`);
    return AUDIT_EXIT.invalid;
  }
}

async function audit(args: string[], write: (text: string) => void): Promise<number> {
  const { values, positionals } = parseOrUsage(
    () =>
      parseArgs({
        args,
        options: {
          branch: { type: "string" },
          "repo-dir": { type: "string" },
          "expect-hash": { type: "string" },
          json: { type: "boolean" },
          help: { type: "boolean", short: "h" },
        },
        allowPositionals: true,
        strict: true,
      }),
    AUDIT_USAGE,
  );
  if (values.help) {
    write(AUDIT_USAGE);
    return AUDIT_EXIT.ok;
  }
  if (positionals.length !== 1 || positionals[0] !== "verify") {
    throw new UsageError(
      `${positionals.length === 0 ? "audit needs a subcommand" : `unknown audit subcommand "${positionals.join(" ")}"`}\n\n${AUDIT_USAGE}`,
    );
  }
  const expectHash = values["expect-hash"];
  if (expectHash !== undefined && !DIGEST_PATTERN.test(expectHash)) {
    throw new UsageError(`--expect-hash must be sha256:<64 lowercase hex>, got "${expectHash}"`);
  }
  const repoDir = path.resolve(values["repo-dir"] ?? ".");
  const report = await verifyClone({ repoDir, branch: values.branch, expectHash });
  if (values.json) write(JSON.stringify(report));
  else write(describe(report));
  if (report.result.ok) return AUDIT_EXIT.ok;
  return report.result.incomplete ? AUDIT_EXIT.incomplete : AUDIT_EXIT.broken;
}

export interface CloneVerification {
  /** The ref that was read (e.g. `origin/querygate/audit`) and the commit it pointed at. */
  ref: string;
  commit: string;
  result: ChainVerification;
}

/** Verifies the audit chain of the branch (or its origin/ counterpart) in a local git checkout. */
export async function verifyClone(p: {
  repoDir: string;
  branch?: string;
  expectHash?: string;
}): Promise<CloneVerification> {
  await git(p.repoDir, ["rev-parse", "--git-dir"]).catch(() => {
    throw new AuditInputError(
      `${p.repoDir} is not a git repository: pass --repo-dir with a clone of the repository`,
    );
  });
  const branch = p.branch ?? DEFAULT_AUDIT_BRANCH;
  const ref = await resolveBranch(p.repoDir, branch);
  const objects = openObjectReader(p.repoDir);
  try {
    const chain = await objects.read(`${ref.commit}:${AUDIT_CHAIN_PATH}`);
    const result = await verifyChain({
      chainText: chain?.type === "blob" ? chain.content.toString("utf8") : "",
      readRecord: async (recordPath) => {
        const record = await objects.read(`${ref.commit}:${recordPath}`);
        return record?.type === "blob" ? record.content.toString("utf8") : null;
      },
      readRequestFile: async (commit, requestPath): Promise<RequestFileRead> => {
        const found = await objects.read(`${commit}^{commit}`);
        if (found === null)
          return { found: false, reason: "no-commit", hint: `fetch it: ${FETCH_PULL_HEADS}` };
        const file = await objects.read(`${commit}:${requestPath}`);
        return file?.type === "blob"
          ? { found: true, bytes: file.content }
          : { found: false, reason: "no-file" };
      },
      listRecordPaths: async () => {
        const listing = await git(p.repoDir, [
          "ls-tree",
          "-r",
          "-z",
          "--name-only",
          ref.commit,
          "--",
          `${AUDIT_DIR}/`,
        ]);
        return listing.split("\0").filter((name) => name !== "");
      },
      ...(p.expectHash !== undefined ? { expectHash: p.expectHash } : {}),
    });
    return { ref: ref.name, commit: ref.commit, result };
  } finally {
    objects.close();
  }
}

function describe(report: CloneVerification): string {
  const where = `(${report.ref} at ${report.commit.slice(0, 12)})`;
  const { result } = report;
  if (result.ok)
    return `ok: ${result.count} ${result.count === 1 ? "entry" : "entries"}, head ${result.head} ${where}`;
  const verdict = result.incomplete ? "incomplete" : "broken";
  const at = result.entry === null ? "" : ` at entry ${result.entry} (${AUDIT_CHAIN_PATH}:${result.entry})`;
  return `${verdict}${at}: ${result.error} ${where}`;
}

/** The branch, else origin/<branch>, as a commit SHA. */
async function resolveBranch(repoDir: string, branch: string): Promise<{ name: string; commit: string }> {
  if (branch.startsWith("-") || /[\s\0]/.test(branch))
    throw new AuditInputError(`"${branch}" is not a branch name`);
  const candidates = [`refs/heads/${branch}`, `refs/remotes/origin/${branch}`, branch];
  for (const candidate of candidates) {
    const commit = await git(repoDir, ["rev-parse", "--verify", "--quiet", `${candidate}^{commit}`]).catch(
      () => "",
    );
    if (commit.trim() !== "") {
      return { name: candidate.replace(/^refs\/(?:heads|remotes)\//, ""), commit: commit.trim() };
    }
  }
  throw new AuditInputError(
    `no branch ${branch} or origin/${branch} in ${repoDir}: fetch it (git fetch origin ${branch}) or pass --branch`,
  );
}

async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync("git", args, {
    cwd,
    maxBuffer: MAX_GIT_OBJECT_BYTES,
    encoding: "utf8",
  });
  return stdout;
}

interface GitObject {
  type: string;
  content: Buffer;
}

interface ObjectReader {
  /** An object by revision expression (`<commit>:<path>`, `<sha>^{commit}`), or null when missing. */
  read(spec: string): Promise<GitObject | null>;
  close(): void;
}

/**
 * One `git cat-file --batch` process for all reads: a chain of many entries costs one process, not one
 * `git show` per record. Answers come in request order: `<oid> <type> <size>\n<content>\n`, or
 * `<spec> missing\n` (also `ambiguous`).
 */
function openObjectReader(repoDir: string): ObjectReader {
  const child = spawn("git", ["cat-file", "--batch"], { cwd: repoDir, stdio: ["pipe", "pipe", "pipe"] });
  const waiting: Array<{ resolve: (object: GitObject | null) => void; reject: (error: Error) => void }> = [];
  let chunks: Buffer[] = [];
  let buffered = 0;
  let header: { type: string; size: number } | null = null;
  let failure: Error | null = null;
  let stderr = "";

  const take = (bytes: number): Buffer => {
    const all = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, buffered);
    chunks = bytes < all.length ? [all.subarray(bytes)] : [];
    buffered = all.length - bytes;
    return all.subarray(0, bytes);
  };
  const fail = (error: Error) => {
    failure ??= error;
    for (const waiter of waiting.splice(0)) waiter.reject(error);
  };
  const drain = () => {
    while (waiting.length > 0) {
      if (header === null) {
        const newline = chunks.length === 0 ? -1 : indexOfNewline(chunks);
        if (newline === -1) return;
        const line = take(newline + 1)
          .toString("utf8")
          .slice(0, -1);
        if (/ (?:missing|ambiguous)$/.test(line)) {
          waiting.shift()?.resolve(null);
          continue;
        }
        const [, type, size] = line.split(" ");
        if (type === undefined || size === undefined || !/^\d+$/.test(size)) {
          return fail(new Error(`git cat-file answered "${line}"`));
        }
        if (Number(size) > MAX_GIT_OBJECT_BYTES) {
          return fail(
            new Error(`a git object of ${size} bytes is over the limit of ${MAX_GIT_OBJECT_BYTES}`),
          );
        }
        header = { type, size: Number(size) };
      }
      if (buffered < header.size + 1) return;
      const content = Buffer.from(take(header.size + 1).subarray(0, header.size));
      const object = { type: header.type, content };
      header = null;
      waiting.shift()?.resolve(object);
    }
  };
  child.stdout.on("data", (chunk: Buffer) => {
    chunks.push(chunk);
    buffered += chunk.length;
    drain();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  child.on("error", (error) => fail(new Error(`could not run git: ${error.message}`)));
  child.on("close", (code) => fail(new Error(`git cat-file exited (${code}): ${stderr.trim()}`)));
  child.stdin.on("error", (error) => fail(error));

  return {
    read(spec) {
      if (/[\n\0]/.test(spec)) return Promise.resolve(null);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin.write(`${spec}\n`);
      });
    },
    close() {
      failure ??= new Error("the object reader is closed");
      child.stdin.end();
    },
  };
}

function indexOfNewline(chunks: Buffer[]): number {
  let offset = 0;
  for (const chunk of chunks) {
    const at = chunk.indexOf(0x0a);
    if (at !== -1) return offset + at;
    offset += chunk.length;
  }
  return -1;
}
