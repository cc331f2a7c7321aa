import { hasItems, isNode, listOf, type Node, nameParts, nodeOf, typedNode } from "./tree-node.js";

/** What a condition evaluates to for every row, when that can be told from the text alone. */
export type Truth = "true" | "false" | "null" | "unknown";

/** Real conditions are shallow; past this depth an expression is simply unknown (adversarial SQL nests deeply). */
export const MAX_TRUTH_DEPTH = 64;

type Literal =
  | { kind: "number"; value: number }
  | { kind: "string"; value: string }
  | { kind: "boolean"; value: boolean }
  | { kind: "null" };

/** Spellings PostgreSQL's boolean input accepts (after trimming, any case). */
const BOOLEAN_TEXT: Readonly<Record<string, boolean>> = {
  t: true,
  true: true,
  y: true,
  yes: true,
  on: true,
  "1": true,
  f: false,
  false: false,
  n: false,
  no: false,
  off: false,
  "0": false,
};

const BOOLEAN_TYPES: ReadonlySet<string> = new Set(["bool", "boolean"]);
const INTEGER_TYPES: ReadonlySet<string> = new Set([
  "int2",
  "int4",
  "int8",
  "smallint",
  "integer",
  "int",
  "bigint",
]);
const DECIMAL_TYPES: ReadonlySet<string> = new Set(["numeric", "decimal", "float4", "float8", "real"]);
// Not char/bpchar: their comparisons ignore trailing spaces.
const TEXT_TYPES: ReadonlySet<string> = new Set(["text", "varchar"]);
const NUMBER_TEXT = /^\s*[+-]?\d+(\.\d+)?\s*$/;

/**
 * Evaluates a condition as far as its literals allow. A comparison of an expression with itself (`x = x`)
 * counts as true: it keeps every row where x is not null, so it filters nothing a reviewer would expect.
 */
export function truthOf(expr: unknown, depth = 0): Truth {
  if (depth > MAX_TRUTH_DEPTH) return "unknown";
  const typed = typedNode(expr);
  if (!typed) return "unknown";
  const { type, node } = typed;
  switch (type) {
    case "A_Const":
    case "TypeCast": {
      const literal = literalOf(expr, depth);
      if (literal?.kind === "null") return "null";
      if (literal?.kind === "boolean") return literal.value ? "true" : "false";
      return "unknown";
    }
    case "BoolExpr":
      return booleanTruth(node, depth);
    case "A_Expr":
      return comparisonTruth(node, depth);
    case "NullTest": {
      const literal = literalOf(node.arg, depth + 1);
      if (!literal) return "unknown";
      const isNull = literal.kind === "null";
      return (node.nulltesttype === "IS_NULL") === isNull ? "true" : "false";
    }
    case "BooleanTest":
      return booleanTestTruth(node, depth);
    default:
      return "unknown";
  }
}

function booleanTruth(node: Node, depth: number): Truth {
  const args = listOf(node.args);
  if (node.boolop === "NOT_EXPR") {
    const inner = truthOf(args[0], depth + 1);
    return inner === "true" ? "false" : inner === "false" ? "true" : inner;
  }
  const values = args.map((arg) => truthOf(arg, depth + 1));
  if (node.boolop === "AND_EXPR") {
    if (values.includes("false")) return "false";
    if (values.includes("unknown")) return "unknown";
    return values.includes("null") ? "null" : "true";
  }
  if (node.boolop === "OR_EXPR") {
    if (values.includes("true") || coversNullAndNotNull(args)) return "true";
    if (values.includes("unknown")) return "unknown";
    return values.includes("null") ? "null" : "false";
  }
  return "unknown";
}

/** `x IS NULL OR x IS NOT NULL`: true for every row. */
function coversNullAndNotNull(args: readonly unknown[]): boolean {
  const isNull: unknown[] = [];
  const isNotNull: unknown[] = [];
  for (const arg of args) {
    const test = nodeOf(arg, "NullTest");
    if (test?.nulltesttype === "IS_NULL") isNull.push(test.arg);
    else if (test?.nulltesttype === "IS_NOT_NULL") isNotNull.push(test.arg);
  }
  return isNull.some((a) => isNotNull.some((b) => sameExpression(a, b, 0)));
}

