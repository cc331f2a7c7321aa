import type { LiveRelation } from "../../sql/live-facts.js";
import type { ObjectOperation } from "../../sql/statement.js";
import type { LintRule } from "../lint-rule.js";
import type { RuleOutput } from "../rule-output.js";

const ROW_CHANGING: ReadonlySet<ObjectOperation> = new Set(["update", "delete", "merge"]);
const TABLE_KINDS: ReadonlySet<string> = new Set(["table", "partitioned_table"]);

export const dmlOnTableWithoutPrimaryKey: LintRule = {
  id: "dml-on-table-without-primary-key",
  level: "warning",
  summary: "UPDATE, DELETE or MERGE on a table that has no primary key (needs a database connection)",
  check({ statement, live }) {
    // Without the target's facts nothing is claimed either way; live-lookup-failed covers failed lookups.
    if (!live) return [];
    const findings: RuleOutput = [];
    const reported = new Set<string>();
    for (const object of statement.objects) {
      if (!ROW_CHANGING.has(object.operation)) continue;
      const relation = live.relations.find((r) => describes(r, object.schema, object.name));
      const resolved = relation?.resolved;
      if (!relation || !resolved || !TABLE_KINDS.has(resolved.kind) || relation.hasPrimaryKey) continue;
      const table = `${resolved.schema}.${resolved.name}`;
      if (reported.has(table)) continue;
      reported.add(table);
      findings.push({
        message: `${table} has no primary key, so the rows this ${object.operation.toUpperCase()} changes cannot be told apart reliably (duplicates change together, the result log cannot name rows, and logical replication rejects it without a replica identity): target rows by a unique key, or add a primary key first`,
      });
    }
    return findings;
  },
};

function describes(relation: LiveRelation, schema: string, name: string): boolean {
  const resolved = relation.resolved;
  if (resolved && resolved.schema === schema && resolved.name === name) return true;
  return relation.schema === schema && relation.name === name;
}
