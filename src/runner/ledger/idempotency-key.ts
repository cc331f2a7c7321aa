import { createHash } from "node:crypto";

/** Bumped whenever the encoding below changes, so keys of different encodings never meet. */
const KEY_VERSION = "querygate.execution.v1";
const MAX_INT4 = 2_147_483_647;

/** One statement of a request file: its position in the file and the hash of its exact bytes. */
export interface StatementRef {
  index: number;
  hash: string;
}

/**
 * What one execution unit is. A unit is either one statement run on its own (`statements` has one
 * entry) or several statements of one request run as a single transaction (all of them, in order).
 */
export interface ExecutionIdentity {
  repo: string;
  pullNumber: number;
  headSha: string;
  requestPath: string;
  statements: readonly StatementRef[];
}

/**
 * The idempotency key of an execution unit: SHA-256 (hex) over a JSON array of a version tag, the
 * repository (lower-cased: GitHub names are case-insensitive), the pull request number, the head SHA
 * (lower-cased), the request path (case-sensitive, as git paths are) and the ordered
 * `[index, hash]` pairs of the statements in the unit. JSON escaping makes the encoding unambiguous.
 *
 * A unit of several statements run in one transaction gets one key over all of them, so it can only
 * run whole; a statement run on its own gets a key over its single pair. Indexes keep "statement 1
 * alone" and "statements 0-1 together" apart, and keep two identical statements of a file apart.
 */
export function idempotencyKey(identity: ExecutionIdentity): string {
  const problem = identityProblem(identity);
  if (problem !== null) throw new Error(`cannot build an execution idempotency key: ${problem}`);
  const encoded = JSON.stringify([
    KEY_VERSION,
    identity.repo.toLowerCase(),
    identity.pullNumber,
    identity.headSha.toLowerCase(),
    identity.requestPath,
    identity.statements.map((statement) => [statement.index, statement.hash]),
  ]);
  return createHash("sha256").update(encoded, "utf8").digest("hex");
}

function identityProblem(identity: ExecutionIdentity): string | null {
  if (!/^[^/\s]+\/[^/\s]+$/.test(identity.repo))
    return `repo must look like "owner/name", got "${identity.repo}"`;
  if (!Number.isInteger(identity.pullNumber) || identity.pullNumber < 1 || identity.pullNumber > MAX_INT4) {
    return `pullNumber must be an integer between 1 and ${MAX_INT4}, got ${identity.pullNumber}`;
  }
  if (!/^[0-9a-fA-F]{40}([0-9a-fA-F]{24})?$/.test(identity.headSha)) {
    return `headSha must be a full 40- or 64-character commit SHA, got "${identity.headSha}"`;
  }
  if (identity.requestPath === "") return "requestPath must not be empty";
  if (identity.statements.length === 0) return "an execution unit needs at least one statement";
  let previous = -1;
  for (const statement of identity.statements) {
    if (!Number.isInteger(statement.index) || statement.index <= previous) {
      return `statement indexes must be integers ≥ 0 in increasing order, got ${identity.statements.map((s) => s.index).join(", ")}`;
    }
    if (statement.hash === "") return `statement ${statement.index} has an empty hash`;
    previous = statement.index;
  }
  return null;
}
