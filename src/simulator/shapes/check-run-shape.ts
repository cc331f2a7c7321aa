import type { CheckRunRecord } from "../state/sim-state.js";
import { appShape } from "./app-shape.js";
import { pullBaseSha } from "./pull-shape.js";
import { nodeId, type ShapeContext } from "./shape-context.js";

/** Pull requests of the same repository whose head is the check's sha; GitHub leaves out forks. */
function checkPullRequests(ctx: ShapeContext, run: CheckRunRecord): Array<Record<string, unknown>> {
  const repo = ctx.state.repos.get(run.repo.toLowerCase());
  if (!repo) return [];
  const repoRef = { id: repo.id, url: `${ctx.urls.api}/repos/${repo.fullName}`, name: repo.name };
  return ctx.state.pulls
    .filter((pr) => pr.repo === run.repo && pr.headSha === run.headSha && pr.state === "open" && !pr.fork)
    .map((pr) => ({
      url: `${ctx.urls.api}/repos/${pr.repo}/pulls/${pr.number}`,
      id: pr.id,
      number: pr.number,
      head: { ref: pr.headRef, sha: pr.headSha, repo: repoRef },
      base: { ref: pr.baseRef, sha: pullBaseSha(ctx, pr), repo: repoRef },
    }));
}

function headBranchOf(ctx: ShapeContext, run: CheckRunRecord): string | null {
  const repo = ctx.state.repos.get(run.repo.toLowerCase());
  for (const [branch, sha] of repo?.branches ?? []) if (sha === run.headSha) return branch;
  return null;
}

export function checkRunShape(ctx: ShapeContext, run: CheckRunRecord): Record<string, unknown> {
  const api = `${ctx.urls.api}/repos/${run.repo}`;
  const url = `${api}/check-runs/${run.id}`;
  const pullRequests = checkPullRequests(ctx, run);
  const app = appShape(ctx);
  const commit = ctx.state.git.getCommit(run.headSha);
  return {
    id: run.id,
    name: run.name,
    node_id: nodeId("CheckRun", run.id),
    head_sha: run.headSha,
    external_id: run.externalId ?? "",
    url,
    html_url: `${ctx.urls.web}/${run.repo}/runs/${run.id}`,
    details_url: run.detailsUrl ?? `${ctx.urls.web}/apps/${ctx.state.app.slug}`,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      title: run.title,
      summary: run.summary,
      text: run.text,
      annotations_count: run.annotations.length,
      annotations_url: `${url}/annotations`,
    },
    check_suite: {
      id: run.checkSuiteId,
      node_id: nodeId("CheckSuite", run.checkSuiteId),
      head_branch: headBranchOf(ctx, run),
      head_sha: run.headSha,
      status: run.status,
      conclusion: run.conclusion,
      url: `${api}/check-suites/${run.checkSuiteId}`,
      before: commit?.parents[0] ?? null,
      after: run.headSha,
      pull_requests: pullRequests,
      app,
      created_at: run.startedAt,
      updated_at: run.completedAt ?? run.startedAt,
    },
    app,
    pull_requests: pullRequests,
  };
}

export function annotationShape(
  run: CheckRunRecord,
  annotation: CheckRunRecord["annotations"][number],
  blobHref: string,
): Record<string, unknown> {
  return {
    path: annotation.path,
    blob_href: `${blobHref}/blob/${run.headSha}/${annotation.path}`,
    start_line: annotation.start_line,
    end_line: annotation.end_line,
    start_column: annotation.start_column ?? null,
    end_column: annotation.end_column ?? null,
    annotation_level: annotation.annotation_level,
    title: annotation.title ?? null,
    message: annotation.message,
    raw_details: annotation.raw_details ?? null,
  };
}
