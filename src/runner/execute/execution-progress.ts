import type { ExecutionError, ExecutionStatus, StatementResult } from "./execution-types.js";

/** What has happened so far; the outcome is built from it whatever way the execution ends. */
export interface ExecutionProgress {
  statements: StatementResult[];
  affectedRows: number;
  xid: string | null;
}

export interface ExecutionEnding {
  status: ExecutionStatus;
  error?: ExecutionError;
}
