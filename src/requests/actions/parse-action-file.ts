import { readLimits } from "../../policy/load/read-limits.js";
import {
  checkKeys,
  describe,
  isMapping,
  quoted,
  type ReadContext,
  readString,
  report,
} from "../../yaml/read-context.js";
import {
  MAX_ACTION_FILE_BYTES,
  MAX_ACTION_SQL_BYTES,
  MAX_DESCRIPTION_CHARS,
  MAX_PARAMS_PER_ACTION,
} from "../request-limits.js";
import { ACTIONS_DIR } from "../request-paths.js";
import { readSqlScalar } from "../yaml-request/read-sql-scalar.js";
import { readYamlFile, type YamlFile } from "../yaml-request/read-yaml-file.js";
import type { Action, ActionParam, RequestFileError } from "./action-types.js";
import { readTypeSpec } from "./read-type-spec.js";
import { typeName, validateValue } from "./validate-value.js";

export const ACTION_KEYS = ["name", "description", "target", "sql", "params", "limits"] as const;
const PARAM_KEYS = ["name", "description", "default", "required"] as const;
/** Action names: like rule names, usable in file names, policies and messages. */
export const ACTION_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Parameter names: what a policy's `when.params` accepts, lowercase. */
export const PARAM_NAME = /^[a-z][a-z0-9_]{0,62}$/;
/** Target names, as the policy defines them. */
export const TARGET_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export type ParsedAction = { ok: true; action: Action } | { ok: false; errors: RequestFileError[] };

/** One `actions/<name>.yml` file → Action, or every error found in it. */
export function parseActionFile({ path, content }: { path: string; content: string }): ParsedAction {
  const read = readYamlFile(path, content, { maxBytes: MAX_ACTION_FILE_BYTES, what: "an action file" });
  if (!read.ok) return read;
  const { yaml } = read;
  const ctx: ReadContext = { file: path, positions: yaml.positions, errors: [], references: [] };
  const map = yaml.value;
  if (!isMapping(map)) {
    report(ctx, [], `an action file is a mapping of ${ACTION_KEYS.join(", ")} — got ${describe(map)}`);
    return { ok: false, errors: ctx.errors };
  }
  checkKeys(ctx, { map, path: [], known: ACTION_KEYS });
  for (const key of ["name", "description", "target", "sql"] as const) {
    if (map[key] === undefined) report(ctx, [], `missing \`${key}\`: ${REQUIRED_HINTS[key]}`);
  }

  let name: string | null = null;
  if (map.name !== undefined) {
    const stem = path.startsWith(ACTIONS_DIR) ? path.slice(ACTIONS_DIR.length).replace(/\.yml$/, "") : null;
    if (typeof map.name !== "string" || !ACTION_NAME.test(map.name)) {
      report(
        ctx,
        ["name"],
        `\`name\` must be lowercase letters, digits and '-' (at most 63, starting with a letter or digit) — got ${describe(map.name)}`,
      );
    } else if (stem !== null && stem !== map.name) {
      report(
        ctx,
        ["name"],
        `\`name\` is ${map.name} but the file is ${path}: rename the file to ${ACTIONS_DIR}${map.name}.yml or set \`name: ${stem}\``,
      );
    } else name = map.name;
  }
  let description: string | null = null;
  if (map.description !== undefined) {
    description = readString(ctx, { value: map.description, path: ["description"] });
    if (description !== null && [...description].length > MAX_DESCRIPTION_CHARS) {
      report(
        ctx,
        ["description"],
        `\`description\` is longer than ${MAX_DESCRIPTION_CHARS} characters: shorten it`,
      );
      description = null;
    }
  }
  let target: string | null = null;
  if (map.target !== undefined) {
    if (typeof map.target === "string" && TARGET_NAME.test(map.target)) target = map.target;
    else {
      report(
        ctx,
        ["target"],
        `\`target\` must be the name of a policy target (lowercase letters, digits, '-', '_'; at most 63) — got ${describe(map.target)}`,
      );
    }
  }
  const sql =
    map.sql === undefined
      ? null
      : readSqlScalar(ctx, yaml, { value: map.sql, path: ["sql"], maxBytes: MAX_ACTION_SQL_BYTES });
  const params = map.params === undefined ? [] : readParams(ctx, yaml, map.params);
  const limits = map.limits === undefined ? null : readLimits(ctx, { value: map.limits, path: ["limits"] });

  if (ctx.errors.length > 0 || !name || !description || !target || !sql || !params) {
    return { ok: false, errors: ctx.errors };
  }
  return {
    ok: true,
    action: {
      name,
      description,
      target,
      sql: sql.sql,
      params,
      limits,
      source: { path, line: 1, sqlLine: sql.line },
    },
  };
}

