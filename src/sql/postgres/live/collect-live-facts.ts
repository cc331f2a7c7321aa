import type pg from "pg";
import type { LiveFunction, LiveRelation, LiveStatementFacts } from "../../live-facts.js";
import { DEFAULT_SCHEMA, type Statement, type TouchedObject } from "../../statement.js";
import { estimatedRowsOf, explainStatement, isEstimated } from "./explain-estimate.js";
import {
  describeError,
  inSavepoint,
  LIVE_LOOKUP_TIMEOUT_MS,
  LiveConnectError,
  LiveLookupError,
  withLiveSession,
} from "./live-session.js";
import { type FunctionFacts, lookupFunction } from "./lookup-function.js";
import { lookupRelation, type RelationFacts, UNRESOLVED_RELATION } from "./lookup-relation.js";

export { LIVE_LOOKUP_TIMEOUT_MS };

export interface CollectLiveFactsParams {
  connectionString: string;
  statements: Statement[];
  /** The runner's fixed search_path; names resolve under it. Default ["public"]. */
  searchPath?: string[];
  /** Values for $1…$n per statement index (strings or null), bound over the extended protocol for EXPLAIN. */
  params?: Record<number, Array<string | null>>;
  statementTimeoutMs?: number;
}

type RelationLookup = { facts: RelationFacts; errors: string[] } | { failed: string };
type FunctionLookup = FunctionFacts | { failed: string };

/**
 * Looks at the target, read-only, for what each statement really touches. Returns one entry per statement,
 * in order; `relations[i]` describes `statement.objects[i]`, followed by the base tables its views read.
 * Never throws for the target's sake: whatever could not be looked up is in that statement's `errors`.
 */
export async function collectLiveFacts(p: CollectLiveFactsParams): Promise<LiveStatementFacts[]> {
  const searchPath = p.searchPath ?? [DEFAULT_SCHEMA];
  const results: Array<LiveStatementFacts | undefined> = p.statements.map(() => undefined);
  if (p.statements.length === 0) return [];
  let failure = "";
  try {
    await withLiveSession(
      {
        connectionString: p.connectionString,
        searchPath,
        statementTimeoutMs: p.statementTimeoutMs ?? LIVE_LOOKUP_TIMEOUT_MS,
      },
      async (client) => {
        const lookups = createLookups(client, searchPath);
        for (const [i, statement] of p.statements.entries()) {
          results[i] = await statementFacts({
            lookups,
            statement,
            searchPath,
            values: p.params?.[statement.index],
          });
        }
      },
    );
  } catch (error) {
    failure =
      error instanceof LiveConnectError
        ? error.message
        : `lost the connection to the target during the lookups: ${describeError(error, p.connectionString)}`;
  }
  return results.map(
    (facts) =>
      facts ?? {
        relations: [],
        functions: [],
        estimatedRows: null,
        errors: [failure || "lookup did not run"],
      },
  );
}

interface Lookups {
  relation(name: { schema: string | null; name: string }): Promise<RelationLookup>;
  function(name: string): Promise<FunctionLookup>;
  explain(params: { text: string; values: Array<string | null> }): Promise<unknown>;
}

/** Lookups under savepoints, cached for the session: statements in one request often name the same tables. */
function createLookups(client: pg.Client, searchPath: string[]): Lookups {
  const relations = new Map<string, Promise<RelationLookup>>();
  const functions = new Map<string, Promise<FunctionLookup>>();
  const cached = <T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> => {
    let found = cache.get(key);
    if (!found) {
      found = load();
      cache.set(key, found);
    }
    return found;
  };
  return {
    relation: (name) =>
      cached(relations, `${name.schema ?? ""}\u0000${name.name}`, () =>
        recoverable(inSavepoint(client, () => lookupRelation(client, name))),
      ),
    function: (name) =>
      cached(functions, name, () =>
        recoverable(inSavepoint(client, () => lookupFunction(client, { name, searchPath }))),
      ),
    explain: (params) => inSavepoint(client, () => explainStatement(client, params)),
  };
}

async function recoverable<T>(lookup: Promise<T>): Promise<T | { failed: string }> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof LiveLookupError) return { failed: error.message };
    throw error;
  }
}

