import type { RunTrigger } from "../audit/audit-types.js";
import type { ExecuteCheckRun } from "../github/check-run-output.js";
import {
  CHECK_RUN_SUMMARY_MAX_BYTES,
  EXECUTE_CHECK_NAME,
  ISSUE_COMMENT_MAX_CHARS,
} from "../github/limits.js";
import type { ExecutionErrorKind, ResultColumn } from "../runner/execute/execution-types.js";
import type { FinalState, Resolution } from "../runner/ledger/execution-ledger.js";
import { codeBlock, fitToLimit, inlineCode } from "./markdown.js";

/** Rows of each result shown in the comment unless the policy says otherwise. */
export const DEFAULT_RESULT_MAX_ROWS = 50;
/** Characters of a value shown in a result table; longer values end in `…`. */
export const RESULT_CELL_MAX_CHARS = 200;
/** Columns of a result shown; the others are named as omitted. */
export const RESULT_TABLE_MAX_COLUMNS = 50;
/** A result with more rows than this is folded inside `<details>`. */
export const RESULT_INLINE_MAX_ROWS = 10;
/** Characters of PostgreSQL's message, detail and hint quoted, each. */
export const ERROR_TEXT_MAX_CHARS = 2_000;
/** Comments one result may take; past it, the rest of the rows are left to the audit record. */
export const RESULT_COMMENT_MAX_PARTS = 10;
/** What a masked value looks like: never the value, nor its length. */
export const MASKED_CELL = "••••";
/** Name of the check run that carries an execution's outcome. */

const MARKER_PREFIX = "<!-- querygate:result:";
const KEY_PATTERN = /^[A-Za-z0-9_.-]+$/;
const CONTINUED = "_Continued in the next comment._";
/** Room kept free at the end of every part for the continuation (or truncation) note. */
const PART_FOOTER_RESERVE = 400;

export interface ResultStatement {
  index: number;
  /** Request-file line of the statement's first character. */
  line: number;
  command: string;
  rowCount: number;
  columns?: ResultColumn[];
  rows?: (string | null)[][];
  truncated?: boolean;
  /** Indexes into `columns` whose values are never shown (maskedColumnIndexes). */
  masked: Set<number>;
}

export interface ResultError {
  sqlstate: string | null;
  message: string;
  detail: string | null;
  hint: string | null;
  line: number | null;
  statementIndex: number | null;
  kind?: ExecutionErrorKind;
  ceiling?: { maxAffectedRows: number; affectedRows: number };
}

export interface RenderExecutionResultParams {
  /** The execution's idempotency key: names the comments so each part can be found and edited. */
  key: string;
  outcome: FinalState;
  resolution: Resolution | null;
  target: { name: string; environment: string };
  requestPath: string;
  headSha: string;
  approvers: Array<{ login: string; reviewId: number }>;
  triggeredBy: string;
  trigger: RunTrigger;
  /** ISO 8601; null when the run never started (or its times were lost with a worker). */
  startedAt: string | null;
  endedAt: string | null;
  xid: string | null;
  error?: ResultError;
  statements: ResultStatement[];
  /** Whether any mask applies to the request: PostgreSQL's error texts can quote values
   * (`Key (ssn)=(…) already exists`, `invalid input syntax for type integer: "…"`), so a database error
   * is then shown by its SQLSTATE only. */
  maskInForce: boolean;
  /** Rows of each result shown (the policy's; default DEFAULT_RESULT_MAX_ROWS). */
  maxRows?: number;
  auditHead: { hash: string; commitSha: string } | null;
}

/** The hidden marker that opens part `part` (1-based) of the result comment of execution `key`. */
export function resultCommentMarker(key: string, part = 1): string {
  if (!KEY_PATTERN.test(key)) {
    throw new Error(
      `result comment key ${JSON.stringify(key)} must be letters, digits, ".", "_" or "-" (pass the execution's idempotency key)`,
    );
  }
  return part === 1 ? `${MARKER_PREFIX}${key} -->` : `${MARKER_PREFIX}${key}:part:${part} -->`;
}

