import type { Decision, RequirementSpec, StatementDecision } from "../policy-types.js";
import { describeNeed } from "./describe-decision.js";
import { requestOutcome } from "./evaluate-policy.js";
import { RequirementMerger } from "./merge-requirements.js";

/**
 * Several request files of one pull request, plus requirements of the pull request itself (the policy owners'
 * when it changes the policy), as one decision. Statements are concatenated; requirement `statements` become
 * positions in the combined list, and identical requirements merge.
 */
export function combineDecisions(decisions: Decision[], extra: RequirementSpec[] = []): Decision {
  const merger = new RequirementMerger();
  const statements: StatementDecision[] = [];
  const summary: string[] = [];
  const prefix = decisions.length > 1;
  for (const decision of decisions) {
    const offset = statements.length;
    const renamed = new Map<string, string>();
    for (const r of decision.requirements) {
      renamed.set(
        r.id,
        merger.addSpec(
          r,
          r.statements.map((s) => s + offset),
        ),
      );
    }
    for (const s of decision.statements) {
      statements.push({ ...s, requirements: s.requirements.map((id) => renamed.get(id) ?? id) });
    }
    const path = decision.statements[0]?.path;
    for (const line of decision.summary) summary.push(prefix && path ? `${path}: ${line}` : line);
  }
  for (const r of extra) {
    merger.addSpec(r, r.statements);
    summary.push(`The pull request ${describeNeed(r)}`);
  }
  // A file's own denial (one without statements, say) stands even where no statement carries it.
  const outcome = decisions.some((d) => d.outcome === "denied")
    ? "denied"
    : decisions.some((d) => d.outcome !== "auto")
      ? "needs_approval"
      : requestOutcome(statements, extra.length);
  return { outcome, statements, requirements: merger.specs(), summary };
}
