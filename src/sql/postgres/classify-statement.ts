import {
  type ColumnUse,
  DEFAULT_SCHEMA,
  escalate,
  type ObjectOperation,
  type StatementClass,
  type StatementFacts,
  type TouchedObject,
} from "../statement.js";
import { BUILTIN_OPERATORS } from "./builtin-operators.js";
import { isDangerousFunction, READ_ONLY_FUNCTIONS } from "./function-lists.js";
import { STATEMENT_KINDS } from "./statement-kinds.js";
import { forEachNode, stringList } from "./walk-tree.js";

export interface Classification {
  kind: string;
  class: StatementClass;
  reasons: string[];
  flags: string[];
  objects: TouchedObject[];
  functions: string[];
  facts: StatementFacts;
}

type Node = Record<string, unknown>;

const NESTED_DML: Readonly<Record<string, string>> = {
  InsertStmt: "INSERT",
  UpdateStmt: "UPDATE",
  DeleteStmt: "DELETE",
  MergeStmt: "MERGE",
};

const DML_OPERATION: Readonly<Record<string, ObjectOperation>> = {
  InsertStmt: "insert",
  UpdateStmt: "update",
  DeleteStmt: "delete",
  MergeStmt: "merge",
};

/** ALTER TABLE subcommands that change who may do what: as strict as ALTER … OWNER TO and CREATE POLICY. */
const PRIVILEGE_ALTER_TABLE_SUBTYPES: Readonly<Record<string, string>> = {
  AT_ChangeOwner: "ALTER … OWNER TO gives the object to another role",
  AT_EnableRowSecurity: "ENABLE ROW LEVEL SECURITY changes who may see which rows",
  AT_DisableRowSecurity: "DISABLE ROW LEVEL SECURITY lifts every row policy",
  AT_ForceRowSecurity: "FORCE ROW LEVEL SECURITY changes who may see which rows",
  AT_NoForceRowSecurity: "NO FORCE ROW LEVEL SECURITY lifts row policies for the owner",
};

/** DROP … object types whose names are relations (tables, views, sequences, indexes). */
const DROPPED_RELATION_TYPES = new Set([
  "OBJECT_TABLE",
  "OBJECT_VIEW",
  "OBJECT_MATVIEW",
  "OBJECT_SEQUENCE",
  "OBJECT_INDEX",
  "OBJECT_FOREIGN_TABLE",
]);

/**
 * Classifies one parsed statement and collects its facts in one pass over the tree. The class starts from
 * the statement kind and may only escalate.
 */
