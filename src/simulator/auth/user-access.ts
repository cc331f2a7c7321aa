import type { ApiActor, ApiResponse, RouteDefinition } from "../http/api-types.js";
import { findRepo, permissionOf, type SimState } from "../state/sim-state.js";

const DOCS = "https://docs.github.com/rest";

/**
 * Writes a user with read access may make: commenting, reacting, and opening a pull request (from a fork —
 * a branch in the repository itself needed push access to create). Every other write needs push access.
 */
const READ_ACCESS_WRITES = new Set([
  "pulls/create",
  "issues/create-comment",
  "reactions/create-for-issue-comment",
  "reactions/create-for-issue",
]);

function forbidden(message: string): ApiResponse {
  return { status: 403, body: { message, documentation_url: DOCS, status: "403" } };
}

/**
 * GitHub's answer when a user's token may not make this call, or null when it may. A private repository the
 * user cannot see is 404 (GitHub hides it); a write without push access is 403; check runs need an app.
 * Installation tokens are not limited here (per-endpoint installation permissions are not modelled).
 */
export function userAccessProblem(p: {
  state: SimState;
  actor: ApiActor;
  operationId: string;
  definition: RouteDefinition;
  method: string;
  params: Record<string, string>;
}): ApiResponse | null {
  if (p.actor.kind !== "user") return null;
  if (p.definition.appOnly) return forbidden("You must authenticate via a GitHub App.");
  const { owner, repo: name } = p.params;
  if (owner === undefined || name === undefined) return null;
  const repo = findRepo(p.state, owner, name);
  if (!repo) return null;
  const permission = permissionOf(p.state, repo, p.actor.login);
  if (permission === "none" && repo.private)
    return { status: 404, body: { message: "Not Found", documentation_url: DOCS, status: "404" } };
  const writes = p.method !== "GET" && p.method !== "HEAD";
  if (!writes || READ_ACCESS_WRITES.has(p.operationId)) return null;
  if (permission === "write" || permission === "admin") return null;
  return forbidden("Must have push access to repository");
}
