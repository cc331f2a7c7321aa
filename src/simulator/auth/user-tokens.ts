import { randomBytes } from "node:crypto";
import { USER_TOKEN_TTL_MS } from "../simulator-limits.js";
import { ensureUser, type SimState, type TokenRecord } from "../state/sim-state.js";

// GitHub's prefixes: ghp_ for a personal access token; a bot account acts with its own app's ghs_ token.
const USER_PREFIX = "ghp_";
const BOT_PREFIX = "ghs_";
const TOKEN_RANDOM_CHARS = 36;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * A token that acts as `login` (a User, or a Bot when the login ends in `[bot]`), as a person's or an
 * agent's own credentials would: API calls with it are made by that account, not by the app's installation.
 */
export function issueUserToken(state: SimState, login: string, nowMs: number): TokenRecord {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\[bot\])?$/.test(login))
    throw new Error(
      `simulator: createUserToken needs a GitHub login (e.g. "alice" or "helper-bot[bot]"), got "${login}"`,
    );
  const user = ensureUser(state, login);
  if (user.type === "Organization")
    throw new Error(`simulator: ${login} is an organization; only users and bots have tokens`);
  const random = [...randomBytes(TOKEN_RANDOM_CHARS)].map((b) => ALPHABET[b % ALPHABET.length]).join("");
  const record: TokenRecord = {
    token: `${user.type === "Bot" ? BOT_PREFIX : USER_PREFIX}${random}`,
    installationId: null,
    user: user.login,
    expiresAtMs: nowMs + USER_TOKEN_TTL_MS,
  };
  state.tokens.set(record.token, record);
  return record;
}