export function classifyStatement(stmt: Node): Classification {
  const kind = Object.keys(stmt)[0] ?? "unknown";
  const body = (stmt[kind] ?? {}) as Node;
  const rule = STATEMENT_KINDS[kind];
  const reasons: string[] = [];
  const flags = new Set<string>();
  let cls: StatementClass;
  if (rule) {
    cls = rule.class;
    reasons.push(rule.reason);
  } else {
    cls = "rejected";
    reasons.push(`unrecognised statement kind ${kind}: querygate refuses what it cannot classify`);
  }

  if (kind === "SelectStmt" && body.intoClause) {
    cls = escalate(cls, "ddl");
    reasons.push("SELECT INTO creates a table");
  }
  if (kind === "CopyStmt") {
    if (body.filename !== undefined || body.is_program) {
      cls = "rejected";
      reasons.push("COPY to or from a server file or program is never allowed");
    } else if (body.is_from) {
      cls = escalate(cls, "write");
      reasons.push("COPY FROM loads rows");
    }
  }
  if (kind === "CreateSchemaStmt" && (body.authrole as Node | undefined)?.roletype === "ROLESPEC_CSTRING") {
    cls = escalate(cls, "dcl");
    reasons.push("CREATE SCHEMA … AUTHORIZATION gives the schema to a named role");
  }
  if (kind === "RenameStmt" && body.renameType === "OBJECT_ROLE") {
    cls = escalate(cls, "dcl");
    reasons.push("ALTER ROLE … RENAME changes a role");
  }
  if (
    kind === "RenameStmt" &&
    (body.renameType === "OBJECT_DATABASE" || body.renameType === "OBJECT_TABLESPACE")
  ) {
    cls = escalate(cls, "admin");
    reasons.push("renaming a database or tablespace is server administration");
  }
  if (kind === "DropStmt" && body.removeType === "OBJECT_POLICY") {
    cls = escalate(cls, "dcl");
    reasons.push("DROP POLICY lifts a row policy");
  }
  if ((kind === "CreateFunctionStmt" || kind === "AlterFunctionStmt") && isSecurityDefiner(body)) {
    cls = escalate(cls, "dcl");
    reasons.push("SECURITY DEFINER lets every caller act with the owner's privileges");
  }
  let explained: Classification | null = null;
  if (kind === "ExplainStmt") {
    const analyze = (body.options as unknown[] | undefined)?.some(
      (o) => (o as { DefElem?: { defname?: string } })?.DefElem?.defname === "analyze",
    );
    if (analyze) reasons.push("EXPLAIN ANALYZE executes the statement");
    else flags.add("explain_only");
    // EXPLAIN wraps CREATE TABLE AS, SELECT INTO, EXECUTE, DECLARE…: the explained statement's own class counts.
    const query = body.query;
    if (isNode(query)) {
      explained = classifyStatement(query);
      if (escalate(cls, explained.class) !== cls) {
        cls = escalate(cls, explained.class);
        reasons.push(...explained.reasons);
      }
    }
  }

  const targets = primaryTargets(kind, body);
  const cteNames = new Set<string>();
  const functions = new Set<string>();
  const rangeVars: Node[] = [];
  const read: ColumnUse[] = [];
  const written: ColumnUse[] = [];
  const whereClauses: unknown[] = [];
  let paramCount = 0;

  forEachNode(stmt, (type, node) => {
    switch (type) {
      case "RangeVar":
        rangeVars.push(node);
        break;
      case "ColumnRef": {
        const use = columnUse(node);
        if (use) read.push(use);
        break;
      }
      case "ParamRef":
        if (typeof node.number === "number" && node.number > paramCount) paramCount = node.number;
        break;
      case "CommonTableExpr":
        if (typeof node.ctename === "string") cteNames.add(node.ctename);
        break;
      case "SelectStmt":
        if (Array.isArray(node.lockingClause) && node.lockingClause.length > 0) {
          cls = escalate(cls, "read_lock");
          reasons.push("row locks (FOR UPDATE/SHARE)");
        }
        if (node.whereClause) whereClauses.push(node.whereClause);
        // INTO may sit on the first arm of a set operation (SELECT 1 INTO t UNION SELECT 2), not only on top.
        if (node !== body && isNode(node.intoClause)) {
          cls = escalate(cls, "ddl");
          reasons.push("SELECT INTO creates a table");
          if (isNode(node.intoClause.rel)) targets.set(node.intoClause.rel, "create");
        }
        break;
      case "GrantStmt":
      case "GrantRoleStmt":
        // CREATE SCHEMA … GRANT … may grant on any object, not only the new schema's.
        if (node !== body) {
          cls = escalate(cls, "dcl");
          reasons.push("contains a GRANT/REVOKE");
        }
        break;
      case "AlterTableCmd": {
        const reason = PRIVILEGE_ALTER_TABLE_SUBTYPES[String(node.subtype)];
        if (reason !== undefined) {
          cls = escalate(cls, "dcl");
          reasons.push(reason);
        }
        break;
      }
      case "InsertStmt":
      case "UpdateStmt":
      case "DeleteStmt":
      case "MergeStmt":
        if (node !== body) {
          cls = escalate(cls, "write");
          reasons.push(`contains a data-modifying ${NESTED_DML[type]}`);
        }
        if (isNode(node.relation)) targets.set(node.relation, DML_OPERATION[type] as ObjectOperation);
        if (node.whereClause) whereClauses.push(node.whereClause);
        else if (type === "UpdateStmt" || type === "DeleteStmt") flags.add("no_where");
        collectWrittenColumns(type, node, written);
        break;
      case "FuncCall": {
        const name = stringList(node.funcname);
        const qualified = name.join(".").toLowerCase();
        const bare = (name[name.length - 1] ?? "").toLowerCase();
        // The parser folds unquoted names to lower case; a quoted "LOWER" or "PG_CATALOG" keeps its case and
        // names some other (user) function, so the read-only list is matched case-sensitively.
        const exactBare = name[name.length - 1] ?? "";
        const exactSchema = name.length > 1 ? (name[0] ?? "") : null;
        functions.add(qualified);
        if (isDangerousFunction(bare)) {
          cls = escalate(cls, "admin");
          reasons.push(`calls ${qualified}(), which has side effects`);
        } else if (
          (exactSchema !== null && exactSchema !== "pg_catalog") ||
          !READ_ONLY_FUNCTIONS.has(exactBare)
        ) {
          flags.add("unknown_function");
        }
        break;
      }
      case "A_Expr": {
        // BETWEEN variants carry a keyword, not an operator, as their name.
        if (String(node.kind).includes("BETWEEN")) break;
        const op = stringList(node.name);
        const symbol = op[op.length - 1];
        const foreignSchema = op.length > 1 && op[0] !== "pg_catalog";
        if (symbol !== undefined && (foreignSchema || !BUILTIN_OPERATORS.has(symbol)))
          flags.add("unknown_operator");
        break;
      }
      case "RangeFunction":
      case "RangeTableFunc":
        flags.add("set_returning_function");
        break;
    }
  });

  const filtered: ColumnUse[] = [];
  for (const clause of whereClauses) {
    forEachNode(clause, (type, node) => {
      if (type !== "ColumnRef") return;
      const use = columnUse(node);
      if (use) filtered.push(use);
    });
  }

  const objects: TouchedObject[] = [];
  const seen = new Set<string>();
  for (const node of rangeVars) {
    const name = String(node.relname ?? "");
    const qualified = typeof node.schemaname === "string";
    // A CTE name shadows tables in queries, but a DML target is always a real table.
    if (!qualified && cteNames.has(name) && !targets.has(node)) continue;
    pushObject(objects, seen, {
      schema: qualified ? (node.schemaname as string) : DEFAULT_SCHEMA,
      name,
      operation: targets.get(node) ?? "read",
      qualified,
    });
  }
  if (kind === "DropStmt" && DROPPED_RELATION_TYPES.has(String(body.removeType))) {
    for (const item of (body.objects as unknown[] | undefined) ?? []) {
      const parts = stringList((item as { List?: { items?: unknown } })?.List?.items);
      const name = parts[parts.length - 1];
      if (name === undefined) continue;
      const schema = parts.length > 1 ? (parts[parts.length - 2] as string) : null;
      pushObject(objects, seen, {
        schema: schema ?? DEFAULT_SCHEMA,
        name,
        operation: "drop",
        qualified: schema !== null,
      });
    }
  }

  const facts: StatementFacts = {
    columns: {
      read: uniqueColumns(read),
      written: uniqueColumns(written),
      filtered: uniqueColumns(filtered),
    },
    hasWhere: ["UpdateStmt", "DeleteStmt", "SelectStmt"].includes(kind) ? Boolean(body.whereClause) : null,
    hasLimit: kind === "SelectStmt" ? Boolean(body.limitCount) && !isLimitAll(body.limitCount) : null,
    hasReturning: Array.isArray(body.returningList) && body.returningList.length > 0,
    onConflict: onConflictAction(body),
    paramCount,
  };

  return {
    kind,
    class: cls,
    reasons: [...new Set(reasons)],
    flags: [...flags].sort(),
    // The explained statement knows which of its tables it creates or modifies.
    objects: explained ? explained.objects : objects,
    functions: [...functions],
    facts: explained
      ? { ...explained.facts, paramCount: Math.max(paramCount, explained.facts.paramCount) }
      : facts,
  };
}

