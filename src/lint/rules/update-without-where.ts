import type { LintRule } from "../lint-rule.js";
import type { RuleOutput } from "../rule-output.js";
import { modifyingStatementLine, modifyingStatements } from "../tree/statement-trees.js";
import { relationName } from "../tree/tree-node.js";

export const updateWithoutWhere: LintRule = {
  id: "update-without-where",
  level: "error",
  summary: "UPDATE without WHERE changes every row of its table",
  check({ statement }) {
    const findings: RuleOutput = [];
    for (const modifying of modifyingStatements(statement)) {
      if (modifying.type !== "UpdateStmt" || modifying.node.whereClause) continue;
      const table = relationName(modifying.node.relation);
      findings.push({
        message: `UPDATE ${table} has no WHERE, so it changes every row of ${table}: add a WHERE that selects only the rows to change (e.g. WHERE id = …); if every row must change, have the policy lower this rule for the request`,
        line: modifyingStatementLine(statement, modifying),
      });
    }
    return findings;
  },
};
