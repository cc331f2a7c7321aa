// Every number the simulator enforces or assumes, in one place. GitHub's own limits are cited where they apply.

/** GitHub gives a webhook delivery 10 s before it records a timeout. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** REST pagination: GitHub's default and maximum `per_page`. */
export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 100;

/** `pulls.listFiles` lists at most 3000 files, whatever the pagination. */
export const MAX_PULL_FILES = 3000;

/** Issue comment bodies longer than this get 422 "Body is too long". */
export const MAX_COMMENT_BODY_CHARS = 65_536;

/**
 * Check runs: output summary and text (GitHub counts UTF-8 bytes: 422 "summary exceeds a maximum bytesize of
 * 65535", though its OpenAPI description says characters), annotations per request, actions and their fields.
 */
export const MAX_CHECK_OUTPUT_BYTES = 65_535;
export const MAX_ANNOTATIONS_PER_REQUEST = 50;
export const MAX_CHECK_ACTIONS = 3;
export const MAX_ACTION_LABEL_CHARS = 20;
export const MAX_ACTION_DESCRIPTION_CHARS = 40;
export const MAX_ACTION_IDENTIFIER_CHARS = 20;

/** The contents API inlines files up to 1 MB; larger ones come back with `encoding: "none"`. */
export const MAX_INLINE_CONTENT_BYTES = 1_048_576;

/** GitHub wraps base64 content at 60 characters per line. */
export const BASE64_LINE_CHARS = 60;

/** Installation tokens live one hour. */
export const INSTALLATION_TOKEN_TTL_MS = 60 * 60 * 1000;

/** An app JWT may be valid for at most 10 minutes; clocks may disagree by this much. */
export const MAX_JWT_LIFETIME_S = 10 * 60;
export const JWT_CLOCK_SKEW_S = 60;

/** Above this many (old × new) changed-region lines, the changed region is replaced wholesale instead of diffed. */
export const MAX_DIFF_CELLS = 1_000_000;

/** Lines of context around each hunk, like `git diff`. */
export const DIFF_CONTEXT_LINES = 3;

/** The deterministic clock starts here and advances one second per mutation. */
export const SIMULATED_EPOCH = "2026-01-01T00:00:00Z";

/** Probot's own default when WEBHOOK_SECRET is unset. */
export const DEFAULT_WEBHOOK_SECRET = "development";

/** User tokens (`createUserToken`) never expire during a run, like a personal access token without expiry. */
export const USER_TOKEN_TTL_MS = 365 * 24 * 60 * 60 * 1000;
