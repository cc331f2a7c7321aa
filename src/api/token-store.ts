import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type pg from "pg";
import { STATE_SCHEMA } from "../store/migrations.js";
import { TOKEN_PREFIX, TOKEN_SECRET_BYTES } from "./api-limits.js";

const TABLE = `${STATE_SCHEMA}.api_tokens`;
const UNIQUE_VIOLATION = "23505";
// Like a GitHub login (the request file records the name as its requester): letters, digits, inner "-".
const NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?$/;
const REPO_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
// base64url of TOKEN_SECRET_BYTES bytes, without padding.
const SECRET_PATTERN = new RegExp(
  `^${TOKEN_PREFIX}[A-Za-z0-9_-]{${Math.ceil((TOKEN_SECRET_BYTES * 4) / 3)}}$`,
);

export type ActorType = "agent" | "user";

export interface ApiToken {
  id: number;
  name: string;
  /** `owner/name`, lower case: the repositories the token may submit to and read. */
  repos: string[];
  actorType: ActorType;
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

/** A token that cannot be created as asked; `field` names the option at fault. */
export class TokenInputError extends Error {
  constructor(
    readonly field: "name" | "repos" | "actor",
    message: string,
  ) {
    super(message);
    this.name = "TokenInputError";
  }
}

export interface TokenStore {
  /** Creates a token; the secret is returned here once and never stored (only its SHA-256). */
  create(p: {
    name: string;
    repos: string[];
    actorType?: ActorType;
  }): Promise<{ token: ApiToken; secret: string }>;
  /** The active token with this secret, or null (unknown, malformed or revoked); records its use. */
  verify(secret: string): Promise<ApiToken | null>;
  /** Revokes the active token with this name, or with this id; null when there is none. */
  revoke(which: { name: string } | { id: number }): Promise<ApiToken | null>;
  /** Every token, revoked ones too, oldest first. */
  list(): Promise<ApiToken[]>;
}

export function hashToken(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Lower-cases and checks `OWNER/NAME` entries; throws TokenInputError naming `repos`. */
export function normalizeRepos(repos: readonly string[]): string[] {
  const out = new Set<string>();
  for (const raw of repos) {
    const repo = raw.trim();
    if (!REPO_PATTERN.test(repo))
      throw new TokenInputError(
        "repos",
        `"${raw}" is not a repository: give OWNER/NAME, e.g. acme/db-requests`,
      );
    out.add(repo.toLowerCase());
  }
  if (out.size === 0) throw new TokenInputError("repos", "give at least one repository (OWNER/NAME)");
  return [...out];
}

/** Whether the token may act on `owner/name` (case-insensitive, as GitHub names are). */
export function tokenCovers(token: ApiToken, repo: string): boolean {
  return token.repos.includes(repo.toLowerCase());
}

interface TokenRow {
  id: string;
  name: string;
  token_hash: string;
  repos: string[];
  actor_type: ActorType;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const COLUMNS = "id, name, token_hash, repos, actor_type, created_at, revoked_at, last_used_at";

function toToken(row: TokenRow): ApiToken {
  return {
    id: Number(row.id),
    name: row.name,
    repos: row.repos,
    actorType: row.actor_type,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

export function createTokenStore(pool: pg.Pool): TokenStore {
  return {
    async create({ name, repos, actorType = "agent" }) {
      if (!NAME_PATTERN.test(name))
        throw new TokenInputError(
          "name",
          `"${name}" is not a token name: use 1-64 letters, digits and "-" (not first or last), like a GitHub login, e.g. ci-agent`,
        );
      if (actorType !== "agent" && actorType !== "user")
        throw new TokenInputError("actor", `actor must be "agent" or "user", got "${actorType}"`);
      const normalized = normalizeRepos(repos);
      const secret = `${TOKEN_PREFIX}${randomBytes(TOKEN_SECRET_BYTES).toString("base64url")}`;
      try {
        const { rows } = await pool.query<TokenRow>(
          `insert into ${TABLE} (name, token_hash, repos, actor_type) values ($1, $2, $3, $4) returning ${COLUMNS}`,
          [name, hashToken(secret), normalized, actorType],
        );
        return { token: toToken(rows[0] as TokenRow), secret };
      } catch (error) {
        if ((error as { code?: string }).code === UNIQUE_VIOLATION)
          throw new TokenInputError(
            "name",
            `an active token is already named "${name}": revoke it first (querygate token revoke --name ${name}) or pick another name`,
          );
        throw error;
      }
    },

    async verify(secret) {
      if (!SECRET_PATTERN.test(secret)) return null;
      const hash = hashToken(secret);
      const { rows } = await pool.query<TokenRow>(
        `update ${TABLE} set last_used_at = now() where token_hash = $1 and revoked_at is null returning ${COLUMNS}`,
        [hash],
      );
      const row = rows[0];
      // The lookup is by hash, so its timing says nothing about the secret; compare once more in constant time.
      if (!row || !timingSafeEqual(Buffer.from(row.token_hash, "hex"), Buffer.from(hash, "hex"))) return null;
      return toToken(row);
    },

    async revoke(which) {
      const byId = "id" in which;
      const { rows } = await pool.query<TokenRow>(
        `update ${TABLE} set revoked_at = now() where ${byId ? "id = $1" : "name = $1"} and revoked_at is null returning ${COLUMNS}`,
        [byId ? which.id : which.name],
      );
      return rows[0] ? toToken(rows[0]) : null;
    },

    async list() {
      const { rows } = await pool.query<TokenRow>(`select ${COLUMNS} from ${TABLE} order by created_at, id`);
      return rows.map(toToken);
    },
  };
}
