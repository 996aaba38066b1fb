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
 * - an integer literal of more than MAX_INTEGER_DIGITS (4,300) digits, in any mode: a
 *   `NumberTooLongError` naming the field path. Turning such a literal into a bigint costs
 *   time that grows faster than its length (a 60-million-digit one, within the default
 *   64 MiB answer limit, blocks the thread for seconds, out of reach of any timeout). The
 *   limit is Python's for the same reason; an int64 has 19 digits.
 *
 * How, and why it is exact (docs/numbers.md has the long form): every literal is tied to its
 * position in the text, never paired by value.
 * 1. Candidates: a literal that could need anything but `JSON.parse` is a run of 16 digits
 *    (an integer beyond 2^53 has at least 16), 8 digits before or after a point, or a 3-digit
 *    exponent (a decimal with at most 15 significant digits and a normal exponent is exactly
 *    what the double's shortest form says). One pass of the WebAssembly scanner (json-scan.ts)
 *    looks for them, counts the `:` characters and lists each run of 16+ digits with its
 *    value; without WebAssembly, a native regex test looks. In "string" mode a regex looks
 *    for any digit followed by `.`, `e` or `E`. No candidate (the usual case): `JSON.parse`.
 * 2. The counted path: the tokens beyond ±2^53 from the scanner's runs (or, when decimals
 *    are candidates too, from the regex), each read before `JSON.parse`; then a walk that
 *    pairs the k-th number beyond ±2^53 with the k-th token, used when its proof holds (every
 *    token follows a `:`, as many colons as keys: see countedPair). The usual case for
 *    answers with big IDs. Otherwise:
 * 3. parsePaired: on the same parsed value, a string-aware scan (candidates from a native regex, a
 *    quote cursor that skips strings and keys and counts the keys) lists the number tokens
 *    that matter in text order, and a walk of the parsed value gives the k-th such number the
 *    k-th token's value, but only when the walk order is proven to be the text order (see
 *    parsePaired). Otherwise:
 * 4. parseMarked: each token whose value must differ from what `JSON.parse` gives is replaced,
 *    at its position, by a marker string ("~" repeated more times than any string in the text
 *    starts with, then the token's index), `JSON.parse` runs on that text, and one iterative
 *    walk swaps markers for values. Duplicate keys, `__proto__`, integer-like keys, unicode
 *    escapes, -0 and any depth behave exactly as in `JSON.parse`. A marker can only sit where
 *    a number sat: inside a string its quote would end the string and the `~` after it is
 *    invalid JSON; in a key position the token is refused first (followed by `:`).
 * test/core/json-property.test.ts checks all of it against an independent reference parser.
 */
import { randomBytes } from "node:crypto";
import { nameErrors, textOf, TradeApiError, typeName, UsageError, type ErrorContext } from "./errors.js";
import { SCAN_EXPONENT, SCAN_LONG_RUN, SCAN_RUNS_FULL, scanForParse, type JsonScan } from "./json-scan.js";

/** How a literal with a fraction or exponent is returned (integer literals are not affected). */
export type DecimalsMode = "exact" | "number" | "string";

export interface ParseJsonOptions {
  /**
   * `"exact"` (default): a decimal is a `number` when the double is exactly its value, else a
   * `DecimalPrecisionError`. `"number"`: the nearest double, rounding accepted. `"string"`:
   * every decimal as the `string` the server wrote.
   */
  decimals?: DecimalsMode | undefined;
}

/** A decimal the server sent does not fit a double; nothing was rounded silently. */
export class DecimalPrecisionError extends TradeApiError {
  /** Where the number sits in the answer, e.g. `data[3].price` (`$` for the whole answer). */
  readonly path: string;
  /** The number exactly as the server wrote it. */
  readonly literal: string;
  /**
   * When the server answered a call with success (its status and envelope say so): that
   * answer, whole, with each decimal as the text sent (as `decimals: "string"` reads it). The
   * request took effect: an order's id is here. Otherwise undefined.
   */
  declare readonly body?: unknown;
  /** `body` and `tookEffect` (the request changes state): given by the transport for a success answer. */
  constructor(path: string, literal: string, ctx: ErrorContext = {}, body?: unknown, tookEffect = false) {
    path = textOf(path);
    literal = textOf(literal);
    super(
      `the number at ${path.length > 200 ? `${path.slice(0, 100)}…${path.slice(-100)}` : path} (${literal.length > 60 ? `${literal.slice(0, 60)}…` : literal}) does not fit a double without rounding; ` +
        `pass decimals: "string" to get decimals exactly as sent, or decimals: "number" to accept the rounded double` +
        (body === undefined ? "" : `. ${tookEffect ? "The server accepted the request (do not send it again): its" : "Its"} answer, each decimal as the text sent, is this error's body`),
      ctx,
    );
    this.path = path;
    this.literal = literal;
    // (own only when there is one: its redaction, like ApiError's body, rewrites it in place)
    if (body !== undefined) (this as { body?: unknown }).body = body;
  }
}

/**
 * An integer literal with more digits than MAX_INTEGER_DIGITS: not converted. The time a bigint
 * takes to build from text grows faster than the text; a server that sends a number millions of
 * digits long would otherwise stall the process for seconds, where no timeout can end it.
 */
export class NumberTooLongError extends TradeApiError {
  /** Where the number sits, as in DecimalPrecisionError (`$` for the whole text). */
  readonly path: string;
  /** How many digits it has. */
  readonly digits: number;
  constructor(path: string, digits: number, ctx: ErrorContext = {}) {
    path = textOf(path);
    super(`the integer at ${path.length > 200 ? `${path.slice(0, 100)}…${path.slice(-100)}` : path} has ${textOf(digits)} digits, more than the ${MAX_INTEGER_DIGITS} read: not converted`, ctx);
    this.path = path;
    this.digits = digits;
  }
}
nameErrors({ DecimalPrecisionError, NumberTooLongError });

/** The most digits an integer literal may have (Python's limit for int from text, for the same reason). */
export const MAX_INTEGER_DIGITS = 4300;

/**
 * How many digits an integer text (an optional minus, then digits) has, when that is more than
 * MAX_INTEGER_DIGITS; else 0 (a shorter one, or not an integer text).
 */
export function excessDigits(text: string): number {
  const digits = text.charCodeAt(0) === 45 ? text.length - 1 : text.length;
  return digits > MAX_INTEGER_DIGITS && /^-?\d+$/.test(text) ? digits : 0;
}

const MAX = Number.MAX_SAFE_INTEGER;
/*
 * Candidates: written as repeated `\d` on purpose (V8 runs that far faster than `\d{16}`).
 * EXACT: a literal that might be a big integer or a decimal a double cannot hold.
 * INTEGER ("number" mode): only big integers matter (decimals are rounded by choice).
 * STRING: big integers and every decimal.
 */
const EXACT = String.raw`\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d*|\d\d\d\d\d\d\d\d[.eE]|\.\d\d\d\d\d\d\d\d|[eE][-+]?\d\d\d`;
const INTEGER = String.raw`\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d*`;
const STRING = String.raw`\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d|\d[.eE]`;
const EXACT_CANDIDATE = new RegExp(EXACT);
const INTEGER_CANDIDATE = new RegExp(INTEGER);
const STRING_CANDIDATE = new RegExp(STRING);
const EXACT_SCAN = new RegExp(EXACT, "g");
const EXACT_NO_EXPONENT_SCAN = new RegExp(EXACT.slice(0, EXACT.lastIndexOf("|")), "g");
const INTEGER_SCAN = new RegExp(INTEGER, "g");
const STRING_SCAN = new RegExp(STRING, "g");
const DECIMAL_MARK = /[.eE]/;
/** Every digit run ("string" mode pairs every number token). */
const DIGITS_SCAN = /\d+/g;
/** A number as JSON's grammar has it (no leading zero: `01.5` is no JSON); validate.ts takes a decimal's text in a request by it. */
export const NUMBER_TOKEN = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$/;
const TILDE = 126;

/**
 * A token the walk must turn into an error: a decimal that does not fit a double (exact mode),
 * or an integer of more than MAX_INTEGER_DIGITS digits (`digits` set, any mode).
 */
class Lossy {
  constructor(
    readonly literal: string,
    readonly digits = 0,
  ) {}
}

const lossyError = (path: string, v: Lossy): TradeApiError => (v.digits > 0 ? new NumberTooLongError(path, v.digits) : new DecimalPrecisionError(path, v.literal));

/**
 * Parse JSON text: integer literals beyond ±2^53 come back as `bigint`, decimals per
 * `options.decimals` (see the module comment). Throws `SyntaxError` on invalid JSON and
 * `DecimalPrecisionError` (exact mode) on a decimal that does not fit a double.
 */
export function parseJson(text: string, options?: ParseJsonOptions): unknown {
  // A JavaScript caller's wrong argument: a UsageError, not a TypeError from deep inside (or a
  // mode taken as another).
  if (typeof text !== "string") throw new UsageError(`parseJson takes JSON text (a string), got ${typeName(text)}`);
  if (options !== undefined && (options === null || typeof options !== "object")) throw new UsageError(`the parseJson options must be an object { decimals? }, got ${typeName(options)}`);
  // (own: a `decimals` on Object.prototype is none given)
  const mode = (options && Object.hasOwn(options, "decimals") ? options.decimals : undefined) ?? "exact";
  if (mode !== "exact" && mode !== "string" && mode !== "number") throw new UsageError(`decimals must be one of "exact", "string", "number", got ${typeof mode === "string" ? JSON.stringify(mode) : typeName(mode)}`);
  let counted: CountedScan | typeof FALLBACK = FALLBACK;
  if (mode === "string") {
    if (!STRING_CANDIDATE.test(text)) return JSON.parse(text);
  } else {
    // Both scans run before JSON.parse: what they allocate is then collected while the heap is
    // small, not copied along with the freshly parsed value.
    const scan = scanForParse(text);
    if (scan !== undefined) {
      const flags = mode === "exact" ? scan.flags : scan.flags & (SCAN_LONG_RUN | SCAN_RUNS_FULL);
      if (flags === 0) return JSON.parse(text);
      // Only big integers to read: the scanner's runs, unless one is part of a decimal.
      counted = (flags === SCAN_LONG_RUN ? runsScan(text, scan) : undefined) ?? countedScan(text, mode, scan);
    } else {
      if (!(mode === "exact" ? EXACT_CANDIDATE : INTEGER_CANDIDATE).test(text)) return JSON.parse(text);
      counted = countedScan(text, mode, undefined);
    }
  }
  const root: unknown = JSON.parse(text); // SyntaxError for invalid text, as promised
  if (typeof root === "object" && root !== null) {
    for (const _ in {}) return parseMarked(text, mode); // an enumerable property on Object.prototype
    if (counted !== FALLBACK) {
      const value = countedPair(text, root, counted);
      if (value !== FALLBACK) return value;
    }
  }
  const paired = parsePaired(text, mode, root);
  return paired === FALLBACK ? parseMarked(text, mode) : paired;
}

const FALLBACK = Symbol("fallback");

/**
 * The fast exact path (no second parse, no text rebuilt): `JSON.parse` the text, list in text
 * order every number token outside strings whose double is beyond ±2^53 (a string-aware scan:
 * candidates from a native regex, a quote cursor), and walk the parsed value in text order,
 * matching the k-th such number with the k-th token. The match is by position, and it is only
 * used when the walk order is proven to be the text order:
 * - no object has an integer-like key (JSON.parse lists those first);
 * - no object has a duplicate key: the keys the walk counts equal the keys in the text (strings
 *   followed by `:`, counted by the scan); a duplicate always makes the walk count fewer;
 * - Object.prototype has no enumerable property (the walk uses for…in);
 * - the counts of numbers and tokens agree, and each pair has the same double;
 * - nesting stays under MAX_DEPTH (the walk recurses).
 * Otherwise, or when a token that must change is within ±2^53 (a decimal to make a string or
 * an error), FALLBACK: the marked parse below, which is exact in every case.
 */
function parsePaired(text: string, mode: DecimalsMode, root: unknown): unknown {
  // "string" mode pairs every number (a decimal's double cannot tell it from an integer).
  const all = mode === "string";
  const re = all ? DIGITS_SCAN : mode === "exact" ? EXACT_SCAN : INTEGER_SCAN;
  const doubles: number[] = [];
  const values: unknown[] = [];
  let textKeys = 0;
  let q = text.indexOf('"');
  let inString = false;
  re.lastIndex = 0;
  for (let m = re.exec(text); ; m = re.exec(text)) {
    const p = m === null ? text.length : m.index;
    // Classify the quotes before p; count keys (a closing quote followed by ':').
    while (q !== -1 && q < p) {
      if (!inString) inString = true;
      else if (text.charCodeAt(q - 1) !== 92 || !isEscaped(text, q)) {
        inString = false;
        const c = text.charCodeAt(q + 1);
        if (c === 58 || ((c === 32 || c === 10 || c === 13 || c === 9) && isKeyEnd(text, q))) textKeys++;
      }
      q = text.indexOf('"', q + 1);
    }
    if (m === null) break;
    if (inString) {
      re.lastIndex = q; // the closing quote is classified by the loop above
      continue;
    }
    // Outside strings in valid JSON, a maximal run of [0-9.eE+-] is exactly one number token.
    const e = tokenEnd(text, p + m[0].length);
    re.lastIndex = e;
    const token = text.slice(tokenStart(text, p), e);
    if (all) {
      const value = DECIMAL_MARK.test(token) ? token : bigOrUndefined(token);
      if (value === FALLBACK) return FALLBACK;
      doubles.push(Number(token));
      values.push(value);
    } else if (DECIMAL_MARK.test(token)) {
      const d = Number(token);
      // Exact mode: a decimal the double cannot hold needs the marked parse (and its path).
      if (mode === "exact" && !isExactDouble(token, d)) return FALLBACK;
      if (d > MAX || d < -MAX) {
        doubles.push(d);
        values.push(undefined); // kept as the number JSON.parse made
      }
    } else {
      const big = bigOrUndefined(token);
      if (big === FALLBACK) return FALLBACK;
      if (big !== undefined) {
        doubles.push(Number(big)); // rounds to nearest, as JSON.parse does
        values.push(big);
      }
    }
  }
  if (doubles.length === 0) return root;
  if (typeof root !== "object" || root === null) {
    if (doubles.length !== 1 || doubles[0] !== root) return FALLBACK;
    return values[0] === undefined ? root : values[0];
  }
  const st: PairState = { doubles, values, next: 0, keys: 0, ok: true, all, arrays: true };
  return prove(root, st, textKeys) ? apply(root, st) : FALLBACK;
}

/**
 * The counted path, the fastest exact one: no string-aware scan. The candidates come from the
 * scanner's run list (runsScan) or from the mode's regex (countedScan); each number token
 * beyond ±2^53 must follow a `:` (an object member's value), and the parsed value's numbers
 * beyond ±2^53 are paired with them by position (countedPair). Used only when that is proven
 * to be right:
 * - the text has exactly as many `:` characters as the parsed value has keys. Every key has
 *   one colon, and a duplicate key only makes the value's count smaller, so equality means
 *   no key was dropped and every `:` in the text separates a key from its value: no string
 *   holds a `:`. (The scanner's count can only be larger than the text's, never smaller: a
 *   character above U+00FF whose low byte is `:` adds one. Equality still proves it.)
 * - so a token that follows a `:` (after whitespace) is a number outside strings: inside a
 *   string the character before it would be a `:` within that string;
 * - with no key dropped and no integer-like key (checked by the walk), the walk meets the
 *   numbers outside strings in text order. The listed tokens are some of those numbers, in
 *   order; when their count equals the count of numbers beyond ±2^53 the walk meets, they
 *   are all of them, and the k-th number is the k-th token (their doubles compared as well).
 * Anything else (a colon in a string, a big number in an array, a decimal to report …):
 * FALLBACK to parsePaired, on the same parsed value (nothing in it changes before the proof).
 */
interface CountedScan {
  /** The value of each token beyond ±2^53, in text order: a bigint, or undefined for a decimal (JSON.parse's number stays). */
  values: Array<bigint | undefined>;
  /** The double JSON.parse makes of each token (what the walk must meet). */
  doubles: number[];
  /** The text's `:` count, when the scanner made it. */
  colons: number | undefined;
}

/**
 * The tokens from the scanner's runs of 16+ digits (only big integers matter: the scanner saw
 * no decimal candidate, or the mode is "number"). Undefined when a run is part of a decimal or
 * an exponent: countedScan reads whole tokens then.
 */
function runsScan(text: string, scan: JsonScan): CountedScan | typeof FALLBACK | undefined {
  const { u32, u64, runs } = scan;
  const values: bigint[] = [];
  const doubles: number[] = [];
  for (let k = 0, r = scan.base; k < runs; k++, r += 4) {
    const end = u32[r]!;
    let digits = u32[r + 1]!;
    if (digits === 0) {
      // Begun before the scanner's chunk (more than 64 digits): its start is read here.
      let b = end;
      for (let c = text.charCodeAt(b - 1); c >= 48 && c <= 57; c = text.charCodeAt(--b - 1));
      digits = end - b;
      if (digits < 16) continue; // characters above U+00FF seen as digits: inside a string
    }
    let s = end - digits;
    const before = text.charCodeAt(s - 1);
    const minus = before === 45;
    if (isNumberChar(text.charCodeAt(end)) || isNumberChar(minus ? text.charCodeAt(s - 2) : before)) return undefined;
    if (text.charCodeAt(s) === 48) continue; // a leading zero: not a JSON number, so inside a string
    if (minus) s--;
    let value: bigint;
    let d: number;
    if (digits > 19) {
      if (integerDigits(text, s, end) === 0) continue; // characters above U+00FF seen as digits: inside a string
      if (digits > MAX_INTEGER_DIGITS) return FALLBACK; // the marked parse names it (or finds it in a string)
      value = BigInt(text.slice(s, end));
      d = Number(value);
    } else {
      // The 64-bit value's double, rounded once, as JSON.parse rounds the literal.
      d = u32[r + 3]! * 4294967296 + u32[r + 2]!;
      if (d <= MAX) continue; // within ±2^53: JSON.parse's number is exact
      value = u64[(r >> 1) + 1]!;
      if (minus) {
        value = -value;
        d = -d;
      }
    }
    if (!afterColon(text, s)) return FALLBACK;
    values.push(value);
    doubles.push(d);
  }
  return { values, doubles, colons: scan.colons };
}

/**
 * The tokens from the mode's regex candidates, each read as a whole number token. `scan` is
 * the scanner's answer, if it ran (its colon count and whether a 3-digit exponent exists).
 */
function countedScan(text: string, mode: DecimalsMode, scan: JsonScan | undefined): CountedScan | typeof FALLBACK {
  // Exact mode: the costly exponent branch is scanned for only when the scanner saw a 3-digit
  // exponent (or did not run: `node --jitless`). A 3-digit exponent may overflow (Infinity)
  // or underflow (0 or a subnormal); the candidate's check sends either to the exact paths.
  const re = mode !== "exact" ? INTEGER_SCAN : scan === undefined || scan.flags & SCAN_EXPONENT ? EXACT_SCAN : EXACT_NO_EXPONENT_SCAN;
  const values: Array<bigint | undefined> = [];
  const doubles: number[] = [];
  re.lastIndex = 0;
  // test() rather than exec(): no match object per candidate; the token is found around it.
  while (re.test(text)) {
    const end = re.lastIndex;
    const s = tokenStart(text, end - 1);
    const e = tokenEnd(text, end);
    re.lastIndex = e;
    const integer = integerDigits(text, s, e);
    let value: bigint | undefined;
    let d: number;
    if (integer > 0) {
      if (integer < 16) continue;
      const big = bigOrUndefined(text.slice(s, e));
      if (big === FALLBACK) return FALLBACK;
      if (big === undefined) continue;
      value = big;
      d = Number(value); // rounds to nearest, as JSON.parse does
    } else {
      const token = text.slice(s, e);
      d = Number(token);
      // Not a JSON number (`e123` in "time123", `1.` …): such a run can only be inside a string.
      if (d !== d || !NUMBER_TOKEN.test(token)) continue;
      if (mode === "exact" && !isExactDouble(token, d)) return FALLBACK;
      if (d <= MAX && d >= -MAX) continue;
      // A decimal beyond ±2^53 stays the number JSON.parse made (value undefined); its double
      // is kept for the pairing's check.
    }
    if (!afterColon(text, s)) return FALLBACK;
    values.push(value);
    doubles.push(d);
  }
  return { values, doubles, colons: scan?.colons };
}

/** The pairing and its proof (see above). */
function countedPair(text: string, root: object, scan: CountedScan): unknown {
  if (scan.values.length === 0) return root;
  let colons = scan.colons;
  if (colons === undefined) {
    colons = 0;
    for (let i = text.indexOf(":"); i !== -1; i = text.indexOf(":", i + 1)) colons++;
  }
  const st: PairState = { doubles: scan.doubles, values: scan.values, next: 0, keys: 0, ok: true, all: false, arrays: false };
  return prove(root, st, colons) ? apply(root, st) : FALLBACK;
}

/**
 * The pairing of the counted and paired paths: the parsed value is walked twice, neither walk
 * allocating (an allocation right after JSON.parse makes the garbage collector copy the whole
 * freshly parsed value). The first proves the pairing, the second puts the values in.
 */
interface PairState {
  /** The double JSON.parse made of each token, in text order (what the walk must meet). */
  doubles: number[];
  /** What each token becomes; undefined: JSON.parse's number stays. */
  values: unknown[];
  next: number;
  keys: number;
  ok: boolean;
  /** Pair every number, not only those beyond ±2^53 ("string" mode). */
  all: boolean;
  /** Numbers in arrays have tokens (the counted path lists only numbers after a colon). */
  arrays: boolean;
}

/**
 * The proof: walking in order meets exactly the listed numbers, each with its token's double,
 * and `keys` keys (so none was dropped by a duplicate: see the callers).
 */
function prove(root: object, st: PairState, keys: number): boolean {
  proveWalk(root, st, 0);
  if (!st.ok || st.next !== st.doubles.length || st.keys !== keys) return false;
  st.next = 0;
  return true;
}

function proveWalk(v: object, st: PairState, depth: number): void {
  if (depth > MAX_DEPTH) {
    st.ok = false;
    return;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length && st.ok; i++) {
      const x: unknown = v[i];
      if (typeof x === "number") {
        if ((st.all || x > MAX || x < -MAX) && (!st.arrays || st.doubles[st.next++] !== x)) st.ok = false;
      } else if (typeof x === "object" && x !== null) proveWalk(x, st, depth + 1);
    }
    return;
  }
  const o = v as Record<string, unknown>;
  let n = 0;
  for (const k in o) {
    if (n++ === 0 && isIndexKey(k)) {
      st.ok = false;
      return;
    }
    const x = o[k];
    if (typeof x === "number") {
      if ((st.all || x > MAX || x < -MAX) && st.doubles[st.next++] !== x) {
        st.ok = false; // no such token, or another number: the proof fails
        return;
      }
    } else if (typeof x === "object" && x !== null) {
      proveWalk(x, st, depth + 1);
      if (!st.ok) return;
    }
  }
  st.keys += n;
}

