import { describe, expect, it } from "vitest";
import { loadActions } from "../../src/requests/actions/load-actions.js";
import { approvalsFrom, ORDERS_PROD, policy, rule } from "../support/builders/policy-file.js";
import { compilePolicyText, evaluateFile } from "../support/compile-policy-text.js";

const POLICY = policy({
  targets: { "orders-prod": ORDERS_PROD },
  rules: [
    rule("small-refunds-by-support", {
      when: { action: ["refund-order"], params: { amount: { lte: 100 } } },
      require: approvalsFrom(1, "@acme/support"),
    }),
    rule("large-refunds-need-finance", {
      when: { action: ["refund-order"], params: { amount: { gt: 100 } } },
      require: approvalsFrom(1, "@acme/finance"),
    }),
    rule("cel-sees-the-action", {
      if: 'request.action == "refund-order" && request.params.order_id > 0',
      lint: { "update-without-where": "off" },
    }),
  ],
});
const ACTION = `name: refund-order
description: Refund part of an order
target: orders-prod
sql: |
  UPDATE orders SET refunded = refunded + $2 WHERE id = $1
params:
  - { name: order_id, type: bigint, min: 1 }
  - { name: amount, type: numeric, min: 0.01, max: 1000, scale: 2 }
`;

async function decide(params: string) {
  const actions = loadActions([{ path: "actions/refund-order.yml", content: ACTION }]);
  return evaluateFile({
    policy: compilePolicyText(POLICY),
    path: "queries/refund.yml",
    text: `reason: Refund (SUP-1)\naction: refund-order\nparams: ${params}\n`,
    actions: { actions: actions.actions, invalid: new Set() },
    now: new Date("2026-11-22T10:00:00Z"),
  });
}

describe("policies decide on action names and parameter values", () => {
  it("refunds up to 100 need support, above that finance; the limit and one past it", async () => {
    const at = await decide("{ order_id: 42, amount: 100.00 }");
    const past = await decide("{ order_id: 42, amount: 100.01 }");
    expect(at.ok && at.decision.requirements.map((r) => r.id)).toEqual(["rule:small-refunds-by-support"]);
    expect(past.ok && past.decision.requirements.map((r) => r.id)).toEqual([
      "rule:large-refunds-need-finance",
    ]);
  });

  it("binds the values as $1, $2, exactly as written, and CEL sees request.action", async () => {
    const e = await decide("{ order_id: 42, amount: 19.90 }");
    expect(e.ok).toBe(true);
    if (!e.ok) return;
    expect(e.values).toEqual(["42", "19.90"]);
    expect(e.statements[0]?.text).toBe("UPDATE orders SET refunded = refunded + $2 WHERE id = $1\n");
    const trace = e.decision.statements[0]?.trace.rules.find((r) => r.rule === "cel-sees-the-action");
    expect(trace?.matched).toBe(true);
  });

  it("refuses a value outside its type before any decision", async () => {
    const e = await decide("{ order_id: 42, amount: 1000.5 }");
    expect(e.ok).toBe(false);
    if (!e.ok) expect(e.errors[0]?.message).toMatch(/^params\.amount: 1000\.5 is above the maximum 1000/);
  });
});
