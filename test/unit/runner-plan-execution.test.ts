import { describe, expect, it } from "vitest";
import type { ExecutableStatement, SessionSettings } from "../../src/runner/execute/execution-types.js";
import { planExecution } from "../../src/runner/execute/plan-execution.js";
import type { StatementClass } from "../../src/sql/statement.js";

const settings: SessionSettings = {
  statementTimeoutMs: 1_000,
  lockTimeoutMs: 1_000,
  idleInTransactionTimeoutMs: 1_000,
  applicationName: "qg",
  searchPath: ["public"],
};

function request(...classes: (StatementClass | [StatementClass, "alone"])[]): ExecutableStatement[] {
  return classes.map((c, index) => ({
    index,
    text: "SELECT 1",
    params: [],
    class: Array.isArray(c) ? c[0] : c,
    line: index * 2 + 1,
    ownTransaction: Array.isArray(c),
  }));
}

function plan(
  statements: ExecutableStatement[],
  extra: { maxResultRows?: number; maxAffectedRows?: number | null } = {},
) {
  return planExecution({ statements, settings, maxResultRows: 10, maxAffectedRows: null, ...extra });
}

describe("planExecution", () => {
  it("picks the mode from the strictest class of the request", () => {
    expect(plan(request("read", "read"))).toEqual({ ok: true, mode: "read" });
    expect(plan(request("read", "read_lock"))).toEqual({ ok: true, mode: "read_lock" });
    expect(plan(request("read", "write"))).toEqual({ ok: true, mode: "write" });
    expect(plan(request("ddl", "maintenance"))).toEqual({ ok: true, mode: "write" });
    expect(plan(request(["ddl", "alone"]))).toEqual({ ok: true, mode: "own_transaction" });
  });

  it("refuses classes the runner never executes, naming the statement and its line", () => {
    for (const klass of ["rejected", "admin", "dcl"] as const) {
      const planned = plan(request("read", klass));
      expect(planned.ok).toBe(false);
      if (!planned.ok) {
        expect(planned.error).toMatchObject({ kind: "refused", statementIndex: 1, line: 3 });
        expect(planned.error.message).toContain(`statement 2 (line 3) is classified "${klass}"`);
      }
    }
  });

  it("refuses a statement that must run alone next to others, and a read outside a transaction", () => {
    const mixed = plan(request("write", ["ddl", "alone"]));
    expect(mixed.ok || mixed.error.message).toMatch(/must be the only statement of its request/);
    const read = plan(request(["read", "alone"]));
    expect(read.ok || read.error.message).toMatch(/reads only run in a transaction/);
  });

  it("refuses an empty request, bad limits and bad settings", () => {
    expect(plan([]).ok).toBe(false);
    expect(plan(request("read"), { maxResultRows: -1 }).ok).toBe(false);
    expect(plan(request("write"), { maxAffectedRows: 1.5 }).ok).toBe(false);
    const noTimeout = planExecution({
      statements: request("read"),
      settings: { ...settings, statementTimeoutMs: 0 },
      maxResultRows: 10,
      maxAffectedRows: null,
    });
    expect(noTimeout.ok || noTimeout.error.message).toMatch(/statementTimeoutMs/);
  });
});
