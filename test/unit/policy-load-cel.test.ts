import { describe, expect, it } from "vitest";
import { type CompiledCel, compileCel } from "../../src/policy/load/compile-cel.js";
import { MAX_CEL_SOURCE_CHARS } from "../../src/policy/load/policy-limits.js";

const VARS = {
  statement: {
    class: "write",
    kind: "UpdateStmt",
    flags: ["no_where"],
    objects: [{ target: "orders-prod", schema: "public", name: "orders", operation: "update" }],
    tables: ["public.orders"],
    columns: ["public.orders.status"],
    functions: [],
    findings: ["update-without-where"],
    estimated_rows: null,
    has_where: false,
    param_count: 2,
  },
  request: {
    target: "orders-prod",
    environment: "production",
    path: "queries/fix.sql",
    reason: "Refund order 42",
    ticket: null,
    labels: ["emergency"],
    author: "alice",
    actor: "user",
    params: { amount: 12.5, region: "eu" },
  },
  now: { utc_hour: 3, utc_weekday: "sat", date: "2026-11-21" },
};

function program(source: string): CompiledCel {
  const compiled = compileCel(source);
  if (!compiled.ok) throw new Error(compiled.error);
  return compiled.program;
}

function value(source: string): unknown {
  const result = program(source).evaluate(VARS);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

describe("compileCel", () => {
  it("evaluates over statement, request and now", () => {
    expect(value('statement.class == "write" && "no_where" in statement.flags')).toBe(true);
    expect(value('statement.objects.exists(o, o.operation == "update" && o.name == "orders")')).toBe(true);
    expect(value('request.labels.exists(l, l == "emergency") && now.utc_weekday in ["sat", "sun"]')).toBe(
      true,
    );
    expect(value("request.params.amount < 100.0 && request.params.amount > 10")).toBe(true);
    expect(value("statement.has_where == false && statement.estimated_rows == null")).toBe(true);
  });

  it("passes whole numbers as ints, so integer arithmetic type-checks", () => {
    expect(value("statement.param_count + 1 == 3")).toBe(true);
    expect(value("now.utc_hour < 6")).toBe(true);
  });

  it("has the strings extension", () => {
    expect(value('request.reason.lowerAscii().contains("refund")')).toBe(true);
    expect(value('request.path.split("/")[0] == "queries"')).toBe(true);
  });

  it("compiles once per source text", () => {
    const source = 'statement.kind == "UpdateStmt"';
    expect(program(source)).toBe(program(source));
  });

  it("reports what does not parse", () => {
    expect(compileCel("statement.class ==")).toEqual({
      ok: false,
      error: "at 1:17: found = but expecting end of input",
    });
    expect(compileCel("  ")).toEqual({ ok: false, error: "the expression is empty" });
    expect(compileCel("x".repeat(MAX_CEL_SOURCE_CHARS + 1))).toMatchObject({
      ok: false,
      error: expect.stringContaining("longer than"),
    });
  });

  it("reports unknown variables and functions, but accepts comprehension variables and type names", () => {
    expect(compileCel("reqest.target == 'x'")).toEqual({
      ok: false,
      error:
        "unknown variable `reqest` — did you mean `request`? (the variables are statement, request, now)",
    });
    expect(compileCel("cel.bind(x, 1, x)")).toMatchObject({ ok: false });
    expect(compileCel("statement.tables.size() > 0 && upper(request.author) == 'A'")).toMatchObject({
      ok: false,
      error: expect.stringContaining("unknown function `upper`"),
    });
    expect(
      compileCel("statement.tables.all(t, t.startsWith('public.')) && type(now.utc_hour) == int").ok,
    ).toBe(true);
    expect(value("[1, 2].map(x, x * 2).exists(y, y == 4)")).toBe(true);
  });

  it("turns evaluation errors into { ok: false }, never a value and never a throw", () => {
    for (const source of [
      "statement.nope > 1",
      "1 / 0 == 1",
      "statement.estimated_rows > 1000",
      "request.params.missing == 'x'",
      "statement.class + 1",
      "int('not a number') == 1",
    ]) {
      const compiled = compileCel(source);
      expect(compiled.ok, source).toBe(true);
      if (!compiled.ok) continue;
      const result = compiled.program.evaluate(VARS);
      expect(result.ok, source).toBe(false);
      expect(result).toMatchObject({ error: expect.any(String) });
    }
    expect(program("statement.nope > 1").evaluate(VARS)).toEqual({
      ok: false,
      error: "field not found: nope",
    });
    expect(program("1 / 0 == 1").evaluate(VARS)).toEqual({ ok: false, error: "int divide by zero" });
  });

  it("survives odd inputs", () => {
    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let i = 0; i < 100; i++) {
      const next: Record<string, unknown> = {};
      cursor.x = next;
      cursor = next;
    }
    expect(program("has(statement.x)").evaluate({ statement: deep, request: {}, now: {} }).ok).toBe(false);
    expect(program("statement.class == 'read'").evaluate({})).toMatchObject({ ok: false });
    expect(program("has(statement.skipped)").evaluate({ statement: { skipped: undefined } })).toEqual({
      ok: true,
      value: false,
    });
  });
});
