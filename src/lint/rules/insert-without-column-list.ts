import type { LintRule } from "../lint-rule.js";
import type { RuleOutput } from "../rule-output.js";
import { modifyingStatementLine, modifyingStatements } from "../tree/statement-trees.js";
import { hasItems, listOf, nodeOf, relationName } from "../tree/tree-node.js";

const fix = (table: string) =>
  `relies on the order of ${table}'s columns, which differs between environments and shifts with migrations, so values can land in the wrong columns: name the columns, e.g. INSERT INTO ${table} (a, b) VALUES …`;

export const insertWithoutColumnList: LintRule = {
  id: "insert-without-column-list",
  level: "warning",
  summary: "INSERT (or MERGE … INSERT) with values but no column list depends on column order",
  check({ statement }) {
    const findings: RuleOutput = [];
    for (const modifying of modifyingStatements(statement)) {
      const { type, node } = modifying;
      const table = relationName(node.relation);
      const line = modifyingStatementLine(statement, modifying);
      // DEFAULT VALUES has neither a column list nor values: nothing depends on order.
      if (type === "InsertStmt" && !hasItems(node.cols) && node.selectStmt !== undefined) {
        findings.push({ message: `INSERT INTO ${table} without a column list ${fix(table)}`, line });
      }
      if (type === "MergeStmt") {
        const positional = listOf(node.mergeWhenClauses).some((item) => {
          const when = nodeOf(item, "MergeWhenClause");
          return when?.commandType === "CMD_INSERT" && !hasItems(when.targetList) && hasItems(when.values);
        });
        if (positional)
          findings.push({
            message: `MERGE INTO ${table} … INSERT VALUES without a column list ${fix(table)}`,
            line,
          });
      }
    }
    return findings;
  },
};
