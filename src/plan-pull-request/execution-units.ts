import { statementHash } from "../audit/statement-hash.js";
import type { ReviewedStatement } from "../lint/review-statements.js";
import type { ExecuteMode, PolicyTarget, StatementDecision } from "../policy/policy-types.js";
import { firstTokenOffset } from "../sql/source-text.js";
import { escalate, type StatementClass } from "../sql/statement.js";
import type { RequestFileEvaluation } from "./evaluate-request-file.js";
import { needsOwnTransaction } from "./needs-own-transaction.js";

/** One approved statement, exactly as the runner will send it. */
export interface ExecutableStatement {
  index: number;
  /** The exact bytes that were analysed and approved. */
  text: string;
  /** Bound as `$1…`, never spliced into the text. */
  params: unknown[];
  class: StatementClass;
  /** Request-file line of the first character of `text`. */
  line: number;
  /** The statement cannot run inside a transaction block (see needsOwnTransaction). */
  ownTransaction: boolean;
}

/** Defaults where neither the policy nor the request sets a limit. */
export const DEFAULT_MAX_RESULT_ROWS = 1_000;
export const DEFAULT_SHOWN_ROWS = 50;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
export const DEFAULT_LOCK_TIMEOUT_MS = 5_000;
export const DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

/** What the app records, per statement, as approved and what the runner sends. */
export interface UnitStatement extends ExecutableStatement {
  hash: string;
  /** Line of the statement's first token, as people count (`line` is where its text starts, comments included). */
  tokenLine: number;
  /** Byte offsets of `text` in the request file, for the audit record. */
  byteStart: number;
  byteEnd: number;
  /** `schema.table.column` the statement reads, for masking derived result columns. */
  columnsRead: Array<{ schema: string; table: string; column: string }>;
  mask: string[];
}

/** One request file: its statements run in order, in one transaction, all or nothing. */
export interface ExecutionUnit {
  requestPath: string;
  target: string;
  /** The grammar the file was analysed with (its target's PostgreSQL major). */
  parserVersion: string;
  /** The strictest class of its statements: picks the connection (read, write or ddl role). */
  class: StatementClass;
  readOnly: boolean;
  execute: ExecuteMode;
  maxAffectedRows: number | null;
  maxResultRows: number;
  /** Rows of each result shown in the result comment: the policy's max_result_rows when set, else 50. */
  shownRows: number;
  statementTimeoutMs: number;
  statements: UnitStatement[];
}

const READ_CLASSES: readonly StatementClass[] = ["read", "read_lock"];

/**
 * Pure: the execution units of an approved pull request — one per request file — with the strictest of the
 * limits the policy and the request set, and the least automatic execute mode of their statements.
 */
export function executionUnits(p: {
  evaluations: RequestFileEvaluation[];
  decisions: StatementDecision[];
  targets: Record<string, PolicyTarget>;
}): ExecutionUnit[] {
  const units: ExecutionUnit[] = [];
  for (const e of p.evaluations) {
    if (!e.ok) continue;
    const target = p.targets[e.header.target];
    const decisions = e.statements.map(
      (s) =>
        p.decisions.find((d) => d.index === s.index && (d.path === undefined || d.path === e.path)) ?? null,
    );
    const limits = [...decisions.map((d) => d?.limits ?? {}), e.action?.limits ?? {}];
    // SQL written inside the request's own YAML file: its lines are that file's, from `sqlSource.line`.
    const shift = e.sqlSource && e.sqlSource.path === e.path ? e.sqlSource.line - 1 : 0;
    const statements = e.statements.map((s, i): UnitStatement => {
      const lead = firstTokenOffset(s.text, 0, s.text.length);
      const newlinesBefore = s.text.slice(0, lead).split("\n").length - 1;
      return {
        index: s.index,
        text: s.text,
        // Each statement is bound the values its own $1…$n use (a YAML request's; none for .sql files).
        params: (e.values ?? []).slice(0, s.facts.paramCount),
        class: s.class,
        line: s.span.line - newlinesBefore + shift,
        tokenLine: s.span.line + shift,
        ownTransaction: needsOwnTransaction(s),
        hash: statementHash(s.text),
        byteStart: s.span.byteStart,
        byteEnd: s.span.byteEnd,
        columnsRead: columnsRead(s),
        mask: decisions[i]?.mask ?? [],
      };
    });
    const cls = statements.reduce<StatementClass>((worst, s) => escalate(worst, s.class), "read");
    units.push({
      requestPath: e.path,
      target: e.header.target,
      parserVersion: e.parserVersion,
      class: cls,
      // read_lock always ends in ROLLBACK (see docs/runner.md), so it changes nothing either.
      readOnly: statements.every((s) => READ_CLASSES.includes(s.class)),
      execute: leastAutomatic(decisions.map((d) => d?.execute ?? target?.execute ?? "on_approval")),
      maxAffectedRows: smallest([...limits.map((l) => l.maxAffectedRows), e.header.maxRows ?? undefined]),
      maxResultRows: smallest(limits.map((l) => l.maxResultRows)) ?? DEFAULT_MAX_RESULT_ROWS,
      shownRows: smallest(limits.map((l) => l.maxResultRows)) ?? DEFAULT_SHOWN_ROWS,
      statementTimeoutMs: smallest(limits.map((l) => l.statementTimeoutMs)) ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      statements,
    });
  }
  return units;
}

/** Merge and approval are both human acts; `auto` only when every statement allows it. */
function leastAutomatic(modes: ExecuteMode[]): ExecuteMode {
  if (modes.includes("on_merge")) return "on_merge";
  if (modes.length > 0 && modes.every((m) => m === "auto")) return "auto";
  return "on_approval";
}

function smallest(values: Array<number | undefined>): number | null {
  const set = values.filter((v): v is number => typeof v === "number");
  return set.length === 0 ? null : Math.min(...set);
}

function columnsRead(s: ReviewedStatement): UnitStatement["columnsRead"] {
  const tables = s.objects;
  const out: UnitStatement["columnsRead"] = [];
  for (const c of [...s.facts.columns.read, ...s.facts.columns.filtered]) {
    const owners = tables.filter((t) => c.table === null || t.name === c.table);
    for (const t of owners.length > 0 ? owners : tables)
      out.push({ schema: t.schema, table: t.name, column: c.column });
  }
  return out;
}
