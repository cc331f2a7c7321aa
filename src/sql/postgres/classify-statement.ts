import { escalate, type ObjectOperation, type StatementClass, type TouchedObject } from "../statement.js";
import { isDangerousFunction, READ_ONLY_FUNCTIONS } from "./function-lists.js";
import { STATEMENT_KINDS } from "./statement-kinds.js";
import { stringList, walkNodes } from "./walk-tree.js";

export interface Classification {
  kind: string;
  class: StatementClass;
  reasons: string[];
  flags: string[];
  objects: TouchedObject[];
  functions: string[];
}

const NESTED_DML: Readonly<Record<string, string>> = {
  InsertStmt: "INSERT",
  UpdateStmt: "UPDATE",
  DeleteStmt: "DELETE",
  MergeStmt: "MERGE",
};

const TARGET_OPERATION: Readonly<Record<string, ObjectOperation>> = {
  InsertStmt: "insert",
  UpdateStmt: "update",
  DeleteStmt: "delete",
  MergeStmt: "merge",
};

/** Classifies one parsed statement; the walk may only escalate the class the statement kind starts with. */
export function classifyStatement(stmt: Record<string, unknown>): Classification {
  const kind = Object.keys(stmt)[0] ?? "unknown";
  const body = (stmt[kind] ?? {}) as Record<string, unknown>;
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
  let explained: Classification | null = null;
  if (kind === "ExplainStmt") {
    const analyze = (body.options as unknown[] | undefined)?.some(
      (o) => (o as { DefElem?: { defname?: string } })?.DefElem?.defname === "analyze",
    );
    if (analyze) reasons.push("EXPLAIN ANALYZE executes the statement");
    else flags.add("explain_only");
    // EXPLAIN wraps CREATE TABLE AS, SELECT INTO, EXECUTE, DECLARE…: the explained statement's own class counts.
    const query = body.query;
    if (query !== null && typeof query === "object" && !Array.isArray(query)) {
      explained = classifyStatement(query as Record<string, unknown>);
      if (escalate(cls, explained.class) !== cls) {
        cls = escalate(cls, explained.class);
        reasons.push(...explained.reasons);
      }
    }
  }

  const cteNames = new Set<string>();
  const objects: TouchedObject[] = [];
  const functions = new Set<string>();
  const targets = new Map<unknown, ObjectOperation>();
  const into = (body.intoClause as { rel?: unknown } | undefined)?.rel;
  if (kind === "SelectStmt" && into) targets.set(into, "create");
  if (kind === "CopyStmt" && body.is_from && body.relation) targets.set(body.relation, "insert");

  for (const { type, node } of walkNodes(stmt)) {
    if (type === "CommonTableExpr" && typeof node.ctename === "string") cteNames.add(node.ctename);
    if (type in NESTED_DML) {
      if (type !== kind || node !== body) {
        cls = escalate(cls, "write");
        reasons.push(`contains a data-modifying ${NESTED_DML[type]}`);
      }
      const op = TARGET_OPERATION[type];
      if (op && node.relation) targets.set(node.relation, op);
    }
    if (type === "SelectStmt" && Array.isArray(node.lockingClause) && node.lockingClause.length > 0) {
      cls = escalate(cls, "read_lock");
      if (!reasons.includes("row locks (FOR UPDATE/SHARE)")) reasons.push("row locks (FOR UPDATE/SHARE)");
    }
    if (type === "FuncCall") {
      const name = stringList(node.funcname);
      const qualified = name.join(".").toLowerCase();
      const bare = (name[name.length - 1] ?? "").toLowerCase();
      const schema = name.length > 1 ? (name[0] ?? "").toLowerCase() : null;
      functions.add(qualified);
      if (isDangerousFunction(bare)) {
        cls = escalate(cls, "admin");
        reasons.push(`calls ${qualified}(), which has side effects`);
      } else if ((schema !== null && schema !== "pg_catalog") || !READ_ONLY_FUNCTIONS.has(bare)) {
        flags.add("unknown_function");
      }
    }
    if (type === "RangeFunction" || type === "RangeTableFunc") flags.add("set_returning_function");
  }

  const seen = new Set<string>();
  for (const { type, node } of walkNodes(stmt)) {
    if (type !== "RangeVar") continue;
    const name = String(node.relname ?? "");
    const schema = typeof node.schemaname === "string" ? node.schemaname : null;
    // A CTE name shadows tables in queries, but a DML target is always a real table.
    if (schema === null && cteNames.has(name) && !targets.has(node)) continue;
    const operation = targets.get(node) ?? (kind === "TruncateStmt" ? "truncate" : ddlOperation(kind));
    const key = `${schema ?? ""}.${name}.${operation}`;
    if (seen.has(key)) continue;
    seen.add(key);
    objects.push({ schema, name, operation });
  }

  return {
    kind,
    class: cls,
    reasons: unique(reasons),
    flags: [...flags].sort(),
    // The explained statement knows which of its tables it creates or modifies.
    objects: explained ? explained.objects : objects,
    functions: [...functions],
  };
}

function ddlOperation(kind: string): ObjectOperation {
  if (kind.startsWith("Create") || kind === "IndexStmt" || kind === "ViewStmt") return "create";
  if (kind.startsWith("Drop")) return "drop";
  if (kind.startsWith("Alter") || kind === "RenameStmt" || kind === "CommentStmt") return "alter";
  if (kind.startsWith("Grant")) return "grant";
  return "read";
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
