import { createHash } from "node:crypto";

/** Prefix of every digest in an audit record: the algorithm, then lowercase hex. */
export const DIGEST_PREFIX = "sha256:";

/** `sha256:<64 hex>`: the form of every digest and hash in an audit record. */
export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** sha256 of the bytes (a string is hashed as its UTF-8 bytes), as `sha256:<hex>`. */
export function sha256Digest(data: string | Uint8Array): string {
  return `${DIGEST_PREFIX}${createHash("sha256").update(data).digest("hex")}`;
}
