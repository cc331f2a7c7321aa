import type { GitHubClient } from "../github/octokit.js";
import { loadRepoActions } from "../github/read-repo-actions.js";
import { submitRequest } from "../github/submit-request.js";
import { branchName, buildRequestFile } from "../submit/request-file.js";
import { PULL_TITLE_MAX_CHARS, TITLE_REASON_MAX_CHARS } from "../submit/submit-limits.js";
import { validateRequestFile } from "../submit/validate-request-file.js";
import type { ApiToken } from "./token-store.js";
import type { SubmitInput } from "./validate-submit-input.js";

export interface SubmittedRequest {
  id: string;
  number: number;
  url: string;
  branch: string;
  head_sha: string;
  path: string;
}

/**
 * Opens the pull request as the app (its installation token), with a request file that records the
 * token's name as the requester and its actor type, so policies can match `actor: agent`. The token has
 * no GitHub identity of its own: it can never review, approve or run what it submitted.
 */
export async function submitApiRequest(
  octokit: GitHubClient,
  input: SubmitInput,
  token: ApiToken,
): Promise<SubmittedRequest> {
  const file = buildRequestFile({
    target: input.target,
    reason: input.reason,
    ...(input.sql !== null ? { sql: input.sql } : {}),
    ...(input.action !== null ? { action: input.action } : {}),
    ...(input.params !== null ? { params: input.params } : {}),
    ...(input.ticket !== null ? { ticket: input.ticket } : {}),
    ...(input.maxRows !== null ? { maxRows: input.maxRows } : {}),
    requestedBy: token.name,
    actorType: token.actorType,
  });
  if (input.action !== null)
    validateRequestFile({
      file,
      actions: await loadRepoActions(octokit, { owner: input.owner, repo: input.repo }),
    });
  const submitted = await submitRequest({
    octokit,
    owner: input.owner,
    repo: input.repo,
    file,
    branch: branchName(new Date()),
    title: pullTitle(input.target, input.reason),
    body: pullBody(input, token, file.path),
  });
  return {
    id: `${input.owner}/${input.repo}#${submitted.number}`,
    number: submitted.number,
    url: submitted.url,
    branch: submitted.branch,
    head_sha: submitted.headSha,
    path: file.path,
  };
}

/** Pure: `target: reason`, the reason shortened, as `querygate submit` titles its pull requests. */
export function pullTitle(target: string, reason: string): string {
  const chars = [...reason.replace(/\s+/g, " ").trim()];
  const short =
    chars.length > TITLE_REASON_MAX_CHARS
      ? `${chars.slice(0, TITLE_REASON_MAX_CHARS - 1).join("")}…`
      : chars.join("");
  return `${target}: ${short}`.slice(0, PULL_TITLE_MAX_CHARS);
}

/** Pure: who asked (the token, and that it is an agent), for what, and that a person must review it. */
export function pullBody(input: SubmitInput, token: ApiToken, path: string): string {
  const who =
    token.actorType === "agent"
      ? `an **agent** (actor type \`agent\`) using the querygate API token \`${token.name}\``
      : `a person using the querygate API token \`${token.name}\` (actor type \`user\`)`;
  return [
    `Submitted through the querygate HTTP API by ${who}. querygate opened this pull request as itself; the requester has no GitHub identity here, so it cannot approve or run this request — the policy's approvers review it as usual.`,
    "",
    `- Target: \`${input.target}\``,
    `- ${input.action !== null ? `Action: \`${input.action}\`` : "SQL request"} in \`${path}\``,
    ...(input.ticket !== null ? [`- Ticket: ${input.ticket}`] : []),
    `- Requested by: \`${token.name}\` (${token.actorType})`,
    "",
    "**Reason**",
    "",
    input.reason,
  ].join("\n");
}
