import { GitHubRefusedError, refusal } from "./github-errors.js";
import type { SubmitOctokit } from "./submit-octokit.js";

/** The label a submitted pull request carries, so people and tools can find requests. */
export const SUBMIT_LABEL = "querygate";
export interface SubmitRequestParams {
  octokit: SubmitOctokit;
  owner: string;
  repo: string;
  file: { path: string; content: string };
  title: string;
  body: string;
  /** Default SUBMIT_LABEL. */
  label?: string;
  /** The branch to create from the default branch's head (src/submit/request-file.ts names it). */
  branch: string;
}

export interface SubmittedRequest {
  number: number;
  url: string;
  branch: string;
  headSha: string;
  /** What went wrong without stopping the submission (e.g. the label could not be added). */
  warnings: string[];
}

/**
 * Opens a request as a pull request, as whoever the client's token names: a branch
 * `querygate/request-<timestamp>-<random>` from the default branch's head, one commit adding the file, the
 * pull request, its label. A failure after the branch exists deletes the branch again (best effort). A
 * label GitHub refuses (403/404/422) is a warning, not a failure.
 */
export async function submitRequest(p: SubmitRequestParams): Promise<SubmittedRequest> {
  const { octokit, owner, repo } = p;
  const full = `${owner}/${repo}`;
  const step = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw refusal(error, what, full);
    }
  };

  const { data: repository } = await step("read the repository", () =>
    octokit.rest.repos.get({ owner, repo }),
  );
  if (repository.permissions && !repository.permissions.push)
    throw new GitHubRefusedError(
      403,
      "read the repository",
      `the token's account has no push access to ${full}, so it cannot open a request there: ask for write access (or a token that has it)`,
    );
  const base = repository.default_branch;
  const { data: baseRef } = await step(`read the head of ${base}`, () =>
    octokit.rest.git.getRef({ owner, repo, ref: `heads/${base}` }),
  );
  const { branch } = p;
  await step(`create the branch ${branch}`, () =>
    octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha: baseRef.object.sha }),
  );
  let headSha: string;
  let pull: { number: number; html_url: string };
  try {
    const { data: written } = await step(`commit ${p.file.path}`, () =>
      octokit.rest.repos.createOrUpdateFileContents({
        owner,
        repo,
        path: p.file.path,
        branch,
        message: p.title,
        content: Buffer.from(p.file.content, "utf8").toString("base64"),
      }),
    );
    if (!written.commit.sha) throw new Error(`GitHub did not return the commit for ${p.file.path}`);
    headSha = written.commit.sha;
    ({ data: pull } = await step("open the pull request", () =>
      octokit.rest.pulls.create({ owner, repo, title: p.title, body: p.body, head: branch, base }),
    ));
  } catch (error) {
    // No pull request refers to the branch: leave nothing behind.
    await octokit.rest.git.deleteRef({ owner, repo, ref: `heads/${branch}` }).catch(() => undefined);
    throw error;
  }
  const warnings: string[] = [];
  const label = p.label ?? SUBMIT_LABEL;
  try {
    await octokit.rest.issues.addLabels({ owner, repo, issue_number: pull.number, labels: [label] });
  } catch (error) {
    const status = (error as { status?: number }).status;
    warnings.push(
      status === 403 || status === 404 || status === 422
        ? `the pull request is open, but GitHub refused the label "${label}" (${status}); add it by hand if you filter on it`
        : `the pull request is open, but adding the label "${label}" failed: ${(refusal(error, "add the label", full) as Error).message}`,
    );
  }
  return { number: pull.number, url: pull.html_url, branch, headSha, warnings };
}
