import type pg from "pg";
import { STATE_SCHEMA } from "../store/migrations.js";
import { API_RATE_LIMIT_PER_WINDOW, API_RATE_WINDOW_MS, API_RATE_WINDOW_RETENTION_MS } from "./api-limits.js";

const TABLE = `${STATE_SCHEMA}.api_rate_windows`;

export type RateDecision =
  | { allowed: true; remaining: number }
  | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  /** Counts one call of `tokenId` and says whether it is within the limit. */
  take(tokenId: number): Promise<RateDecision>;
}

/**
 * Fixed windows per token, counted in the state database with one upsert, so every replica behind the
 * same URL shares the count. A refused call is counted too: hammering does not shorten the wait.
 */
export function createRateLimiter(
  pool: pg.Pool,
  options: { limit?: number; windowMs?: number; now?: () => number } = {},
): RateLimiter {
  const limit = options.limit ?? API_RATE_LIMIT_PER_WINDOW;
  const windowMs = options.windowMs ?? API_RATE_WINDOW_MS;
  const now = options.now ?? Date.now;
  return {
    async take(tokenId) {
      const at = now();
      const windowStart = at - (at % windowMs);
      const { rows } = await pool.query<{ count: number; fresh: boolean }>(
        `insert into ${TABLE} (token_id, window_start, count) values ($1, to_timestamp($2 / 1000.0), 1)
         on conflict (token_id, window_start) do update set count = ${TABLE}.count + 1
         returning count, (xmax = 0) as fresh`,
        [tokenId, windowStart],
      );
      const row = rows[0] as { count: number; fresh: boolean };
      if (row.fresh) {
        await pool.query(
          `delete from ${TABLE} where token_id = $1 and window_start < to_timestamp($2 / 1000.0)`,
          [tokenId, windowStart - API_RATE_WINDOW_RETENTION_MS],
        );
      }
      if (row.count <= limit) return { allowed: true, remaining: limit - row.count };
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((windowStart + windowMs - at) / 1000)),
      };
    },
  };
}
