/** Where request files live in a repository. */
export const REQUESTS_DIR = "queries/";

/** Most request files one pull request may hold; more is refused rather than half-analysed. */
export const MAX_REQUEST_FILES_PER_PR = 50;

export function isSqlRequestPath(path: string): boolean {
  return path.startsWith(REQUESTS_DIR) && path.toLowerCase().endsWith(".sql") && !path.includes("/../");
}
