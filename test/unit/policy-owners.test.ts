import { describe, expect, it } from "vitest";
import type { ReviewedStatement } from "../../src/lint/review-statements.js";
import { compilePolicy } from "../../src/policy/evaluate/compile-policy.js";
import { evaluateRequest } from "../../src/policy/evaluate/evaluate-policy.js";
import { compileGlob, maskGlobMatches } from "../../src/policy/evaluate/glob-pattern.js";
import { compileOwnerIndex } from "../../src/policy/evaluate/owner-index.js";
import { statementSubjects } from "../../src/policy/evaluate/statement-subjects.js";
import type { Decision, OwnerEntry, Policy, Principal } from "../../src/policy/policy-types.js";
import {
  loadedPolicy,
  loadedTarget,
  ownerEntries,
  SOURCE,
  team,
  user,
} from "../support/builders/policy-model.js";
import { reviewSql } from "../support/parse-sql.js";

const NOW = new Date("2025-03-05T12:00:00Z");
const TARGET = "orders-prod";

function first(sql: string): ReviewedStatement {
  const [statement] = reviewSql(sql);
  if (!statement) throw new Error("no statement");
  return statement;
}

function policyWith(owners: OwnerEntry[]): Policy {
  return loadedPolicy({
    targets: { [TARGET]: loadedTarget(TARGET, "production", { connection: { env: "ORDERS_PROD_URL" } }) },
    owners,
  });
}

function evaluate(entries: OwnerEntry[], sql: string): Decision {
  return evaluateRequest({
    policy: compilePolicy(policyWith(entries)),
    request: {
      path: "queries/q.sql",
      target: TARGET,
      reason: "test",
      ticket: null,
      author: "alice",
      actor: "user",
      labels: [],
    },
    statements: reviewSql(sql),
    now: NOW,
  });
}

/** subject → winning pattern, from the first statement's trace. */
function winners(decision: Decision): Record<string, string | null> {
  return Object.fromEntries((decision.statements[0]?.trace.owners ?? []).map((o) => [o.subject, o.pattern]));
}

describe("subjects", () => {
  it("names each touched object target/schema.name and each column target/schema.table.column", () => {
    const s = statementSubjects(first("UPDATE orders SET status = 'x' WHERE orders.id = 1"), TARGET);
    expect(s.objects).toEqual(["orders-prod/public.orders"]);
    expect(s.columns.sort()).toEqual(["orders-prod/public.orders.id", "orders-prod/public.orders.status"]);
  });

  it("takes columns read, written and filtered", () => {
    const s = statementSubjects(first("UPDATE t SET a = b WHERE c = 1"), TARGET);
    expect(s.columns.sort()).toEqual([
      "orders-prod/public.t.a",
      "orders-prod/public.t.b",
      "orders-prod/public.t.c",
    ]);
  });

  it("puts an unqualified name in public, the fixed search_path's schema", () => {
    expect(statementSubjects(first("SELECT id FROM orders"), TARGET).objects).toEqual([
      "orders-prod/public.orders",
    ]);
    expect(statementSubjects(first("SELECT id FROM sales.orders"), TARGET).objects).toEqual([
      "orders-prod/sales.orders",
    ]);
  });

  it("attributes a column to the object its qualifier names", () => {
    const s = statementSubjects(first("SELECT orders.email, customers.id FROM orders, customers"), TARGET);
    expect(s.columns.sort()).toEqual(["orders-prod/public.customers.id", "orders-prod/public.orders.email"]);
  });

  it("attributes an unqualified column to every object of the statement", () => {
    const s = statementSubjects(first("SELECT email FROM orders, customers"), TARGET);
    expect(s.columns.sort()).toEqual([
      "orders-prod/public.customers.email",
      "orders-prod/public.orders.email",
    ]);
  });

  it("attributes a column qualified by an alias (unknown to the analysis) to every object", () => {
    const s = statementSubjects(first("SELECT c.ssn FROM customers c JOIN orders o ON o.cid = c.id"), TARGET);
    expect(s.columns).toContain("orders-prod/public.customers.ssn");
    expect(s.columns).toContain("orders-prod/public.orders.ssn");
  });

  it("does not trust a qualifier that is also an alias: `customers AS orders` could hide customers.ssn", () => {
    const s = statementSubjects(first("SELECT orders.ssn FROM customers AS orders, orders AS o2"), TARGET);
    expect(s.columns.sort()).toEqual(["orders-prod/public.customers.ssn", "orders-prod/public.orders.ssn"]);
  });

  it("ignores `*` columns for owners but keeps the table", () => {
    const d = evaluate(
      ownerEntries(["*/public.customers.*", [team("acme", "privacy")]]),
      "SELECT * FROM customers",
    );
    expect(Object.keys(winners(d))).toEqual(["orders-prod/public.customers"]);
    expect(d.requirements.map((r) => r.source)).toEqual(["defaults"]);
  });

  it("keeps identifiers as PostgreSQL folds them: Orders only when quoted", () => {
    expect(statementSubjects(first("SELECT 1 FROM Orders"), TARGET).objects).toEqual([
      "orders-prod/public.orders",
    ]);
    expect(statementSubjects(first('SELECT 1 FROM "Orders"'), TARGET).objects).toEqual([
      "orders-prod/public.Orders",
    ]);
  });
});