/**
 * Pure: the result log as one or more comment bodies, each within GitHub's limit and opening with its
 * own marker. Split between rows, never inside one; masked values never appear, nor their length.
 */
export function renderExecutionResult(p: RenderExecutionResultParams): string[] {
  resultCommentMarker(p.key);
  const blocks = [...overview(p), ...p.statements.flatMap((s) => statementBlocks(s, p))];
  const single = [resultCommentMarker(p.key, 1), ...blocks.flatMap(blockLines)].join("\n");
  if (single.length <= ISSUE_COMMENT_MAX_CHARS) return [single];
  return split(p.key, blocks);
}

/** Pure: the `querygate/execute` check run — the outcome and counts; the rows stay in the comment. */
export function renderExecuteCheckRun(p: RenderExecutionResultParams): ExecuteCheckRun {
  const lines = [...overview(p).flatMap(blockLines)];
  if (p.statements.length > 0) lines.push("");
  for (const s of p.statements) lines.push(`- ${statementSummary(s, p)}`);
  if (p.statements.some((s) => (s.rows?.length ?? 0) > 0)) {
    lines.push("", "The rows returned are in the result comment on the pull request.");
  }
  const summary = fitToLimit(
    lines.join("\n"),
    CHECK_RUN_SUMMARY_MAX_BYTES,
    "See the result comment on the pull request.",
    "bytes",
  ).text;
  return { name: EXECUTE_CHECK_NAME, title: plainHeadline(p), summary, conclusion: conclusion(p.outcome) };
}

// ——— blocks ———

/** A run of lines kept together, or a result table that may be split between rows. */
type Block =
  | { kind: "text"; lines: string[] }
  | {
      kind: "table";
      /** Statement 1 (line 3): shown again where a continuation starts. */
      label: string;
      folded: boolean;
      summary: string;
      header: string[];
      rows: string[];
      after: string[];
    };

function blockLines(block: Block): string[] {
  if (block.kind === "text") return block.lines;
  return [...tableOpen(block), ...block.rows, ...tableClose(block), ...block.after];
}

function tableOpen(block: Extract<Block, { kind: "table" }>): string[] {
  return block.folded
    ? ["", `<details><summary>${block.summary}</summary>`, "", ...block.header]
    : ["", ...block.header];
}

function tableClose(block: Extract<Block, { kind: "table" }>): string[] {
  return block.folded ? ["", "</details>"] : [];
}

function overview(p: RenderExecutionResultParams): Block[] {
  const lines = [`### ${headline(p)}`, ""];
  const explanation = outcomeExplanation(p);
  if (explanation) lines.push(explanation, "");
  lines.push(
    `- **Target:** ${inlineCode(p.target.name)} (${inlineCode(p.target.environment)})`,
    `- **Request:** ${inlineCode(p.requestPath)} at ${inlineCode(p.headSha.slice(0, 7))}`,
    `- **Approved by:** ${approvedBy(p.approvers)}`,
    `- **Run by:** ${inlineCode(`@${p.triggeredBy}`)} ${triggerWords(p.trigger)}`,
    `- **Duration:** ${duration(p.startedAt, p.endedAt)}`,
  );
  if (p.xid !== null) lines.push(`- **Transaction:** ${inlineCode(p.xid)}`);
  lines.push(
    `- **Audit record:** ${
      p.auditHead
        ? `${inlineCode(p.auditHead.hash)} in commit ${inlineCode(p.auditHead.commitSha.slice(0, 7))}`
        : "not written yet"
    }`,
  );
  const blocks: Block[] = [{ kind: "text", lines }];
  if (p.error) blocks.push({ kind: "text", lines: ["", ...errorLines(p.error, p)] });
  return blocks;
}

