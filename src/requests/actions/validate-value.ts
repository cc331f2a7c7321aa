import { closestName } from "../../yaml/closest-name.js";
import { MAX_NUMERIC_DIGITS } from "../request-limits.js";
import {
  type ArraySpec,
  type BoundValue,
  type IntegerSpec,
  NumberText,
  type NumericSpec,
  type ScalarSpec,
  type TextSpec,
  type TypeSpec,
} from "./action-types.js";
import {
  canonicalDecimal,
  compareDecimals,
  decimalDigits,
  isExactDouble,
  numberToDecimal,
  PLAIN_DECIMAL,
  PLAIN_INTEGER,
} from "./decimal.js";

/** Which check a value failed: named in errors, so a tool can tell a bound from a format problem. */
export type ParamRule =
  | "unknown"
  | "required"
  | "type"
  | "format"
  | "exact"
  | "digits"
  | "range"
  | "min"
  | "max"
  | "scale"
  | "max_length"
  | "pattern"
  | "values"
  | "max_items"
  | "null";

/** Why a value was refused: `problem` starts with the value ("1000.5 is above the maximum 1000"). */
export interface ValueError {
  rule: ParamRule;
  problem: string;
  /** The constraint violated, as the type summary shows it: `max 1000`. */
  constraint?: string;
  /** What to write instead, when the problem alone does not say. */
  fix?: string;
  /** For arrays: the element that failed. */
  index?: number;
}

export type ValidatedValue = { ok: true; value: BoundValue } | { ok: false; error: ValueError };

const INTEGER_RANGES = {
  int: { min: "-2147483648", max: "2147483647" },
  bigint: { min: "-9223372036854775808", max: "9223372036854775807" },
} as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const TIMESTAMP =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?$/;
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
/** PostgreSQL accepts UTC offsets up to ±15:59. */
const MAX_OFFSET_HOURS = 15;
/** Longest value quoted back in a message. */
const MAX_SHOWN_CHARS = 60;
const MAX_SHOWN_VALUES = 10;

const compiledPatterns = new Map<string, RegExp>();

/** The pattern as the value must match it: whole value, Unicode mode. Throws if it does not compile. */
export function compilePattern(pattern: string): RegExp {
  let compiled = compiledPatterns.get(pattern);
  if (!compiled) {
    compiled = new RegExp(`^(?:${pattern})$`, "u");
    compiledPatterns.set(pattern, compiled);
  }
  return compiled;
}

/** Checks a value against its type; null is handled by the caller (required or SQL NULL). */
export function validateValue(spec: TypeSpec, value: unknown): ValidatedValue {
  return spec.type === "array" ? checkArray(spec, value) : checkScalar(spec, value);
}

/** `numeric`, `array of bigint`: the type as messages name it. */
export function typeName(spec: TypeSpec): string {
  return spec.type === "array" ? `array of ${spec.items.type}` : spec.type;
}

/** A value as a message shows it: text in quotes (shortened), numbers as written. */
export function showValue(value: unknown): string {
  if (value instanceof NumberText) return value.text;
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") {
    const chars = [...value];
    return JSON.stringify(
      chars.length > MAX_SHOWN_CHARS ? `${chars.slice(0, MAX_SHOWN_CHARS).join("")}…` : value,
    );
  }
  return String(value);
}

function checkArray(spec: ArraySpec, value: unknown): ValidatedValue {
  if (!Array.isArray(value)) {
    return fail("type", `${showValue(value)} is not a list`, {
      fix: `give a list, e.g. [${example(spec.items)}]`,
    });
  }
  if (value.length > spec.maxItems) {
    return fail("max_items", `the list has ${value.length} items, over the maximum ${spec.maxItems}`, {
      constraint: `max_items ${spec.maxItems}`,
      fix: "split the request into several",
    });
  }
  const texts: string[] = [];
  for (const [index, item] of value.entries()) {
    if (item === null || item === undefined) {
      return fail("null", "null is not allowed in a list", { index, fix: "remove it" });
    }
    const checked = checkScalar(spec.items, item);
    if (!checked.ok) return { ok: false, error: { ...checked.error, index } };
    texts.push(checked.value.text ?? "");
  }
  return { ok: true, value: { text: arrayLiteral(texts), named: texts } };
}

