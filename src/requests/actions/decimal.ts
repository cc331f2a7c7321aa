/** A decimal written plainly: optional minus, digits, optional point and digits. No `+`, exponent or hex. */
export const PLAIN_DECIMAL = /^-?[0-9]+(\.[0-9]+)?$/;
export const PLAIN_INTEGER = /^-?[0-9]+$/;

/** Digits before and after the point, without sign. */
export function decimalDigits(text: string): { integer: number; fraction: number } {
  const unsigned = text.startsWith("-") ? text.slice(1) : text;
  const point = unsigned.indexOf(".");
  return point === -1
    ? { integer: unsigned.length, fraction: 0 }
    : { integer: point, fraction: unsigned.length - point - 1 };
}

/** `-007.50` → `-7.5`, `-0.0` → `0`: equal decimals have equal canonical text. Input matches PLAIN_DECIMAL. */
export function canonicalDecimal(text: string): string {
  const negative = text.startsWith("-");
  const unsigned = negative ? text.slice(1) : text;
  const [rawInteger = "", rawFraction = ""] = unsigned.split(".");
  const integer = rawInteger.replace(/^0+(?=[0-9])/, "");
  const fraction = rawFraction.replace(/0+$/, "");
  const body = fraction === "" ? integer : `${integer}.${fraction}`;
  return negative && body !== "0" ? `-${body}` : body;
}

/** Exact comparison of two PLAIN_DECIMAL texts: negative, zero or positive, like a sort comparator. */
export function compareDecimals(a: string, b: string): number {
  const scale = Math.max(decimalDigits(a).fraction, decimalDigits(b).fraction);
  const x = scaled(a, scale);
  const y = scaled(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

function scaled(text: string, scale: number): bigint {
  const negative = text.startsWith("-");
  const unsigned = negative ? text.slice(1) : text;
  const [integer = "0", fraction = ""] = unsigned.split(".");
  const digits = BigInt(`${integer}${fraction.padEnd(scale, "0")}`);
  return negative ? -digits : digits;
}

/**
 * Whether a double holds this decimal as its shortest round-trip form (`19.90` → 19.9 does;
 * `0.1000000000000000001` does not): only then may a number stand for the decimal.
 */
export function isExactDouble(text: string): boolean {
  const double = Number(text);
  if (!Number.isFinite(double)) return false;
  const shortest = numberToDecimal(double);
  return shortest !== null && canonicalDecimal(shortest) === canonicalDecimal(text);
}

/** A finite number as plain decimal text (`1e-7` → `0.0000001`, `1e+21` → `1000000000000000000000`). */
export function numberToDecimal(value: number): string | null {
  if (!Number.isFinite(value)) return null;
  const shortest = String(value);
  if (PLAIN_DECIMAL.test(shortest)) return shortest;
  const match = /^(-?)([0-9])(?:\.([0-9]+))?e([+-][0-9]+)$/.exec(shortest);
  if (!match) return null;
  const [, sign = "", lead = "", rest = "", exponentText = "0"] = match;
  const digits = `${lead}${rest}`;
  const point = 1 + Number(exponentText);
  const body =
    point <= 0
      ? `0.${"0".repeat(-point)}${digits}`
      : point >= digits.length
        ? `${digits}${"0".repeat(point - digits.length)}`
        : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return `${sign}${body}`;
}
