import { readFileSync } from "node:fs";
import { load } from "js-yaml";
import { STATEMENT_CLASSES, type StatementClass } from "../../src/sql/statement.js";

/** One entry of test/corpus/classification.yml; the file's header documents each field. */
export interface CorpusEntry {
  sql: string;
  class?: StatementClass;
  classes?: StatementClass[];
  error?: string;
  flags_include?: string[];
  dba?: StatementClass;
  note?: string;
}

export interface ClassificationCorpus {
  /** SQL that creates the schema the entries refer to. */
  schema: string;
  entries: CorpusEntry[];
}

export const CLASSIFICATION_CORPUS_PATH = new URL("./classification.yml", import.meta.url);

const ENTRY_KEYS = new Set(["sql", "class", "classes", "error", "flags_include", "dba", "note"]);

export function classRank(cls: StatementClass): number {
  return STATEMENT_CLASSES.indexOf(cls);
}

export function strictest(classes: readonly StatementClass[]): StatementClass {
  return classes.reduce((a, b) => (classRank(b) > classRank(a) ? b : a), "read" as StatementClass);
}

/** The class the whole entry must get: `class`, or the strictest of `classes`; null for error entries. */
export function expectedClass(entry: CorpusEntry): StatementClass | null {
  if (entry.class !== undefined) return entry.class;
  if (entry.classes !== undefined) return strictest(entry.classes);
  return null;
}

/** Loads and validates the corpus; a malformed entry throws with its number, so a typo never passes silently. */
export function loadClassificationCorpus(): ClassificationCorpus {
  const raw = load(readFileSync(CLASSIFICATION_CORPUS_PATH, "utf8")) as unknown;
  if (!isRecord(raw) || typeof raw.schema !== "string" || !Array.isArray(raw.entries)) {
    throw new Error("classification.yml: expected a mapping with `schema` (a string) and `entries` (a list)");
  }
  const entries = raw.entries.map((item, index) => validateEntry(item, index + 1));
  return { schema: raw.schema, entries };
}

function validateEntry(item: unknown, number: number): CorpusEntry {
  const where = `classification.yml entry #${number}`;
  if (!isRecord(item)) throw new Error(`${where}: expected a mapping`);
  for (const key of Object.keys(item)) {
    if (!ENTRY_KEYS.has(key)) throw new Error(`${where}: unknown key \`${key}\``);
  }
  if (typeof item.sql !== "string") throw new Error(`${where}: \`sql\` must be a string`);
  const entry: CorpusEntry = { sql: item.sql };
  if (item.class !== undefined) entry.class = statementClass(item.class, `${where}: \`class\``);
  if (item.classes !== undefined) {
    if (!Array.isArray(item.classes) || item.classes.length === 0) {
      throw new Error(`${where}: \`classes\` must be a non-empty list`);
    }
    entry.classes = item.classes.map((c, i) => statementClass(c, `${where}: \`classes[${i}]\``));
    if (entry.class !== undefined && entry.class !== strictest(entry.classes)) {
      throw new Error(
        `${where}: \`class\` must be the strictest of \`classes\` (${strictest(entry.classes)})`,
      );
    }
  }
  if (item.error !== undefined) {
    if (typeof item.error !== "string" || item.error.length === 0) {
      throw new Error(`${where}: \`error\` must be a piece of the expected message`);
    }
    if (entry.class !== undefined || entry.classes !== undefined) {
      throw new Error(`${where}: an entry expects either an error or a class, not both`);
    }
    entry.error = item.error;
  } else if (entry.class === undefined && entry.classes === undefined) {
    throw new Error(`${where}: needs \`class\`, \`classes\` or \`error\``);
  }
  if (item.flags_include !== undefined) {
    if (!Array.isArray(item.flags_include) || !item.flags_include.every((f) => typeof f === "string")) {
      throw new Error(`${where}: \`flags_include\` must be a list of flag names`);
    }
    entry.flags_include = item.flags_include as string[];
  }
  if (item.dba !== undefined) {
    entry.dba = statementClass(item.dba, `${where}: \`dba\``);
    const expected = expectedClass(entry);
    if (expected === null || classRank(entry.dba) >= classRank(expected)) {
      throw new Error(`${where}: \`dba\` documents a class less strict than the expected one`);
    }
  }
  if (item.note !== undefined) {
    if (typeof item.note !== "string") throw new Error(`${where}: \`note\` must be a string`);
    entry.note = item.note;
  }
  return entry;
}

function statementClass(value: unknown, where: string): StatementClass {
  if (typeof value === "string" && (STATEMENT_CLASSES as readonly string[]).includes(value)) {
    return value as StatementClass;
  }
  throw new Error(`${where}: ${JSON.stringify(value)} is not one of ${STATEMENT_CLASSES.join(", ")}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
