/** Every limit of `querygate mcp` (docs/api.md), in one place. */

/**
 * Longest `wait_for_result` call. MCP clients time a tool call out (the SDK's default is 60 s), so one
 * call waits less than that; an agent calls again while the request is still pending.
 */
export const MCP_MAX_WAIT_SECONDS = 50;
/** `wait_for_result` without `timeout_seconds`. */
export const MCP_DEFAULT_WAIT_SECONDS = 30;
/** How often `wait_for_result` asks the API (each ask is one GitHub call for the app, plus the state store). */
export const MCP_DEFAULT_POLL_MS = 3_000;
/** Shortest poll interval `--poll-ms` accepts. */
export const MCP_MIN_POLL_MS = 50;
