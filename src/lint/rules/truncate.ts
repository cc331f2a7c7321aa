import type { LintRule } from "../lint-rule.js";
import { topLevelStatement } from "../tree/statement-trees.js";
import { listOf, relationName } from "../tree/tree-node.js";

export const truncate: LintRule = {
  id: "truncate",
  level: "error",
  summary: "TRUNCATE empties whole tables, fires no DELETE triggers and takes an ACCESS EXCLUSIVE lock",
  check({ statement }) {
    const top = topLevelStatement(statement);
    if (top.type !== "TruncateStmt") return [];
    const tables = listOf(top.node.relations).map(relationName).join(", ");
    return [
      {
        message: `TRUNCATE ${tables} removes every row at once, fires no DELETE triggers and blocks all reads and writes while it runs: to remove some rows use DELETE … WHERE; if emptying the table is intended, have the policy lower this rule for the request`,
      },
    ];
  },
};
