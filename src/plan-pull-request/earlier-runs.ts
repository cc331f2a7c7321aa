import type { ExecutionUnit } from "./execution-units.js";
import { type RequestIdentity, sameRequest } from "./same-request.js";

/**
 * Ledger states that changed nothing on the target: the request may run again, on a later head commit and
 * with that head's approvals. Every other state — queued, running, succeeded, needs_verification (which is
 * never retried: it may have committed) — means the request ran, or may have.
 */
const NOTHING_CHANGED: readonly string[] = ["failed", "rolled_back"];

/** An execution of this pull request in the app's ledger, on any of its head commits: a fact the handler gathers. */
export interface PriorExecution extends RequestIdentity {
  key: string;
  requestPath: string;
  headSha: string;
  /** The ledger state (src/runner/ledger/execution-ledger.ts). */
  state: string;
  queuedAt: Date;
  endedAt: Date | null;
  /** The result comment on the pull request; null until reported. */
  resultUrl: string | null;
}

/** Pure: a ledger row as the planner takes it, with the link to its result comment once reported. */
export function priorExecution(
  row: Omit<PriorExecution, "resultUrl"> & { commentId: number | null },
  pullRequestUrl: string,
): PriorExecution {
  return {
    key: row.key,
    requestPath: row.requestPath,
    headSha: row.headSha,
    target: row.target,
    statements: row.statements,
    state: row.state,
    queuedAt: row.queuedAt,
    endedAt: row.endedAt,
    resultUrl: row.commentId === null ? null : `${pullRequestUrl}#issuecomment-${row.commentId}`,
  };
}

/** A request file of this pull request that is the same request as one that ran on an earlier head commit. */
export interface EarlierRun {
  /** The request file as it is now. */
  requestPath: string;
  /**
   * False: it already ran (or is queued, running, or needs verification) — it does not run again, whatever
   * the approvals. True: its last run changed nothing (failed or rolled back); this head's approvals may run
   * it again.
   */
  runsAgain: boolean;
  /** The execution it matched: the latest that blocks, else the latest. */
  execution: {
    key: string;
    /** The path it ran as (a file moved with the same statements is the same request). */
    requestPath: string;
    headSha: string;
    state: string;
    /** When it ended, or when it was queued if it has not ended: ISO 8601. */
    at: string;
    resultUrl: string | null;
  };
}

/**
 * Pure: which execution units are requests that already ran on an earlier head commit of this pull request.
 * A unit with an execution on the current head is left to that execution (the ledger's key holds it, and
 * the status comment reports it).
 */
export function earlierRuns(p: {
  units: readonly ExecutionUnit[];
  prior: readonly PriorExecution[];
  headSha: string;
}): EarlierRun[] {
  const head = p.headSha.toLowerCase();
  const out: EarlierRun[] = [];
  for (const unit of p.units) {
    const identity = identityOf(unit);
    const same = p.prior.filter((e) => sameRequest(identity, e));
    if (same.length === 0 || same.some((e) => e.headSha.toLowerCase() === head)) continue;
    const blocking = same.filter((e) => !NOTHING_CHANGED.includes(e.state));
    const match = latest(blocking.length > 0 ? blocking : same);
    out.push({
      requestPath: unit.requestPath,
      runsAgain: blocking.length === 0,
      execution: {
        key: match.key,
        requestPath: match.requestPath,
        headSha: match.headSha,
        state: match.state,
        at: (match.endedAt ?? match.queuedAt).toISOString(),
        resultUrl: match.resultUrl,
      },
    });
  }
  return out;
}

/** Pure: a unit's identity as a request (statements, parameters, target). */
export function identityOf(unit: ExecutionUnit): RequestIdentity {
  return {
    target: unit.target,
    statements: unit.statements.map((s) => ({ index: s.index, hash: s.hash, params: s.params })),
  };
}

function latest(executions: PriorExecution[]): PriorExecution {
  return executions.reduce((a, b) => (b.queuedAt.getTime() >= a.queuedAt.getTime() ? b : a));
}
