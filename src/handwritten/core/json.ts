/**
 * JSON without losing digits, at `JSON.parse` speed when nothing can be lost.
 *
 * What each number literal becomes (the literal is what the server wrote):
 * - an integer literal (no fraction, no exponent) beyond ±2^53 (Number.MAX_SAFE_INTEGER):
 *   a `bigint` with every digit; any other integer literal: a `number` (exact).
 * - a literal with a fraction or an exponent (`0.5`, `1e19`, `9.007199254740992e15`) is a
 *   decimal, never an integer literal, whatever its value: with `decimals: "exact"` (the
 *   default) a `number` when the double is exactly the literal's value (`0.1` counts: the
 *   double's shortest form is `0.1`; so do `1e19` and `1.5e20`), otherwise a
 *   `DecimalPrecisionError` naming the field path and the option, so nothing is rounded
 *   unless the caller chose it; with `decimals: "number"` always the nearest double (the
 *   caller accepts rounding, as `JSON.parse` does); with `decimals: "string"` always a
 *   `string` holding the literal exactly as written (`"123456789.123456789"`, `"1e19"`).
 *
 * How, and why it is exact: every literal is tied to its position in the text, never paired
 * by value.
 * 1. One native regex test looks for a literal that could need anything but `JSON.parse`: a
 *    run of 16 digits (an integer beyond 2^53 has at least 16), 8 digits before or after a
 *    point, or a 3-digit exponent (a decimal with at most 15 significant digits and a normal
 *    exponent is exactly what the double's shortest form says). In "string" mode: any digit
 *    followed by `.`, `e` or `E`. No match (the usual case): plain `JSON.parse`.
 * 2. Otherwise the candidates are walked in text order; a quote cursor (native `indexOf`,
 *    escaped quotes counted) says whether each lies inside a string or key, which is skipped
 *    whole. A candidate outside strings is grown to its whole number token.
 * 3. Each token whose value must differ from what `JSON.parse` gives (a bigint, a decimal
 *    string, a precision error) is replaced, at its position, by a marker string (U+0001
 *    repeated more times than any string in the text starts with, then the token's index),
 *    and `JSON.parse` runs once on that text. So duplicate keys (last wins), `__proto__`
 *    keys, integer-like keys, unicode escapes, -0 and any nesting depth behave exactly as
 *    in `JSON.parse`. One iterative walk (no recursion, any depth) swaps markers for values.
 * A marker can only sit where a number sat: inside a string its quote would end the string
 * and the `\u0001` escape after it would be invalid outside one; in a key position the token
 * is refused first (followed by `:`). So the marked text parses iff the text does, with the
 * same shape. The differential property test in test/core/json-property.test.ts checks this
 * against an independent reference parser.
 */
import { stringify as losslessStringify } from "lossless-json";
import { TradeApiError, type ErrorContext } from "./errors.js";

/** How a literal with a fraction or exponent is returned (integer literals are not affected). */
export type DecimalsMode = "exact" | "number" | "string";

export interface ParseJsonOptions {
  /**
   * `"exact"` (default): a decimal is a `number` when the double is exactly its value, else a
   * `DecimalPrecisionError`. `"number"`: the nearest double, rounding accepted. `"string"`:
   * every decimal as the `string` the server wrote.
   */
  decimals?: DecimalsMode;
}

/** A decimal the server sent does not fit a double; nothing was rounded silently. */
export class DecimalPrecisionError extends TradeApiError {
  /** Where the number sits in the answer, e.g. `data[3].price` (`$` for the whole answer). */
  readonly path: string;
  /** The number exactly as the server wrote it. */
  readonly literal: string;
  constructor(path: string, literal: string, ctx: ErrorContext = {}) {
    super(
      `the number at ${path} (${literal.length > 60 ? `${literal.slice(0, 60)}…` : literal}) does not fit a double without rounding; ` +
        `pass decimals: "string" to get decimals exactly as sent, or decimals: "number" to accept the rounded double`,
      ctx,
    );
    this.path = path;
    this.literal = literal;
  }
}

const MAX = Number.MAX_SAFE_INTEGER;
/* Written as repeated `\d` on purpose: V8 runs this far faster than `\d{16}`. */
/** Literals that might be a big integer or a decimal a double cannot hold. */
const EXACT_CANDIDATE = /\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d|\d\d\d\d\d\d\d\d\.|\.\d\d\d\d\d\d\d\d|[eE][-+]?\d\d\d/g;
/** Only big integers matter (decimals are rounded by choice). */
const INTEGER_CANDIDATE = /\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d/g;
/** Big integers and every decimal. */
const STRING_CANDIDATE = /\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d|\d[.eE]/g;
const NUMBER_TOKEN = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$/;
const MARK = "\u0001";
const MARK_ESCAPE = "\\u0001";

