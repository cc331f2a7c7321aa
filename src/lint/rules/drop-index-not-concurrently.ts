import type { LintRule } from "../lint-rule.js";
import { topLevelStatement } from "../tree/statement-trees.js";
import { listOf, nameParts, nodeOf } from "../tree/tree-node.js";

export const dropIndexNotConcurrently: LintRule = {
  id: "drop-index-not-concurrently",
  level: "warning",
  summary: "DROP INDEX without CONCURRENTLY locks the table against reads and writes",
  check({ statement }) {
    const { type, node } = topLevelStatement(statement);
    if (type !== "DropStmt" || node.removeType !== "OBJECT_INDEX" || node.concurrent === true) return [];
    const names = listOf(node.objects)
      .map((item) => nameParts(nodeOf(item, "List")?.items).join("."))
      .join(", ");
    return [
      {
        message: `DROP INDEX ${names} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the index's table, blocking its reads and writes (and queueing behind running queries): use DROP INDEX CONCURRENTLY, one index per statement, outside a transaction block`,
      },
    ];
  },
};
