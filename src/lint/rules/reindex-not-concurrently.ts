import type { LintRule } from "../lint-rule.js";
import { topLevelStatement } from "../tree/statement-trees.js";
import { listOf, nodeOf } from "../tree/tree-node.js";

export const reindexNotConcurrently: LintRule = {
  id: "reindex-not-concurrently",
  level: "warning",
  summary: "REINDEX without CONCURRENTLY blocks writes, and reads that use the index, until it finishes",
  check({ statement }) {
    const { type, node } = topLevelStatement(statement);
    if (type !== "ReindexStmt") return [];
    const concurrent = listOf(node.params).some(
      (param) => nodeOf(param, "DefElem")?.defname === "concurrently",
    );
    if (concurrent) return [];
    return [
      {
        message:
          "REINDEX without CONCURRENTLY blocks writes to the table, and queries that use the index, until every index is rebuilt: use REINDEX (CONCURRENTLY) …, outside a transaction block",
      },
    ];
  },
};
