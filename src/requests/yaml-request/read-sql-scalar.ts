import { SCALAR_STYLE } from "js-yaml";
import type { KeyPath } from "../../yaml/key-path.js";
import { describe, quoted, type ReadContext, report } from "../../yaml/read-context.js";
import type { YamlFile } from "./read-yaml-file.js";

/**
 * SQL written in YAML, exactly as a reviewer reads it in the diff: a literal block (`sql: |`), or a plain or
 * single-quoted scalar on one line. Folded blocks and multi-line flow scalars join lines (a `--` comment would
 * swallow the next line) and double quotes have escapes (`\n`, `\u…`): the SQL that runs would differ from the
 * text reviewed, so they are refused. Returns the SQL and the line its first character is on.
 */
export function readSqlScalar(
  ctx: ReadContext,
  yaml: YamlFile,
  { value, path, maxBytes }: { value: unknown; path: KeyPath; maxBytes: number },
): { sql: string; line: number } | null {
  const scalar = yaml.scalarAt(path);
  if (typeof value !== "string" || scalar === null) {
    report(
      ctx,
      path,
      `${quoted(path)} must be SQL text, e.g. \`sql: |\` and the statement on the next lines — got ${describe(value)}`,
    );
    return null;
  }
  if (value.trim() === "") {
    report(ctx, path, `${quoted(path)} is empty: write the statement`);
    return null;
  }
  if (scalar.style === SCALAR_STYLE.DOUBLE_QUOTED) {
    report(
      ctx,
      path,
      `${quoted(path)} is double-quoted: escapes (\\n, \\u…) would make the SQL that runs differ from the text reviewed — write it as a literal block (\`sql: |\` and the statement on the next lines)`,
    );
    return null;
  }
  if (scalar.style === SCALAR_STYLE.FOLDED_BLOCK) {
    report(
      ctx,
      path,
      `${quoted(path)} is a folded block (\`>\`), which joins lines (a \`--\` comment would swallow the next line) — use a literal block: \`sql: |\``,
    );
    return null;
  }
  if (scalar.style !== SCALAR_STYLE.LITERAL_BLOCK && scalar.endLine !== scalar.line) {
    report(
      ctx,
      path,
      `${quoted(path)} spans several lines without \`|\`, so YAML joins them into one — use a literal block: \`sql: |\``,
    );
    return null;
  }
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes > maxBytes) {
    report(
      ctx,
      path,
      `${quoted(path)} is ${bytes} bytes, over the ${maxBytes}-byte limit: split the work into several requests`,
    );
    return null;
  }
  return { sql: value, line: scalar.line };
}
