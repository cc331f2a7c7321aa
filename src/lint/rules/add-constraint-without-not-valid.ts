import type { LintRule } from "../lint-rule.js";
import type { RuleOutput } from "../rule-output.js";
import { alterTableCommands } from "../tree/alter-table-commands.js";
import { lineAtLocation } from "../tree/node-line.js";
import { nodeOf } from "../tree/tree-node.js";

/** Constraint types PostgreSQL can add NOT VALID and validate later without a blocking lock. */
const VALIDATABLE_CONSTRAINTS: Readonly<Record<string, string>> = {
  CONSTR_FOREIGN: "FOREIGN KEY",
  CONSTR_CHECK: "CHECK",
};

export const addConstraintWithoutNotValid: LintRule = {
  id: "add-constraint-without-not-valid",
  level: "warning",
  summary: "ADD CONSTRAINT … FOREIGN KEY or CHECK without NOT VALID scans the table while blocking writes",
  check({ statement }) {
    const alter = alterTableCommands(statement);
    const findings: RuleOutput = [];
    for (const command of alter?.commands ?? []) {
      if (command.subtype !== "AT_AddConstraint") continue;
      const constraint = nodeOf(command.def, "Constraint");
      const kind = VALIDATABLE_CONSTRAINTS[String(constraint?.contype)];
      if (!constraint || !kind || constraint.skip_validation === true) continue;
      const name = typeof constraint.conname === "string" ? `${constraint.conname} ` : "";
      findings.push({
        message: `ADD CONSTRAINT ${name}${kind} on ${alter?.table} checks every existing row while holding a lock that blocks writes${kind === "FOREIGN KEY" ? " (on both tables)" : ""}: add it with NOT VALID, then run ALTER TABLE ${alter?.table} VALIDATE CONSTRAINT … as a separate statement, which does not block writes`,
        line: lineAtLocation(statement, constraint.location),
      });
    }
    return findings;
  },
};
