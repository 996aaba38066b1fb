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
