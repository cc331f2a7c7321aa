import type { NewAuditEntry } from "../audit/audit-types.js";
import { resultDigest } from "../audit/result-digest.js";
import { paramsHash } from "../audit/statement-hash.js";
import { commitAuditRecord } from "../github/commit-audit-record.js";
import type { GitHubClient } from "../github/octokit.js";
import { upsertExecuteCheckRun, upsertResultComments } from "../github/publish-execution-result.js";
import { publishStatusComment } from "../github/publish-status-comment.js";
import { priorExecution } from "../plan-pull-request/earlier-runs.js";
import {
  type ResultStatement,
  renderExecuteCheckRun,
  renderExecutionResult,
} from "../render/render-execution-result.js";
import { renderExecutedStatus } from "../render/render-status-comment.js";
import type { ExecutionOutcome as ExecutorOutcome, ResultColumn } from "../runner/execute/execution-types.js";
import type { ExecutionRow, ReportRefs } from "../runner/ledger/execution-ledger.js";
import type { ReportContext } from "../runner/ledger/execution-worker.js";
import { maskedColumnIndexes, statementReadsMaskedColumn } from "../runner/mask-columns.js";
import { isRunPayload, type RunPayload } from "../runner/run-payload.js";
import type { StateStore } from "../store/state-store.js";

export interface ReportDeps {
  store: StateStore;
  /** An installation-scoped client, as Probot would hand a webhook handler. */
  auth: (installationId: number) => Promise<GitHubClient>;
  /** The branch audit records go to. */
  auditBranch?: string;
}

/** Between the parts of a result too long for one comment, in the markdown the ledger keeps. */
export const RESULT_PART_SEPARATOR = "\n\n";

/**
 * Reports one final ledger row, idempotently: the audit record (found by key when already committed), the
 * result comment(s) (found by their hidden marker and edited) and the `querygate/execute` check run (found
 * by `external_id` = key). Masked columns are masked before anything leaves this function. The result's
 * markdown and title go back to the ledger with the refs, so the API reads results from the app's own state.
 */
export function createExecutionReporter(deps: ReportDeps) {
  return async (row: ExecutionRow, context: ReportContext): Promise<ReportRefs> => {
    if (!isRunPayload(row.payload)) throw new Error(`execution ${row.key} has no run payload to report from`);
    const payload = row.payload;
    const octokit = await deps.auth(payload.installationId);
    const outcome = isExecutorOutcome(context.details) ? context.details : null;
    const statements = reportedStatements(payload, outcome);

    const entry = auditEntry(row, payload, outcome, statements);
    const committed = await commitAuditRecord(octokit, {
      owner: payload.owner,
      repo: payload.repo,
      entry,
      ...(deps.auditBranch ? { branch: deps.auditBranch } : {}),
    });
    await deps.store.recordAuditHead({
      repo: `${payload.owner}/${payload.repo}`,
      seq: committed.entry.seq,
      hash: committed.entry.hash,
      commitSha: committed.commitSha,
    });

    const result = {
      key: row.key,
      outcome: row.state as "succeeded" | "failed" | "rolled_back" | "needs_verification",
      resolution: row.resolution ?? "worker",
      target: { name: payload.target.name, environment: payload.target.environment },
      requestPath: payload.unit.requestPath,
      headSha: payload.headSha,
      approvers: payload.approvals.map((a) => ({ login: a.login, reviewId: a.reviewId })),
      triggeredBy: payload.triggeredBy,
      trigger: payload.trigger,
      startedAt: row.startedAt?.toISOString() ?? null,
      endedAt: (row.endedAt ?? new Date()).toISOString(),
      xid: row.xid,
      error: outcome?.error
        ? {
            sqlstate: outcome.error.sqlstate,
            message: outcome.error.message,
            detail: outcome.error.detail,
            hint: outcome.error.hint,
            line: errorLine(payload, outcome.error.statementIndex, outcome.error.line),
            statementIndex: outcome.error.statementIndex,
            kind: outcome.error.kind,
            ...(outcome.error.ceiling ? { ceiling: outcome.error.ceiling } : {}),
          }
        : row.message
          ? {
              sqlstate: row.sqlstate,
              message: row.message,
              detail: null,
              hint: null,
              line: null,
              statementIndex: null,
            }
          : undefined,
      statements: statements.filter((s): s is ResultStatement => s !== null),
      maskInForce: payload.unit.statements.some((s) => s.mask.length > 0),
      maxRows: payload.unit.shownRows,
      auditHead: { hash: committed.entry.hash, commitSha: committed.commitSha },
    };
    // Rendered once: these exact (masked) bodies are posted and kept in the ledger for the API.
    const bodies = renderExecutionResult(result);
    const checkRun = renderExecuteCheckRun(result);
    const commentIds = await upsertResultComments(octokit, {
      owner: payload.owner,
      repo: payload.repo,
      pullNumber: payload.pullNumber,
      bodies,
    });
    const checkRunId = await upsertExecuteCheckRun(octokit, {
      owner: payload.owner,
      repo: payload.repo,
      headSha: payload.headSha,
      detailsUrl: payload.htmlUrl,
      key: row.key,
      output: checkRun,
    });
    const pullRequest = { repo: row.repo, pullNumber: payload.pullNumber };
    const executions = await deps.store.listExecutions({ ...pullRequest, headSha: payload.headSha });
    const everyHead = await deps.store.listPullRequestExecutions(pullRequest);
    await publishStatusComment({
      octokit,
      store: deps.store,
      owner: payload.owner,
      repo: payload.repo,
      pullNumber: payload.pullNumber,
      // This row is not marked reported yet, but its outcome is final.
      body: renderExecutedStatus({
        headSha: payload.headSha,
        executions: executions.map((e) =>
          e.requestPath === payload.unit.requestPath ? { ...e, state: row.state } : e,
        ),
        priorExecutions: everyHead.map((e) => priorExecution(e, payload.htmlUrl)),
      }),
      create: true,
      searchExisting: true,
    });
    return {
      commentId: commentIds[0] ?? null,
      checkRunId,
      auditCommitSha: committed.commitSha,
      resultMarkdown: bodies.join(RESULT_PART_SEPARATOR),
      resultTitle: checkRun.title,
    };
  };
}

