import type { OwnerEntry } from "../policy-types.js";
import { GlobIndex } from "./glob-index.js";

/** Subjects whose winning entry is remembered; the cache is dropped whole when full. */
export const MAX_OWNER_CACHE_ENTRIES = 20_000;

export interface OwnerIndex {
  entries: OwnerEntry[];
  /** The last entry (policy order) whose pattern matches the subject, or -1: CODEOWNERS semantics. */
  find(subject: string): number;
}

export function compileOwnerIndex(entries: OwnerEntry[]): OwnerIndex {
  const index = new GlobIndex(entries.map((e) => e.pattern));
  const cache = new Map<string, number>();
  return {
    entries,
    find(subject) {
      let found = cache.get(subject);
      if (found === undefined) {
        found = index.last(subject);
        if (cache.size >= MAX_OWNER_CACHE_ENTRIES) cache.clear();
        cache.set(subject, found);
      }
      return found;
    },
  };
}