function statementBlocks(s: ResultStatement, p: RenderExecutionResultParams): Block[] {
  const heading = ["", `#### ${statementSummary(s, p)}`];
  const columns = s.columns ?? [];
  const rows = s.rows ?? [];
  if (columns.length === 0) return [{ kind: "text", lines: heading }];
  const maxRows = Math.max(0, Math.floor(p.maxRows ?? DEFAULT_RESULT_MAX_ROWS));
  const shown = rows.slice(0, maxRows);
  const shownColumns = columns.slice(0, RESULT_TABLE_MAX_COLUMNS);
  const notes: string[] = [];
  if (shown.length < s.rowCount) {
    notes.push(`Showing the first ${shown.length} of ${count(s.rowCount, "row")}.`);
  }
  if (columns.length > shownColumns.length) {
    notes.push(`${columns.length - shownColumns.length} more columns not shown.`);
  }
  if (shownColumns.some((_, i) => s.masked.has(i))) {
    notes.push(`${MASKED_CELL} marks a column masked by the policy.`);
  }
  if (shown.length === 0) {
    return [{ kind: "text", lines: [...heading, ...(notes.length > 0 ? ["", notes.join(" ")] : [])] }];
  }
  const header = [
    `| ${shownColumns.map((c) => valueCell(c.name)).join(" | ")} |`,
    `|${shownColumns.map(() => "---").join("|")}|`,
  ];
  return [
    { kind: "text", lines: heading },
    {
      kind: "table",
      label: `Statement ${s.index + 1} (line ${s.line})`,
      folded: shown.length > RESULT_INLINE_MAX_ROWS,
      summary: `${count(shown.length, "row")}`,
      header,
      rows: shown.map(
        (row) => `| ${shownColumns.map((_, i) => cell(row[i], s.masked.has(i))).join(" | ")} |`,
      ),
      after: notes.length > 0 ? ["", notes.join(" ")] : [],
    },
  ];
}

/** Parts within the limit: a table is split between rows, and reopened with its header in the next part. */
function split(key: string, blocks: Block[]): string[] {
  const budget = ISSUE_COMMENT_MAX_CHARS - PART_FOOTER_RESERVE;
  const parts: string[] = [];
  let lines: string[] = [];
  let length = 0;
  let stopped = false;
  const add = (more: string[]) => {
    for (const line of more) length += line.length + 1;
    lines.push(...more);
  };
  const start = () => {
    lines = [];
    length = 0;
    add([resultCommentMarker(key, parts.length + 1)]);
    if (parts.length > 0) add([`_Continued from the previous comment (part ${parts.length + 1})._`]);
  };
  /** Ends the current part; false when no further part may follow. */
  const next = (): boolean => {
    if (parts.length + 1 >= RESULT_COMMENT_MAX_PARTS) {
      add([
        "",
        `**Truncated**: the rest of the result is not shown (it would take more than ${RESULT_COMMENT_MAX_PARTS} comments). The audit record holds its digest.`,
      ]);
      parts.push(lines.join("\n"));
      stopped = true;
      return false;
    }
    add(["", CONTINUED]);
    parts.push(lines.join("\n"));
    start();
    return true;
  };
  const fits = (more: string[]) => length + more.reduce((n, l) => n + l.length + 1, 0) <= budget;

  start();
  for (const block of blocks) {
    if (block.kind === "text") {
      if (!fits(block.lines) && lines.length > 2 && !next()) break;
      add(block.lines);
      continue;
    }
    const open = tableOpen(block);
    const close = [...tableClose(block), ...block.after];
    const [first] = block.rows;
    if (!fits([...open, first ?? "", ...tableClose(block)]) && !next()) break;
    add(open);
    for (const row of block.rows) {
      if (!fits([row, ...tableClose(block)])) {
        add(tableClose(block));
        if (!next()) break;
        add(["", `**${block.label}, continued:**`, ...open]);
      }
      add([row]);
    }
    if (stopped) break;
    add(close);
  }
  if (!stopped) parts.push(lines.join("\n"));
  return parts;
}