/** A token the walk must turn into an error (exact mode, the decimal does not fit a double). */
class Lossy {
  constructor(readonly literal: string) {}
}

/**
 * Parse JSON text: integer literals beyond ±2^53 come back as `bigint`, decimals per
 * `options.decimals` (see the module comment). Throws `SyntaxError` on invalid JSON and
 * `DecimalPrecisionError` (exact mode) on a decimal that does not fit a double.
 */
export function parseJson(text: string, options?: ParseJsonOptions): unknown {
  const mode = options?.decimals ?? "exact";
  const re = mode === "exact" ? EXACT_CANDIDATE : mode === "number" ? INTEGER_CANDIDATE : STRING_CANDIDATE;
  re.lastIndex = 0;
  if (!re.test(text)) return JSON.parse(text);
  return parseMarked(text, re, mode);
}

function parseMarked(text: string, re: RegExp, mode: DecimalsMode): unknown {
  const starts: number[] = [];
  const ends: number[] = [];
  const values: unknown[] = [];
  let q = 0; // text before q has been classified (inside / outside strings)
  let inString = false;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const p = m.index;
    // Move the quote cursor up to p.
    for (;;) {
      const nq = text.indexOf('"', q);
      if (nq === -1 || nq >= p) break;
      q = nq + 1;
      if (!inString) inString = true;
      else if (!isEscaped(text, nq)) inString = false;
    }
    if (inString) {
      // Inside a string or key: skip to its end.
      const close = closingQuote(text, p);
      if (close === -1) break; // unterminated: JSON.parse reports it below
      q = close + 1;
      inString = false;
      re.lastIndex = q;
      continue;
    }
    let s = p;
    while (s > 0 && isNumberChar(text.charCodeAt(s - 1))) s--;
    let e = p + m[0].length;
    while (e < text.length && isNumberChar(text.charCodeAt(e))) e++;
    re.lastIndex = e;
    const token = text.slice(s, e);
    const parts = NUMBER_TOKEN.exec(token);
    if (parts === null || followedByColon(text, e)) return invalid(text);
    const value = convert(token, parts[1] !== undefined || parts[2] !== undefined, mode);
    if (value === undefined) continue; // JSON.parse gives exactly this value
    starts.push(s);
    ends.push(e);
    values.push(value);
  }
  if (values.length === 0) return JSON.parse(text);

  const mark = markPrefix(text);
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < values.length; i++) {
    parts.push(text.slice(from, starts[i]), `"${mark.escaped}${i}"`);
    from = ends[i]!;
  }
  parts.push(text.slice(from));
  let root: unknown;
  try {
    root = JSON.parse(parts.join(""));
  } catch {
    return invalid(text);
  }
  return unmark(root, mark.prefix, values);
}

/** Throw the SyntaxError JSON.parse gives for this text. */
function invalid(text: string): never {
  JSON.parse(text);
  // Only reachable if the text were valid JSON that the scan misread; never observed (the
  // property test checks it), but fail loudly rather than guess.
  throw new SyntaxError("parseJson: number scan disagrees with JSON.parse");
}

/**
 * What the token becomes, or undefined when that is what JSON.parse gives anyway (a safe
 * integer; a decimal whose double is exact; any decimal in "number" mode).
 */
function convert(token: string, isDecimal: boolean, mode: DecimalsMode): unknown {
  if (!isDecimal) {
    const n = Number(token);
    return n > MAX || n < -MAX ? BigInt(token) : undefined;
  }
  if (mode === "string") return token;
  if (mode === "number") return undefined;
  return isExactDouble(token, Number(token)) ? undefined : new Lossy(token);
}

function isNumberChar(c: number): boolean {
  // 0-9 . - + e E
  return (c >= 48 && c <= 57) || c === 46 || c === 45 || c === 43 || c === 101 || c === 69;
}

function isEscaped(text: string, quote: number): boolean {
  let n = 0;
  for (let i = quote - 1; text.charCodeAt(i) === 92; i--) n++;
  return n % 2 === 1;
}

function closingQuote(text: string, from: number): number {
  for (let i = text.indexOf('"', from); i !== -1; i = text.indexOf('"', i + 1)) {
    if (!isEscaped(text, i)) return i;
  }
  return -1;
}

function followedByColon(text: string, e: number): boolean {
  for (let i = e; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 58) return true;
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return false;
  }
  return false;
}

/**
 * U+0001 repeated once more than any string in the text starts with (as `\u0001` escapes;
 * the raw character is invalid in JSON strings), so no string of the text can look like a marker.
 */
