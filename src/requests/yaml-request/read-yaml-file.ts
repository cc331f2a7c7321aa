import {
  CORE_SCHEMA,
  constructFromEvents,
  EVENT_ID,
  type Event,
  getScalarValue,
  parseEvents,
  type ScalarStyle,
} from "js-yaml";
import { encodeKeyPath, type KeyPath } from "../../yaml/key-path.js";
import { yamlError } from "../../yaml/parse-yaml.js";
import { indexYamlPositions, lineFinder, type YamlPositions } from "../../yaml/yaml-positions.js";
import { NumberText, type RequestFileError } from "../actions/action-types.js";
import { numberToDecimal } from "../actions/decimal.js";
import { MAX_YAML_DEPTH } from "../request-limits.js";

/** A value scalar as written: its text (after unquoting), style and lines. */
export interface ScalarInfo {
  text: string;
  style: ScalarStyle;
  /** 1-based line where the value starts (for a block scalar, its first content line). */
  line: number;
  endLine: number;
}

export interface YamlFile {
  value: unknown;
  positions: YamlPositions;
  /** The scalar at a path (a value, not a key), or null for a mapping, a sequence or a missing path. */
  scalarAt(path: KeyPath): ScalarInfo | null;
  /** The value at `path` with every number replaced by a NumberText holding the digits as written. */
  exact(path: KeyPath, value: unknown): unknown;
}

export type ReadYamlResult = { ok: true; yaml: YamlFile } | { ok: false; errors: RequestFileError[] };

const MIB = 1024 * 1024;
const KIB = 1024;

/**
 * One request or action file: size, one YAML document of YAML 1.2 core types, no aliases (what a reviewer
 * reads in the diff is what is used), no duplicate keys. Also records each scalar's source text, so numbers
 * are read exactly as written (`19.90`), never through a double.
 */
export function readYamlFile(
  file: string,
  content: string,
  { maxBytes, what }: { maxBytes: number; what: string },
): ReadYamlResult {
  const error = (line: number, message: string, key = ""): ReadYamlResult => ({
    ok: false,
    errors: [{ file, line, key, message }],
  });
  const bytes = Buffer.byteLength(content, "utf8");
  if (bytes > maxBytes) {
    return error(
      1,
      `the file is ${bytes} bytes, over the ${formatBytes(maxBytes)} (${maxBytes}-byte) limit for ${what}: make it smaller or split it`,
    );
  }
  let events: Event[];
  try {
    events = parseEvents(content, { filename: file, maxDepth: MAX_YAML_DEPTH });
  } catch (caught) {
    return { ok: false, errors: [yamlError(file, caught, null)] };
  }
  const lineAt = lineFinder(content);
  const alias = events.find((event) => event.type === EVENT_ID.ALIAS);
  if (alias) {
    return error(
      lineAt(alias.anchorStart),
      `aliases (\`*${content.slice(alias.anchorStart, alias.anchorEnd).replace(/^\*/, "")}\`) are not accepted in ${what}: write the value out, so reviewers see exactly what is used`,
    );
  }
  const positions = indexYamlPositions(content, events);
  let documents: unknown[];
  try {
    documents = constructFromEvents(events, { source: content, schema: CORE_SCHEMA, filename: file });
  } catch (caught) {
    return { ok: false, errors: [yamlError(file, caught, positions)] };
  }
  if (documents.length === 0 || (documents.length === 1 && documents[0] == null)) {
    return error(1, `the file is empty: ${what} is a YAML mapping (see docs/requests.md)`);
  }
  if (documents.length > 1) {
    return error(
      1,
      `the file holds ${documents.length} YAML documents (separated by \`---\`): ${what} holds one — split them into several files`,
    );
  }
  const scalars = indexScalars(content, events, lineAt);
  const scalarAt = (path: KeyPath) => scalars.get(encodeKeyPath(path)) ?? null;
  const exact = (path: KeyPath, value: unknown): unknown => {
    if (typeof value === "number") {
      const info = scalarAt(path);
      return new NumberText(info?.text ?? numberToDecimal(value) ?? String(value), value);
    }
    if (Array.isArray(value)) return value.map((item, index) => exact([...path, index], item));
    if (typeof value === "object" && value !== null) {
      const out: Record<string, unknown> = Object.create(null);
      for (const [key, item] of Object.entries(value)) out[key] = exact([...path, key], item);
      return out;
    }
    return value;
  };
  return { ok: true, yaml: { value: documents[0], positions, scalarAt, exact } };
}

type Frame =
  | { kind: "mapping"; path: KeyPath; key: string | null }
  | { kind: "sequence"; path: KeyPath; next: number };

function indexScalars(text: string, events: readonly Event[], lineAt: (offset: number) => number) {
  const scalars = new Map<string, ScalarInfo>();
  const stack: Array<Frame | null> = [];
  for (const event of events) {
    if (event.type === EVENT_ID.DOCUMENT) {
      stack.push(null);
      continue;
    }
    if (event.type === EVENT_ID.POP) {
      stack.pop();
      continue;
    }
    const parent = stack[stack.length - 1] ?? null;
    let path: KeyPath = [];
    if (parent?.kind === "mapping") {
      if (parent.key === null) {
        // A key: scalar keys name the next value; complex keys are pushed as opaque frames.
        if (event.type === EVENT_ID.SCALAR) parent.key = getScalarValue(text, event);
        else {
          parent.key = "\u0002complex key";
          if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE) {
            stack.push({ kind: "sequence", path: [...parent.path, parent.key], next: 0 });
          }
        }
        continue;
      }
      path = [...parent.path, parent.key];
      parent.key = null;
    } else if (parent?.kind === "sequence") {
      path = [...parent.path, parent.next];
      parent.next += 1;
    }
    if (event.type === EVENT_ID.SCALAR) {
      scalars.set(encodeKeyPath(path), {
        text: getScalarValue(text, event),
        style: event.style,
        line: lineAt(event.valueStart),
        endLine: lineAt(Math.max(event.valueStart, event.valueEnd - 1)),
      });
    } else if (event.type === EVENT_ID.MAPPING) stack.push({ kind: "mapping", path, key: null });
    else if (event.type === EVENT_ID.SEQUENCE) stack.push({ kind: "sequence", path, next: 0 });
  }
  return scalars;
}

function formatBytes(bytes: number): string {
  if (bytes >= MIB) return `${Number((bytes / MIB).toFixed(1))} MiB`;
  if (bytes >= KIB) return `${Number((bytes / KIB).toFixed(1))} KiB`;
  return `${bytes} bytes`;
}