// ——— words ———

function headline(p: RenderExecutionResultParams): string {
  switch (p.outcome) {
    case "succeeded":
      return "✅ Executed";
    case "rolled_back":
      if (isOverCeiling(p.error)) return "⛔ Rolled back: over the row ceiling";
      return `⛔ Rolled back${p.error ? `: ${errorPlace(p.error, p)}` : ""}`;
    case "failed":
      return `❌ Failed${p.error ? `: ${errorPlace(p.error, p)}` : ""}`;
    case "needs_verification":
      return "⚠️ Needs manual verification";
  }
}

/** The headline without emoji or markdown, for the check run's title. */
function plainHeadline(p: RenderExecutionResultParams): string {
  return headline(p)
    .replace(/^\S+\s/, "")
    .replaceAll("`", "");
}

function errorPlace(error: ResultError, p: RenderExecutionResultParams): string {
  const where = error.line !== null ? ` at ${inlineCode(p.requestPath)} line ${error.line}` : "";
  if (error.sqlstate !== null) return `SQLSTATE ${error.sqlstate}${where}`;
  const what = error.kind ? KIND_WORDS[error.kind] : "see the error below";
  return `${what}${where}`;
}

const KIND_WORDS: Record<ExecutionErrorKind, string> = {
  refused: "refused before running",
  connect: "could not connect to the target",
  settings: "a session setting did not hold",
  transaction: "could not start the transaction",
  ledger: "could not record the transaction id",
  statement: "the statement failed",
  over_ceiling: "over the row ceiling",
  commit: "COMMIT failed",
};

function outcomeExplanation(p: RenderExecutionResultParams): string | null {
  switch (p.outcome) {
    case "succeeded":
      return p.resolution === "crash_committed"
        ? `The worker stopped after the transaction committed; PostgreSQL confirms it committed (${xactStatus(p.xid)}), so the statements ran once. Row counts and results were lost with the worker.`
        : null;
    case "rolled_back":
      return isOverCeiling(p.error) && p.error?.ceiling
        ? `The statements affected ${count(p.error.ceiling.affectedRows, "row")}, over the ceiling of ${p.error.ceiling.maxAffectedRows}: the transaction was rolled back and nothing changed.`
        : "The transaction was rolled back: nothing changed.";
    case "failed":
      if (p.resolution === "crash_aborted") {
        return `The worker stopped before the transaction committed; PostgreSQL rolled it back (${xactStatus(p.xid)}), so nothing changed. Push a new commit to request another run.`;
      }
      if (p.resolution === "crash_read_only") {
        return "The worker stopped while running this read-only request: nothing changed, but the result was lost. Push a new commit to request another run.";
      }
      return null;
    case "needs_verification":
      return p.xid !== null
        ? `The worker stopped mid-transaction and the database could not say whether it committed. Check ${inlineCode(`SELECT pg_xact_status('${p.xid}')`)} on ${inlineCode(p.target.name)} (or look at the data) before doing anything else. querygate will not run it again.`
        : `The worker stopped before the transaction id was recorded, so whether the statements ran cannot be proven. Look at the data on ${inlineCode(p.target.name)} before doing anything else. querygate will not run it again.`;
  }
}

function xactStatus(xid: string | null): string {
  return xid === null ? "pg_xact_status" : inlineCode(`pg_xact_status('${xid}')`);
}

function isOverCeiling(error: ResultError | undefined): boolean {
  return error?.kind === "over_ceiling" || error?.ceiling !== undefined;
}

