import path from "node:path";
import { parseArgs } from "node:util";
import { type CompiledPolicy, compilePolicy } from "../policy/evaluate/compile-policy.js";
import { loadPolicy } from "../policy/load/load-policy.js";
import { POLICY_DIR } from "../policy/policy-paths.js";
import type { Policy, PolicyError } from "../policy/policy-types.js";
import { readPolicyDir } from "../policy/read-policy-dir.js";
import { type PolicyTestRun, runPolicyTests } from "../policy-tests/run-policy-tests.js";
import { parseOrUsage, UsageError } from "./usage-error.js";

export const POLICY_USAGE = `Usage: querygate policy validate [DIR]
       querygate policy test [DIR]

  validate   load the policy files DIR/*.yml (default ${POLICY_DIR}) and report every error as
             file:line: key: message
  test       validate, then run the policy tests DIR/tests/*.yml and report each case
             (the test file format is documented in src/policy/tests/run-policy-tests.ts)

Exit codes: 0 valid / every test passed, 1 invalid policy or a failing test, 2 usage error.`;

/** Folder of the policy tests inside a policy folder. */
export const POLICY_TESTS_SUBDIR = "tests";

export type LoadedPolicyDir =
  | { ok: true; policy: Policy; compiled: CompiledPolicy }
  | { ok: false; errors: string[] };

export async function policyCommand(args: string[], write: (text: string) => void): Promise<number> {
  const { values, positionals } = parseOrUsage(
    () =>
      parseArgs({
        args,
        options: { help: { type: "boolean", short: "h" } },
        allowPositionals: true,
        strict: true,
      }),
    POLICY_USAGE,
  );
  if (values.help) {
    write(POLICY_USAGE);
    return 0;
  }
  const [subcommand, dir = POLICY_DIR, ...extra] = positionals;
  if (extra.length > 0)
    throw new UsageError(`policy ${subcommand} takes at most one folder\n\n${POLICY_USAGE}`);
  switch (subcommand) {
    case "validate":
      return validate(dir, write);
    case "test":
      return await test(dir, write);
    case undefined:
      throw new UsageError(`policy needs a subcommand: validate or test\n\n${POLICY_USAGE}`);
    default:
      throw new UsageError(
        `unknown policy subcommand "${subcommand}": use validate or test\n\n${POLICY_USAGE}`,
      );
  }
}

function validate(dir: string, write: (text: string) => void): number {
  const loaded = loadPolicyDir(dir);
  if (!loaded.ok) {
    for (const error of loaded.errors) write(error);
    return 1;
  }
  const { policy } = loaded;
  write(
    `OK: ${count(policy.files.length, "file")}, ${count(Object.keys(policy.targets).length, "target")}, ${count(policy.owners.length, "owner pattern")}, ${count(policy.rules.length, "rule")}`,
  );
  return 0;
}

async function test(dir: string, write: (text: string) => void): Promise<number> {
  const loaded = loadPolicyDir(dir);
  if (!loaded.ok) {
    for (const error of loaded.errors) write(error);
    write("FAIL: the policy is invalid, so its tests did not run: fix the errors above");
    return 1;
  }
  const testsDir = path.join(dir, POLICY_TESTS_SUBDIR);
  let testFiles: Array<{ path: string; content: string }>;
  try {
    testFiles = readPolicyDir(testsDir);
  } catch (error) {
    write(`FAIL: cannot read the policy tests in ${testsDir}: ${(error as Error).message}`);
    return 1;
  }
  if (testFiles.length === 0) {
    write(`FAIL: no policy tests: add cases to ${testsDir}/*.yml`);
    return 1;
  }
  const run = await runPolicyTests({
    policy: loaded.compiled,
    testFiles: testFiles.map((f) => ({ path: path.basename(f.path), content: f.content })),
    baseDir: testsDir,
  });
  printRun(run, write);
  return run.failed === 0 ? 0 : 1;
}

/** Like `opa test`: one line per case, then PASS/FAIL with the count, then the plain totals. */
export function printRun(run: PolicyTestRun, write: (text: string) => void): void {
  for (const r of run.results) {
    if (r.ok) write(`PASS: ${r.file}: ${r.name}`);
    else write(`FAIL: ${r.file}:${r.line}: ${r.name} — ${r.message ?? "failed"}`);
  }
  const total = run.passed + run.failed;
  write("-".repeat(80));
  write(run.failed === 0 ? `PASS: ${run.passed}/${total}` : `FAIL: ${run.failed}/${total}`);
  write(`${run.passed} passed, ${run.failed} failed`);
}

/** Reads, loads and compiles the policy in a folder; errors come formatted as `file:line: key: message`. */
export function loadPolicyDir(dir: string): LoadedPolicyDir {
  let files: Array<{ path: string; content: string }>;
  try {
    files = readPolicyDir(dir);
  } catch (error) {
    return { ok: false, errors: [`${dir}: cannot read the policy folder: ${(error as Error).message}`] };
  }
  if (files.length === 0) {
    return { ok: false, errors: [`${dir}: no policy files: add ${dir}/querygate.yml (see docs/policy.md)`] };
  }
  const result = loadPolicy(files);
  if (!result.ok) return { ok: false, errors: result.errors.map(formatPolicyError) };
  try {
    return { ok: true, policy: result.policy, compiled: compilePolicy(result.policy) };
  } catch (error) {
    return {
      ok: false,
      errors: [`${dir}: the policy loaded but did not compile: ${(error as Error).message}`],
    };
  }
}

export function formatPolicyError(error: PolicyError): string {
  return `${error.file}:${error.line}: ${error.key === "" ? "" : `${error.key}: `}${error.message}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
