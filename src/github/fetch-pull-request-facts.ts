import { baseBranchProblem } from "../approvals/base-branch.js";
import type { BasePolicy, SkippedFile } from "../plan-pull-request/pull-request-plan.js";
import { loadPolicy } from "../policy/load/load-policy.js";
import type { PolicyCache } from "../policy/policy-cache.js";
import { isPolicyPath, POLICY_TESTS_DIR } from "../policy/policy-paths.js";
import type { Actor } from "../policy/policy-types.js";
import type { Action } from "../requests/actions/action-types.js";
import { loadActions } from "../requests/actions/load-actions.js";
import { MAX_ACTIONS } from "../requests/request-limits.js";
import { ACTIONS_FOLDER, isActionPath, isYamlRequestPath } from "../requests/request-paths.js";
import type { BlobCache } from "./blob-cache.js";
import { fetchPolicyFiles, type PolicyFiles } from "./fetch-base-policy.js";
import { type FetchedRequestFile, fetchRequestFiles, listChangedFiles } from "./fetch-request-files.js";
import type { GitHubClient } from "./octokit.js";
import type { PullRequestRef } from "./pull-request-ref.js";

export interface FetchPullRequestFactsParams {
  octokit: GitHubClient;
  pr: PullRequestRef;
  policies: PolicyCache;
  blobs: BlobCache;
  /** The login the app itself acts as (`<slug>[bot]`), to tell its own pull requests apart. */
  appLogin?: () => Promise<string | null>;
}

type SourceFile = PolicyFiles["files"][number];

export interface PullRequestFacts {
  policy: BasePolicy;
  /** Why the base branch may not receive requests (the default branch's policy says); null when it may. */
  baseProblem: string | null;
  requestFiles: FetchedRequestFile[];
  skipped: SkippedFile[];
  /** The pull request changes policies/ or actions/. */
  changesPolicy: boolean;
  /** The base branch's reviewed actions, read only when a YAML request may name one. */
  actions: { actions: ReadonlyMap<string, Action>; invalid: ReadonlySet<string> } | undefined;
  /** What approvals bind to besides the head: the base branch's policy and action files. */
  contextFiles: Array<{ path: string; blobSha: string }>;
  actor: Actor;
  /** The pull request's own policies/, actions/ and policy tests, when it changes them. */
  proposed: { policy: SourceFile[]; actions: SourceFile[]; tests: SourceFile[] } | null;
}

/** Reads from GitHub everything the planner needs about a pull request (its reviews come later, if needed). */
export async function fetchPullRequestFacts(p: FetchPullRequestFactsParams): Promise<PullRequestFacts> {
  const { octokit, pr } = p;
  const repoRef = { owner: pr.owner, repo: pr.repo };
  const changed = await listChangedFiles(octokit, pr);
  const basePolicy = await fetchPolicyFiles(octokit, {
    ...repoRef,
    at: { branch: pr.baseRef },
    cache: p.blobs,
  });
  const policy = loadBasePolicy(basePolicy, p.policies, pr.baseRef);
  const baseProblem = pr.baseRef === pr.defaultBranch ? null : await otherBaseProblem(p);
  const fetched = await fetchRequestFiles(octokit, { ...repoRef, changed, cache: p.blobs });
  // Actions are reviewed code, like the policy: read from the base branch, only when a request names one,
  // at the very commit the policy was read at (one snapshot of the base, and no second lookup of its head).
  const baseActions = fetched.files.some((f) => isYamlRequestPath(f.path))
    ? await fetchPolicyFiles(octokit, {
        ...repoRef,
        at: { commit: basePolicy.commitSha },
        dir: ACTIONS_FOLDER,
        maxFiles: MAX_ACTIONS,
        cache: p.blobs,
      })
    : null;
  const actions = baseActions && baseActions.problems.length === 0 ? loadActions(baseActions.files) : null;
  const changesPolicy = changed.some((f) => isPolicyPath(f.path) || isActionPath(f.path));
  return {
    policy,
    baseProblem,
    requestFiles: fetched.files,
    skipped: fetched.skipped,
    changesPolicy,
    actions: actions
      ? { actions: actions.actions, invalid: actions.ok ? new Set() : actions.invalid }
      : { actions: new Map(), invalid: new Set() },
    contextFiles: [...basePolicy.files, ...(baseActions?.files ?? [])].map((f) => ({
      path: f.path,
      blobSha: f.blobSha,
    })),
    actor: await actorOf(p),
    proposed: changesPolicy ? await fetchProposed(p) : null,
  };
}

function loadBasePolicy(files: PolicyFiles, policies: PolicyCache, baseRef: string): BasePolicy {
  if (files.problems.length > 0) return { ok: false, commitSha: files.commitSha, errors: files.problems };
  if (files.files.length === 0)
    return {
      ok: false,
      commitSha: files.commitSha,
      errors: [
        `no policy files under policies/ on ${baseRef}: add policies/querygate.yml there (see docs/policy.md)`,
      ],
    };
  const loaded = policies.load(files.files);
  if (!loaded.ok)
    return {
      ok: false,
      commitSha: files.commitSha,
      errors: loaded.errors.map((e) => `${e.file}:${e.line}: ${e.key}: ${e.message}`),
    };
  return {
    ok: true,
    commitSha: files.commitSha,
    files: files.files.map((f) => ({ path: f.path, blobSha: f.blobSha })),
    policy: loaded.policy,
    compiled: loaded.compiled,
  };
}

/** Only the default branch's policy may open another base to requests: a branch cannot allow itself. */
async function otherBaseProblem(p: FetchPullRequestFactsParams): Promise<string | null> {
  const { pr } = p;
  const files = await fetchPolicyFiles(p.octokit, {
    owner: pr.owner,
    repo: pr.repo,
    at: { branch: pr.defaultBranch },
  });
  const loaded = files.problems.length === 0 && files.files.length > 0 ? p.policies.load(files.files) : null;
  return baseBranchProblem({
    baseRef: pr.baseRef,
    defaultBranch: pr.defaultBranch,
    allowed: loaded?.ok ? loaded.policy.allowedBaseBranches : [],
  });
}

/**
 * Who opened the request: querygate's own app opens the pull requests its API and MCP server submit for
 * agents (`actor: agent`); any other bot is `bot`; a person is `user`.
 */
async function actorOf(p: FetchPullRequestFactsParams): Promise<Actor> {
  if (p.pr.authorType !== "Bot") return "user";
  const own = await p.appLogin?.();
  return own && own.toLowerCase() === p.pr.author.toLowerCase() ? "agent" : "bot";
}

async function fetchProposed(p: FetchPullRequestFactsParams): Promise<PullRequestFacts["proposed"]> {
  // The head commit is known: reading at it costs no lookup.
  const at = { owner: p.pr.owner, repo: p.pr.repo, at: { commit: p.pr.headSha }, cache: p.blobs };
  const policy = await fetchPolicyFiles(p.octokit, at);
  const actions = await fetchPolicyFiles(p.octokit, { ...at, dir: ACTIONS_FOLDER, maxFiles: MAX_ACTIONS });
  // Tests can only run against a valid policy: an invalid one is reported without reading them.
  const tests = loadPolicy(policy.files).ok
    ? await fetchPolicyFiles(p.octokit, { ...at, dir: POLICY_TESTS_DIR })
    : null;
  return { policy: policy.files, actions: actions.files, tests: tests?.files ?? [] };
}
