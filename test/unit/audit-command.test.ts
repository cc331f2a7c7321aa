import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { appendEntry } from "../../src/audit/append-entry.js";
import { AUDIT_CHAIN_PATH, DEFAULT_AUDIT_BRANCH } from "../../src/audit/audit-paths.js";
import type { AuditEntry, NewAuditEntry } from "../../src/audit/audit-types.js";
import { canonicalJson } from "../../src/audit/canonical-json.js";
import { AUDIT_EXIT, auditCommand } from "../../src/cli/audit-command.js";
import { newEntry, REQUEST_PATH, REQUEST_TEXT } from "../support/audit-entry-builder.js";

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
  GIT_CONFIG_NOSYSTEM: "1",
  HOME: tmpdir(),
};

function git(dir: string, args: string[], input?: string, env: NodeJS.ProcessEnv = {}): string {
  return execFileSync("git", args, { cwd: dir, env: { ...GIT_ENV, ...env }, input, encoding: "utf8" }).trim();
}

/** A commit of exactly `files` (a fresh tree) on `branch`, on top of the branch's head if it has one. */
function commitFiles(dir: string, branch: string, files: Record<string, string>): string {
  const index = path.join(dir, ".git", `index-${branch.replaceAll("/", "-")}`);
  rmSync(index, { force: true });
  for (const [file, content] of Object.entries(files)) {
    const blob = git(dir, ["hash-object", "-w", "--stdin"], content);
    git(dir, ["update-index", "--add", "--cacheinfo", `100644,${blob},${file}`], undefined, {
      GIT_INDEX_FILE: index,
    });
  }
  const tree = git(dir, ["write-tree"], undefined, { GIT_INDEX_FILE: index });
  const parent = tryRevParse(dir, `refs/heads/${branch}`);
  const commit = git(dir, [
    "commit-tree",
    tree,
    ...(parent ? ["-p", parent] : []),
    "-m",
    `commit on ${branch}`,
  ]);
  git(dir, ["update-ref", `refs/heads/${branch}`, commit]);
  return commit;
}

function tryRevParse(dir: string, rev: string): string {
  try {
    return git(dir, ["rev-parse", "--verify", "--quiet", rev]);
  } catch {
    return "";
  }
}

/** Audit files for entries built on the given heads: record files and chain.jsonl. */
function auditFiles(entries: NewAuditEntry[]): { files: Record<string, string>; chained: AuditEntry[] } {
  const files: Record<string, string> = {};
  const chained: AuditEntry[] = [];
  let chain: string | null = null;
  for (const entry of entries) {
    const appended = appendEntry(chain, entry);
    chain = appended.chainText;
    files[appended.recordPath] = appended.recordText;
    chained.push(appended.entry);
  }
  files[AUDIT_CHAIN_PATH] = chain ?? "";
  return { files, chained };
}

async function run(args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await auditCommand(args, (text) => lines.push(text));
  return { code, out: lines.join("\n") };
}

