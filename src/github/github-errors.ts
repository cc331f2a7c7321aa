/** GitHub refused (or could not be reached for) one step of submitting or following a request. */
export class GitHubRefusedError extends Error {
  constructor(
    /** The HTTP status GitHub answered; 0 when it could not be reached. */
    readonly status: number,
    /** What was being done: "create the branch", "open the pull request", … */
    readonly step: string,
    message: string,
  ) {
    super(message);
    this.name = "GitHubRefusedError";
  }
}

/**
 * Turns an Octokit error into a GitHubRefusedError that says what to do; other errors pass through.
 * `repo` is OWNER/NAME, for the messages.
 */
export function refusal(error: unknown, step: string, repo: string): unknown {
  const status = (error as { status?: unknown })?.status;
  if (typeof status !== "number") return error;
  const message = (error as { response?: { data?: { message?: unknown } } }).response?.data?.message;
  const text = typeof message === "string" && message !== "" ? message : (error as Error).message;
  const said = text ? `: ${text}` : "";
  const hint =
    status === 401
      ? "the token is missing, wrong or expired — check GITHUB_TOKEN"
      : status === 403
        ? `the token may not do this in ${repo} — it needs push access (contents and pull requests: write)`
        : status === 404
          ? `${repo} was not found, or the token cannot see it — check --repo and the token's repository access`
          : status === 422
            ? "GitHub did not accept the request as sent"
            : status >= 500
              ? "GitHub had a problem; try again"
              : "see GitHub's message";
  return new GitHubRefusedError(status, step, `GitHub answered ${status} to "${step}"${said} (${hint})`);
}

/** The app is not installed on a repository (or the repository does not exist). */
export class AppNotInstalledError extends Error {
  constructor(readonly repo: string) {
    super(
      `querygate is not installed on ${repo} (or the repository does not exist): install the GitHub App there`,
    );
    this.name = "AppNotInstalledError";
  }
}
