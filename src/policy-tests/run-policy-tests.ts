/**
 * Policy tests: example requests with the decision the policy must reach, run by `querygate policy test`.
 *
 * Files: `policies/tests/*.yml` (directly in the folder). Each holds:
 *
 * ```yaml
 * teams:                          # optional: team members shared by every case in the file
 *   dba: [dana, dmitri]           #   a bare slug stands for a team of that slug in any organisation;
 *   acme/privacy: [pia]           #   `org/slug` (or `@org/slug`) for that organisation only
 * cases:
 *   - name: a prod write with one DBA approval still needs another   # required, unique in the file
 *     request: |                  # required: the request file — SQL with its `-- key: value` header…
 *       -- target: orders-prod
 *       -- reason: fix order 42
 *       UPDATE orders SET status = 'shipped' WHERE id = 42;
 *     # request: { file: requests/fix.sql }   # …or a file, relative to the tests folder
 *     path: queries/fix.sql       # optional, inline requests only: the path the policy sees
 *                                 #   (default queries/policy-test.sql)
 *     author: alice               # optional, default "requester"; never counts as an approver
 *     actor: user                 # optional: user | bot | agent (default user)
 *     labels: [urgent]            # optional pull request labels
 *     params: { order_id: 42 }    # optional request parameters
 *     approved_by: [dana]         # optional: who approved (the author is dropped)
 *     teams: { dba: [dana] }      # optional: members for this case, over the file's `teams`
 *     now: 2025-03-04T10:00:00Z   # optional evaluation time (default: the runner's `now`, else the clock)
 *     expect:
 *       decision: needs_approval  # required: approved | needs_approval | denied | auto
 *       missing:                  # optional: approvals still missing per requirement, keyed by its id
 *         prod-writes-need-two-dbas: 1   #   or a substring of exactly one requirement's id or label
 *       denied_by: no-ddl-in-prod # optional, with decision: denied — a rule that denies a statement
 *                                 #   (`invalid-request` when the request file itself is invalid)
 *       requirements_include: [rule:prod-writes-need-two-dbas]   # optional: requirement ids present
 * ```
 *
 * "approved" means the policy asks for approvals and the simulated ones satisfy every requirement; a team
 * no case or file describes has unknown membership and satisfies nothing. Validation is strict: unknown keys
 * (with a did-you-mean), wrong types and duplicate names are failures at their file and line; an invalid
 * case fails and the file's other cases still run.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { RequestFileEvaluation } from "../plan-pull-request/evaluate-request-file.js";
import { type DecisionPlan, planDecision } from "../plan-pull-request/plan-decision.js";
import type { CompiledPolicy } from "../policy/evaluate/compile-policy.js";
import { compareExpectations } from "./compare-expectations.js";
import { type PolicyTestCase, parsePolicyTests } from "./parse-policy-tests.js";
import { simulateApprovals } from "./simulate-approvals.js";

/** Largest request file a case may point at, as for request files in pull requests. */
export const MAX_TEST_REQUEST_BYTES = 1024 * 1024;
/** The case name reported for a problem that belongs to the file, not to one case. */
export const FILE_PROBLEM_NAME = "(test file)";

export interface PolicyTestResult {
  file: string;
  name: string;
  line: number;
  ok: boolean;
  message?: string;
}

export interface PolicyTestRun {
  results: PolicyTestResult[];
  passed: number;
  failed: number;
}

export async function runPolicyTests(p: {
  policy: CompiledPolicy;
  testFiles: Array<{ path: string; content: string }>;
  /** Folder that `request: { file }` paths are relative to. */
  baseDir: string;
  /** Evaluation time of cases without `now:`; default the clock. */
  now?: Date;
}): Promise<PolicyTestRun> {
  const results: PolicyTestResult[] = [];
  for (const file of p.testFiles) {
    const { cases, problems } = parsePolicyTests(file);
    // One failure per invalid case (all its problems, each with its line), one per problem of the file itself.
    const invalidCases = new Map<number, PolicyTestResult>();
    for (const problem of problems) {
      const key = problem.key === "" ? "" : `${problem.key}: `;
      if (problem.inCase === null) {
        results.push({
          file: file.path,
          name: FILE_PROBLEM_NAME,
          line: problem.line,
          ok: false,
          message: `${key}${problem.message}`,
        });
        continue;
      }
      const message = `line ${problem.line}: ${key}${problem.message}`;
      const invalid = invalidCases.get(problem.inCase.index);
      if (invalid) invalid.message = `${invalid.message}; ${message}`;
      else {
        const result = {
          file: file.path,
          name: problem.inCase.name,
          line: problem.inCase.line,
          ok: false,
          message,
        };
        invalidCases.set(problem.inCase.index, result);
        results.push(result);
      }
    }
    for (const testCase of cases) {
      results.push(
        await runCase({ policy: p.policy, file: file.path, testCase, baseDir: p.baseDir, now: p.now }),
      );
    }
  }
  // File order, then line order: an invalid case reads where it is written.
  const order = new Map(p.testFiles.map((f, i) => [f.path, i]));
  results.sort((a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) || a.line - b.line);
  const passed = results.filter((r) => r.ok).length;
  return { results, passed, failed: results.length - passed };
}

async function runCase(p: {
  policy: CompiledPolicy;
  file: string;
  testCase: PolicyTestCase;
  baseDir: string;
  now: Date | undefined;
}): Promise<PolicyTestResult> {
  const { testCase } = p;
  const base = { file: p.file, name: testCase.name, line: testCase.line };
  const request = readRequest(testCase, p.baseDir);
  if (!request.ok) return { ...base, ok: false, message: request.message };
  let decided: DecisionPlan;
  try {
    decided = await planDecision({
      policy: p.policy,
      files: [{ path: request.path, content: request.content }],
      changesPolicy: false,
      author: testCase.author,
      actor: testCase.actor,
      labels: testCase.labels,
      params: testCase.params,
      now: testCase.now ?? p.now ?? new Date(),
    });
  } catch (error) {
    return { ...base, ok: false, message: `evaluation failed: ${(error as Error).message}` };
  }
  const evaluation = { ...(decided.evaluations[0] as RequestFileEvaluation), decision: decided.decision };
  const simulated = simulateApprovals({
    decided,
    author: testCase.author,
    approvedBy: testCase.approvedBy,
    teams: testCase.teams,
  });
  const mismatches = compareExpectations({ expect: testCase.expect, evaluation, simulated });
  return mismatches.length === 0
    ? { ...base, ok: true }
    : { ...base, ok: false, message: mismatches.join("; ") };
}

function readRequest(
  testCase: PolicyTestCase,
  baseDir: string,
): { ok: true; path: string; content: Uint8Array } | { ok: false; message: string } {
  if (testCase.request.kind === "inline") {
    return { ok: true, path: testCase.request.path, content: Buffer.from(testCase.request.text, "utf8") };
  }
  const file = testCase.request.file;
  let content: Buffer;
  try {
    content = readFileSync(path.resolve(baseDir, file));
  } catch (error) {
    return {
      ok: false,
      message: `request.file: cannot read ${file} (relative to ${baseDir}): ${(error as Error).message}`,
    };
  }
  if (content.byteLength > MAX_TEST_REQUEST_BYTES) {
    return {
      ok: false,
      message: `request.file: ${file} is ${content.byteLength} bytes, over the limit of ${MAX_TEST_REQUEST_BYTES}`,
    };
  }
  return { ok: true, path: path.posix.normalize(file), content };
}
