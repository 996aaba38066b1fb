/**
 * The one request validator: a value against a schema of the generated metadata (the JSON
 * Schema subset the specs use: type (with null and integer; an integer is exact at any size,
 * as a bigint or as digits, so `format: int64` IDs above 2^53 pass whole and are sent as
 * written; a request's `format: int32` must fit 32 bits, its `format: int64` 64 bits, its `format: decimal` text be a number), enum (and const, carried as a one-value enum), minimum/maximum and their exclusive forms,
 * pattern, min/maxLength, min/maxItems, properties/required/additionalProperties, items, prefixItems,
 * not, allOf/anyOf/oneOf) plus the operation-level `x-required-one-of` groups.
 *
 * Two readings of a value:
 * - JSON (default): the value is what goes on the wire as JSON (Xele requests, nested body
 *   fields), so its JSON type must match;
 * - text (`text: true`, the parameters of `call()`): query, path, header and form values are
 *   text on the wire, so a string stands for an integer, number or boolean when it spells one
 *   exactly; a number must be finite (`"1e400"` is refused, never rounded to Infinity); an
 *   array may fill a comma-joined string (`x-comma-joined`); a base64 field takes the value to
 *   encode.
 *
 * Every problem is reported (never thrown here); `checkParam` turns them into one UsageError
 * naming the API, the operation and the parameter.
 */
import { isSignal, MAX_TIMER_MS } from "./abort.js";
import { quoted, REDACTED, redactUrl, shownValue, typeName, UsageError, type ErrorContext } from "./errors.js";
import type { SchemaMeta } from "./meta.js";
import { isSecretName, userinfoEnd } from "./redaction.js";
import { DecimalPrecisionError, excessDigits, JsonNumberText, MAX_INTEGER_DIGITS, NUMBER_TOKEN, parseJson, topLevelStrings, type DecimalsMode } from "./json.js";

export type SchemaProblemKind =
  /** a required field is absent */
  | "missing"
  /** a field the closed schema does not list */
  | "unknown"
  /** the value has the wrong JSON type */
  | "type"
  /** right type, value outside enum/range/pattern */
  | "value";

export interface SchemaProblem {
  /** Dotted path from the root, e.g. `data.order_price.min` or `data.prc[0].enable`. */
  path: string;
  kind: SchemaProblemKind;
  message: string;
}

export interface CheckOptions {
  /** Wire-text reading of the root value (and of array items): see the module comment. */
  text?: boolean;
  /** How a path is named in messages (default: the path, or "request" for the root). */
  label?: (path: string) => string;
  /**
   * A decimal's text stands for a number at any depth (an answer read with decimals: "string");
   * "finite": only a finite one's (a request's JSON content, where it is written as the number).
   */
  decimalText?: boolean | "finite";
  /**
   * Stop at this many problems (default: all). A hostile answer of a million wrong items would
   * otherwise build millions of messages (a 6 MB one ran the process out of memory).
   */
  max?: number;
  /**
   * A server's value: a bigint (an integer literal beyond 2^53) where the schema has a decimal
   * (`type: number`, no `integer`) is a problem, for the field is typed without bigint.
   */
  answer?: boolean;
}

/** The problems found so far, and where to stop (check() throws this object when it is full). */
interface Found {
  readonly list: SchemaProblem[];
  readonly max: number;
  readonly answer: boolean;
}

/** A bigint where the types name a decimal but no integer (a field typed `number`, or `string | number`, never bigint). */
const bigintDecimal = (v: unknown, types: string | ReadonlyArray<string>): boolean =>
  typeof v === "bigint" && (types === "number" || (typeof types !== "string" && types.includes("number") && !types.includes("integer")));

/**
 * A server's integer beyond 2^53 (a bigint from the parser) in an integer field without `format:
 * int64`: the generated types give such a field `number` (only int64 is `number | bigint`), and a
 * bigint there would throw "Cannot mix BigInt" in the caller's arithmetic. Refused in an answer.
 */
const bigintNumber = (v: unknown, s: SchemaMeta, types: string | ReadonlyArray<string>): boolean =>
  typeof v === "bigint" && s.format !== "int64" && (types === "integer" || (typeof types !== "string" && types.includes("integer") && !types.includes("number")));

/** The longest timeout a timer can hold (2^31-1 ms). */
export const MAX_TIMEOUT_MS = MAX_TIMER_MS;
/** A timeout a timer can hold: a number of ms above 0 and at most MAX_TIMEOUT_MS (every client's timeout options). */
export const isTimeoutMs = (ms: unknown): ms is number => typeof ms === "number" && ms > 0 && ms <= MAX_TIMEOUT_MS;

/** A UTF-16 surrogate without its pair (with the u flag a pair is one code point, not Cs). */
const LONE_SURROGATE = /\p{Cs}/u;
/** C0 controls and DEL: line breaks, NUL, escape … (a tab is allowed). */
const CONTROLS = "\\u0000-\\u0008\\u000a-\\u001f\\u007f";
export const CONTROL = new RegExp(`[${CONTROLS}]`);
/** What an HTTP header value cannot hold: controls and anything above U+00FF. */
const NOT_IN_HEADER = new RegExp(`[${CONTROLS}\\u0100-\\uffff]`);

/** `U+000A at index 3` */
export const where = (m: RegExpExecArray): string => `U+${m.input.codePointAt(m.index)!.toString(16).toUpperCase().padStart(4, "0")} at index ${m.index}`;

/**
 * Why `text` cannot go on the wire as text, or undefined: a lone surrogate (no encoding can
 * carry it: encodeURIComponent throws, UTF-8 would turn it into U+FFFD) or, in a header
 * (`header`), a control character (a line break would split it) or one above U+00FF.
 */
export function unsendable(text: string, header: boolean): string | undefined {
  const lone = LONE_SURROGATE.exec(text);
  if (lone) return `a lone surrogate (${where(lone)}), which no encoding can send`;
  const bad = header ? NOT_IN_HEADER.exec(text) : null;
  if (bad) return `a character a header cannot carry (${where(bad)})`;
  return undefined;
}

const INTEGER_TEXT = /^-?\d+$/;
/** A number as JSON writes it (a `format: decimal` string of a request holds one). */
export const NUMBER_TEXT = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "bigint") return "integer";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** Does `v` have JSON type `t` (text: may a wire string stand for it)? The quant-ws request check uses it too. */
export function typeMatches(v: unknown, t: string, s: SchemaMeta, text: boolean, decimalText: boolean | "finite" = false): boolean {
  switch (t) {
    case "null":
      return v === null;
    case "integer":
      return typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v)) || (text && typeof v === "string" && INTEGER_TEXT.test(v));
    case "number":
      return (
        typeof v === "bigint" ||
        (typeof v === "number" && Number.isFinite(v)) ||
        (text && typeof v === "string" && NUMBER_TEXT.test(v) && Number.isFinite(Number(v))) ||
        (decimalText && typeof v === "string" && NUMBER_TEXT.test(v) && (decimalText === true || (NUMBER_TOKEN.test(v) && Number.isFinite(Number(v)))))
      );
    case "string":
      return typeof v === "string" || (text && (s.contentEncoding === "base64" || (s.commaJoined === true && Array.isArray(v))));
    case "boolean":
      return typeof v === "boolean" || (text && (v === "true" || v === "false"));
    case "array":
      return Array.isArray(v);
    case "object":
      return v !== null && typeof v === "object" && !Array.isArray(v);
    default:
      return true;
  }
}

