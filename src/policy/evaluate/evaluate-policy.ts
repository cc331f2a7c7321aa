import type { ReviewedStatement } from "../../lint/review-statements.js";
import type { Decision, RequestOutcome, StatementDecision } from "../policy-types.js";
import type { CompiledPolicy } from "./compile-policy.js";
import { evaluateStatement } from "./evaluate-statement.js";
import { RequestContext, type RequestFacts, StatementContext } from "./evaluation-context.js";
import { RequirementMerger } from "./merge-requirements.js";

export const EMPTY_REQUEST_DENIAL = "The request has no statements: there is nothing to approve.";

export interface EvaluateRequestInput {
  /** From compilePolicy(policy). */
  policy: CompiledPolicy;
  request: RequestFacts;
  statements: ReviewedStatement[];
  /** Pure: the clock is passed in. */
  now: Date;
}

/**
 * One request file against the policy: a decision per statement, then the request's. Requirement
 * `statements` are positions in `Decision.statements`.
 */
export function evaluateRequest(input: EvaluateRequestInput): Decision {
  const { policy, request } = input;
  const targets = policy.policy.targets;
  const target = Object.hasOwn(targets, request.target) ? (targets[request.target] ?? null) : null;
  const context = new RequestContext(request, target, input.now);
  const merger = new RequirementMerger();
  const statements: StatementDecision[] = [];
  const summary: string[] = [];
  input.statements.forEach((statement, position) => {
    const evaluation = evaluateStatement({
      policy,
      context: new StatementContext(context, statement),
      path: request.path,
    });
    evaluation.decision.requirements = evaluation.requirements.map((r) => merger.add(r, [position]));
    statements.push(evaluation.decision);
    summary.push(...evaluation.summary);
  });
  if (statements.length === 0) summary.push(EMPTY_REQUEST_DENIAL);
  return {
    outcome: statements.length === 0 ? "denied" : requestOutcome(statements, 0),
    statements,
    requirements: merger.specs(),
    summary,
  };
}

/** Denied if any statement is; auto only if there is something and all of it is auto with nothing else required. */
export function requestOutcome(statements: StatementDecision[], extraRequirements: number): RequestOutcome {
  if (statements.some((s) => s.outcome === "denied")) return "denied";
  if (statements.length > 0 && extraRequirements === 0 && statements.every((s) => s.outcome === "auto"))
    return "auto";
  return "needs_approval";
}
