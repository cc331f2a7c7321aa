import { randomBytes } from "node:crypto";
import { dump } from "js-yaml";
import { MAX_REASON_CHARS, parseSqlHeader } from "../requests/parse-sql-header.js";
import { MAX_POSITIONAL_PARAMS, MAX_REQUEST_MAX_ROWS, MAX_TICKET_CHARS } from "../requests/request-limits.js";
import { REQUESTS_DIR } from "../requests/request-paths.js";
import { SubmitInputError } from "./submit-errors.js";
import { MAX_SUBMIT_SQL_BYTES, REQUEST_SLUG_MAX_CHARS, SHORT_ID_HEX_CHARS } from "./submit-limits.js";

export type ScalarParam = string | number | boolean | null;
/** An action's parameter value: a scalar, or a list of scalars for an `array` parameter. */
export type ParamValue = ScalarParam | ScalarParam[];

export interface RequestFileInput {
  target: string;
  reason: string;
  /** The statement(s); with `params` (a list), bound to $1, $2, … in a `.yml` request. */
  sql?: string;
  /** A reviewed action (`actions/<name>.yml`) by name, with named `params`. */
  action?: string;
  /** Named for an action; positional (a list) for `sql`. */
  params?: Record<string, ParamValue> | ScalarParam[];
  ticket?: string;
  maxRows?: number;
  /** Who asked, as a plain comment in the file: informational only — GitHub's author is what counts. */
  requestedBy?: string;
  actorType?: "user" | "agent";
  /** The month folder and the file's short id; default now and random (pass them for a pure call). */
  now?: Date;
  shortId?: string;
}

export interface RequestFile {
  path: string;
  content: string;
}

/** Same rule as the `.sql` header's `target` (src/requests/parse-sql-header.ts). */
const TARGET_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const ACTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\[bot\])?$/;
const SHORT_ID = /^[a-z0-9]{1,16}$/;

/**
 * The request file a submission commits: `queries/<yyyy-mm>/<slug>-<id>.sql` with a `-- key: value` header
 * (SQL without parameters), or `.yml` (an action with named params, or SQL with positional params). Every
 * input is validated here, once, with an error that names the field and says how to fix it; the SQL's own
 * text is never altered.
 */
export function buildRequestFile(p: RequestFileInput): RequestFile {
  const input = validate(p);
  const now = p.now ?? new Date();
  const id = p.shortId ?? randomBytes(SHORT_ID_HEX_CHARS).toString("hex").slice(0, SHORT_ID_HEX_CHARS);
  if (!SHORT_ID.test(id))
    throw new SubmitInputError("shortId", `shortId must be 1–16 lowercase letters or digits, got "${id}"`);
  const month = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, "0")}`;
  const stem = `${REQUESTS_DIR}${month}/${slugOf(input.reason)}-${id}`;
  const byLine = requestedByLine(p);
  if (input.sql !== undefined && input.params === undefined) {
    const header = [
      `-- target: ${input.target}`,
      `-- reason: ${input.reason}`,
      ...(input.ticket !== undefined ? [`-- ticket: ${input.ticket}`] : []),
      ...(input.maxRows !== undefined ? [`-- max_rows: ${input.maxRows}`] : []),
      ...(byLine ? [`-- ${byLine}`] : []),
    ];
    const content = `${header.join("\n")}\n\n${withFinalNewline(input.sql)}`;
    const parsed = parseSqlHeader(content);
    if (!parsed.ok) {
      // The SQL's own leading comments run into the header when they look like `-- key: value`.
      throw new SubmitInputError(
        "sql",
        `the request file would not parse: ${parsed.errors.map((q) => `line ${q.line}: ${q.message}`).join("; ")} — leave header lines out of the SQL (submit writes them from target, reason, ticket and max rows), or start the SQL with a statement`,
      );
    }
    return { path: `${stem}.sql`, content };
  }
  const document: Record<string, unknown> = { target: input.target, reason: input.reason };
  if (input.ticket !== undefined) document.ticket = input.ticket;
  if (input.maxRows !== undefined) document.max_rows = input.maxRows;
  if (input.action !== undefined) document.action = input.action;
  if (input.sql !== undefined) document.sql = withFinalNewline(input.sql);
  if (input.params !== undefined) document.params = input.params;
  const yaml = dump(document, { lineWidth: -1, noRefs: true });
  return { path: `${stem}.yml`, content: `${byLine ? `# ${byLine}\n` : ""}${yaml}` };
}

interface ValidInput {
  target: string;
  reason: string;
  sql?: string;
  action?: string;
  params?: Record<string, ParamValue> | ScalarParam[];
  ticket?: string;
  maxRows?: number;
}

function validate(p: RequestFileInput): ValidInput {
  const target = p.target?.trim() ?? "";
  if (!TARGET_NAME.test(target))
    throw new SubmitInputError(
      "target",
      target === ""
        ? "give the target database by its name in the policy, e.g. orders-prod"
        : `"${target}" is not a target name: lowercase letters, digits, "-" and "_", at most 63, as in the policy's targets`,
    );
  const reason = p.reason?.trim() ?? "";
  if (reason === "") throw new SubmitInputError("reason", "say why this must run: reviewers decide on it");
  if (/[\r\n]/.test(reason))
    throw new SubmitInputError("reason", "keep the reason on one line (it is a header of the request file)");
  if (reason.length > MAX_REASON_CHARS)
    throw new SubmitInputError(
      "reason",
      `the reason is ${reason.length} characters; shorten it to at most ${MAX_REASON_CHARS} (link a ticket for the details)`,
    );
  const hasSql = p.sql !== undefined;
  const hasAction = p.action !== undefined;
  if (hasSql && hasAction) throw new SubmitInputError("sql", "give either SQL or an action, not both");
  if (!hasSql && !hasAction)
    throw new SubmitInputError(
      "sql",
      "give the SQL to run, or a reviewed action by name with its parameters",
    );
  const out: ValidInput = { target, reason };
  if (hasSql) {
    const sql = p.sql as string;
    if (sql.trim() === "") throw new SubmitInputError("sql", "the SQL is empty");
    if (Buffer.byteLength(sql, "utf8") > MAX_SUBMIT_SQL_BYTES)
      throw new SubmitInputError(
        "sql",
        `the SQL is over ${MAX_SUBMIT_SQL_BYTES} bytes; split it into several requests`,
      );
    out.sql = sql;
    if (p.params !== undefined) out.params = positionalParams(p.params);
  } else {
    const action = (p.action as string).trim();
    if (!ACTION_NAME.test(action))
      throw new SubmitInputError(
        "action",
        `"${action}" is not an action name: letters, digits, ".", "_" and "-" (the file actions/<name>.yml)`,
      );
    out.action = action;
    out.params = namedParams(p.params ?? {});
  }
  if (p.ticket !== undefined) {
    const ticket = p.ticket.trim();
    if (ticket === "" || /[\r\n]/.test(ticket) || ticket.length > MAX_TICKET_CHARS)
      throw new SubmitInputError(
        "ticket",
        `a ticket is one non-empty line of at most ${MAX_TICKET_CHARS} characters`,
      );
    out.ticket = ticket;
  }
  if (p.maxRows !== undefined) {
    if (!Number.isSafeInteger(p.maxRows) || p.maxRows < 0 || p.maxRows > MAX_REQUEST_MAX_ROWS)
      throw new SubmitInputError(
        "max_rows",
        `max rows must be a whole number from 0 to ${MAX_REQUEST_MAX_ROWS}, got ${p.maxRows}`,
      );
    out.maxRows = p.maxRows;
  }
  if (p.requestedBy !== undefined && !LOGIN.test(p.requestedBy))
    throw new SubmitInputError("requested_by", `"${p.requestedBy}" is not a GitHub login`);
  return out;
}

