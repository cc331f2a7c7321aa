import type { ApprovalStatus } from "../approvals/approval-types.js";
import { baseBranchProblem } from "../approvals/base-branch.js";
import type { RequestVerdict } from "../approvals/request-verdict.js";
import type { BlobCache } from "../github/blob-cache.js";
import { fetchPolicyFiles } from "../github/fetch-base-policy.js";
import { fetchRequestFiles, listChangedFiles } from "../github/fetch-request-files.js";
import type { GitHubClient, RepoRef } from "../github/octokit.js";
import { publishCheckRun } from "../github/publish-check-run.js";
import { publishStatusComment } from "../github/publish-status-comment.js";
import { requestReviews } from "../github/request-reviews.js";
import {
  evaluateRequestFile,
  type RequestFileEvaluation,
} from "../plan-pull-request/evaluate-request-file.js";
import { type ExecutionUnit, executionUnits } from "../plan-pull-request/execution-units.js";
import { type RunFingerprint, runFingerprint } from "../plan-pull-request/fingerprint.js";
import { combineDecisions } from "../policy/evaluate/combine-decisions.js";
import { compilePolicy } from "../policy/evaluate/compile-policy.js";
import { principalKey } from "../policy/evaluate/principals.js";
import { loadPolicy } from "../policy/load/load-policy.js";
import type { LoadedPolicy, PolicyCache } from "../policy/policy-cache.js";
import { isPolicyPath, POLICY_TESTS_DIR } from "../policy/policy-paths.js";
import type { Actor, Decision, Policy, Principal, RequirementSpec } from "../policy/policy-types.js";
import { runPolicyTests } from "../policy-tests/run-policy-tests.js";
import { type PolicyChangeReport, renderCheckRun } from "../render/render-check-run.js";
import { renderStatusComment } from "../render/render-status-comment.js";
import { loadActions } from "../requests/actions/load-actions.js";
import { MAX_ACTIONS } from "../requests/request-limits.js";
import { ACTIONS_FOLDER, isActionPath, isYamlRequestPath } from "../requests/request-paths.js";
import type { Dialect } from "../sql/statement.js";
import type { StateStore } from "../store/state-store.js";
import { loadApprovalStatus } from "./load-approval-status.js";

export interface PullRequestRef extends RepoRef {
  pullNumber: number;
  headSha: string;
  htmlUrl: string;
  /** The base branch name: its policy is read at the branch's current head, never the PR's. */
  baseRef: string;
  /** The repository's default branch: its policy says which other bases may receive requests. */
  defaultBranch: string;
  author: string;
  authorType: string;
  /** The head branch lives in another repository (or one since deleted): never runnable. */
  fork: boolean;
  labels: string[];
  requestedReviewers: { users: string[]; teams: string[] };
}

export interface EvaluateDeps {
  octokit: GitHubClient;
  store: StateStore;
  dialect: Dialect;
  policies: PolicyCache;
  now: () => Date;
  /** Whether ready requests can be started from GitHub (the Run button and `/querygate run`). */
  runnerEnabled: boolean;
  blobs: BlobCache;
  /** The login the app itself acts as (`<slug>[bot]`), to tell its own pull requests apart. */
  appLogin?: () => Promise<string | null>;
}

export interface PullRequestEvaluation {
  /** The pull request as it was evaluated. */
  pr: PullRequestRef;
  checkRunId: number;
  decision: Decision | null;
  verdict: RequestVerdict;
  approval: ApprovalStatus | null;
  /** The base branch's policy, when valid: the runner re-checks against it. */
  policy: { commitSha: string; files: Array<{ path: string; blobSha: string }>; value: Policy } | null;
  evaluations: RequestFileEvaluation[];
  /** What would run, and its fingerprint; only when the request is runnable. */
  run: { units: ExecutionUnit[]; fingerprint: RunFingerprint } | null;
}

/**
 * Loads the base policy, the request files and the reviews; asks the pure core for the decision and what
 * counts; publishes the check run and the status comment; asks the reviewers still needed.
 */
