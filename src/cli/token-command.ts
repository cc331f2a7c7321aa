import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { type ApiToken, createTokenStore, TokenInputError, type TokenStore } from "../api/token-store.js";
import { DEFAULT_DATA_DIR } from "../store/embedded-postgres.js";
import { openState } from "../store/open-state.js";
import { parseOrUsage, UsageError } from "./usage-error.js";

export const TOKEN_USAGE = `Usage:
  querygate token create --repo OWNER/NAME[,OWNER/NAME…] --name NAME [--actor agent|user] [--json]
  querygate token revoke (--name NAME | --id ID)
  querygate token list [--json]

  API tokens for the HTTP API and \`querygate mcp\` (docs/api.md). A token may act on the repositories
  it names only; the state database keeps its SHA-256, never the token, so it is shown once, at creation.
  --actor says who holds it: agent (the default) or user; requests record it, so policies can match
  \`actor: agent\`.

  The state database is DATABASE_URL, else the embedded one in QUERYGATE_DATA_DIR (default ${DEFAULT_DATA_DIR}),
  as for \`npm start\` (the embedded database serves one process at a time: stop the app first).

Exit codes: 0 done, 1 nothing to revoke, 2 usage error, 3 invalid input.`;

export interface TokenCommandDeps {
  /** Opens the token store; the default opens the state database like `npm start`. */
  open?: () => Promise<{ tokens: TokenStore; close(): Promise<void> }>;
}

export async function tokenCommand(
  args: string[],
  write: (text: string) => void,
  deps: TokenCommandDeps = {},
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === "help" || sub === "--help" || sub === "-h") {
    write(TOKEN_USAGE);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== "create" && sub !== "revoke" && sub !== "list")
    throw new UsageError(`unknown token command "${sub}"\n\n${TOKEN_USAGE}`);
  const { values, positionals } = parseOrUsage(
    () =>
      parseArgs({
        args: rest,
        options: {
          repo: { type: "string" },
          name: { type: "string" },
          id: { type: "string" },
          actor: { type: "string" },
          json: { type: "boolean" },
        },
        allowPositionals: true,
        strict: true,
      }),
    TOKEN_USAGE,
  );
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument "${positionals[0]}"\n\n${TOKEN_USAGE}`);
  if (sub === "create" && (!values.repo || !values.name))
    throw new UsageError(`token create needs --repo and --name\n\n${TOKEN_USAGE}`);
  if (sub === "create" && values.actor !== undefined && values.actor !== "agent" && values.actor !== "user")
    throw new UsageError(`--actor is agent or user, got "${values.actor}"\n\n${TOKEN_USAGE}`);
  if (sub === "revoke" && (values.name === undefined) === (values.id === undefined))
    throw new UsageError(`token revoke needs --name or --id (one of them)\n\n${TOKEN_USAGE}`);
  if (sub === "revoke" && values.id !== undefined && !/^[0-9]+$/.test(values.id))
    throw new UsageError(`--id is a number, got "${values.id}"\n\n${TOKEN_USAGE}`);

  const store = await (deps.open ?? openStateTokens)();
  try {
    if (sub === "create") {
      const { token, secret } = await store.tokens.create({
        name: values.name as string,
        repos: (values.repo as string).split(",").filter((r) => r.trim() !== ""),
        actorType: (values.actor ?? "agent") as "agent" | "user",
      });
      if (values.json) write(JSON.stringify({ ...toJson(token), token: secret }, null, 2));
      else {
        write(
          `Created API token "${token.name}" (id ${token.id}, actor ${token.actorType}) for ${token.repos.join(", ")}:`,
        );
        write("");
        write(`  ${secret}`);
        write("");
        write(
          "Copy it now: it is shown only this once (querygate keeps only its hash). Treat it like a password —\nput it in a secret store, e.g. QUERYGATE_API_TOKEN for `querygate mcp`; revoke it with\n" +
            `querygate token revoke --name ${token.name}`,
        );
      }
      return 0;
    }
    if (sub === "revoke") {
      const revoked = await store.tokens.revoke(
        values.id !== undefined ? { id: Number(values.id) } : { name: values.name as string },
      );
      if (!revoked) {
        write(
          `querygate token: no active token ${values.id !== undefined ? `with id ${values.id}` : `named "${values.name}"`} (querygate token list shows them)`,
        );
        return 1;
      }
      write(`Revoked API token "${revoked.name}" (id ${revoked.id}); calls with it are refused from now on.`);
      return 0;
    }
    const tokens = await store.tokens.list();
    if (values.json) write(JSON.stringify(tokens.map(toJson), null, 2));
    else if (tokens.length === 0)
      write("No API tokens yet: querygate token create --repo OWNER/NAME --name NAME");
    else {
      for (const t of tokens) {
        const state = t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : "active";
        const used = t.lastUsedAt ? `last used ${t.lastUsedAt.toISOString()}` : "never used";
        write(
          `${t.id}\t${t.name}\t${t.actorType}\t${t.repos.join(",")}\tcreated ${t.createdAt.toISOString()}\t${used}\t${state}`,
        );
      }
    }
    return 0;
  } catch (error) {
    if (!(error instanceof TokenInputError)) throw error;
    write(`querygate token: --${error.field === "repos" ? "repo" : error.field}: ${error.message}`);
    return 3;
  } finally {
    await store.close();
  }
}

function toJson(t: ApiToken) {
  return {
    id: t.id,
    name: t.name,
    actor: t.actorType,
    repos: t.repos,
    created_at: t.createdAt.toISOString(),
    last_used_at: t.lastUsedAt?.toISOString() ?? null,
    revoked_at: t.revokedAt?.toISOString() ?? null,
  };
}

async function openStateTokens(): Promise<{ tokens: TokenStore; close(): Promise<void> }> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  const state = await openState({
    databaseUrl: process.env.DATABASE_URL || undefined,
    dataDir: process.env.QUERYGATE_DATA_DIR || DEFAULT_DATA_DIR,
    log: (message) => process.stderr.write(`${message}\n`),
  });
  return { tokens: createTokenStore(state.pool), close: () => state.close() };
}
