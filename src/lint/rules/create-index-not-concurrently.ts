import type { LintRule } from "../lint-rule.js";
import { topLevelStatement } from "../tree/statement-trees.js";
import { relationName } from "../tree/tree-node.js";

export const createIndexNotConcurrently: LintRule = {
  id: "create-index-not-concurrently",
  level: "warning",
  summary: "CREATE INDEX without CONCURRENTLY blocks writes to the table until the index is built",
  check({ statement }) {
    const { type, node } = topLevelStatement(statement);
    if (type !== "IndexStmt" || node.concurrent === true) return [];
    const table = relationName(node.relation);
    return [
      {
        message: `CREATE INDEX on ${table} without CONCURRENTLY blocks every INSERT, UPDATE and DELETE on ${table} until the index is built: use CREATE INDEX CONCURRENTLY (it cannot run inside a transaction block; if it fails, drop the INVALID index it leaves and retry)`,
      },
    ];
  },
};