describe("globs", () => {
  it("`*` matches any run except / and .", () => {
    const g = compileGlob("*/public.*");
    expect(g.test("orders-prod/public.orders")).toBe(true);
    expect(g.test("orders-prod/public.orders.email")).toBe(false);
    expect(g.test("a/b/public.orders")).toBe(false);
  });

  it("`**` matches any run including / and .", () => {
    expect(compileGlob("**").test("orders-prod/public.orders.email")).toBe(true);
    expect(compileGlob("*/public.**").test("orders-prod/public.orders.email")).toBe(true);
    expect(compileGlob("**.email").test("orders-prod/public.orders.email")).toBe(true);
  });

  it("matches the whole string, literally and case-sensitively", () => {
    expect(compileGlob("orders-prod/public.orders").test("orders-prod/public.orders_archive")).toBe(false);
    expect(compileGlob("*/public.orders").test("x/public.Orders")).toBe(false);
    expect(compileGlob("*/public.o+d").test("x/public.ood")).toBe(false);
    expect(compileGlob("*/public.o+d").test("x/public.o+d")).toBe(true);
  });

  it("mask globs cover schema.table.column and may leave the schema out", () => {
    const col = { schema: "public", table: "customers", column: "ssn" };
    expect(maskGlobMatches(compileGlob("public.customers.ssn"), col)).toBe(true);
    expect(maskGlobMatches(compileGlob("customers.ssn"), col)).toBe(true);
    expect(maskGlobMatches(compileGlob("*.ssn"), col)).toBe(true);
    expect(maskGlobMatches(compileGlob("*.*.ssn"), col)).toBe(true);
    expect(maskGlobMatches(compileGlob("sales.customers.ssn"), col)).toBe(false);
    expect(maskGlobMatches(compileGlob("*.email"), col)).toBe(false);
  });
});