function markPrefix(text: string): { prefix: string; escaped: string } {
  let n = 1;
  if (text.includes(`"${MARK_ESCAPE}`)) {
    for (const m of text.matchAll(/"((?:\\u0001)+)/g)) n = Math.max(n, m[1]!.length / 6 + 1);
  }
  return { prefix: MARK.repeat(n), escaped: MARK_ESCAPE.repeat(n) };
}

/** Swap marker strings for their values; iterative, so any depth JSON.parse accepts works. */
function unmark(root: unknown, prefix: string, values: unknown[]): unknown {
  const single = prefix.length === 1;
  const valueOf = (s: string): unknown => {
    if (s.charCodeAt(0) !== 1 || !(single || s.startsWith(prefix))) return s;
    const digits = s.slice(prefix.length);
    if (digits.charCodeAt(0) === 1) return s; // a longer run than the prefix: not a marker
    return values[Number(digits)];
  };
  const rootValue = typeof root === "string" ? valueOf(root) : root;
  if (rootValue instanceof Lossy) throw new DecimalPrecisionError("$", rootValue.literal);
  if (typeof root !== "object" || root === null) return rootValue;
  const stack: object[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const x: unknown = node[i];
        if (typeof x === "string") {
          if (x.charCodeAt(0) === 1) {
            const v = valueOf(x);
            if (v instanceof Lossy) throw new DecimalPrecisionError(pathTo(root, node, i), v.literal);
            node[i] = v;
          }
        } else if (typeof x === "object" && x !== null) stack.push(x);
      }
    } else {
      const o = node as Record<string, unknown>;
      const keys = Object.keys(o);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const x = o[k];
        if (typeof x === "string") {
          if (x.charCodeAt(0) === 1) {
            const v = valueOf(x);
            if (v instanceof Lossy) throw new DecimalPrecisionError(pathTo(root, node, k), v.literal);
            // JSON.parse makes "__proto__" an own data property; assignment would call the setter.
            if (k === "__proto__") Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
            else o[k] = v;
          }
        } else if (typeof x === "object" && x !== null) stack.push(x);
      }
    }
  }
  return root;
}

/** `data[3].price`-style path of `container[key]` (only computed for an error). */
function pathTo(root: object, container: object, key: string | number): string {
  const keyPart = (k: string | number) =>
    typeof k === "number" ? `[${k}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
  const paths = new Map<object, string>([[root, ""]]);
  const stack: object[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const here = paths.get(node)!;
    if (node === container) {
      const p = here + keyPart(key);
      return p.startsWith(".") ? p.slice(1) : p;
    }
    const entries: Array<[string | number, unknown]> = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
    for (const [k, v] of entries) {
      if (typeof v === "object" && v !== null && !paths.has(v)) {
        paths.set(v, here + keyPart(k));
        stack.push(v);
      }
    }
  }
  return String(key);
}

/**
 * True when the double `d` is exactly the decimal value written in `token`, i.e. its shortest
 * form (`String(d)`) denotes the same number: `0.1` yes, `123456789.123456789` no, `1e400` no.
 */
export function isExactDouble(token: string, d: number): boolean {
  if (!Number.isFinite(d)) return false;
  const a = decimalParts(token);
  if (a.digits === "") return d === 0; // zero, any sign: JSON.parse keeps -0
  const b = decimalParts(String(d));
  return a.negative === b.negative && a.digits === b.digits && a.exponent === b.exponent;
}

/** value = (negative ? -1 : 1) × digits × 10^exponent, digits without leading/trailing zeros. */
function decimalParts(s: string): { negative: boolean; digits: string; exponent: number } {
  const negative = s.charCodeAt(0) === 45;
  if (negative) s = s.slice(1);
  let exponent = 0;
  const e = s.search(/[eE]/);
  if (e !== -1) {
    exponent = Number(s.slice(e + 1));
    s = s.slice(0, e);
  }
  const dot = s.indexOf(".");
  if (dot !== -1) {
    exponent -= s.length - dot - 1;
    s = s.slice(0, dot) + s.slice(dot + 1);
  }
  let start = 0;
  while (start < s.length && s.charCodeAt(start) === 48) start++;
  let end = s.length;
  while (end > start && s.charCodeAt(end - 1) === 48) {
    end--;
    exponent++;
  }
  return { negative, digits: s.slice(start, end), exponent };
}

/**
 * Stringify with bigints written as bare integers (every digit kept). `undefined` members are
 * dropped as JSON.stringify does.
 */
export function stringifyJson(value: unknown, indent?: number): string {
  const out = losslessStringify(value, undefined, indent, [
    { test: (v: unknown) => typeof v === "bigint", stringify: (v: unknown) => (v as bigint).toString() },
  ]);
  if (out === undefined) throw new TypeError("value cannot be represented as JSON");
  return out;
}
