import type { Limits } from "../../policy/policy-types.js";
import { MAX_SQL_SOURCE_BYTES } from "../../sql/source-text.js";
import type { KeyPath } from "../../yaml/key-path.js";
import {
  checkKeys,
  describe,
  didYouMean,
  isMapping,
  quoted,
  type ReadContext,
  report,
} from "../../yaml/read-context.js";
import type { Action, NamedValue } from "../actions/action-types.js";
import { bindActionParams } from "../actions/bind-action-params.js";
import { TARGET_NAME } from "../actions/parse-action-file.js";
import { MAX_REASON_CHARS, type RequestProblem } from "../parse-sql-header.js";
import {
  MAX_REPORTED_PROBLEMS,
  MAX_REQUEST_MAX_ROWS,
  MAX_TICKET_CHARS,
  MAX_YAML_REQUEST_BYTES,
} from "../request-limits.js";
import { bindPositionalParams } from "./bind-positional-params.js";
import { readSqlScalar } from "./read-sql-scalar.js";
import { readYamlFile, type YamlFile } from "./read-yaml-file.js";

export const YAML_REQUEST_KEYS = [
  "reason",
  "ticket",
  "max_rows",
  "action",
  "params",
  "target",
  "sql",
] as const;

export interface YamlRequest {
  target: string;
  reason: string;
  ticket: string | null;
  maxRows: number | null;
  /** The SQL that runs, exactly as written (the action's, or the request's own). */
  sql: string;
  /** Text-format values for `$1…`; null binds SQL NULL. */
  values: Array<string | null>;
  /** For the policy's `when.params` and CEL: an action's names, or `p1`, `p2`… for positional values. */
  named: Record<string, NamedValue>;
  action: string | null;
  /** Where the SQL is written, so a statement's line k maps to `line + k - 1` of `path`. */
  sqlSource: { path: string; line: number };
  /** The action's limits, applied with the target's and the rules' (the strictest wins); null for none. */
  limits: Limits | null;
}

export type YamlRequestResult = { ok: true; request: YamlRequest } | { ok: false; errors: RequestProblem[] };

/**
 * A `queries/**\/*.yml` request: `reason`, optional `ticket` and `max_rows`, and either `action` + named
 * `params` (a reviewed action from `actions/`) or `target` + `sql` + positional `params`. Values are checked
 * before anything else and are only ever bound as `$n`. Problems carry the line to annotate.
 *
 * `actions` are the base branch's actions (see loadActions); `invalidActions` names those that failed to load.
 */
export function parseYamlRequest({
  path,
  content,
  actions,
  invalidActions = new Set(),
}: {
  path: string;
  content: string;
  actions: ReadonlyMap<string, Action>;
  invalidActions?: ReadonlySet<string>;
}): YamlRequestResult {
  const read = readYamlFile(path, content, { maxBytes: MAX_YAML_REQUEST_BYTES, what: "a request file" });
  if (!read.ok) return { ok: false, errors: read.errors.map((e) => problem(e.line, e.message)) };
  const { yaml } = read;
  const ctx: ReadContext = { file: path, positions: yaml.positions, errors: [], references: [] };
  const result = readRequest(ctx, yaml, { path, actions, invalidActions });
  if (ctx.errors.length > 0 || !result) {
    const problems = ctx.errors
      .map((e) => problem(e.line, e.message))
      .sort((a, b) => a.line - b.line)
      .slice(0, MAX_REPORTED_PROBLEMS);
    if (ctx.errors.length > MAX_REPORTED_PROBLEMS) {
      problems.push(problem(1, `… ${ctx.errors.length - MAX_REPORTED_PROBLEMS} more problems`));
    }
    return { ok: false, errors: problems };
  }
  return { ok: true, request: result };
}

