import type { LintRule } from "../lint-rule.js";
import type { RuleOutput } from "../rule-output.js";
import { lineAtLocation } from "../tree/node-line.js";
import { selectArms } from "../tree/select-arms.js";
import { executedStatement, modifyingStatements } from "../tree/statement-trees.js";
import { relationName, typedNode } from "../tree/tree-node.js";
import { truthOf } from "../tree/truth-value.js";

export const tautologicalWhere: LintRule = {
  id: "tautological-where",
  level: "error",
  summary: "WHERE (or MERGE … ON) that is always true, e.g. 1 = 1, true, x = x, or an OR with such an arm",
  check({ statement }) {
    const findings: RuleOutput = [];
    const report = (condition: unknown, message: string) => {
      if (truthOf(condition) !== "true") return;
      findings.push({ message, line: lineAtLocation(statement, typedNode(condition)?.node.location) });
    };
    for (const { type, node } of modifyingStatements(statement)) {
      const table = relationName(node.relation);
      if (type === "UpdateStmt" || type === "DeleteStmt") {
        const verb = type === "UpdateStmt" ? "UPDATE" : "DELETE";
        report(
          node.whereClause,
          `the WHERE of this ${verb} on ${table} is always true, so it reaches every row of ${table}: replace it with a condition that selects only the intended rows (usually by primary key)`,
        );
      } else if (type === "MergeStmt") {
        report(
          node.joinCondition,
          `MERGE INTO ${table} … ON is always true, so every source row matches every row of ${table}: join on a key, e.g. ON ${table}.id = source.id`,
        );
      }
    }
    const executed = executedStatement(statement);
    if (executed.type === "SelectStmt") {
      for (const arm of selectArms(executed.node)) {
        report(
          arm.whereClause,
          "this SELECT's WHERE is always true, so it filters nothing and returns every row: replace it with the condition you meant, or remove it and add a LIMIT",
        );
      }
    }
    return findings;
  },
};
