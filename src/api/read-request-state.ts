import type { VerdictState } from "../approvals/request-verdict.js";
import type { GitHubClient } from "../github/octokit.js";
import { type PullRequestFacts, readPullRequest } from "../github/read-pull-request.js";
import type { ExecutionSummary, RequestStateRecord, StateStore } from "../store/state-store.js";

/**
 * Where a request stands, as the API reports it. Read only from the app's state store (the evaluation the
 * app recorded, the execution ledger) plus the pull request's own facts from GitHub — never from a comment or
 * a check run found on GitHub, which anyone (or any app) could have written.
 */
export type RequestState =
  /** The app has not evaluated the pull request's current head yet. */
  "pending" | VerdictState | "running" | "executed" | "closed";

/** How a request that ran ended; with several request files, the worst speaks for all. */
export type ResultOutcome = "executed" | "failed" | "rolled_back" | "needs_verification";

export interface ExecutionInfo {
  key: string;
  request_path: string;
  state: string;
  reported: boolean;
}

export interface RequestStatus {
  id: string;
  number: number;
  url: string;
  state: RequestState;
  pull_request: {
    state: "open" | "closed";
    merged: boolean;
    author: string | null;
    head_sha: string;
    title: string;
  };
  /** The evaluation querygate recorded for the current head (what its `querygate` check run says); null before. */
  decision: {
    conclusion: string;
    status: "completed";
    title: string;
    url: string | null;
    runnable: boolean;
    head_sha: string;
    policy_commit: string | null;
    evaluated_at: string;
  } | null;
  /** One line per requirement still unmet, as recorded with the evaluation. */
  missing_approvals: string[];
  executions: ExecutionInfo[];
}

export interface RequestResult {
  outcome: ResultOutcome;
  /** The outcome in words: each execution's title, as its `querygate/execute` check run has it. */
  status: string;
  /** The result comment(s) exactly as the runner posted them: masked columns are masked there. */
  markdown: string;
}

export interface RequestRef {
  owner: string;
  repo: string;
  number: number;
}

const FINAL_EXECUTION_STATES = new Set(["succeeded", "failed", "rolled_back", "needs_verification"]);
const OUTCOME_OF: Record<string, ResultOutcome> = {
  succeeded: "executed",
  failed: "failed",
  rolled_back: "rolled_back",
  needs_verification: "needs_verification",
};
/** Worst first. */
const SEVERITY: ResultOutcome[] = ["failed", "rolled_back", "needs_verification", "executed"];

/** Reads a request's status and, once it ran and was reported, its result; null when the pull request does not exist. */
export async function readRequest(
  octokit: GitHubClient,
  store: StateStore,
  ref: RequestRef,
): Promise<{ status: RequestStatus; result: RequestResult | null } | null> {
  const pull = await readPullRequest(octokit, ref);
  if (!pull) return null;
  const [record, executions] = await Promise.all([
    store.findRequestState({ repo: pull.repo, pullNumber: pull.number }),
    store.listExecutions({ repo: pull.repo, pullNumber: pull.number, headSha: pull.headSha }),
  ]);
  return {
    status: requestStatus({ id: `${ref.owner}/${ref.repo}#${ref.number}`, pull, record, executions }),
    result: requestResult(executions),
  };
}

/**
 * Pure: the state is the executions' when this head has any (running until every one is final and
 * reported), else closed when the pull request is, else the recorded evaluation's when it was made for the
 * current head onto the current base, else pending (an evaluation of another head or base may arrive late).
 */
export function requestStatus(p: {
  id: string;
  pull: PullRequestFacts;
  record: RequestStateRecord | null;
  executions: ExecutionSummary[];
}): RequestStatus {
  const { pull, executions } = p;
  // An evaluation of another head, or of this head onto another base, says nothing about this one.
  const record =
    p.record && sameSha(p.record.headSha, pull.headSha) && p.record.baseRef === pull.baseRef
      ? p.record
      : null;
  const state: RequestState =
    executions.length > 0
      ? executions.every((e) => e.reported && FINAL_EXECUTION_STATES.has(e.state))
        ? "executed"
        : "running"
      : pull.state === "closed"
        ? "closed"
        : (record?.state ?? "pending");
  return {
    id: p.id,
    number: pull.number,
    url: pull.url,
    state,
    pull_request: {
      state: pull.state,
      merged: pull.merged,
      author: pull.author,
      head_sha: pull.headSha,
      title: pull.title,
    },
    decision: record
      ? {
          conclusion: record.conclusion,
          status: "completed",
          title: record.title,
          url: record.checkRunUrl,
          runnable: record.runnable,
          head_sha: record.headSha,
          policy_commit: record.policyCommit,
          evaluated_at: record.evaluatedAt.toISOString(),
        }
      : null,
    missing_approvals: record?.missing ?? [],
    executions: executions.map((e) => ({
      key: e.key,
      request_path: e.requestPath,
      state: e.state,
      reported: e.reported,
    })),
  };
}

/**
 * Pure: the result once every execution of the head is final and reported — the worst outcome, the titles,
 * and the result markdown the runner stored when it reported (in request path order); null before.
 */
export function requestResult(executions: ExecutionSummary[]): RequestResult | null {
  if (executions.length === 0) return null;
  if (!executions.every((e) => e.reported && FINAL_EXECUTION_STATES.has(e.state))) return null;
  const outcomes = executions.map((e) => OUTCOME_OF[e.state] as ResultOutcome);
  return {
    outcome: SEVERITY.find((o) => outcomes.includes(o)) ?? "failed",
    status: executions.map((e, i) => e.resultTitle ?? outcomes[i]).join("; "),
    markdown: executions
      .map(
        (e) =>
          e.resultMarkdown ??
          // Reported before querygate kept results in its state (migration 0006): only the comment has it.
          `_The result of \`${e.requestPath}\` was reported before querygate kept results in its own state: read it on the pull request._`,
      )
      .join("\n\n"),
  };
}

function sameSha(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
