import type { LintRule } from "../lint-rule.js";
import type { RuleOutput } from "../rule-output.js";
import { modifyingStatementLine, modifyingStatements } from "../tree/statement-trees.js";
import { relationName } from "../tree/tree-node.js";

export const deleteWithoutWhere: LintRule = {
  id: "delete-without-where",
  level: "error",
  summary: "DELETE without WHERE removes every row of its table",
  check({ statement }) {
    const findings: RuleOutput = [];
    for (const modifying of modifyingStatements(statement)) {
      if (modifying.type !== "DeleteStmt" || modifying.node.whereClause) continue;
      const table = relationName(modifying.node.relation);
      findings.push({
        message: `DELETE FROM ${table} has no WHERE, so it removes every row of ${table}: add a WHERE that selects only the rows to remove (e.g. WHERE id = …); if every row must go, have the policy lower this rule for the request`,
        line: modifyingStatementLine(statement, modifying),
      });
    }
    return findings;
  },
};
