import type { ExecutionEnding, ExecutionProgress } from "./execution-progress.js";
import type { ExecutionInput, ExecutionOutcome } from "./execution-types.js";
import { planExecution } from "./plan-execution.js";
import { runAlone } from "./run-alone.js";
import { runInTransaction } from "./run-in-transaction.js";
import { toExecutionError } from "./statement-error.js";
import { openTargetSession, SettingsMismatchError, type TargetSession } from "./target-session.js";

/**
 * Runs an approved request's statements against its target under the database-side guards (DESIGN.md,
 * invariant 5). Never throws for what the database or the request does: every ending is an outcome.
 * The connection string never appears in the outcome.
 */
export async function executeStatements(input: ExecutionInput): Promise<ExecutionOutcome> {
  const startedAt = input.clock().toISOString();
  const progress: ExecutionProgress = { statements: [], affectedRows: 0, xid: null };
  const ending = await execute(input, progress);
  if (input.resolveColumnOrigins === true) {
    // Results of a request that stopped before the lookup have no origin: masking treats them as unknown.
    for (const column of progress.statements.flatMap((s) => s.columns ?? [])) column.origin ??= null;
  }
  return {
    status: ending.status,
    statements: progress.statements,
    affectedRows: progress.affectedRows,
    xid: progress.xid,
    ...(ending.error ? { error: ending.error } : {}),
    startedAt,
    endedAt: input.clock().toISOString(),
  };
}

async function execute(input: ExecutionInput, progress: ExecutionProgress): Promise<ExecutionEnding> {
  const plan = planExecution(input);
  if (!plan.ok) return { status: "failed", error: plan.error };

  let session: TargetSession;
  try {
    session = await openTargetSession({ connectionString: input.connectionString, settings: input.settings });
  } catch (error) {
    const kind = error instanceof SettingsMismatchError ? "settings" : "connect";
    return { status: "failed", error: toExecutionError(error, { kind }) };
  }
  try {
    return plan.mode === "own_transaction"
      ? await runAlone({ input, session, progress })
      : await runInTransaction({ input, session, mode: plan.mode, progress });
  } finally {
    await session.close();
  }
}