/** The relation a statement kind acts on, by node identity; every other relation it names is read. */
function primaryTargets(kind: string, body: Node): Map<unknown, ObjectOperation> {
  const targets = new Map<unknown, ObjectOperation>();
  const set = (node: unknown, op: ObjectOperation) => {
    if (isNode(node)) targets.set(node, op);
  };
  const each = (list: unknown, op: ObjectOperation, pick: (item: Node) => unknown = (i) => i.RangeVar) => {
    for (const item of Array.isArray(list) ? list : []) if (isNode(item)) set(pick(item), op);
  };
  switch (kind) {
    case "SelectStmt":
      set((body.intoClause as Node | undefined)?.rel, "create");
      break;
    case "CopyStmt":
      set(body.relation, body.is_from ? "insert" : "read");
      break;
    case "CreateStmt":
      set(body.relation, "create");
      break;
    case "CreateTableAsStmt":
      set((body.into as Node | undefined)?.rel, "create");
      break;
    case "ViewStmt":
      set(body.view, "create");
      break;
    case "CreateSeqStmt":
      set(body.sequence, "create");
      break;
    case "TruncateStmt":
      each(body.relations, "truncate");
      break;
    case "GrantStmt":
      each(body.objects, "grant");
      break;
    case "VacuumStmt":
      each(body.rels, "alter", (i) => (i.VacuumRelation as Node | undefined)?.relation);
      break;
    case "IndexStmt":
    case "AlterTableStmt":
    case "RenameStmt":
    case "RefreshMatViewStmt":
    case "ClusterStmt":
    case "CreateTrigStmt":
    case "RuleStmt":
    case "AlterObjectSchemaStmt":
    case "ReindexStmt":
      set(body.relation, "alter");
      break;
    case "CreatePolicyStmt":
    case "AlterPolicyStmt":
      set(body.table, "alter");
      break;
    case "AlterSeqStmt":
      set(body.sequence, "alter");
      break;
  }
  return targets;
}