describe("owners", () => {
  it("the last matching entry wins, and reordering changes the winner", () => {
    const broad: [string, Principal[]] = ["*/public.*", [team("acme", "eng")]];
    const narrow: [string, Principal[]] = ["orders-prod/public.payments", [team("acme", "payments")]];
    const sql = "DELETE FROM payments WHERE id = 1";
    expect(winners(evaluate(ownerEntries(broad, narrow), sql))["orders-prod/public.payments"]).toBe(
      "orders-prod/public.payments",
    );
    expect(winners(evaluate(ownerEntries(narrow, broad), sql))["orders-prod/public.payments"]).toBe(
      "*/public.*",
    );
    const d = evaluate(ownerEntries(narrow, broad), sql);
    expect(d.requirements.map((r) => r.from)).toEqual([[team("acme", "eng")]]);
  });

  it("an entry without owners leaves the subject unowned", () => {
    const d = evaluate(
      ownerEntries(["*/public.*", [team("acme", "eng")]], ["*/public.scratch", []]),
      "DELETE FROM scratch WHERE id = 1",
    );
    expect(winners(d)["orders-prod/public.scratch"]).toBe("*/public.scratch");
    expect(d.statements[0]?.trace.owners[0]?.owners).toEqual([]);
    expect(d.requirements.map((r) => r.source)).toEqual(["defaults"]);
  });

  it("every owned subject needs one approval from its owners; subjects with the same owners share one", () => {
    const d = evaluate(
      ownerEntries(
        ["*/public.orders", [team("acme", "eng")]],
        ["*/public.customers", [team("acme", "eng")]],
        ["*/public.customers.ssn", [team("acme", "privacy")]],
      ),
      "SELECT o.id, customers.ssn FROM orders o JOIN customers ON customers.id = o.cid",
    );
    expect(d.requirements).toEqual([
      {
        id: "owners:*/public.orders+*/public.customers",
        source: "owners",
        label: "*/public.orders, */public.customers",
        count: 1,
        from: [team("acme", "eng")],
        statements: [0],
      },
      {
        id: "owners:*/public.customers.ssn",
        source: "owners",
        label: "*/public.customers.ssn",
        count: 1,
        from: [team("acme", "privacy")],
        statements: [0],
      },
    ]);
    expect(d.summary).toContain(
      "Statement 1 (read on public.orders, public.customers) needs 1 approval from @acme/privacy (owners of */public.customers.ssn)",
    );
  });

  it("subjects no entry matches need no owner approval", () => {
    const d = evaluate(
      ownerEntries(["*/sales.*", [team("acme", "sales")]]),
      "SELECT id FROM orders WHERE id = 1",
    );
    expect(winners(d)).toEqual({ "orders-prod/public.orders": null, "orders-prod/public.orders.id": null });
    expect(d.requirements.map((r) => r.id)).toEqual(["defaults"]);
  });

  it("`*/public.*` does not own a column subject; `*/public.**` does", () => {
    const sql = "SELECT email FROM orders WHERE id = 1";
    expect(
      winners(evaluate(ownerEntries(["*/public.*", [user("dana")]]), sql))["orders-prod/public.orders.email"],
    ).toBeNull();
    expect(
      winners(evaluate(ownerEntries(["*/public.**", [user("dana")]]), sql))[
        "orders-prod/public.orders.email"
      ],
    ).toBe("*/public.**");
  });

  it("quoted and unquoted identifiers are different subjects", () => {
    const entries = ownerEntries(["*/public.Orders", [user("dana")]]);
    expect(winners(evaluate(entries, 'SELECT 1 FROM "Orders"'))["orders-prod/public.Orders"]).toBe(
      "*/public.Orders",
    );
    expect(winners(evaluate(entries, "SELECT 1 FROM Orders"))["orders-prod/public.orders"]).toBeNull();
  });

  it("a team and a user are different owner sets", () => {
    const d = evaluate(
      ownerEntries(["*/public.a", [team("acme", "dana")]], ["*/public.b", [user("dana")]]),
      "SELECT 1 FROM a, b",
    );
    expect(d.requirements.map((r) => r.from)).toEqual([[team("acme", "dana")], [user("dana")]]);
  });

  it("traces each subject with its winning pattern, source and owners", () => {
    const d = evaluate(ownerEntries(["*/public.*", [user("dana")]]), "SELECT 1 FROM orders");
    expect(d.statements[0]?.trace.owners).toEqual([
      {
        subject: "orders-prod/public.orders",
        pattern: "*/public.*",
        source: { ...SOURCE, line: 10 },
        owners: [user("dana")],
      },
    ]);
  });
});

describe("owner index", () => {
  it("finds the same winner as a scan from the end, over overlapping and reordered patterns", () => {
    const patterns = [
      "**",
      "*/public.*",
      "*/public.*.*",
      "orders-prod/**",
      "orders-prod/public.orders",
      "orders-prod/public.orders.*",
      "*/public.orders.email",
      "*/*.orders",
      "*/sales.*",
      "orders-*/public.pay*",
      "*/public.*.ssn",
      "orders-prod/public.**",
      "*-prod/*.*",
      "staging/public.orders",
      "*/public.o*s",
      "*/public.**",
      "*/*.orders.**",
      "staging/**",
      "*-prod/sales.**",
    ];
    const subjects = [
      "orders-prod/public.orders",
      "orders-prod/public.orders.email",
      "orders-prod/public.payments",
      "orders-prod/sales.orders",
      "staging/public.orders",
      "staging/public.customers.ssn",
      "other/x.y",
      "orders-prod/public.orders.ssn",
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 200; round++) {
      const picked = patterns.filter(() => random() < 0.5).sort(() => random() - 0.5);
      const entries = ownerEntries(...picked.map((p): [string, Principal[]] => [p, [user("x")]]));
      const index = compileOwnerIndex(entries);
      for (const subject of subjects) {
        let expected = -1;
        for (let i = entries.length - 1; i >= 0; i--) {
          if (compileGlob(entries[i]?.pattern ?? "").test(subject)) {
            expected = i;
            break;
          }
        }
        expect(index.find(subject), `${subject} in ${picked.join(" ")}`).toBe(expected);
      }
    }
  });
});
