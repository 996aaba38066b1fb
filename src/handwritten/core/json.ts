/**
 * JSON without losing digits, at close to `JSON.parse` speed.
 *
 * The project-wide rule: an integer literal beyond ±2^53 (Number.MAX_SAFE_INTEGER) comes back
 * as a `bigint`; every other number is a `number`. The generated types say the same thing
 * (`format: int64` → `number | bigint`), so no caller can mistake a large ID for a safe number.
 *
 * How (fast path): `JSON.parse`, then one walk looks for numbers beyond ±2^53; only such a
 * number can have lost digits. If there is none (the common case) the value is returned as is.
 * Otherwise one native regex pass collects the bare integer literals of 16+ digits in text
 * order, and the walk (which visits values in text order) swaps each unsafe number for the
 * bigint of its literal, checking every pair (same double value, same count). Any doubt (an
 * object with integer-like keys, which JSON.parse reorders; a float like 1e20; a digit run
 * inside a string) drops to an exact path: mark big literals as strings with a \u0000 prefix
 * (a replacement inside a string always makes the text invalid), and if that fails too,
 * lossless-json.
 */
import { parse as losslessParse, isInteger, stringify as losslessStringify } from "lossless-json";

const MAX = Number.MAX_SAFE_INTEGER;
/**
 * Integer literals of 16+ digits not followed by a fraction, exponent, digit or quote. Written
 * as sixteen `\d` on purpose: V8 runs this an order of magnitude faster than `\d{16}`.
 */
const LONG_INT = /-?\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d+(?![.\deE"])/g;
const MARK_ESCAPE = "\\u0000";

/** Parse JSON text; integers beyond ±2^53 come back as `bigint`. Throws `SyntaxError`. */
export function parseJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (value === null || typeof value !== "object") {
    return typeof value === "number" && (value > MAX || value < -MAX) ? parseExact(text) : value;
  }
  const st: RestoreState = { text, literals: null, next: 0, ok: true };
  restore(value, st);
  if (st.literals === null) return value; // no unsafe number: nothing was lost
  if (st.ok) {
    // Every unsafe literal must have been paired (safe 16-digit ones are skipped).
    while (st.next < st.literals.length && !isUnsafeLiteral(st.literals[st.next]!)) st.next++;
    if (st.next === st.literals.length) return value;
  }
  return parseExact(text);
}

interface RestoreState {
  text: string;
  /** Integer literals of 16+ digits in text order; collected when the first unsafe number shows up. */
  literals: string[] | null;
  next: number;
  ok: boolean;
}

function isUnsafeLiteral(s: string): boolean {
  const neg = s.charCodeAt(0) === 45;
  const digits = neg ? s.length - 1 : s.length;
  if (digits > 16) return true;
  return (neg ? s.slice(1) : s) > "9007199254740991";
}

/** One walk: find numbers beyond ±2^53 and swap each for the bigint of its literal, in text order. */
function restore(v: object, st: RestoreState): void {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length && st.ok; i++) {
      const x = v[i];
      if (typeof x === "number") {
        if (x > MAX || x < -MAX) v[i] = take(x, st);
      } else if (typeof x === "object" && x !== null) restore(x, st);
    }
    return;
  }
  const o = v as Record<string, unknown>;
  let checkedKeys = false;
  for (const k in o) {
    if (!st.ok) return;
    const x = o[k];
    if (typeof x === "number") {
      if (x > MAX || x < -MAX) {
        // JSON.parse lists integer-like keys first, not in text order: pairing would be unsafe.
        if (!checkedKeys && hasIndexKey(o)) {
          st.literals ??= [];
          st.ok = false;
          return;
        }
        checkedKeys = true;
        o[k] = take(x, st);
      }
    } else if (typeof x === "object" && x !== null) restore(x, st);
  }
}

function hasIndexKey(o: Record<string, unknown>): boolean {
  for (const k in o) return /^(0|[1-9]\d*)$/.test(k);
  return false;
}

function take(x: number, st: RestoreState): number | bigint {
  const literals = (st.literals ??= st.text.match(LONG_INT) ?? []);
  let lit = literals[st.next++];
  while (lit !== undefined && !isUnsafeLiteral(lit)) lit = literals[st.next++];
  if (lit === undefined) {
    st.ok = false;
    return x;
  }
  const big = BigInt(lit);
  if (Number(big) !== x) {
    st.ok = false;
    return x;
  }
  return big;
}

function toIntValue(digits: string): number | bigint {
  const big = BigInt(digits);
  return big > BigInt(MAX) || big < -BigInt(MAX) ? big : Number(digits);
}

/** Exact, slower: mark big literals as "\u0000<digits>" strings; failing that, lossless-json. */
function parseExact(text: string): unknown {
  if (!text.includes(MARK_ESCAPE)) {
    try {
      return unmark(JSON.parse(text.replace(LONG_INT, `"${MARK_ESCAPE}$&"`)));
    } catch {
      // A digit run inside a string (the marker's quote breaks the text): fall through.
    }
  }
  return losslessParse(text, null, (digits: string) => (isInteger(digits) ? toIntValue(digits) : Number(digits)));
}

function unmark(value: unknown): unknown {
  if (typeof value === "string") return value.charCodeAt(0) === 0 ? toIntValue(value.slice(1)) : value;
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = unmark(value[i]);
    return value;
  }
  const obj = value as Record<string, unknown>;
  for (const k in obj) obj[k] = unmark(obj[k]);
  return obj;
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
