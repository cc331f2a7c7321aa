import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/**
 * The policy files of a folder, for the CLI: every `*.yml` / `*.yaml` directly in it (not in subfolders:
 * `policies/tests/` holds policy tests), sorted by name, with paths relative to the folder's parent
 * (`policies/querygate.yml`), as the app sees them in the repository. A missing folder is an empty list,
 * which the loader refuses.
 */
export function readPolicyDir(dir: string): Array<{ path: string; content: string }> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const prefix = path.basename(path.resolve(dir));
  return names
    .filter((name) => /\.ya?ml$/.test(name))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .filter((name) => statSync(path.join(dir, name)).isFile())
    .map((name) => ({ path: `${prefix}/${name}`, content: readFileSync(path.join(dir, name), "utf8") }));
}
