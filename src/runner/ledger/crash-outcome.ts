import type { ExecutionOutcome } from "./execution-ledger.js";
import type { TransactionStatus } from "./xact-status.js";

/** What the target said about the recorded transaction id, or why it could not be asked. */
export type XactLookup = { status: TransactionStatus } | { error: string };

/**
 * The final state of an execution whose worker stopped while the row was `running` (docs/execution-ledger.md,
 * "Crash resolution"). Pure: the caller looks the transaction up (`lookup` is undefined when no xid was
 * recorded or the execution is read-only). Nothing here ever leads to running the statement again.
 */
export function crashOutcome(
  row: { readOnly: boolean; xid: string | null },
  lookup: XactLookup | undefined,
  cause?: string,
): ExecutionOutcome {
  const why = cause ? ` (${cause})` : "";
  if (row.readOnly) {
    return {
      state: "failed",
      resolution: "crash_read_only",
      message: `The worker stopped while running this read-only request${why}. A read changes nothing, so there is nothing to undo, but its result was lost: request a new run to see it.`,
    };
  }
  if (row.xid === null) {
    return {
      state: "needs_verification",
      resolution: "crash_unknown",
      message: `The worker stopped before recording the target transaction id${why}, so whether the statement ran cannot be proven. Needs manual verification on the target; it will not be run again automatically.`,
    };
  }
  if (lookup === undefined || "error" in lookup) {
    return {
      state: "needs_verification",
      resolution: "crash_unknown",
      message: `The worker stopped while running this request${why}, and the status of target transaction ${row.xid} could not be read${lookup ? `: ${lookup.error}` : ""}. Needs manual verification; it will not be run again automatically.`,
    };
  }
  switch (lookup.status) {
    case "committed":
      return {
        state: "succeeded",
        resolution: "crash_committed",
        message: `The worker stopped after target transaction ${row.xid} committed${why}: the statement ran once and its changes are in place. Row counts were lost with the worker.`,
      };
    case "aborted":
      return {
        state: "failed",
        resolution: "crash_aborted",
        message: `The worker stopped before target transaction ${row.xid} committed${why}; PostgreSQL rolled it back, so nothing was changed. Request a new run (push a new commit) to try again.`,
      };
    default:
      return {
        state: "needs_verification",
        resolution: "crash_unknown",
        message: `The worker stopped while running this request${why}, and target transaction ${row.xid} is ${lookup.status === null ? "too old for PostgreSQL to know its status" : "still in progress"}. Needs manual verification; it will not be run again automatically.`,
      };
  }
}