function booleanTestTruth(node: Node, depth: number): Truth {
  const inner = truthOf(node.arg, depth + 1);
  if (inner === "unknown") return "unknown";
  const holds = (value: boolean): Truth => (value ? "true" : "false");
  switch (node.booltesttype) {
    case "IS_TRUE":
      return holds(inner === "true");
    case "IS_NOT_TRUE":
      return holds(inner !== "true");
    case "IS_FALSE":
      return holds(inner === "false");
    case "IS_NOT_FALSE":
      return holds(inner !== "false");
    case "IS_UNKNOWN":
      return holds(inner === "null");
    case "IS_NOT_UNKNOWN":
      return holds(inner !== "null");
    default:
      return "unknown";
  }
}

function comparisonTruth(node: Node, depth: number): Truth {
  const left = literalOf(node.lexpr, depth + 1);
  const right = literalOf(node.rexpr, depth + 1);
  if (node.kind === "AEXPR_OP") {
    const op = builtinOperator(node.name);
    if (op === undefined) return "unknown";
    if (left && right) return compareLiterals(op, left, right);
    if (!sameExpression(node.lexpr, node.rexpr, depth + 1)) return "unknown";
    if (op === "=" || op === "<=" || op === ">=") return "true";
    if (op === "<>" || op === "!=" || op === "<" || op === ">") return "false";
    return "unknown";
  }
  if (node.kind === "AEXPR_NOT_DISTINCT" || node.kind === "AEXPR_DISTINCT") {
    let same: Truth = "unknown";
    if (left && right) {
      if (left.kind === "null" || right.kind === "null") same = left.kind === right.kind ? "true" : "false";
      else same = compareLiterals("=", left, right);
    } else if (sameExpression(node.lexpr, node.rexpr, depth + 1)) same = "true";
    if (same === "unknown" || node.kind === "AEXPR_NOT_DISTINCT") return same;
    return same === "true" ? "false" : "true";
  }
  return "unknown";
}

/** The operator's symbol when it is PostgreSQL's own (`=` or `OPERATOR(pg_catalog.=)`). */
function builtinOperator(name: unknown): string | undefined {
  const parts = nameParts(name);
  if (parts.length === 1) return parts[0];
  if (parts.length === 2 && parts[0] === "pg_catalog") return parts[1];
  return undefined;
}

function compareLiterals(op: string, a: Literal, b: Literal): Truth {
  if (a.kind === "null" || b.kind === "null") return "null";
  if (a.kind !== b.kind) return "unknown";
  if (a.kind === "string") {
    // Ordering depends on the collation; equality of the same text does not.
    if (op === "=") return a.value === b.value ? "true" : "false";
    if (op === "<>" || op === "!=") return a.value !== b.value ? "true" : "false";
    return "unknown";
  }
  const x = Number(a.value);
  const y = Number(b.value);
  const result = compareNumbers(op, x, y);
  return result === undefined ? "unknown" : result ? "true" : "false";
}

function compareNumbers(op: string, x: number, y: number): boolean | undefined {
  switch (op) {
    case "=":
      return x === y;
    case "<>":
    case "!=":
      return x !== y;
    case "<":
      return x < y;
    case ">":
      return x > y;
    case "<=":
      return x <= y;
    case ">=":
      return x >= y;
    default:
      return undefined;
  }
}

