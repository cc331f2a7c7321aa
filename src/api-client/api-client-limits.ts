/** Every limit of the querygate HTTP API's client (src/api-client), used by `querygate mcp` and `submit --wait`. */

/** How long one HTTP call to the querygate API may take. */
export const API_CLIENT_TIMEOUT_MS = 30_000;
/** Consecutive failed polls (5xx, 429, network) a follower rides out before it gives up. */
export const FOLLOW_MAX_CONSECUTIVE_ERRORS = 3;
/** Environment variable holding the API token; never a flag, so it stays out of process listings. */
export const API_TOKEN_ENV = "QUERYGATE_API_TOKEN";
/** Environment variable holding the querygate app's URL (the API is under /api/v1), when no --api-url is given. */
export const API_URL_ENV = "QUERYGATE_API_URL";
