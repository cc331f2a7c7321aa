import { pathParam } from "../http/api-responses.js";
import type { ApiRequest, RouteContext } from "../http/api-types.js";
import { BASE64_LINE_CHARS } from "../simulator-limits.js";
import { findPull, findRepo, type PullRecord, type RepoRecord } from "../state/sim-state.js";

/** Thrown by a handler for a GitHub feature the simulator does not model; answered 501 and recorded. */
export class SimulatorGapError extends Error {
  constructor(what: string) {
    super(`simulator does not implement ${what}`);
    this.name = "SimulatorGapError";
  }
}

/**
 * The repository named by {owner}/{repo}, if the app's installation can see it. Forks live outside the
 * installation (GitHub answers 404 for them too); their commits are reachable through the base repository.
 */
export function installedRepo(req: ApiRequest, ctx: RouteContext): RepoRecord | undefined {
  const repo = findRepo(ctx.state, pathParam(req, "owner"), pathParam(req, "repo"));
  return repo && !repo.fork ? repo : undefined;
}

export function pullFromParams(
  req: ApiRequest,
  ctx: RouteContext,
  numberName: "pull_number" | "issue_number" = "pull_number",
): { repo: RepoRecord; pr: PullRecord } | undefined {
  const repo = installedRepo(req, ctx);
  const pr = repo ? findPull(ctx.state, repo.fullName, Number(pathParam(req, numberName))) : undefined;
  return repo && pr ? { repo, pr } : undefined;
}

/** The login GitHub shows for the caller: the user's, or the app's bot for the installation (and the app). */
export function actorLogin(req: ApiRequest, ctx: RouteContext): string {
  return req.actor.kind === "user" ? req.actor.login : ctx.state.app.botLogin;
}

/** Base64 wrapped at 60 characters per line with a trailing newline, the way GitHub sends blob content. */
export function wrappedBase64(content: string): string {
  const flat = Buffer.from(content, "utf8").toString("base64");
  const lines: string[] = [];
  for (let i = 0; i < flat.length; i += BASE64_LINE_CHARS) lines.push(flat.slice(i, i + BASE64_LINE_CHARS));
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}

export function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

export function optionalString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
