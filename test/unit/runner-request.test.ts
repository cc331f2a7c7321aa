import { describe, expect, it } from "vitest";
import type { ApprovalStatus } from "../../src/approvals/approval-types.js";
import { mayStart } from "../../src/decide-run/may-start.js";
import type { ExecutionUnit } from "../../src/plan-pull-request/execution-units.js";
import { fingerprintChanges, runFingerprint } from "../../src/plan-pull-request/fingerprint.js";
import { connectionEnvFor } from "../../src/runner/run-payload.js";

const approval: ApprovalStatus = {
  statuses: [],
  approvals: [
    { reviewId: 1, login: "dana", commitId: "c", ignored: null, counted: ["x"] },
    { reviewId: 2, login: "eve", commitId: "c", ignored: null, counted: [] },
    { reviewId: 3, login: "dave", commitId: "old", ignored: "stale_commit", counted: [] },
  ],
  changeRequests: [],
  satisfied: true,
  problems: [],
};
const start = (over: Partial<Parameters<typeof mayStart>[0]>) =>
  mayStart({
    runBy: ["author", "approvers"],
    sender: "alice",
    senderIsBot: false,
    author: "alice",
    approval,
    trigger: "button",
    ...over,
  });

describe("mayStart", () => {
  it("lets the author and approvers whose approval counted start a run, and nobody else", () => {
    expect(start({})).toBeNull();
    expect(start({ sender: "Dana" })).toBeNull();
    expect(start({ sender: "eve" })).toMatch(/^Nothing ran: @eve may not start this run/);
    expect(start({ sender: "dave" })).toMatch(/@dave may not start/);
    expect(start({ sender: "mallory" })).toContain(
      "the author (@alice) or an approver whose approval counted (@dana)",
    );
  });

  it("follows run_by", () => {
    expect(start({ runBy: ["approvers"] })).toMatch(/@alice may not start/);
    expect(start({ runBy: ["author"], sender: "dana" })).toMatch(/@dana may not start/);
  });

  it("never lets a bot start a run, not even its own request; auto runs are the app's", () => {
    expect(start({ sender: "agent[bot]", author: "agent[bot]", senderIsBot: true })).toMatch(
      /bots never start runs/,
    );
    expect(start({ sender: "querygate[bot]", senderIsBot: false, trigger: "auto", author: "x" })).toBeNull();
  });
});

const unit = (over: Partial<ExecutionUnit> = {}): ExecutionUnit => ({
  requestPath: "queries/a.sql",
  target: "orders-prod",
  parserVersion: "libpg-query@15",
  class: "write",
  readOnly: false,
  execute: "on_approval",
  maxAffectedRows: 1,
  maxResultRows: 1000,
  shownRows: 50,
  statementTimeoutMs: 30_000,
  statements: [
    {
      index: 0,
      text: "UPDATE t SET a = 1 WHERE id = 1",
      params: [],
      class: "write",
      line: 1,
      tokenLine: 3,
      ownTransaction: false,
      hash: "sha256:aa",
      byteStart: 0,
      byteEnd: 30,
      columnsRead: [],
      mask: [],
    },
  ],
  ...over,
});

describe("runFingerprint", () => {
  const base = {
    headSha: "a".repeat(40),
    baseRef: "main",
    policyFiles: [{ path: "policies/q.yml", blobSha: "b".repeat(40) }],
    units: [unit()],
  };
  it("is stable, and names each part that changed", () => {
    expect(runFingerprint(base).digest).toBe(runFingerprint({ ...base }).digest);
    const changed = runFingerprint({
      ...base,
      policyFiles: [{ path: "policies/q.yml", blobSha: "c".repeat(40) }],
      units: [unit({ target: "orders-staging" })],
    });
    const changes = fingerprintChanges(runFingerprint(base), changed);
    expect(changes).toHaveLength(2);
    expect(changes[0]).toMatch(/^policy: [0-9a-f]{7} → [0-9a-f]{7}$/);
    expect(changes[1]).toBe("queries/a.sql: target: orders-prod → orders-staging");
  });

  it("sees a changed statement, a new request file and a parser upgrade", () => {
    const changes = fingerprintChanges(
      runFingerprint(base),
      runFingerprint({
        ...base,
        units: [
          unit({
            parserVersion: "libpg-query@16",
            statements: unit().statements.map((st) => ({ ...st, hash: "sha256:bb" })),
          }),
          unit({ requestPath: "queries/b.sql" }),
        ],
      }),
    );
    // Each file records the grammar its own target was analysed with.
    expect(changes).toContain("queries/a.sql: parser: libpg-query@15 → libpg-query@16");
    expect(changes.some((c) => c.startsWith("queries/a.sql: statements:"))).toBe(true);
    expect(changes).toContain("queries/b.sql: target: new since the approval");
  });
});

describe("connectionEnvFor", () => {
  const target = {
    name: "orders-prod",
    engine: "postgres" as const,
    environment: "production",
    connection: { env: "URL", read: "READ_URL", write: "WRITE_URL", ddl: "DDL_URL" },
    searchPath: ["public"],
  };
  it("picks the role of the unit's class, falling back to connection.env", () => {
    expect(connectionEnvFor({ target, unit: unit({ readOnly: true, class: "read" }) })).toBe("READ_URL");
    expect(connectionEnvFor({ target, unit: unit() })).toBe("WRITE_URL");
    expect(connectionEnvFor({ target, unit: unit({ class: "ddl" }) })).toBe("DDL_URL");
    expect(
      connectionEnvFor({ target: { ...target, connection: { env: "URL" } }, unit: unit({ class: "ddl" }) }),
    ).toBe("URL");
  });
});
