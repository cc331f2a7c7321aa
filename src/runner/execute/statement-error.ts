import pg from "pg";
import type { ExecutionError, ExecutionErrorKind, SessionSettings } from "./execution-types.js";

const QUERY_CANCELED = "57014";
const LOCK_NOT_AVAILABLE = "55P03";
const FATAL_SEVERITIES: ReadonlySet<string> = new Set(["FATAL", "PANIC"]);

export interface ErrorContext {
  kind: ExecutionErrorKind;
  statement?: { index: number; text: string; line: number };
  settings?: SessionSettings;
}

/** A thrown error as the outcome reports it: the server's fields when it came from PostgreSQL. */
export function toExecutionError(error: unknown, context: ErrorContext): ExecutionError {
  const statementIndex = context.statement?.index ?? null;
  if (error instanceof pg.DatabaseError) {
    const line = context.statement
      ? lineAtPosition({ ...context.statement, position: Number(error.position) })
      : null;
    return {
      kind: context.kind,
      sqlstate: error.code ?? null,
      message: readableMessage(error, context.settings),
      detail: error.detail ?? null,
      hint: error.hint ?? null,
      statementIndex,
      line,
    };
  }
  const message = error instanceof Error ? error.message || error.name : String(error);
  return {
    kind: context.kind,
    sqlstate: null,
    message,
    detail: null,
    hint: null,
    statementIndex,
    line: context.statement?.line ?? null,
  };
}

/** An ERROR the server reported for a statement, after which the session goes on (not FATAL/PANIC). */
export function isStatementError(error: unknown): error is pg.DatabaseError {
  return error instanceof pg.DatabaseError && !FATAL_SEVERITIES.has(error.severity ?? "");
}

/**
 * The request-file line of PostgreSQL's error `position`: 1-based, counted in characters (code points)
 * of the statement text. Without a usable position, the statement's own line.
 */
export function lineAtPosition(params: { text: string; line: number; position: number }): number {
  const { text, line, position } = params;
  if (!Number.isInteger(position) || position < 1) return line;
  let newlines = 0;
  let seen = 0;
  for (const char of text) {
    if (++seen >= position) break;
    if (char === "\n") newlines++;
  }
  return line + newlines;
}

function readableMessage(error: pg.DatabaseError, settings: SessionSettings | undefined): string {
  if (!settings) return error.message;
  if (error.code === QUERY_CANCELED && error.message.includes("statement timeout")) {
    return `statement timeout: the statement ran longer than ${settings.statementTimeoutMs} ms and was canceled (${error.message})`;
  }
  if (error.code === LOCK_NOT_AVAILABLE && error.message.includes("lock timeout")) {
    return `lock timeout: the statement waited more than ${settings.lockTimeoutMs} ms for a lock and was canceled (${error.message})`;
  }
  return error.message;
}