/**
 * Does a value a server sent have one of the spec's JSON `types`? An integer is a number too,
 * and an empty list stands for an empty object (JSON encoders that do not tell an empty map
 * from an empty list write []).
 */
function answerTypeMatches(v: unknown, types: string | ReadonlyArray<string>): boolean {
  if (typeof types === "string") return typeMatches(v, types, NO_SCHEMA, false) || (types === "object" && Array.isArray(v) && v.length === 0);
  for (const t of types) if (answerTypeMatches(v, t)) return true;
  return false;
}
const NO_SCHEMA: SchemaMeta = {};

/** What is wrong with a server's value against the spec's `types` ("is string, not object"), or undefined. */
export function answerTypeProblem(v: unknown, types: string | ReadonlyArray<string>): string | undefined {
  return answerTypeMatches(v, types) ? undefined : `is ${jsonType(v)}, not ${typeof types === "string" ? types : types.join(" or ")}`;
}

function sameJson(a: unknown, b: unknown, text: boolean): boolean {
  if (a === b) return true;
  if (text && (typeof a !== "object" || a === null) && (typeof b !== "object" || b === null)) return String(a) === String(b);
  if (typeof a === "bigint" || typeof b === "bigint") return String(a) === String(b);
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], false));
}

/** A schema's numeric bounds as a message says them: "minimum 1, maximum 500", "above 0". */
function rangeOf(s: SchemaMeta): string {
  const bounds: Array<[unknown, string]> = [
    [s.minimum, "minimum"],
    [s.exclusiveMinimum, "above"],
    [s.maximum, "maximum"],
    [s.exclusiveMaximum, "below"],
  ];
  return bounds.flatMap(([n, word]) => (n === undefined ? [] : [`${word} ${String(n)}`])).join(", ");
}

/**
 * A value in a message: JSON, bigints as their digits (inside lists and objects too: JSON.stringify
 * throws on them); a value nested too deep for JSON.stringify (a server's frame) by its type; cut
 * after 200 characters (an integer of 100,000 digits, out of an int64's range, made a 100 kB message).
 */
function showValue(v: unknown): string {
  let t: string;
  if (typeof v === "bigint" || typeof v === "number") t = String(v);
  else
    try {
      t = JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? `\u0000${x}` : x))?.replace(/"\\u0000(-?\d+)"/g, "$1") ?? String(v);
    } catch {
      return `(${jsonType(v)} too deep to show)`;
    }
  return t.length > 200 ? `${t.slice(0, 200)}… (${t.length - 200} more characters)` : t;
}
const join = (path: string, key: string | number) => (typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key);
const defaultLabel = (path: string) => path || "request";

/** Every problem of `value` against `schema` (empty: valid). */
export function checkSchema(value: unknown, schema: SchemaMeta, path = "", options: CheckOptions = {}): SchemaProblem[] {
  if (schema === null || typeof schema !== "object") throw new UsageError(`checkSchema takes a schema of the API's metadata, got ${typeName(schema)}`);
  options ??= {};
  const found: Found = { list: [], max: options.max ?? Infinity, answer: options.answer === true };
  try {
    check(value, schema, path, options.text === true, options.label ?? defaultLabel, found, options.decimalText ?? false);
  } catch (e) {
    if (e !== found) throw e;
  }
  return found.list;
}

/** The most problems of a server's value that are looked for (three are shown, and a count). */
const MAX_PROBLEMS = 100;

/**
 * What a value a server sent (a REST answer's data, a quant-ws frame's) gets wrong against its
 * schema (JSON reading), undefined when it fits: the first problem, and the first three as a
 * message with how many more (`and at least N more` when the walk stopped at MAX_PROBLEMS).
 * Nearly every value fits: fitsSchema says so first. An empty list passes for a schema without
 * "array" (JSON encoders that do not tell an empty map from an empty list).
 */
export function dataMisfit(
  value: unknown,
  schema: SchemaMeta,
  path: string,
  options: Omit<CheckOptions, "text" | "max" | "answer" | "decimalText"> & { decimals?: DecimalsMode | undefined } = {},
): { first: SchemaProblem; shown: string } | undefined {
  if (Array.isArray(value) && value.length === 0 && !([] as unknown[]).concat(schema.type).includes("array")) return undefined;
  const decimalText = options.decimals === "string";
  if (fitsSchema(value, schema, decimalText)) return undefined;
  // Only on this slow road: an answer whose numbers are each of the spec's type pays nothing.
  if (readNumbers(value, schema, options.decimals ?? "exact", path) && fitsSchema(value, schema, decimalText)) return undefined;
  const problems = checkSchema(value, schema, path, { label: options.label, decimalText, max: MAX_PROBLEMS, answer: true });
  const n = problems.length;
  if (!n) return undefined;
  const more = n > 3 ? `; and ${n >= MAX_PROBLEMS ? "at least " : ""}${n - 3} more` : "";
  return { first: problems[0]!, shown: problems.slice(0, 3).map((p) => p.message).join("; ") + more };
}

/**
 * What parseJson, which knows no schema, made of a number the spec types otherwise, read here as
 * the `decimals` mode reads the rest, in place:
 * - an integer beyond 2^53 where the spec has a decimal (`type: number`) is a bigint: "string"
 *   makes it its digits, "number" the nearest double, "exact" the double when it is that integer
 *   exactly (10^20 is), else a DecimalPrecisionError naming the field;
 * - with "string", a number written with a fraction or exponent where the spec has an integer
 *   (`1700000000000.0`, `1.7e12`: a server's float timestamp) is text: it becomes the integer
 *   it denotes (a number, a bigint beyond 2^53), as "exact" and "number" read it; one with a
 *   fraction stays, and is refused.
 * Members are followed through properties, additionalProperties, items and allOf, and through
 * anyOf/oneOf (Xele's OsRunTimeFigure, quant-ws's BalanceAmount): a value that fits none of
 * the forms as it is is read for the first that it fits once read, tried on a copy (a form
 * that makes "1.0" the integer 1 must not change it for one that takes it as text); fitting
 * none, it stays, and is refused (in "exact", a form's DecimalPrecisionError is thrown then).
 * A bare value stays (no operation answers a bare number). Whether anything was replaced.
 */