/**
 * A PostgreSQL array literal with every element double-quoted and `\` and `"` escaped, so no element can
 * split, nest or become NULL. It is bound as one `$n` value; the SQL text is never touched.
 */
export function arrayLiteral(texts: readonly string[]): string {
  return `{${texts.map((text) => `"${text.replace(/[\\"]/g, "\\$&")}"`).join(",")}}`;
}

function checkScalar(spec: ScalarSpec, value: unknown): ValidatedValue {
  switch (spec.type) {
    case "int":
    case "bigint":
      return checkInteger(spec, value);
    case "numeric":
      return checkNumeric(spec, value);
    case "text":
      return checkText(spec, value);
    case "enum": {
      const text = stringValue(value, spec.values[0] ?? "value");
      if (typeof text !== "string") return text;
      if (spec.values.includes(text)) return bound(text, text);
      const hint = closestName(text, spec.values);
      const constraint = `values ${listed(spec.values)}`;
      return fail("values", `${showValue(text)} is not one of ${listed(spec.values)}`, {
        constraint,
        fix: hint ? `did you mean ${JSON.stringify(hint)}?` : undefined,
      });
    }
    case "uuid": {
      const text = stringValue(value, "0b4f6a3e-2c1d-4e5f-8a9b-0c1d2e3f4a5b");
      if (typeof text !== "string") return text;
      if (!UUID.test(text)) {
        return fail("format", `${showValue(text)} is not a UUID`, {
          fix: "write 32 hex digits as 8-4-4-4-12, e.g. 0b4f6a3e-2c1d-4e5f-8a9b-0c1d2e3f4a5b",
        });
      }
      const lower = text.toLowerCase();
      return bound(lower, lower);
    }
    case "date":
      return checkDate(value);
    case "timestamp":
      return checkTimestamp(value);
    case "boolean":
      if (typeof value === "boolean") return bound(String(value), value);
      return fail("type", `${showValue(value)} is not a boolean`, { fix: "write true or false, unquoted" });
  }
}

function checkInteger(spec: IntegerSpec, value: unknown): ValidatedValue {
  const text = numberInput(value, true);
  if (typeof text !== "string") return text;
  const range = INTEGER_RANGES[spec.type];
  if (compareDecimals(text, range.min) < 0 || compareDecimals(text, range.max) > 0) {
    return fail("range", `${text} is outside the ${spec.type} range, ${range.min} to ${range.max}`);
  }
  const bounded = checkBounds(spec, text);
  if (bounded) return bounded;
  const double = Number(text);
  return bound(text, Number.isSafeInteger(double) ? double : canonicalDecimal(text));
}

function checkNumeric(spec: NumericSpec, value: unknown): ValidatedValue {
  const text = numberInput(value, false);
  if (typeof text !== "string") return text;
  const bounded = checkBounds(spec, text);
  if (bounded) return bounded;
  const { fraction } = decimalDigits(text);
  if (spec.scale !== null && fraction > spec.scale) {
    return fail(
      "scale",
      `${text} has ${fraction} digit${fraction === 1 ? "" : "s"} after the point, more than the scale ${spec.scale}`,
      {
        constraint: `scale ${spec.scale}`,
        fix:
          spec.scale === 0
            ? "give a whole number"
            : `round it to ${spec.scale} decimal place${spec.scale === 1 ? "" : "s"}`,
      },
    );
  }
  return bound(text, isExactDouble(text) ? Number(text) : canonicalDecimal(text));
}