/** Once the proof holds: each paired number gets its token's value. */
function apply(v: object, st: PairState): object {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (typeof x === "number") {
        if (st.arrays && (st.all || x > MAX || x < -MAX)) {
          const value = st.values[st.next++];
          if (value !== undefined) v[i] = value;
        }
      } else if (typeof x === "object" && x !== null) apply(x, st);
    }
    return v;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    if (typeof x === "number") {
      if (st.all || x > MAX || x < -MAX) {
        const value = st.values[st.next++];
        if (value === undefined) continue; // JSON.parse's number stays
        if (k === "__proto__") {
          // JSON.parse makes "__proto__" an own data property; assignment would call the setter.
          Object.defineProperty(o, k, { value, writable: true, enumerable: true, configurable: true });
        } else o[k] = value;
      }
    } else if (typeof x === "object" && x !== null) apply(x, st);
  }
  return v;
}

/** The character before position `s`, whitespace skipped, is a `:`. */
function afterColon(text: string, s: number): boolean {
  let c = text.charCodeAt(--s);
  while (c === 32 || c === 10 || c === 13 || c === 9) c = text.charCodeAt(--s);
  return c === 58;
}

/**
 * How many digits `text[s, e)` has when it is an integer token as JSON writes one (digits,
 * an optional minus, no leading zero), else 0.
 */