function readNumbers(v: unknown, s: SchemaMeta, mode: DecimalsMode, path: string): boolean {
  let changed = false;
  const form = (x: unknown, forms: ReadonlyArray<SchemaMeta>, at: string): unknown => {
    if (forms.some((f) => fitsSchema(x, f, mode === "string"))) return x;
    let error: unknown;
    for (const f of forms) {
      const was = changed;
      try {
        if (fitsSchema(read(structuredClone(x), f, at), f, mode === "string")) return read(x, f, at);
      } catch (e) {
        error ??= e;
      }
      changed = was;
    }
    if (error) throw error;
    return x;
  };
  const read = (x: unknown, sub: SchemaMeta, at: string): unknown => {
    for (const part of sub.allOf ?? []) x = read(x, part, at);
    for (const forms of [sub.anyOf, sub.oneOf]) if (forms) x = form(x, forms, at);
    const types = typeof sub.type === "string" ? [sub.type] : (sub.type ?? []);
    if (typeof x === "bigint") {
      if (!bigintDecimal(x, types)) return x;
      const n = Number(x);
      // (past 1.8e308 the double is Infinity, which no BigInt is made of)
      if (mode === "exact" && (!Number.isFinite(n) || BigInt(n) !== x)) throw new DecimalPrecisionError(at || "$", String(x));
      changed = true;
      return mode === "string" ? String(x) : n;
    }
    if (typeof x === "string") {
      // Only a fraction or exponent literal is text in this mode (an integer literal stays a
      // number): "5", which the server wrote as a string, is refused as in the other modes.
      const n = mode === "string" && /[.eE]/.test(x) && types.includes("integer") && !types.includes("number") && !types.includes("string") ? integerOfText(x) : undefined;
      if (n === undefined) return x;
      changed = true;
      return n;
    }
    if (x === null || typeof x !== "object") return x;
    if (Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) {
        const item = itemSchema(sub, i);
        if (item) x[i] = read(x[i], item, join(at, i));
      }
      return x;
    }
    const o = x as Record<string, unknown>;
    const extra = sub.additionalProperties;
    for (const k of Object.keys(o)) {
      const ps = sub.properties && Object.hasOwn(sub.properties, k) ? sub.properties[k] : typeof extra === "object" ? extra : undefined;
      const was = o[k];
      // defineProperty: a member named __proto__ is an own field, not the prototype.
      const now = ps ? read(was, ps, join(at, k)) : was;
      if (now !== was) Object.defineProperty(o, k, { value: now, writable: true, enumerable: true, configurable: true });
    }
    return x;
  };
  if (typeof v === "object" && v !== null) read(v, s, path);
  return changed;
}

/**
 * The integer a number's text denotes (`1700000000000.0`, `1.7e12`, `-0.0`), exactly: a number
 * within ±2^53, else a bigint; undefined for a fraction (`2.5`), for text that is no number, and
 * past MAX_INTEGER_DIGITS digits (`1e999999` is not built).
 */
