import { celEnv, isCelError, parse, plan } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { closestName } from "../../yaml/closest-name.js";
import { MAX_CEL_SOURCE_CHARS } from "./policy-limits.js";

/** The variables an `if` expression sees (docs/policy.md lists their fields). */
export const CEL_VARIABLES = ["statement", "request", "now"] as const;
/** Compiled programs kept; a policy's expressions are few, so this only bounds a pathological process. */
export const MAX_CACHED_CEL_PROGRAMS = 10_000;
/** Nesting of the values passed to an expression; the evaluator's inputs are a few levels deep. */
const MAX_INPUT_DEPTH = 32;
/** Type names usable as values (`type(x) == int`). */
const TYPE_NAMES = ["bool", "bytes", "double", "int", "list", "map", "null_type", "string", "type", "uint"];
/** Function names (as opposed to operators such as `_+_`, `@in`, `!_`). */
const FUNCTION_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

export type CelEvaluation = { ok: true; value: unknown } | { ok: false; error: string };

export interface CompiledCel {
  source: string;
  /** Never throws; a CEL error (missing field, division by zero, wrong types) is `{ ok: false }`. */
  evaluate(vars: Record<string, unknown>): CelEvaluation;
}

export type CelCompilation = { ok: true; program: CompiledCel } | { ok: false; error: string };

const env = celEnv({ funcs: strings });
const cache = new Map<string, CelCompilation>();

/**
 * Parses and plans a CEL expression once (cached by its text). Names are checked now — an unknown variable or
 * function is an error at load, not a rule that silently never matches; field names and types can only be
 * checked against values, so they fail at evaluation, as `{ ok: false }`.
 */
export function compileCel(source: string): CelCompilation {
  const cached = cache.get(source);
  if (cached) return cached;
  const compiled = compile(source);
  if (cache.size >= MAX_CACHED_CEL_PROGRAMS) cache.delete(cache.keys().next().value as string);
  cache.set(source, compiled);
  return compiled;
}

function compile(source: string): CelCompilation {
  if (source.length > MAX_CEL_SOURCE_CHARS) {
    return {
      ok: false,
      error: `the expression is longer than ${MAX_CEL_SOURCE_CHARS} characters: split the logic into several rules`,
    };
  }
  if (source.trim() === "") return { ok: false, error: "the expression is empty" };
  let run: (bindings: Record<string, unknown>) => unknown;
  try {
    const parsed = parse(source);
    const unknown = unknownName(parsed.expr);
    if (unknown) return { ok: false, error: unknown };
    const planned = plan(env, parsed);
    run = (bindings) => planned(bindings as never);
  } catch (error) {
    return {
      ok: false,
      error: (error instanceof Error ? error.message : String(error)).replace(/^<input>:/, "at "),
    };
  }
  return {
    ok: true,
    program: {
      source,
      evaluate(vars) {
        try {
          const bindings = toCelInput(vars, 0);
          const value = run(bindings as Record<string, unknown>);
          if (isCelError(value)) return { ok: false, error: value.message };
          return { ok: true, value };
        } catch (error) {
          return { ok: false, error: error instanceof Error ? error.message : String(error) };
        }
      },
    },
  };
}

/** Whole numbers become CEL ints (so `statement.param_count + 1` type-checks); maps and lists recurse. */
function toCelInput(value: unknown, depth: number): unknown {
  if (depth > MAX_INPUT_DEPTH) throw new Error(`input nested deeper than ${MAX_INPUT_DEPTH} levels`);
  if (typeof value === "number") return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map((item) => toCelInput(item, depth + 1));
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) out[key] = toCelInput(item, depth + 1);
    }
    return out;
  }
  return value;
}

interface ExprNode {
  exprKind: { case: string | undefined; value?: unknown };
}

/** The first identifier or function the environment does not know, as an error message; null if none. */
function unknownName(root: ExprNode): string | null {
  const known = new Set<string>([...CEL_VARIABLES, ...TYPE_NAMES]);
  const pending: Array<{ node: ExprNode | undefined; scope: ReadonlySet<string> }> = [
    { node: root, scope: known },
  ];
  while (pending.length > 0) {
    const { node, scope } = pending.pop() ?? { node: undefined, scope: known };
    if (!node) continue;
    const { case: kind, value } = node.exprKind;
    const push = (child: unknown, inner: ReadonlySet<string> = scope) => {
      pending.push({ node: child as ExprNode | undefined, scope: inner });
    };
    switch (kind) {
      case "identExpr": {
        const { name } = value as { name: string };
        if (!scope.has(name)) {
          const hint = closestName(name, CEL_VARIABLES);
          return `unknown variable \`${name}\`${hint ? ` — did you mean \`${hint}\`?` : ""} (the variables are ${CEL_VARIABLES.join(", ")})`;
        }
        break;
      }
      case "selectExpr":
        push((value as { operand?: unknown }).operand);
        break;
      case "callExpr": {
        const call = value as { function: string; target?: unknown; args: unknown[] };
        if (FUNCTION_NAME.test(call.function) && !env.funcs.find(call.function)) {
          return `unknown function \`${call.function}\` (see docs/policy.md for the functions available)`;
        }
        push(call.target);
        for (const arg of call.args) push(arg);
        break;
      }
      case "listExpr":
        for (const element of (value as { elements: unknown[] }).elements) push(element);
        break;
      case "structExpr":
        for (const entry of (
          value as { entries: Array<{ keyKind: { case?: string; value?: unknown }; value?: unknown }> }
        ).entries) {
          if (entry.keyKind.case === "mapKey") push(entry.keyKind.value);
          push(entry.value);
        }
        break;
      case "comprehensionExpr": {
        const loop = value as {
          iterVar: string;
          iterVar2: string;
          accuVar: string;
          iterRange?: unknown;
          accuInit?: unknown;
          loopCondition?: unknown;
          loopStep?: unknown;
          result?: unknown;
        };
        const inner = new Set([...scope, loop.iterVar, loop.iterVar2, loop.accuVar]);
        push(loop.iterRange);
        push(loop.accuInit);
        push(loop.loopCondition, inner);
        push(loop.loopStep, inner);
        push(loop.result, inner);
        break;
      }
      default:
        break;
    }
  }
  return null;
}