function integerDigits(text: string, s: number, e: number): number {
  let i = text.charCodeAt(s) === 45 ? s + 1 : s;
  if (text.charCodeAt(i) === 48 && e > i + 1) return 0;
  const first = i;
  for (; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return 0;
  }
  return e - first;
}

/**
 * The bigint of an integer token beyond ±2^53, else undefined (JSON.parse's number is exact);
 * FALLBACK for one of more than MAX_INTEGER_DIGITS digits (the marked parse names it).
 */
function bigOrUndefined(token: string): bigint | undefined | typeof FALLBACK {
  const neg = token.charCodeAt(0) === 45;
  const digits = neg ? token.length - 1 : token.length;
  if (digits < 16 || (digits === 16 && (neg ? token.slice(1) : token) <= "9007199254740991")) return undefined;
  return digits > MAX_INTEGER_DIGITS ? FALLBACK : BigInt(token);
}

const MAX_DEPTH = 1000;

function isIndexKey(k: string): boolean {
  const c = k.charCodeAt(0);
  return c >= 48 && c <= 57 && /^(?:0|[1-9]\d*)$/.test(k);
}

function isKeyEnd(text: string, close: number): boolean {
  let i = close + 1;
  let c = text.charCodeAt(i);
  while (c === 32 || c === 10 || c === 13 || c === 9) c = text.charCodeAt(++i);
  return c === 58;
}

