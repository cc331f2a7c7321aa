import { MAX_ACTIONS, MAX_REPORTED_PROBLEMS } from "../request-limits.js";
import { ACTIONS_DIR, isActionPath } from "../request-paths.js";
import type { Action, RequestFileError } from "./action-types.js";
import { parseActionFile } from "./parse-action-file.js";

export interface ActionFileInput {
  path: string;
  content: string;
}

/**
 * Every action, or the errors. On errors the valid actions are still returned, with the names of the broken
 * ones in `invalid`, so a request naming a broken action is told to fix it rather than that it does not exist.
 * Callers that need all-or-nothing use `ok`.
 */
export type ActionsLoadResult =
  | { ok: true; actions: Map<string, Action> }
  | { ok: false; errors: RequestFileError[]; actions: Map<string, Action>; invalid: Set<string> };

/** `actions/<name>.yml` files (from the base branch, like the policy) → actions by name. */
export function loadActions(files: ReadonlyArray<ActionFileInput>): ActionsLoadResult {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const actions = new Map<string, Action>();
  const invalid = new Set<string>();
  const errors: RequestFileError[] = [];
  if (sorted.length > MAX_ACTIONS) {
    errors.push({
      file: ACTIONS_DIR,
      line: 1,
      key: "",
      message: `${sorted.length} action files, more than ${MAX_ACTIONS}: remove unused actions`,
    });
    return { ok: false, errors, actions, invalid };
  }
  for (const [index, file] of sorted.entries()) {
    const stem = file.path.slice(ACTIONS_DIR.length).replace(/\.yml$/, "");
    if (!isActionPath(file.path)) {
      errors.push({
        file: file.path,
        line: 1,
        key: "",
        message: `not an action file: actions are \`${ACTIONS_DIR}<name>.yml\`, directly in ${ACTIONS_DIR}`,
      });
      continue;
    }
    if (sorted[index - 1]?.path === file.path) {
      errors.push({ file: file.path, line: 1, key: "", message: "this action file is given twice" });
      continue;
    }
    const parsed = parseActionFile(file);
    if (parsed.ok) actions.set(parsed.action.name, parsed.action);
    else {
      invalid.add(stem);
      errors.push(...parsed.errors);
    }
  }
  if (errors.length === 0) return { ok: true, actions };
  errors.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  if (errors.length > MAX_REPORTED_PROBLEMS) {
    const more = errors.length - MAX_REPORTED_PROBLEMS;
    errors.length = MAX_REPORTED_PROBLEMS;
    errors.push({ file: ACTIONS_DIR, line: 1, key: "", message: `… ${more} more errors` });
  }
  return { ok: false, errors, actions, invalid };
}
