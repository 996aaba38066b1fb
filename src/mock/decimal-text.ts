import { randomBytes } from "node:crypto";
import { stringifyJson } from "../handwritten/core/json.js";

/**
 * A decimal as text: digits, an optional fraction and exponent. No two quantifiers can share a
 * digit (`\d+` then an optional `.` that must be there for `\d*` to run), so a long run of
 * digits that ends in a letter is refused in linear time (`\d+\.?\d*` backtracked
 * quadratically: 8 000 digits took seconds).
 */
const UNSIGNED_DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/** Is `t` a decimal as text, after one leading sign among `signs` ("-", "+-") if it has one? */
export function isDecimalText(t: string, signs = ""): boolean {
  return UNSIGNED_DECIMAL.test(t !== "" && signs.includes(t[0]!) ? t.slice(1) : t);
}

/**
 * A decimal's text (isDecimalText, unsigned) as a JSON number token with the same digits: the
 * forms JSON does not take are mended ("05" → "5", ".5" → "0.5", "5." → "5"), nothing rounded.
 */
export function jsonNumberText(t: string): string {
  const [, int = "", frac = "", exp = ""] = /^(\d*)(?:\.(\d*))?([eE][-+]?\d+)?$/.exec(t) ?? [];
  return (int.replace(/^0+(?=\d)/, "") || "0") + (frac ? `.${frac}` : "") + exp;
}

/**
 * A decimal an emulator answers as a JSON number with exactly the digits it was sent (a
 * JavaScript number rounds 9007199254740993 and 0.1000000000000000000001). Its text is
 * isDecimalText with an optional sign (`+` is not written); `String()` of it is that text, so
 * a filter compares it as the number it is. Written by emulatorJson; plain JSON.stringify
 * writes it as a string.
 */
export class ExactDecimal {
  readonly text: string;
  constructor(text: string) {
    if (!isDecimalText(text, "+-")) throw new Error(`not a decimal: ${text.slice(0, 60)}`);
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
  toJSON(): string {
    const signed = /^[+-]/.test(this.text);
    return `${DECIMAL_MARK}${this.text.startsWith("-") ? "-" : ""}${jsonNumberText(signed ? this.text.slice(1) : this.text)}`;
  }
}

const DECIMAL_MARK = `~decimal:${randomBytes(12).toString("hex")}:`;
const DECIMAL_MARKED = new RegExp(`"${DECIMAL_MARK}([0-9.eE+-]+)"`, "g");

/** An emulator's JSON answer: stringifyJson (bigints with every digit), each ExactDecimal a bare number of its digits. */
export function emulatorJson(value: unknown): string {
  const out = stringifyJson(value);
  return out.includes(DECIMAL_MARK) ? out.replace(DECIMAL_MARKED, "$1") : out;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Integer text that fits an int64 (the vendors' `long` ids), as a bigint; undefined for any
 * other text. The length is checked before any BigInt: BigInt of a 600 000-digit id took
 * ~100 ms, and done per record it held an emulator (and every other client) for seconds.
 */
export function int64Of(t: string): bigint | undefined {
  // (leading zeros do not count: a Java server's Long.parseLong reads 00083214971450163200)
  const digits = t.replace(/^(-?)0+(?=\d)/, "$1");
  if (!/^-?\d{1,19}$/.test(digits)) return undefined;
  const n = BigInt(digits);
  return n >= INT64_MIN && n <= INT64_MAX ? n : undefined;
}

/** Integer text that no int64 holds ("9" × 20, or 600 000 digits): what the emulators refuse. */
export const beyondInt64 = (t: string): boolean => /^-?\d+$/.test(t) && int64Of(t) === undefined;

/**
 * An exact decimal, `coef` × 10^`exp`, for the amounts an emulator adds up (balances, what an
 * order freezes): a double would leave 0.1 + 0.2 - 0.3 behind after an order and its cancel.
 */
export interface Dec {
  readonly coef: bigint;
  readonly exp: number;
}

export const DEC_ZERO: Dec = { coef: 0n, exp: 0 };

function trimmedDec(coef: bigint, exp: number): Dec {
  if (coef === 0n) return DEC_ZERO;
  while (coef % 10n === 0n) {
    coef /= 10n;
    exp++;
  }
  return { coef, exp };
}

/** The exact value of a decimal's text (isDecimalText, with an optional sign): "1.50" and "15e-1" are one value. */
export function decOf(text: string): Dec {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(text);
  if (!m || !isDecimalText(text, "+-")) throw new Error(`not a decimal: ${text.slice(0, 60)}`);
  const [, sign = "", int = "", frac = "", exp = "0"] = m;
  const coef = BigInt(`${int}${frac}` || "0");
  return trimmedDec(sign === "-" ? -coef : coef, Number(exp) - frac.length);
}

export function decAdd(a: Dec, b: Dec): Dec {
  const exp = Math.min(a.exp, b.exp);
  return trimmedDec(a.coef * 10n ** BigInt(a.exp - exp) + b.coef * 10n ** BigInt(b.exp - exp), exp);
}
export const decNegate = (a: Dec): Dec => ({ coef: -a.coef, exp: a.exp });
export const decMinus = (a: Dec, b: Dec): Dec => decAdd(a, decNegate(b));
export const decTimes = (a: Dec, b: Dec): Dec => trimmedDec(a.coef * b.coef, a.exp + b.exp);
/** a < b */
export const decBelow = (a: Dec, b: Dec): boolean => decMinus(a, b).coef < 0n;
/** a / b to `digits` decimals, toward zero (b ≠ 0). */
export function decDivide(a: Dec, b: Dec, digits = 12): Dec {
  const shift = a.exp - b.exp + digits;
  const num = shift >= 0 ? a.coef * 10n ** BigInt(shift) : a.coef;
  const den = shift >= 0 ? b.coef : b.coef * 10n ** BigInt(-shift);
  return trimmedDec(num / den, -digits);
}
/** A finite double as the decimal its shortest text writes (0.1 is 1 × 10^-1, not the double's binary value). */
export const decOfNumber = (x: number): Dec => decOf(String(x));
/** The nearest double (JavaScript's reading of the decimal's text). */
export const decNumber = (a: Dec): number => Number(`${a.coef}e${a.exp}`);

/** A decimal as plain text (no exponent), every digit, at least `minFraction` digits after the point ("0.00", "3867.43650012"). */
export function decText(d: Dec, minFraction = 0): string {
  const negative = d.coef < 0n;
  const digits = (negative ? -d.coef : d.coef).toString();
  let int: string;
  let frac: string;
  if (d.exp >= 0) {
    int = digits + "0".repeat(d.exp);
    frac = "";
  } else {
    const padded = digits.padStart(-d.exp + 1, "0");
    int = padded.slice(0, padded.length + d.exp);
    frac = padded.slice(padded.length + d.exp);
  }
  frac = frac.padEnd(minFraction, "0");
  return `${negative ? "-" : ""}${int}${frac ? `.${frac}` : ""}`;
}
