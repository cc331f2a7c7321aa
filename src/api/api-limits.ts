/** Every limit of the HTTP API (docs/api.md), in one place. */

/** Path prefix the app server hands to the API. */
export const API_PREFIX = "/api/v1";
/** Largest JSON body accepted; a larger one is refused with 413 before it is parsed. */
export const API_MAX_BODY_BYTES = 64 * 1024;
/** Calls one token may make per rate window; the next one gets 429 with Retry-After. */
export const API_RATE_LIMIT_PER_WINDOW = 60;
/** Length of a rate window (fixed windows, counted in the state database so replicas share them). */
export const API_RATE_WINDOW_MS = 60_000;
/** Rate windows older than this are deleted when a token opens a new one. */
export const API_RATE_WINDOW_RETENTION_MS = 60 * 60_000;
/** Named parameters of an action request. */
export const API_MAX_PARAMS = 50;
/** Random bytes of an API token's secret part. */
export const TOKEN_SECRET_BYTES = 32;
/** Every API token starts with this, so secret scanners and people recognise it. */
export const TOKEN_PREFIX = "qg_";
/** An oversize body is read and dropped up to this many bytes, so the client gets its 413; past it the connection is cut. */
export const API_MAX_DRAIN_BYTES = 1024 * 1024;