function errorLines(error: ResultError, p: RenderExecutionResultParams): string[] {
  const where = [
    error.statementIndex !== null ? `Statement ${error.statementIndex + 1}` : null,
    error.line !== null ? `${inlineCode(p.requestPath)} line ${error.line}` : null,
  ].filter((x): x is string => x !== null);
  const lead = `**Error${where.length > 0 ? ` (${where.join(", ")})` : ""}${error.sqlstate ? `, SQLSTATE ${inlineCode(error.sqlstate)}` : ""}:**`;
  if (error.sqlstate !== null && p.maskInForce) {
    return [
      lead,
      "",
      "PostgreSQL's message is not shown: a mask applies to this request, and database errors can quote the values of masked columns. Look the SQLSTATE up, or rerun the statement without the masked columns.",
    ];
  }
  const text = [
    clip(error.message),
    error.detail ? `DETAIL: ${clip(error.detail)}` : null,
    error.hint ? `HINT: ${clip(error.hint)}` : null,
  ].filter((x): x is string => x !== null);
  return [lead, "", codeBlock(text.join("\n"))];
}

function statementSummary(s: ResultStatement, p: RenderExecutionResultParams): string {
  const verb = inlineCode(s.command || "?");
  const parts = [`Statement ${s.index + 1} (line ${s.line})`, verb];
  const affected = ["INSERT", "UPDATE", "DELETE", "MERGE"].includes(s.command);
  if (affected) parts.push(`${count(s.rowCount, "row")} affected`);
  else if (s.columns !== undefined || s.command === "SELECT")
    parts.push(`${count(s.rowCount, "row")} returned`);
  if (p.error?.statementIndex === s.index) parts.push("failed");
  return parts.join(" · ");
}

function approvedBy(approvers: RenderExecutionResultParams["approvers"]): string {
  if (approvers.length === 0) return "no approval needed (the policy approves this automatically)";
  return approvers.map((a) => `${inlineCode(`@${a.login}`)} (review ${a.reviewId})`).join(", ");
}

function triggerWords(trigger: RunTrigger): string {
  switch (trigger) {
    case "button":
      return "with the Run button";
    case "comment":
      return `with ${inlineCode("/querygate run")}`;
    case "merge":
      return "by merging the pull request";
    case "auto":
      return "automatically, as the policy allows";
  }
}

function duration(startedAt: string | null, endedAt: string | null): string {
  if (startedAt === null || endedAt === null) return "unknown";
  const ms = Date.parse(endedAt) - Date.parse(startedAt);
  if (!Number.isFinite(ms) || ms < 0) return "unknown";
  const span = `started ${startedAt}`;
  if (ms < 1_000) return `${ms} ms (${span})`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s (${span})`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1_000)} s (${span})`;
}

function conclusion(outcome: FinalState): ExecuteCheckRun["conclusion"] {
  if (outcome === "succeeded") return "success";
  if (outcome === "needs_verification") return "neutral";
  return "failure";
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

// ——— cells ———

function cell(value: string | null | undefined, masked: boolean): string {
  if (masked) return MASKED_CELL;
  if (value === null || value === undefined) return "_NULL_";
  return valueCell(value);
}

/**
 * A value as inline code, so nothing in it is read as markdown, HTML, a link or an @mention: newlines
 * shown as ↵, pipes escaped (GitHub's tables honour `\|` inside code spans), cut at RESULT_CELL_MAX_CHARS
 * with `…` outside the code.
 */
function valueCell(value: string): string {
  if (value === "") return "";
  const long = value.length > RESULT_CELL_MAX_CHARS;
  const kept = long ? withoutSplitPair(value, RESULT_CELL_MAX_CHARS - 1) : value;
  const oneLine = kept.replace(/\r\n|\r|\n/g, "↵");
  return `${inlineCode(oneLine).replaceAll("|", "\\|")}${long ? "…" : ""}`;
}

function clip(text: string): string {
  return text.length > ERROR_TEXT_MAX_CHARS ? `${withoutSplitPair(text, ERROR_TEXT_MAX_CHARS - 1)}…` : text;
}

/** The first `length` UTF-16 units, one fewer if the cut would split a surrogate pair. */
function withoutSplitPair(text: string, length: number): string {
  const end = /[\uD800-\uDBFF]/.test(text.charAt(length - 1)) ? length - 1 : length;
  return text.slice(0, end);
}
