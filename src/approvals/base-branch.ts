/**
 * Pure: requests run from the default branch's point of view; another base branch must be listed in the
 * default branch's `allowed_base_branches`, so a branch cannot open itself to requests.
 */
export function baseBranchProblem(p: {
  baseRef: string;
  defaultBranch: string;
  allowed: string[];
}): string | null {
  if (p.baseRef === p.defaultBranch || p.allowed.includes(p.baseRef)) return null;
  return `Requests must target the default branch \`${p.defaultBranch}\`, and this pull request targets \`${p.baseRef}\`. Change the base branch to \`${p.defaultBranch}\`, or add \`${p.baseRef}\` to \`allowed_base_branches\` in the policy on \`${p.defaultBranch}\`.`;
}
