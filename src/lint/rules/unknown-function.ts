import { isDangerousFunction, READ_ONLY_FUNCTIONS } from "../../sql/postgres/function-lists.js";
import type { LintRule } from "../lint-rule.js";

const UNKNOWN_FUNCTION_FLAG = "unknown_function";
/** Longer lists are cut in the message. */
const MAX_NAMED_FUNCTIONS = 5;

export const unknownFunction: LintRule = {
  id: "unknown-function",
  level: "notice",
  summary: "calls a function querygate does not know to be read-only",
  check({ statement, live }) {
    if (!statement.flags.includes(UNKNOWN_FUNCTION_FLAG)) return [];
    const unknown = statement.functions.filter((name) => isUnknown(name, live?.functions));
    const named = unknown.slice(0, MAX_NAMED_FUNCTIONS).map((name) => `${name}()`);
    if (unknown.length > MAX_NAMED_FUNCTIONS) named.push(`${unknown.length - MAX_NAMED_FUNCTIONS} more`);
    const which = named.length > 0 ? named.join(", ") : "a function";
    return [
      {
        message: `calls ${which}, which querygate does not know to be read-only: a function can write, lock or reach outside the database, so check what it does (\\df+ on the target) before approving, or rewrite the statement with built-in functions`,
      },
    ];
  },
};

function isUnknown(
  qualified: string,
  looked: ReadonlyArray<{ name: string; volatility: string | null }> | undefined,
): boolean {
  if (looked?.some((f) => f.name === qualified && f.volatility === null)) return true;
  const parts = qualified.split(".");
  const bare = parts[parts.length - 1] ?? qualified;
  const schema = parts.length > 1 ? parts[0] : null;
  if (isDangerousFunction(bare)) return false;
  return (schema !== null && schema !== "pg_catalog") || !READ_ONLY_FUNCTIONS.has(bare);
}
