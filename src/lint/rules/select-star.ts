import type { LintRule } from "../lint-rule.js";
import { lineAtLocation } from "../tree/node-line.js";
import { selectArms } from "../tree/select-arms.js";
import { topLevelStatement } from "../tree/statement-trees.js";
import { listOf, nameParts, nodeOf } from "../tree/tree-node.js";

export const selectStar: LintRule = {
  id: "select-star",
  level: "warning",
  summary: "SELECT * or t.* in the result columns of a top-level SELECT",
  check({ statement }) {
    const top = topLevelStatement(statement);
    if (top.type !== "SelectStmt") return [];
    // Only the result the requester receives: stars in subqueries, CTEs, EXISTS and count(*) return no columns.
    for (const arm of selectArms(top.node)) {
      for (const target of listOf(arm.targetList)) {
        const column = nodeOf(nodeOf(target, "ResTarget")?.val, "ColumnRef");
        const fields = listOf(column?.fields);
        if (!column || !nodeOf(fields[fields.length - 1], "A_Star")) continue;
        const written = [...nameParts(fields), "*"].join(".");
        return [
          {
            message: `SELECT ${written} returns every column, including sensitive ones and any added later, so reviewers cannot see what data leaves the database: name the columns you need`,
            line: lineAtLocation(statement, column.location),
          },
        ];
      }
    }
    return [];
  },
};
