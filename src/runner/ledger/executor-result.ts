import type { ExecutionOutcome as ExecutorOutcome } from "../execute/execution-types.js";
import type { FinalState } from "./execution-ledger.js";
import type { ExecuteResult } from "./execution-worker.js";

const STATES: Record<ExecutorOutcome["status"], FinalState | "unknown"> = {
  committed: "succeeded",
  read: "succeeded",
  rolled_back: "rolled_back",
  failed: "failed",
  // COMMIT was sent but its answer never came: the worker resolves it with pg_xact_status.
  unknown: "unknown",
};

/**
 * Maps the executor's outcome (src/runner/execute) onto what the ledger records; the whole outcome
 * (result rows included) goes on as `details`, for the reporter of the same process.
 */
export function toExecuteResult(outcome: ExecutorOutcome): ExecuteResult {
  return {
    // The executor rolls back a write whose statement failed; for the record that is a failure (the
    // database refused), not a rollback on purpose (the row ceiling).
    state:
      outcome.status === "rolled_back" && outcome.error && outcome.error.kind !== "over_ceiling"
        ? "failed"
        : STATES[outcome.status],
    sqlstate: outcome.error?.sqlstate ?? null,
    message: outcome.error?.message ?? null,
    rowCounts: outcome.statements.map((statement) => statement.rowCount),
    details: outcome,
  };
}
