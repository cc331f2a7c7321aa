/** Every limit of `querygate submit` and of the submission core (src/submit), in one place. */

/** Characters of the reason's slug in a request file name (`queries/2026-01/<slug>-<id>.sql`). */
export const REQUEST_SLUG_MAX_CHARS = 40;
/** Random hex characters that keep request file names and branch names apart. */
export const SHORT_ID_HEX_CHARS = 6;
/** GitHub refuses pull request titles longer than this. */
export const PULL_TITLE_MAX_CHARS = 256;
/** Characters of the reason kept in a pull request title built from it. */
export const TITLE_REASON_MAX_CHARS = 120;
/** Largest SQL text submitted, in UTF-8 bytes: as large as a request file may be. */
export const MAX_SUBMIT_SQL_BYTES = 1024 * 1024;

/** `--wait` gives up after this long unless `--timeout` says otherwise. */
export const DEFAULT_WAIT_TIMEOUT_MS = 30 * 60_000;
/** Longest `--timeout`: a request waiting longer than a day is better followed on GitHub. */
export const MAX_WAIT_TIMEOUT_MS = 24 * 60 * 60_000;
/**
 * How often `--wait` asks the querygate API (one or two calls a poll, well inside the API's
 * API_RATE_LIMIT_PER_WINDOW calls a minute per token).
 */
export const DEFAULT_POLL_MS = 5_000;
/** Shortest poll interval accepted. */
export const MIN_POLL_MS = 10;
