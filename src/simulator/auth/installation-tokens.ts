import { randomBytes } from "node:crypto";
import { INSTALLATION_TOKEN_TTL_MS } from "../simulator-limits.js";
import type { SimState, TokenRecord } from "../state/sim-state.js";

const TOKEN_PREFIX = "ghs_";
const TOKEN_RANDOM_CHARS = 36;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function issueInstallationToken(state: SimState, nowMs: number): TokenRecord {
  const bytes = randomBytes(TOKEN_RANDOM_CHARS);
  const random = [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join("");
  const record: TokenRecord = {
    token: `${TOKEN_PREFIX}${random}`,
    installationId: state.app.installationId,
    user: null,
    expiresAtMs: nowMs + INSTALLATION_TOKEN_TTL_MS,
  };
  state.tokens.set(record.token, record);
  return record;
}

export function findValidToken(state: SimState, token: string, nowMs: number): TokenRecord | undefined {
  const record = state.tokens.get(token);
  return record && record.expiresAtMs > nowMs ? record : undefined;
}