function readRequest(
  ctx: ReadContext,
  yaml: YamlFile,
  {
    path,
    actions,
    invalidActions,
  }: { path: string; actions: ReadonlyMap<string, Action>; invalidActions: ReadonlySet<string> },
): YamlRequest | null {
  const map = yaml.value;
  if (!isMapping(map)) {
    report(
      ctx,
      [],
      `a request file is a mapping (reason, and action + params or target + sql) — got ${describe(map)}`,
    );
    return null;
  }
  if (map.template !== undefined) {
    report(
      ctx,
      ["template"],
      "`template` is now `action`: write `action: <name>` (a file in actions/) and its `params`",
    );
    delete map.template;
  }
  checkKeys(ctx, { map, path: [], known: YAML_REQUEST_KEYS });

  const reason = readReason(ctx, map.reason);
  const ticket = readTicket(ctx, yaml, map.ticket);
  const maxRows = readMaxRows(ctx, map.max_rows);

  if (map.action !== undefined && map.sql !== undefined) {
    report(
      ctx,
      ["sql"],
      "give either `action` (a reviewed action and its params) or `sql`, not both: remove `sql` to run the action",
    );
    return null;
  }
  if (map.action === undefined && map.sql === undefined) {
    report(
      ctx,
      [],
      "missing what to run: add `action: <name>` with its `params`, or `target:` and `sql: |` with the statement",
    );
    return null;
  }

  if (map.action !== undefined) {
    const action = findAction(ctx, { name: map.action, actions, invalidActions });
    if (!action) return null;
    if (map.target !== undefined && map.target !== action.target) {
      report(
        ctx,
        ["target"],
        `\`target\` is ${describe(map.target)} but action ${action.name} runs on ${action.target}: remove \`target\` (it comes from the action) or set it to ${action.target}`,
      );
    }
    const given = map.params === undefined ? {} : yaml.exact(["params"], map.params);
    if (!isMapping(given)) {
      report(
        ctx,
        ["params"],
        `an action's \`params\` are named: write \`params: { ${action.params[0]?.name ?? "name"}: … }\` — got ${describe(map.params)}`,
      );
      return null;
    }
    const bound = bindActionParams({
      action,
      given,
      lineOf: (p: KeyPath) => yaml.positions.lineOf(map.params === undefined ? ["action"] : ["params", ...p]),
    });
    if (!bound.ok) {
      for (const error of bound.errors)
        ctx.errors.push({
          file: path,
          line: error.line,
          key: `params.${error.param}`,
          message: error.message,
        });
      return null;
    }
    if (reason === null || ctx.errors.length > 0) return null;
    return {
      target: action.target,
      reason,
      ticket,
      maxRows,
      sql: action.sql,
      values: bound.values,
      named: bound.named,
      action: action.name,
      sqlSource: { path: action.source.path, line: action.source.sqlLine },
      limits: action.limits,
    };
  }

  let target: string | null = null;
  if (map.target === undefined)
    report(ctx, [], "missing `target`: add `target: <policy target>` for the SQL to run on");
  else if (typeof map.target === "string" && TARGET_NAME.test(map.target)) target = map.target;
  else {
    report(
      ctx,
      ["target"],
      `\`target\` must be a policy target name (lowercase letters, digits, '-', '_'; at most 63) — got ${describe(map.target)}`,
    );
  }
  const sql = readSqlScalar(ctx, yaml, { value: map.sql, path: ["sql"], maxBytes: MAX_SQL_SOURCE_BYTES });
  const bound = bindPositionalParams(ctx, yaml, map.params);
  if (reason === null || target === null || sql === null || bound === null || ctx.errors.length > 0)
    return null;
  return {
    target,
    reason,
    ticket,
    maxRows,
    sql: sql.sql,
    values: bound.values,
    named: bound.named,
    action: null,
    sqlSource: { path, line: sql.line },
    limits: null,
  };
}

function findAction(
  ctx: ReadContext,
  {
    name,
    actions,
    invalidActions,
  }: { name: unknown; actions: ReadonlyMap<string, Action>; invalidActions: ReadonlySet<string> },
): Action | null {
  if (typeof name !== "string" || name === "") {
    report(ctx, ["action"], `\`action\` must be the name of an action in actions/ — got ${describe(name)}`);
    return null;
  }
  const action = actions.get(name);
  if (action) return action;
  if (invalidActions.has(name)) {
    report(
      ctx,
      ["action"],
      `action ${name} has errors in actions/${name}.yml: it cannot run until they are fixed`,
    );
    return null;
  }
  const known = [...actions.keys()];
  report(
    ctx,
    ["action"],
    `unknown action \`${name}\`${didYouMean(name, known)}: actions are the files in actions/ on the base branch${known.length > 0 && known.length <= 20 ? ` (${known.join(", ")})` : ""}`,
  );
  return null;
}

function readReason(ctx: ReadContext, value: unknown): string | null {
  if (value === undefined) {
    report(
      ctx,
      [],
      "missing `reason`: add `reason:` saying why this must run (it goes into the audit record)",
    );
    return null;
  }
  if (typeof value !== "string" || value.trim() === "") {
    report(ctx, ["reason"], `\`reason\` must be text saying why this must run — got ${describe(value)}`);
    return null;
  }
  if (value.length > MAX_REASON_CHARS) {
    report(
      ctx,
      ["reason"],
      `\`reason\` is ${value.length} characters; shorten it to at most ${MAX_REASON_CHARS}`,
    );
    return null;
  }
  return value;
}

function readTicket(ctx: ReadContext, yaml: YamlFile, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const text = typeof value === "number" ? (yaml.scalarAt(["ticket"])?.text ?? String(value)) : value;
  if (
    typeof text !== "string" ||
    text.trim() === "" ||
    text.length > MAX_TICKET_CHARS ||
    text.includes("\n")
  ) {
    report(
      ctx,
      ["ticket"],
      `${quoted(["ticket"])} must be one line of at most ${MAX_TICKET_CHARS} characters, e.g. SUP-1234 — got ${describe(value)}`,
    );
    return null;
  }
  return text;
}

function readMaxRows(ctx: ReadContext, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && value <= MAX_REQUEST_MAX_ROWS)
    return value;
  report(ctx, ["max_rows"], `\`max_rows\` must be a whole number ≥ 0 — got ${describe(value)}`);
  return null;
}

function problem(line: number, message: string): RequestProblem {
  return { line, column: 1, message };
}