async function statementFacts(params: {
  lookups: Lookups;
  statement: Statement;
  searchPath: string[];
  values: Array<string | null> | undefined;
}): Promise<LiveStatementFacts> {
  const { lookups, statement, searchPath } = params;
  const errors: string[] = [];
  const relations: LiveRelation[] = [];
  let relationsKnown = true;

  for (const object of statement.objects) {
    const schema = object.qualified ? object.schema : null;
    const found = await lookups.relation({ schema, name: object.name });
    const relation = { schema: schema ?? searchPath[0] ?? DEFAULT_SCHEMA, name: object.name };
    if ("failed" in found) {
      errors.push(
        `cannot look up relation ${displayName(object, searchPath)} on the target: ${found.failed}`,
      );
      relations.push({ ...relation, ...UNRESOLVED_RELATION });
      relationsKnown = false;
      continue;
    }
    errors.push(...found.errors);
    relations.push({ ...relation, ...found.facts });
    // A relation the statement creates may rightly not exist yet.
    if (found.facts.resolved === null && object.operation !== "create") {
      errors.push(`relation ${displayName(object, searchPath)} does not exist on the target: check the name`);
      relationsKnown = false;
    }
  }

  // What the views read is written or read too: look those tables up as well.
  const listed = new Set(relations.flatMap((r) => (r.resolved ? [qualifiedKey(r.resolved)] : [])));
  for (const base of relations.flatMap((r) => r.baseTables)) {
    const key = qualifiedKey(base);
    if (listed.has(key)) continue;
    listed.add(key);
    const found = await lookups.relation(base);
    if ("failed" in found) {
      errors.push(`cannot look up base table ${base.schema}.${base.name} on the target: ${found.failed}`);
      relations.push({ ...base, ...UNRESOLVED_RELATION });
      continue;
    }
    errors.push(...found.errors);
    relations.push({ ...base, ...found.facts });
  }

  const functions: LiveFunction[] = [];
  const plannedUserCode: string[] = [];
  for (const name of statement.functions) {
    const found = await lookups.function(name);
    if ("failed" in found) {
      errors.push(`cannot look up function ${name} on the target: ${found.failed}`);
      functions.push({ name, volatility: null, securityDefiner: false });
      continue;
    }
    functions.push({ name, volatility: found.volatility, securityDefiner: found.securityDefiner });
    if (found.plannerMayRunUserCode) plannedUserCode.push(name);
  }

  let estimatedRows: number | null = null;
  if (isEstimated(statement) && relationsKnown) {
    const estimate = await estimateRows({ lookups, statement, values: params.values, plannedUserCode });
    if (typeof estimate === "number") estimatedRows = estimate;
    else errors.push(estimate.error);
  }
  return { relations, functions, estimatedRows, errors: [...new Set(errors)] };
}

async function estimateRows(params: {
  lookups: Lookups;
  statement: Statement;
  values: Array<string | null> | undefined;
  plannedUserCode: string[];
}): Promise<number | { error: string }> {
  const { statement } = params;
  const count = statement.facts.paramCount;
  const values = params.values ?? [];
  if (values.length < count) {
    return {
      error: `estimate needs values for $1..$${count}: pass them as params[${statement.index}] (got ${values.length})`,
    };
  }
  if (params.plannedUserCode.length > 0) {
    // Plain EXPLAIN folds immutable and stable calls, so planning alone would run this code on the target.
    return {
      error: `estimate skipped: planning would call user function ${params.plannedUserCode.join(", ")} on the target before approval`,
    };
  }
  try {
    const explained = await params.lookups.explain({ text: statement.text, values: values.slice(0, count) });
    return estimatedRowsOf(explained) ?? { error: "EXPLAIN gave no row estimate" };
  } catch (error) {
    if (error instanceof LiveLookupError) return { error: `EXPLAIN failed on the target: ${error.message}` };
    throw error;
  }
}

function displayName(object: TouchedObject, searchPath: string[]): string {
  if (object.qualified) return `${object.schema}.${object.name}`;
  if (searchPath.length === 1) return `${searchPath[0]}.${object.name}`;
  return `${object.name} (search_path ${searchPath.join(", ")})`;
}

function qualifiedKey(name: { schema: string; name: string }): string {
  return `${name.schema}\u0000${name.name}`;
}
