import type { OwnerEntry } from "../policy-types.js";
import { compileGlob, type Glob } from "./glob-pattern.js";

/** Subjects whose winning entry is remembered; the cache is dropped whole when full. */
export const MAX_OWNER_CACHE_ENTRIES = 20_000;

const SEGMENT_SEPARATOR = /[./]/;
/** Which literal segment of `target/schema.table.column` to index a pattern under: the most telling first. */
const SEGMENT_PREFERENCE = [2, 3, 0, 1];

export interface OwnerIndex {
  entries: OwnerEntry[];
  /** The last entry (policy order) whose pattern matches the subject, or -1: CODEOWNERS semantics. */
  find(subject: string): number;
}

/**
 * Without `**`, a `*` never crosses `/` or `.`, so a pattern matches only subjects with as many segments and
 * its literal segments in the same places: each pattern is filed under one literal segment, and a subject
 * only tests the patterns filed under its own segments. Patterns with `**` are filtered by literal prefix.
 */
export function compileOwnerIndex(entries: OwnerEntry[]): OwnerIndex {
  const globs: Glob[] = entries.map((e) => compileGlob(e.pattern));
  const bySegments = new Map<number, Array<Map<string, number[]>>>();
  const unfiled = new Map<number, number[]>();
  const deep: number[] = [];
  globs.forEach((glob, index) => {
    if (glob.hasGlobstar) {
      deep.push(index);
      return;
    }
    const segments = glob.source.split(SEGMENT_SEPARATOR);
    const position = filingPosition(segments);
    if (position === -1) {
      pushTo(unfiled, segments.length, index);
      return;
    }
    let positions = bySegments.get(segments.length);
    if (!positions) {
      positions = [];
      bySegments.set(segments.length, positions);
    }
    let literals = positions[position];
    if (!literals) {
      literals = new Map();
      positions[position] = literals;
    }
    pushTo(literals, segments[position] as string, index);
  });

  const cache = new Map<string, number>();
  const lookUp = (subject: string): number => {
    let best = -1;
    // Lists are in policy order: walk each from its end and stop at the first match or below the best so far.
    const consider = (list: number[] | undefined, prefixCheck: boolean) => {
      if (!list) return;
      for (let i = list.length - 1; i >= 0; i--) {
        const index = list[i] as number;
        if (index <= best) return;
        const glob = globs[index] as Glob;
        if (prefixCheck && !subject.startsWith(glob.literalPrefix)) continue;
        if (glob.test(subject)) {
          best = index;
          return;
        }
      }
    };
    const segments = subject.split(SEGMENT_SEPARATOR);
    const positions = bySegments.get(segments.length);
    if (positions) {
      for (let p = 0; p < positions.length; p++) consider(positions[p]?.get(segments[p] as string), false);
    }
    consider(unfiled.get(segments.length), false);
    consider(deep, true);
    return best;
  };

  return {
    entries,
    find(subject) {
      const cached = cache.get(subject);
      if (cached !== undefined) return cached;
      const found = lookUp(subject);
      if (cache.size >= MAX_OWNER_CACHE_ENTRIES) cache.clear();
      cache.set(subject, found);
      return found;
    },
  };
}

function filingPosition(segments: string[]): number {
  for (const p of SEGMENT_PREFERENCE) {
    const segment = segments[p];
    if (segment !== undefined && !segment.includes("*")) return p;
  }
  return segments.findIndex((s) => !s.includes("*"));
}

function pushTo<K>(map: Map<K, number[]>, key: K, index: number): void {
  const list = map.get(key);
  if (list) list.push(index);
  else map.set(key, [index]);
}
