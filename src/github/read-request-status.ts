import type pg from "pg";
import { EXECUTED_HEADLINES, STATUS_HEADLINES } from "../render/render-status-comment.js";
import { createStateStore } from "../store/state-store.js";
import { CHECK_NAME, STATUS_COMMENT_MARKER } from "./limits.js";
import type { GitHubClient } from "./octokit.js";

/** Where a request stands, as the API reports it. */
export type RequestState =
  /** The app has not evaluated the pull request yet. */
  | "pending"
  | "needs_approval"
  | "blocked"
  | "ready"
  | "denied"
  | "invalid"
  | "no_policy"
  | "wrong_base"
  | "fork"
  | "no_requests"
  | "running"
  | "executed"
  | "closed";

// The status comment's headline → the verdict it renders: the renderer's own table, read backwards.
const HEADLINES: Record<string, RequestState> = {
  ...Object.fromEntries(
    Object.entries(STATUS_HEADLINES).map(([state, text]) => [text, state as RequestState]),
  ),
  [EXECUTED_HEADLINES.running]: "running",
  [EXECUTED_HEADLINES.executed]: "executed",
  [EXECUTED_HEADLINES.mixed]: "executed",
};

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
  /** The `querygate` check run of the head commit: the decision with its reasons. */
  decision: {
    conclusion: string | null;
    status: string;
    title: string | null;
    summary: string | null;
    url: string | null;
  } | null;
  /** One line per requirement still unmet, as the status comment says it. */
  missing_approvals: string[];
  /** The status comment (markdown), the one next step in plain words. */
  status_comment: string | null;
  executions: ExecutionInfo[];
}

export interface RequestRef {
  owner: string;
  repo: string;
  number: number;
}

/** 404 (as a null) when the pull request does not exist. */
export async function readRequestStatus(
  octokit: GitHubClient,
  pool: pg.Pool,
  ref: RequestRef,
): Promise<RequestStatus | null> {
  let pull: Awaited<ReturnType<GitHubClient["rest"]["pulls"]["get"]>>["data"];
  try {
    ({ data: pull } = await octokit.rest.pulls.get({
      owner: ref.owner,
      repo: ref.repo,
      pull_number: ref.number,
    }));
  } catch (error) {
    if ((error as { status?: number }).status === 404) return null;
    throw error;
  }
  const headSha = pull.head.sha;
  const [checks, comments, executions] = await Promise.all([
    octokit.rest.checks.listForRef({
      owner: ref.owner,
      repo: ref.repo,
      ref: headSha,
      check_name: CHECK_NAME,
    }),
    octokit.paginate(octokit.rest.issues.listComments, {
      owner: ref.owner,
      repo: ref.repo,
      issue_number: ref.number,
      per_page: 100,
    }),
    listExecutions(pool, { repo: pull.base.repo.full_name, number: ref.number, headSha }),
  ]);
  const check = checks.data.check_runs.find((c) => c.name === CHECK_NAME) ?? null;
  const statusComment =
    comments.find((c) => c.user?.type === "Bot" && (c.body ?? "").startsWith(STATUS_COMMENT_MARKER))?.body ??
    null;
  const headline = /^### querygate: (.+)$/m.exec(statusComment ?? "")?.[1]?.trim() ?? null;
  let state: RequestState = (headline && HEADLINES[headline]) || "pending";
  if (executions.length > 0)
    state = executions.every((e) => e.reported && e.state !== "queued" && e.state !== "running")
      ? "executed"
      : "running";
  else if (pull.state === "closed") state = "closed";
  return {
    id: `${ref.owner}/${ref.repo}#${ref.number}`,
    number: ref.number,
    url: pull.html_url,
    state,
    pull_request: {
      state: pull.state as "open" | "closed",
      merged: pull.merged_at !== null,
      author: pull.user?.login ?? null,
      head_sha: headSha,
      title: pull.title,
    },
    decision: check
      ? {
          conclusion: check.conclusion ?? null,
          status: check.status,
          title: check.output?.title ?? null,
          summary: check.output?.summary ?? null,
          url: check.html_url ?? null,
        }
      : null,
    missing_approvals: (statusComment ?? "")
      .split("\n")
      .filter((line) => line.startsWith("Needs "))
      .map((line) => line.trim()),
    status_comment: statusComment,
    executions,
  };
}

async function listExecutions(
  pool: pg.Pool,
  p: { repo: string; number: number; headSha: string },
): Promise<ExecutionInfo[]> {
  const rows = await createStateStore(pool).listExecutions({
    repo: p.repo,
    pullNumber: p.number,
    headSha: p.headSha,
  });
  return rows.map((r) => ({ key: r.key, request_path: r.requestPath, state: r.state, reported: r.reported }));
}
