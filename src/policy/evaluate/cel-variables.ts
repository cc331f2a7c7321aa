import { type CelInput, type CelMap, celMap } from "@bufbuild/cel";
import type { ReviewedStatement } from "../../lint/review-statements.js";
import type { RequestFacts } from "./request-facts.js";
import type { StatementSubjects } from "./statement-subjects.js";
import { weekdayName } from "./time-window.js";

/** The variables an `if` expression sees; docs/policy-semantics.md lists their fields. */
export type CelVariableName = "statement" | "request" | "now";

/*
 * Built as CEL maps directly, once per statement (or request): the CEL runtime would otherwise turn a plain
 * object into a map on every access, and the program would copy it on every evaluation. Integers are CEL
 * `int`s (bigint); a missing estimate is `null`.
 */

/** `statement`: class, kind, flags, objects, tables, columns, functions, findings, estimated_rows, has_where, param_count. */
export function celStatement(p: {
  statement: ReviewedStatement;
  target: string;
  subjects: StatementSubjects;
  findings: string[];
  estimatedRows: number | null;
}): CelMap {
  const s = p.statement;
  const objects: CelMap[] = [];
  for (const o of s.objects) {
    const object = new Map<string, CelInput>();
    object.set("target", p.target).set("schema", o.schema).set("name", o.name).set("operation", o.operation);
    objects.push(celMap(object));
  }
  // Set one by one: a literal list of pairs costs an array per field.
  const map = new Map<string, CelInput>();
  map.set("class", s.class).set("kind", s.kind).set("flags", s.flags).set("objects", objects);
  map.set("tables", p.subjects.tables).set("columns", p.subjects.qualifiedColumns);
  map.set("functions", s.functions).set("findings", p.findings);
  map.set("estimated_rows", p.estimatedRows === null ? null : BigInt(Math.round(p.estimatedRows)));
  map.set("has_where", s.facts.hasWhere).set("param_count", BigInt(s.facts.paramCount));
  return celMap(map);
}

/** `request`: target, environment, path, reason, ticket, labels, author, actor, action, params. */
export function celRequest(request: RequestFacts, environment: string | null): CelMap {
  // A map rather than an object: a parameter named `__proto__` stays a parameter.
  const params = new Map<string, CelInput>();
  for (const [name, value] of Object.entries(request.params ?? {})) {
    params.set(name, typeof value === "number" && Number.isSafeInteger(value) ? BigInt(value) : value);
  }
  return celMap(
    new Map<string, CelInput>([
      ["target", request.target],
      ["environment", environment],
      ["path", request.path],
      ["reason", request.reason],
      ["ticket", request.ticket],
      ["labels", request.labels],
      ["author", request.author],
      ["actor", request.actor],
      ["action", request.action ?? null],
      ["params", celMap(params)],
    ]),
  );
}

/** `now`: utc_hour (int), utc_weekday (`mon` … `sun`, as `when.time` writes them), date (`YYYY-MM-DD`, UTC). */
export function celNow(now: Date): CelMap {
  return celMap(
    new Map<string, CelInput>([
      ["utc_hour", BigInt(now.getUTCHours())],
      ["utc_weekday", weekdayName(now.getUTCDay())],
      ["date", isoDate(now)],
    ]),
  );
}

/** Which variables the expression can read: a name absent from its text cannot be referenced. */
export function celVariablesRead(source: string): CelVariableName[] {
  return (["statement", "request", "now"] as const).filter((name) =>
    new RegExp(`\\b${name}\\b`).test(source),
  );
}

/** `YYYY-MM-DD` in UTC; `toISOString` costs more than the whole rest of this map. */
function isoDate(now: Date): string {
  const month = String(now.getUTCMonth() + 1).padStart(2, "0");
  const day = String(now.getUTCDate()).padStart(2, "0");
  return `${String(now.getUTCFullYear()).padStart(4, "0")}-${month}-${day}`;
}
