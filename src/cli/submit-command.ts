import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Octokit } from "@octokit/rest";
import { ApiClientError, createApiClient } from "../api-client/api-client.js";
import { API_TOKEN_ENV, API_URL_ENV } from "../api-client/api-client-limits.js";
import { type FollowOutcome, type FollowResult, followRequest } from "../api-client/follow-request.js";
import { GitHubRefusedError } from "../github/github-errors.js";
import type { GitHubClient } from "../github/octokit.js";
import { loadRepoActions } from "../github/read-repo-actions.js";
import { type SubmittedRequest, submitRequest } from "../github/submit-request.js";
import { buildPullRequestText } from "../submit/pull-request-text.js";
import { branchName, buildRequestFile, type ParamValue } from "../submit/request-file.js";
import { SubmitInputError } from "../submit/submit-errors.js";
import {
  DEFAULT_POLL_MS,
  DEFAULT_WAIT_TIMEOUT_MS,
  MAX_SUBMIT_SQL_BYTES,
  MAX_WAIT_TIMEOUT_MS,
  MIN_POLL_MS,
} from "../submit/submit-limits.js";
import { validateRequestFile } from "../submit/validate-request-file.js";
import { parseOrUsage, UsageError } from "./usage-error.js";

/** GitHub.com's REST root; GitHub Enterprise Server and the simulator are `https://HOST/api/v3`. */
export const DEFAULT_GITHUB_API_URL = "https://api.github.com";

export const SUBMIT_USAGE = `Usage: querygate submit --repo OWNER/NAME --target T --reason "…"
                       (--sql "…" | --file F | --action NAME [--param k=v …])
                       [--ticket T] [--max-rows N] [--wait --api-url URL [--timeout D]] [--json]
                       [--github-api-url URL]

  Open a request as a pull request in the requests repository, with your own token (GITHUB_TOKEN):
  a branch querygate/request-…, one commit adding queries/<yyyy-mm>/<slug>-<id>.sql (or .yml for an
  action), the pull request (title and body from the reason) with the label querygate. Prints its URL.
  Reviews happen on GitHub as for any request; the token's account is the author, so its own
  approval never counts.

  --repo OWNER/NAME   the requests repository
  --target T          the target database, by its name in the policy (e.g. orders-prod)
  --reason "…"        why it must run, one line: it heads the request file and titles the pull request
  --sql "…"           the statement(s) to run
  --file F            read the statement(s) from F (- for standard input), without a header
  --action NAME       a reviewed action (actions/NAME.yml) instead of SQL
  --param k=v         an action parameter, repeated; v is read as JSON when it is a number, true,
                      false, null, a "quoted string" or a [list], else as text (19.90 stays "19.90")
  --ticket T          a ticket reference, e.g. SUP-1234
  --max-rows N        the most rows the request may return or change (max_rows)
  --wait              follow the request until it is executed, denied or closed, then print the
                      outcome and the result rows you may see (masked columns stay masked). It asks
                      the querygate app's HTTP API, which reads the app's own state — never comments
                      or check runs, which anyone can write — so it needs --api-url and ${API_TOKEN_ENV}
  --api-url URL       with --wait: the querygate app's URL (the API is under /api/v1); default $${API_URL_ENV}
  --timeout D         how long --wait waits: 90s, 15m, 2h or seconds (default ${DEFAULT_WAIT_TIMEOUT_MS / 60_000}m, at most ${MAX_WAIT_TIMEOUT_MS / 3_600_000}h)
  --json              print one JSON object
  --github-api-url URL  GitHub's REST root (default $GITHUB_API_URL, else ${DEFAULT_GITHUB_API_URL});
                      GitHub Enterprise Server: https://HOST/api/v3

  GITHUB_TOKEN        required: a token that can push to the repository and open pull requests
                      (contents and pull requests: write), e.g. \`gh auth token\` or an agent's token
  ${API_TOKEN_ENV} with --wait: a querygate API token covering the repository (querygate token create)

Exit codes: 0 executed (or submitted, without --wait), 1 failed, rolled back or needs verification,
2 denied or closed, 3 usage error (flags, input, no GITHUB_TOKEN; --wait without --api-url or
${API_TOKEN_ENV}), 4 timed out, 5 GitHub or the querygate API refused (authentication, permissions,
not found) or could not be reached.`;