function literalOf(expr: unknown, depth: number): Literal | undefined {
  if (depth > MAX_TRUTH_DEPTH) return undefined;
  const constant = nodeOf(expr, "A_Const");
  if (constant) return constantLiteral(constant);
  const cast = nodeOf(expr, "TypeCast");
  if (!cast) return undefined;
  const inner = literalOf(cast.arg, depth + 1);
  if (!inner) return undefined;
  if (inner.kind === "null") return inner;
  const typeName = isNode(cast.typeName) ? cast.typeName : {};
  if (hasItems(typeName.typmods) || hasItems(typeName.arrayBounds)) return undefined;
  const type = (nameParts(typeName.names).pop() ?? "").toLowerCase();
  if (BOOLEAN_TYPES.has(type)) {
    if (inner.kind === "boolean") return inner;
    const value = inner.kind === "string" ? BOOLEAN_TEXT[inner.value.trim().toLowerCase()] : undefined;
    return value === undefined ? undefined : { kind: "boolean", value };
  }
  if (INTEGER_TYPES.has(type) || DECIMAL_TYPES.has(type)) {
    const value =
      inner.kind === "number" ? inner.value : inner.kind === "string" ? numberText(inner.value) : undefined;
    // An integer cast rounds fractions; leave those to PostgreSQL.
    if (value === undefined || (INTEGER_TYPES.has(type) && !Number.isInteger(value))) return undefined;
    return { kind: "number", value };
  }
  if (TEXT_TYPES.has(type) && inner.kind === "string") return inner;
  return undefined;
}

function constantLiteral(constant: Node): Literal | undefined {
  if (constant.isnull === true) return { kind: "null" };
  // Protobuf leaves out zero values: `{ ival: {} }` is 0, `{ boolval: {} }` is false, `{ sval: {} }` is ''.
  if (isNode(constant.ival)) return exactNumber(Number(constant.ival.ival ?? 0));
  if (isNode(constant.fval)) return exactNumber(Number(constant.fval.fval ?? Number.NaN));
  if (isNode(constant.boolval)) return { kind: "boolean", value: constant.boolval.boolval === true };
  if (isNode(constant.sval)) return { kind: "string", value: String(constant.sval.sval ?? "") };
  return undefined;
}

function numberText(text: string): number | undefined {
  return NUMBER_TEXT.test(text) ? exactNumber(Number(text))?.value : undefined;
}

/** Numbers beyond double precision would compare wrongly; treat them as unknown. */
function exactNumber(value: number): { kind: "number"; value: number } | undefined {
  return Number.isFinite(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER
    ? { kind: "number", value }
    : undefined;
}

/** Structural equality of side-effect-free expressions: columns, parameters, literals and casts of them. */
export function sameExpression(a: unknown, b: unknown, depth: number): boolean {
  if (depth > MAX_TRUTH_DEPTH) return false;
  const x = typedNode(a);
  const y = typedNode(b);
  if (!x || !y || x.type !== y.type) return false;
  switch (x.type) {
    case "ColumnRef":
      return columnKey(x.node) !== null && columnKey(x.node) === columnKey(y.node);
    case "ParamRef":
      return typeof x.node.number === "number" && x.node.number === y.node.number;
    case "A_Const": {
      const l = constantLiteral(x.node);
      const r = constantLiteral(y.node);
      return l !== undefined && r !== undefined && JSON.stringify(l) === JSON.stringify(r);
    }
    case "TypeCast": {
      const lt = isNode(x.node.typeName) ? x.node.typeName : {};
      const rt = isNode(y.node.typeName) ? y.node.typeName : {};
      if (hasItems(lt.typmods) || hasItems(rt.typmods)) return false;
      if (nameParts(lt.names).join(".") !== nameParts(rt.names).join(".")) return false;
      return sameExpression(x.node.arg, y.node.arg, depth + 1);
    }
    default:
      return false;
  }
}

function columnKey(columnRef: Node): string | null {
  const parts: string[] = [];
  for (const field of listOf(columnRef.fields)) {
    const name = nodeOf(field, "String")?.sval;
    if (typeof name === "string") parts.push(name);
    else if (nodeOf(field, "A_Star")) parts.push("*");
    else return null;
  }
  return parts.length > 0 ? parts.join("\u0000") : null;
}
