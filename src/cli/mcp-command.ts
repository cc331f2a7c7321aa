import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createApiClient } from "../api-client/api-client.js";
import { API_TOKEN_ENV } from "../api-client/api-client-limits.js";
import { MCP_DEFAULT_POLL_MS, MCP_MIN_POLL_MS } from "../mcp/mcp-limits.js";
import { createQuerygateMcpServer } from "../mcp/mcp-server.js";
import { parseOrUsage, UsageError } from "./usage-error.js";

export const MCP_USAGE = `Usage: QUERYGATE_API_TOKEN=qg_… querygate mcp --api-url URL [--repo OWNER/NAME] [--poll-ms N]

  An MCP server over stdio for AI agents, backed by the querygate HTTP API (docs/api.md). Tools:
  list_targets, list_actions, request_query, get_request, wait_for_result. The agent can submit and
  follow requests; people approve and run them in GitHub.

  --api-url URL       the querygate app's URL (the API is under /api/v1)
  --repo OWNER/NAME   the repository tools use when a call names none
  --poll-ms N         how often wait_for_result asks the API (default ${MCP_DEFAULT_POLL_MS})

  The token comes from ${API_TOKEN_ENV} (querygate token create), never from a flag.`;

/** Serves MCP on stdin/stdout until the client closes it; resolves with the exit code. */
export async function mcpCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOrUsage(
    () =>
      parseArgs({
        args,
        options: {
          "api-url": { type: "string" },
          repo: { type: "string" },
          "poll-ms": { type: "string" },
          help: { type: "boolean", short: "h" },
        },
        allowPositionals: true,
        strict: true,
      }),
    MCP_USAGE,
  );
  if (values.help) {
    process.stdout.write(`${MCP_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"\n\n${MCP_USAGE}`);
  const apiUrl = values["api-url"];
  if (!apiUrl || !/^https?:\/\//.test(apiUrl))
    throw new UsageError(`--api-url needs an http(s) URL\n\n${MCP_USAGE}`);
  const token = process.env[API_TOKEN_ENV];
  if (!token)
    throw new UsageError(`set ${API_TOKEN_ENV} to an API token (querygate token create)\n\n${MCP_USAGE}`);
  if (values.repo !== undefined && !/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(values.repo))
    throw new UsageError(`--repo is OWNER/NAME, got "${values.repo}"\n\n${MCP_USAGE}`);
  const pollMs = values["poll-ms"] === undefined ? MCP_DEFAULT_POLL_MS : Number(values["poll-ms"]);
  if (!Number.isInteger(pollMs) || pollMs < MCP_MIN_POLL_MS)
    throw new UsageError(`--poll-ms is a whole number of milliseconds ≥ ${MCP_MIN_POLL_MS}\n\n${MCP_USAGE}`);

  const server = createQuerygateMcpServer({
    api: createApiClient({ baseUrl: apiUrl, token }),
    defaultRepo: values.repo ?? null,
    pollMs,
    version: packageVersion(),
  });
  const transport = new StdioServerTransport();
  await server.connect(transport);
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = () => resolve();
    process.stdin.once("end", () => resolve());
  });
  process.stderr.write(`querygate mcp: serving on stdio for ${apiUrl}\n`);
  await closed;
  await server.close().catch(() => undefined);
  return 0;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}
