import { readFileSync } from "node:fs";
import path from "node:path";
import { load } from "js-yaml";
import {
  type GitHubScenario,
  isObject,
  parseGitHubScenario,
  ScenarioError,
  type ScenarioFail,
  scenarioFail,
} from "../simulator/scenario/github-scenario.js";

export interface ScenarioTarget {
  databaseUrl: string | null;
  /** Environment variables the app reads the target's connection string from (the policy's `connection`). */
  env: string[];
  /** SQL run once against an embedded target before the steps. */
  seed: string | null;
}

/** A scenario file: what happens on GitHub (the simulator's part) and the target databases the app runs on. */
export interface Scenario extends GitHubScenario {
  targets: Record<string, ScenarioTarget>;
}

/** The sandbox's own top-level key; every other key is the simulator's. */
const TARGETS_KEY = "targets";

export function loadScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ScenarioError(`${file}: cannot read the scenario (${(error as Error).message})`);
  }
  return parseScenario(text, { file, baseDir: path.dirname(file) });
}

/** Validates a scenario once; every error names the file, the step and the key. */
export function parseScenario(text: string, { file, baseDir }: { file: string; baseDir: string }): Scenario {
  let doc: unknown;
  try {
    doc = load(text);
  } catch (error) {
    throw new ScenarioError(`${file}: not valid YAML: ${(error as Error).message}`);
  }
  const github = parseGitHubScenario(doc, { file, otherKeys: [TARGETS_KEY] });
  const targets = parseTargets((doc as Record<string, unknown>)[TARGETS_KEY], baseDir, scenarioFail(file));
  return { ...github, targets };
}

function parseTargets(raw: unknown, baseDir: string, fail: ScenarioFail): Record<string, ScenarioTarget> {
  const targets: Record<string, ScenarioTarget> = {};
  if (raw === undefined) return targets;
  if (!isObject(raw)) fail(TARGETS_KEY, "must map a target name to { database_url?, seed? }");
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const where = `${TARGETS_KEY}.${name}`;
    const spec = value === null ? {} : value;
    if (!isObject(spec)) fail(where, "must be a mapping with database_url and/or seed");
    const s = spec as Record<string, unknown>;
    for (const key of Object.keys(s))
      if (!["database_url", "seed", "seed_file", "env"].includes(key))
        fail(`${where}.${key}`, "unknown key (known: database_url, seed, seed_file, env)");
    const env = s.env === undefined ? [defaultTargetEnv(name)] : s.env;
    if (!Array.isArray(env) || !env.every((e) => typeof e === "string" && /^[A-Z_][A-Z0-9_]*$/.test(e)))
      fail(`${where}.env`, "must be a list of environment variable names like ORDERS_PROD_URL");
    if (s.database_url !== undefined && typeof s.database_url !== "string")
      fail(`${where}.database_url`, "must be a postgres:// URL");
    if (s.seed !== undefined && typeof s.seed !== "string") fail(`${where}.seed`, "must be SQL text");
    let seed = (s.seed as string | undefined) ?? null;
    if (typeof s.seed_file === "string") {
      try {
        seed = readFileSync(path.resolve(baseDir, s.seed_file), "utf8");
      } catch (error) {
        fail(`${where}.seed_file`, `cannot read ${s.seed_file} (${(error as Error).message})`);
      }
    }
    targets[name] = {
      databaseUrl: (s.database_url as string | undefined) ?? null,
      seed,
      env: env as string[],
    };
  }
  return targets;
}

/** `orders-prod` → `ORDERS_PROD_URL`: the variable a policy's `connection: { env: … }` usually names. */
export function defaultTargetEnv(target: string): string {
  return `${target.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_URL`;
}
