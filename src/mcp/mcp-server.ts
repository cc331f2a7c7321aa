import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { type ApiClient, ApiClientError, parseRequestId } from "../api-client/api-client.js";
import { followRequest } from "../api-client/follow-request.js";
import { MCP_DEFAULT_POLL_MS, MCP_DEFAULT_WAIT_SECONDS, MCP_MAX_WAIT_SECONDS } from "./mcp-limits.js";

export interface CreateMcpServerParams {
  api: ApiClient;
  /** OWNER/NAME used when a tool call names no repository. */
  defaultRepo: string | null;
  pollMs?: number;
  version: string;
  sleep?: (ms: number) => Promise<void>;
}

const repoSchema = z
  .string()
  .regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, "OWNER/NAME")
  .optional()
  .describe("The requests repository, OWNER/NAME (default: the server's --repo)");
const idSchema = z.string().describe('The request id request_query returned, e.g. "acme/db-requests#12"');
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/**
 * The MCP server for agents: every tool calls the querygate HTTP API with the agent's token. There is no
 * tool to approve or run: people approve in GitHub, and a token never counts as an approver.
 */
export function createQuerygateMcpServer(p: CreateMcpServerParams): McpServer {
  const pollMs = p.pollMs ?? MCP_DEFAULT_POLL_MS;
  const sleep = p.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const server = new McpServer({ name: "querygate", version: p.version });
  const repoOf = (repo: string | undefined): string => {
    const chosen = repo ?? p.defaultRepo;
    if (!chosen)
      throw new ApiClientError(
        400,
        "repo",
        "name the repository (repo: OWNER/NAME); this server has no default --repo",
      );
    return chosen;
  };

  server.registerTool(
    "list_targets",
    {
      title: "List database targets",
      description:
        "The databases requests can target in the repository, from the policy on its default branch: name, engine, environment, execute mode.",
      inputSchema: { repo: repoSchema },
      annotations: { readOnlyHint: true },
    },
    ({ repo }) => tool(() => p.api.targets(repoOf(repo))),
  );

  server.registerTool(
    "list_actions",
    {
      title: "List reviewed actions",
      description:
        "Reviewed, parameterised actions (actions/*.yml on the default branch): name, description, target and parameters. Prefer an action to raw SQL when one fits.",
      inputSchema: { repo: repoSchema },
      annotations: { readOnlyHint: true },
    },
    ({ repo }) => tool(() => p.api.actions(repoOf(repo))),
  );

  server.registerTool(
    "request_query",
    {
      title: "Request a query",
      description:
        "Submit a SQL statement (or a reviewed action with params) to run against a target. querygate opens a pull request; the policy's approvers review it in GitHub and one of them runs it. Returns the request id and the pull request URL. You cannot approve or run it yourself: follow it with get_request and wait_for_result.",
      inputSchema: {
        repo: repoSchema,
        target: z.string().min(1).describe("A target name from list_targets"),
        reason: z.string().min(1).describe("Why the query is needed, one line: reviewers read it"),
        sql: z.string().optional().describe("The SQL to run (give sql or action, not both)"),
        action: z.string().optional().describe("An action name from list_actions (instead of sql)"),
        params: z
          .union([z.record(z.string(), z.union([scalar, z.array(scalar)])), z.array(scalar)])
          .optional()
          .describe("For an action: name → value. For sql: a list bound to $1, $2, …"),
        ticket: z.string().optional().describe("A ticket reference, e.g. SUP-1234"),
        max_rows: z
          .number()
          .int()
          .positive()
          .optional()
          .describe("The most rows the statement may affect or return"),
      },
    },
    ({ repo, target, reason, sql, action, params, ticket, max_rows }) =>
      tool(async () => {
        const submitted = await p.api.submit({
          repo: repoOf(repo),
          target,
          reason,
          ...(sql !== undefined ? { sql } : {}),
          ...(action !== undefined ? { action } : {}),
          ...(params !== undefined ? { params } : {}),
          ...(ticket !== undefined ? { ticket } : {}),
          ...(max_rows !== undefined ? { max_rows } : {}),
        });
        return {
          id: submitted.id,
          url: submitted.url,
          next: "A person must approve and run it in GitHub. Call wait_for_result with this id.",
        };
      }),
  );

  server.registerTool(
    "get_request",
    {
      title: "Get a request's status",
      description:
        "Where a request stands, as querygate itself recorded it: state (pending, needs_approval, blocked, ready, denied, invalid, running, executed, closed, …), querygate's decision, the approvals still missing and the pull request URL.",
      inputSchema: { id: idSchema },
      annotations: { readOnlyHint: true },
    },
    ({ id }) =>
      tool(async () => {
        const status = await p.api.status(parseRequestId(id));
        return {
          id,
          state: status.state,
          url: status.url,
          decision: status.decision,
          missing_approvals: status.missing_approvals,
          executions: status.executions,
        };
      }),
  );

  server.registerTool(
    "wait_for_result",
    {
      title: "Wait for a request's result",
      description: `Wait (at most ${MCP_MAX_WAIT_SECONDS} s per call) until the request has run, then return its outcome and the result rows as querygate reported them on the pull request (masked columns stay masked). If it is still waiting for approval, it returns the current state: call again later. If it can never run as written (denied, invalid, already ran, closed), it says so.`,
      inputSchema: {
        id: idSchema,
        timeout_seconds: z
          .number()
          .int()
          .min(0)
          .max(MCP_MAX_WAIT_SECONDS)
          .optional()
          .describe(`How long to wait, 0-${MCP_MAX_WAIT_SECONDS} s (default ${MCP_DEFAULT_WAIT_SECONDS})`),
      },
      annotations: { readOnlyHint: true },
    },
    ({ id, timeout_seconds }) =>
      tool(async () => {
        // The same follower as `querygate submit --wait`: state only from the API (the app's state store).
        const followed = await followRequest({
          api: p.api,
          id: parseRequestId(id),
          timeoutMs: (timeout_seconds ?? MCP_DEFAULT_WAIT_SECONDS) * 1000,
          pollMs,
          sleep,
        });
        if (followed.result)
          return {
            id,
            done: true,
            state: followed.state,
            outcome: followed.outcome,
            url: followed.url,
            result: followed.result.markdown,
          };
        if (followed.outcome !== "timed_out")
          return {
            id,
            done: true,
            state: followed.state,
            outcome: null,
            url: followed.url,
            result: null,
            decision: followed.last?.decision ?? null,
          };
        return {
          id,
          done: false,
          state: followed.state,
          url: followed.url,
          missing_approvals: followed.last?.missing_approvals ?? [],
          next: "Not run yet: call wait_for_result again later.",
        };
      }),
  );
  return server;
}

/** Runs a tool body: its value as JSON text, or the API's message as an MCP tool error. */
async function tool(body: () => Promise<unknown>): Promise<CallToolResult> {
  try {
    const value = await body();
    return { content: [{ type: "text", text: JSON.stringify(value, null, 2) }] };
  } catch (error) {
    const message =
      error instanceof ApiClientError
        ? `${error.field ? `${error.field}: ` : ""}${error.message}${error.status ? ` (HTTP ${error.status})` : ""}`
        : error instanceof Error
          ? error.message
          : String(error);
    return { isError: true, content: [{ type: "text", text: message }] };
  }
}
