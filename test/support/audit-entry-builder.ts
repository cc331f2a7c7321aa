import type { AuditStatement, NewAuditEntry } from "../../src/audit/audit-types.js";
import { resultDigest } from "../../src/audit/result-digest.js";
import { statementHash } from "../../src/audit/statement-hash.js";

/** A request file with two statements, and where each lies in it (byte offsets). */
export const REQUEST_PATH = "queries/fix-order.sql";
export const REQUEST_TEXT =
  "-- target: orders-prod\n-- reason: fix the café order ☕\nUPDATE orders SET status = 'paid' WHERE id = 42;\nSELECT 'né';\n";
const TEXTS = ["UPDATE orders SET status = 'paid' WHERE id = 42;", "SELECT 'né';"] as const;

export function statementAt(index: 0 | 1): AuditStatement & { text: string } {
  const text = TEXTS[index];
  const bytes = Buffer.from(REQUEST_TEXT, "utf8");
  const byteStart = bytes.indexOf(Buffer.from(text, "utf8"));
  return {
    text,
    index,
    byte_start: byteStart,
    byte_end: byteStart + Buffer.byteLength(text),
    hash: statementHash(text),
    params_hash: null,
  };
}

/** The statements of entry n: both as one transaction when n % 3 = 0, else the UPDATE (even n) or the SELECT. */
export function unitOf(n: number): Array<0 | 1> {
  if (n % 3 === 0) return [0, 1];
  return n % 2 === 0 ? [0] : [1];
}

/** A complete, valid new entry; `n` varies the key, the unit and the time; `overrides` replace top-level fields. */
export function newEntry(
  n: number,
  overrides: Partial<NewAuditEntry> & { headSha?: string } = {},
): NewAuditEntry {
  const { headSha, ...rest } = overrides;
  const unit = unitOf(n);
  const minute = String(n % 60).padStart(2, "0");
  return {
    version: 1,
    key: n.toString(16).padStart(64, "0"),
    repo: "acme/db",
    pull_request: 7,
    head_sha: headSha ?? "a".repeat(40),
    request: {
      path: REQUEST_PATH,
      statements: unit.map((index) => {
        const { text: _text, ...statement } = statementAt(index);
        return statement;
      }),
    },
    policy: {
      commit_sha: "b".repeat(40),
      files: [{ path: "policies/querygate.yml", blob_sha: "c".repeat(40) }],
      decision_id: `sha256:${n.toString(16).padStart(64, "d")}`,
      matched_rules: ["prod-writes-need-two-dbas"],
    },
    approvals: [
      { login: "dana", review_id: 101, commit_id: "a".repeat(40), teams: ["acme/dba"] },
      { login: "dmitri", review_id: 102, commit_id: "a".repeat(40), teams: ["acme/dba", "acme/eng"] },
    ],
    executor: {
      triggered_by: "alice",
      trigger: "button",
      triggered_at: `2025-03-04T09:${minute}:00.000Z`,
      worker: "worker-1",
    },
    target: {
      name: "orders-prod",
      engine: "postgres",
      environment: "production",
      role: "querygate_write",
      transaction_id: String(48_000 + n),
    },
    execution: {
      started_at: `2025-03-04T10:${minute}:00.000Z`,
      ended_at: `2025-03-04T10:${minute}:00.250Z`,
      outcome: "succeeded",
      resolution: "worker",
      sqlstate: null,
      results: unit.map((index) => ({
        index,
        rows: 1,
        result_digest: index === 1 ? resultDigest({ columns: ["?column?"], rows: [["né"]] }) : null,
      })),
    },
    ...rest,
  };
}
