import {
  INVALID_REQUEST_RULE,
  type RequestFileEvaluation,
} from "../plan-pull-request/evaluate-request-file.js";
import type { Decision, RequirementSpec } from "../policy/policy-types.js";
import { closestName } from "../yaml/closest-name.js";
import type { PolicyTestExpectation } from "./parse-policy-tests.js";
import type { SimulatedApprovals } from "./simulate-approvals.js";

/** How many of the decision's requirement ids a mismatch message lists before "…". */
const MAX_LISTED_REQUIREMENTS = 8;

/** Every way the evaluation differs from what the case expects; empty when the case passes. */
export function compareExpectations(p: {
  expect: PolicyTestExpectation;
  evaluation: RequestFileEvaluation;
  simulated: SimulatedApprovals;
}): string[] {
  const { expect, evaluation, simulated } = p;
  const decision = evaluation.decision;
  const mismatches: string[] = [];
  if (simulated.outcome !== expect.decision) {
    mismatches.push(`expected ${expect.decision}, got ${simulated.outcome}${why(evaluation, simulated)}`);
  }
  for (const [key, expected] of Object.entries(expect.missing)) {
    const found = findRequirements(decision.requirements, key);
    if (found.length === 0) {
      mismatches.push(`expect.missing: no requirement matches "${key}"${listRequirements(decision)}`);
    } else if (found.length > 1) {
      mismatches.push(
        `expect.missing: "${key}" matches ${found.length} requirements (${found.map((r) => r.id).join(", ")}): use one's full id`,
      );
    } else {
      const requirement = found[0] as RequirementSpec;
      const status = simulated.statuses.find((s) => s.id === requirement.id);
      const actual = status?.missing ?? requirement.count;
      if (actual !== expected) {
        const by =
          status && status.satisfiedBy.length > 0 ? ` (approved by ${status.satisfiedBy.join(", ")})` : "";
        mismatches.push(`${requirement.id}: expected ${expected} missing, got ${actual}${by}`);
      }
    }
  }
  if (expect.deniedBy !== null) {
    const rules = denyingRules(evaluation);
    if (!rules.includes(expect.deniedBy)) {
      mismatches.push(
        `expected a denial by rule ${expect.deniedBy}, got ${rules.length === 0 ? "no denial" : `denials by ${rules.join(", ")}`}`,
      );
    }
  }
  const ids = decision.requirements.map((r) => r.id);
  for (const id of expect.requirementsInclude) {
    if (ids.includes(id)) continue;
    const hint = closestName(id, ids);
    mismatches.push(
      `expected requirement ${id}${hint ? ` (did you mean ${hint}?)` : ""}, not in the decision${listRequirements(decision)}`,
    );
  }
  return mismatches;
}

/** The rules behind a denial; an invalid request file is denied by INVALID_REQUEST_RULE. */
export function denyingRules(evaluation: RequestFileEvaluation): string[] {
  if (!evaluation.ok) return [INVALID_REQUEST_RULE];
  const rules = evaluation.decision.statements.flatMap((s) => s.denials.map((d) => d.rule));
  return [...new Set(rules)];
}

/** A requirement by exact id, else every requirement whose id or label contains the key. */
function findRequirements(requirements: RequirementSpec[], key: string): RequirementSpec[] {
  const exact = requirements.filter((r) => r.id === key);
  if (exact.length > 0) return exact;
  const lower = key.toLowerCase();
  return requirements.filter(
    (r) => r.id.toLowerCase().includes(lower) || r.label.toLowerCase().includes(lower),
  );
}

function why(evaluation: RequestFileEvaluation, simulated: SimulatedApprovals): string {
  if (!evaluation.ok) {
    const first = evaluation.errors[0];
    return first ? ` (line ${first.line}: ${first.message})` : "";
  }
  if (simulated.outcome === "denied") {
    const rules = denyingRules(evaluation);
    return rules.length > 0 ? ` (rule ${rules.join(", ")})` : "";
  }
  if (simulated.outcome === "needs_approval") {
    const missing = simulated.statuses.filter((s) => s.missing > 0).map((s) => `${s.id} ${s.missing}`);
    return missing.length > 0 ? ` (missing: ${missing.join(", ")})` : "";
  }
  return "";
}

function listRequirements(decision: Decision): string {
  const ids = decision.requirements.map((r) => r.id);
  if (ids.length === 0) return " (the decision has no requirements)";
  const listed = ids.slice(0, MAX_LISTED_REQUIREMENTS).join(", ");
  return ` (requirements: ${listed}${ids.length > MAX_LISTED_REQUIREMENTS ? ", …" : ""})`;
}
