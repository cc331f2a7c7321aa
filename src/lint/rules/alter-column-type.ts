import type { LintRule } from "../lint-rule.js";
import type { RuleOutput } from "../rule-output.js";
import { alterTableCommands } from "../tree/alter-table-commands.js";
import { lineAtLocation } from "../tree/node-line.js";
import { nodeOf } from "../tree/tree-node.js";

export const alterColumnType: LintRule = {
  id: "alter-column-type",
  level: "warning",
  summary: "ALTER COLUMN … TYPE usually rewrites the table and its indexes under an ACCESS EXCLUSIVE lock",
  check({ statement }) {
    const alter = alterTableCommands(statement);
    const findings: RuleOutput = [];
    for (const command of alter?.commands ?? []) {
      if (command.subtype !== "AT_AlterColumnType") continue;
      findings.push({
        message: `changing the type of ${alter?.table}.${String(command.name)} rewrites the table and rebuilds its indexes (unless the types are binary-compatible, e.g. varchar(n) to text) while blocking all reads and writes: add a new column, backfill it in batches, then switch readers and writers over`,
        line: lineAtLocation(statement, nodeOf(command.def, "ColumnDef")?.location),
      });
    }
    return findings;
  },
};
