import type { ExecutionEnding, ExecutionProgress } from "./execution-progress.js";
import type { ExecutionInput } from "./execution-types.js";
import { countsTowardsCeiling } from "./plan-execution.js";
import { resolveColumnOrigins } from "./resolve-column-origins.js";
import { runStatement } from "./run-statement.js";
import { isStatementError, toExecutionError } from "./statement-error.js";
import type { TargetSession } from "./target-session.js";

/**
 * The one statement of a request that cannot run inside a transaction block (CREATE INDEX CONCURRENTLY,
 * VACUUM…): sent without BEGIN, so PostgreSQL commits it by itself. There is nothing to roll back, so no
 * row ceiling applies; such statements change no rows.
 */
export async function runAlone(params: {
  input: ExecutionInput;
  session: TargetSession;
  progress: ExecutionProgress;
}): Promise<ExecutionEnding> {
  const { input, session, progress } = params;
  const [statement] = input.statements;
  if (!statement) throw new Error("runAlone needs exactly one statement");
  try {
    const result = await runStatement({
      client: session.client,
      statement,
      maxResultRows: input.maxResultRows,
      withColumnSources: input.resolveColumnOrigins === true,
    });
    progress.statements.push(result);
    if (countsTowardsCeiling(statement)) progress.affectedRows += result.rowCount;
  } catch (error) {
    const cause = session.connectionError() ?? error;
    const reported = toExecutionError(cause, { kind: "statement", statement, settings: input.settings });
    if (isStatementError(cause)) return { status: "failed", error: reported };
    // The server may have finished (or half-finished) the statement before the connection broke.
    return {
      status: "unknown",
      error: {
        ...reported,
        message: `the connection failed while the statement ran outside a transaction (${reported.message}): it may have completed, or left something half done (e.g. an INVALID index) — check the target before running it again`,
      },
    };
  }
  if (input.resolveColumnOrigins === true) {
    // The statement has committed by itself; the lookup never throws, and a failed one leaves origins null.
    await resolveColumnOrigins({
      client: session.client,
      statements: progress.statements,
      inTransaction: false,
    });
  }
  return { status: "committed" };
}