export function integerOfText(text: string): number | bigint | undefined {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([-+]?\d+))?$/.exec(text);
  if (!m) return undefined;
  const frac = m[3] ?? "";
  const all = (m[2]! + frac).replace(/^0+/, "");
  const digits = all.replace(/0+$/, "");
  if (!digits) return 0;
  const zeros = Number(m[4] ?? 0) - frac.length + all.length - digits.length;
  if (zeros < 0 || digits.length + zeros > MAX_INTEGER_DIGITS) return undefined;
  const n = BigInt(digits + "0".repeat(zeros));
  const signed = m[1] ? -n : n;
  return signed >= -MAX_SAFE && signed <= MAX_SAFE ? Number(signed) : signed;
}
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Top-level members of a JSON object read with decimals "string" that are integers by their
 * meaning (an envelope's code, a pong's ts, a state's code) but were written with a fraction or
 * exponent (`200.0`, `1.7e12`): the text "200.0" would match no success code and no key of an
 * error table. Each is read as "exact" reads it, the integer it denotes; one given as a JSON
 * string stays as written. `text` is what `value` was parsed from.
 */
export function integersAsWritten(value: unknown, text: string, names: ReadonlyArray<string>): void {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return;
  const o = value as Record<string, unknown>;
  for (const name of names) {
    const v = Object.hasOwn(o, name) ? o[name] : undefined;
    if (typeof v !== "string" || !/[.eE]/.test(v) || topLevelStrings(text, name).includes(v)) continue;
    const n = integerOfText(v);
    if (n !== undefined) Object.defineProperty(o, name, { value: n, writable: true, enumerable: true, configurable: true });
  }
}

/** A number (or numeric text) as an exact comparable: bigint for integers, number otherwise. */
function numeric(v: unknown): number | bigint | undefined {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return v;
  // Beyond MAX_INTEGER_DIGITS a bigint would take seconds to build; the double (±Infinity
  // past 309 digits) compares the same with any bound.
  if (typeof v === "string" && INTEGER_TEXT.test(v)) return excessDigits(v) ? Number(v) : BigInt(v);
  if (typeof v === "string" && NUMBER_TEXT.test(v)) return Number(v);
  return undefined;
}
const lt = (a: number | bigint, b: number): boolean => (typeof a === "bigint" && Number.isInteger(b) ? a < BigInt(b) : Number(a) < b);
const gt = (a: number | bigint, b: number): boolean => (typeof a === "bigint" && Number.isInteger(b) ? a > BigInt(b) : Number(a) > b);
/** The schema of a list's item `i`: its place's in `prefixItems` (a tuple: XT's candles), else `items`. */
const itemSchema = (s: SchemaMeta, i: number): SchemaMeta | undefined => (s.prefixItems && i < s.prefixItems.length ? s.prefixItems[i] : s.items);

/** A text's length in characters (code points, as JSON Schema counts): a surrogate pair counts once. */
export function characters(t: string): number {
  let n = t.length;
  for (let i = 0; i < t.length - 1; i++) {
    const c = t.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = t.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** The largest int64 (2^63 − 1), the bound of the vendors' 64-bit ids. */
export const INT64_MAX = 9223372036854775807n;

/** Outside a signed integer of `bits` bits, exactly (2^63 − 1 is no double; a number given for an int64 is safe, so inside). */
const outsideBits = (a: number | bigint, bits: number): boolean => (typeof a === "bigint" ? BigInt.asIntN(bits, a) !== a : a < -(2 ** (bits - 1)) || a >= 2 ** (bits - 1));

/** The last field name of a path (`items[0].password` → `password`). */
const lastName = (path: string): string => (typeof path === "string" ? /([^.[\]]*)(?:\[\d+\])*$/.exec(path)![1]! : "");
/** A secret's value in a message: its type only (a numeric PIN given as a number is still a PIN). */
const hidden = (v: unknown): string => `${jsonType(v)} (not shown: the field is a secret)`;

/**
 * Whether `text` matches a spec's `pattern`, or undefined when that cannot be told: V8 takes a
 * stack frame for each repetition of a group (Hubi's `^[^,\s]+(,[^,\s]+)*$` one per order
 * number), and a text of millions of characters overflows it, a RangeError. Such a text is
 * refused as not matching, a caller's as a UsageError and a server's as a misfit like any other.
 */
export function patternFits(pattern: string, text: string): boolean | undefined {
  try {
    return new RegExp(pattern, "u").test(text);
  } catch (e) {
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}

function check(v: unknown, s: SchemaMeta, path: string, text: boolean, label: (p: string) => string, out: Found, decimalText: boolean | "finite" = false): void {
  const where = label(path);
  // A field named like a secret (safePwd, trade_password) never has its value in a message
  // (asked only when a message is made: an answer's thousands of values are checked here).
  const secret = () => isSecretName(lastName(path));
  const show = (x: unknown) => (secret() ? hidden(x) : showValue(x));
  const sub = (value: unknown, schema: SchemaMeta, p: string) => checkSchema(value, schema, p, { text, label, decimalText, max: 1, answer: out.answer }).length === 0;
  const problem = (message: string, kind: SchemaProblemKind = "value", at = path) => {
    out.list.push({ path: at, kind, message });
    if (out.list.length >= out.max) throw out;
  };
  // What goes out is what toJSON() gives, not the fields checked here: refused (a class's
  // toJSON() could drop a field or change a type past the check).
  if (v !== null && typeof v === "object" && typeof (v as { toJSON?: unknown }).toJSON === "function") {
    problem(`${where} has a toJSON() method: pass the plain value to send`, "type");
    return;
  }
  for (const part of s.allOf ?? []) check(v, part, path, text, label, out, decimalText);
  for (const [key, list] of [["anyOf", s.anyOf], ["oneOf", s.oneOf]] as const) {
    if (list && !list.some((one) => sub(v, one, path))) problem(`${where} matches none of the allowed ${key} forms`);
  }
  if (s.type !== undefined) {
    const types = ([] as string[]).concat(s.type);
    if (!types.some((t) => typeMatches(v, t, s, text, decimalText))) {
      const finite = (types.includes("number") || types.includes("integer")) && (typeof v === "number" || (typeof v === "string" && NUMBER_TEXT.test(v))) && !Number.isFinite(Number(v));
      // (with decimals: "string" a number's text is shown as written: "must be integer, got 2.5", not "got string")
      const got = secret() ? hidden(v) : decimalText && typeof v === "string" && NUMBER_TEXT.test(v) ? (decimalText === true ? v : quoted(v)) : text || typeof v === "number" ? show(typeof v === "bigint" ? String(v) : v) : jsonType(v);
      problem(finite ? `${where} must be a finite number, got ${got}` : `${where} must be ${types.join(" or ")}, got ${got}`, "type");
      return;
    }
    if (out.answer && bigintDecimal(v, types)) {
      problem(`${where} is ${v}, an integer beyond 2^53 where the spec has a decimal (type number): no JavaScript number holds it exactly, and the field is not typed bigint`, "type");
      return;
    }
    if (out.answer && bigintNumber(v, s, types)) {
      problem(`${where} is ${v}, an integer beyond 2^53 where the spec has one without format int64 (typed number): no JavaScript number holds it exactly`, "type");
      return;
    }
    // An integer field given as a JavaScript number beyond 2^53: its digits may be gone already
    // (9007199254740993 is 9007199254740992 as a number), and the wrong id would be sent. Only
    // an integer's: a base64 field takes any value to encode, and its content check says what
    // is wrong with a NaN or 1.5 given for a batch (it is no integer beyond 2^53).
    if (typeof v === "number" && Number.isInteger(v) && !Number.isSafeInteger(v) && types.includes("integer") && !types.includes("number")) {
      // In an answer it was written with a fraction or exponent (an integer literal is a bigint).
      const fix = out.answer ? `the server wrote it with a fraction or exponent; decimals: "string" reads it exactly` : `pass it as a bigint${text ? " or a string of its digits" : ""}`;
      problem(`${where} is ${v} as a JavaScript number, beyond 2^53 where a number cannot hold every integer: ${fix}`, "type");
      return;
    }
  }
  // A comma-joined array: each item is one of the values.
  const values = text && s.commaJoined === true && Array.isArray(v) ? v : [v];
  const outside = s.enum ? values.findIndex((x) => !s.enum!.some((e) => sameJson(x, e, text))) : -1;
  if (s.enum && outside >= 0) {
    const x = values[outside];
    const got = text ? show(String(x)) : show(x);
    problem(s.enum.length === 1 ? `${where} must be ${showValue(s.enum[0])}, got ${got}` : `${where} must be one of ${s.enum.map(showValue).join(", ")}, got ${got}`);
  }
  if (s.not && sub(v, s.not, path)) problem(`${where} must not be ${show(v)}`);
  const n = typeof v === "string" && !text ? undefined : numeric(v);
  if (n !== undefined && (typeof v !== "string" || ([] as string[]).concat(s.type ?? []).some((t) => t === "integer" || t === "number"))) {
    const bad =
      (s.minimum !== undefined && lt(n, s.minimum)) ||
      (s.maximum !== undefined && gt(n, s.maximum)) ||
      (s.exclusiveMinimum !== undefined && !gt(n, s.exclusiveMinimum)) ||
      (s.exclusiveMaximum !== undefined && !lt(n, s.exclusiveMaximum));
    // (with the bounds: "out of range" alone left the caller guessing them)
    if (bad) problem(`${where} is out of range: ${show(v)} (${rangeOf(s)})`);
    // A request's int32 or int64 (the server's field holds no more). In an answer, an int64
    // beyond 64 bits (a bigint): no server's int64 wrote it, and a request would refuse it back;
    // an int32's number is read as sent (a count the spec bounds too tightly loses nothing).
    else if ((s.format === "int32" || s.format === "int64") && (!out.answer || (s.format === "int64" && typeof n === "bigint")) && outsideBits(n, s.format === "int32" ? 32 : 64)) {
      problem(`${where} is out of range: ${show(v)} (format ${s.format})`);
    }
  }
  if (typeof v === "string") {
    // A request's string inside JSON (Xele's data, a batch's items) is checked here, not as wire
    // text: JSON.stringify would write a lone surrogate as \ud800, which the server reads as U+FFFD.
    const unsent = out.answer ? undefined : unsendable(v, false);
    if (unsent) problem(`${where} holds ${unsent}`);
    // A request's decimal text (BHEX's amounts and prices): digits, as a number is written.
    if (s.format === "decimal" && !out.answer && !NUMBER_TEXT.test(v)) problem(`${where} must be a decimal number, got ${show(v)}`);
    // A request's `format: date` (BHEX's history files): a day of the calendar, yyyy-MM-dd.
    if (s.format === "date" && !out.answer && !isDate(v)) problem(`${where} must be a date written yyyy-MM-dd, got ${show(v)}`);
    if (s.pattern !== undefined) {
      const fits = patternFits(s.pattern, v);
      if (fits !== true) problem(`${where} must match ${s.pattern}, got ${show(v)}${fits === undefined ? ": too long to check against the pattern" : ""}`);
    }
    // In characters, as JSON Schema counts (an emoji is one, two UTF-16 units): counted only when the units could be out of range.
    if ((s.minLength !== undefined && v.length < s.minLength * 2) || (s.maxLength !== undefined && v.length > s.maxLength)) {
      const n = characters(v);
      if (s.minLength !== undefined && n < s.minLength) problem(`${where} must have at least ${s.minLength} characters, has ${n}`);
      if (s.maxLength !== undefined && n > s.maxLength) problem(`${where} must have at most ${s.maxLength} characters, has ${n}`);
    }
  }
  if (Array.isArray(v)) {
    if ((s.minItems !== undefined && v.length < s.minItems) || (s.maxItems !== undefined && v.length > s.maxItems)) {
      problem(`${where} must have ${s.minItems ?? 0}..${s.maxItems ?? "∞"} items, got ${v.length}`);
    }
    // Every index (a sparse list's hole would go out as null).
    for (let i = 0; i < v.length; i++) {
      const item = itemSchema(s, i);
      if (item) check(v[i], item, join(path, i), text, label, out, decimalText);
    }
  }
  if (v !== null && typeof v === "object" && !Array.isArray(v) && typeof v !== "bigint") {
    const obj = v as Record<string, unknown>;
    const props = s.properties ?? {};
    for (const name of s.required ?? []) {
      if (obj[name] === undefined || !Object.hasOwn(obj, name)) problem(`missing field ${label(join(path, name))}`, "missing", join(path, name));
    }
    for (const [name, value] of Object.entries(obj)) {
      if (value === undefined) continue;
      // Own properties only: a field named "__proto__" or "constructor" is not Object.prototype's.
      const ps = Object.hasOwn(props, name) ? props[name] : undefined;
      // Nested fields are JSON on the wire: only the root (and array items) take wire text.
      if (ps) check(value, ps, join(path, name), false, label, out, decimalText);
      else if (s.additionalProperties === false) problem(`unknown field ${label(join(path, name))}`, "unknown", join(path, name));
      else if (s.additionalProperties && typeof s.additionalProperties === "object") check(value, s.additionalProperties, join(path, name), false, label, out, decimalText);
    }
  }
}

/**
 * `checkSchema(value, schema, "", { decimalText }).length === 0` (JSON reading), without the
 * paths and messages: the fast test of a server's answer or frame, where nearly every one fits.
 * Each schema node is read once, with its children, into a test of its own (FITS: what it
 * checks, and nothing it lacks, is decided then, not per value; a schema that refers to itself
 * is fine). Nodes with keywords it does not read itself go to checkSchema.
 */
export function fitsSchema(v: unknown, s: SchemaMeta, decimalText = false): boolean {
  // (a schema that is no object: checkSchema's UsageError names it)
  if (s === null || typeof s !== "object") return checkSchema(v, s, "", { decimalText }).length === 0;
  return fitsOf(s)(v, decimalText);
}

/** A schema node's test: does `v` fit (decimalText: a decimal's text stands for a number)? */
type Fits = (v: unknown, decimalText: boolean) => boolean;
const FITS = new WeakMap<SchemaMeta, Fits>();

function fitsOf(s: SchemaMeta): Fits {
  let f = FITS.get(s);
  if (f === undefined) {
    // While `s` and its children are made, a schema that refers to `s` gets this stand-in.
    let made: Fits | undefined;
    FITS.set(s, (v, decimalText) => made!(v, decimalText));
    FITS.set(s, (f = made = compileFits(s)));
  }
  return f;
}

const fitsAll: Fits = () => true;

function compileFits(s: SchemaMeta): Fits {
  if (s.not || s.pattern !== undefined || s.minLength !== undefined || s.maxLength !== undefined || s.minItems !== undefined || s.maxItems !== undefined) {
    return (v, decimalText) => checkSchema(v, s, "", { decimalText, max: 1, answer: true }).length === 0;
  }
  // The usual node of an answer, an object with its fields, is one test (one call a level; a
  // bound or `items`, which only numbers and lists meet, says nothing of an object).
  if (s.type === "object" && !s.allOf && !s.anyOf && !s.oneOf && !s.enum) return objectFits(s, true);
  const tests: Fits[] = (s.allOf ?? []).map((x) => fitsOf(x));
  for (const alternatives of [s.anyOf, s.oneOf]) {
    if (!alternatives) continue;
    const each = alternatives.map((x) => fitsOf(x));
    tests.push((v, decimalText) => each.some((f) => f(v, decimalText)));
  }
  if (s.type !== undefined) tests.push(typeFits(s, s.type));
  const allowed = s.enum;
  if (allowed) tests.push((v) => allowed.some((e) => sameJson(v, e, false)));
  if (s.minimum !== undefined || s.maximum !== undefined || s.exclusiveMinimum !== undefined || s.exclusiveMaximum !== undefined) {
    const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = s;
    tests.push((v) => {
      if (typeof v !== "number" && typeof v !== "bigint") return true;
      return !(
        (minimum !== undefined && lt(v, minimum)) ||
        (maximum !== undefined && gt(v, maximum)) ||
        (exclusiveMinimum !== undefined && !gt(v, exclusiveMinimum)) ||
        (exclusiveMaximum !== undefined && !lt(v, exclusiveMaximum))
      );
    });
  }
  if (s.items || s.prefixItems) {
    const prefix = (s.prefixItems ?? []).map(fitsOf);
    const item = s.items && fitsOf(s.items);
    tests.push((v, decimalText) => {
      if (!Array.isArray(v)) return true;
      for (let i = 0; i < v.length; i++) {
        const fits = i < prefix.length ? prefix[i] : item;
        if (fits && !fits(v[i], decimalText)) return false;
      }
      return true;
    });
  }
  if (s.required || s.properties || s.additionalProperties !== undefined) tests.push(objectFits(s, false));
  if (tests.length === 0) return fitsAll;
  if (tests.length === 1) return tests[0]!;
  if (tests.length === 2) {
    const [a, b] = tests as [Fits, Fits];
    return (v, decimalText) => a(v, decimalText) && b(v, decimalText);
  }
  return (v, decimalText) => {
    for (const t of tests) if (!t(v, decimalText)) return false;
    return true;
  };
}

/**
 * The type test of a node (as typeMatches reads a server's value): besides the JSON type, a
 * number beyond 2^53 fits only a decimal, and a bigint neither a decimal-only field
 * (bigintDecimal) nor an integer without format int64 (bigintNumber).
 */
function typeFits(s: SchemaMeta, types: string | ReadonlyArray<string>): Fits {
  const list = typeof types === "string" ? [types] : types;
  const decimal = list.includes("number");
  const bigintRefused = bigintDecimal(0n, types) || bigintNumber(0n, s, types);
  if (list.length === 1) {
    switch (list[0]) {
      case "string":
        return (v) => typeof v === "string";
      case "integer":
        if (s.format === "int64") return (v) => (typeof v === "number" ? Number.isSafeInteger(v) : typeof v === "bigint" && BigInt.asIntN(64, v) === v);
        return (v) => (typeof v === "number" ? Number.isSafeInteger(v) : typeof v === "bigint" && !bigintRefused);
      case "number":
        return (v, decimalText) => (typeof v === "number" ? Number.isFinite(v) : typeof v === "bigint" ? !bigintRefused : decimalText && typeof v === "string" && NUMBER_TEXT.test(v));
      case "boolean":
        return (v) => typeof v === "boolean";
      case "object":
        return (v) => v !== null && typeof v === "object" && !Array.isArray(v);
      case "array":
        return (v) => Array.isArray(v);
    }
  }
  return (v, decimalText) => {
    if (!list.some((t) => typeMatches(v, t, s, false, decimalText))) return false;
    if (typeof v === "number") return decimal || Number.isSafeInteger(v);
    return typeof v !== "bigint" || (!bigintRefused && (s.format !== "int64" || BigInt.asIntN(64, v) === v));
  };
}

/**
 * The object test of a node: required fields given, each field fits its schema (or the extra
 * fields' one). `typed`: the node's type is "object" alone, and this test makes it.
 */
function objectFits(s: SchemaMeta, typed: boolean): Fits {
  const required = s.required ?? [];
  const props = s.properties;
  const extra = s.additionalProperties;
  const open = !props && extra === undefined;
  // The fields with a schema, in the schema's order, and where each is in that order.
  const names: string[] = [];
  const tests: Fits[] = [];
  const at = new Map<string, number>();
  if (props) {
    for (const name of Object.keys(props)) {
      if (!props[name]) continue;
      at.set(name, names.length);
      names.push(name);
      tests.push(fitsOf(props[name]));
    }
  }
  const extraFits = extra && typeof extra === "object" ? fitsOf(extra) : undefined;
  return (v, decimalText) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return !typed;
    const obj = v as Record<string, unknown>;
    for (const name of required) if (obj[name] === undefined || !Object.hasOwn(obj, name)) return false;
    if (open) return true;
    // A server writes its fields in one order, most often the spec's: the next field in the
    // schema's order is tried first, the map only when it is another.
    let next = 0;
    for (const name in obj) {
      if (!Object.hasOwn(obj, name)) continue;
      const value = obj[name];
      if (value === undefined) continue;
      const i = names[next] === name ? next : at.get(name);
      if (i !== undefined) {
        next = i + 1;
        if (!tests[i]!(value, decimalText)) return false;
      } else if (extra === false) return false;
      else if (extraFits && !extraFits(value, decimalText)) return false;
    }
    return true;
  };
}

/** yyyy-MM-dd naming a day that exists (2024-02-30 does not). */
function isDate(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** The keys a schema may have and still be a plain one (SIMPLE_PARAM): what the checks ignore. */
const PLAIN_KEYS = new Set(["type", "format", "description", "default"]);
/** A plain schema's kind: "string", "integer" (a safe integer fits), "int32", or "" (none). */
const SIMPLE_PARAM = new WeakMap<SchemaMeta, string>();

function simpleKind(s: SchemaMeta): string {
  if (s === null || typeof s !== "object") return ""; // (checkSchema names what it got)
  let kind = SIMPLE_PARAM.get(s);
  if (kind === undefined) {
    kind = "";
    if (Object.keys(s).every((k) => PLAIN_KEYS.has(k))) {
      if (s.type === "string" && s.format !== "decimal" && s.format !== "date") kind = "string";
      else if (s.type === "integer") kind = s.format === "int32" ? "int32" : "integer";
    }
    SIMPLE_PARAM.set(s, kind);
  }
  return kind;
}

/**
 * Does a parameter's value plainly fit its schema: a string for a plain string schema, a safe
 * integer for a plain integer one (within 32 bits for int32)? Then checkSchema has nothing to
 * say, and is not run (the usual call: most parameters are such values). False means "check".
 */
function plainlyFits(v: unknown, s: SchemaMeta): boolean {
  if (typeof v === "string") return simpleKind(s) === "string";
  if (typeof v !== "number" || !Number.isSafeInteger(v)) return false;
  const kind = simpleKind(s);
  return kind === "integer" || (kind === "int32" && v >= -0x80000000 && v <= 0x7fffffff);
}

/**
 * Check one parameter of a call (wire-text reading): a UsageError naming the API, the
 * operation and the parameter, listing every problem, when the value does not fit.
 */
export function checkParam(ctx: ErrorContext, name: string, value: unknown, schema: SchemaMeta): void {
  if (plainlyFits(value, schema)) return;
  const label = (p: string) => `parameter "${p}"`;
  const problems = checkSchema(value, schema, name, { text: true, label });
  // Given as its text (already base64), what it carries is checked as if given as the value.
  if (!problems.length && schema.contentEncoding === "base64" && (schema.contentSchema || schema.maxBatchItems !== undefined)) {
    const content = typeof value === "string" ? decodedContent(value) : { value };
    problems.push(...("why" in content ? [{ path: name, kind: "type" as const, message: `${label(name)} must be base64 of JSON: ${content.why}` }] : contentProblems(content.value, schema, name, label, typeof value !== "string")));
  }
  if (problems.length) throw new UsageError(problems.map((p) => p.message).join("; "), { api: ctx.api, operation: ctx.operation });
}

/**
 * Base64's characters then at most two `=`; with a length of whole 4-character groups, that is
 * base64 with its padding. One character class, not groups of four: a group repeated per 4
 * characters took a regex stack frame each, and a text of 4.5M characters was a RangeError.
 */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The JSON value a base64 field's text carries (XT's batch `data` given already encoded), or why it carries none. */
function decodedContent(text: string): { value: unknown } | { why: string } {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return { why: "it has characters or padding base64 does not" };
  try {
    // Read for its JSON types only (what is sent is the text as given, every digit kept): a
    // decimal as its nearest double, so that a JSON string stays a string, refused where the
    // schema has a number (read as text, "1.5" and 1.5 were the same).
    return { value: parseJson(new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(text, "base64")), { decimals: "number" }) };
  } catch (e) {
    return { why: e instanceof TypeError ? "it decodes to bytes that are not UTF-8" : `the decoded text is not JSON (${e instanceof Error ? e.message : String(e)})` };
  }
}

/**
 * What is wrong with the value an encoded field (XT's base64 batch `data`) is to carry, given
 * as the value rather than its text: a batch (`x-max-items`) holds one item at least and at most
 * that many (the server ignores the rest), and the value fits the spec's `contentSchema` (a NaN
 * price would go out as null, an id past 2^53 rounded). `decimalText`: a decimal's text (in
 * JSON's grammar) stands for a number, as for values given by the caller (not for a batch read
 * from its encoded text, where a JSON string is a string).
 */
export function contentProblems(value: unknown, schema: SchemaMeta, path: string, label: (path: string) => string, decimalText = true): SchemaProblem[] {
  const max = schema.maxBatchItems;
  if (max !== undefined) {
    const where = label(path);
    // (a number by its value: "got integer" for -0, or a NaN as "beyond 2^53", said nothing of what was given)
    const got = typeof value === "number" ? `the number ${Object.is(value, -0) ? "-0" : value}` : jsonType(value);
    if (!Array.isArray(value)) return [{ path, kind: "type", message: `${where}: a batch is a list of its items, got ${got}` }];
    if (value.length === 0) return [{ path, kind: "value", message: `${where}: a batch needs at least one item` }];
    if (value.length > max) return [{ path, kind: "value", message: `${where}: a batch holds at most ${max} items (the server ignores the rest); got ${value.length}: split it` }];
  }
  // (given as values, a decimal's text stands for a number; given encoded, JSON's own types count)
  return schema.contentSchema ? checkSchema(value, schema.contentSchema, path, { label, decimalText: decimalText && "finite" }) : [];
}

/**
 * A request's JSON content (XT's batch `data`) as it is written: each decimal text where the
 * schema has a number (`"0.1"`, a price a double cannot hold) a JsonNumberText, which
 * stringifyJson writes as that number, digits as given; the rest as it is. Run after the check.
 */
export function withNumberTexts(v: unknown, s: SchemaMeta | undefined): unknown {
  if (!s) return v;
  if (typeof v === "string") return NUMBER_TOKEN.test(v) && ([] as unknown[]).concat(s.type).includes("number") ? new JsonNumberText(v) : v;
  if (Array.isArray(v)) return s.items ? v.map((item) => withNumberTexts(item, s.items)) : v;
  if (v === null || typeof v !== "object" || !s.properties) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: withNumberTexts(x, Object.hasOwn(s.properties, k) ? s.properties[k] : undefined), enumerable: true, writable: true, configurable: true });
  return out;
}

