import type { LiveStatementFacts } from "../../sql/live-facts.js";
import { walkNodes } from "../../sql/postgres/walk-tree.js";
import { functionVolatility } from "../function-volatility.js";
import type { LintRule } from "../lint-rule.js";
import type { RuleOutput } from "../rule-output.js";
import { alterTableCommands } from "../tree/alter-table-commands.js";
import { lineAtLocation } from "../tree/node-line.js";
import { isNode, listOf, type Node, nameParts, nodeOf } from "../tree/tree-node.js";

/** Column types whose implicit default is nextval(): adding such a column numbers every existing row. */
export const SERIAL_TYPES: ReadonlySet<string> = new Set([
  "serial",
  "bigserial",
  "smallserial",
  "serial2",
  "serial4",
  "serial8",
]);

const REWRITE_FIX =
  "add the column without a default (or with a constant one), backfill it in batches (UPDATE … WHERE id BETWEEN …), then ALTER COLUMN … SET DEFAULT for new rows";

type PerRowDefault = { volatile: true; cause: string } | { volatile: "unknown"; fn: string };

export const addColumnVolatileDefault: LintRule = {
  id: "add-column-volatile-default",
  level: "warning",
  summary:
    "ADD COLUMN whose default is volatile (random(), clock_timestamp(), nextval, serial, identity) rewrites the table",
  check({ statement, live }) {
    const alter = alterTableCommands(statement);
    const findings: RuleOutput = [];
    for (const command of alter?.commands ?? []) {
      const column = command.subtype === "AT_AddColumn" ? nodeOf(command.def, "ColumnDef") : undefined;
      const perRow = column ? perRowDefault(column, live) : null;
      if (!column || !perRow) continue;
      const name = `${alter?.table}.${String(column.colname)}`;
      findings.push({
        message:
          perRow.volatile === true
            ? `ADD COLUMN ${name} ${perRow.cause}, so PostgreSQL computes a value for every existing row and rewrites the whole table under an ACCESS EXCLUSIVE lock: ${REWRITE_FIX}`
            : `ADD COLUMN ${name} has a DEFAULT calling ${perRow.fn}(), whose volatility querygate does not know (functions are VOLATILE unless declared otherwise); if it is volatile, PostgreSQL rewrites the whole table under an ACCESS EXCLUSIVE lock: check it on the target (or analyse with a database connection), or ${REWRITE_FIX}`,
        line: lineAtLocation(statement, column.location),
      });
    }
    return findings;
  },
};

/** Why the new column's default is computed row by row, or null when it is computed once (or there is none). */
function perRowDefault(column: Node, live: LiveStatementFacts | null): PerRowDefault | null {
  const type = (
    nameParts(isNode(column.typeName) ? column.typeName.names : undefined).pop() ?? ""
  ).toLowerCase();
  if (SERIAL_TYPES.has(type)) return { volatile: true, cause: `is ${type}, whose default is nextval()` };
  let unknown: PerRowDefault | null = null;
  for (const item of listOf(column.constraints)) {
    const constraint = nodeOf(item, "Constraint");
    if (constraint?.contype === "CONSTR_IDENTITY") {
      return { volatile: true, cause: "is an identity column, numbered with nextval()" };
    }
    if (constraint?.contype !== "CONSTR_DEFAULT") continue;
    // A default is a small expression: walking it in full is cheap.
    for (const { type: nodeType, node } of walkNodes(constraint.raw_expr)) {
      if (nodeType !== "FuncCall") continue;
      const called = nameParts(node.funcname).join(".").toLowerCase();
      const volatility = functionVolatility(called, live);
      if (volatility === "volatile")
        return { volatile: true, cause: `has a DEFAULT calling ${called}(), which is volatile` };
      if (volatility === "unknown") unknown ??= { volatile: "unknown", fn: called };
    }
  }
  return unknown;
}
