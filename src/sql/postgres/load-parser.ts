import { createRequire } from "node:module";
import { loadModule, parseSync } from "libpg-query";

/** The PostgreSQL major whose grammar is compiled into the installed libpg-query. */
export const POSTGRES_GRAMMAR_MAJOR = 15;

let loading: Promise<void> | null = null;

/** The WASM module must be loaded once before the synchronous parser can be used. */
export function loadPostgresParser(): Promise<void> {
  loading ??= loadModule();
  return loading;
}

export interface ParsedStatement {
  stmt: Record<string, unknown>;
  stmt_location?: number;
  stmt_len?: number;
}

export function parsePostgres(text: string): { version: number; stmts: ParsedStatement[] } {
  const result = parseSync(text) as { version: number; stmts?: ParsedStatement[] };
  return { version: result.version, stmts: result.stmts ?? [] };
}

export function postgresParserVersion(): string {
  const require = createRequire(import.meta.url);
  const pkg = require("libpg-query/package.json") as { version: string };
  return `libpg-query@${pkg.version} (PostgreSQL ${POSTGRES_GRAMMAR_MAJOR} grammar)`;
}