describe("querygate audit verify on a local git repository", () => {
  let root: string;
  let dir: string;
  let head: string;
  let changedHead: string;
  let branchCount = 0;

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), "querygate-audit-"));
    dir = path.join(root, "repo");
    execFileSync("git", ["init", "-q", "-b", "main", dir], { env: GIT_ENV });
    head = commitFiles(dir, "main", { [REQUEST_PATH]: REQUEST_TEXT, "README.md": "db requests\n" });
    changedHead = commitFiles(dir, "main", {
      [REQUEST_PATH]: REQUEST_TEXT.replace("id = 42", "id = 41"),
      "README.md": "db requests\n",
    });
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  /** A new audit branch holding `files`; returns its name. */
  function auditBranch(files: Record<string, string>): string {
    const branch = `audit-${++branchCount}`;
    commitFiles(dir, branch, files);
    return branch;
  }

  const sound = (n: number) =>
    auditFiles(Array.from({ length: n }, (_, i) => newEntry(i + 1, { headSha: head })));

  test("a sound chain on the default branch: ok, the count and the head hash", async () => {
    const { files, chained } = sound(4);
    commitFiles(dir, DEFAULT_AUDIT_BRANCH, files);
    const branchHead = git(dir, ["rev-parse", DEFAULT_AUDIT_BRANCH]);
    const result = await run(["verify", "--repo-dir", dir]);
    expect(result).toEqual({
      code: AUDIT_EXIT.ok,
      out: `ok: 4 entries, head ${chained[3]?.hash} (${DEFAULT_AUDIT_BRANCH} at ${branchHead.slice(0, 12)})`,
    });
    const json = await run(["verify", "--repo-dir", dir, "--json"]);
    expect(JSON.parse(json.out)).toEqual({
      ref: DEFAULT_AUDIT_BRANCH,
      commit: branchHead,
      result: { ok: true, count: 4, head: chained[3]?.hash },
    });
    expect((await run(["verify", "--repo-dir", dir, "--expect-hash", chained[1]?.hash as string])).code).toBe(
      0,
    );
  });

  test("a tampered record: broken at that entry, exit 1", async () => {
    const { files } = sound(4);
    const second = Object.keys(files).sort()[1] as string;
    files[second] = (files[second] as string).replace('"login": "dmitri"', '"login": "mallory"');
    const branch = auditBranch(files);
    const result = await run(["verify", "--repo-dir", dir, "--branch", branch]);
    expect(result.code).toBe(AUDIT_EXIT.broken);
    expect(result.out).toMatch(
      new RegExp(
        `^broken at entry 2 \\(audit/chain\\.jsonl:2\\): ${second}: the record's content hashes to sha256:`,
      ),
    );
  });

  test("a tampered chain line: the prev link no longer matches", async () => {
    const { files, chained } = sound(4);
    const lines = (files[AUDIT_CHAIN_PATH] as string).split("\n");
    lines[2] = canonicalJson({ ...JSON.parse(lines[2] as string), prev: chained[0]?.hash });
    files[AUDIT_CHAIN_PATH] = lines.join("\n");
    const result = await run(["verify", "--repo-dir", dir, "--branch", auditBranch(files)]);
    expect(result.code).toBe(AUDIT_EXIT.broken);
    expect(result.out).toMatch(
      /^broken at entry 3 \(audit\/chain\.jsonl:3\): prev does not match entry 2's hash/,
    );
  });

  test("a removed chain line: the next entry's seq gives it away", async () => {
    const { files } = sound(4);
    const lines = (files[AUDIT_CHAIN_PATH] as string).split("\n");
    lines.splice(1, 1);
    files[AUDIT_CHAIN_PATH] = lines.join("\n");
    const result = await run(["verify", "--repo-dir", dir, "--branch", auditBranch(files)]);
    expect(result.code).toBe(AUDIT_EXIT.broken);
    expect(result.out).toMatch(
      /^broken at entry 2 \(audit\/chain\.jsonl:2\): seq is 3, expected 2: an entry is missing before it/,
    );
  });

  test("the request file differs at the recorded commit: the statement hash does not match", async () => {
    const entries = [1, 2, 3].map((n) => newEntry(n, { headSha: n === 3 ? changedHead : head }));
    // Entry 3 (n = 4) runs the UPDATE alone; the file at changedHead says id = 41.
    entries[2] = newEntry(4, { headSha: changedHead });
    const { files } = auditFiles(entries);
    const result = await run(["verify", "--repo-dir", dir, "--branch", auditBranch(files)]);
    expect(result.code).toBe(AUDIT_EXIT.broken);
    expect(result.out).toMatch(
      new RegExp(
        `^broken at entry 3 \\(audit/chain\\.jsonl:3\\): statement 0: hash sha256:[0-9a-f]{64} does not match bytes \\d+\\.\\.\\d+ of ${REQUEST_PATH} at commit ${changedHead}`,
      ),
    );
  });

  test("a record file outside the chain, and a published head that is not in the chain", async () => {
    const { files, chained } = sound(3);
    const lines = (files[AUDIT_CHAIN_PATH] as string).split("\n");
    files[AUDIT_CHAIN_PATH] = `${lines.slice(0, 2).join("\n")}\n`;
    const branch = auditBranch(files);
    expect(await run(["verify", "--repo-dir", dir, "--branch", branch])).toMatchObject({
      code: AUDIT_EXIT.broken,
      out: expect.stringMatching(/^broken: 1 record file\(s\) are not in audit\/chain\.jsonl/),
    });
    const last = Object.keys(files).find((f) => f.includes(chained[2]?.key as string)) as string;
    delete files[last];
    const truncated = auditBranch(files);
    expect((await run(["verify", "--repo-dir", dir, "--branch", truncated])).code).toBe(AUDIT_EXIT.ok);
    expect(
      await run([
        "verify",
        "--repo-dir",
        dir,
        "--branch",
        truncated,
        "--expect-hash",
        chained[2]?.hash as string,
      ]),
    ).toMatchObject({ code: AUDIT_EXIT.broken, out: expect.stringContaining("is in no entry") });
  });

  test("a recorded commit missing from the clone: incomplete, exit 2, with how to fetch it", async () => {
    const { files } = auditFiles([newEntry(1, { headSha: head }), newEntry(2, { headSha: "f".repeat(40) })]);
    const result = await run(["verify", "--repo-dir", dir, "--branch", auditBranch(files)]);
    expect(result.code).toBe(AUDIT_EXIT.incomplete);
    expect(result.out).toMatch(
      /^incomplete at entry 2 \(audit\/chain\.jsonl:2\): cannot check the statements: commit f{40} is not available \(fetch it: git fetch origin/,
    );
  });

  test("in a clone without the local branch, origin/querygate/audit is read", async () => {
    const clone = path.join(root, "clone");
    execFileSync("git", ["clone", "-q", dir, clone], { env: GIT_ENV });
    expect(tryRevParse(clone, `refs/heads/${DEFAULT_AUDIT_BRANCH}`)).toBe("");
    const result = await run(["verify", "--repo-dir", clone]);
    expect(result).toMatchObject({
      code: AUDIT_EXIT.ok,
      out: expect.stringMatching(
        new RegExp(`^ok: 4 entries, head sha256:[0-9a-f]{64} \\(origin/${DEFAULT_AUDIT_BRANCH} at `),
      ),
    });
  });

  test("invalid input exits 3 and says how to fix it", async () => {
    const notGit = mkdtempSync(path.join(root, "plain-"));
    const cases: Array<[string[], string]> = [
      [[], "audit needs a subcommand"],
      [["check"], 'unknown audit subcommand "check"'],
      [["verify", "--bogus"], "Unknown option '--bogus'"],
      [["verify", "--repo-dir", notGit], "is not a git repository"],
      [["verify", "--repo-dir", dir, "--branch", "nope"], "no branch nope or origin/nope"],
      [["verify", "--repo-dir", dir, "--expect-hash", "abc"], "--expect-hash must be sha256:"],
    ];
    for (const [args, message] of cases) {
      const result = await run(args);
      expect([args, result.code]).toEqual([args, AUDIT_EXIT.invalid]);
      expect(result.out).toContain(message);
    }
    expect((await run(["--help"])).out).toContain("Usage: querygate audit verify");
  });
});
