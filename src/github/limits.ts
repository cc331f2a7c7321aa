/** GitHub's limits, in one place. Every renderer fits its output to these. */
/**
 * A check run's `output.summary` and `output.text`: GitHub counts UTF-8 bytes (422 "summary exceeds a maximum
 * bytesize of 65535"), though its OpenAPI description says characters.
 */
export const CHECK_RUN_SUMMARY_MAX_BYTES = 65535;
export const CHECK_RUN_TEXT_MAX_BYTES = 65535;
export const CHECK_RUN_ANNOTATIONS_PER_REQUEST = 50;
/** Our own bound on annotations per check run, so a huge request cannot cost hundreds of API calls. */
export const CHECK_RUN_MAX_ANNOTATIONS = 500;
export const CHECK_RUN_ACTIONS_MAX = 3;
export const CHECK_RUN_ACTION_LABEL_MAX_CHARS = 20;
export const CHECK_RUN_ACTION_DESCRIPTION_MAX_CHARS = 40;
export const CHECK_RUN_ACTION_IDENTIFIER_MAX_CHARS = 20;
/** Issue comment bodies: GitHub counts characters here (422 "Body is too long"). */
export const ISSUE_COMMENT_MAX_CHARS = 65536;
/** GitHub caps the files listed for one pull request at 3000. */
export const PULL_REQUEST_FILES_MAX = 3000;
export const PER_PAGE_MAX = 100;
/** GitHub lists at most 250 commits of a pull request. */
export const PULL_REQUEST_COMMITS_MAX = 250;
/** Name of the check run that carries querygate's verdict. */
export const CHECK_NAME = "querygate";
/** Name of the check run that carries an execution's outcome. */
export const EXECUTE_CHECK_NAME = "querygate/execute";
/** The hidden first line of the app's status comment. */
export const STATUS_COMMENT_MARKER = "<!-- querygate:status -->";
/** How long an installation id found for a repository is reused before it is asked again. */
export const INSTALLATION_CACHE_MS = 5 * 60_000;
/**
 * GitHub caps a webhook payload at 25 MB and delivers nothing larger, so a bigger body is not from GitHub:
 * it gets 413 and is never buffered past the cap. Counted in MiB, the larger reading, so no real delivery is ever refused.
 */
export const WEBHOOK_MAX_BODY_BYTES = 25 * 1024 * 1024;
/**
 * Our own bound: past the cap a body without Content-Length is read and dropped up to this many bytes, so a
 * sender still writing gets its 413; then the connection is cut.
 */
export const WEBHOOK_MAX_DRAIN_BYTES = 1024 * 1024;
