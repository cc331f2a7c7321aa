import type { Limits } from "../../policy/policy-types.js";

/** Scalar parameter types; `array` holds one of these. */
export const SCALAR_PARAM_TYPES = [
  "int",
  "bigint",
  "numeric",
  "text",
  "uuid",
  "enum",
  "date",
  "timestamp",
  "boolean",
] as const;
export type ScalarParamType = (typeof SCALAR_PARAM_TYPES)[number];
export const PARAM_TYPES = [...SCALAR_PARAM_TYPES, "array"] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

/** `int` (32-bit) and `bigint` (64-bit): bounds as exact decimal text. */
export interface IntegerSpec {
  type: "int" | "bigint";
  min: string | null;
  max: string | null;
}
/** `numeric`: exact decimal bounds and the most digits after the point. */
export interface NumericSpec {
  type: "numeric";
  min: string | null;
  max: string | null;
  scale: number | null;
}
export interface TextSpec {
  type: "text";
  /** Characters (Unicode code points); DEFAULT_TEXT_MAX_LENGTH when the action sets none. */
  maxLength: number;
  /** The pattern as written; the whole value must match it (it is compiled anchored, with the `u` flag). */
  pattern: string | null;
}
export interface EnumSpec {
  type: "enum";
  values: string[];
}
export interface PlainSpec {
  type: "uuid" | "date" | "timestamp" | "boolean";
}
export type ScalarSpec = IntegerSpec | NumericSpec | TextSpec | EnumSpec | PlainSpec;
export interface ArraySpec {
  type: "array";
  items: ScalarSpec;
  maxItems: number;
}
export type TypeSpec = ScalarSpec | ArraySpec;

/** What a policy's `when.params` and CEL `request.params` see of a parameter. */
export type NamedValue = string | number | boolean | string[] | null;

/** A checked value: the text PostgreSQL receives for its `$n` (null: SQL NULL) and what policies see. */
export interface BoundValue {
  text: string | null;
  named: NamedValue;
}

export interface ActionParam {
  name: string;
  /** 1-based: this parameter binds `$position` of the action's SQL. */
  position: number;
  spec: TypeSpec;
  /** False when the action gives a `default` or says `required: false` (absent then binds NULL). */
  required: boolean;
  /** The checked default, bound when the request does not give the parameter. */
  default: BoundValue | null;
  line: number;
}

export interface Action {
  name: string;
  description: string;
  /** A policy target name; whether it exists is checked against the policy, not here. */
  target: string;
  /** The SQL exactly as written in the action file; never rewritten. */
  sql: string;
  params: ActionParam[];
  limits: Limits | null;
  source: { path: string; line: number; sqlLine: number };
}

/** An error in an action or request file: where, which key, and what to change. */
export interface RequestFileError {
  file: string;
  line: number;
  column?: number;
  /** Dotted path to the offending key, e.g. `params[1].max`. */
  key: string;
  message: string;
}

/**
 * A number together with the text it was written as (`19.90`), so that decimals are never read through a
 * double. The YAML readers produce these; callers with JSON input may pass plain numbers or strings instead.
 */
export class NumberText {
  constructor(
    readonly text: string,
    readonly value: number,
  ) {}
}
