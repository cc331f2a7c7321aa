import type { LiveStatementFacts } from "../sql/live-facts.js";
import { READ_ONLY_FUNCTIONS } from "../sql/postgres/function-lists.js";

/**
 * Functions (built-in or from common extensions) that PostgreSQL marks VOLATILE: a DEFAULT calling one
 * gives each existing row its own value, so ADD COLUMN must rewrite the table. now(), current_timestamp and
 * statement_timestamp() are STABLE: evaluated once, no rewrite.
 */
export const VOLATILE_FUNCTIONS: ReadonlySet<string> = new Set([
  "random",
  "random_normal",
  "setseed",
  "clock_timestamp",
  "timeofday",
  "gen_random_uuid",
  "uuid_generate_v1",
  "uuid_generate_v1mc",
  "uuid_generate_v4",
  "gen_random_bytes",
  "gen_salt",
  "nextval",
  "txid_current",
  "pg_current_xact_id",
]);

export type Volatility = "volatile" | "not_volatile" | "unknown";

/**
 * How volatile a called function is: from the target when it was looked up there, else from the lists
 * above. A function querygate does not know is `unknown`, never assumed safe: user-defined functions are
 * VOLATILE unless declared otherwise.
 */
export function functionVolatility(qualifiedName: string, live: LiveStatementFacts | null): Volatility {
  const name = qualifiedName.toLowerCase();
  const looked = live?.functions.find((f) => f.name.toLowerCase() === name)?.volatility;
  if (looked) return looked === "volatile" ? "volatile" : "not_volatile";
  const parts = name.split(".");
  const bare = parts[parts.length - 1] ?? name;
  const schema = parts.length > 1 ? parts[parts.length - 2] : null;
  if (VOLATILE_FUNCTIONS.has(bare)) return "volatile";
  if ((schema === null || schema === "pg_catalog") && READ_ONLY_FUNCTIONS.has(bare)) return "not_volatile";
  return "unknown";
}
