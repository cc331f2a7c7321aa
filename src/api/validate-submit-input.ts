import { MAX_REASON_CHARS } from "../requests/parse-sql-header.js";
import { MAX_REQUEST_MAX_ROWS, MAX_TICKET_CHARS } from "../requests/request-limits.js";
import { ApiError } from "./api-error.js";
import { API_MAX_PARAMS } from "./api-limits.js";

export type ScalarValue = string | number | boolean | null;
/** A parameter value: a scalar, or a list of scalars for an action's `array` parameter. */
export type ParamValue = ScalarValue | ScalarValue[];

/** A validated `POST /api/v1/requests` body. */
export interface SubmitInput {
  owner: string;
  repo: string;
  target: string;
  reason: string;
  sql: string | null;
  action: string | null;
  /** Named for an action, positional (`$1`, `$2`, …) for sql; null when none. */
  params: Record<string, ParamValue> | ScalarValue[] | null;
  ticket: string | null;
  maxRows: number | null;
}

const FIELDS = new Set(["repo", "target", "reason", "sql", "action", "params", "ticket", "max_rows"]);
const REPO_PATTERN = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/;
/** Target and action names as the policy and action files allow them. */
const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const PARAM_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * The one validation of the API's input. 400: a field is missing or has the wrong JSON type;
 * 422: the value is well-formed JSON but not acceptable. Every error names its field.
 */
export function validateSubmitInput(body: Record<string, unknown>): SubmitInput {
  for (const key of Object.keys(body)) {
    if (!FIELDS.has(key))
      throw new ApiError(422, key, `unknown field "${key}"; allowed: ${[...FIELDS].join(", ")}`);
  }
  const repo = requiredString(body, "repo");
  const match = REPO_PATTERN.exec(repo);
  if (!match) throw new ApiError(422, "repo", `"${repo}" is not a repository: give OWNER/NAME`);
  const target = requiredString(body, "target");
  if (!NAME_PATTERN.test(target))
    throw new ApiError(422, "target", `"${target}" is not a target name (letters, digits, ".", "_", "-")`);
  const reason = requiredString(body, "reason").trim();
  if (reason === "") throw new ApiError(422, "reason", "say why the query is needed: reviewers read it");
  if (reason.length > MAX_REASON_CHARS)
    throw new ApiError(422, "reason", `keep the reason within ${MAX_REASON_CHARS} characters`);
  if (/[\r\n]/.test(reason))
    throw new ApiError(
      422,
      "reason",
      "the reason must be one line (it becomes a header of the request file)",
    );

  const sql = optionalString(body, "sql");
  const action = optionalString(body, "action");
  if (sql !== null && action !== null)
    throw new ApiError(422, "sql", "give either sql or action (with params), not both");
  if (sql === null && action === null)
    throw new ApiError(
      400,
      "sql",
      "give the statement as sql, or a reviewed action by name as action (with params)",
    );
  if (sql !== null && sql.trim() === "") throw new ApiError(422, "sql", "sql is empty");
  if (action !== null && !NAME_PATTERN.test(action))
    throw new ApiError(422, "action", `"${action}" is not an action name (letters, digits, ".", "_", "-")`);

  const params =
    body.params === undefined || body.params === null ? null : validateParams(body.params, action !== null);

  const ticket = optionalString(body, "ticket");
  if (ticket !== null && (ticket.trim() === "" || /[\r\n]/.test(ticket) || ticket.length > MAX_TICKET_CHARS))
    throw new ApiError(
      422,
      "ticket",
      `a ticket is one non-empty line of at most ${MAX_TICKET_CHARS} characters`,
    );

  let maxRows: number | null = null;
  if (body.max_rows !== undefined && body.max_rows !== null) {
    if (typeof body.max_rows !== "number") throw new ApiError(400, "max_rows", "max_rows must be a number");
    if (!Number.isInteger(body.max_rows) || body.max_rows < 0 || body.max_rows > MAX_REQUEST_MAX_ROWS)
      throw new ApiError(
        422,
        "max_rows",
        `max_rows must be a whole number from 0 to ${MAX_REQUEST_MAX_ROWS}`,
      );
    maxRows = body.max_rows;
  }
  return {
    owner: match[1] as string,
    repo: match[2] as string,
    target,
    reason,
    sql,
    action,
    params,
    ticket,
    maxRows,
  };
}

function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (value === undefined || value === null) throw new ApiError(400, field, `${field} is required`);
  if (typeof value !== "string") throw new ApiError(400, field, `${field} must be a string`);
  return value;
}

function optionalString(body: Record<string, unknown>, field: string): string | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw new ApiError(400, field, `${field} must be a string`);
  return value;
}

function validateParams(value: unknown, forAction: boolean): Record<string, ParamValue> | ScalarValue[] {
  if (!forAction) {
    if (!Array.isArray(value))
      throw new ApiError(400, "params", "with sql, params is a JSON array bound to $1, $2, … in order");
    if (value.length > API_MAX_PARAMS) throw new ApiError(422, "params", `at most ${API_MAX_PARAMS} params`);
    value.forEach((v, i) => {
      if (!isScalar(v))
        throw new ApiError(400, `params[${i}]`, "a parameter is a string, number, boolean or null");
    });
    return value as ScalarValue[];
  }
  if (typeof value !== "object" || Array.isArray(value))
    throw new ApiError(400, "params", "with an action, params is a JSON object of parameter name → value");
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > API_MAX_PARAMS) throw new ApiError(422, "params", `at most ${API_MAX_PARAMS} params`);
  const params: Record<string, ParamValue> = {};
  for (const [name, v] of entries) {
    if (!PARAM_NAME_PATTERN.test(name))
      throw new ApiError(
        422,
        `params.${name}`,
        `"${name}" is not a parameter name (a letter or "_", then letters, digits, "_")`,
      );
    if (!isScalar(v) && !(Array.isArray(v) && v.every(isScalar)))
      throw new ApiError(
        400,
        `params.${name}`,
        "a parameter is a string, number, boolean, null, or a list of those",
      );
    params[name] = v as ParamValue;
  }
  return params;
}

function isScalar(v: unknown): v is ScalarValue {
  return v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}
