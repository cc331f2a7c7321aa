import {
  type EvaluateRequestFileParams,
  evaluateRequestFile,
  type RequestFileEvaluation,
} from "../../src/plan-pull-request/evaluate-request-file.js";
import { type CompiledPolicy, compilePolicy } from "../../src/policy/evaluate/compile-policy.js";
import { loadPolicy } from "../../src/policy/load/load-policy.js";
import type { Policy } from "../../src/policy/policy-types.js";
import { POLICY_FILE } from "./builders/policy-model.js";

/** Loads one policy file's text as `policies/querygate.yml`; throws with every error when it is invalid. */
export function loadPolicyText(text: string): Policy {
  const loaded = loadPolicy([{ path: POLICY_FILE, content: text }]);
  if (!loaded.ok)
    throw new Error(
      `expected a valid policy:\n${loaded.errors.map((e) => `${e.line}: ${e.key}: ${e.message}`).join("\n")}`,
    );
  return loaded.policy;
}

/** loadPolicyText, compiled. */
export function compilePolicyText(text: string): CompiledPolicy {
  return compilePolicy(loadPolicyText(text));
}

/**
 * evaluateRequestFile for a pull request by alice (a user, no labels): what varies between tests is
 * the policy, the file, the time and, for YAML requests, the actions.
 */
export function evaluateFile(
  p: Pick<EvaluateRequestFileParams, "policy" | "path" | "now"> &
    Partial<EvaluateRequestFileParams> & { text: string },
): Promise<RequestFileEvaluation> {
  const { text, ...rest } = p;
  return evaluateRequestFile({
    content: Buffer.from(text),
    author: "alice",
    actor: "user",
    labels: [],
    ...rest,
  });
}