function parseMarked(text: string, mode: DecimalsMode): unknown {
  const re = mode === "exact" ? EXACT_SCAN : mode === "number" ? INTEGER_SCAN : STRING_SCAN;
  const starts: number[] = [];
  const ends: number[] = [];
  const values: unknown[] = [];
  // Quote cursor: `q` is the next quote not yet classified, `inString` the state before it.
  let q = text.indexOf('"');
  let inString = false;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const p = m.index;
    while (q !== -1 && q < p) {
      if (!inString) inString = true;
      else if (!isEscaped(text, q)) inString = false;
      q = text.indexOf('"', q + 1);
    }
    if (inString) {
      // Inside a string or key: skip to its closing quote.
      while (q !== -1 && isEscaped(text, q)) q = text.indexOf('"', q + 1);
      if (q === -1) break; // unterminated: JSON.parse reports it below
      inString = false;
      re.lastIndex = q + 1;
      q = text.indexOf('"', q + 1);
      continue;
    }
    const s = tokenStart(text, p);
    const e = tokenEnd(text, p + m[0].length);
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
  // += builds a rope that JSON.parse flattens once; an array join of slices was far slower.
  let marked = "";
  let from = 0;
  for (let i = 0; i < values.length; i++) {
    marked += `${text.slice(from, starts[i])}"${mark}${i}"`;
    from = ends[i]!;
  }
  marked += text.slice(from);
  let root: unknown;
  try {
    root = JSON.parse(marked);
  } catch {
    return invalid(text);
  }
  return unmark(root, mark, values);
}

