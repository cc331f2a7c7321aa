import { fetchRequestFiles } from "../github/fetch-request-files.js";
import type { GitHubClient, RepoRef } from "../github/octokit.js";
import { publishCheckRun } from "../github/publish-check-run.js";
import { renderCheckRun } from "../github/render-check-run.js";
import { analyzeRequestFile } from "../requests/analyze-request-file.js";
import type { Dialect } from "../sql/statement.js";
import type { StateStore } from "../store/state-store.js";

export interface PullRequestRef extends RepoRef {
  pullNumber: number;
  headSha: string;
  htmlUrl: string;
}

export interface EvaluateDeps {
  octokit: GitHubClient;
  store: StateStore;
  dialect: Dialect;
}

/** Load the request files, analyse them (pure core), publish the verdict on the head SHA. */
export async function evaluatePullRequest(
  deps: EvaluateDeps,
  pr: PullRequestRef,
): Promise<{ checkRunId: number }> {
  const { octokit, store, dialect } = deps;
  const fetched = await fetchRequestFiles(octokit, pr);
  const files = fetched.files.map((f) =>
    analyzeRequestFile({ path: f.path, content: f.content, blobSha: f.blobSha, dialect }),
  );
  const output = renderCheckRun({ files, skipped: fetched.skipped, parserVersion: dialect.parserVersion });
  const { id } = await publishCheckRun({
    octokit,
    store,
    owner: pr.owner,
    repo: pr.repo,
    headSha: pr.headSha,
    detailsUrl: pr.htmlUrl,
    output,
  });
  return { checkRunId: id };
}
