import { readFileSync } from "node:fs";
import path from "node:path";
import { load } from "js-yaml";

export type ScenarioFiles = Record<string, string | null>;

export type ScenarioStep =
  | {
      open_pr: {
        pr: number;
        author: string;
        files: ScenarioFiles;
        title?: string;
        body?: string;
        base?: string;
        fork?: boolean;
        co_authors?: string[];
      };
    }
  | { push: { pr: number; author: string; files: ScenarioFiles } }
  | { review: { pr: number; by: string; state: "approve" | "request_changes" | "comment"; body?: string } }
  | { dismiss: { pr: number; by: string } }
  | { comment: { pr: number; by: string; body: string } }
  | { click: { pr: number; by: string; action: string } }
  | { merge: { pr: number; by: string } }
  | { close: { pr: number } }
  | { retarget: { pr: number; base: string } }
  | { redeliver: { last: number } };

export interface ScenarioTarget {
  databaseUrl: string | null;
  /** Environment variables the app reads the target's connection string from (the policy's `connection`). */
  env: string[];
  /** SQL run once against an embedded target before the steps. */
  seed: string | null;
}

export interface Scenario {
  repo: string;
  defaultBranch: string;
  teams: Record<string, string[]>;
  users: string[];
  base: ScenarioFiles;
  branches: Record<string, ScenarioFiles>;
  targets: Record<string, ScenarioTarget>;
  steps: ScenarioStep[];
}

/** Most steps one scenario may hold; a scenario is a story, not a load test. */
export const MAX_SCENARIO_STEPS = 500;

const STEP_KEYS: Record<string, { required: string[]; optional: string[] }> = {
  open_pr: { required: ["pr", "author", "files"], optional: ["title", "body", "base", "fork", "co_authors"] },
  push: { required: ["pr", "author", "files"], optional: [] },
  review: { required: ["pr", "by", "state"], optional: ["body"] },
  dismiss: { required: ["pr", "by"], optional: [] },
  comment: { required: ["pr", "by", "body"], optional: [] },
  click: { required: ["pr", "by", "action"], optional: [] },
  merge: { required: ["pr", "by"], optional: [] },
  close: { required: ["pr"], optional: [] },
  retarget: { required: ["pr", "base"], optional: [] },
  redeliver: { required: ["last"], optional: [] },
};
const TOP_KEYS = ["repo", "default_branch", "teams", "users", "base", "branches", "targets", "steps"];
const REVIEW_STATES = ["approve", "request_changes", "comment"];

export class ScenarioError extends Error {}

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
  const fail = (where: string, message: string): never => {
    throw new ScenarioError(`${file}: ${where}: ${message}`);
  };
  if (!isObject(doc)) return fail("top level", "a scenario is a mapping with `repo` and `steps`");
  for (const key of Object.keys(doc)) {
    if (!TOP_KEYS.includes(key)) fail(key, `unknown key (known: ${TOP_KEYS.join(", ")})`);
  }
  const repo = doc.repo;
  if (typeof repo !== "string" || !/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(repo)) {
    fail("repo", "must be OWNER/NAME, e.g. acme/db-requests");
  }
  const defaultBranch = doc.default_branch ?? "main";
  if (typeof defaultBranch !== "string" || defaultBranch === "")
    fail("default_branch", "must be a branch name");

  const teams: Record<string, string[]> = {};
  if (doc.teams !== undefined) {
    if (!isObject(doc.teams)) fail("teams", "must map a team slug to a list of members");
    for (const [slug, members] of Object.entries(doc.teams as Record<string, unknown>)) {
      teams[slug] = loginList(members, `teams.${slug}`, fail);
    }
  }
  const users = doc.users === undefined ? [] : loginList(doc.users, "users", fail);
  const base = doc.base === undefined ? {} : fileMap(doc.base, "base", fail);
  const branches: Record<string, ScenarioFiles> = {};
  if (doc.branches !== undefined) {
    if (!isObject(doc.branches)) fail("branches", "must map a branch name to its files");
    for (const [name, files] of Object.entries(doc.branches as Record<string, unknown>)) {
      branches[name] = files === null ? {} : fileMap(files, `branches.${name}`, fail);
    }
  }

  const targets: Record<string, ScenarioTarget> = {};
  if (doc.targets !== undefined) {
    if (!isObject(doc.targets)) fail("targets", "must map a target name to { database_url?, seed? }");
    for (const [name, raw] of Object.entries(doc.targets as Record<string, unknown>)) {
      const where = `targets.${name}`;
      const spec = raw === null ? {} : raw;
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
  }

  if (!Array.isArray(doc.steps) || doc.steps.length === 0) fail("steps", "must be a non-empty list of steps");
  const rawSteps = doc.steps as unknown[];
  if (rawSteps.length > MAX_SCENARIO_STEPS)
    fail("steps", `${rawSteps.length} steps, over the limit of ${MAX_SCENARIO_STEPS}`);
  const steps = rawSteps.map((raw, i) => parseStep(raw, `steps[${i + 1}]`, fail));
  return {
    repo: repo as string,
    defaultBranch: defaultBranch as string,
    teams,
    users,
    base,
    branches,
    targets,
    steps,
  };
}

