import type { ExecuteCheckRun } from "./check-run-output.js";
import { EXECUTE_CHECK_NAME, PER_PAGE_MAX } from "./limits.js";
import type { GitHubClient, RepoRef } from "./octokit.js";

/**
 * Posts an execution's result comments, or edits the ones an earlier attempt posted: each part is found by
 * its hidden marker (the first line), so a report retried after a crash never posts twice.
 */
export async function upsertResultComments(
  octokit: GitHubClient,
  p: RepoRef & { pullNumber: number; bodies: string[] },
): Promise<number[]> {
  const { owner, repo, pullNumber } = p;
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: pullNumber,
    per_page: PER_PAGE_MAX,
  });
  const ids: number[] = [];
  for (const [i, body] of p.bodies.entries()) {
    const marker = body.split("\n")[0] ?? "";
    const existing = comments.find((c) => c.user?.type === "Bot" && (c.body ?? "").split("\n")[0] === marker);
    if (
      existing &&
      (existing.body === body ||
        (await updated(() =>
          octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body }),
        )))
    ) {
      ids[i] = existing.id;
    } else {
      const { data } = await octokit.rest.issues.createComment({
        owner,
        repo,
        issue_number: pullNumber,
        body,
      });
      ids[i] = data.id;
    }
  }
  return ids;
}

/** The `querygate/execute` check run of one execution, found by `external_id` (its key) and updated, else created. */
export async function upsertExecuteCheckRun(
  octokit: GitHubClient,
  p: RepoRef & { headSha: string; detailsUrl: string; key: string; output: ExecuteCheckRun },
): Promise<number> {
  const { owner, repo, headSha } = p;
  const { data } = await octokit.rest.checks.listForRef({
    owner,
    repo,
    ref: headSha,
    check_name: EXECUTE_CHECK_NAME,
    per_page: PER_PAGE_MAX,
  });
  const body = {
    owner,
    repo,
    name: EXECUTE_CHECK_NAME,
    status: "completed" as const,
    conclusion: p.output.conclusion,
    completed_at: new Date().toISOString(),
    details_url: p.detailsUrl,
    external_id: p.key,
    output: { title: p.output.title, summary: p.output.summary },
  };
  const existing = data.check_runs.find((r) => r.external_id === p.key);
  if (existing && (await updated(() => octokit.rest.checks.update({ ...body, check_run_id: existing.id }))))
    return existing.id;
  const { data: created } = await octokit.rest.checks.create({ ...body, head_sha: headSha });
  return created.id;
}

/**
 * Runs an update of what looked like ours; false when GitHub refuses it as another app's (403) or it is
 * gone (404), so the caller writes its own instead of failing the report forever on a planted look-alike.
 */
async function updated(update: () => Promise<unknown>): Promise<boolean> {
  try {
    await update();
    return true;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 403 || status === 404) return false;
    throw error;
  }
}