function isEscaped(text: string, quote: number): boolean {
  let n = 0;
  for (let i = quote - 1; text.charCodeAt(i) === 92; i--) n++;
  return n % 2 === 1;
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
    const digits = excessDigits(token);
    if (digits) return new Lossy(token, digits);
    const n = Number(token);
    return n > MAX || n < -MAX ? BigInt(token) : undefined;
  }
  if (mode === "string") return token;
  if (mode === "number") return undefined;
  return isExactDouble(token, Number(token)) ? undefined : new Lossy(token);
}

/** Where the number token around a candidate at `p` starts (a maximal run of number characters). */
function tokenStart(text: string, p: number): number {
  while (p > 0 && isNumberChar(text.charCodeAt(p - 1))) p--;
  return p;
}

/** Where the number token whose candidate ends at `e` ends. */
function tokenEnd(text: string, e: number): number {
  while (e < text.length && isNumberChar(text.charCodeAt(e))) e++;
  return e;
}

function isNumberChar(c: number): boolean {
  // 0-9 . - + e E
  return (c >= 48 && c <= 57) || c === 46 || c === 45 || c === 43 || c === 101 || c === 69;
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
 * The marker prefix: "~" repeated once more than any string of the text starts with (written
 * raw or as a \u007e escape), so no string of the text can look like a marker. A plain
 * character keeps JSON.parse on its fast path for strings without escapes.
 */
function markPrefix(text: string): string {
  let n = 1;
  if (text.includes('"~') || /"\\u007e/i.test(text)) {
    for (const m of text.matchAll(/"((?:~|\\u007e)+)/gi)) n = Math.max(n, m[1]!.replace(/\\u007e/gi, "~").length + 1);
  }
  // A server's string of a million "~" would make every marker a million characters long (and
  // a few thousand markers a text too long for a string): past MAX_TILDES the prefix is "~" and
  // 24 random hex digits, which a string of the text starts with only by a 2^-96 chance.
  return n <= MAX_TILDES ? "~".repeat(n) : `~${randomBytes(12).toString("hex")}`;
}
const MAX_TILDES = 16;

/**
 * Swap marker strings for their values; iterative, so any depth JSON.parse accepts works. A
 * decimal that does not fit (exact mode) is reported after the walk: the first one in the
 * text among those JSON.parse kept (a duplicate key drops the others).
 */
function unmark(root: unknown, prefix: string, values: unknown[]): unknown {
  const single = prefix.length === 1;
  const indexOf = (s: string): number => {
    if (!(single || s.startsWith(prefix))) return -1;
    if (s.charCodeAt(prefix.length) === TILDE) return -1; // a longer run than the prefix: not a marker
    const rest = s.slice(prefix.length);
    const i = Number(rest);
    return i < values.length && String(i) === rest ? i : -1;
  };
  let lossyAt = Infinity;
  let lossyIn: object | null = null;
  let lossyKey: string | number = "";
  if (typeof root === "string") {
    const i = indexOf(root);
    if (i === -1) return root;
    const v = values[i];
    if (v instanceof Lossy) throw lossyError("$", v);
    return v;
  }
  if (typeof root !== "object" || root === null) return root;
  const stack: object[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()! as Record<string | number, unknown>;
    // Arrays by index, objects by own key: one swap for both.
    const keys = Array.isArray(node) ? null : Object.keys(node);
    const n = keys ? keys.length : (node as unknown as unknown[]).length;
    for (let j = 0; j < n; j++) {
      const k: string | number = keys ? keys[j]! : j;
      const x = node[k];
      if (typeof x === "string") {
        if (x.charCodeAt(0) !== TILDE) continue;
        const i = indexOf(x);
        if (i === -1) continue;
        const v = values[i];
        if (v instanceof Lossy) {
          if (i < lossyAt) [lossyAt, lossyIn, lossyKey] = [i, node, k];
        } else if (k === "__proto__") {
          // JSON.parse makes "__proto__" an own data property; assignment would call the setter.
          Object.defineProperty(node, k, { value: v, writable: true, enumerable: true, configurable: true });
        } else node[k] = v;
      } else if (typeof x === "object" && x !== null) stack.push(x);
    }
  }
  if (lossyIn !== null) throw lossyError(pathTo(root, lossyIn, lossyKey), values[lossyAt] as Lossy);
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
 * A number as wire text in plain decimal notation, never an exponent: `String()` writes
 * 0.00000012 as "1.2e-7" and 1e21 as "1e+21", which a server that reads prices and quantities
 * as decimal text may refuse or misread. The digits are `String()`'s (the shortest that give
 * the same double back), only placed without the exponent, so nothing is rounded.
 */
export function decimalText(n: number): string {
  const s = String(n);
  const e = s.indexOf("e");
  if (e === -1) return s;
  const sign = s[0] === "-" ? "-" : "";
  const mantissa = s.slice(sign.length, e);
  const point = mantissa.indexOf(".");
  const digits = mantissa.replace(".", "");
  const whole = (point === -1 ? mantissa.length : point) + Number(s.slice(e + 1));
  if (whole <= 0) return `${sign}0.${"0".repeat(-whole)}${digits}`;
  if (whole >= digits.length) return `${sign}${digits}${"0".repeat(whole - digits.length)}`;
  return `${sign}${digits.slice(0, whole)}.${digits.slice(whole)}`;
}

/** Deepest nesting of a server's JSON that is read (the deepest real answer nests a few levels). */
export const MAX_JSON_DEPTH = 10_000;
/** Texts up to this many characters parse quickly however they nest (256 Ki levels: ~0.1 s). */
const DEPTH_SCAN_FROM = 256 * 1024;

/** Where the string opened by the quote at `open` ends: its next unescaped quote (or the text's end). */
export function closingQuote(text: string, open: number): number {
  let i = open + 1;
  for (; i < text.length; i++) {
    const d = text.charCodeAt(i);
    if (d === 92) i++;
    else if (d === 34) break;
  }
  return i;
}

/**
 * Is a server's JSON text nested deeper than MAX_JSON_DEPTH? JSON.parse reads deep nesting
 * about ten times slower per byte than flat data: 16 MiB of "[" blocks the thread for five
 * seconds. Texts longer than DEPTH_SCAN_FROM are scanned (strings skipped), stopping at the
 * first level past the limit.
 */
export function nestedTooDeep(text: string): boolean {
  return text.length > DEPTH_SCAN_FROM && nestedDeeperThan(text, MAX_JSON_DEPTH);
}

/** Does JSON text open more than `max` arrays or objects inside one another (one pass, strings skipped)? */
export function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      i = closingQuote(text, i);
    } else if (c === 91 || c === 123) {
      if (++depth > max) return true;
    } else if (c === 93 || c === 125) {
      depth--;
    }
  }
  return false;
}