const REQUIRED_HINTS = {
  name: "add `name: <this file's name without .yml>`",
  description: "add `description:` saying what the action does, for reviewers and requesters",
  target: "add `target:` with the policy target the action runs on",
  sql: "add `sql: |` and the statement on the next lines, with $1, $2… for the parameters",
} as const;

function readParams(ctx: ReadContext, yaml: YamlFile, value: unknown): ActionParam[] | null {
  if (!Array.isArray(value)) {
    report(
      ctx,
      ["params"],
      `\`params\` must be a list — its order is the order of $1, $2… in the SQL, e.g. \`- { name: order_id, type: bigint }\` — got ${describe(value)}`,
    );
    return null;
  }
  if (value.length > MAX_PARAMS_PER_ACTION) {
    report(
      ctx,
      ["params"],
      `\`params\` has ${value.length} entries, more than ${MAX_PARAMS_PER_ACTION}: split the action`,
    );
    return null;
  }
  const out: ActionParam[] = [];
  const seen = new Map<string, number>();
  let ok = true;
  for (const [index, raw] of value.entries()) {
    const path = ["params", index];
    if (!isMapping(raw)) {
      ok = false;
      report(
        ctx,
        path,
        `${quoted(path)} must be a mapping like \`{ name: order_id, type: bigint }\` — got ${describe(raw)}`,
      );
      continue;
    }
    const line = ctx.positions.lineOf(path);
    let name: string | null = null;
    if (typeof raw.name === "string" && PARAM_NAME.test(raw.name)) {
      const first = seen.get(raw.name);
      if (first !== undefined) {
        report(
          ctx,
          [...path, "name"],
          `parameter \`${raw.name}\` is declared twice (first as params[${first}]): rename one`,
        );
      } else {
        seen.set(raw.name, index);
        name = raw.name;
      }
    } else {
      report(
        ctx,
        raw.name === undefined ? path : [...path, "name"],
        `${quoted([...path, "name"])} must be a lowercase name (a letter, then letters, digits, '_'; at most 63) — got ${describe(raw.name)}`,
      );
    }
    if (raw.description !== undefined)
      readString(ctx, { value: raw.description, path: [...path, "description"] });
    let required = true;
    if (raw.required !== undefined) {
      if (typeof raw.required === "boolean") required = raw.required;
      else
        report(
          ctx,
          [...path, "required"],
          `${quoted([...path, "required"])} must be true or false — got ${describe(raw.required)}`,
        );
    }
    const spec = readTypeSpec(ctx, yaml, { map: raw, path, otherKeys: PARAM_KEYS });
    let defaultValue: ActionParam["default"] = null;
    if (raw.default !== undefined && spec) {
      const defaultPath = [...path, "default"];
      if (raw.default === null) {
        report(
          ctx,
          defaultPath,
          "`default: null` is not a value: remove it and set `required: false` to bind NULL when the parameter is not given",
        );
      } else if (raw.required === true) {
        report(
          ctx,
          [...path, "required"],
          "a parameter with a `default` is optional: remove `required: true` or the default",
        );
      } else {
        const checked = validateValue(spec, yaml.exact(defaultPath, raw.default));
        if (checked.ok) defaultValue = checked.value;
        else {
          const { error } = checked;
          const at = error.index === undefined ? defaultPath : [...defaultPath, error.index];
          report(
            ctx,
            at,
            `the default of ${name ?? `params[${index}]`} does not fit its type: ${error.problem} (${typeName(spec)}${error.constraint ? `, ${error.constraint}` : ""})${error.fix ? ` — ${error.fix}` : ""}`,
          );
        }
      }
      if (raw.default !== null && defaultValue === null) ok = false;
    }
    if (!name || !spec) {
      ok = false;
      continue;
    }
    out.push({
      name,
      position: index + 1,
      spec,
      required: required && raw.default === undefined,
      default: defaultValue,
      line,
    });
  }
  return ok ? out : null;
}
