import type { LintRule } from "../lint-rule.js";
import type { RuleOutput } from "../rule-output.js";
import { alterTableCommands } from "../tree/alter-table-commands.js";

export const setNotNull: LintRule = {
  id: "set-not-null",
  level: "warning",
  summary: "ALTER COLUMN … SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock",
  check({ statement }) {
    const alter = alterTableCommands(statement);
    const findings: RuleOutput = [];
    for (const command of alter?.commands ?? []) {
      if (command.subtype !== "AT_SetNotNull") continue;
      const column = String(command.name);
      findings.push({
        message: `SET NOT NULL on ${alter?.table}.${column} reads every row to check it while holding an ACCESS EXCLUSIVE lock, blocking all reads and writes: first ADD CONSTRAINT ${column}_not_null CHECK (${column} IS NOT NULL) NOT VALID, then VALIDATE CONSTRAINT (no blocking lock), then SET NOT NULL, which uses the valid constraint instead of a scan`,
      });
    }
    return findings;
  },
};
