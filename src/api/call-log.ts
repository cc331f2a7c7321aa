import type pg from "pg";
import { STATE_SCHEMA } from "../store/migrations.js";

const TABLE = `${STATE_SCHEMA}.api_calls`;

export interface ApiCall {
  /** Null when the call carried no valid token. */
  tokenId: number | null;
  tokenName: string | null;
  method: string;
  /** The route pattern (e.g. `GET /api/v1/requests/:owner/:repo/:number`), never the query string. */
  route: string;
  status: number;
  ms: number;
  /** The input field an error named, if any. */
  errorField: string | null;
}

/** Every API call, accepted or refused, goes into the state database. */
export async function logApiCall(pool: pg.Pool, call: ApiCall): Promise<void> {
  await pool.query(
    `insert into ${TABLE} (token_id, token_name, method, route, status, ms, error_field) values ($1, $2, $3, $4, $5, $6, $7)`,
    [
      call.tokenId,
      call.tokenName,
      call.method,
      call.route,
      call.status,
      Math.max(0, Math.round(call.ms)),
      call.errorField,
    ],
  );
}
