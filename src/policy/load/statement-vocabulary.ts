import { ALL_RULES } from "../../lint/rules/index.js";
import type { ObjectOperation } from "../../sql/statement.js";

const OPERATION_SET: Record<ObjectOperation, true> = {
  read: true,
  insert: true,
  update: true,
  delete: true,
  merge: true,
  truncate: true,
  alter: true,
  create: true,
  drop: true,
  grant: true,
};
/** Every ObjectOperation (the Record above fails to compile when the union grows). */
export const OBJECT_OPERATIONS = Object.keys(OPERATION_SET) as ObjectOperation[];

/**
 * The flags the analyser sets (docs/analysis.md). A flag condition with a typo would silently never match, so
 * unknown flags are refused; a new analyser flag must be added here before a policy can name it.
 */
export const STATEMENT_FLAGS = [
  "estimate_unknown",
  "explain_only",
  "fk_cascade",
  "has_rules",
  "has_triggers",
  "live_lookup_failed",
  "no_where",
  "row_level_security",
  "set_returning_function",
  "unknown_function",
  "unknown_operator",
  "unknown_relation",
  "view",
] as const;

export const REVIEW_RULE_IDS: readonly string[] = ALL_RULES.map((rule) => rule.id);
