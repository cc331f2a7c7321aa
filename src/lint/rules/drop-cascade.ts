import type { LintRule } from "../lint-rule.js";
import { topLevelStatement } from "../tree/statement-trees.js";
import { listOf, nodeOf } from "../tree/tree-node.js";

const CASCADE = "DROP_CASCADE";

/** What CASCADE extends, by statement kind, for the message. */
const CASCADED_ACTION: Readonly<Record<string, string>> = {
  DropStmt: "DROP … CASCADE also drops every object that depends on what it drops (views, foreign keys, …)",
  TruncateStmt:
    "TRUNCATE … CASCADE also empties every table with a foreign key to it, and the tables referencing those",
  GrantStmt: "REVOKE … CASCADE also revokes every privilege the grantee passed on to others",
  AlterTableStmt:
    "ALTER TABLE … DROP … CASCADE also drops every object that depends on the dropped column or constraint",
  DropOwnedStmt: "DROP OWNED … CASCADE also drops every object that depends on the role's objects",
};

export const dropCascade: LintRule = {
  id: "drop-cascade",
  level: "error",
  summary:
    "CASCADE on DROP, ALTER TABLE … DROP, TRUNCATE or REVOKE reaches objects the statement does not name",
  check({ statement }) {
    const { type, node } = topLevelStatement(statement);
    const cascades =
      node.behavior === CASCADE ||
      (type === "AlterTableStmt" &&
        listOf(node.cmds).some((cmd) => nodeOf(cmd, "AlterTableCmd")?.behavior === CASCADE));
    if (!cascades) return [];
    const action = CASCADED_ACTION[type] ?? "CASCADE also acts on every object that depends on the named one";
    return [
      {
        message: `${action}, and this review cannot see which: remove CASCADE so PostgreSQL refuses when something depends on it, then deal with each dependent object explicitly`,
      },
    ];
  },
};
