import { createHash } from "node:crypto";
import type { StateStore } from "../store/state-store.js";
import type { CheckRunOutput } from "./check-run-output.js";
import { CHECK_NAME, CHECK_RUN_ANNOTATIONS_PER_REQUEST } from "./limits.js";
import type { GitHubClient, RepoRef } from "./octokit.js";

export interface PublishCheckRunParams extends RepoRef {
  octokit: GitHubClient;
  store: StateStore;
  headSha: string;
  detailsUrl: string;
  output: CheckRunOutput;
}

/**
 * Creates the check run for a head SHA, or updates the one already there. GitHub appends annotations on
 * every update, so a changed set of annotations gets a fresh check run instead of duplicates.
 */
export async function publishCheckRun(
  params: PublishCheckRunParams,
): Promise<{ id: number; created: boolean }> {
  const { octokit, store, owner, repo, headSha, detailsUrl, output } = params;
  const repoName = `${owner}/${repo}`;
  const digest = digestOf(output);
  const existing = await store.findCheckRun({ repo: repoName, headSha, name: CHECK_NAME });
  const batches = chunk(output.annotations, CHECK_RUN_ANNOTATIONS_PER_REQUEST);
  const body = {
    owner,
    repo,
    name: CHECK_NAME,
    status: "completed" as const,
    conclusion: output.conclusion,
    completed_at: new Date().toISOString(),
    details_url: detailsUrl,
    external_id: digest.slice(0, 40),
    // Always sent, so a run that stops being ready loses its Run button.
    actions: output.actions,
  };

  if (existing !== null && existing.annotationsDigest === annotationDigest(output)) {
    await octokit.rest.checks.update({
      ...body,
      check_run_id: existing.checkRunId,
      output: { title: output.title, summary: output.summary, text: output.text },
    });
    return { id: existing.checkRunId, created: false };
  }

  const { data } = await octokit.rest.checks.create({
    ...body,
    head_sha: headSha,
    output: {
      title: output.title,
      summary: output.summary,
      text: output.text,
      annotations: batches[0] ?? [],
    },
  });
  for (const batch of batches.slice(1)) {
    await octokit.rest.checks.update({
      owner,
      repo,
      check_run_id: data.id,
      output: { title: output.title, summary: output.summary, annotations: batch },
    });
  }
  await store.recordCheckRun({
    repo: repoName,
    headSha,
    name: CHECK_NAME,
    checkRunId: data.id,
    annotationsDigest: annotationDigest(output),
  });
  return { id: data.id, created: true };
}

function annotationDigest(output: CheckRunOutput): string {
  return createHash("sha256").update(JSON.stringify(output.annotations)).digest("hex");
}

function digestOf(output: CheckRunOutput): string {
  return createHash("sha256").update(JSON.stringify(output)).digest("hex");
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
