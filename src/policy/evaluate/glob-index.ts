import { compileGlob, type Glob } from "./glob-pattern.js";

const SEGMENT_SEPARATOR = /[./]/;
const DOT = ".".charCodeAt(0);
const SLASH = "/".charCodeAt(0);
/** Which literal segment of `target/schema.table.column` to file a glob under: the most telling first. */
const SEGMENT_PREFERENCE = [2, 3, 0, 1];

/**
 * Many globs, one subject: which globs match. Without `**`, a `*` never crosses `/` or `.`, so a glob matches
 * only subjects with as many segments and its literal segments in the same places: each glob is filed under
 * one literal segment, and a subject tests only the globs filed under its own segments (and those with no
 * literal segment). In a glob with `**`, the segments before the first `**` still sit at fixed places, so it
 * is filed under one of them when it is literal (the target of `orders-prod/**`, the schema of a
 * `public.**` after any target); the rest are filtered by their literal prefix.
 */
export class GlobIndex {
  private readonly globs: Glob[];
  private readonly bySegments = new Map<number, Array<Map<string, number[]>>>();
  private readonly unfiled = new Map<number, number[]>();
  private readonly deepBySegment: Array<Map<string, number[]>> = [];
  private readonly deep: number[] = [];

  constructor(patterns: string[]) {
    this.globs = patterns.map(compileGlob);
    this.globs.forEach((glob, index) => {
      if (glob.hasGlobstar) {
        const segments = glob.source.split(SEGMENT_SEPARATOR);
        const fixed = segments.slice(
          0,
          segments.findIndex((s) => s.includes("**")),
        );
        const position = filingPosition(fixed);
        if (position === -1) this.deep.push(index);
        else {
          this.deepBySegment[position] ??= new Map();
          pushTo(this.deepBySegment[position], fixed[position] as string, index);
        }
        return;
      }
      const segments = glob.source.split(SEGMENT_SEPARATOR);
      const position = filingPosition(segments);
      if (position === -1) {
        pushTo(this.unfiled, segments.length, index);
        return;
      }
      let positions = this.bySegments.get(segments.length);
      if (!positions) {
        positions = [];
        this.bySegments.set(segments.length, positions);
      }
      let literals = positions[position];
      if (!literals) {
        literals = new Map();
        positions[position] = literals;
      }
      pushTo(literals, segments[position] as string, index);
    });
  }

  /** The highest index whose glob matches, or -1 (for "last match wins"). */
  last(subject: string): number {
    let best = -1;
    // Lists are ascending: walk each from its end, stopping at the first match or at the best so far.
    this.forEachList(subject, (list, prefixCheck) => {
      for (let i = list.length - 1; i >= 0; i--) {
        const index = list[i] as number;
        if (index <= best) return;
        if (this.matches(index, subject, prefixCheck)) {
          best = index;
          return;
        }
      }
    });
    return best;
  }

  /** Every index whose glob matches, in no particular order. */
  all(subject: string): number[] {
    const out: number[] = [];
    this.forEachList(subject, (list, prefixCheck) => {
      for (const index of list) if (this.matches(index, subject, prefixCheck)) out.push(index);
    });
    return out;
  }

  private matches(index: number, subject: string, prefixCheck: boolean): boolean {
    const glob = this.globs[index] as Glob;
    return (!prefixCheck || subject.startsWith(glob.literalPrefix)) && glob.test(subject);
  }

  private forEachList(subject: string, visit: (list: number[], prefixCheck: boolean) => void): void {
    const segments = splitSegments(subject);
    const positions = this.bySegments.get(segments.length);
    if (positions) {
      for (let p = 0; p < positions.length; p++) {
        const list = positions[p]?.get(segments[p] as string);
        if (list) visit(list, false);
      }
    }
    const unfiled = this.unfiled.get(segments.length);
    if (unfiled) visit(unfiled, false);
    for (let p = 0; p < this.deepBySegment.length && p < segments.length; p++) {
      const list = this.deepBySegment[p]?.get(segments[p] as string);
      if (list) visit(list, true);
    }
    if (this.deep.length > 0) visit(this.deep, true);
  }
}

/** `subject.split(/[./]/)`, without the regular expression. */
function splitSegments(subject: string): string[] {
  const segments: string[] = [];
  let start = 0;
  for (let i = 0; i < subject.length; i++) {
    const c = subject.charCodeAt(i);
    if (c === DOT || c === SLASH) {
      segments.push(subject.slice(start, i));
      start = i + 1;
    }
  }
  segments.push(subject.slice(start));
  return segments;
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