/**
 * A client's server URL parsed, or what is wrong with it: a URL of one of `schemes` with a host,
 * without whitespace or a control character (a value pasted or read from a file is refused, not
 * rewritten by the URL parser). Each client adds its own rules to the parsed URL.
 */
/** A server URL's `user:password@`, which no client sends (a WebSocket would send it as Basic auth, over plain ws:// too). */
export const URL_CREDENTIALS = "holds credentials (user:password@); tradeapi does not send them: remove them from the URL";

export function serverUrl(url: unknown, schemes: ReadonlyArray<string>): URL | string {
  if (typeof url !== "string") return "must be a string";
  if (/[\s\u0000-\u001f\u007f]/.test(url)) return "holds a space, line break or control character";
  const hint = schemes.map((s) => `${s}://`).join(" or ");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `is not a URL: it needs ${hint} and a host`;
  }
  return schemes.includes(parsed.protocol.slice(0, -1)) ? parsed : `must start with ${hint}, not ${parsed.protocol}`;
}

/**
 * A URL's text split at its `user:password` (redaction.ts userinfoEnd), parsable or not: any
 * scheme, a mistyped one or none. A password may hold an unescaped `/`, `?` or `#`
 * (`http://al:Xk9/v@proxy`: the URL then parses as host `al` with a path, or not at all).
 */
