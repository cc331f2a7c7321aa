import { CORE_SCHEMA, constructFromEvents, type Event, mergeTag, parseEvents } from "js-yaml";
import { formatKeyPath } from "./key-path.js";
import type { SourceError } from "./source-error.js";
import { indexYamlPositions, type YamlPositions } from "./yaml-positions.js";

/** YAML 1.2 core types (`on`/`yes` stay strings) plus merge keys (`<<: *base`). */
const POLICY_SCHEMA = CORE_SCHEMA.withTags(mergeTag);

export type ParsedPolicyYaml =
  | { ok: true; value: unknown; positions: YamlPositions }
  | { ok: false; error: SourceError };

/** One policy file's YAML: its single document and where each key is written. */
export function parsePolicyYaml(file: string, text: string): ParsedPolicyYaml {
  let events: Event[];
  try {
    events = parseEvents(text, { filename: file });
  } catch (error) {
    return { ok: false, error: yamlError(file, error, null) };
  }
  const positions = indexYamlPositions(text, events);
  let documents: unknown[];
  try {
    documents = constructFromEvents(events, { source: text, schema: POLICY_SCHEMA, filename: file });
  } catch (error) {
    return { ok: false, error: yamlError(file, error, positions) };
  }
  if (documents.length === 0 || (documents.length === 1 && documents[0] == null)) {
    return {
      ok: false,
      error: {
        file,
        line: 1,
        key: "",
        message: "the file is empty: add policy keys (see docs/policy.md) or delete it",
      },
    };
  }
  if (documents.length > 1) {
    return {
      ok: false,
      error: {
        file,
        line: 1,
        key: "",
        message: `the file holds ${documents.length} YAML documents (separated by \`---\`): a policy file holds one — split them into several files`,
      },
    };
  }
  return { ok: true, value: documents[0], positions };
}

/** A js-yaml error as `file:line: message`; a duplicated key names its path. Shared with request files. */
export function yamlError(file: string, error: unknown, positions: YamlPositions | null): SourceError {
  const { reason, mark } = error as {
    reason?: string;
    mark?: { line: number; column: number; position: number };
  };
  const line = (mark?.line ?? 0) + 1;
  const column = (mark?.column ?? 0) + 1;
  const why = reason ?? (error instanceof Error ? error.message : String(error));
  if (why === "duplicated mapping key") {
    const key = mark ? positions?.keyAt(mark.position) : null;
    const name = key ? formatKeyPath(key) : "";
    return {
      file,
      line,
      column,
      key: name,
      message: `${name ? `\`${name}\`` : "a key"} is given twice in the same mapping: keep one (YAML would otherwise silently drop the first)`,
    };
  }
  return { file, line, column, key: "", message: `not valid YAML: ${why}` };
}
