/** Bytes of blob content kept per process; a blob's SHA names its bytes, so an entry never goes stale. */
export const BLOB_CACHE_MAX_BYTES = 32 * 1024 * 1024;

export interface BlobCache {
  get(sha: string): Uint8Array | undefined;
  set(sha: string, content: Uint8Array): void;
}

/** Least recently used first out, within a byte budget: saves re-reading policy and request files per event. */
export function createBlobCache(maxBytes = BLOB_CACHE_MAX_BYTES): BlobCache {
  const entries = new Map<string, Uint8Array>();
  let bytes = 0;
  return {
    get(sha) {
      const hit = entries.get(sha);
      if (hit) {
        entries.delete(sha);
        entries.set(sha, hit);
      }
      return hit;
    },
    set(sha, content) {
      if (content.byteLength > maxBytes || entries.has(sha)) return;
      entries.set(sha, content);
      bytes += content.byteLength;
      for (const [oldest, value] of entries) {
        if (bytes <= maxBytes) break;
        entries.delete(oldest);
        bytes -= value.byteLength;
      }
    },
  };
}
