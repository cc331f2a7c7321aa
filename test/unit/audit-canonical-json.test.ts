import { describe, expect, test } from "vitest";
import { CanonicalJsonError, canonicalJson, parseCanonicalJson } from "../../src/audit/canonical-json.js";

function fromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe("canonical JSON (RFC 8785 JCS)", () => {
  test("numbers serialise as RFC 8785 Appendix B says (IEEE 754 bit patterns → text)", () => {
    const cases: Array<[string, string]> = [
      ["0000000000000000", "0"],
      ["8000000000000000", "0"],
      ["0000000000000001", "5e-324"],
      ["8000000000000001", "-5e-324"],
      ["7fefffffffffffff", "1.7976931348623157e+308"],
      ["ffefffffffffffff", "-1.7976931348623157e+308"],
      ["4340000000000000", "9007199254740992"],
      ["c340000000000000", "-9007199254740992"],
      ["4430000000000000", "295147905179352830000"],
      ["44b52d02c7e14af5", "9.999999999999997e+22"],
      ["44b52d02c7e14af6", "1e+23"],
      ["44b52d02c7e14af7", "1.0000000000000001e+23"],
      ["444b1ae4d6e2ef4e", "999999999999999700000"],
      ["444b1ae4d6e2ef4f", "999999999999999900000"],
      ["444b1ae4d6e2ef50", "1e+21"],
      ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
      ["3eb0c6f7a0b5ed8d", "0.000001"],
      ["41b3de4355555553", "333333333.3333332"],
      ["41b3de4355555554", "333333333.33333325"],
      ["41b3de4355555555", "333333333.3333333"],
      ["41b3de4355555556", "333333333.3333334"],
      ["41b3de4355555557", "333333333.33333343"],
      ["becbf647612f3696", "-0.0000033333333333333333"],
      ["43143ff3c1cb0959", "1424953923781206.2"],
    ];
    for (const [bits, text] of cases) expect([bits, canonicalJson(fromBits(bits))]).toEqual([bits, text]);
  });

  test("NaN and ±Infinity are refused (RFC 8785 Appendix B: 7fffffffffffffff, 7ff0000000000000)", () => {
    for (const bits of ["7fffffffffffffff", "7ff0000000000000", "fff0000000000000"]) {
      expect(() => canonicalJson({ n: fromBits(bits) })).toThrow(CanonicalJsonError);
    }
    expect(() => canonicalJson({ a: [1, Number.NaN] })).toThrow("$.a[1]: NaN is not a JSON number");
  });

  test("the RFC 8785 §3.2.2 example serialises byte for byte", () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  test("keys sort by UTF-16 code units, as in RFC 8785 §3.2.3", () => {
    const input = {
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis",
    };
    const keys = Object.keys(JSON.parse(canonicalJson(input)) as object);
    // "1" is an integer-like key, which JS objects list first; compare the text order instead.
    const text = canonicalJson(input);
    const order = ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33"].map((k) =>
      text.indexOf(JSON.stringify(k)),
    );
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(keys).toHaveLength(7);
    // U+1F600 (surrogates D83D DE00) sorts before U+FB33 by code unit, though after it by code point.
    expect(text.indexOf("Emoji")).toBeLessThan(text.indexOf("Hebrew"));
  });

  test("strings: control characters as \\u00xx lowercase, the rest as themselves", () => {
    expect(canonicalJson("\u0000\u001f\u007f\u2028 é ☕ 😀")).toBe('"\\u0000\\u001f\u007f\u2028 é ☕ 😀"');
    expect(canonicalJson('\b\t\n\f\r"\\/')).toBe('"\\b\\t\\n\\f\\r\\"\\\\/"');
  });

  test("nested objects sort at every level; no whitespace; arrays keep their order", () => {
    expect(canonicalJson({ b: [3, { z: 1, a: null }], a: { d: true, c: "x" } })).toBe(
      '{"a":{"c":"x","d":true},"b":[3,{"a":null,"z":1}]}',
    );
  });

  test("refuses what JSON.stringify would silently change or drop", () => {
    const refused: Array<[unknown, string]> = [
      [{ a: undefined }, "$.a: undefined is not a JSON value"],
      [[undefined], "$[0]: undefined is not a JSON value"],
      [{ a: 1n }, "$.a: bigint is not a JSON value"],
      [{ f: () => 1 }, "$.f: function is not a JSON value"],
      [{ d: new Date(0) }, "$.d: Date is not a plain object"],
      [{ m: new Map() }, "$.m: Map is not a plain object"],
      [{ b: Buffer.from("x") }, "$.b: Buffer is not a plain object"],
      [{ j: { toJSON: () => 1 } }, "$.j: Object is not a plain object"],
      [{ s: "\ud800" }, "$.s: string holds a lone surrogate"],
      [{ "\udc00": 1 }, "string holds a lone surrogate"],
      // biome-ignore lint/suspicious/noSparseArray: the sparse array is the point
      [[1, , 3], "$[1]: hole in a sparse array"],
    ];
    for (const [value, message] of refused) expect(() => canonicalJson(value)).toThrow(message);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow("$.self: cycle");
    expect(canonicalJson({ shared: [1], again: [1] })).toBe('{"again":[1],"shared":[1]}');
    expect(canonicalJson(Object.assign(Object.create(null), { b: 1, a: 2 }))).toBe('{"a":2,"b":1}');
  });

  test("parseCanonicalJson accepts only the canonical text of its value", () => {
    expect(parseCanonicalJson('{"a":1,"b":[true]}')).toEqual({ ok: true, value: { a: 1, b: [true] } });
    for (const text of ['{"b":1,"a":2}', '{"a": 1}', '{"a":1.0}', '{"a":"\\u0041"}', "[1e2]"]) {
      expect(parseCanonicalJson(text)).toMatchObject({
        ok: false,
        error: expect.stringContaining("canonical"),
      });
    }
    expect(parseCanonicalJson("{")).toMatchObject({
      ok: false,
      error: expect.stringContaining("not valid JSON"),
    });
  });
});
