/** Every limit of `querygate mcp` (docs/api.md), in one place. */

/**
 * Longest `wait_for_result` call. MCP clients time a tool call out (the SDK's default is 60 s), so one
 * call waits less than that; an agent calls again while the request is still pending.
 */
export const MCP_MAX_WAIT_SECONDS = 50;
/** `wait_for_result` without `timeout_seconds`. */
export const MCP_DEFAULT_WAIT_SECONDS = 30;
/** How often `wait_for_result` asks the API (each ask is a few GitHub calls for the app). */
export const MCP_DEFAULT_POLL_MS = 3_000;
/** Shortest poll interval `--poll-ms` accepts. */
export const MCP_MIN_POLL_MS = 50;
/** How long one HTTP call to the querygate API may take. */
export const MCP_API_TIMEOUT_MS = 30_000;
/** Environment variable holding the API token; never a flag, so it stays out of process listings. */
export const MCP_TOKEN_ENV = "QUERYGATE_API_TOKEN";