function splitUserinfo(text: string): [head: string, userinfo: string, tail: string] | undefined {
  // (up to the first "//" when nothing before it is "/", "?", "#" or "@"; found by indexOf: a
  // regex whose "\s*" and scheme part both took spaces ran 71 s on 500k of them)
  const slashes = text.indexOf("//");
  const head = slashes >= 0 && !/[/?#@]/.test(text.slice(0, slashes)) ? text.slice(0, slashes + 2) : "";
  const end = userinfoEnd(text.slice(head.length));
  return end < 0 ? undefined : [head, text.slice(head.length, head.length + end), text.slice(head.length + end)];
}

/**
 * A server URL as a message names it: quoted, its `user:password@` redacted (whatever the
 * password holds: a space or a quote in one refused as such must not print it; and in a value
 * with a mistyped scheme or none, `user:pw@host`); a non-string by its type.
 */
export function urlShown(url: unknown): string {
  if (typeof url !== "string") return typeName(url);
  const parts = splitUserinfo(url);
  const shown = JSON.stringify(redactUrl(parts ? `${parts[0]}${REDACTED}${parts[2]}` : url));
  // (a value pasted wrong may be a file's whole text: its start says enough)
  return shown.length > 200 ? `${shown.slice(0, 200)}…" (${url.length} characters)` : shown;
}

/** The `user:password` of a URL's text that may not parse ("" when it has none). */
export const userinfoOf = (text: string): string => splitUserinfo(text)?.[1] ?? "";

/** Does a URL's user or password percent-decode (it is sent decoded, as Proxy-Authorization)? */
function decodable(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

/** A `/`, `#`, `?` or `\` in a proxy's `user:password`: a URL ends its user part there. */
const ENDS_USERINFO = "a /, #, ? or \\ in its user:password is written percent-encoded (%2F, %23, %3F, %5C)";

/**
 * A client's `proxy` option checked: an http(s) URL (or URL object) of a host and port, with
 * `user:password@` or not, as its text (undefined: none); else a UsageError that shows it
 * without its password.
 */
export function proxyOption(proxy: unknown, ctx: ErrorContext): string | undefined {
  if (proxy === undefined) return undefined;
  const text = proxy instanceof URL ? proxy.href : proxy;
  const url = serverUrl(text, ["http", "https"]);
  // (as written: a password holding "/" parses as no URL, or as a host with a path)
  const info = typeof text === "string" ? userinfoOf(text) : "";
  const ends = /[/#?\\]/.test(info);
  const problem =
    typeof url === "string" ? (ends ? `is not a URL: ${ENDS_USERINFO}` : url)
    : url.pathname !== "/" || url.search || url.hash || /[?#]/.test(text as string) ? `has a path, query or fragment: give the proxy's scheme, host and port only${ends ? ` (${ENDS_USERINFO})` : ""}`
    : !decodable(url.username) || !decodable(url.password)
      ? /%(?![0-9a-f]{2})/i.test(`${url.username}:${url.password}`) ? "has a % in its user:password that is no %XX escape: write % as %25" : "has %XX escapes in its user:password that are no UTF-8 text (it is sent as UTF-8)"
    : undefined;
  if (problem) throw new UsageError(`the proxy option ${urlShown(text)} ${problem}`, ctx);
  return (url as URL).href;
}

/** What a proxy did instead of opening the tunnel, as the REST and quant-ws roads both say it (407: what it wants). */
export function proxyRefusal(status: number | string, target: string): string {
  const hint = String(status) === "407" ? ": it asks for credentials (user:password@ in the proxy URL), or refused the ones given" : "";
  return `answered ${status} to CONNECT ${target}, not 2xx${hint}`;
}

/** A whole number from `min` to `max` (default: no bound), or also `Infinity`. */
export interface WholeRange {
  min: number;
  max?: number;
  orInfinity?: true;
}

/**
 * A client option that must be a function, true/false, a finite number of ms (0 or more), a
 * wait a timer holds ("delay": 0 to MAX_TIMEOUT_MS ms; Node runs a longer timer after 1 ms, so
 * a ping interval or backoff of 30 days would fire every millisecond), a whole number in a
 * range, or one of `allowed`: a UsageError naming it and what it takes, when the client is made
 * (a wrong one would be a bare TypeError in the middle of a call, or be taken as something else).
 */
export function checkOption(ctx: ErrorContext, name: string, value: unknown, allowed: "function" | "boolean" | "ms" | "delay" | WholeRange | ReadonlyArray<string>): void {
  if (value === undefined) return;
  let ok: boolean;
  let takes: string;
  if (allowed === "function" || allowed === "boolean") {
    ok = typeof value === allowed;
    takes = allowed === "function" ? "a function" : "true or false";
  } else if (allowed === "ms" || allowed === "delay") {
    ok = typeof value === "number" && Number.isFinite(value) && value >= 0 && (allowed === "ms" || value <= MAX_TIMEOUT_MS);
    takes = allowed === "ms" ? "a finite number of ms, 0 or more" : `a number of ms from 0 to ${MAX_TIMEOUT_MS} (what a timer holds)`;
  } else if (Array.isArray(allowed)) {
    ok = allowed.includes(value as string);
    takes = `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`;
  } else {
    const { min, max = Number.POSITIVE_INFINITY, orInfinity } = allowed as WholeRange;
    ok = (Number.isInteger(value) && (value as number) >= min && (value as number) <= max) || (orInfinity === true && value === Number.POSITIVE_INFINITY);
    takes = max >= Number.MAX_SAFE_INTEGER ? `a whole number, ${min} or more${orInfinity ? " (or Infinity)" : ""}` : `a whole number from ${min} to ${max}`;
  }
  if (!ok) throw new UsageError(`${name} must be ${takes}, got ${shownValue(value)}`, ctx);
}

/**
 * A UsageError for a key of an options object that is not one of `known`: a misspelt
 * `timeoutMS`, or `retry: { retries: 1 }`, would otherwise be ignored and the client would
 * run with the default. `what` names the object ("options", "retry", "the call options"). One
 * that is not an object at all is a UsageError too (checkOptionsObject); undefined is none given.
 */
export function checkOptionNames(ctx: ErrorContext, what: string, options: unknown, known: Readonly<Record<string, unknown>>): void {
  if (options === undefined) return;
  checkOptionsObject(ctx, what, options);
  for (const key of Object.keys(options as object)) {
    // Undefined stands for "not given", as in a call's parameters.
    if (Object.hasOwn(known, key) || (options as Record<string, unknown>)[key] === undefined) continue;
    const names = Object.keys(known);
    throw new UsageError(`${what}: ${quoted(key)} is not an option${meant(key, names)}; the options are ${names.join(", ")}`, ctx);
  }
}

/**
 * The options that take a function, of every factory, helper and emulator: the methods a class
 * instance given as options has for them are kept (its other methods are no options).
 */
const FUNCTION_OPTIONS: ReadonlySet<string> = new Set([
  "fetch", "onEvent", "now", "sleep", "random", "log", "login", "newIdempotencyKey", "onIdempotencyKey", "onPage",
  "sign", "prepare", "checkBody", "checkErrorBody", "checkFile", "mapError", "extend", "signingClock",
]);

/** The prototype of ownFields' copies: nothing on it, nothing above it (a copy made with it is a fast object; one of Object.create(null) is not). */
const NO_FIELDS: object = Object.freeze(Object.create(null) as object);

/**
 * The fields of an options or parameters object in a copy, read once, with nothing inherited: a
 * field the caller did not give is undefined even when another library put a property of its
 * name on Object.prototype (prototype pollution made `baseUrl` or `proxy` send every signed
 * request, key and all, to another host, and added inherited values to the parameters sent and
 * signed). A class instance's accessors are read as its fields (its prototypes' up to its realm's
 * Object.prototype: a settings class's `get url()`), and with `methods` (options) its methods for
 * the options that take a function, bound to it (a fake clock's `now` and `sleep`; a method of
 * another name, a `validate()`, is no option and is left out). Anything but an object,
 * and a list, are given back as they are; so is one of these copies.
 */
export function ownFields<T>(o: T, methods = false): T {
  if (o === null || typeof o !== "object" || Array.isArray(o) || Object.getPrototypeOf(o) === NO_FIELDS) return o;
  const copy: Record<string, unknown> = Object.assign(Object.create(NO_FIELDS) as Record<string, unknown>, o);
  for (let p = Object.getPrototypeOf(o) as object | null; p !== null && Object.getPrototypeOf(p) !== null; p = Object.getPrototypeOf(p) as object | null) {
    for (const k of Object.getOwnPropertyNames(p)) {
      if (k === "constructor" || k === "__proto__" || Object.hasOwn(copy, k)) continue;
      const d = Object.getOwnPropertyDescriptor(p, k)!;
      if (d.get) copy[k] = (o as Record<string, unknown>)[k];
      else if (methods && typeof d.value === "function" && FUNCTION_OPTIONS.has(k)) copy[k] = (d.value as (...a: unknown[]) => unknown).bind(o);
    }
  }
  return copy as T;
}

/** Nesting past this is copied no deeper (no request nests so far; a deeper one keeps its depths as given). */
const MAX_HELD_DEPTH = 64;

/**
 * Parameters as they are now, read once at every depth: ownFields' copy, with the lists and
 * plain objects inside copied too (an XT batch item, a BHEX items row, a Xele condition), so that
 * what is checked is what is sent (a getter answering one value to the check and another to the
 * serializer sent a value never checked). Bytes, a Date, a Blob, an object with a toJSON()
 * are kept as they are. Each object is copied once (a list that holds itself, or an object
 * given in many places, is copied as such: a copy of each place made a shared one 2^64 times),
 * so a list that holds itself is still refused by the serializer, at once.
 */
export function heldValue<T>(v: T): T {
  return copyHeld(v, 0, { seen: undefined }) as T;
}

/** A call's parameters as given: ownFields' copy (nothing inherited), read once at every depth (heldValue). */
export function heldParams<T>(given: T): T {
  return heldValue(ownFields(given));
}

/** The copies made so far in one heldValue (made when a first nested object is met). */
interface HeldCopies {
  seen: Map<object, unknown> | undefined;
}

function copyHeld(v: unknown, depth: number, held: HeldCopies): unknown {
  if (v === null || typeof v !== "object" || depth > MAX_HELD_DEPTH) return v;
  const list = Array.isArray(v);
  // (one with a toJSON() is left as it is: the checks refuse it, for what it sends is toJSON()'s)
  if (!list && (Object.prototype.toString.call(v) !== "[object Object]" || typeof (v as { toJSON?: unknown }).toJSON === "function")) return v;
  const known = held.seen?.get(v);
  if (known !== undefined) return known;
  if (list) {
    const copy: unknown[] = [];
    (held.seen ??= new Map()).set(v, copy);
    // (each index read once, holes as undefined, as Array.from reads them)
    for (let i = 0, n = (v as unknown[]).length; i < n; i++) copy.push(copyHeld((v as unknown[])[i], depth + 1, held));
    return copy;
  }
  const copy = ownFields(v) as Record<string, unknown>;
  let kept = false;
  for (const k in copy) {
    const x = copy[k];
    if (x === null || typeof x !== "object") continue;
    if (!kept) (kept = true), (held.seen ??= new Map()).set(v, copy);
    copy[k] = copyHeld(x, depth + 1, held);
  }
  return copy;
}

/**
 * Options given to a factory, a call or a helper are an object (or left out): null, a string, a
 * number, an array or a function is a UsageError (`createXtClient("key")` made a client without
 * credentials; null was a TypeError from the first option read).
 */
export function checkOptionsObject(ctx: ErrorContext, what: string, options: unknown, of = "options"): void {
  if (options !== undefined && (options === null || typeof options !== "object" || Array.isArray(options))) {
    throw new UsageError(`${what} must be an object of ${of}, got ${Array.isArray(options) ? "an array" : typeName(options)}`, ctx);
  }
}

/**
 * A UsageError when `value` is given and is no AbortSignal (AbortSignal-shaped, a polyfill's
 * too): a signal-shaped object would never end the call, a wrong value is a bare TypeError
 * mid-request with a timer left behind.
 */
export function checkSignal(ctx: ErrorContext, name: string, value: unknown): void {
  if (value !== undefined && !isSignal(value)) throw new UsageError(`${name} must be an AbortSignal, got ${typeName(value)}`, ctx);
}

/**
 * A name or value someone typed as a message shows it (`show`: as it is, or quoted): whole up
 * to 80 characters, else its start, "…" and its length (a 120 kB name was echoed whole).
 */
export const shortened = (text: string, show: (t: string) => string = String): string => (text.length > 80 ? `${show(text.slice(0, 60))}… (${text.length} characters)` : show(text));

/** The same, quoted as JSON quotes it. */
export const quotedValue = (text: string): string => shortened(text, JSON.stringify);

/** ` (did you mean "id"?)` when one of `names` is plausibly what `word` meant, else "". */
export function meant(word: string, names: readonly string[]): string {
  const near = closest(word, names);
  return near === undefined ? "" : ` (did you mean ${JSON.stringify(near)}?)`;
}

/** Levenshtein distance (small strings only: option, flag and operation names). */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The candidate closest to `word` (ties: the first), or undefined when none is plausibly meant. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  // Long words are not compared: the distance costs their product, and none is meant.
  if (word.length > 100) return undefined;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

/** `x-required-one-of`: a UsageError unless each group has at least one parameter given (not empty). */
export function checkRequiredOneOf(ctx: ErrorContext, groups: ReadonlyArray<ReadonlyArray<string>> | undefined, params: Readonly<Record<string, unknown>>): void {
  for (const group of groups ?? []) {
    if (!group.some((name) => params[name] !== undefined && params[name] !== null && params[name] !== "")) {
      throw new UsageError(`pass at least one of ${group.map((g) => `"${g}"`).join(", ")}`, { api: ctx.api, operation: ctx.operation });
    }
  }
}
