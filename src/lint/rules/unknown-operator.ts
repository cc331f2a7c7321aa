import type { LintRule } from "../lint-rule.js";

const UNKNOWN_OPERATOR_FLAG = "unknown_operator";

export const unknownOperator: LintRule = {
  id: "unknown-operator",
  level: "notice",
  summary: "uses an operator that is not one of PostgreSQL's built-ins",
  check({ statement }) {
    if (!statement.flags.includes(UNKNOWN_OPERATOR_FLAG)) return [];
    return [
      {
        message:
          "uses an operator that is not one of PostgreSQL's built-ins (or one from another schema): a user-defined operator runs an arbitrary function, so check what it does before approving, or rewrite the condition with built-in operators",
      },
    ];
  },
};