/**
 * Each member of a JSON object text's top level, in order: `visit(name, at)` with the name
 * decoded ("\u0063ode" is "code") and `at` the index just past its colon; a visit that returns
 * true stops the walk. The text must be valid JSON (parse it first). One pass over the
 * characters; only the top level's names are cut out and decoded.
 */
function eachTopLevelMember(text: string, visit: (name: string, at: number) => boolean | void): void {
  let i = text.search(/\S/);
  if (text.charCodeAt(i) !== 123) return; // not an object
  let depth = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      const start = i;
      i = closingQuote(text, i);
      if (depth !== 1) continue;
      let k = i + 1;
      while (k < text.length && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 10 || text.charCodeAt(k) === 13 || text.charCodeAt(k) === 9)) k++;
      if (text.charCodeAt(k) !== 58) continue; // a value, not a name
      const raw = text.slice(start + 1, i);
      if (visit(raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw, k + 1)) return;
    } else if (c === 91 || c === 123) {
      depth++;
    } else if (c === 93 || c === 125) {
      depth--;
    }
  }
}

/**
 * A test of whether one of `names` is written twice, quoted, anywhere in a JSON text: one regex
 * pass that stops at the second. Cheap enough for every answer and frame; only when it says yes
 * need the top level be read for a member given twice (repeatedTopLevelKey).
 */
