import { type CelMap, celMap } from "@bufbuild/cel";
import type { ReviewedStatement } from "../../sql/review-statements.js";
import type { RequestFacts } from "./evaluation-context.js";
import type { StatementSubjects } from "./statement-subjects.js";

/** CEL has no plain "number": integers are `int` (bigint here), everything else `double`. */
type CelNumber = bigint | number;
type CelScalar = string | boolean | null | CelNumber;

export type CelVariables = {
  statement: {
    class: string;
    kind: string;
    flags: string[];
    objects: Array<{ target: string; schema: string; name: string; operation: string }>;
    tables: string[];
    columns: string[];
    functions: string[];
    findings: string[];
    estimated_rows: bigint | null;
    has_where: boolean | null;
    param_count: bigint;
  };
  request: {
    target: string;
    environment: string | null;
    path: string;
    reason: string;
    ticket: string | null;
    labels: string[];
    author: string;
    actor: string;
    /** A map rather than an object: a parameter named `__proto__` stays a parameter. */
    params: Map<string, CelScalar>;
  };
  now: { utc_hour: bigint; utc_weekday: bigint; date: string };
};

export function celStatementVariables(p: {
  statement: ReviewedStatement;
  target: string;
  subjects: StatementSubjects;
  findings: string[];
  estimatedRows: number | null;
}): CelVariables["statement"] {
  const s = p.statement;
  return {
    class: s.class,
    kind: s.kind,
    flags: s.flags,
    objects: s.objects.map((o) => ({
      target: p.target,
      schema: o.schema,
      name: o.name,
      operation: o.operation,
    })),
    tables: p.subjects.tables,
    columns: p.subjects.qualifiedColumns,
    functions: s.functions,
    findings: p.findings,
    estimated_rows: p.estimatedRows === null ? null : BigInt(Math.round(p.estimatedRows)),
    has_where: s.facts.hasWhere,
    param_count: BigInt(s.facts.paramCount),
  };
}

export function celRequestVariables(
  request: RequestFacts,
  environment: string | null,
): CelVariables["request"] {
  const params = new Map<string, CelScalar>();
  for (const [name, value] of Object.entries(request.params ?? {})) {
    params.set(name, typeof value === "number" && Number.isSafeInteger(value) ? BigInt(value) : value);
  }
  return {
    target: request.target,
    environment,
    path: request.path,
    reason: request.reason,
    ticket: request.ticket,
    labels: request.labels,
    author: request.author,
    actor: request.actor,
    params,
  };
}

/** `utc_weekday`: 0 = Sunday … 6 = Saturday, like CEL's `getDayOfWeek()`. */
export function celTimeVariables(now: Date): CelVariables["now"] {
  return {
    utc_hour: BigInt(now.getUTCHours()),
    utc_weekday: BigInt(now.getUTCDay()),
    date: now.toISOString().slice(0, 10),
  };
}

/**
 * Builds CEL maps once (per statement, per request) instead of plain objects: the CEL runtime converts a plain
 * object into a map on every access, and each evaluation would copy it again.
 */
export function celMaps<T extends Record<string, unknown>>(vars: T): { [K in keyof T]: CelMap } {
  const out: Record<string, CelMap> = {};
  for (const [key, value] of Object.entries(vars)) out[key] = toCelMap(value as Record<string, unknown>);
  return out as { [K in keyof T]: CelMap };
}

function toCelMap(record: Record<string, unknown>): CelMap {
  const map = new Map<string, unknown>();
  for (const [key, value] of Object.entries(record)) map.set(key, toCelValue(value));
  return celMap(map as Map<string, never>);
}

function toCelValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toCelValue);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return toCelMap(value as Record<string, unknown>);
  }
  return value;
}
