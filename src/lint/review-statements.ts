import type { LiveStatementFacts } from "../sql/live-facts.js";
import { escalateWithLiveFacts } from "../sql/postgres/live/apply-live-facts.js";
import type { Statement } from "../sql/statement.js";
import type { Finding, LintLevel } from "./lint-rule.js";
import { runLint } from "./run-lint.js";

export interface ReviewedStatement extends Statement {
  findings: Finding[];
  live: LiveStatementFacts | null;
}

export interface ReviewStatementsParams {
  statements: Statement[];
  /** One entry per statement when the target was consulted; null when no connection was configured. */
  live: LiveStatementFacts[] | null;
  /** Rule levels the policy raises, lowers or turns off. */
  overrides?: Record<string, LintLevel | "off">;
}

/** Pure: escalate each statement with what the target said, then run the review rules over it. */
export function reviewStatements({
  statements,
  live,
  overrides,
}: ReviewStatementsParams): ReviewedStatement[] {
  const escalated = statements.map((s, i) => {
    const facts = live?.[i];
    return facts ? escalateWithLiveFacts(s, facts) : s;
  });
  const findings = runLint({ statements: escalated, live, overrides });
  return escalated.map((s, i) => {
    const reviewed: ReviewedStatement = {
      index: s.index,
      text: s.text,
      kind: s.kind,
      class: s.class,
      reasons: s.reasons,
      flags: s.flags,
      objects: s.objects,
      functions: s.functions,
      facts: s.facts,
      span: s.span,
      ast: s.ast,
      findings: findings[i] ?? [],
      live: live?.[i] ?? null,
    };
    // As in the dialect: the tree stays in this process, out of JSON.
    Object.defineProperty(reviewed, "ast", { enumerable: false });
    return reviewed;
  });
}