function parseStep(
  raw: unknown,
  where: string,
  fail: (where: string, message: string) => never,
): ScenarioStep {
  if (!isObject(raw) || Object.keys(raw).length !== 1) {
    return fail(where, `a step is a mapping with exactly one of: ${Object.keys(STEP_KEYS).join(", ")}`);
  }
  const [verb, params] = Object.entries(raw)[0] as [string, unknown];
  const spec = STEP_KEYS[verb];
  if (!spec) return fail(where, `unknown step \`${verb}\` (known: ${Object.keys(STEP_KEYS).join(", ")})`);
  const here = `${where}.${verb}`;
  if (!isObject(params)) return fail(here, `must be a mapping with ${spec.required.join(", ")}`);
  for (const key of Object.keys(params)) {
    if (!spec.required.includes(key) && !spec.optional.includes(key)) {
      fail(`${here}.${key}`, `unknown key (known: ${[...spec.required, ...spec.optional].join(", ")})`);
    }
  }
  for (const key of spec.required) if (params[key] === undefined) fail(`${here}.${key}`, "is required");
  const p = params as Record<string, unknown>;
  if (p.pr !== undefined && !(Number.isInteger(p.pr) && (p.pr as number) >= 1))
    fail(`${here}.pr`, "must be a pull request number ≥ 1");
  if (p.last !== undefined && !(Number.isInteger(p.last) && (p.last as number) >= 1))
    fail(`${here}.last`, "must be a whole number ≥ 1");
  for (const key of ["author", "by"]) if (p[key] !== undefined) loginList([p[key]], `${here}.${key}`, fail);
  for (const key of ["title", "body", "base", "action"]) {
    if (p[key] !== undefined && typeof p[key] !== "string") fail(`${here}.${key}`, "must be a string");
  }
  if (p.fork !== undefined && typeof p.fork !== "boolean") fail(`${here}.fork`, "must be true or false");
  if (p.co_authors !== undefined) loginList(p.co_authors, `${here}.co_authors`, fail);
  if (p.files !== undefined) p.files = fileMap(p.files, `${here}.files`, fail);
  if (verb === "review" && !REVIEW_STATES.includes(p.state as string)) {
    fail(`${here}.state`, `must be one of ${REVIEW_STATES.join(", ")} — got ${JSON.stringify(p.state)}`);
  }
  return { [verb]: p } as unknown as ScenarioStep;
}

function loginList(value: unknown, where: string, fail: (where: string, message: string) => never): string[] {
  if (!Array.isArray(value)) return fail(where, "must be a list of GitHub logins");
  for (const v of value) {
    if (typeof v !== "string" || !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(\[bot\])?$/.test(v)) {
      fail(where, `${JSON.stringify(v)} is not a GitHub login`);
    }
  }
  return value as string[];
}

function fileMap(
  value: unknown,
  where: string,
  fail: (where: string, message: string) => never,
): ScenarioFiles {
  if (!isObject(value)) return fail(where, "must map file paths to their content (null deletes)");
  for (const [p, content] of Object.entries(value)) {
    if (p.startsWith("/") || p.split("/").includes("..") || p === "")
      fail(`${where}.${p}`, "must be a relative path inside the repository");
    if (content !== null && typeof content !== "string")
      fail(`${where}.${p}`, "content must be a string (use a YAML block `|`) or null to delete");
  }
  return value as ScenarioFiles;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `orders-prod` → `ORDERS_PROD_URL`: the variable a policy's `connection: { env: … }` usually names. */
export function defaultTargetEnv(target: string): string {
  return `${target.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_URL`;
}
