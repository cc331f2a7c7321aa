import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

// Reads a JSON file shipped inside a dev dependency without going through the package's entry point,
// which for @octokit/openapi would load every description it ships.
export function readDevDependencyJson(packageName: string, relativePath: string): unknown {
  let packageJsonPath: string;
  try {
    packageJsonPath = require.resolve(`${packageName}/package.json`);
  } catch {
    throw new Error(
      `querygate sim needs the dev dependencies (${packageName}): run \`npm ci\` (without --omit=dev)`,
    );
  }
  const file = join(dirname(packageJsonPath), relativePath);
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `querygate sim could not read ${file} from ${packageName} (${reason}): reinstall the dev dependencies with \`npm ci\``,
    );
  }
}