export async function evaluatePullRequest(
  deps: EvaluateDeps,
  pr: PullRequestRef,
  options: { opened?: boolean } = {},
): Promise<PullRequestEvaluation> {
  const { octokit } = deps;
  const repoRef = { owner: pr.owner, repo: pr.repo };
  const changed = await listChangedFiles(octokit, pr);
  const basePolicy = await fetchPolicyFiles(octokit, { ...repoRef, ref: pr.baseRef, cache: deps.blobs });
  const loaded: LoadedPolicy =
    basePolicy.problems.length > 0 || basePolicy.files.length === 0
      ? { ok: false, errors: [] }
      : deps.policies.load(basePolicy.files);
  const baseProblem = pr.baseRef === pr.defaultBranch ? null : await checkOtherBase(deps, pr);
  const fetched = await fetchRequestFiles(octokit, { ...repoRef, changed, cache: deps.blobs });
  // Actions are reviewed code, like the policy: read from the base branch, only when a request names one.
  const baseActions = fetched.files.some((f) => isYamlRequestPath(f.path))
    ? await fetchPolicyFiles(octokit, {
        ...repoRef,
        ref: pr.baseRef,
        dir: ACTIONS_FOLDER,
        maxFiles: MAX_ACTIONS,
        cache: deps.blobs,
      })
    : null;
  const actions = baseActions && baseActions.problems.length === 0 ? loadActions(baseActions.files) : null;
  const actor = await actorOf(deps, pr);
  // What approvals bind to besides the head: the policy and the actions read from the base branch.
  const contextFiles = [...basePolicy.files, ...(baseActions?.files ?? [])];

  let evaluations: RequestFileEvaluation[] = [];
  let decision: Decision | null = null;
  const policyChanged = changed.some((f) => isPolicyPath(f.path) || isActionPath(f.path));
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
          actions: {
            actions: actions?.actions ?? new Map(),
            invalid: actions && !actions.ok ? actions.invalid : new Set(),
          },
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
  const countable =
    loaded.ok &&
    decision !== null &&
    decision.outcome !== "denied" &&
    decision.requirements.length > 0 &&
    evaluations.every((e) => e.ok) &&
    fetched.skipped.length === 0;
  const approval =
    countable && loaded.ok && decision
      ? await loadApprovalStatus({
          octokit,
          store: deps.store,
          pr,
          requirements: decision.requirements,
          policyFiles: contextFiles,
          parserVersion: deps.dialect.parserVersion,
          dismissStale: loaded.policy.dismissStaleApprovals,
        })
      : null;

  const requestsReviews =
    approval !== null &&
    !approval.satisfied &&
    baseProblem === null &&
    !(pr.fork && fetched.files.length > 0);
  const reviews =
    requestsReviews && decision
      ? await requestReviews({
          octokit,
          ...repoRef,
          pullNumber: pr.pullNumber,
          author: pr.author,
          alreadyRequested: pr.requestedReviewers,
          needed: stillNeeded(decision.requirements, approval),
        })
      : { users: [], teams: [], problems: [] };

  const executions = await deps.store.listExecutions({
    repo: `${pr.owner}/${pr.repo}`,
    pullNumber: pr.pullNumber,
    headSha: pr.headSha,
  });
  const units =
    loaded.ok && decision
      ? executionUnits({ evaluations, decisions: decision.statements, targets: loaded.policy.targets })
      : [];
  const output = renderCheckRun({
    policy: loaded.ok
      ? { ok: true, commitSha: basePolicy.commitSha, files: basePolicy.files.map((f) => f.path) }
      : { ok: false, commitSha: basePolicy.commitSha, errors: policyErrors(basePolicy, loaded, pr.baseRef) },
    evaluations,
    skipped: fetched.skipped,
    decision,
    approval,
    baseProblem,
    fork: pr.fork,
    // Not once this head has run (the button would only say "already ran"), and not when every request
    // file runs on merge (the button would only refuse).
    offerRun: deps.runnerEnabled && executions.length === 0 && units.some((u) => u.execute !== "on_merge"),
    policyChange,
    reviewProblems: reviews.problems,
    parserVersion: deps.dialect.parserVersion,
  });
  const { id } = await publishCheckRun({
    octokit,
    store: deps.store,
    ...repoRef,
    headSha: pr.headSha,
    detailsUrl: pr.htmlUrl,
    output,
  });
  await publishStatusComment({
    octokit,
    store: deps.store,
    ...repoRef,
    pullNumber: pr.pullNumber,
    create: output.verdict.state !== "no_requests",
    // A pull request that was just opened has no comment of ours to look for.
    searchExisting: !options.opened,
    body: renderStatusComment({
      verdict: output.verdict,
      decision,
      approval,
      baseProblem,
      headSha: pr.headSha,
      checkRunUrl: `${pr.htmlUrl}/checks?check_run_id=${id}`,
      runnerEnabled: deps.runnerEnabled,
      executions,
    }),
  });
  let run: PullRequestEvaluation["run"] = null;
  if (output.verdict.runnable && loaded.ok && decision) {
    const fingerprint = runFingerprint({
      headSha: pr.headSha,
      baseRef: pr.baseRef,
      policyFiles: contextFiles,
      parserVersion: deps.dialect.parserVersion,
      units,
    });
    // What was approved: a run re-checks against it and says what changed.
    await deps.store.recordApprovedRun({
      repo: `${pr.owner}/${pr.repo}`,
      pullNumber: pr.pullNumber,
      headSha: pr.headSha,
      fingerprint: fingerprint.digest,
      parts: fingerprint.parts,
    });
    run = { units, fingerprint };
  }
  return {
    pr,
    checkRunId: id,
    decision,
    verdict: output.verdict,
    approval,
    policy: loaded.ok
      ? { commitSha: basePolicy.commitSha, files: basePolicy.files, value: loaded.policy }
      : null,
    evaluations,
    run,
  };
}

