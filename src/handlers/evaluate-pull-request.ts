import { fetchPolicyFiles } from "../github/fetch-base-policy.js";
import { fetchRequestFiles, listChangedFiles } from "../github/fetch-request-files.js";
import type { GitHubClient, RepoRef } from "../github/octokit.js";
import { publishCheckRun } from "../github/publish-check-run.js";
import { type PolicyChangeReport, renderCheckRun } from "../github/render-check-run.js";
import { requestReviews } from "../github/request-reviews.js";
import { combineDecisions } from "../policy/evaluate/combine-decisions.js";
import { compilePolicy } from "../policy/evaluate/compile-policy.js";
import { evaluateRequestFile, type RequestFileEvaluation } from "../policy/evaluate-request-file.js";
import { loadPolicy } from "../policy/load/load-policy.js";
import type { PolicyCache } from "../policy/policy-cache.js";
import { isPolicyPath, POLICY_TESTS_DIR } from "../policy/policy-paths.js";
import type { Actor, Decision, Principal, RequirementSpec } from "../policy/policy-types.js";
import { runPolicyTests } from "../policy/tests/run-policy-tests.js";
import type { Dialect } from "../sql/statement.js";
import type { StateStore } from "../store/state-store.js";

export interface PullRequestRef extends RepoRef {
  pullNumber: number;
  headSha: string;
  htmlUrl: string;
  /** The base branch name: its policy is read at the branch's current head, never the PR's. */
  baseRef: string;
  author: string;
  authorType: string;
  labels: string[];
  requestedReviewers: { users: string[]; teams: string[] };
}

export interface EvaluateDeps {
  octokit: GitHubClient;
  store: StateStore;
  dialect: Dialect;
  policies: PolicyCache;
  now: () => Date;
}

/** Load the base policy and the request files, evaluate them (pure core), publish the verdict, ask reviewers. */
export async function evaluatePullRequest(
  deps: EvaluateDeps,
  pr: PullRequestRef,
): Promise<{ checkRunId: number; decision: Decision | null }> {
  const { octokit } = deps;
  const changed = await listChangedFiles(octokit, pr);
  const basePolicy = await fetchPolicyFiles(octokit, { owner: pr.owner, repo: pr.repo, ref: pr.baseRef });
  const loaded =
    basePolicy.problems.length > 0
      ? ({ ok: false, errors: [] } as const)
      : basePolicy.files.length === 0
        ? ({ ok: false, errors: [] } as const)
        : deps.policies.load(basePolicy.files);
  const fetched = await fetchRequestFiles(octokit, { owner: pr.owner, repo: pr.repo, changed });
  const actor: Actor = pr.authorType === "Bot" ? "bot" : "user";

  let evaluations: RequestFileEvaluation[] = [];
  let decision: Decision | null = null;
  const policyChanged = changed.some((f) => isPolicyPath(f.path));
  if (loaded.ok) {
    const now = deps.now();
    evaluations = await Promise.all(
      fetched.files.map((f) =>
        evaluateRequestFile({
          policy: loaded.compiled,
          path: f.path,
          content: f.content,
          author: pr.author,
          actor,
          labels: pr.labels,
          now,
        }),
      ),
    );
    const extra: RequirementSpec[] = policyChanged
      ? [policyOwnersRequirement(loaded.policy.policyOwners)]
      : [];
    decision = combineDecisions(
      evaluations.map((e) => e.decision),
      extra,
    );
  }

  const policyChange = policyChanged ? await checkProposedPolicy(deps, pr) : null;
  const needed = uniquePrincipals((decision?.requirements ?? []).flatMap((r) => r.from));
  const reviews =
    decision && decision.outcome !== "denied"
      ? await requestReviews({
          octokit,
          owner: pr.owner,
          repo: pr.repo,
          pullNumber: pr.pullNumber,
          author: pr.author,
          alreadyRequested: pr.requestedReviewers,
          needed,
        })
      : { users: [], teams: [], problems: [] };

  const output = renderCheckRun({
    policy: loaded.ok
      ? { ok: true, commitSha: basePolicy.commitSha, files: basePolicy.files.map((f) => f.path) }
      : {
          ok: false,
          commitSha: basePolicy.commitSha,
          errors:
            basePolicy.problems.length > 0
              ? basePolicy.problems
              : basePolicy.files.length === 0
                ? [
                    `no policy files under policies/ on ${pr.baseRef}: add policies/querygate.yml there (see docs/policy.md)`,
                  ]
                : (
                    loaded as { errors: Array<{ file: string; line: number; key: string; message: string }> }
                  ).errors.map((e) => `${e.file}:${e.line}: ${e.key}: ${e.message}`),
        },
    evaluations,
    skipped: fetched.skipped,
    decision,
    statuses: [],
    policyChange,
    reviewProblems: reviews.problems,
    parserVersion: deps.dialect.parserVersion,
  });
  const { id } = await publishCheckRun({
    octokit,
    store: deps.store,
    owner: pr.owner,
    repo: pr.repo,
    headSha: pr.headSha,
    detailsUrl: pr.htmlUrl,
    output,
  });
  return { checkRunId: id, decision };
}

/** Validates the pull request's own policies/ and runs its tests, so a broken policy is never merged unseen. */
async function checkProposedPolicy(deps: EvaluateDeps, pr: PullRequestRef): Promise<PolicyChangeReport> {
  const proposed = await fetchPolicyFiles(deps.octokit, { owner: pr.owner, repo: pr.repo, ref: pr.headSha });
  const result = loadPolicy(proposed.files);
  if (!result.ok) return { errors: result.errors, tests: null };
  const tests = await fetchPolicyFiles(deps.octokit, {
    owner: pr.owner,
    repo: pr.repo,
    ref: pr.headSha,
    dir: POLICY_TESTS_DIR,
  });
  if (tests.files.length === 0) return { errors: [], tests: null };
  const run = await runPolicyTests({
    policy: compilePolicy(result.policy),
    testFiles: tests.files,
    baseDir: ".",
    now: deps.now(),
  });
  return {
    errors: [],
    tests: {
      passed: run.passed,
      failed: run.failed,
      failures: run.results
        .filter((r) => !r.ok)
        .map((r) => ({ file: r.file, line: r.line, name: r.name, message: r.message ?? "failed" })),
    },
  };
}

function policyOwnersRequirement(owners: Principal[]): RequirementSpec {
  return {
    id: "policy_owners",
    source: "policy_owners",
    label: "changes to policies/",
    count: 1,
    from: owners,
    statements: [],
  };
}

function uniquePrincipals(principals: Principal[]): Principal[] {
  const seen = new Set<string>();
  return principals.filter((p) => {
    const key = p.kind === "team" ? `t:${p.org}/${p.slug}`.toLowerCase() : `u:${p.login}`.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
