import type { LintRule } from "../lint-rule.js";
import type { RuleOutput } from "../rule-output.js";
import { modifyingStatementLine, modifyingStatements } from "../tree/statement-trees.js";
import { hasItems, listOf, relationName } from "../tree/tree-node.js";

export const updateFromFanOut: LintRule = {
  id: "update-from-fan-out",
  level: "warning",
  summary: "UPDATE … FROM or DELETE … USING: a join decides which rows change, and can multiply or miss them",
  check({ statement }) {
    const findings: RuleOutput = [];
    for (const modifying of modifyingStatements(statement)) {
      const { type, node } = modifying;
      const table = relationName(node.relation);
      const line = modifyingStatementLine(statement, modifying);
      if (type === "UpdateStmt" && hasItems(node.fromClause)) {
        const joined = listOf(node.fromClause).map(relationName).join(", ");
        findings.push({
          message: `UPDATE ${table} … FROM ${joined} joins to decide the new values: when several joined rows match one row of ${table}, an arbitrary one wins, and a missing or loose join condition touches far more rows than intended; update through a subquery on a unique key instead, e.g. SET a = (SELECT … WHERE key = ${table}.key) WHERE ${table}.id IN (SELECT …)`,
          line,
        });
      }
      if (type === "DeleteStmt" && hasItems(node.usingClause)) {
        const joined = listOf(node.usingClause).map(relationName).join(", ");
        findings.push({
          message: `DELETE FROM ${table} USING ${joined} deletes every row of ${table} that some joined row matches, so a missing or loose join condition deletes far more than intended: write it as DELETE FROM ${table} WHERE id IN (SELECT … FROM ${joined} WHERE …)`,
          line,
        });
      }
    }
    return findings;
  },
};
