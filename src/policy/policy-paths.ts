/** Folder of the policy files on the base branch; a pull request that touches it needs policy_owners. */
export const POLICY_DIR = "policies";
/** Folder of the policy's own tests. */
export const POLICY_TESTS_DIR = "policies/tests";

export function isPolicyPath(path: string): boolean {
  return path === POLICY_DIR || path.startsWith(`${POLICY_DIR}/`);
}
