import { listOf, type Node, nodeOf, typedNode } from "../lint/tree/tree-node.js";
import type { Statement } from "../sql/statement.js";

/**
 * Statement kinds PostgreSQL refuses inside a transaction block (SQLSTATE 25001,
 * "… cannot run inside a transaction block"), decided from the tree alone. Where the server's answer
 * depends on an option, the test leans towards running alone: that costs nothing, while a wrong "no"
 * only turns into an error at run time.
 */
const OWN_TRANSACTION_KINDS: Readonly<Record<string, (node: Node) => boolean>> = {
  IndexStmt: (node) => node.concurrent === true,
  DropStmt: (node) => node.concurrent === true,
  ReindexStmt: (node) =>
    hasDefElem(node.params, "concurrently") ||
    // REINDEX SCHEMA/DATABASE/SYSTEM commit once per table.
    (node.kind !== "REINDEX_OBJECT_INDEX" && node.kind !== "REINDEX_OBJECT_TABLE"),
  // VACUUM (with or without ANALYZE); a bare ANALYZE runs in a transaction.
  VacuumStmt: (node) => node.is_vacuumcmd === true,
  // CLUSTER without a table processes every clustered table, one transaction each.
  ClusterStmt: (node) => node.relation === undefined,
  AlterTableStmt: (node) =>
    listOf(node.cmds).some((cmd) => {
      const alter = nodeOf(cmd, "AlterTableCmd");
      return (
        alter?.subtype === "AT_DetachPartition" && nodeOf(alter.def, "PartitionCmd")?.concurrent === true
      );
    }),
  CreatedbStmt: () => true,
  DropdbStmt: () => true,
  AlterDatabaseStmt: (node) => hasDefElem(node.options, "tablespace"),
  AlterSystemStmt: () => true,
  CreateTableSpaceStmt: () => true,
  DropTableSpaceStmt: () => true,
  DiscardStmt: (node) => node.target === "DISCARD_ALL",
  TransactionStmt: (node) =>
    node.kind === "TRANS_STMT_COMMIT_PREPARED" || node.kind === "TRANS_STMT_ROLLBACK_PREPARED",
  // With the default create_slot / a slot to drop / refresh = true, which cannot be seen from here.
  CreateSubscriptionStmt: () => true,
  DropSubscriptionStmt: () => true,
  AlterSubscriptionStmt: (node) =>
    node.kind === "ALTER_SUBSCRIPTION_REFRESH" ||
    node.kind === "ALTER_SUBSCRIPTION_SET_PUBLICATION" ||
    node.kind === "ALTER_SUBSCRIPTION_ADD_PUBLICATION" ||
    node.kind === "ALTER_SUBSCRIPTION_DROP_PUBLICATION",
};

/** Whether PostgreSQL refuses to run the statement inside a transaction block, so it must run alone. */
export function needsOwnTransaction(statement: Pick<Statement, "ast">): boolean {
  const top = typedNode(statement.ast);
  if (!top) return false;
  return OWN_TRANSACTION_KINDS[top.type]?.(top.node) ?? false;
}

function hasDefElem(list: unknown, name: string): boolean {
  return listOf(list).some((item) => nodeOf(item, "DefElem")?.defname === name);
}
