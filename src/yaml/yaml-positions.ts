import { EVENT_ID, type Event, getScalarValue } from "js-yaml";
import { encodeKeyPath, type KeyPath } from "./key-path.js";

/** Aliases of aliases followed when looking a line up; deeper chains fall back to the nearest ancestor. */
const MAX_ALIAS_HOPS = 8;
const MERGE_KEY = "<<";
const COMPLEX_KEY = "\u0002complex key";

export interface YamlPositions {
  /** 1-based line of a key (or sequence item); a value reached through an alias or `<<` is found at its anchor. */
  lineOf(path: KeyPath): number;
  /** The key whose text starts at this offset, if any: names the key of js-yaml's duplicate-key error. */
  keyAt(offset: number): KeyPath | null;
}

type Frame =
  | { kind: "document"; path: KeyPath }
  | { kind: "mapping"; path: KeyPath; key: string | null }
  | { kind: "sequence"; path: KeyPath; next: number; mergeInto: KeyPath | null };

/**
 * Maps every key path of a document to the line it is written on, from js-yaml's event stream (js-yaml's
 * values carry no positions). Aliases and merge keys are recorded as redirects to their anchors, so a merged
 * or aliased value is reported where it is written, without expanding anything.
 */
export function indexYamlPositions(text: string, events: readonly Event[]): YamlPositions {
  const lineAt = lineFinder(text);
  const lines = new Map<string, number>();
  const keyOffsets = new Map<number, KeyPath>();
  const anchors = new Map<string, KeyPath>();
  const redirects = new Map<string, KeyPath[]>();
  const stack: Frame[] = [];

  const redirect = (from: KeyPath, to: KeyPath | undefined) => {
    if (!to) return;
    const key = encodeKeyPath(from);
    redirects.set(key, [...(redirects.get(key) ?? []), to]);
  };

  // Where the node starting now sits; null when it is a mapping key (recorded by the caller).
  const place = (): { path: KeyPath; mergeInto: KeyPath | null } => {
    const parent = stack[stack.length - 1];
    if (!parent || parent.kind === "document") return { path: [], mergeInto: null };
    if (parent.kind === "sequence") {
      const path = [...parent.path, parent.next];
      parent.next += 1;
      return { path, mergeInto: parent.mergeInto };
    }
    const key = parent.key ?? COMPLEX_KEY;
    parent.key = null;
    return { path: [...parent.path, key], mergeInto: key === MERGE_KEY ? parent.path : null };
  };

  for (const event of events) {
    if (event.type === EVENT_ID.DOCUMENT) {
      stack.push({ kind: "document", path: [] });
      continue;
    }
    if (event.type === EVENT_ID.POP) {
      stack.pop();
      continue;
    }
    const parent = stack[stack.length - 1];
    const offset =
      event.type === EVENT_ID.SCALAR
        ? event.valueStart
        : event.type === EVENT_ID.ALIAS
          ? event.anchorStart
          : event.start;
    if (parent?.kind === "mapping" && parent.key === null) {
      const key = event.type === EVENT_ID.SCALAR ? getScalarValue(text, event) : COMPLEX_KEY;
      const path = [...parent.path, key];
      lines.set(encodeKeyPath(path), lineAt(offset));
      keyOffsets.set(offset, path);
      parent.key = key;
      if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE) {
        stack.push({ kind: "sequence", path: [...path, COMPLEX_KEY], next: 0, mergeInto: null });
      }
      continue;
    }
    const { path, mergeInto } = place();
    const encoded = encodeKeyPath(path);
    if (!lines.has(encoded)) lines.set(encoded, lineAt(offset));
    if (event.type === EVENT_ID.ALIAS) {
      // `<<: *base` (or `<<: [*a, *b]`) puts the anchor's keys into the enclosing mapping.
      redirect(mergeInto ?? path, anchors.get(text.slice(event.anchorStart, event.anchorEnd)));
      continue;
    }
    if (event.anchorStart !== -1) anchors.set(text.slice(event.anchorStart, event.anchorEnd), path);
    if (event.type === EVENT_ID.MAPPING) {
      if (mergeInto) redirect(mergeInto, path);
      stack.push({ kind: "mapping", path, key: null });
    } else if (event.type === EVENT_ID.SEQUENCE) stack.push({ kind: "sequence", path, next: 0, mergeInto });
  }

  const resolve = (path: KeyPath, hops: number): number | undefined => {
    const exact = lines.get(encodeKeyPath(path));
    if (exact !== undefined || hops >= MAX_ALIAS_HOPS) return exact;
    for (let cut = path.length; cut >= 0; cut--) {
      for (const target of redirects.get(encodeKeyPath(path.slice(0, cut))) ?? []) {
        const found = resolve([...target, ...path.slice(cut)], hops + 1);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };

  return {
    lineOf(path) {
      for (let cut = path.length; cut >= 0; cut--) {
        const found = resolve(path.slice(0, cut), 0);
        if (found !== undefined) return found;
      }
      return 1;
    },
    keyAt(offset) {
      return keyOffsets.get(offset) ?? null;
    },
  };
}

/** 1-based line of a character offset in `text`, by binary search over the line starts. */
export function lineFinder(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  };
}
