import type { Action } from "../requests/actions/action-types.js";
import { isYamlRequestPath } from "../requests/request-paths.js";
import { parseYamlRequest } from "../requests/yaml-request/parse-yaml-request.js";
import { SubmitInputError } from "./submit-errors.js";

/**
 * Checks a request file exactly as the app will, before any branch or pull request exists: an action's
 * parameters against their types (the error names the parameter and the rule), its target, its SQL's
 * source. `.sql` files are checked when they are built.
 */
export function validateRequestFile(p: {
  file: { path: string; content: string };
  actions: { actions: ReadonlyMap<string, Action>; invalid: ReadonlySet<string> };
}): void {
  if (!isYamlRequestPath(p.file.path)) return;
  const parsed = parseYamlRequest({
    path: p.file.path,
    content: p.file.content,
    actions: new Map(p.actions.actions),
    invalidActions: new Set(p.actions.invalid),
  });
  if (parsed.ok) return;
  const first = parsed.errors[0]?.message ?? "the request is invalid";
  // Messages start with the key they are about, e.g. `params.amount: 1000.5 is above the maximum 1000 …`.
  const field = /^([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)?):/.exec(first)?.[1] ?? "params";
  throw new SubmitInputError(field, parsed.errors.map((problem) => problem.message).join("; "));
}