/** Exit codes of `querygate submit`. */
export const SUBMIT_EXIT = {
  executed: 0,
  submitted: 0,
  failed: 1,
  rolled_back: 1,
  needs_verification: 1,
  denied: 2,
  closed: 2,
  usage: 3,
  timed_out: 4,
  refused: 5,
} as const satisfies Record<FollowOutcome | "submitted" | "usage" | "refused", number>;

export interface SubmitIo {
  /** One line to standard output. */
  write(text: string): void;
  /** One line to standard error (progress, warnings, errors). */
  writeError(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  /** How often --wait polls; default DEFAULT_POLL_MS (tests shorten it). */
  pollMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const REPO = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const DURATION_UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const MAX_ROWS_TEXT = /^\d{1,12}$/;

/** `querygate submit`: never throws for input or GitHub's refusals; returns the exit code. */
export async function submitCommand(args: string[], io: SubmitIo): Promise<number> {
  const json = args.includes("--json");
  const fail = (code: number, message: string, extra: Record<string, unknown> = {}) => {
    if (json) io.write(JSON.stringify({ ok: false, exit_code: code, error: message, ...extra }));
    else io.writeError(`querygate submit: ${message}`);
    return code;
  };
  let submitted: SubmittedRequest | null = null;
  try {
    const options = readOptions(args, io);
    if (options === "help") {
      io.write(SUBMIT_USAGE);
      return 0;
    }
    const file = buildRequestFile(options.request);
    const text = buildPullRequestText({
      reason: options.request.reason,
      target: options.request.target,
      path: file.path,
      ...(options.request.ticket !== undefined ? { ticket: options.request.ticket } : {}),
    });
    const octokit = new Octokit({
      auth: options.token,
      baseUrl: options.apiUrl,
      userAgent: "querygate-submit",
      log: { debug: () => {}, info: () => {}, warn: (m: string) => io.writeError(m), error: () => {} },
    });
    if (options.request.action !== undefined) {
      // Typed values are checked against the action on the default branch before anything is created.
      const actions = await loadRepoActions(octokit as unknown as GitHubClient, {
        owner: options.owner,
        repo: options.repo,
      });
      validateRequestFile({ file, actions });
    }
    submitted = await submitRequest({
      octokit,
      owner: options.owner,
      repo: options.repo,
      file,
      branch: branchName(new Date()),
      title: text.title,
      body: text.body,
    });
    for (const warning of submitted.warnings) io.writeError(`querygate submit: warning: ${warning}`);
    const opened = {
      number: submitted.number,
      url: submitted.url,
      branch: submitted.branch,
      head_sha: submitted.headSha,
      path: file.path,
    };
    if (!json) io.write(`Opened ${submitted.url} (${file.path} on ${submitted.branch})`);
    if (!options.wait) {
      if (json)
        io.write(
          JSON.stringify({
            ok: true,
            exit_code: 0,
            outcome: "submitted",
            pull_request: opened,
            warnings: submitted.warnings,
          }),
        );
      return SUBMIT_EXIT.submitted;
    }
    // The request's state comes from the querygate API (the app's state store), never from GitHub.
    const followed = await followRequest({
      api: createApiClient({ baseUrl: options.follow.apiUrl, token: options.follow.token }),
      id: { owner: options.owner, repo: options.repo, number: submitted.number },
      timeoutMs: options.timeoutMs,
      pollMs: io.pollMs ?? DEFAULT_POLL_MS,
      ...(io.now ? { now: io.now } : {}),
      ...(io.sleep ? { sleep: io.sleep } : {}),
      onStatus: json ? undefined : (status) => io.writeError(`… ${status}`),
    });
    const code = SUBMIT_EXIT[followed.outcome];
    if (json)
      io.write(
        JSON.stringify({
          ok: code === 0,
          exit_code: code,
          outcome: followed.outcome,
          state: followed.state,
          status: followed.status,
          pull_request: opened,
          result: followed.result,
          warnings: submitted.warnings,
        }),
      );
    else printOutcome(followed, submitted.url, options.timeoutMs, io);
    return code;
  } catch (error) {
    if (error instanceof UsageError || error instanceof SubmitInputError) {
      const field = error instanceof SubmitInputError ? `${error.field}: ` : "";
      return fail(SUBMIT_EXIT.usage, `${field}${error.message}`);
    }
    if (error instanceof GitHubRefusedError || error instanceof ApiClientError) {
      const where = submitted ? { pull_request: { number: submitted.number, url: submitted.url } } : {};
      const message =
        error instanceof ApiClientError
          ? `the querygate API ${error.status === 0 ? "could not be reached" : `answered ${error.status}`} while following the request: ${error.field ? `${error.field}: ` : ""}${error.message}`
          : error.message;
      return fail(SUBMIT_EXIT.refused, message, where);
    }
    throw error;
  }
}

interface SubmitOptions {
  owner: string;
  repo: string;
  token: string;
  /** GitHub's REST root. */
  apiUrl: string;
  wait: boolean;
  /** The querygate API that --wait follows the request through. */
  follow: { apiUrl: string; token: string };
  timeoutMs: number;
  request: Parameters<typeof buildRequestFile>[0] & { ticket?: string };
}

function readOptions(args: string[], io: SubmitIo): SubmitOptions | "help" {
  const { values, positionals } = parseOrUsage(
    () =>
      parseArgs({
        args,
        options: {
          repo: { type: "string" },
          target: { type: "string" },
          reason: { type: "string" },
          sql: { type: "string" },
          file: { type: "string" },
          action: { type: "string" },
          param: { type: "string", multiple: true },
          ticket: { type: "string" },
          "max-rows": { type: "string" },
          wait: { type: "boolean" },
          timeout: { type: "string" },
          json: { type: "boolean" },
          "api-url": { type: "string" },
          "github-api-url": { type: "string" },
          help: { type: "boolean", short: "h" },
        },
        allowPositionals: true,
        strict: true,
      }),
    SUBMIT_USAGE,
  );
  if (values.help) return "help";
  if (positionals.length > 0)
    throw new UsageError(`submit takes no positional arguments (got ${positionals.join(" ")}); see --help`);
  const repoMatch = REPO.exec(values.repo ?? "");
  if (!repoMatch)
    throw new UsageError(
      values.repo === undefined
        ? "--repo OWNER/NAME is required: the requests repository"
        : `--repo must be OWNER/NAME, got "${values.repo}"`,
    );
  if (values.target === undefined)
    throw new UsageError("--target is required: the target database's name in the policy");
  if (values.reason === undefined) throw new UsageError('--reason "…" is required: why this must run');
  const sources = [values.sql, values.file, values.action].filter((v) => v !== undefined).length;
  if (sources !== 1) throw new UsageError("give exactly one of --sql, --file or --action");
  if (values.param && values.action === undefined)
    throw new UsageError("--param goes with --action (an action's named parameters)");
  if (values.timeout !== undefined && !values.wait)
    throw new UsageError("--timeout only applies with --wait");
  if (values["api-url"] !== undefined && !values.wait)
    throw new UsageError(
      "--api-url only applies with --wait: it is the querygate app's URL (GitHub's REST root is --github-api-url)",
    );
  const follow = values.wait ? followOptions(values["api-url"], io) : { apiUrl: "", token: "" };

  const token = io.env.GITHUB_TOKEN?.trim();
  if (!token)
    throw new UsageError(
      "GITHUB_TOKEN is not set: set it to a token that can push to the repository and open pull requests (e.g. GITHUB_TOKEN=$(gh auth token))",
    );
  const request: SubmitOptions["request"] = { target: values.target, reason: values.reason };
  if (values.sql !== undefined) request.sql = values.sql;
  if (values.file !== undefined) request.sql = readSqlFile(values.file);
  if (values.action !== undefined) {
    request.action = values.action;
    request.params = parseParams(values.param ?? []);
  }
  if (values.ticket !== undefined) request.ticket = values.ticket;
  if (values["max-rows"] !== undefined) {
    if (!MAX_ROWS_TEXT.test(values["max-rows"]))
      throw new UsageError(`--max-rows must be a whole number, got "${values["max-rows"]}"`);
    request.maxRows = Number(values["max-rows"]);
  }
  return {
    owner: repoMatch[1] as string,
    repo: repoMatch[2] as string,
    token,
    apiUrl: githubApiUrlOf(values["github-api-url"] ?? io.env.GITHUB_API_URL ?? DEFAULT_GITHUB_API_URL),
    wait: values.wait === true,
    follow,
    timeoutMs: values.timeout === undefined ? DEFAULT_WAIT_TIMEOUT_MS : parseTimeout(values.timeout),
    request,
  };
}

function readSqlFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read --file ${file}: ${(error as Error).message}`);
  }
  if (Buffer.byteLength(text, "utf8") > MAX_SUBMIT_SQL_BYTES)
    throw new UsageError(
      `--file ${file} is over ${MAX_SUBMIT_SQL_BYTES} bytes; split it into several requests`,
    );
  return text;
}

/** `--param k=v`, repeated: v as JSON when it is a number (that JSON reads exactly), true, false, null, a string or a list; else text. */
export function parseParams(flags: readonly string[]): Record<string, ParamValue> {
  const params: Record<string, ParamValue> = {};
  for (const flag of flags) {
    const eq = flag.indexOf("=");
    if (eq <= 0) throw new UsageError(`--param must be name=value, got "${flag}"`);
    const name = flag.slice(0, eq);
    if (Object.hasOwn(params, name)) throw new UsageError(`--param ${name} is given twice: keep one`);
    params[name] = paramValue(flag.slice(eq + 1));
  }
  return params;
}

function paramValue(text: string): ParamValue {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  // A number JSON cannot hold as written (19.90, 12345678901234567890, 1e3) stays text: actions read
  // quoted decimals exactly, so nothing is rounded on the way.
  if (typeof value === "number") return String(value) === text.trim() ? value : text;
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (
    Array.isArray(value) &&
    value.every((v) => v === null || ["string", "boolean"].includes(typeof v) || typeof v === "number")
  )
    return value as ParamValue;
  return text;
}

export function parseTimeout(text: string): number {
  const match = DURATION.exec(text.trim());
  const ms = match ? Number(match[1]) * (DURATION_UNIT_MS[match[2] ?? "s"] ?? 1000) : Number.NaN;
  if (!Number.isFinite(ms) || ms < MIN_POLL_MS)
    throw new UsageError(`--timeout must be a duration such as 90s, 15m or 2h, got "${text}"`);
  if (ms > MAX_WAIT_TIMEOUT_MS)
    throw new UsageError(
      `--timeout ${text} is over the ${MAX_WAIT_TIMEOUT_MS / 3_600_000}h limit; follow longer requests on GitHub`,
    );
  return Math.round(ms);
}

/**
 * `--wait` follows the request through the querygate HTTP API: querygate reads a request's state from the
 * app, never from comments anyone can write, so without the API's URL and a token there is nothing to wait on.
 */
function followOptions(flag: string | undefined, io: SubmitIo): SubmitOptions["follow"] {
  const text = flag ?? io.env[API_URL_ENV]?.trim();
  const token = io.env[API_TOKEN_ENV]?.trim();
  if (!text || !token) {
    const missing = [!text ? `--api-url (or ${API_URL_ENV})` : null, !token ? API_TOKEN_ENV : null]
      .filter((m) => m !== null)
      .join(" and ");
    throw new UsageError(
      `--wait needs ${missing}: querygate reads a request's state from the app, never from comments or check runs anyone can write, so --wait asks the querygate app's HTTP API. Give --api-url URL (the querygate app) and an API token covering the repository in ${API_TOKEN_ENV} (querygate token create), or leave out --wait and follow the pull request on GitHub`,
    );
  }
  const apiUrl = httpUrlOf("--api-url", text, "https://querygate.example.com");
  // Before `--wait` followed the app, --api-url was GitHub's REST root: refuse one, so an old command line
  // never sends its GitHub token to api.github.com by default while the app URL points at GitHub.
  const { hostname, pathname } = new URL(apiUrl);
  if (hostname === "api.github.com" || /\/api\/v3\/?$/.test(pathname))
    throw new UsageError(
      `--api-url is the querygate app's URL, and ${apiUrl} is GitHub's REST API: give GitHub's as --github-api-url (or GITHUB_API_URL) and the querygate app's as --api-url`,
    );
  return { apiUrl, token };
}

function githubApiUrlOf(text: string): string {
  return httpUrlOf("--github-api-url", text, `${DEFAULT_GITHUB_API_URL} or https://HOST/api/v3`);
}

function httpUrlOf(flag: string, text: string, example: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flag} must be a URL such as ${example}, got "${text}"`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new UsageError(`${flag} must be http(s), got "${text}"`);
  return url.toString().replace(/\/+$/, "");
}

function printOutcome(followed: FollowResult, url: string, timeoutMs: number, io: SubmitIo): void {
  const words: Record<FollowOutcome, string> = {
    executed: "executed",
    failed: "failed",
    rolled_back: "rolled back",
    needs_verification: "needs manual verification",
    denied: "denied",
    closed: "closed without running",
    timed_out: `still waiting after ${Math.round(timeoutMs / 1000)}s — it is not finished; follow it on GitHub`,
  };
  io.write(`Outcome: ${words[followed.outcome]} — ${followed.status}`);
  io.write(followed.url || url);
  if (followed.result) io.write(`\n${followed.result.markdown}`);
}
