import { EVENT_ID, type Event, getScalarValue, parseEvents } from "js-yaml";
import { lineFinder } from "../yaml/yaml-positions.js";

type Frame =
  | { kind: "mapping"; path: string; pendingKey: string | null; keyLine: number }
  | { kind: "sequence"; path: string; next: number };

/**
 * The 1-based line of every node in a YAML document, by dotted path (`cases[2].expect.decision`); a mapping
 * value's line is its key's. Errors point at lines with it. Returns an empty map when the text does not parse:
 * the loader reports that error itself.
 */
export function yamlLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let events: Event[];
  try {
    events = parseEvents(text, {});
  } catch {
    return lines;
  }
  const lineAt = lineFinder(text);
  const stack: Frame[] = [];

  // Where the node that starts now sits, and the line to record for it.
  const place = (offset: number): { path: string; line: number } | null => {
    const parent = stack[stack.length - 1];
    if (!parent) return { path: "", line: lineAt(offset) };
    if (parent.kind === "sequence") {
      const path = `${parent.path}[${parent.next}]`;
      parent.next += 1;
      return { path, line: lineAt(offset) };
    }
    if (parent.pendingKey === null) return null;
    const path = parent.path === "" ? parent.pendingKey : `${parent.path}.${parent.pendingKey}`;
    parent.pendingKey = null;
    return { path, line: parent.keyLine };
  };

  for (const event of events) {
    if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE) {
      const at = place(event.start);
      const path = at?.path ?? "?";
      if (at) lines.set(path, at.line);
      stack.push(
        event.type === EVENT_ID.MAPPING
          ? { kind: "mapping", path, pendingKey: null, keyLine: 0 }
          : { kind: "sequence", path, next: 0 },
      );
    } else if (event.type === EVENT_ID.SCALAR || event.type === EVENT_ID.ALIAS) {
      const parent = stack[stack.length - 1];
      const offset = event.type === EVENT_ID.SCALAR ? event.valueStart : event.anchorStart;
      if (parent?.kind === "mapping" && parent.pendingKey === null) {
        parent.pendingKey = event.type === EVENT_ID.SCALAR ? getScalarValue(text, event) : "*";
        parent.keyLine = lineAt(offset);
        continue;
      }
      const at = place(offset);
      if (at) lines.set(at.path, at.line);
    } else if (event.type === EVENT_ID.POP) {
      stack.pop();
    }
  }
  return lines;
}

/** The nearest recorded line for a path: its own, else its closest ancestor's, else 1. */
export function lineOf(lines: Map<string, number>, path: string): number {
  let current = path;
  for (;;) {
    const line = lines.get(current);
    if (line !== undefined) return line;
    if (current === "") return 1;
    const cut = Math.max(current.lastIndexOf("."), current.lastIndexOf("["));
    current = cut <= 0 ? "" : current.slice(0, cut);
  }
}
