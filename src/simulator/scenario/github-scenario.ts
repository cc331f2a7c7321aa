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

/** The GitHub side of a scenario: the repository, its people, and what they do, one step at a time. */
export interface GitHubScenario {
  repo: string;
  defaultBranch: string;
  teams: Record<string, string[]>;
  users: string[];
  base: ScenarioFiles;
  branches: Record<string, ScenarioFiles>;
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
/** Top-level keys of the GitHub side of a scenario document. */
export const GITHUB_SCENARIO_KEYS = ["repo", "default_branch", "teams", "users", "base", "branches", "steps"];
const REVIEW_STATES = ["approve", "request_changes", "comment"];

export class ScenarioError extends Error {}

/** Reports a problem at `where` (a key path such as `steps[2].review.state`); never returns. */
export type ScenarioFail = (where: string, message: string) => never;

/** `file: where: message` as a ScenarioError, the one shape of every scenario problem. */
export function scenarioFail(file: string): ScenarioFail {
  return (where, message) => {
    throw new ScenarioError(`${file}: ${where}: ${message}`);
  };
}

/**
 * Validates the GitHub side of a parsed scenario document once; every error names the file, the step and the
 * key. `otherKeys` are top-level keys the caller reads itself (they are not unknown here).
 */
export function parseGitHubScenario(
  doc: unknown,
  { file, otherKeys = [] }: { file: string; otherKeys?: readonly string[] },
): GitHubScenario {
  const fail = scenarioFail(file);
  if (!isObject(doc)) return fail("top level", "a scenario is a mapping with `repo` and `steps`");
  const known = [...GITHUB_SCENARIO_KEYS, ...otherKeys];
  for (const key of Object.keys(doc)) {
    if (!known.includes(key)) fail(key, `unknown key (known: ${known.join(", ")})`);
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
    steps,
  };
}

function parseStep(raw: unknown, where: string, fail: ScenarioFail): ScenarioStep {
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

function loginList(value: unknown, where: string, fail: ScenarioFail): string[] {
  if (!Array.isArray(value)) return fail(where, "must be a list of GitHub logins");
  for (const v of value) {
    if (typeof v !== "string" || !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(\[bot\])?$/.test(v)) {
      fail(where, `${JSON.stringify(v)} is not a GitHub login`);
    }
  }
  return value as string[];
}

function fileMap(value: unknown, where: string, fail: ScenarioFail): ScenarioFiles {
  if (!isObject(value)) return fail(where, "must map file paths to their content (null deletes)");
  for (const [p, content] of Object.entries(value)) {
    if (p.startsWith("/") || p.split("/").includes("..") || p === "")
      fail(`${where}.${p}`, "must be a relative path inside the repository");
    if (content !== null && typeof content !== "string")
      fail(`${where}.${p}`, "content must be a string (use a YAML block `|`) or null to delete");
  }
  return value as ScenarioFiles;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