/** The statements that completed, with their masks applied; null for those that did not run. */
function reportedStatements(
  payload: RunPayload,
  outcome: ExecutorOutcome | null,
): Array<ResultStatement | null> {
  return payload.unit.statements.map((s) => {
    const r = outcome?.statements.find((x) => x.index === s.index);
    if (!r) return null;
    const columns = r?.columns ?? [];
    const masked = maskedColumnIndexes({
      columns,
      maskPatterns: s.mask,
      statementReadsMasked: statementReadsMaskedColumn({ columnsRead: s.columnsRead, maskPatterns: s.mask }),
    });
    return {
      index: s.index,
      line: s.tokenLine,
      command: r.command,
      rowCount: r.rowCount,
      ...(r.columns ? { columns: r.columns } : {}),
      // Masked values are dropped here, so no later step can show them.
      ...(r.rows ? { rows: r.rows.map((values) => values.map((v, i) => (masked.has(i) ? null : v))) } : {}),
      ...(r.truncated !== undefined ? { truncated: r.truncated } : {}),
      masked,
    };
  });
}

function auditEntry(
  row: ExecutionRow,
  payload: RunPayload,
  outcome: ExecutorOutcome | null,
  statements: Array<ResultStatement | null>,
): NewAuditEntry {
  return {
    version: 1,
    key: row.key,
    repo: `${payload.owner}/${payload.repo}`.toLowerCase(),
    pull_request: payload.pullNumber,
    head_sha: payload.headSha.toLowerCase(),
    request: {
      path: payload.unit.requestPath,
      statements: payload.unit.statements.map((s) => ({
        index: s.index,
        byte_start: s.byteStart,
        byte_end: s.byteEnd,
        hash: s.hash,
        params_hash: paramsHash(s.params),
      })),
    },
    policy: {
      commit_sha: payload.policy.commitSha.toLowerCase(),
      files: payload.policy.files.map((f) => ({ path: f.path, blob_sha: f.blobSha.toLowerCase() })),
      decision_id: row.fingerprint,
      matched_rules: payload.policy.matchedRules,
    },
    approvals: payload.approvals.map((a) => ({
      login: a.login,
      review_id: a.reviewId,
      commit_id: a.commitId.toLowerCase(),
      teams: a.teams,
    })),
    executor: {
      triggered_by: payload.triggeredBy,
      trigger: payload.trigger,
      triggered_at: payload.triggeredAt,
      worker: row.claimedBy,
    },
    target: {
      name: payload.target.name,
      engine: payload.target.engine,
      environment: payload.target.environment,
      role: null,
      transaction_id: row.xid,
    },
    execution: {
      started_at: row.startedAt?.toISOString() ?? null,
      ended_at: (row.endedAt ?? new Date()).toISOString(),
      outcome: row.state as NewAuditEntry["execution"]["outcome"],
      resolution: row.resolution ?? "worker",
      sqlstate: row.sqlstate,
      results: outcome
        ? statements
            .filter((s): s is ResultStatement => s !== null)
            .map((s) => ({
              index: s.index,
              rows: s.rowCount,
              // Over the rows the runner kept (masked as shown), not every row the database returned.
              result_digest:
                s.columns && s.rows
                  ? resultDigest({
                      columns: s.columns.map((c: ResultColumn) => c.name),
                      rows: s.rows,
                      masked: s.columns
                        .filter((_: ResultColumn, i: number) => s.masked.has(i))
                        .map((c: ResultColumn) => c.name),
                    })
                  : null,
            }))
        : null,
    },
  };
}

function isExecutorOutcome(value: unknown): value is ExecutorOutcome {
  return typeof value === "object" && value !== null && Array.isArray((value as ExecutorOutcome).statements);
}

/**
 * The executor counts lines from the first character of the statement's text, comments included; an error
 * without a position points there. Errors always point at a token, so never above the first one.
 */
function errorLine(payload: RunPayload, index: number | null, line: number | null): number | null {
  const statement = payload.unit.statements.find((s) => s.index === index);
  if (!statement) return line;
  return Math.max(line ?? statement.tokenLine, statement.tokenLine);
}
