/** Where request files live in a repository. */
export const REQUESTS_DIR = "queries/";

/** Most request files one pull request may hold; more is refused rather than half-analysed. */
export const MAX_REQUEST_FILES_PER_PR = 50;

export function isSqlRequestPath(path: string): boolean {
  return path.startsWith(REQUESTS_DIR) && path.toLowerCase().endsWith(".sql") && !path.includes("/../");
}

/** Where reviewed, parameterised actions live: `actions/<name>.yml`, directly in the folder. */
export const ACTIONS_FOLDER = "actions";
export const ACTIONS_DIR = `${ACTIONS_FOLDER}/`;

/** A `.yml` (or `.yaml`) request anywhere under `queries/`. */
export function isYamlRequestPath(path: string): boolean {
  const lower = path.toLowerCase();
  return (
    path.startsWith(REQUESTS_DIR) &&
    (lower.endsWith(".yml") || lower.endsWith(".yaml")) &&
    !path.includes("/../") &&
    !path.includes("/./")
  );
}

/** An action file: `actions/<file>.yml` at the repository root, not in a subfolder. */
export function isActionPath(path: string): boolean {
  if (!path.startsWith(ACTIONS_DIR) || !path.endsWith(".yml")) return false;
  const file = path.slice(ACTIONS_DIR.length);
  return file.length > ".yml".length && !file.includes("/");
}