export function quotedTwice(names: readonly string[]): (text: string) => boolean {
  const re = new RegExp(names.map((n) => `"${n.replace(/\W/g, "\\$&")}"`).join("|"), "g");
  return (text) => {
    re.lastIndex = 0;
    const seen: string[] = [];
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (seen.includes(m[0])) return true;
      seen.push(m[0]);
    }
    return false;
  };
}

/**
 * The first member name that a JSON object text gives twice at its top level, or undefined
 * (JSON.parse keeps the last silently: an envelope's second "code" would hide the first). The
 * text must be valid JSON (parse it first).
 */
export function repeatedTopLevelKey(text: string): string | undefined {
  const seen = new Set<string>();
  let twice: string | undefined;
  eachTopLevelMember(text, (name) => (seen.has(name) ? ((twice = name), true) : void seen.add(name)));
  return twice;
}

/** Every string value the top level of a JSON object text gives its member `name` (a frame that gives its cid twice names two requests). */
export function topLevelStrings(text: string, name: string): string[] {
  const out: string[] = [];
  eachTopLevelMember(text, (n, at) => {
    if (n !== name) return;
    let from = at;
    while (/\s/.test(text[from] ?? "")) from++;
    if (text.charCodeAt(from) === 34) out.push(JSON.parse(text.slice(from, closingQuote(text, from) + 1)) as string);
  });
  return out;
}

