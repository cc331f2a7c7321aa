import type { KeyPath } from "../../yaml/key-path.js";
import { didYouMean } from "../../yaml/read-context.js";
import type { Action, BoundValue, NamedValue } from "./action-types.js";
import { type ParamRule, typeName, type ValueError, validateValue } from "./validate-value.js";

export interface ParamError {
  /** The parameter's name as the request gives it (an unknown one included). */
  param: string;
  rule: ParamRule;
  /** `params.amount: 1000.5 is above the maximum 1000 for refund-order's amount (numeric, max 1000)`. */
  message: string;
  line: number;
}

export type BindResult =
  | {
      ok: true;
      /** Text-format values for PostgreSQL, `values[k-1]` binds `$k`; null binds SQL NULL. */
      values: Array<string | null>;
      /** For the policy's `when.params` and CEL `request.params`. */
      named: Record<string, NamedValue>;
    }
  | { ok: false; errors: ParamError[] };

/**
 * Checks a request's named parameters against the action's declared types and binds them in declaration
 * order. Nothing is ever written into the SQL text: each value goes to PostgreSQL as its own `$n`.
 *
 * `given` comes from a YAML request (numbers as NumberText, read exactly as written) or from JSON (numbers
 * are accepted only where a double holds them exactly; otherwise pass a string). `lineOf` maps a path under
 * `params` (`["amount"]`, `["ids", 2]`; `[]` for `params` itself) to its line.
 */
export function bindActionParams({
  action,
  given,
  lineOf = () => 1,
}: {
  action: Action;
  given: Readonly<Record<string, unknown>> | null | undefined;
  lineOf?: (path: KeyPath) => number;
}): BindResult {
  const errors: ParamError[] = [];
  const supplied = given ?? {};
  const declared = action.params.map((p) => p.name);
  for (const name of Object.keys(supplied)) {
    if (declared.includes(name)) continue;
    const known = declared.length === 0 ? "it takes no parameters" : `its parameters: ${declared.join(", ")}`;
    errors.push({
      param: name,
      rule: "unknown",
      message: `params.${name}: ${action.name} has no parameter \`${name}\`${didYouMean(name, declared)} (${known})`,
      line: lineOf([name]),
    });
  }
  const values: Array<string | null> = [];
  const named: Record<string, NamedValue> = {};
  for (const param of action.params) {
    let bound: BoundValue | null = null;
    const owner = `${action.name}'s ${param.name}`;
    if (!Object.hasOwn(supplied, param.name) || supplied[param.name] === undefined) {
      if (param.default) bound = param.default;
      else if (!param.required) bound = { text: null, named: null };
      else {
        errors.push({
          param: param.name,
          rule: "required",
          message: `params.${param.name}: missing — ${owner} (${typeName(param.spec)}) is required: add \`${param.name}: …\` under \`params\``,
          line: lineOf([]),
        });
      }
    } else {
      const value = supplied[param.name];
      if (value === null) {
        if (param.required) {
          errors.push({
            param: param.name,
            rule: "required",
            message: `params.${param.name}: null, but ${owner} (${typeName(param.spec)}) is required: give a value`,
            line: lineOf([param.name]),
          });
        } else bound = { text: null, named: null };
      } else {
        const checked = validateValue(param.spec, value);
        if (checked.ok) bound = checked.value;
        else {
          const { error } = checked;
          const path: KeyPath = error.index === undefined ? [param.name] : [param.name, error.index];
          errors.push({
            param: param.name,
            rule: error.rule,
            message: paramMessage(`params.${param.name}`, error, `for ${owner}`, typeName(param.spec)),
            line: lineOf(path),
          });
        }
      }
    }
    values.push(bound?.text ?? null);
    named[param.name] = bound?.named ?? null;
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, values, named };
}

/** `params.amount: 1000.5 is above the maximum 1000 for refund-order's amount (numeric, max 1000)`. */
export function paramMessage(label: string, failure: ValueError, owner: string, type: string): string {
  const at = failure.index === undefined ? label : `${label}[${failure.index}]`;
  const summary = failure.constraint ? `${type}, ${failure.constraint}` : type;
  return `${at}: ${failure.problem} ${owner} (${summary})${failure.fix ? ` — ${failure.fix}` : ""}`;
}
