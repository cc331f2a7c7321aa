import { describe, expect, it } from "vitest";
import { type Action, NumberText } from "../../src/requests/actions/action-types.js";
import { bindActionParams, type ParamError } from "../../src/requests/actions/bind-action-params.js";
import { type ActionFileInput, loadActions } from "../../src/requests/actions/load-actions.js";
import { arrayLiteral } from "../../src/requests/actions/validate-value.js";
import {
  DEFAULT_ARRAY_MAX_ITEMS,
  DEFAULT_TEXT_MAX_LENGTH,
  MAX_ACTION_FILE_BYTES,
  MAX_PARAMS_PER_ACTION,
} from "../../src/requests/request-limits.js";
import { isActionPath, isSqlRequestPath, isYamlRequestPath } from "../../src/requests/request-paths.js";

const REFUND_ORDER = `name: refund-order
description: Refund part of an order
target: orders-prod
sql: |
  UPDATE orders SET refunded = refunded + $2 WHERE id = $1
params:
  - { name: order_id, type: bigint, min: 1 }
  - { name: amount, type: numeric, min: 0.01, max: 1000, scale: 2 }
limits: { max_affected_rows: 1 }
`;

/** One parameter of every type, at known limits; $k is the k-th. */
const EVERY_TYPE = `name: every-type
description: One parameter of each type
target: orders-prod
sql: |
  SELECT $1::int, $2::bigint, $3::numeric, $4::text, $5::text, $6::uuid, $7::text, $8::date,
         $9::timestamptz, $10::boolean, $11::bigint[], $12::text, $13::int
params:
  - { name: small, type: int }
  - { name: big, type: bigint }
  - { name: amount, type: numeric, min: -5, max: 1000, scale: 2 }
  - { name: note, type: text, max_length: 5 }
  - { name: ticket, type: text, pattern: "[A-Z]{3}-[0-9]+" }
  - { name: id, type: uuid }
  - { name: status, type: enum, values: [refund, chargeback, goodwill] }
  - { name: day, type: date }
  - { name: at, type: timestamp }
  - { name: dry_run, type: boolean }
  - { name: ids, type: array, items: { type: bigint, min: 1 }, max_items: 3 }
  - { name: comment, type: text, required: false }
  - { name: batch, type: int, min: 1, max: 500, default: 100 }
`;

function load(...files: ActionFileInput[]): Map<string, Action> {
  const result = loadActions(files);
  if (!result.ok) throw new Error(`expected valid actions: ${JSON.stringify(result.errors, null, 2)}`);
  return result.actions;
}

function action(name: string, content: string): Action {
  const found = load({ path: `actions/${name}.yml`, content }).get(name);
  if (!found) throw new Error(`no action ${name}`);
  return found;
}

function loadErrors(path: string, content: string) {
  const result = loadActions([{ path, content }]);
  if (result.ok) throw new Error("expected errors");
  return result.errors;
}

const everyType = action("every-type", EVERY_TYPE);
const VALID: Record<string, unknown> = {
  small: new NumberText("7", 7),
  big: new NumberText("8", 8),
  amount: new NumberText("19.90", 19.9),
  note: "hello",
  ticket: "SUP-12",
  id: "0b4f6a3e-2c1d-4e5f-8a9b-0c1d2e3f4a5b",
  status: "refund",
  day: "2026-03-01",
  at: "2026-03-01T09:30:00Z",
  dry_run: true,
  ids: [new NumberText("1", 1)],
};

/** Binds the valid set with one parameter replaced; returns the bound text and named value of that one. */
function bindOne(name: string, value: unknown): { text: string | null; named: unknown } {
  const result = bindActionParams({ action: everyType, given: { ...VALID, [name]: value } });
  if (!result.ok) throw new Error(`expected ${name} to bind: ${JSON.stringify(result.errors, null, 2)}`);
  const position = everyType.params.findIndex((p) => p.name === name);
  return { text: result.values[position] ?? null, named: result.named[name] };
}

function refuseOne(name: string, value: unknown): ParamError {
  const result = bindActionParams({ action: everyType, given: { ...VALID, [name]: value } });
  if (result.ok) throw new Error(`expected ${name} = ${String(value)} to be refused`);
  expect(result.errors).toHaveLength(1);
  const [error] = result.errors;
  if (!error) throw new Error("no error");
  expect(error.param).toBe(name);
  return error;
}