function positionalParams(params: RequestFileInput["params"]): ScalarParam[] {
  if (!Array.isArray(params))
    throw new SubmitInputError("params", "with SQL, parameters are a list bound to $1, $2, … in order");
  if (params.length > MAX_POSITIONAL_PARAMS)
    throw new SubmitInputError("params", `at most ${MAX_POSITIONAL_PARAMS} parameters`);
  for (const [i, value] of params.entries()) checkScalar(value, `params[${i}]`);
  return params;
}

function namedParams(params: RequestFileInput["params"]): Record<string, ParamValue> {
  if (Array.isArray(params) || params === null || typeof params !== "object")
    throw new SubmitInputError("params", "an action's parameters are named: name → value");
  for (const [name, value] of Object.entries(params)) {
    if (!PARAM_NAME.test(name))
      throw new SubmitInputError(
        `params.${name}`,
        `"${name}" is not a parameter name (a letter or "_", then letters, digits, "_")`,
      );
    if (!Array.isArray(value)) checkScalar(value, `params.${name}`);
    else for (const [i, item] of value.entries()) checkScalar(item, `params.${name}[${i}]`);
  }
  return params;
}

function checkScalar(value: unknown, field: string): void {
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number" && Number.isFinite(value)) return;
  throw new SubmitInputError(field, "a parameter value is a string, a finite number, true, false or null");
}

/** The reason's first words, lowercase ASCII and "-", for a file name a reviewer recognises. */
export function slugOf(reason: string): string {
  const slug = reason
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, REQUEST_SLUG_MAX_CHARS)
    .replace(/-+$/, "");
  return slug === "" ? "request" : slug;
}

/** "Requested by alice (agent) through querygate" — no `key:` shape, so no parser reads it as a header key. */
function requestedByLine(p: RequestFileInput): string | null {
  if (p.requestedBy === undefined) return null;
  return `Requested by ${p.requestedBy}${p.actorType === "agent" ? " (agent)" : ""} through querygate`;
}

function withFinalNewline(text: string): string {
  return text.endsWith("\n") ? text : `${text}\n`;
}

/** Branches that `querygate submit` and the API create. */
export const SUBMIT_BRANCH_PREFIX = "querygate/request-";

/** `querygate/request-20260102T030405Z-1a2b3c`: sortable by time, unique by the random part. */
export function branchName(now: Date, random = randomBytes(SHORT_ID_HEX_CHARS).toString("hex")): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
  return `${SUBMIT_BRANCH_PREFIX}${stamp}-${random.slice(0, SHORT_ID_HEX_CHARS)}`;
}
