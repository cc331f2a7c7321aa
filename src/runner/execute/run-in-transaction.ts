import type pg from "pg";
import type { ExecutionEnding, ExecutionProgress } from "./execution-progress.js";
import type { ExecutionError, ExecutionInput } from "./execution-types.js";
import type { ExecutionMode } from "./plan-execution.js";
import { countsTowardsCeiling } from "./plan-execution.js";
import { resolveColumnOrigins } from "./resolve-column-origins.js";
import { runStatement } from "./run-statement.js";
import { isStatementError, toExecutionError } from "./statement-error.js";
import { type TargetSession, verifySettings } from "./target-session.js";

export type TransactionMode = Exclude<ExecutionMode, "own_transaction">;

const BEGIN: Record<TransactionMode, string> = {
  // One snapshot for every statement of a read request, so they agree with each other.
  read: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
  read_lock: "BEGIN READ WRITE",
  write: "BEGIN READ WRITE",
};
// Taking the snapshot makes READ ONLY final: a later `SET TRANSACTION READ WRITE` is refused (25001).
const TAKE_SNAPSHOT = "SELECT 1";
const CURRENT_XID = "SELECT pg_catalog.pg_current_xact_id()::pg_catalog.text AS xid";

/**
 * Runs every statement of the request in one transaction. Reads (read_lock included) always end in
 * ROLLBACK; a write commits only when every statement succeeded, the cumulative affected rows stayed
 * within the ceiling and the session settings still hold after each statement.
 */
export async function runInTransaction(params: {
  input: ExecutionInput;
  session: TargetSession;
  mode: TransactionMode;
  progress: ExecutionProgress;
}): Promise<ExecutionEnding> {
  const { input, session, mode, progress } = params;
  const { client } = session;
  const expected = mode === "read" ? { ...session.expected, transaction_read_only: "on" } : session.expected;
  const abort = async (
    status: ExecutionEnding["status"],
    error: ExecutionError,
  ): Promise<ExecutionEnding> => {
    await client.query("ROLLBACK").catch(() => undefined);
    return { status, error };
  };

  try {
    await client.query(BEGIN[mode]);
    if (mode === "read") await client.query(TAKE_SNAPSHOT);
    if (mode === "write") {
      const { rows } = await client.query<{ xid: string }>(CURRENT_XID);
      progress.xid = rows[0]?.xid ?? null;
    }
  } catch (error) {
    return abort("failed", toExecutionError(session.connectionError() ?? error, { kind: "transaction" }));
  }
  if (progress.xid !== null) {
    try {
      await input.onTransactionId(progress.xid);
    } catch (error) {
      return abort("failed", toExecutionError(error, { kind: "ledger" }));
    }
  }

  // Once a statement has run, a failure of a write request is a rolled-back transaction.
  const failed = mode === "write" ? "rolled_back" : "failed";
  for (const statement of input.statements) {
    try {
      const result = await runStatement({
        client,
        statement,
        maxResultRows: input.maxResultRows,
        withColumnSources: input.resolveColumnOrigins === true,
      });
      progress.statements.push(result);
    } catch (error) {
      const cause = session.connectionError() ?? error;
      return abort(
        failed,
        toExecutionError(cause, { kind: "statement", statement, settings: input.settings }),
      );
    }
    if (mode === "write" && countsTowardsCeiling(statement)) {
      progress.affectedRows += progress.statements.at(-1)?.rowCount ?? 0;
      if (input.maxAffectedRows !== null && progress.affectedRows > input.maxAffectedRows) {
        return abort("rolled_back", overCeiling(statement, input.maxAffectedRows, progress.affectedRows));
      }
    }
    try {
      await verifySettings({ client, expected });
    } catch (error) {
      return abort(
        failed,
        toExecutionError(session.connectionError() ?? error, { kind: "settings", statement }),
      );
    }
  }

  if (input.resolveColumnOrigins === true) {
    // Same session and transaction: relations the request created resolve too. A failed lookup leaves
    // every origin null (masked when the statement reads a masked column) and the transaction usable.
    await resolveColumnOrigins({ client, statements: progress.statements, inTransaction: true });
  }
  if (mode !== "write") {
    await client.query("ROLLBACK").catch(() => undefined);
    return { status: "read" };
  }
  return commit(session, progress);
}

async function commit(session: TargetSession, progress: ExecutionProgress): Promise<ExecutionEnding> {
  const before = session.connectionError();
  if (before) {
    // COMMIT was never sent: the server rolls the transaction back when the session ends.
    return { status: "rolled_back", error: toExecutionError(before, { kind: "commit" }) };
  }
  let result: pg.QueryResult;
  try {
    result = await session.client.query("COMMIT");
  } catch (error) {
    const cause = session.connectionError() ?? error;
    if (isStatementError(cause))
      return { status: "rolled_back", error: toExecutionError(cause, { kind: "commit" }) };
    const reported = toExecutionError(cause, { kind: "commit" });
    return {
      status: "unknown",
      error: {
        ...reported,
        message: `the connection failed while committing (${reported.message}): the transaction may or may not have committed — ask the target with pg_xact_status('${progress.xid}') before doing anything else`,
      },
    };
  }
  if (result.command !== "COMMIT") {
    return {
      status: "rolled_back",
      error: toExecutionError(new Error(`the server answered ${result.command} to COMMIT`), {
        kind: "commit",
      }),
    };
  }
  return { status: "committed" };
}

function overCeiling(
  statement: ExecutionInput["statements"][number],
  maxAffectedRows: number,
  affectedRows: number,
): ExecutionError {
  return {
    kind: "over_ceiling",
    sqlstate: null,
    message: `statement ${statement.index + 1} (line ${statement.line}) brought the rows affected to ${affectedRows}, over the ceiling of ${maxAffectedRows}: the transaction was rolled back and nothing changed`,
    detail: null,
    hint: "Narrow the WHERE clause, split the change into smaller requests, or ask for a higher max_affected_rows in the policy.",
    statementIndex: statement.index,
    line: statement.line,
    ceiling: { maxAffectedRows, affectedRows },
  };
}