describe("loadActions", () => {
  it("reads an action: ordered params bind $1, $2…, exact numeric bounds, limits and the SQL's line", () => {
    const refund = action("refund-order", REFUND_ORDER);
    expect(refund).toEqual({
      name: "refund-order",
      description: "Refund part of an order",
      target: "orders-prod",
      sql: "UPDATE orders SET refunded = refunded + $2 WHERE id = $1\n",
      params: [
        {
          name: "order_id",
          position: 1,
          spec: { type: "bigint", min: "1", max: null },
          required: true,
          default: null,
          line: 7,
        },
        {
          name: "amount",
          position: 2,
          spec: { type: "numeric", min: "0.01", max: "1000", scale: 2 },
          required: true,
          default: null,
          line: 8,
        },
      ],
      limits: { maxAffectedRows: 1 },
      source: { path: "actions/refund-order.yml", line: 1, sqlLine: 5 },
    });
  });

  it("applies the default caps and reads defaults, optional params and `<type>[]`", () => {
    const a = action(
      "caps",
      `name: caps
description: d
target: t
sql: SELECT $1, $2, $3
params:
  - { name: note, type: text }
  - { name: ids, type: "uuid[]", max_items: 2 }
  - { name: limit_rows, type: int, default: 10 }
`,
    );
    expect(a.params.map((p) => [p.name, p.spec, p.required, p.default])).toEqual([
      ["note", { type: "text", maxLength: DEFAULT_TEXT_MAX_LENGTH, pattern: null }, true, null],
      ["ids", { type: "array", items: { type: "uuid" }, maxItems: 2 }, true, null],
      ["limit_rows", { type: "int", min: null, max: null }, false, { text: "10", named: 10 }],
    ]);
    expect(a.source.sqlLine).toBe(4);
    const arrays = action(
      "arr",
      "name: arr\ndescription: d\ntarget: t\nsql: SELECT $1\nparams:\n  - { name: ids, type: array, items: { type: int } }\n",
    );
    expect(arrays.params[0]?.spec).toEqual({
      type: "array",
      items: { type: "int", min: null, max: null },
      maxItems: DEFAULT_ARRAY_MAX_ITEMS,
    });
  });

  it("reports each mistake with file, line, key and what to change", () => {
    const errors = loadErrors(
      "actions/refund-order.yml",
      `name: refund-orders
descripton: Refund part of an order
target: orders-prod
sql: |
  UPDATE orders SET refunded = refunded + $2 WHERE id = $1
params:
  - { name: order_id, type: bigint, min: 10, max: 1 }
  - { name: amount, type: numerc }
  - { name: note, type: text, scale: 2 }
  - { name: note, type: text, pattern: "([a-z]" }
  - { name: kind, type: enum, values: [a, a] }
  - { name: n, type: int, default: 5000000000 }
limits: { max_affected_row: 1 }
`,
    );
    const at = errors.map((e) => [e.line, e.key]);
    expect(at).toEqual([
      [1, ""],
      [1, "name"],
      [2, "descripton"],
      [7, "params[0].min"],
      [8, "params[1].type"],
      [9, "params[2].scale"],
      [10, "params[3].name"],
      [10, "params[3].pattern"],
      [11, "params[4].values[1]"],
      [12, "params[5].default"],
      [13, "limits.max_affected_row"],
    ]);
    const message = (key: string) => errors.find((e) => e.key === key)?.message;
    expect(message("name")).toBe(
      "`name` is refund-orders but the file is actions/refund-order.yml: rename the file to actions/refund-orders.yml or set `name: refund-order`",
    );
    expect(message("descripton")).toMatch(/^unknown key `descripton` — did you mean `description`\?/);
    expect(errors.find((e) => e.line === 1 && e.key === "")?.message).toMatch(/^missing `description`/);
    expect(message("params[0].min")).toBe("`min` 10 is above `max` 1: no value could be given — swap them");
    expect(message("params[1].type")).toMatch(/got "numerc" — did you mean `numeric`\?$/);
    expect(message("params[2].scale")).toMatch(/^`scale` does not apply to a text parameter/);
    expect(message("params[3].name")).toMatch(/declared twice \(first as params\[2\]\)/);
    expect(message("params[3].pattern")).toMatch(/is not a valid JavaScript regular expression/);
    expect(message("params[4].values[1]")).toMatch(/"a" is listed twice/);
    expect(message("params[5].default")).toMatch(
      /5000000000 is outside the int range, -2147483648 to 2147483647/,
    );
    expect(message("limits.max_affected_row")).toMatch(/did you mean `max_affected_rows`\?/);
    for (const error of errors) expect(error.file).toBe("actions/refund-order.yml");
  });

  it("refuses what is not an action file, params as a mapping, and oversized files", () => {
    const result = loadActions([
      { path: "actions/sub/x.yml", content: REFUND_ORDER },
      {
        path: "actions/refund-order.yml",
        content: REFUND_ORDER.replace(/params:[\s\S]*limits/, "params: { order_id: bigint }\nlimits"),
      },
      { path: "actions/big.yml", content: `# ${"x".repeat(MAX_ACTION_FILE_BYTES)}\n` },
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => [e.file, e.line, e.message.slice(0, 40)])).toEqual([
      ["actions/big.yml", 1, "the file is 65539 bytes, over the 64 KiB"],
      ["actions/refund-order.yml", 6, "`params` must be a list — its order is t"],
      ["actions/sub/x.yml", 1, "not an action file: actions are `actions"],
    ]);
    expect(result.invalid).toEqual(new Set(["big", "refund-order"]));
  });

  it("keeps the valid actions when another is broken", () => {
    const result = loadActions([
      { path: "actions/refund-order.yml", content: REFUND_ORDER },
      { path: "actions/broken.yml", content: "name: broken\n" },
    ]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect([...result.actions.keys()]).toEqual(["refund-order"]);
    expect(result.invalid).toEqual(new Set(["broken"]));
  });

  it("caps the number of parameters", () => {
    const params = Array.from(
      { length: MAX_PARAMS_PER_ACTION + 1 },
      (_, i) => `  - { name: p${i}, type: int }`,
    );
    const errors = loadErrors(
      "actions/many.yml",
      `name: many\ndescription: d\ntarget: t\nsql: SELECT 1\nparams:\n${params.join("\n")}\n`,
    );
    expect(errors.map((e) => e.message)).toEqual([
      `\`params\` has ${MAX_PARAMS_PER_ACTION + 1} entries, more than ${MAX_PARAMS_PER_ACTION}: split the action`,
    ]);
  });

  it("refuses SQL whose text would differ from what reviewers read", () => {
    const base = "name: s\ndescription: d\ntarget: t\n";
    expect(loadErrors("actions/s.yml", `${base}sql: >\n  SELECT 1 -- c\n  FROM t\n`)[0]?.message).toMatch(
      /folded block/,
    );
    expect(loadErrors("actions/s.yml", `${base}sql: "SELECT 1\\nDELETE FROM t"\n`)[0]?.message).toMatch(
      /double-quoted/,
    );
    expect(loadErrors("actions/s.yml", `${base}sql: SELECT 1\n  FROM t\n`)[0]?.message).toMatch(
      /spans several lines/,
    );
  });
});

describe("bindActionParams", () => {
  const refund = action("refund-order", REFUND_ORDER);

  it("binds in declaration order, as text, with numbers exactly as written", () => {
    const result = bindActionParams({
      action: refund,
      given: { amount: new NumberText("19.90", 19.9), order_id: new NumberText("42", 42) },
    });
    expect(result).toEqual({ ok: true, values: ["42", "19.90"], named: { order_id: 42, amount: 19.9 } });
  });

  it("names the parameter and the rule when a value is out of bounds", () => {
    const result = bindActionParams({
      action: refund,
      given: { order_id: 42, amount: new NumberText("1000.5", 1000.5) },
      lineOf: (path) => (path[0] === "amount" ? 9 : 1),
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          param: "amount",
          rule: "max",
          message:
            "params.amount: 1000.5 is above the maximum 1000 for refund-order's amount (numeric, max 1000)",
          line: 9,
        },
      ],
    });
  });

  it("refuses unknown parameters (with a suggestion) and missing required ones", () => {
    const result = bindActionParams({
      action: refund,
      given: { amout: 1 },
      lineOf: (p) => (p.length === 0 ? 3 : 4),
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      {
        param: "amout",
        rule: "unknown",
        message:
          "params.amout: refund-order has no parameter `amout` — did you mean `amount`? (its parameters: order_id, amount)",
        line: 4,
      },
      {
        param: "order_id",
        rule: "required",
        message:
          "params.order_id: missing — refund-order's order_id (bigint) is required: add `order_id: …` under `params`",
        line: 3,
      },
      {
        param: "amount",
        rule: "required",
        message:
          "params.amount: missing — refund-order's amount (numeric) is required: add `amount: …` under `params`",
        line: 3,
      },
    ]);
  });

  it("binds defaults, NULL for absent optional params, and null only where optional", () => {
    const result = bindActionParams({ action: everyType, given: VALID });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.values.slice(-2)).toEqual([null, "100"]);
    expect(result.named.comment).toBeNull();
    expect(result.named.batch).toBe(100);
    expect(bindOne("comment", null)).toEqual({ text: null, named: null });
    expect(bindOne("batch", new NumberText("500", 500))).toEqual({ text: "500", named: 500 });
    expect(refuseOne("note", null).rule).toBe("required");
  });

  it("int: 32-bit bounds, whole numbers only", () => {
    expect(bindOne("small", new NumberText("2147483647", 2147483647)).text).toBe("2147483647");
    expect(bindOne("small", new NumberText("-2147483648", -2147483648)).text).toBe("-2147483648");
    expect(bindOne("small", "42")).toEqual({ text: "42", named: 42 });
    expect(refuseOne("small", new NumberText("2147483648", 2147483648))).toMatchObject({
      rule: "range",
      message:
        "params.small: 2147483648 is outside the int range, -2147483648 to 2147483647 for every-type's small (int)",
    });
    expect(refuseOne("small", new NumberText("-2147483649", -2147483649)).rule).toBe("range");
    expect(refuseOne("small", new NumberText("1.5", 1.5)).message).toMatch(/1\.5 is not a whole number/);
    expect(refuseOne("small", new NumberText("0x1A", 26)).rule).toBe("format");
    expect(refuseOne("small", "1e3").rule).toBe("format");
    expect(refuseOne("small", true).rule).toBe("type");
    expect(refuseOne("batch", new NumberText("501", 501))).toMatchObject({
      rule: "max",
      message: "params.batch: 501 is above the maximum 500 for every-type's batch (int, max 500)",
    });
  });

  it("bigint: beyond 2^53 only as a decimal string; a number there would have lost digits", () => {
    expect(bindOne("big", new NumberText("9007199254740991", 9007199254740991))).toEqual({
      text: "9007199254740991",
      named: 9007199254740991,
    });
    // YAML `big: 9007199254740993` reads as the double 9007199254740992: refused, with the fix.
    expect(refuseOne("big", new NumberText("9007199254740993", 9007199254740992))).toMatchObject({
      rule: "exact",
      message:
        'params.big: 9007199254740993 is beyond 2^53 − 1 (9007199254740991), where a YAML or JSON number loses digits for every-type\'s big (bigint) — write it as a quoted string: "9007199254740993"',
    });
    // From JSON: a plain number past 2^53 is refused the same way.
    expect(refuseOne("big", 2 ** 53).rule).toBe("exact");
    // As a string it is exact; policies see it as a string (a range on it is then unknown: fail closed).
    expect(bindOne("big", "9007199254740993")).toEqual({
      text: "9007199254740993",
      named: "9007199254740993",
    });
    expect(bindOne("big", "9223372036854775807").text).toBe("9223372036854775807");
    expect(bindOne("big", "-9223372036854775808").text).toBe("-9223372036854775808");
    expect(refuseOne("big", "9223372036854775808").rule).toBe("range");
    expect(refuseOne("ids", [new NumberText("0", 0)]).message).toBe(
      "params.ids[0]: 0 is below the minimum 1 for every-type's ids (array of bigint, min 1)",
    );
  });

  it("numeric: exact decimal text, scale and bounds compared exactly", () => {
    expect(bindOne("amount", new NumberText("19.90", 19.9))).toEqual({ text: "19.90", named: 19.9 });
    expect(bindOne("amount", "1000.00")).toEqual({ text: "1000.00", named: 1000 });
    expect(bindOne("amount", "-5")).toEqual({ text: "-5", named: -5 });
    expect(bindOne("amount", 0.1)).toEqual({ text: "0.1", named: 0.1 });
    expect(refuseOne("amount", "1000.01").rule).toBe("max");
    expect(refuseOne("amount", "-5.01").message).toBe(
      "params.amount: -5.01 is below the minimum -5 for every-type's amount (numeric, min -5)",
    );
    expect(refuseOne("amount", new NumberText("19.905", 19.905))).toMatchObject({
      rule: "scale",
      message:
        "params.amount: 19.905 has 3 digits after the point, more than the scale 2 for every-type's amount (numeric, scale 2) — round it to 2 decimal places",
    });
    // A YAML number a double cannot hold exactly is refused rather than rounded…
    expect(refuseOne("amount", new NumberText("999.99999999999999999", 1000)).rule).toBe("exact");
    // …and a bound is never compared through a double: 1000.0000000000000001 is above 1000.
    expect(refuseOne("amount", "1000.0000000000000001").rule).toBe("max");
    expect(refuseOne("amount", new NumberText(".inf", Number.POSITIVE_INFINITY)).rule).toBe("format");
    expect(refuseOne("amount", "19,90").rule).toBe("format");
  });

  it("text: max_length in characters, anchored pattern, no NUL", () => {
    expect(bindOne("note", "abcde").text).toBe("abcde");
    expect(bindOne("note", "😀😀😀😀😀").text).toBe("😀😀😀😀😀");
    expect(refuseOne("note", "abcdef")).toMatchObject({
      rule: "max_length",
      message:
        "params.note: the text is 6 characters, over the maximum 5 for every-type's note (text, max_length 5)",
    });
    expect(refuseOne("note", "a\u0000b").rule).toBe("format");
    expect(refuseOne("note", new NumberText("42", 42)).message).toBe(
      'params.note: 42 is not a string for every-type\'s note (text) — quote it: "42"',
    );
    expect(bindOne("ticket", "SUP-12").text).toBe("SUP-12");
    for (const wrong of ["xSUP-12", "SUP-12x", "SUP-12\n", "sup-12"]) {
      expect(refuseOne("ticket", wrong)).toMatchObject({
        rule: "pattern",
        message: `params.ticket: ${JSON.stringify(wrong)} does not match the pattern [A-Z]{3}-[0-9]+ for every-type's ticket (text, pattern [A-Z]{3}-[0-9]+)`,
      });
    }
    const long = "x".repeat(DEFAULT_TEXT_MAX_LENGTH + 1);
    expect(refuseOne("comment", long).rule).toBe("max_length");
    expect(bindOne("comment", long.slice(1)).text).toHaveLength(DEFAULT_TEXT_MAX_LENGTH);
  });

  it("an injection attempt in a text parameter is data: bound verbatim, SQL text unchanged", () => {
    const attack = "x'); DROP TABLE orders; --";
    const sqlBefore = everyType.sql;
    const result = bindActionParams({
      action: everyType,
      given: { ...VALID, note: "a'--", comment: attack },
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.values[3]).toBe("a'--");
    expect(result.values[11]).toBe(attack);
    expect(result.named.comment).toBe(attack);
    expect(everyType.sql).toBe(sqlBefore);
    expect(everyType.sql).not.toContain("DROP");
  });

  it("uuid: any case, bound in lowercase", () => {
    expect(bindOne("id", "0B4F6A3E-2C1D-4E5F-8A9B-0C1D2E3F4A5B")).toEqual({
      text: "0b4f6a3e-2c1d-4e5f-8a9b-0c1d2e3f4a5b",
      named: "0b4f6a3e-2c1d-4e5f-8a9b-0c1d2e3f4a5b",
    });
    expect(refuseOne("id", "{0b4f6a3e-2c1d-4e5f-8a9b-0c1d2e3f4a5b}").rule).toBe("format");
    expect(refuseOne("id", "0b4f6a3e-2c1d-4e5f-8a9b-0c1d2e3f4a5").rule).toBe("format");
  });

  it("enum: one of the values, with a suggestion", () => {
    expect(bindOne("status", "goodwill").text).toBe("goodwill");
    expect(refuseOne("status", "refnd")).toMatchObject({
      rule: "values",
      message:
        'params.status: "refnd" is not one of refund, chargeback, goodwill for every-type\'s status (enum, values refund, chargeback, goodwill) — did you mean "refund"?',
    });
    expect(refuseOne("status", "Refund").rule).toBe("values");
  });

  it("date: a real calendar date", () => {
    expect(bindOne("day", "2024-02-29").text).toBe("2024-02-29");
    expect(bindOne("day", "2000-02-29").text).toBe("2000-02-29");
    expect(refuseOne("day", "2026-02-30").message).toBe(
      'params.day: "2026-02-30" is not a real date: February 2026 has 28 days for every-type\'s day (date)',
    );
    expect(refuseOne("day", "2100-02-29").rule).toBe("format");
    expect(refuseOne("day", "2026-13-01").message).toMatch(/there is no month 13/);
    expect(refuseOne("day", "2026-3-1").rule).toBe("format");
  });

  it("timestamp: ISO 8601 with a UTC offset", () => {
    for (const ok of [
      "2026-03-01T09:30:00Z",
      "2026-03-01T10:30:00+01:00",
      "2026-03-01T10:30+0100",
      "2026-03-01 10:30:00.123456-05",
    ]) {
      expect(bindOne("at", ok).text).toBe(ok);
    }
    expect(refuseOne("at", "2026-03-01T09:30:00")).toMatchObject({
      rule: "format",
      message:
        'params.at: "2026-03-01T09:30:00" has no UTC offset, so it names no single instant for every-type\'s at (timestamp) — add one, e.g. 2026-03-01T09:30:00Z (UTC) or 2026-03-01T09:30:00+01:00',
    });
    expect(refuseOne("at", "2026-02-30T09:30:00Z").message).toMatch(/February 2026 has 28 days/);
    expect(refuseOne("at", "2026-03-01T24:00:00Z").message).toMatch(/hour 24 is past 23/);
    expect(refuseOne("at", "2026-03-01T09:30:00+16:00").rule).toBe("format");
  });

  it("boolean: true or false only", () => {
    expect(bindOne("dry_run", false)).toEqual({ text: "false", named: false });
    expect(refuseOne("dry_run", "yes").rule).toBe("type");
  });

  it("array: max_items, each element checked, bound as one quoted PostgreSQL array literal", () => {
    const three = [new NumberText("1", 1), "2", new NumberText("3", 3)];
    expect(bindOne("ids", three)).toEqual({ text: '{"1","2","3"}', named: ["1", "2", "3"] });
    expect(bindOne("ids", [])).toEqual({ text: "{}", named: [] });
    expect(refuseOne("ids", [...three, "4"])).toMatchObject({
      rule: "max_items",
      message:
        "params.ids: the list has 4 items, over the maximum 3 for every-type's ids (array of bigint, max_items 3) — split the request into several",
    });
    const error = bindActionParams({
      action: everyType,
      given: { ...VALID, ids: ["1", "x"] },
      lineOf: (path) => (path[1] === 1 ? 12 : 10),
    });
    expect(error.ok ? null : error.errors[0]).toMatchObject({ param: "ids", rule: "format", line: 12 });
    expect(refuseOne("ids", ["1", null]).rule).toBe("null");
    expect(refuseOne("ids", "1,2").rule).toBe("type");
  });

  it("array literals quote and escape every element, so none can split, nest or become NULL", () => {
    expect(arrayLiteral(['a"b', "c\\d", "x,y}", "NULL", " {z} ", ""])).toBe(
      '{"a\\"b","c\\\\d","x,y}","NULL"," {z} ",""}',
    );
  });
});

describe("request paths", () => {
  it("tells .sql and .yml requests and action files apart", () => {
    expect(isYamlRequestPath("queries/refund.yml")).toBe(true);
    expect(isYamlRequestPath("queries/2026/03/refund.yaml")).toBe(true);
    expect(isYamlRequestPath("queries/refund.sql")).toBe(false);
    expect(isYamlRequestPath("queries/../policies/x.yml")).toBe(false);
    expect(isYamlRequestPath("policies/querygate.yml")).toBe(false);
    expect(isSqlRequestPath("queries/refund.yml")).toBe(false);
    expect(isActionPath("actions/refund-order.yml")).toBe(true);
    expect(isActionPath("actions/sub/refund-order.yml")).toBe(false);
    expect(isActionPath("actions/refund-order.yaml")).toBe(false);
    expect(isActionPath("actions/.yml")).toBe(false);
    expect(isActionPath("other/actions/refund-order.yml")).toBe(false);
  });
});
