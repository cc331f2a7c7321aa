import type pg from "pg";
import type { LiveFunction } from "../../live-facts.js";

/** SQL keywords that look like calls but are expressions, not pg_proc entries. */
export const PSEUDO_FUNCTIONS: ReadonlySet<string> = new Set(["coalesce", "greatest", "least", "nullif"]);

const CATALOG_SCHEMA = "pg_catalog";

const VOLATILITY: Readonly<Record<string, NonNullable<LiveFunction["volatility"]>>> = {
  i: "immutable",
  s: "stable",
  v: "volatile",
};
const STRICTNESS: Readonly<Record<NonNullable<LiveFunction["volatility"]>, number>> = {
  immutable: 0,
  stable: 1,
  volatile: 2,
};

const FUNCTION_SQL = `
select n.nspname as schema, p.provolatile::text as volatility, p.prosecdef as definer
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where p.proname = $1 and n.nspname = any($2::text[])`;

export interface FunctionFacts extends LiveFunction {
  /**
   * An overload outside pg_catalog is immutable or stable: the planner may call it while planning (constant
   * folding), so even a plain EXPLAIN could run user code.
   */
  plannerMayRunUserCode: boolean;
}

/**
 * Finds every overload a call by this name could reach — the named schema, or pg_catalog and the search
 * path — and keeps the worst: the strictest volatility, definer if any overload is SECURITY DEFINER.
 */
export async function lookupFunction(
  client: pg.Client,
  params: { name: string; searchPath: string[] },
): Promise<FunctionFacts> {
  const parts = params.name.split(".");
  const bare = parts[parts.length - 1] ?? params.name;
  const schema = parts.length > 1 ? (parts[parts.length - 2] ?? null) : null;
  if (PSEUDO_FUNCTIONS.has(bare) && (schema === null || schema === CATALOG_SCHEMA)) {
    return {
      name: params.name,
      volatility: "immutable",
      securityDefiner: false,
      plannerMayRunUserCode: false,
    };
  }
  const schemas = schema === null ? [CATALOG_SCHEMA, ...params.searchPath] : [schema];
  const result = await client.query<{ schema: string; volatility: string; definer: boolean }>(FUNCTION_SQL, [
    bare,
    schemas,
  ]);
  let volatility: LiveFunction["volatility"] = null;
  let securityDefiner = false;
  let plannerMayRunUserCode = false;
  for (const row of result.rows) {
    const found = VOLATILITY[row.volatility] ?? "volatile";
    if (volatility === null || STRICTNESS[found] > STRICTNESS[volatility]) volatility = found;
    securityDefiner ||= row.definer;
    if (row.schema !== CATALOG_SCHEMA && found !== "volatile") plannerMayRunUserCode = true;
  }
  return { name: params.name, volatility, securityDefiner, plannerMayRunUserCode };
}
