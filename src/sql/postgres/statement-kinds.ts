import type { StatementClass } from "../statement.js";

export interface KindRule {
  class: StatementClass;
  reason: string;
}

const ddl = (reason: string): KindRule => ({ class: "ddl", reason });
const dcl = (reason: string): KindRule => ({ class: "dcl", reason });
const maintenance = (reason: string): KindRule => ({ class: "maintenance", reason });
const admin = (reason: string): KindRule => ({ class: "admin", reason });
const rejected = (reason: string): KindRule => ({ class: "rejected", reason });

/**
 * The class of each top-level statement kind before the tree walk escalates it.
 * A kind missing here is rejected: new grammar never slips through as a read.
 */
export const STATEMENT_KINDS: Readonly<Record<string, KindRule>> = {
  SelectStmt: { class: "read", reason: "SELECT" },
  VariableShowStmt: { class: "read", reason: "SHOW" },
  InsertStmt: { class: "write", reason: "INSERT" },
  UpdateStmt: { class: "write", reason: "UPDATE" },
  DeleteStmt: { class: "write", reason: "DELETE" },
  MergeStmt: { class: "write", reason: "MERGE" },
  CopyStmt: { class: "read", reason: "COPY" },
  ExplainStmt: { class: "read", reason: "EXPLAIN" },
  TruncateStmt: ddl("TRUNCATE removes every row and takes an ACCESS EXCLUSIVE lock"),
  CreateStmt: ddl("CREATE TABLE"),
  CreateTableAsStmt: ddl("CREATE TABLE AS / SELECT INTO"),
  AlterTableStmt: ddl("ALTER TABLE"),
  DropStmt: ddl("DROP"),
  IndexStmt: ddl("CREATE INDEX"),
  ViewStmt: ddl("CREATE VIEW"),
  RenameStmt: ddl("RENAME"),
  CreateSchemaStmt: ddl("CREATE SCHEMA"),
  CreateSeqStmt: ddl("CREATE SEQUENCE"),
  AlterSeqStmt: ddl("ALTER SEQUENCE"),
  CreateFunctionStmt: ddl("CREATE FUNCTION"),
  AlterFunctionStmt: ddl("ALTER FUNCTION"),
  CreateTrigStmt: ddl("CREATE TRIGGER"),
  CreateEnumStmt: ddl("CREATE TYPE … AS ENUM"),
  AlterEnumStmt: ddl("ALTER TYPE … ADD VALUE"),
  CompositeTypeStmt: ddl("CREATE TYPE"),
  CreateDomainStmt: ddl("CREATE DOMAIN"),
  AlterDomainStmt: ddl("ALTER DOMAIN"),
  CreateExtensionStmt: ddl("CREATE EXTENSION"),
  AlterExtensionStmt: ddl("ALTER EXTENSION"),
  CommentStmt: ddl("COMMENT ON"),
  RuleStmt: ddl("CREATE RULE"),
  CreateMatViewStmt: ddl("CREATE MATERIALIZED VIEW"),
  AlterObjectSchemaStmt: ddl("ALTER … SET SCHEMA"),
  AlterOwnerStmt: dcl("ALTER … OWNER TO"),
  GrantStmt: dcl("GRANT/REVOKE"),
  GrantRoleStmt: dcl("GRANT/REVOKE role"),
  CreateRoleStmt: dcl("CREATE ROLE"),
  AlterRoleStmt: dcl("ALTER ROLE"),
  AlterRoleSetStmt: dcl("ALTER ROLE … SET"),
  DropRoleStmt: dcl("DROP ROLE"),
  CreatePolicyStmt: dcl("CREATE POLICY"),
  AlterPolicyStmt: dcl("ALTER POLICY"),
  AlterDefaultPrivilegesStmt: dcl("ALTER DEFAULT PRIVILEGES"),
  ReassignOwnedStmt: dcl("REASSIGN OWNED"),
  DropOwnedStmt: dcl("DROP OWNED"),
  VacuumStmt: maintenance("VACUUM/ANALYZE"),
  ReindexStmt: maintenance("REINDEX"),
  ClusterStmt: maintenance("CLUSTER"),
  RefreshMatViewStmt: maintenance("REFRESH MATERIALIZED VIEW"),
  CheckPointStmt: admin("CHECKPOINT"),
  AlterSystemStmt: admin("ALTER SYSTEM changes server configuration"),
  CreatedbStmt: admin("CREATE DATABASE"),
  DropdbStmt: admin("DROP DATABASE"),
  AlterDatabaseStmt: admin("ALTER DATABASE"),
  AlterDatabaseSetStmt: admin("ALTER DATABASE … SET"),
  CreateTableSpaceStmt: admin("CREATE TABLESPACE"),
  DropTableSpaceStmt: admin("DROP TABLESPACE"),
  LoadStmt: admin("LOAD loads a shared library into the server"),
  TransactionStmt: rejected("transaction control is the runner's job: remove BEGIN/COMMIT/ROLLBACK"),
  VariableSetStmt: rejected("SET/RESET would change the session's guards: remove it"),
  DiscardStmt: rejected("DISCARD resets session state: remove it"),
  DoStmt: rejected("DO runs procedural code the analyser cannot inspect: write plain SQL"),
  CallStmt: rejected("CALL runs a procedure that may control transactions: write plain SQL"),
  PrepareStmt: rejected("PREPARE: submit the statement itself, with $n parameters"),
  ExecuteStmt: rejected("EXECUTE runs a prepared statement the analyser cannot see"),
  DeallocateStmt: rejected("DEALLOCATE: prepared statements are not supported"),
  ListenStmt: rejected("LISTEN is not supported"),
  UnlistenStmt: rejected("UNLISTEN is not supported"),
  NotifyStmt: rejected("NOTIFY is not supported"),
  DeclareCursorStmt: rejected("cursors are managed by the runner: submit the query itself"),
  FetchStmt: rejected("FETCH/MOVE: cursors are not supported"),
  ClosePortalStmt: rejected("CLOSE: cursors are not supported"),
  LockStmt: rejected("LOCK: explicit locks are not supported"),
  ConstraintsSetStmt: rejected("SET CONSTRAINTS changes transaction state"),
};
