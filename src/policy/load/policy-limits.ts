/** Largest policy file read; a policy is configuration, and every webhook may load it. */
export const MAX_POLICY_FILE_BYTES = 1024 * 1024;
/** Largest policy read, over all its files. */
export const MAX_POLICY_TOTAL_BYTES = 4 * 1024 * 1024;
/**
 * Most YAML values the loader visits over all files. Aliases are counted each time they are used, so an
 * "alias bomb" (aliases of aliases, exponentially large when expanded) is refused instead of walked.
 */
export const MAX_POLICY_NODES = 1_000_000;
export const MAX_RULES = 10_000;
export const MAX_OWNER_PATTERNS = 10_000;
/** Errors returned at once; past this the list ends with "… N more errors". */
export const MAX_REPORTED_ERRORS = 200;
/** Longest `if` expression; longer logic belongs in several rules. */
export const MAX_CEL_SOURCE_CHARS = 4096;
/** Longest owners, `objects`, `columns` or `mask` glob. */
export const MAX_PATTERN_CHARS = 512;
/** Longest statement_timeout: one day (PostgreSQL's own ceiling is about 24 days). */
export const MAX_STATEMENT_TIMEOUT_MS = 24 * 60 * 60 * 1000;
