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

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Integer text that fits an int64 (the vendors' `long` ids), as a bigint; undefined for any
 * other text. The length is checked before any BigInt: BigInt of a 600 000-digit id took
 * ~100 ms, and done per record it held an emulator (and every other client) for seconds.
 */
export function int64Of(t: string): bigint | undefined {
  if (!/^-?\d{1,19}$/.test(t)) return undefined;
  const n = BigInt(t);
  return n >= INT64_MIN && n <= INT64_MAX ? n : undefined;
}

/** Integer text that no int64 holds ("9" × 20, or 600 000 digits): what the emulators refuse. */
export const beyondInt64 = (t: string): boolean => /^-?\d+$/.test(t) && int64Of(t) === undefined;
