import { createHash } from "node:crypto";

/** What an approval was given under besides the head commit: the base branch, its policy and our parsers. */
export interface ApprovalContextInput {
  baseRef: string;
  policyFiles: Array<{ path: string; blobSha: string | null }>;
  /**
   * Every grammar the app bundles (not only those this head uses: the context is per pull request, and a
   * push that moves a file to another major must not make the new head's approvals stale). Upgrading any
   * of them makes every earlier approval stale; each file's own grammar is in the run fingerprint.
   */
  parserVersions: string[];
}

export interface StoredApprovalContext {
  digest: string;
  /** Reviews with an id up to this one predate the current context. */
  watermark: number;
}

export function approvalContextDigest(input: ApprovalContextInput): string {
  const files = [...input.policyFiles]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => `${f.path}@${f.blobSha ?? "?"}`);
  return createHash("sha256")
    .update(JSON.stringify([input.baseRef, files, [...new Set(input.parserVersions)].sort()]))
    .digest("hex");
}

/**
 * Pure: when the context changes (retargeted base, a new policy on the base branch, a parser upgrade),
 * every review seen so far was given under the old one and stops counting.
 */
export function nextApprovalContext(p: {
  stored: StoredApprovalContext | null;
  digest: string;
  reviewIds: number[];
}): StoredApprovalContext & { changed: boolean } {
  if (p.stored === null) return { digest: p.digest, watermark: 0, changed: false };
  if (p.stored.digest === p.digest) return { ...p.stored, changed: false };
  return { digest: p.digest, watermark: Math.max(p.stored.watermark, 0, ...p.reviewIds), changed: true };
}
