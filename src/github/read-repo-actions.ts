import type { Action, TypeSpec } from "../requests/actions/action-types.js";
import { loadActions } from "../requests/actions/load-actions.js";
import { MAX_ACTIONS } from "../requests/request-limits.js";
import { ACTIONS_FOLDER } from "../requests/request-paths.js";
import { fetchPolicyFiles } from "./fetch-base-policy.js";
import type { GitHubClient, RepoRef } from "./octokit.js";

/** What an agent needs to request an action: its name, what it does, its target and its parameters. */
export interface ActionInfo {
  name: string;
  description: string;
  target: string;
  params: Array<{ name: string; required: boolean } & ParamTypeInfo>;
}

type ParamTypeInfo = {
  type: string;
  items?: ParamTypeInfo;
  min?: string;
  max?: string;
  scale?: number;
  max_length?: number;
  pattern?: string;
  values?: string[];
  max_items?: number;
};

export interface ActionsResult {
  actions: ActionInfo[];
  /** Why some action files cannot be used, `file:line: key: message`; the valid ones are still listed. */
  problems: string[];
}

/** The reviewed actions (`actions/*.yml`) on the default branch, validated as the app validates them. */
export async function readActions(octokit: GitHubClient, ref: RepoRef): Promise<ActionsResult> {
  const loaded = await loadRepoActions(octokit, ref);
  return {
    actions: [...loaded.actions.values()].sort((a, b) => a.name.localeCompare(b.name)).map(describeAction),
    problems: loaded.problems,
  };
}

export interface RepoActions {
  actions: Map<string, Action>;
  /** Names of action files that do not load: requests naming them are refused, never guessed at. */
  invalid: Set<string>;
  problems: string[];
}

/** The default branch's actions, loaded: what a request is checked against before a pull request is opened. */
export async function loadRepoActions(octokit: GitHubClient, ref: RepoRef): Promise<RepoActions> {
  const { data: repository } = await octokit.rest.repos.get({ owner: ref.owner, repo: ref.repo });
  // Read exactly as the app reads them when it evaluates a request.
  const fetched = await fetchPolicyFiles(octokit, {
    ...ref,
    at: { branch: repository.default_branch },
    dir: ACTIONS_FOLDER,
    maxFiles: MAX_ACTIONS,
  });
  if (fetched.problems.length > 0)
    return { actions: new Map(), invalid: new Set(), problems: fetched.problems };
  const loaded = loadActions(fetched.files);
  return {
    actions: loaded.actions,
    invalid: loaded.ok ? new Set() : loaded.invalid,
    problems: loaded.ok
      ? []
      : loaded.errors.map((e) => `${e.file}:${e.line}: ${e.key ? `${e.key}: ` : ""}${e.message}`),
  };
}

/** Pure: the parts of an action an agent needs to call it (never its SQL's connection or limits). */
export function describeAction(action: Action): ActionInfo {
  return {
    name: action.name,
    description: action.description,
    target: action.target,
    params: [...action.params]
      .sort((a, b) => a.position - b.position)
      .map((p) => ({ name: p.name, required: p.required, ...typeInfo(p.spec) })),
  };
}

function typeInfo(spec: TypeSpec): ParamTypeInfo {
  switch (spec.type) {
    case "int":
    case "bigint":
      return { type: spec.type, ...bounds(spec.min, spec.max) };
    case "numeric":
      return {
        type: spec.type,
        ...bounds(spec.min, spec.max),
        ...(spec.scale !== null ? { scale: spec.scale } : {}),
      };
    case "text":
      return {
        type: "text",
        max_length: spec.maxLength,
        ...(spec.pattern !== null ? { pattern: spec.pattern } : {}),
      };
    case "enum":
      return { type: "enum", values: spec.values };
    case "array":
      return { type: "array", items: typeInfo(spec.items), max_items: spec.maxItems };
    default:
      return { type: spec.type };
  }
}

function bounds(min: string | null, max: string | null): { min?: string; max?: string } {
  return { ...(min !== null ? { min } : {}), ...(max !== null ? { max } : {}) };
}
