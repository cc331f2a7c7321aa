/** Every limit of the database-side executor, in one place. */

/** Rows asked of the server per Execute message while a result is streamed through a cursor. */
export const FETCH_BATCH_ROWS = 1_000;

/** How long opening the connection (TCP, TLS, authentication) may take. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** TCP keepalive, so a silently dropped connection is noticed instead of waiting forever. */
export const KEEPALIVE_INITIAL_DELAY_MS = 10_000;

/** PostgreSQL's identifier length limit (NAMEDATALEN - 1), in bytes. */
export const MAX_IDENTIFIER_BYTES = 63;

/** PostgreSQL truncates application_name to NAMEDATALEN - 1 bytes. */
export const MAX_APPLICATION_NAME_BYTES = 63;

/** PostgreSQL's timeout settings are ints in milliseconds. */
export const MAX_TIMEOUT_MS = 2_147_483_647;
