import type { LintRule } from "../lint-rule.js";
import type { RuleOutput } from "../rule-output.js";
import { lineAtLocation } from "../tree/node-line.js";
import { nodesOfType } from "../tree/statement-nodes.js";
import { isNode, listOf, nameParts, nodeOf, withoutCasts } from "../tree/tree-node.js";

/** LIKE and ILIKE, negated or not, written as keywords or as their operators. */
const LIKE_OPERATORS: ReadonlySet<string> = new Set(["~~", "~~*", "!~~", "!~~*"]);
const LIKE_KINDS: ReadonlySet<string> = new Set(["AEXPR_LIKE", "AEXPR_ILIKE", "AEXPR_OP"]);
/** LIKE … ESCAPE 'x' wraps the pattern in this function. */
const LIKE_ESCAPE_FUNCTION = "like_escape";
const LEADING_WILDCARDS = ["%", "_"];
/** Every LIKE needs one of these tokens, so most statements skip the tree walk. */
const LIKE_TOKEN = /like|~~/i;
const MAX_CAST_DEPTH = 8;
/** Longer patterns are cut in messages. */
const MAX_PATTERN_SHOWN = 40;

export const leadingWildcardLike: LintRule = {
  id: "leading-wildcard-like",
  level: "notice",
  summary: "LIKE / ILIKE pattern starting with % or _, which no B-tree index can serve",
  check({ statement }) {
    if (!LIKE_TOKEN.test(statement.text)) return [];
    const findings: RuleOutput = [];
    for (const expr of nodesOfType(statement, "A_Expr")) {
      if (!LIKE_KINDS.has(String(expr.kind))) continue;
      const op = nameParts(expr.name);
      if (!LIKE_OPERATORS.has(op[op.length - 1] ?? "")) continue;
      const pattern = patternText(expr.rexpr);
      if (pattern === null || !LEADING_WILDCARDS.some((w) => pattern.startsWith(w))) continue;
      findings.push({
        message: `the pattern ${quoted(pattern)} starts with a wildcard, so no B-tree index can narrow the search and every candidate row is read: anchor the pattern at its start (e.g. 'abc%'), or use a trigram (pg_trgm) index if you need substring search`,
        line: lineAtLocation(statement, expr.location),
      });
    }
    return findings;
  },
};

function patternText(rexpr: unknown): string | null {
  let value = withoutCasts(rexpr, MAX_CAST_DEPTH);
  const call = nodeOf(value, "FuncCall");
  if (call && nameParts(call.funcname).pop() === LIKE_ESCAPE_FUNCTION) {
    value = withoutCasts(listOf(call.args)[0], MAX_CAST_DEPTH);
  }
  const constant = nodeOf(value, "A_Const");
  const text = isNode(constant?.sval) ? constant.sval.sval : undefined;
  return typeof text === "string" ? text : null;
}

function quoted(pattern: string): string {
  return pattern.length > MAX_PATTERN_SHOWN ? `'${pattern.slice(0, MAX_PATTERN_SHOWN)}…'` : `'${pattern}'`;
}
