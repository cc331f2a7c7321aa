/** What a read-only look at the target database adds to a statement's analysis. */

export type RelationKind =
  | "table"
  | "partitioned_table"
  | "view"
  | "materialized_view"
  | "foreign_table"
  | "sequence"
  | "other";

export interface LiveRelation {
  /** As the statement names it (schema defaulted to the fixed search_path's first schema). */
  schema: string;
  name: string;
  /** Resolved with to_regclass under the fixed search_path; null when the relation does not exist. */
  resolved: { schema: string; name: string; oid: number; kind: RelationKind } | null;
  hasPrimaryKey: boolean;
  triggers: string[];
  /** Foreign keys that reference this table with ON DELETE/UPDATE CASCADE or SET NULL/DEFAULT. */
  cascades: string[];
  rules: string[];
  rowLevelSecurity: boolean;
  /** For views: the base tables they read, recursively. */
  baseTables: Array<{ schema: string; name: string }>;
}

export interface LiveFunction {
  name: string;
  /** null when the function could not be found. */
  volatility: "immutable" | "stable" | "volatile" | null;
  securityDefiner: boolean;
}

export interface LiveStatementFacts {
  relations: LiveRelation[];
  functions: LiveFunction[];
  /** Estimated rows the statement affects (DML) or returns (SELECT); null when unknown. */
  estimatedRows: number | null;
  /** Every lookup that failed: the statement must then be treated as unknown, never as safe. */
  errors: string[];
}