function checkBounds(spec: IntegerSpec | NumericSpec, text: string): ValidatedValue | null {
  if (spec.min !== null && compareDecimals(text, spec.min) < 0) {
    return fail("min", `${text} is below the minimum ${spec.min}`, { constraint: `min ${spec.min}` });
  }
  if (spec.max !== null && compareDecimals(text, spec.max) > 0) {
    return fail("max", `${text} is above the maximum ${spec.max}`, { constraint: `max ${spec.max}` });
  }
  return null;
}

/**
 * The decimal text of a number given as a string, a number or a NumberText (YAML). A number is accepted only
 * when a double holds it exactly — for whole numbers, up to 2^53 − 1 — so the value every YAML or JSON reader
 * sees is the value bound; beyond that, quote it.
 */
function numberInput(value: unknown, integer: boolean): string | ValidatedValue {
  const kind = integer ? "a whole number" : "a decimal number";
  let text: string;
  if (typeof value === "string") {
    if (!(integer ? PLAIN_INTEGER : PLAIN_DECIMAL).test(value)) {
      return fail("format", `${showValue(value)} is not ${kind}`, {
        fix: integer ? "write digits only, e.g. 42" : "write digits with an optional point, e.g. 19.90",
      });
    }
    text = value;
  } else if (value instanceof NumberText || typeof value === "number") {
    const written = value instanceof NumberText ? value.text : numberToDecimal(value);
    const double = value instanceof NumberText ? value.value : value;
    if (written === null || !PLAIN_DECIMAL.test(written)) {
      return fail("format", `${showValue(value)} is not ${kind} written in plain decimal`, {
        fix: integer ? "write digits only, e.g. 42" : "write digits with an optional point, e.g. 19.90",
      });
    }
    if (integer && !PLAIN_INTEGER.test(written)) {
      return fail("format", `${written} is not a whole number`, { fix: "write digits only, e.g. 42" });
    }
    if (integer ? !Number.isSafeInteger(double) : !isExactDouble(written)) {
      return fail(
        "exact",
        integer
          ? `${written} is beyond 2^53 − 1 (9007199254740991), where a YAML or JSON number loses digits`
          : `${written} has more digits than a YAML or JSON number holds exactly`,
        { fix: `write it as a quoted string: "${written}"` },
      );
    }
    text = written;
  } else {
    return fail("type", `${showValue(value)} is not ${kind}`, {
      fix: integer ? "write a number, e.g. 42" : "write a number, e.g. 19.90",
    });
  }
  const { integer: before, fraction } = decimalDigits(text);
  if (before + fraction > MAX_NUMERIC_DIGITS) {
    return fail(
      "digits",
      `the number has ${before + fraction} digits, more than the ${MAX_NUMERIC_DIGITS} accepted`,
    );
  }
  return text;
}

function checkText(spec: TextSpec, value: unknown): ValidatedValue {
  const text = stringValue(value, "some text");
  if (typeof text !== "string") return text;
  if (text.includes("\u0000")) {
    return fail("format", `${showValue(text)} contains a NUL character, which PostgreSQL text cannot hold`, {
      fix: "remove it",
    });
  }
  const length = [...text].length;
  if (length > spec.maxLength) {
    return fail("max_length", `the text is ${length} characters, over the maximum ${spec.maxLength}`, {
      constraint: `max_length ${spec.maxLength}`,
    });
  }
  if (spec.pattern !== null && !compilePattern(spec.pattern).test(text)) {
    return fail("pattern", `${showValue(text)} does not match the pattern ${spec.pattern}`, {
      constraint: `pattern ${spec.pattern}`,
    });
  }
  return bound(text, text);
}

function checkDate(value: unknown): ValidatedValue {
  const text = stringValue(value, "2026-03-01");
  if (typeof text !== "string") return text;
  const match = DATE.exec(text);
  if (!match)
    return fail("format", `${showValue(text)} is not a date`, { fix: "write YYYY-MM-DD, e.g. 2026-03-01" });
  const problem = dateProblem(Number(match[1]), Number(match[2]), Number(match[3]));
  return problem ? fail("format", `${showValue(text)} is not a real date: ${problem}`) : bound(text, text);
}

