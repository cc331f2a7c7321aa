import type { StatementClass } from "../../sql/statement.js";
import type { ExecutableStatement, ExecutionError, ExecutionInput } from "./execution-types.js";
import { sessionStartup } from "./session-settings.js";

/**
 * - `read`: BEGIN READ ONLY, always rolled back.
 * - `read_lock`: FOR UPDATE/SHARE is refused in a READ ONLY transaction, so READ WRITE — and always
 *   rolled back: a read that locks keeps nothing, and a write hidden in it (a function) is undone.
 * - `write`: one READ WRITE transaction, row ceiling, COMMIT.
 * - `own_transaction`: a single statement PostgreSQL refuses inside a transaction block, without BEGIN.
 */
export type ExecutionMode = "read" | "read_lock" | "write" | "own_transaction";

const EXECUTABLE_CLASSES: ReadonlySet<StatementClass> = new Set([
  "read",
  "read_lock",
  "write",
  "maintenance",
  "ddl",
]);
const READ_CLASSES: ReadonlySet<StatementClass> = new Set(["read", "read_lock"]);

export type ExecutionPlan = { ok: true; mode: ExecutionMode } | { ok: false; error: ExecutionError };

/** Decides how a request runs, or refuses it before any connection is made. */
export function planExecution(
  input: Pick<ExecutionInput, "statements" | "settings" | "maxResultRows" | "maxAffectedRows">,
): ExecutionPlan {
  const { statements } = input;
  if (statements.length === 0) return refuse("the request holds no statement to run");
  for (const statement of statements) {
    if (!EXECUTABLE_CLASSES.has(statement.class)) {
      return refuse(
        `statement ${statement.index + 1} (line ${statement.line}) is classified "${statement.class}", which the runner never executes: only ${[...EXECUTABLE_CLASSES].join(", ")} statements run`,
        statement,
      );
    }
    if (statement.text.trim() === "") return refuse(`statement ${statement.index + 1} is empty`, statement);
  }
  if (!Number.isInteger(input.maxResultRows) || input.maxResultRows < 0) {
    return refuse(`maxResultRows must be an integer ≥ 0 — got ${input.maxResultRows}`);
  }
  if (
    input.maxAffectedRows !== null &&
    (!Number.isInteger(input.maxAffectedRows) || input.maxAffectedRows < 0)
  ) {
    return refuse(`maxAffectedRows must be null or an integer ≥ 0 — got ${input.maxAffectedRows}`);
  }
  try {
    sessionStartup(input.settings);
  } catch (error) {
    return refuse((error as Error).message);
  }

  const alone = statements.find((s) => s.ownTransaction);
  if (alone) {
    if (statements.length > 1) {
      return refuse(
        `statement ${alone.index + 1} (line ${alone.line}) cannot run inside a transaction block (e.g. CREATE INDEX CONCURRENTLY, VACUUM), so it must be the only statement of its request: the others would lose all-or-nothing execution. Move it to a request of its own`,
        alone,
      );
    }
    if (READ_CLASSES.has(alone.class)) {
      return refuse(
        `statement ${alone.index + 1} is a ${alone.class} marked to run outside a transaction: reads only run in a transaction the runner controls`,
        alone,
      );
    }
    return { ok: true, mode: "own_transaction" };
  }
  if (statements.every((s) => s.class === "read")) return { ok: true, mode: "read" };
  if (statements.every((s) => READ_CLASSES.has(s.class))) return { ok: true, mode: "read_lock" };
  return { ok: true, mode: "write" };
}

/** Whether a statement's affected rows count towards maxAffectedRows: everything but reads. */
export function countsTowardsCeiling(statement: ExecutableStatement): boolean {
  return !READ_CLASSES.has(statement.class);
}

function refuse(message: string, statement?: ExecutableStatement): ExecutionPlan {
  return {
    ok: false,
    error: {
      kind: "refused",
      sqlstate: null,
      message,
      detail: null,
      hint: null,
      statementIndex: statement?.index ?? null,
      line: statement?.line ?? null,
    },
  };
}
