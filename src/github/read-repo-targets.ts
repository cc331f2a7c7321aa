import type { PolicyCache } from "../policy/policy-cache.js";
import { fetchPolicyFiles } from "./fetch-base-policy.js";
import type { GitHubClient, RepoRef } from "./octokit.js";

/** What an agent may know about a target: never how to connect (not even the variable names). */
export interface TargetInfo {
  name: string;
  engine: string;
  environment: string;
  /** The PostgreSQL major whose grammar parses requests for it. */
  server_version: number;
  /** When an approved request runs: on_approval, on_merge or auto. */
  execute: string;
}

export type TargetsResult =
  | { ok: true; policyCommit: string; targets: TargetInfo[] }
  | { ok: false; policyCommit: string; errors: string[] };

/** The targets of the policy on the default branch (the policy every request there is judged by). */
export async function readTargets(
  octokit: GitHubClient,
  ref: RepoRef & { policies: PolicyCache },
): Promise<TargetsResult> {
  const { data: repository } = await octokit.rest.repos.get({ owner: ref.owner, repo: ref.repo });
  const files = await fetchPolicyFiles(octokit, {
    owner: ref.owner,
    repo: ref.repo,
    at: { branch: repository.default_branch },
  });
  if (files.problems.length > 0) return { ok: false, policyCommit: files.commitSha, errors: files.problems };
  const loaded = ref.policies.load(files.files);
  if (!loaded.ok)
    return {
      ok: false,
      policyCommit: files.commitSha,
      errors: loaded.errors.map((e) => `${e.file}:${e.line}: ${e.key ? `\`${e.key}\` ` : ""}${e.message}`),
    };
  return {
    ok: true,
    policyCommit: files.commitSha,
    targets: Object.values(loaded.policy.targets)
      .map((t) => ({
        name: t.name,
        engine: t.engine,
        environment: t.environment,
        server_version: t.serverVersion,
        execute: t.execute,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}
