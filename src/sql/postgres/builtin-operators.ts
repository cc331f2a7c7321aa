/**
 * Operators of a stock PostgreSQL with no side effects. A user-defined operator runs an arbitrary
 * function, so any other operator is flagged `unknown_operator`, like an unknown function.
 */
export const BUILTIN_OPERATORS: ReadonlySet<string> = new Set([
  "=", "<>", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "%", "^", "||", "|/", "||/", "@", "!!",
  "&", "|", "#", "~", "<<", ">>", "~~", "!~~", "~~*", "!~~*", "!~", "~*", "!~*", "@>", "<@", "&&",
  "->", "->>", "#>", "#>>", "?", "?|", "?&", "@?", "@@", "@@@", "#-", "<->", "&<", "&>", "<<|", "|>>",
  "&<|", "|&>", "<^", ">^", "?#", "?-", "?|", "?-|", "?||", "~=", "<<=", ">>=", "-|-", "##", "<#>", "<=>",
]);
