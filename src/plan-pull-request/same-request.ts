import { createHash } from "node:crypto";
import { canonicalJson } from "../audit/canonical-json.js";

/** Bumped whenever the encoding below changes, so digests of different encodings never meet. */
const REQUEST_DIGEST_VERSION = "querygate.request.v1";

/**
 * What makes two request files "the same request" (docs/runner.md): the target and, in order, each
 * statement's index, the hash of its exact bytes and the parameters bound to it. Not the path, the head
 * commit, the header's reason or limits, the approvals or the policy.
 */
export interface RequestIdentity {
  target: string;
  /** `params` null: not recorded (a ledger row without a run payload) — then any parameters match. */
  statements: ReadonlyArray<{ index: number; hash: string; params: readonly unknown[] | null }>;
}

/**
 * Pure: the digest of a request's identity, hex SHA-256 over canonical JSON. The ledger keeps it on each
 * execution and lets one request of a pull request be queued or run at most once (migration 0007).
 */
export function requestDigest(identity: RequestIdentity): string {
  const encoded = canonicalJson([
    REQUEST_DIGEST_VERSION,
    identity.target,
    identity.statements.map((s) => [s.index, s.hash, s.params ?? null]),
  ]);
  return createHash("sha256").update(encoded, "utf8").digest("hex");
}

/** Pure: whether two identities are the same request; unrecorded parameters match any (fail closed). */
export function sameRequest(a: RequestIdentity, b: RequestIdentity): boolean {
  if (a.target !== b.target || a.statements.length !== b.statements.length) return false;
  return a.statements.every((s, i) => {
    const other = b.statements[i];
    if (!other || other.index !== s.index || other.hash !== s.hash) return false;
    if (s.params === null || other.params === null) return true;
    return canonicalJson(s.params) === canonicalJson(other.params);
  });
}
