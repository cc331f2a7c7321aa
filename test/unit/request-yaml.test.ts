import { describe, expect, it } from "vitest";
import type { Action } from "../../src/requests/actions/action-types.js";
import { loadActions } from "../../src/requests/actions/load-actions.js";
import type { RequestProblem } from "../../src/requests/parse-sql-header.js";
import { MAX_POSITIONAL_PARAMS, MAX_YAML_REQUEST_BYTES } from "../../src/requests/request-limits.js";
import {
  parseYamlRequest,
  type YamlRequest,
  type YamlRequestResult,
} from "../../src/requests/yaml-request/parse-yaml-request.js";

const REFUND_ORDER = `name: refund-order
description: Refund part of an order
target: orders-prod
sql: |
  UPDATE orders SET refunded = refunded + $2 WHERE id = $1
params:
  - { name: order_id, type: bigint, min: 1 }
  - { name: amount, type: numeric, min: 0.01, max: 1000, scale: 2 }
  - { name: note, type: text, max_length: 200, required: false }
  - { name: line_ids, type: "bigint[]", max_items: 3, required: false }
limits: { max_affected_rows: 1 }
`;

const loaded = loadActions([
  { path: "actions/refund-order.yml", content: REFUND_ORDER },
  { path: "actions/broken.yml", content: "name: broken\n" },
]);
const actions: ReadonlyMap<string, Action> = loaded.actions;
const invalidActions = loaded.ok ? new Set<string>() : loaded.invalid;

function parse(content: string, path = "queries/refund.yml"): YamlRequestResult {
  return parseYamlRequest({ path, content, actions, invalidActions });
}

function request(content: string): YamlRequest {
  const result = parse(content);
  if (!result.ok) throw new Error(`expected a valid request: ${JSON.stringify(result.errors, null, 2)}`);
  return result.request;
}

function problems(content: string): RequestProblem[] {
  const result = parse(content);
  if (result.ok) throw new Error("expected problems");
  return result.errors;
}

