import type { LiveRelation, LiveStatementFacts } from "../../live-facts.js";
import { escalate, type ObjectOperation, type Statement, type TouchedObject } from "../../statement.js";
import { isEstimated } from "./explain-estimate.js";

/** Built-ins that are volatile only because their result varies (random, clocks): no side effects. */
const SIDE_EFFECT_FREE_VOLATILE_BUILTINS: ReadonlySet<string> = new Set([
  "random",
  "clock_timestamp",
  "timeofday",
  "gen_random_uuid",
]);
const CATALOG_SCHEMA = "pg_catalog";

/** Operations that fire triggers on the relation. */
const TRIGGERING_OPERATIONS: ReadonlySet<ObjectOperation> = new Set([
  "insert",
  "update",
  "delete",
  "merge",
  "truncate",
]);
/** The cascade actions (as collected: "… (on delete cascade)") each operation can set off. */
const CASCADING_ACTIONS: Partial<Record<ObjectOperation, RegExp>> = {
  delete: /\(.*\bon delete /,
  update: /\(.*\bon update /,
  merge: /\(.*\bon (delete|update) /,
  // TRUNCATE … CASCADE empties every referencing table, whatever its action.
  truncate: /./,
};
/** Operations that rewrite rules (other than a view's SELECT rule) act on. */
const RULE_OPERATIONS: ReadonlySet<ObjectOperation> = new Set(["insert", "update", "delete", "merge"]);

/**
 * The statement as the target makes it: flags for what its relations set off, the base tables of its views
 * as objects, unqualified names in the schema they resolved to, and a class that only ever escalates.
 */
export function escalateWithLiveFacts(statement: Statement, live: LiveStatementFacts): Statement {
  let cls = statement.class;
  const reasons = [...statement.reasons];
  const flags = new Set(statement.flags);
  const raise = (to: typeof cls, reason: string) => {
    cls = escalate(cls, to);
    reasons.push(reason);
  };

  const objects: TouchedObject[] = [];
  const seen = new Set<string>();
  const push = (object: TouchedObject) => {
    const key = `${object.schema}\u0000${object.name}\u0000${object.operation}`;
    if (seen.has(key)) return;
    seen.add(key);
    objects.push(object);
  };
  const flagRelation = (relation: LiveRelation, operation: ObjectOperation) => {
    if (TRIGGERING_OPERATIONS.has(operation) && relation.triggers.length > 0) flags.add("has_triggers");
    const cascading = CASCADING_ACTIONS[operation];
    if (cascading && relation.cascades.some((c) => cascading.test(c))) flags.add("fk_cascade");
    if (RULE_OPERATIONS.has(operation) && relation.rules.length > 0) flags.add("has_rules");
    if (relation.rowLevelSecurity) flags.add("row_level_security");
  };

  const expanded: Array<{ schema: string; name: string; operation: ObjectOperation }> = [];
  for (const [i, object] of statement.objects.entries()) {
    const relation = relationFor(live, object, i);
    if (!relation) {
      push({ ...object });
      continue;
    }
    const resolved = relation.resolved;
    // An unqualified name is where the search_path found it, not where it was assumed to be.
    push(!object.qualified && resolved ? { ...object, schema: resolved.schema } : { ...object });
    if (!resolved) {
      if (object.operation !== "create") flags.add("unknown_relation");
      continue;
    }
    flagRelation(relation, object.operation);
    if (resolved.kind === "view" || resolved.kind === "materialized_view") flags.add("view");
    for (const base of relation.baseTables) expanded.push({ ...base, operation: object.operation });
  }
  for (const base of expanded) {
    push({ schema: base.schema, name: base.name, operation: base.operation, qualified: true });
    const relation = live.relations.find(
      (r) => r.resolved?.schema === base.schema && r.resolved.name === base.name,
    );
    if (relation) flagRelation(relation, base.operation);
  }

  for (const fn of live.functions) {
    if (fn.volatility === null) flags.add("unknown_function");
    if (fn.securityDefiner) {
      raise("admin", `calls ${fn.name}(), a SECURITY DEFINER function that runs with its owner's privileges`);
    } else if (
      fn.volatility === "volatile" &&
      (cls === "read" || cls === "read_lock") &&
      !isSideEffectFree(fn.name)
    ) {
      raise("admin", `calls ${fn.name}(), a volatile function that may have side effects`);
    }
  }

  if (live.errors.length > 0) flags.add("live_lookup_failed");
  if (isEstimated(statement) && live.estimatedRows === null) flags.add("estimate_unknown");

  const next: Statement = {
    ...statement,
    class: cls,
    reasons: [...new Set(reasons)],
    flags: [...flags].sort(),
    objects,
  };
  Object.defineProperty(next, "ast", { value: statement.ast, enumerable: false });
  return next;
}

/** `relations[i]` describes `objects[i]`; the name check guards against facts from another statement. */
function relationFor(
  live: LiveStatementFacts,
  object: TouchedObject,
  index: number,
): LiveRelation | undefined {
  const matches = (r: LiveRelation | undefined) =>
    r !== undefined && r.name === object.name && (!object.qualified || r.schema === object.schema);
  const atIndex = live.relations[index];
  return matches(atIndex) ? atIndex : live.relations.find(matches);
}

function isSideEffectFree(name: string): boolean {
  const parts = name.split(".");
  const bare = parts[parts.length - 1] ?? name;
  const schema = parts.length > 1 ? parts[parts.length - 2] : CATALOG_SCHEMA;
  return schema === CATALOG_SCHEMA && SIDE_EFFECT_FREE_VOLATILE_BUILTINS.has(bare);
}