function collectWrittenColumns(type: string, node: Node, out: ColumnUse[]): void {
  const table = isNode(node.relation)
    ? (((node.relation.alias as Node | undefined)?.aliasname as string | undefined) ??
      (node.relation.relname as string))
    : null;
  const names = (list: unknown) => {
    for (const item of Array.isArray(list) ? list : []) {
      const name = (item as { ResTarget?: { name?: string } })?.ResTarget?.name;
      if (typeof name === "string") out.push({ table, column: name });
    }
  };
  if (type === "UpdateStmt") names(node.targetList);
  if (type === "InsertStmt") {
    if (Array.isArray(node.cols) && node.cols.length > 0) names(node.cols);
    else out.push({ table, column: "*" });
    names((node.onConflictClause as Node | undefined)?.targetList);
  }
  if (type === "MergeStmt") {
    for (const clause of Array.isArray(node.mergeWhenClauses) ? node.mergeWhenClauses : []) {
      const when = (clause as { MergeWhenClause?: Node })?.MergeWhenClause;
      if (!when) continue;
      if (
        when.commandType === "CMD_INSERT" &&
        !(Array.isArray(when.targetList) && when.targetList.length > 0)
      ) {
        out.push({ table, column: "*" });
      }
      names(when.targetList);
    }
  }
}

function columnUse(node: Node): ColumnUse | null {
  const fields = Array.isArray(node.fields) ? node.fields : [];
  const parts: string[] = [];
  for (const f of fields) {
    const s = (f as { String?: { sval?: string } })?.String?.sval;
    if (typeof s === "string") parts.push(s);
    else if ((f as { A_Star?: unknown })?.A_Star !== undefined) parts.push("*");
  }
  if (parts.length === 0) return null;
  const column = parts[parts.length - 1] as string;
  return { table: parts.length > 1 ? (parts[parts.length - 2] as string) : null, column };
}

function onConflictAction(body: Node): "nothing" | "update" | null {
  const action = (body.onConflictClause as Node | undefined)?.action;
  if (action === "ONCONFLICT_NOTHING") return "nothing";
  if (action === "ONCONFLICT_UPDATE") return "update";
  return null;
}

function isLimitAll(limit: unknown): boolean {
  return isNode(limit) && isNode(limit.A_Const) && limit.A_Const.isnull === true;
}

function pushObject(objects: TouchedObject[], seen: Set<string>, object: TouchedObject): void {
  const key = `${object.schema}\u0000${object.name}\u0000${object.operation}`;
  if (seen.has(key)) return;
  seen.add(key);
  objects.push(object);
}

function uniqueColumns(columns: ColumnUse[]): ColumnUse[] {
  const seen = new Set<string>();
  return columns.filter((c) => {
    const key = `${c.table ?? ""}\u0000${c.column}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function isSecurityDefiner(body: Node): boolean {
  const options = [body.options, body.actions].flatMap((list) => (Array.isArray(list) ? list : []));
  return options.some((o) => {
    const def = (o as { DefElem?: Node })?.DefElem;
    return (
      def?.defname === "security" &&
      (def.arg as { Boolean?: { boolval?: boolean } })?.Boolean?.boolval === true
    );
  });
}

function isNode(value: unknown): value is Node {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
