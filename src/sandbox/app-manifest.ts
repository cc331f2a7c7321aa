import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { load } from "js-yaml";
import type { SimulatorOptions } from "../simulator/simulator.js";

/** The GitHub App manifest at the repository root (src/sandbox and dist/sandbox are both two levels down). */
export const APP_MANIFEST_FILE = fileURLToPath(new URL("../../app.yml", import.meta.url));

export type AppRegistration = Required<
  Pick<SimulatorOptions, "appSlug" | "appDescription" | "appPermissions" | "appEvents">
>;

/**
 * The app as app.yml registers it on GitHub: its slug (GitHub derives it from `name`), description, default
 * permissions and events. The simulator is given these, so it grants what production's installation grants.
 */
export function readAppManifest(file: string = APP_MANIFEST_FILE): AppRegistration {
  let doc: unknown;
  try {
    doc = load(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`${file}: cannot read the GitHub App manifest (${(error as Error).message})`);
  }
  const fail = (message: string): never => {
    throw new Error(`${file}: ${message}`);
  };
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return fail("not a mapping");
  const m = doc as Record<string, unknown>;
  if (typeof m.name !== "string" || m.name.trim() === "") fail("`name` must be the app's name");
  const permissions = m.default_permissions ?? {};
  if (
    permissions === null ||
    typeof permissions !== "object" ||
    Array.isArray(permissions) ||
    !Object.values(permissions).every((level) => level === "read" || level === "write")
  )
    fail("`default_permissions` must map a permission to read or write");
  const events = m.default_events ?? [];
  if (!Array.isArray(events) || !events.every((e) => typeof e === "string"))
    fail("`default_events` must be a list of event names");
  return {
    appSlug: appSlug(m.name as string),
    appDescription: typeof m.description === "string" ? m.description : "",
    appPermissions: permissions as Record<string, "read" | "write">,
    appEvents: events as string[],
  };
}

/** GitHub's slug for an app name: lower case, every run of other characters a single hyphen. */
function appSlug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}
