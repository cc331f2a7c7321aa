import type { LintRule } from "./lint-rule.js";

/** What a rule's check returns: messages, each with an optional absolute line. */
export type RuleOutput = ReturnType<LintRule["check"]>;
