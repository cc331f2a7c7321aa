import { createRequire } from "node:module";

/** PostgreSQL majors whose grammar ships with querygate (libpg-query builds, WASM). */
export const SUPPORTED_GRAMMAR_MAJORS = [15, 16, 17] as const;
export type GrammarMajor = (typeof SUPPORTED_GRAMMAR_MAJORS)[number];
/** The grammar used when a target does not say which server version it runs: the one the tests use. */
export const DEFAULT_GRAMMAR_MAJOR: GrammarMajor = 15;

const PACKAGES: Record<GrammarMajor, string> = {
  15: "libpg-query",
  16: "libpg-query-16",
  17: "libpg-query-17",
};

export interface ParsedStatement {
  stmt: Record<string, unknown>;
  stmt_location?: number;
  stmt_len?: number;
}

export interface PostgresGrammar {
  major: GrammarMajor;
  version: string;
  parse(text: string): { version: number; stmts: ParsedStatement[] };
}

interface LibpgQueryModule {
  loadModule(): Promise<void>;
  parseSync(query: string): unknown;
}

const loaded = new Map<GrammarMajor, Promise<PostgresGrammar>>();

export function isSupportedMajor(major: number): major is GrammarMajor {
  return (SUPPORTED_GRAMMAR_MAJORS as readonly number[]).includes(major);
}

/** Loads (once) the WASM grammar of a PostgreSQL major. */
export function loadPostgresGrammar(major: number = DEFAULT_GRAMMAR_MAJOR): Promise<PostgresGrammar> {
  if (!isSupportedMajor(major)) {
    return Promise.reject(
      new Error(
        `PostgreSQL ${major} is not supported: querygate bundles the grammars of PostgreSQL ${SUPPORTED_GRAMMAR_MAJORS.join(", ")}; set the target's server version to one of them`,
      ),
    );
  }
  let grammar = loaded.get(major);
  if (!grammar) {
    grammar = load(major);
    loaded.set(major, grammar);
  }
  return grammar;
}

/** The version a grammar reports itself as (its package's), without loading it. */
export function grammarVersion(major: GrammarMajor): string {
  const require = createRequire(import.meta.url);
  const pkg = require(`${PACKAGES[major]}/package.json`) as { version: string };
  return `libpg-query@${pkg.version} (PostgreSQL ${major} grammar)`;
}

/** Every bundled grammar's version: approvals are given under all of them, so upgrading any is a new context. */
export function bundledGrammarVersions(): string[] {
  return SUPPORTED_GRAMMAR_MAJORS.map(grammarVersion);
}

async function load(major: GrammarMajor): Promise<PostgresGrammar> {
  const mod = (await import(PACKAGES[major])) as LibpgQueryModule;
  await mod.loadModule();
  return {
    major,
    version: grammarVersion(major),
    parse(text) {
      const result = mod.parseSync(text) as { version: number; stmts?: ParsedStatement[] };
      return { version: result.version, stmts: result.stmts ?? [] };
    },
  };
}