/** A parameter value as the text that is sent and signed: numbers in plain decimal notation (never "1.2e-7"). */
export const paramText = (v: string | number | bigint | boolean): string => (typeof v === "number" ? decimalText(v) : String(v));

/**
 * Stringify with bigints written as bare integers (every digit kept), and a JsonNumberText as
 * its number (the digits given), otherwise exactly
 * `JSON.stringify` (`toJSON`, `undefined` members dropped, `indent`). Each bigint goes through
 * `JSON.stringify` as a marker string made of this process's random prefix and its digits,
 * and the quoted markers are then replaced by the digits: no data can hold the prefix without
 * knowing it, and `JSON.stringify` writes a string's own `"` as `\"`, so a marker's quotes are
 * always its own.
 */
export function stringifyJson(value: unknown, indent?: number): string {
  let bigints = false;
  const out = JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v !== "bigint" && !(v instanceof JsonNumberText)) return v;
      bigints = true;
      return BIGINT_MARK + (typeof v === "bigint" ? v.toString() : v.text);
    },
    indent,
  ) as string | undefined;
  if (out === undefined) throw new TypeError("value cannot be represented as JSON");
  return bigints ? out.replace(BIGINT_MARKED, "$1") : out;
}

const BIGINT_MARK = `~bigint:${randomBytes(12).toString("hex")}:`;
const BIGINT_MARKED = new RegExp(`"${BIGINT_MARK}(-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?)"`, "g");

/**
 * A number's decimal text that stringifyJson writes as the JSON number, digits as given. Made
 * only of text already checked as a JSON number (validate.ts withNumberTexts; not exported from
 * the package): anything else would not be replaced, and would be sent as a marked string.
 */
export class JsonNumberText {
  constructor(readonly text: string) {}
}
