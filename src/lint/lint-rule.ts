import type { LiveStatementFacts } from "../sql/live-facts.js";
import type { Statement } from "../sql/statement.js";

export type LintLevel = "error" | "warning" | "notice";

/** One review finding on one statement. */
export interface Finding {
  rule: string;
  level: LintLevel;
  message: string;
  /** 1-based line in the request file. */
  line: number;
}

export interface LintContext {
  statement: Statement;
  /** Facts looked up on the target, when a connection was configured; null otherwise. */
  live: LiveStatementFacts | null;
}

/** A review rule: pure, over one statement's facts and parse tree. */
export interface LintRule {
  id: string;
  level: LintLevel;
  /** One line for docs and `querygate analyze --rules`. */
  summary: string;
  /** Messages say what is wrong and how to fix it. A line defaults to the statement's first line. */
  check(context: LintContext): Array<{ message: string; line?: number }>;
}
