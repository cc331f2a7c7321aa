import type { PolicyChangeReport } from "../plan-pull-request/pull-request-plan.js";
import { compilePolicy } from "../policy/evaluate/compile-policy.js";
import { loadPolicy } from "../policy/load/load-policy.js";
import { loadActions } from "../requests/actions/load-actions.js";
import { runPolicyTests } from "./run-policy-tests.js";

type Files = Array<{ path: string; content: string; blobSha: string }>;

/**
 * Pure (no I/O): validates a pull request's own policies/ and actions/ and runs its policy tests, so a broken
 * policy is never merged unseen.
 */
export async function validateProposedPolicy(p: {
  policy: Files;
  actions: Files;
  tests: Files;
  now: Date;
}): Promise<PolicyChangeReport> {
  const result = loadPolicy(p.policy);
  // The pull request's actions are checked too: an action enters through review, like the policy.
  const loadedActions = loadActions(p.actions);
  const actionErrors = loadedActions.ok ? [] : loadedActions.errors;
  if (!result.ok) return { errors: [...result.errors, ...actionErrors], tests: null };
  if (p.tests.length === 0) return { errors: actionErrors, tests: null };
  const run = await runPolicyTests({
    policy: compilePolicy(result.policy),
    testFiles: p.tests,
    baseDir: ".",
    now: p.now,
  });
  return {
    errors: actionErrors,
    tests: {
      passed: run.passed,
      failed: run.failed,
      failures: run.results
        .filter((r) => !r.ok)
        .map((r) => ({ file: r.file, line: r.line, name: r.name, message: r.message ?? "failed" })),
    },
  };
}