function checkTimestamp(value: unknown): ValidatedValue {
  const text = stringValue(value, "2026-03-01T09:30:00Z");
  if (typeof text !== "string") return text;
  const match = TIMESTAMP.exec(text);
  if (!match) {
    return fail("format", `${showValue(text)} is not an ISO 8601 timestamp`, {
      fix: "write YYYY-MM-DDTHH:MM[:SS[.ffffff]] and a UTC offset, e.g. 2026-03-01T09:30:00Z or 2026-03-01T10:30:00+01:00",
    });
  }
  const [, year, month, day, hour, minute, second, offset] = match;
  if (offset === undefined) {
    return fail("format", `${showValue(text)} has no UTC offset, so it names no single instant`, {
      fix: `add one, e.g. ${text}Z (UTC) or ${text}+01:00`,
    });
  }
  const problem =
    dateProblem(Number(year), Number(month), Number(day)) ??
    (Number(hour) > 23 ? `hour ${hour} is past 23` : null) ??
    (Number(minute) > 59 ? `minute ${minute} is past 59` : null) ??
    (second !== undefined && Number(second) > 59 ? `second ${second} is past 59` : null) ??
    offsetProblem(offset);
  return problem
    ? fail("format", `${showValue(text)} is not a real timestamp: ${problem}`)
    : bound(text, text);
}

function offsetProblem(offset: string): string | null {
  if (offset === "Z") return null;
  const hours = Number(offset.slice(1, 3));
  const minutes = offset.length > 3 ? Number(offset.slice(-2)) : 0;
  if (hours > MAX_OFFSET_HOURS) return `the UTC offset ${offset} is beyond ±${MAX_OFFSET_HOURS}:59`;
  if (minutes > 59) return `the UTC offset ${offset} has minutes past 59`;
  return null;
}

function dateProblem(year: number, month: number, day: number): string | null {
  if (year < 1) return "year 0000 does not exist";
  if (month < 1 || month > 12) return `there is no month ${String(month).padStart(2, "0")}`;
  const days = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeapYear(year) ? 1 : 0);
  if (day < 1 || day > days) return `${MONTHS[month - 1]} ${year} has ${days} days`;
  return null;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** A string, or a type failure that says to quote it. */
function stringValue(value: unknown, sample: string): string | ValidatedValue {
  if (typeof value === "string") return value;
  const shown = showValue(value);
  const quote = value instanceof NumberText || typeof value === "number" || typeof value === "boolean";
  return fail("type", `${shown} is not a string`, {
    fix: quote ? `quote it: "${shown}"` : `give a string, e.g. ${JSON.stringify(sample)}`,
  });
}

function example(spec: ScalarSpec): string {
  switch (spec.type) {
    case "int":
    case "bigint":
      return "1, 2";
    case "numeric":
      return "1.50, 2";
    case "enum":
      return JSON.stringify(spec.values[0] ?? "a");
    case "boolean":
      return "true";
    default:
      return '"a", "b"';
  }
}

function listed(values: readonly string[]): string {
  const shown = values.slice(0, MAX_SHOWN_VALUES).join(", ");
  return values.length > MAX_SHOWN_VALUES ? `${shown}, … (${values.length} values)` : shown;
}

function bound(text: string, named: BoundValue["named"]): ValidatedValue {
  return { ok: true, value: { text, named } };
}

function fail(
  rule: ParamRule,
  problem: string,
  extra: Omit<ValueError, "rule" | "problem"> = {},
): ValidatedValue {
  const failure: ValueError = { rule, problem };
  if (extra.constraint !== undefined) failure.constraint = extra.constraint;
  if (extra.fix !== undefined) failure.fix = extra.fix;
  if (extra.index !== undefined) failure.index = extra.index;
  return { ok: false, error: failure };
}
