import type { Statement } from "../../sql/statement.js";
import { topLevelStatement } from "./statement-trees.js";
import { listOf, type Node, nodeOf, relationName } from "./tree-node.js";

export interface AlterTableCommands {
  table: string;
  commands: Node[];
}

/** The subcommands of an ALTER TABLE (not ALTER INDEX, VIEW or FOREIGN TABLE); null for any other statement. */
export function alterTableCommands(statement: Statement): AlterTableCommands | null {
  const { type, node } = topLevelStatement(statement);
  if (type !== "AlterTableStmt" || (node.objtype !== undefined && node.objtype !== "OBJECT_TABLE"))
    return null;
  const commands: Node[] = [];
  for (const cmd of listOf(node.cmds)) {
    const command = nodeOf(cmd, "AlterTableCmd");
    if (command) commands.push(command);
  }
  return { table: relationName(node.relation), commands };
}
