import { FOLLOW_PER_PAGE, MAX_CONSECUTIVE_POLL_ERRORS } from "../submit/submit-limits.js";
import { GitHubRefusedError, refusal } from "./github-errors.js";
import { CHECK_NAME, EXECUTE_CHECK_NAME } from "./limits.js";
import type { SubmitOctokit } from "./submit-octokit.js";

export type FollowOutcome =
  | "executed"
  | "denied"
  | "failed"
  | "rolled_back"
  | "needs_verification"
  | "closed"
  | "timed_out";

export interface FollowResult {
  outcome: FollowOutcome;
  url: string;
  /** Where the request stands, in words: the check run's title, or what is awaited. */
  status: string;
  /** The result comment(s) of the execution, as markdown — masked columns are masked there already. */
  result: { markdown: string } | null;
}

export interface FollowRequestParams {
  octokit: SubmitOctokit;
  owner: string;
  repo: string;
  number: number;
  timeoutMs: number;
  pollMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Called whenever `status` changes while waiting (e.g. to print progress). */
  onStatus?: (status: string) => void;
}

/** The hidden marker that opens every result comment (src/github/render-execution-result.ts). */
const RESULT_MARKER = "<!-- querygate:result:";

interface CheckRunLike {
  name: string;
  status: string;
  conclusion: string | null;
  external_id: string | null;
  output: { title: string | null };
  id: number;
}

/**
 * Follows a submitted request until it is executed (or fails, is rolled back, needs verification), is
 * denied, is closed, or `timeoutMs` passes. Each poll reads the pull request, the check runs on its head —
 * `querygate` (a failure means denied or invalid) and `querygate/execute` (the outcome) — and, once it ran,
 * the result comments, which carry the rows the requester may see.
 */
export async function followRequest(p: FollowRequestParams): Promise<FollowResult> {
  const { octokit, owner, repo } = p;
  const now = p.now ?? Date.now;
  const sleep = p.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + p.timeoutMs;
  const full = `${owner}/${repo}`;
  let url = "";
  let status = "";
  let errors = 0;
  for (;;) {
    try {
      const seen = await poll(octokit, owner, repo, p.number);
      errors = 0;
      url = seen.url;
      if (seen.status !== status) {
        status = seen.status;
        p.onStatus?.(status);
      }
      if (seen.outcome !== null) {
        const result =
          seen.executionKeys.length > 0
            ? await readResult(octokit, owner, repo, p.number, seen.executionKeys)
            : null;
        return { outcome: seen.outcome, url, status, result };
      }
    } catch (caught) {
      const error = refusal(caught, `follow pull request #${p.number}`, full);
      const transient = error instanceof GitHubRefusedError && (error.status >= 500 || error.status === 0);
      if (!transient || ++errors >= MAX_CONSECUTIVE_POLL_ERRORS) throw error;
    }
    const left = deadline - now();
    if (left <= 0) return { outcome: "timed_out", url, status: status || "not evaluated yet", result: null };
    await sleep(Math.min(p.pollMs, left));
  }
}

interface Poll {
  url: string;
  status: string;
  outcome: Exclude<FollowOutcome, "timed_out"> | null;
  /** The executions whose result comments to read (their check runs' external ids). */
  executionKeys: string[];
}

async function poll(octokit: SubmitOctokit, owner: string, repo: string, number: number): Promise<Poll> {
  const { data: pr } = await octokit.rest.pulls.get({ owner, repo, pull_number: number });
  const url = pr.html_url;
  const { data } = await octokit.rest.checks.listForRef({
    owner,
    repo,
    ref: pr.head.sha,
    filter: "all",
    per_page: FOLLOW_PER_PAGE,
  });
  const runs = data.check_runs as CheckRunLike[];
  const gate = runs.filter((r) => r.name === CHECK_NAME).sort((a, b) => b.id - a.id)[0];
  const executions = runs.filter((r) => r.name === EXECUTE_CHECK_NAME);
  const done = executions.filter((r) => r.status === "completed");
  if (done.length > 0 && done.length === executions.length) {
    const outcome = worstOutcome(done);
    return {
      url,
      status: done.map((r) => r.output.title ?? r.conclusion ?? "completed").join("; "),
      outcome,
      executionKeys: done.map((r) => r.external_id).filter((k): k is string => typeof k === "string"),
    };
  }
  if (executions.length > 0) return { url, status: "running", outcome: null, executionKeys: [] };
  if (pr.state === "closed" && !pr.merged)
    return { url, status: "closed without running", outcome: "closed", executionKeys: [] };
  if (gate?.status !== "completed")
    return { url, status: "waiting for querygate to evaluate the request", outcome: null, executionKeys: [] };
  const title = gate.output.title ?? "";
  if (gate.conclusion === "failure")
    return { url, status: title || "denied", outcome: "denied", executionKeys: [] };
  if (gate.conclusion === "success")
    return { url, status: `${title || "approved"} — waiting for the run`, outcome: null, executionKeys: [] };
  return { url, status: title || (gate.conclusion ?? "pending"), outcome: null, executionKeys: [] };
}

const SEVERITY: Array<Exclude<FollowOutcome, "timed_out" | "denied" | "closed">> = [
  "failed",
  "rolled_back",
  "needs_verification",
  "executed",
];

/** Several executions (one per request file): the worst outcome speaks for all. */
function worstOutcome(runs: CheckRunLike[]): Poll["outcome"] {
  const outcomes = runs.map((r) => executeOutcome(r));
  return SEVERITY.find((o) => outcomes.includes(o)) ?? "failed";
}

/** The `querygate/execute` check run's conclusion and title (src/github/render-execution-result.ts). */
function executeOutcome(run: CheckRunLike): (typeof SEVERITY)[number] {
  if (run.conclusion === "success") return "executed";
  if (run.conclusion === "neutral") return "needs_verification";
  return (run.output.title ?? "").startsWith("Rolled back") ? "rolled_back" : "failed";
}

async function readResult(
  octokit: SubmitOctokit,
  owner: string,
  repo: string,
  number: number,
  keys: string[],
): Promise<{ markdown: string } | null> {
  const parts: Array<{ key: number; part: number; body: string }> = [];
  for (let page = 1; ; page++) {
    const { data } = await octokit.rest.issues.listComments({
      owner,
      repo,
      issue_number: number,
      per_page: FOLLOW_PER_PAGE,
      page,
    });
    for (const comment of data) {
      const body = comment.body ?? "";
      if (!body.startsWith(RESULT_MARKER)) continue;
      const marker = /^<!-- querygate:result:([A-Za-z0-9_.-]+?)(?::part:(\d+))? -->/.exec(body);
      const key = marker ? keys.indexOf(marker[1] as string) : -1;
      if (key < 0) continue;
      parts.push({ key, part: Number(marker?.[2] ?? 1), body });
    }
    if (data.length < FOLLOW_PER_PAGE) break;
  }
  if (parts.length === 0) return null;
  parts.sort((a, b) => a.key - b.key || a.part - b.part);
  return { markdown: parts.map((x) => x.body).join("\n\n") };
}