describe("parseYamlRequest: an action and named params", () => {
  it("binds the action's parameters, reading 19.90 exactly as written", () => {
    expect(
      request(`reason: Customer was charged twice
ticket: SUP-1234
max_rows: 1
action: refund-order
params: { order_id: 42, amount: 19.90 }
`),
    ).toEqual({
      target: "orders-prod",
      reason: "Customer was charged twice",
      ticket: "SUP-1234",
      maxRows: 1,
      sql: "UPDATE orders SET refunded = refunded + $2 WHERE id = $1\n",
      values: ["42", "19.90", null, null],
      named: { order_id: 42, amount: 19.9, note: null, line_ids: null },
      action: "refund-order",
      sqlSource: { path: "actions/refund-order.yml", line: 5 },
      limits: { maxAffectedRows: 1 },
    });
  });

  it("reads numbers digit for digit: trailing zeros kept, a quoted bigint past 2^53 exact", () => {
    const r = request(`reason: r
action: refund-order
target: orders-prod
params:
  order_id: "9007199254740993"
  amount: 1000.00
  line_ids: [1, "9223372036854775807"]
`);
    expect(r.values).toEqual(["9007199254740993", "1000.00", null, '{"1","9223372036854775807"}']);
    expect(r.named).toMatchObject({
      order_id: "9007199254740993",
      amount: 1000,
      line_ids: ["1", "9223372036854775807"],
    });
  });

  it("refuses an unquoted number a double cannot hold, at its line, saying to quote it", () => {
    expect(
      problems(`reason: r
action: refund-order
params:
  order_id: 9007199254740993
  amount: 5
`),
    ).toEqual([
      {
        line: 4,
        column: 1,
        message:
          'params.order_id: 9007199254740993 is beyond 2^53 − 1 (9007199254740991), where a YAML or JSON number loses digits for refund-order\'s order_id (bigint) — write it as a quoted string: "9007199254740993"',
      },
    ]);
  });

  it("reports each refused value at its own line, naming the parameter and the rule", () => {
    expect(
      problems(`reason: r
action: refund-order
params:
  order_id: 0
  amount: 1000.5
  note: ok
  line_ids:
    - 1
    - x
`),
    ).toEqual([
      {
        line: 4,
        column: 1,
        message: "params.order_id: 0 is below the minimum 1 for refund-order's order_id (bigint, min 1)",
      },
      {
        line: 5,
        column: 1,
        message:
          "params.amount: 1000.5 is above the maximum 1000 for refund-order's amount (numeric, max 1000)",
      },
      {
        line: 9,
        column: 1,
        message:
          'params.line_ids[1]: "x" is not a whole number for refund-order\'s line_ids (array of bigint) — write digits only, e.g. 42',
      },
    ]);
  });

  it("refuses unknown and missing parameters", () => {
    const found = problems(`reason: r
action: refund-order
params:
  order_id: 1
  amout: 5
`);
    expect(found).toEqual([
      {
        line: 3,
        column: 1,
        message: expect.stringMatching(/^params\.amount: missing — refund-order's amount/),
      },
      {
        line: 5,
        column: 1,
        message:
          "params.amout: refund-order has no parameter `amout` — did you mean `amount`? (its parameters: order_id, amount, note, line_ids)",
      },
    ]);
  });

  it("keeps an injection attempt as a bound value: verbatim in values, the SQL text unchanged", () => {
    const attack = "'; DROP TABLE orders; --";
    const r = request(`reason: r
action: refund-order
params:
  order_id: 1
  amount: 1
  note: "${attack}"
`);
    expect(r.values[2]).toBe(attack);
    expect(r.named.note).toBe(attack);
    expect(r.sql).toBe("UPDATE orders SET refunded = refunded + $2 WHERE id = $1\n");
    expect(r.sql).toBe(actions.get("refund-order")?.sql);
  });

  it("checks the target against the action's, and names unknown or broken actions", () => {
    expect(
      problems(
        "reason: r\naction: refund-order\ntarget: orders-staging\nparams: { order_id: 1, amount: 1 }\n",
      ),
    ).toEqual([
      {
        line: 3,
        column: 1,
        message:
          '`target` is "orders-staging" but action refund-order runs on orders-prod: remove `target` (it comes from the action) or set it to orders-prod',
      },
    ]);
    expect(
      request("reason: r\naction: refund-order\ntarget: orders-prod\nparams: { order_id: 1, amount: 1 }\n")
        .target,
    ).toBe("orders-prod");
    expect(problems("reason: r\naction: refund-ordr\n")[0]?.message).toBe(
      "unknown action `refund-ordr` — did you mean `refund-order`?: actions are the files in actions/ on the base branch (refund-order)",
    );
    expect(problems("reason: r\naction: broken\n")[0]?.message).toBe(
      "action broken has errors in actions/broken.yml: it cannot run until they are fixed",
    );
    expect(problems("reason: r\naction: refund-order\nparams: [1, 2]\n")[0]).toMatchObject({
      line: 3,
      message: expect.stringMatching(/^an action's `params` are named: write `params: \{ order_id: … \}`/),
    });
  });
});

describe("parseYamlRequest: target, sql and positional params", () => {
  it("binds positional values as $1…, each checked, with the SQL's first line for annotations", () => {
    const r = request(`target: orders-prod
reason: Close stale carts
sql: |
  -- carts older than the cutoff
  UPDATE carts SET status = $1
  WHERE updated_at < $2 AND id = ANY($3) AND total > $4
params:
  - closed
  - { value: "2026-03-01T00:00:00Z", type: timestamp }
  - { value: [1, 2], type: "bigint[]" }
  - 19.90
  - null
  - true
`);
    expect(r).toEqual({
      target: "orders-prod",
      reason: "Close stale carts",
      ticket: null,
      maxRows: null,
      sql: "-- carts older than the cutoff\nUPDATE carts SET status = $1\nWHERE updated_at < $2 AND id = ANY($3) AND total > $4\n",
      values: ["closed", "2026-03-01T00:00:00Z", '{"1","2"}', "19.90", null, "true"],
      named: { p1: "closed", p2: "2026-03-01T00:00:00Z", p3: ["1", "2"], p4: 19.9, p5: null, p6: true },
      action: null,
      sqlSource: { path: "queries/refund.yml", line: 4 },
      limits: null,
    });
  });

  it("keeps an injection attempt in a positional value out of the SQL text", () => {
    const attack = "x' OR '1'='1";
    const r = request(
      `target: orders-prod\nreason: r\nsql: SELECT * FROM orders WHERE code = $1\nparams: ["${attack}"]\n`,
    );
    expect(r.values).toEqual([attack]);
    expect(r.sql).toBe("SELECT * FROM orders WHERE code = $1");
    expect(r.sqlSource.line).toBe(3);
  });

  it("reports positional values that do not fit, at their line", () => {
    expect(
      problems(`target: orders-prod
reason: r
sql: SELECT $1, $2, $3
params:
  - { value: "2026-02-30", type: date }
  - { value: 1, type: int, max: 0 }
  - { vale: 1, type: int }
`),
    ).toEqual([
      {
        line: 5,
        column: 1,
        message: 'params[0]: "2026-02-30" is not a real date: February 2026 has 28 days for $1 (date)',
      },
      { line: 6, column: 1, message: "params[1]: 1 is above the maximum 0 for $2 (int, max 0)" },
      { line: 7, column: 1, message: expect.stringMatching(/^unknown key `vale` — did you mean `value`\?/) },
      { line: 7, column: 1, message: "`params[2]` has no `value`: write `{ value: …, type: … }`" },
    ]);
    const many = Array.from({ length: MAX_POSITIONAL_PARAMS + 1 }, () => "1").join(", ");
    expect(problems(`target: t\nreason: r\nsql: SELECT 1\nparams: [${many}]\n`)[0]?.message).toMatch(
      new RegExp(`more than ${MAX_POSITIONAL_PARAMS}`),
    );
    expect(problems("target: t\nreason: r\nsql: SELECT $1\nparams: { a: 1 }\n")[0]?.message).toMatch(
      /must be a list.*named params are for actions/,
    );
  });

  it("takes the SQL only as reviewers read it", () => {
    const base = "target: orders-prod\nreason: r\n";
    expect(problems(`${base}sql: >\n  SELECT 1 -- note\n  FROM t\n`)[0]).toMatchObject({
      line: 3,
      message: expect.stringMatching(/folded block/),
    });
    expect(problems(`${base}sql: "SELECT 1;\\u000aDROP TABLE t"\n`)[0]?.message).toMatch(/double-quoted/);
    expect(problems(`${base}sql: SELECT 1\n  FROM t\n`)[0]?.message).toMatch(/spans several lines/);
    expect(problems(`${base}sql: "   "\n`)[0]?.message).toMatch(/double-quoted|empty/);
    expect(request(`${base}sql: |\n\n  SELECT 1\n`).sqlSource.line).toBe(4);
  });
});

describe("parseYamlRequest: the file itself", () => {
  it("refuses unknown keys with a did-you-mean, at their line", () => {
    expect(problems("resaon: r\naction: refund-order\nparms: { order_id: 1, amount: 1 }\n")).toEqual([
      {
        line: 1,
        column: 1,
        message:
          "unknown key `resaon` — did you mean `reason`? (top-level keys: reason, ticket, max_rows, action, params, target, sql)",
      },
      {
        line: 1,
        column: 1,
        message: "missing `reason`: add `reason:` saying why this must run (it goes into the audit record)",
      },
      { line: 2, column: 1, message: expect.stringMatching(/^params\.order_id: missing/) },
      { line: 2, column: 1, message: expect.stringMatching(/^params\.amount: missing/) },
      {
        line: 3,
        column: 1,
        message: expect.stringMatching(/^unknown key `parms` — did you mean `params`\?/),
      },
    ]);
    expect(problems("reason: r\ntemplate: refund-order\n").find((p) => p.line === 2)).toMatchObject({
      line: 2,
      message: expect.stringMatching(/^`template` is now `action`/),
    });
  });

  it("needs exactly one of action or sql, and a reason", () => {
    expect(problems("reason: r\ntarget: t\n")[0]?.message).toMatch(/^missing what to run/);
    expect(problems("reason: r\naction: refund-order\nsql: SELECT 1\n")[0]?.message).toMatch(
      /either `action`.* or `sql`, not both/,
    );
    expect(problems("target: t\nsql: SELECT 1\nreason: ''\n")[0]).toMatchObject({
      line: 3,
      message: expect.stringMatching(/reason/),
    });
    expect(problems("target: t\nsql: SELECT 1\nreason: r\nmax_rows: -1\n")[0]).toMatchObject({ line: 4 });
    expect(problems("target: Orders\nsql: SELECT 1\nreason: r\n")[0]).toMatchObject({
      line: 1,
      message: expect.stringMatching(/target/),
    });
    expect(request("target: t\nsql: SELECT 1\nreason: r\nticket: 1234\n").ticket).toBe("1234");
  });

  it("refuses aliases, duplicate keys, several documents, non-mappings and oversized files", () => {
    expect(problems("reason: &r why\ntarget: t\nsql: SELECT $1\nparams: [*r]\n")).toEqual([
      {
        line: 4,
        column: 1,
        message:
          "aliases (`*r`) are not accepted in a request file: write the value out, so reviewers see exactly what is used",
      },
    ]);
    expect(problems("reason: r\nreason: s\ntarget: t\nsql: SELECT 1\n")[0]).toMatchObject({
      line: 2,
      message:
        "`reason` is given twice in the same mapping: keep one (YAML would otherwise silently drop the first)",
    });
    expect(problems("reason: r\n---\nreason: s\n")[0]?.message).toMatch(/2 YAML documents/);
    expect(problems("- a\n")[0]?.message).toMatch(/^a request file is a mapping/);
    expect(problems("")[0]?.message).toMatch(/^the file is empty/);
    expect(problems("reason: [unclosed\n")[0]?.message).toMatch(/^not valid YAML/);
    expect(problems(`reason: r\n# ${"x".repeat(MAX_YAML_REQUEST_BYTES)}\n`)[0]?.message).toMatch(
      /over the 1 MiB/,
    );
  });
});