/**
 * Who opened the request: querygate's own app opens the pull requests its API and MCP server submit for
 * agents (`actor: agent`); any other bot is `bot`; a person is `user`.
 */
async function actorOf(deps: EvaluateDeps, pr: PullRequestRef): Promise<Actor> {
  if (pr.authorType !== "Bot") return "user";
  const own = await deps.appLogin?.();
  return own && own.toLowerCase() === pr.author.toLowerCase() ? "agent" : "bot";
}

/** Only the default branch's policy may open another base to requests: a branch cannot allow itself. */
async function checkOtherBase(deps: EvaluateDeps, pr: PullRequestRef): Promise<string | null> {
  const files = await fetchPolicyFiles(deps.octokit, {
    owner: pr.owner,
    repo: pr.repo,
    ref: pr.defaultBranch,
  });
  const loaded =
    files.problems.length === 0 && files.files.length > 0 ? deps.policies.load(files.files) : null;
  return baseBranchProblem({
    baseRef: pr.baseRef,
    defaultBranch: pr.defaultBranch,
    allowed: loaded?.ok ? loaded.policy.allowedBaseBranches : [],
  });
}

function policyErrors(
  basePolicy: { problems: string[]; files: unknown[] },
  loaded: LoadedPolicy,
  baseRef: string,
): string[] {
  if (basePolicy.problems.length > 0) return basePolicy.problems;
  if (basePolicy.files.length === 0)
    return [
      `no policy files under policies/ on ${baseRef}: add policies/querygate.yml there (see docs/policy.md)`,
    ];
  return loaded.ok ? [] : loaded.errors.map((e) => `${e.file}:${e.line}: ${e.key}: ${e.message}`);
}

/** The principals of requirements still short of approvals, minus users whose approval already counts. */
function stillNeeded(requirements: RequirementSpec[], approval: ApprovalStatus | null): Principal[] {
  const counted = new Set(
    (approval?.approvals ?? []).filter((a) => a.counted.length > 0).map((a) => a.login.toLowerCase()),
  );
  const unmet = requirements.filter(
    (r) => (approval?.statuses.find((s) => s.id === r.id)?.missing ?? r.count) > 0,
  );
  return uniquePrincipals(unmet.flatMap((r) => r.from)).filter(
    (p) => p.kind === "team" || !counted.has(p.login.replace(/^@/, "").toLowerCase()),
  );
}

/** Validates the pull request's own policies/ and runs its tests, so a broken policy is never merged unseen. */
async function checkProposedPolicy(deps: EvaluateDeps, pr: PullRequestRef): Promise<PolicyChangeReport> {
  const at = { owner: pr.owner, repo: pr.repo, ref: pr.headSha, cache: deps.blobs };
  const proposed = await fetchPolicyFiles(deps.octokit, at);
  const result = loadPolicy(proposed.files);
  // The pull request's actions are checked too: an action enters through review, like the policy.
  const actions = await fetchPolicyFiles(deps.octokit, { ...at, dir: ACTIONS_FOLDER, maxFiles: MAX_ACTIONS });
  const loadedActions = loadActions(actions.files);
  const actionErrors = loadedActions.ok ? [] : loadedActions.errors;
  if (!result.ok) return { errors: [...result.errors, ...actionErrors], tests: null };
  const tests = await fetchPolicyFiles(deps.octokit, { ...at, dir: POLICY_TESTS_DIR });
  if (tests.files.length === 0) return { errors: actionErrors, tests: null };
  const run = await runPolicyTests({
    policy: compilePolicy(result.policy),
    testFiles: tests.files,
    baseDir: ".",
    now: deps.now(),
  });
  return {
    errors: actionErrors,
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
    const key = principalKey(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
