/**
 * `decodePipeRows`: the Xele counter's "|" row answers (positions, rates, order history, order
 * query, risk alarm records) as typed row objects.
 *
 *   MS,OrderQry,1.0.3,25,1474,InvestorId|OrderSysId|...|HedgeFlag     ← header (optional)
 *   777001|1024|1|12345678901234567890|0|正常|...|投机                   ← one row per line
 *
 * - The header's field list decides the columns, not fixed positions: an older counter that
 *   sends fewer columns decodes correctly, and columns the spec does not know (newer counters)
 *   are kept as strings under their header name. Column types come from the spec's
 *   `x-pipe-rows.columns` by name (vendor doc spellings such as `Investorld` map to the canonical
 *   name through `aliases`).
 * - Answers without a header (rates, order history, OrderQry before 007P7) use the spec's
 *   column list; when columns carry `since` (counter versions), the version whose column count
 *   matches the first row is chosen.
 * - Conversions only where the spec says: `int` → number (a value past ±(2^53 - 1) is a
 *   PipeRowsError, never a bigint in a number column), `int64` → number, or bigint above
 *   2^53 (exchange order IDs keep every digit), `decimal` → the exact text, which must be
 *   decimal text as the vendor's document writes it ("101.0003": an optional minus, digits, an
 *   optional "." and digits, an optional exponent as C prints a double, "5e-05"; no "+", ".5",
 *   "5.", spaces, NaN or Infinity), `string` →
 *   as sent (commas, quotes, spaces, Chinese untouched). An empty int/int64/decimal cell is null.
 * - The answer may be the raw body or the JSON envelope `{code, msg, result}` whose `result`
 *   holds the text (or an array of lines); a non-zero `code` becomes the ApiError subclass from
 *   the spec's error table, and an envelope without `code` (`{}`, `{"foo":1}`) or with a null
 *   one is an error. An envelope given as text is read as the row stream reads it
 *   (envelope-reader.ts): a member given twice is an error, and `code` is JSON's number (`0.0`
 *   is 0, success). An
 *   empty (or whitespace-only) answer, or a header announcing 0 rows, is [].
 * - Bytes are decoded strictly: UTF-8 (the vendor's documents name no charset) unless the
 *   answer's Content-Type names another (`charset` option, e.g. GBK); invalid bytes raise
 *   `PipeRowsError` (problem "encoding") naming the line, never U+FFFD in a cell.
 *
 * Checks, all raising `PipeRowsError` (a ResponseFormatError) with the line number, before
 * anything is returned: the envelope, the header (column count against its field list, kind,
 * names, at most MAX_PIPE_COLUMNS of them), the number of rows against the header's row count, and every row's field count and
 * integer and decimal cells (the first and last rows directly, the others in one native regex pass per
 * answer, nothing allocated per row; row by row for a layout wider than the spec's) — so a truncated
 * or malformed answer is an error, never a shorter or partly wrong list. `{ check: "on-read" }`
 * trades that for speed: only the first and last rows are checked up front and any other row
 * when first read (reading a malformed one throws). The streaming decoder checks each row
 * before yielding it.
 *
 * Rows are views: each keeps its line's position in the answer text and splits and converts its
 * cells on first access (then caches them), so decoding a large answer costs one pass over the
 * line breaks and one small object per row, and a caller that reads a few columns of many rows
 * never pays for the rest. Properties are getters on the row's prototype (enumerable, so
 * `for…in` lists them); `JSON.stringify`/`stringifyJson(row)` and `row.toJSON()` give a plain
 * object in column order — `{...row}` and `Object.keys(row)` do not, use `row.toJSON()`.
 */
import { aTypeName, apiErrorFromCode, quoted, textOf, UsageError, type ErrorCodeInfo, type ErrorContext } from "../core/errors.js";
import { excessDigits, MAX_INTEGER_DIGITS } from "../core/json.js";
import { checkOptionsObject } from "../core/validate.js";
import type { PipeColumnMeta, PipeRowsMeta } from "../core/meta.js";
import { TextDecoder } from "node:util";
import { EnvelopeReader } from "./envelope-reader.js";
import { PipeRowsError, type PipeRowsProblem } from "./pipe-rows-error.js";
import { xeleMeta } from "./spec-info.js";

export type PipeColumnType = "string" | "int" | "int64" | "decimal";

/** One column as `x-pipe-rows.columns` describes it (`type`: a PipeColumnType). */
export type PipeColumn = PipeColumnMeta;

/** An operation's `x-pipe-rows`: the runtime metadata's layout, as generated from the spec. */
export type PipeRowsLayout = PipeRowsMeta;

/** The decoded header line `MS,<kind>,<version>,<column count>,<row count>,<F1|F2|...>`. */
export interface PipeRowsHeader {
  magic: "MS";
  kind: string;
  version: string;
  columnCount: number;
  rowCount: number;
  /** Column names as the header lists them. */
  fields: string[];
}

/**
 * A decoded row of `T` (the spec's row schema): present columns, null for empty numbers. The
 * columns are getters on the row's prototype, not own properties: `{ ...row }`,
 * `Object.keys(row)` and `structuredClone(row)` see none of them; copy a row with `row.toJSON()`.
 */
export type PipeRow<T> = { readonly [K in keyof T]?: T[K] | null } & {
  /** The row as a plain object, columns in answer order (unknown columns included). */
  toJSON(): { [K in keyof T]?: T[K] | null } & Record<string, unknown>;
};

export { PipeRowsError, type PipeRowsProblem } from "./pipe-rows-error.js";

export interface PipeRowsOptions {
  /** The operation's `x-pipe-rows` (column types, kind, header rules). */
  layout?: PipeRowsLayout;
  /** Columns for answers without a header (default: `layout.columns`). */
  columns?: readonly PipeColumn[];
  /** Expected header kind (default `layout.kind`); not checked when `layout.kindDocumented` is false. */
  kind?: string | null;
  /**
   * "all" (default): every row is checked (field count, integer and decimal cells) before
   * anything is returned, so a malformed answer is an error, never a partial result; cells are
   * still converted on first read, which can then no longer fail.
   * "on-read": only the first and last rows are checked up front (with the header's counts);
   * other rows are checked when first read, and a malformed one throws then. Faster; for
   * callers that read every row anyway and can stop on an error.
   */
  check?: "on-read" | "all";
  /**
   * The charset of an answer given as bytes (the `charset=` of its Content-Type; default
   * UTF-8). Neither the vendor's documents nor the spec name one, so UTF-8 is assumed; bytes
   * that are not valid in the charset raise `PipeRowsError` (problem "encoding"), never U+FFFD.
   * A counter that sends GBK must say so in its Content-Type (`text/plain; charset=GBK`).
   */
  charset?: string;
  /** Error table for envelopes with a non-zero code (default: the Xele spec's x-error-codes). */
  errorCodes?: Readonly<Record<string, ErrorCodeInfo>>;
  /** api / operation named in errors. */
  context?: ErrorContext;
  /**
   * decodePipeRowStream: the most characters held at once (an unfinished line, the envelope's
   * other members; default 64 Mi, the client's `maxResponseBytes`). A server that sends an
   * endless line is a ResponseTooLargeError at the limit, not an out-of-memory crash.
   */
  maxHeldChars?: number;
  /**
   * decodePipeRowStream: the longest the stream may go on reading without completing a line (a
   * row or the header), counted from its start and from each time the caller takes the next
   * row. A server that sends a byte at a time, never a line, is a TimeoutError (checked as its
   * bytes arrive: a body that sends nothing at all is for the transport's own wait). Default: none.
   */
  lineTimeoutMs?: number;
}

export interface PipeRowsAnswer<T> {
  header: PipeRowsHeader | null;
  rows: Array<PipeRow<T>>;
}

// ---- column layouts and row classes ----

const STRING = 0;
const INT = 1;
const INT64 = 2;
const DECIMAL = 3;
const KIND_OF: Record<string, number> = { string: STRING, int: INT, int64: INT64, decimal: DECIMAL };
/**
 * Column names a row cannot have: its own toJSON, and every Object.prototype name (a getter
 * named `toString` or `valueOf` would make `${row}` or `row + ""` throw or lie).
 */
const RESERVED = new Set(["toJSON", ...Object.getOwnPropertyNames(Object.prototype)]);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The columns of one answer, resolved to names and conversion kinds, with its row class. */
export interface RowLayout {
  readonly names: readonly string[];
  readonly kinds: Uint8Array;
  readonly Row: new (doc: PipeText, start: number) => PipeRow<Record<string, unknown>>;
}

/** The text rows are views of, and who to name in errors. */
export interface PipeText {
  readonly text: string;
  readonly context?: ErrorContext | undefined;
  /** For a line given on its own (a stream's), its line number; else a row's line is counted in `text`. */
  readonly line?: number | undefined;
}

/** `end` of the line `text[start, end)`, less one "\r" before it (a "\r\n" line break). */
const withoutCr = (text: string, start: number, end: number): number => (end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);

/** Where the line at `start` ends: the next line break or the text's end, less one "\r". */
function lineEnd(text: string, start: number): number {
  const nl = text.indexOf("\n", start);
  return withoutCr(text, start, nl === -1 ? text.length : nl);
}

/** The line number of the line at `start` (only for errors: it counts the line breaks before it). */
function lineOf(doc: PipeText, start: number): number {
  if (doc.line !== undefined) return doc.line;
  let line = 1;
  for (let nl = doc.text.indexOf("\n"); nl !== -1 && nl < start; nl = doc.text.indexOf("\n", nl + 1)) line++;
  return line;
}

/** "" (→ null) or an optional minus and digits (at most MAX_INTEGER_DIGITS of them). */
function isIntText(cell: string): boolean {
  const n = cell.length;
  let i = n > 1 && cell.charCodeAt(0) === 45 ? 1 : 0;
  if (n - i > MAX_INTEGER_DIGITS) return false;
  for (; i < n; i++) {
    const d = cell.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
  }
  return true;
}

function toInt(cell: string): number | bigint | null {
  if (cell === "") return null;
  if (cell.length <= 15) return Number(cell) || 0; // "-0" is 0
  const big = BigInt(cell);
  return big > MAX_SAFE || big < -MAX_SAFE ? big : Number(big);
}

/** `src[s, e)` is "" or an optional minus and digits (at most MAX_INTEGER_DIGITS of them). */
function isIntAt(src: string, s: number, e: number): boolean {
  let i = e - s > 1 && src.charCodeAt(s) === 45 ? s + 1 : s;
  if (e - i > MAX_INTEGER_DIGITS) return false;
  for (; i < e; i++) {
    const d = src.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
  }
  return true;
}

/**
 * `src[s, e)` is "" (→ null) or decimal text as the vendor's document writes it ("101.0003"): an
 * optional minus, digits, an optional "." followed by digits, and an optional exponent (the
 * document types prices and rates as doubles, which a C counter may print as "5e-05"). Nothing
 * else: no "+", no ".5" or "5.", no spaces, "NaN", "inf" or "Infinity", which a decimal library
 * would refuse or `Number()` read as something no decimal is. No length limit: the text is kept,
 * never converted.
 */
function isDecimalAt(src: string, s: number, e: number): boolean {
  return decimalEnd(src, s, e) === e;
}

/**
 * Where the decimal text at `src[s]` ends (an optional minus, digits, an optional "." and
 * digits, an optional exponent; nothing is an empty cell, `s`), reading no further than `e`; -1 for a minus without
 * digits or a "." without them.
 */
function decimalEnd(src: string, s: number, e: number): number {
  const i = s < e && src.charCodeAt(s) === 45 ? s + 1 : s;
  const int = digitsEnd(src, i, e);
  if (int === i) return i === s ? s : -1;
  let end = int;
  if (end < e && src.charCodeAt(end) === 46) {
    end = digitsEnd(src, int + 1, e);
    if (end === int + 1) return -1;
  }
  const x = end < e ? src.charCodeAt(end) : 0;
  if (x !== 101 && x !== 69) return end;
  // An exponent, as C's printf("%g") writes a double (5e-05, 1.5E+10): e or E, a sign, digits.
  const sign = end + 1 < e ? src.charCodeAt(end + 1) : 0;
  const digits = sign === 43 || sign === 45 ? end + 2 : end + 1;
  const exp = digitsEnd(src, digits, e);
  return exp === digits ? -1 : exp;
}

/** Where the run of digits at `src[i]` ends (at most `e`). */
function digitsEnd(src: string, i: number, e: number): number {
  for (; i < e; i++) {
    const d = src.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
  }
  return i;
}

/** The checks of decodeCells without allocating anything (false: decodeCells names the problem). */
function rowIsWellFormed(src: string, start: number, end: number, layout: RowLayout): boolean {
  const n = layout.names.length;
  const kinds = layout.kinds;
  let s = start;
  for (let k = 0; k < n; k++) {
    const kind = kinds[k];
    if (kind === DECIMAL) {
      // One read of the cell: its decimal text, then the "|" after it (the line's end after the last).
      const p = decimalEnd(src, s, end);
      if (p === -1 || (k < n - 1 ? p === end || src.charCodeAt(p) !== 124 : p !== end)) return false;
      s = p + 1;
      continue;
    }
    let p = end;
    if (k < n - 1) {
      p = src.indexOf("|", s);
      if (p === -1 || p >= end) return false;
    } else {
      const extra = src.indexOf("|", s);
      if (extra !== -1 && extra < end) return false;
    }
    if ((kind === INT || kind === INT64) && !isIntAt(src, s, p)) return false;
    // More than 15 characters may not be a safe integer: decodeCells decides.
    if (kind === INT && p - s > 15) return false;
    s = p + 1;
  }
  return true;
}

/** Split and convert one row's cells, checking the field count and number (integer, decimal) cells. */
function decodeCells(doc: PipeText, start: number, layout: RowLayout, last: boolean): unknown[] {
  const raw = doc.text.slice(start, lineEnd(doc.text, start));
  const cells: unknown[] = raw.split("|");
  const n = layout.names.length;
  const fail = (message: string): never => {
    throw new PipeRowsError(message, { line: lineOf(doc, start), problem: message.startsWith("column") ? "value" : "columns", text: raw, context: doc.context });
  };
  if (cells.length !== n) {
    fail(`has ${cells.length} fields, expected ${n}${last && cells.length < n ? " (the last line: the answer looks truncated)" : ""}`);
  }
  const kinds = layout.kinds;
  for (let i = 0; i < n; i++) {
    const k = kinds[i];
    if (k === INT || k === INT64) {
      const cell = cells[i] as string;
      if (!isIntText(cell)) {
        const digits = excessDigits(cell);
        // A bigint that long would take seconds to build (see NumberTooLongError).
        if (digits) fail(`column ${layout.names[i]}: an integer of ${digits} digits, more than the ${MAX_INTEGER_DIGITS} read`);
        fail(`column ${layout.names[i]}: ${quoted(cell)} is not an integer`);
      }
      const value = toInt(cell);
      // An int column is typed number: a value past ±(2^53 - 1) would be a bigint (or a rounded number).
      if (k === INT && typeof value === "bigint") fail(`column ${layout.names[i]}: ${quoted(cell)} is beyond ±(2^53 - 1), too large for an int column (a number)`);
      cells[i] = value;
    } else if (k === DECIMAL) {
      const cell = cells[i] as string;
      if (!isDecimalAt(cell, 0, cell.length)) {
        fail(`column ${layout.names[i]}: ${quoted(cell)} is not a decimal (an optional "-", digits, an optional fraction and exponent: "101.0003", "5e-05")`);
      }
      if (cell === "") cells[i] = null;
    }
  }
  return cells;
}

const VALUES = Symbol("pipeRowValues");
const CHECK = Symbol("pipeRowCheck");
const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/**
 * A row: where its line starts in the text, and the text, replaced by the row's values once
 * decoded. Two fields only: an answer's rows are kept together (500,000 of them in a large
 * answer), and each field more is what the garbage collector copies while they are made. The
 * line's end and number are found again when needed (the number only for an error).
 */
abstract class PipeRowView {
  static layout: RowLayout;
  #src: PipeText | unknown[];
  readonly #start: number;
  constructor(doc: PipeText, start: number) {
    this.#src = doc;
    this.#start = start;
  }
  [VALUES](last = false): unknown[] {
    const src = this.#src;
    if (Array.isArray(src)) return src;
    return (this.#src = decodeCells(src, this.#start, (this.constructor as typeof PipeRowView).layout, last));
  }
  [CHECK](last: boolean): void {
    const src = this.#src;
    if (!Array.isArray(src) && !rowIsWellFormed(src.text, this.#start, lineEnd(src.text, this.#start), (this.constructor as typeof PipeRowView).layout)) {
      this[VALUES](last); // throws, naming the problem
    }
  }
  toJSON(): Record<string, unknown> {
    const values = this[VALUES]();
    const names = (this.constructor as typeof PipeRowView).layout.names;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) out[names[i]!] = values[i];
    return out;
  }
  [INSPECT](): Record<string, unknown> {
    return this.toJSON();
  }
}

/**
 * Check a row now (field count, integer and decimal cells) without decoding it; throws what reading it
 * would throw. `last`: a short row means truncation.
 */
export function checkPipeRow(row: object, last = false): void {
  if (!(row instanceof PipeRowView)) throw new UsageError(`checkPipeRow takes a row that decodePipeRows or decodePipeRowStream gave, got ${aTypeName(row)}`, { api: "xele" });
  row[CHECK](last === true);
}

const layoutCache = new Map<string, RowLayout>();
/**
 * The layouts kept: a counter's header lines are a few per operation, but they come from the
 * server, and one that sent a new header with each answer (a column named by the time, a
 * hostile server) would otherwise add a row class per answer for the life of the process.
 * Past the limit (or for a header line longer than any real one) a layout is built for its
 * answer and not kept.
 */
export const LAYOUT_CACHE_MAX = 256;
const LAYOUT_KEY_MAX = 16_384;

/** The layout (and row class) for these column names and types; cached per distinct layout (see LAYOUT_CACHE_MAX). */
export function rowLayout(names: readonly string[], types: ReadonlyArray<string | undefined>): RowLayout {
  const kinds = Uint8Array.from(types, (t) => KIND_OF[t ?? "string"] ?? STRING);
  const key = `${names.join("|")}\u0000${kinds.join("")}`;
  const cached = layoutCache.get(key);
  if (cached) return cached;
  class Row extends PipeRowView {}
  names.forEach((name, i) => {
    Object.defineProperty(Row.prototype, name, {
      get(this: PipeRowView) {
        return this[VALUES]()[i];
      },
      enumerable: true,
    });
  });
  const layout: RowLayout = { names: [...names], kinds, Row: Row as unknown as RowLayout["Row"] };
  Row.layout = layout;
  if (layoutCache.size < LAYOUT_CACHE_MAX && key.length <= LAYOUT_KEY_MAX) layoutCache.set(key, layout);
  return layout;
}

/** Compare counter versions: 003 < 007 < 007P7 < 007P9. */
export function compareCounterVersions(a: string, b: string): number {
  // A version that is no text (a caller's number) is one not known: after every known one.
  const parse = (v: string) => {
    const m = typeof v === "string" ? /^(\d+)(?:P(\d+))?$/i.exec(v.trim()) : null;
    return m ? [Number(m[1]), Number(m[2] ?? 0)] : [Number.MAX_SAFE_INTEGER, 0];
  };
  const [a1, a2] = parse(a);
  const [b1, b2] = parse(b);
  return a1! - b1! || a2! - b2!;
}

/** A layout's columns, as `pipeRowsOf(op).columns` gives them: anything else is a UsageError naming `fn`. */
function checkColumns(fn: string, columns: unknown): void {
  if (!Array.isArray(columns) || !columns.every((c) => c !== null && typeof c === "object" && typeof (c as PipeColumn).name === "string")) {
    throw new UsageError(`${fn} takes a layout's columns (pipeRowsOf(op).columns), got ${aTypeName(columns)}`, { api: "xele" });
  }
}

/** The columns a counter of `version` sends (those without `since` or with since ≤ version). */
export function columnsForVersion(columns: readonly PipeColumn[], version: string): PipeColumn[] {
  checkColumns("columnsForVersion", columns);
  return columns.filter((c) => !c.since || compareCounterVersions(c.since, version) <= 0);
}

/** Every column set the spec allows for a header-less answer: one per counter version, widest last. */
export function columnSets(columns: readonly PipeColumn[]): PipeColumn[][] {
  checkColumns("columnSets", columns);
  const versions = [...new Set(columns.flatMap((c) => (c.since ? [c.since] : [])))].sort(compareCounterVersions);
  const sets = [columns.filter((c) => !c.since), ...versions.map((v) => columnsForVersion(columns, v))];
  return sets.filter((s, i) => s.length > 0 && sets.findIndex((t) => t.length === s.length) === i);
}

// ---- the answer text ----

/**
 * The "|" text of an answer given as the raw body (string or bytes) or as the JSON envelope
 * (parsed, or as text): a non-zero `code` throws the ApiError subclass from the error table.
 */
export function pipeRowsText(answer: unknown, options: Pick<PipeRowsOptions, "errorCodes" | "context" | "charset"> = {}): string {
  checkOptionsObject({ api: "xele" }, "the row options", options);
  if (answer === undefined || answer === null) return "";
  if (answer instanceof Uint8Array) answer = decodePipeBytes(answer, options.charset, options.context);
  if (typeof answer === "string") {
    const text = answer.charCodeAt(0) === 0xfeff ? answer.slice(1) : answer;
    if (!/^\s*\{/.test(text)) return text;
    return envelopeTextOf(text, options);
  }
  return envelopeText(answer, options);
}

/**
 * The row text of a JSON envelope given as text, read exactly as the row stream reads it
 * (EnvelopeReader): a member given twice is an error, not the last one winning; `code` is JSON's
 * number (`0.0` is 0); other members are not the rows' business (a decimal among them is read,
 * never refused).
 */
function envelopeTextOf(text: string, options: Pick<PipeRowsOptions, "errorCodes" | "context">): string {
  const parts: string[] = [];
  const result = resultTextSink(
    (piece) => parts.push(piece),
    () => parts.push("\n"),
  );
  const envelope = new EnvelopeReader(
    result.onText,
    result.onItemEnd,
    (members) => checkEnvelopeCode(members.code, members.msg, { ...members }, options),
    options.context,
  );
  envelope.push(text);
  checkEnvelopeEnd(envelope, options);
  // `result` as lines: joined with "\n", no break after the last one.
  if (Array.isArray(envelope.members.result)) parts.pop();
  return parts.join("");
}

const BOM = 0xfeff;

/** `text` without a BOM (U+FEFF) as its first character. */
const withoutBom = (text: string): string => (text.charCodeAt(0) === BOM ? text.slice(1) : text);

/**
 * Where an EnvelopeReader hands the envelope's `result` text (a string, or lines ended by
 * `onItemEnd`): as it arrives, without a BOM (U+FEFF) at the start of the rows text, as one at
 * the start of a raw body is dropped. A server that writes its rows with one puts it inside
 * `result` too (raw or as the escape \ufeff), where it would make the header line unreadable.
 * Only the very start: a BOM after the first line break is a line's text.
 */
export function resultTextSink(onText: (text: string) => void, onItemEnd: () => void): { onText: (text: string) => void; onItemEnd: () => void } {
  let atStart = true;
  return {
    onText(text) {
      if (atStart && text) {
        atStart = false;
        text = withoutBom(text);
        if (!text) return;
      }
      onText(text);
    },
    onItemEnd() {
      atStart = false;
      onItemEnd();
    },
  };
}

/**
 * After the last chunk of an envelope read by an EnvelopeReader (the row stream's, or
 * pipeRowsText's): it must be whole, with a `code` that is success and a `result`, if any,
 * that is text or lines.
 */
export function checkEnvelopeEnd(envelope: EnvelopeReader, options: Pick<PipeRowsOptions, "errorCodes" | "context">): void {
  const fail = (message: string): never => {
    throw new PipeRowsError(message, { line: 0, problem: "envelope", context: options.context });
  };
  if (!envelope.done) fail("truncated: the JSON envelope ends early (not valid JSON)");
  const members = envelope.members;
  if (!Object.hasOwn(members, "code")) fail('the JSON envelope has no "code" (expected {code, msg, result})');
  checkEnvelopeCode(members.code, members.msg, { ...members }, options);
  const result = members.result;
  if (result !== undefined && result !== null && typeof result !== "string" && !Array.isArray(result)) {
    fail("the envelope's result is neither text nor an array of lines");
  }
}

export { charsetOf } from "../core/http-transport.js";

/** The charset's decoder (fatal: invalid bytes throw); an unknown charset is a PipeRowsError. */
export function pipeRowsDecoder(charset: string | undefined, context?: ErrorContext): TextDecoder {
  try {
    return new TextDecoder(charset ?? "utf-8", { fatal: true });
  } catch {
    throw new PipeRowsError(`unknown charset ${JSON.stringify(charset)} in the answer's Content-Type`, { line: 0, problem: "encoding", context });
  }
}

/** The error for bytes that are not valid in the charset (`line`: 1-based, 0 when unknown). */
export function badBytesError(charset: string | undefined, line: number, context?: ErrorContext): PipeRowsError {
  const name = pipeRowsDecoder(charset, context).encoding.toUpperCase();
  return new PipeRowsError(
    `the answer has bytes that are not valid ${name}${name === "UTF-8" ? " (GBK text? the answer's Content-Type names no other charset)" : ""}; nothing was decoded`,
    { line, problem: "encoding", context },
  );
}

/**
 * The 0-based index of the first line of `bytes` that is not valid in the charset (a line
 * break byte is never part of a UTF-8 or GBK multi-byte character). `continued`: the bytes
 * follow earlier ones, so the first line may start inside a character (its UTF-8
 * continuation bytes are skipped).
 */
export function firstBadLine(bytes: Uint8Array, charset?: string, continued = false): number {
  const decoder = pipeRowsDecoder(charset);
  let start = 0;
  if (continued && decoder.encoding === "utf-8") while (start < 3 && ((bytes[start] ?? 0) & 0xc0) === 0x80) start++;
  for (let line = 0; ; line++) {
    const nl = bytes.indexOf(10, start);
    try {
      decoder.decode(bytes.subarray(start, nl === -1 ? bytes.length : nl));
    } catch {
      return line;
    }
    if (nl === -1) return line;
    start = nl + 1;
  }
}

/** Decode an answer's bytes strictly (see `PipeRowsOptions.charset`), naming the first bad line. */
export function decodePipeBytes(bytes: Uint8Array, charset?: string, context?: ErrorContext): string {
  const decoder = pipeRowsDecoder(charset, context);
  try {
    return decoder.decode(bytes);
  } catch {
    // In a JSON envelope, lines of the body are not lines of the answer.
    let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    while (bytes[i] === 32 || bytes[i] === 9 || bytes[i] === 10 || bytes[i] === 13) i++;
    throw badBytesError(charset, bytes[i] === 0x7b ? 0 : firstBadLine(bytes, charset) + 1, context);
  }
}

/**
 * The envelope's `code` (with its `msg`): a non-zero code is its ApiError, a code that is null,
 * an object or an array a PipeRowsError (null is no success: the transport refuses it in an
 * answer sent as JSON, and so do both readers of the rows, whatever the Content-Type); none
 * (not read yet) or 0 passes. The buffered decoder and the row stream both check it here.
 */
export function checkEnvelopeCode(code: unknown, msg: unknown, body: unknown, options: Pick<PipeRowsOptions, "errorCodes" | "context">): void {
  if (code === undefined) return;
  // (a boolean is no code either: true would be an ApiError of code "true", false a success)
  if (code === null || typeof code === "object" || typeof code === "boolean") {
    throw new PipeRowsError(`the JSON envelope's "code" is ${aTypeName(code)}, not a code`, { line: 0, problem: "envelope", text: textOf(code), context: options.context });
  }
  if (textOf(code) !== "0") {
    throw apiErrorFromCode({ ...options.context, code: code as string | number, vendorMessage: msg == null ? undefined : textOf(msg), body }, options.errorCodes ?? xeleMeta.errorCodes);
  }
}

function envelopeText(body: unknown, options: Pick<PipeRowsOptions, "errorCodes" | "context">): string {
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    throw new PipeRowsError("expected text or a {code, msg, result} envelope", { line: 0, problem: "envelope", context: options.context });
  }
  const b = body as Record<string, unknown>;
  if (!Object.hasOwn(b, "code")) {
    throw new PipeRowsError("the JSON envelope has no \"code\" (expected {code, msg, result})", { line: 0, problem: "envelope", context: options.context });
  }
  checkEnvelopeCode(b.code, b.msg, body, options);
  const result = b.result;
  if (result === undefined || result === null) return "";
  // A BOM at the start of the rows text is dropped (as resultTextSink does for an envelope read as text).
  if (typeof result === "string") return withoutBom(result);
  if (Array.isArray(result) && result.every((l) => typeof l === "string")) return withoutBom(result.join("\n"));
  throw new PipeRowsError("the envelope's result is neither text nor an array of lines", { line: 0, problem: "envelope", context: options.context });
}

// ---- line by line ----

/**
 * The most columns a header line may list (or announce): a counter's answers have tens (the
 * spec's widest layout 25). A header of more is a PipeRowsError (problem "header"), for `call`
 * and `streamRows` alike: each column is an accessor of the answer's row class, and a header of
 * a million names (54 MB) took 50 s and 1.9 GB to build one.
 */
export const MAX_PIPE_COLUMNS = 4096;

/** Parse a header line (`MS,...`), checking its own consistency. */
export function parsePipeHeader(line: string, context?: ErrorContext): PipeRowsHeader {
  if (typeof line !== "string") throw new UsageError(`parsePipeHeader takes the header line (a string), got ${aTypeName(line)}`, { api: "xele" });
  const fail = (msg: string): never => {
    throw new PipeRowsError(msg, { line: 1, problem: "header", text: line, context });
  };
  // The five commas before the field list (which may hold more), found without splitting the line.
  const commas: number[] = [];
  for (let p = line.indexOf(","); p !== -1 && commas.length < 5; p = line.indexOf(",", p + 1)) commas.push(p);
  if (commas.length < 5 || line.slice(0, commas[0]) !== "MS") fail("header must be MS,<kind>,<version>,<column count>,<row count>,<fields>");
  const [kind, version, cols, rowsText] = [0, 1, 2, 3].map((k) => line.slice(commas[k]! + 1, commas[k + 1]));
  if (!/^\d+$/.test(cols!)) fail(`header column count ${quoted(cols!)} is not a number`);
  if (!/^\d+$/.test(rowsText!)) fail(`header row count ${quoted(rowsText!)} is not a number`);
  const list = line.slice(commas[4]! + 1);
  // Counted before the list is split: a header of a million names is refused, not read.
  let listed = 1;
  for (let p = list.indexOf("|"); p !== -1 && listed <= MAX_PIPE_COLUMNS; p = list.indexOf("|", p + 1)) listed++;
  if (listed > MAX_PIPE_COLUMNS || Number(cols) > MAX_PIPE_COLUMNS) {
    fail(`header has more than ${MAX_PIPE_COLUMNS} columns, the most read (MAX_PIPE_COLUMNS; a counter's answers have tens)`);
  }
  const fields = list.split("|");
  const columnCount = Number(cols);
  if (columnCount !== fields.length) fail(`header announces ${columnCount} columns but lists ${fields.length} names`);
  const seen = new Set<string>();
  for (const f of fields) {
    if (f === "") fail("header lists an empty column name");
    if (RESERVED.has(f)) fail(`header column name ${quoted(f)} is not allowed`);
    if (seen.has(f)) fail(`header lists column ${quoted(f)} twice`);
    seen.add(f);
  }
  return { magic: "MS", kind: kind!, version: version!, columnCount, rowCount: Number(rowsText), fields };
}

/**
 * The shared line-by-line core of `decodePipeRows` and the streaming decoder. The first line
 * may be a header; every other line becomes a row view (checked now when `check` is true,
 * else when first read). Call `finish()` after the last line: it checks the header's row count.
 */
export class PipeRowLines {
  header: PipeRowsHeader | null = null;
  rowCount = 0;
  private layout: RowLayout | null = null;
  private lineNo = 0;
  private firstBlank = 0;
  private readonly doc: PipeText;
  constructor(
    text: string,
    private readonly options: PipeRowsOptions = {},
  ) {
    this.doc = { text, context: options.context };
  }

  /**
   * Feed the line `text[start, end)` of the text given to the constructor (no line break), or
   * — for streams — a line of its own (`text` replaces the document). `check`: check the row
   * now rather than when first read; `last`: no line follows. Returns its row, or null for a
   * header or a blank line.
   */
  line(start: number, end: number, check: boolean, last: boolean, text?: string): PipeRow<Record<string, unknown>> | null {
    this.lineNo++;
    const doc = text === undefined ? this.doc : { text, context: this.options.context, line: this.lineNo };
    const src = doc.text;
    end = withoutCr(src, start, end);
    if (this.lineNo === 1 && src.startsWith("MS,", start)) {
      this.header = parsePipeHeader(src.slice(start, end), this.options.context);
      this.layout = this.fromHeader(this.header);
      return null;
    }
    if (end === start && (this.layout?.names.length ?? 2) > 1) {
      this.firstBlank ||= this.lineNo;
      return null;
    }
    if (this.firstBlank) this.fail(this.firstBlank, "columns", "empty line inside the answer");
    const layout = (this.layout ??= this.fromSpec(src, start, end));
    const row = new layout.Row(doc, start);
    // The first row is always checked now (also after a header); decodePipeAnswer checks the
    // last row and (by default) every other one once all lines are read.
    if (check || this.rowCount === 0) checkPipeRow(row, last);
    this.rowCount++;
    return row;
  }

  /** Lines fed so far (header and blank lines included). */
  get linesRead(): number {
    return this.lineNo;
  }

  /** The column layout rows were decoded with (null before the first row). */
  get rowLayout(): RowLayout | null {
    return this.layout;
  }

  /** After the last line: a header's row count must match. */
  finish(): void {
    const h = this.header;
    if (h && h.rowCount !== this.rowCount) {
      const why =
        this.rowCount < h.rowCount
          ? `truncated: the header announces ${h.rowCount} rows but the answer ends after ${this.rowCount}`
          : `the header announces ${h.rowCount} rows but the answer has ${this.rowCount}`;
      this.fail(0, "row-count", why);
    }
  }

  private fail(line: number, problem: PipeRowsProblem, message: string, text?: string): never {
    throw new PipeRowsError(message, { line, problem, text, context: this.options.context });
  }

  private fromHeader(h: PipeRowsHeader): RowLayout {
    const layout = this.options.layout;
    const expected = this.options.kind !== undefined ? this.options.kind : layout?.kind;
    if (expected && layout?.kindDocumented !== false && h.kind !== expected) {
      this.fail(1, "kind", `header kind ${quoted(h.kind)}, expected ${JSON.stringify(expected)}`);
    }
    const byName = new Map<string, PipeColumn>();
    for (const c of this.options.columns ?? layout?.columns ?? []) {
      byName.set(c.name, c);
      for (const a of c.aliases ?? []) if (!byName.has(a)) byName.set(a, c);
    }
    const names = h.fields.map((f) => byName.get(f)?.name ?? f);
    if (new Set(names).size !== names.length) this.fail(1, "header", "header lists a column under two spellings");
    return rowLayout(
      names,
      h.fields.map((f) => byName.get(f)?.type),
    );
  }

  private fromSpec(src: string, start: number, end: number): RowLayout {
    const columns = this.options.columns ?? this.options.layout?.columns ?? [];
    if (columns.length === 0) this.fail(this.lineNo, "layout", "the answer has no header and no column list was given");
    let fields = 1;
    for (let p = src.indexOf("|", start); p !== -1 && p < end; p = src.indexOf("|", p + 1)) fields++;
    const sets = columnSets(columns);
    const set = sets.find((c) => c.length === fields) ?? (sets.length === 1 ? sets[0]! : undefined);
    if (!set) {
      this.fail(this.lineNo, "columns", `has ${fields} fields; the known layouts have ${sets.map((c) => c.length).join(", ")}`, src.slice(start, end));
    }
    return rowLayout(
      set.map((c) => c.name),
      set.map((c) => c.type),
    );
  }
}

/** Decode an answer (raw text or bytes, or the JSON envelope) into its header and rows. See the module doc. */
export function decodePipeAnswer<T extends object = Record<string, unknown>>(
  answer: unknown,
  options: PipeRowsOptions = {},
): PipeRowsAnswer<T> {
  const text = pipeRowsText(answer, options);
  // Trailing empty lines (nothing once their one "\r" is dropped, as line() drops it) end the
  // answer. (A layout of one column reads an empty line as a row with an empty cell, but only
  // when a line with text follows it: the streaming decoder reads them so too.)
  let end = text.length;
  while (end > 0) {
    const start = text.lastIndexOf("\n", end - 1) + 1;
    if (end - start > (text.charCodeAt(end - 1) === 13 ? 1 : 0)) break;
    end = Math.max(start - 1, 0);
  }
  const rows: Array<PipeRow<T>> = [];
  if (end === 0 || text.trim() === "") return { header: null, rows };
  const lines = new PipeRowLines(text, options);
  let rowsStart = -1;
  let longest = 0;
  let pos = 0;
  while (pos <= end) {
    let e = text.indexOf("\n", pos);
    if (e === -1 || e > end) e = end;
    const row = lines.line(pos, e, false, e === end);
    if (row) {
      if (rowsStart < 0) rowsStart = pos;
      if (e - pos > longest) longest = e - pos;
      rows.push(row as unknown as PipeRow<T>);
    }
    pos = e + 1;
  }
  // The first row was checked by line(); the last one (blank lines may follow it) now, before
  // the row count, so a cut last row is named as such; the regex pass covers every other.
  if (rows.length > 1) checkPipeRow(rows[rows.length - 1]!, true);
  lines.finish();
  if ((options.check ?? "all") === "all" && rows.length > 2) checkAllRows(text, rowsStart, end, lines.rowLayout!, rows, longest);
  return { header: lines.header, rows };
}

/**
 * Per layout, the well-formed regexes, each made when first needed: bounded (int64 cells of at
 * most MAX_INTEGER_DIGITS digits) and unbounded (most answers need only this one).
 */
const WELL_FORMED = new WeakMap<RowLayout, { bounded?: RegExp; unbounded?: RegExp }>();
/**
 * An optional minus and 1 to 15 digits, or nothing: `(?:-?\d{1,15})?` written as nested optional
 * groups, which irregexp runs faster than a counted repetition (about a tenth of the pass).
 */
const UP_TO_15_DIGITS = `(?:-?\\d${"(?:\\d".repeat(14)}${")?".repeat(14)})?`;
/** Rows one exec of the well-formed regex reads at most (its backtracking state stays small). */
const ROWS_PER_EXEC = 1024;
/**
 * The widest layout the well-formed regex is made for: its pattern grows with the columns (an
 * int cell's by about 90 characters), irregexp's compile time faster than that (64 int columns
 * took 80 ms, 2,048 about 3 s), and one of some 7,700 string columns or 4,000 int ones is a
 * SyntaxError. Wider layouts (every spec layout has at most 25 columns) are checked row by row,
 * as is any layout whose regex irregexp refuses.
 */
const REGEX_MAX_COLUMNS = 256;
const REGEX_MAX_INT_COLUMNS = 32;

/**
 * A decimal cell as isDecimalAt reads it, or nothing. No two parts can match the same
 * characters (the fraction needs its ".", the exponent its "e"), so a cell that is not one is refused in time linear
 * in its length: the digits `\d+` gives back can start nothing else.
 */
const DECIMAL_CELL = "(?:-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?)?";

/** The well-formed regex of a layout, its int64 cells read by `int64`. */
function wellFormed(layout: RowLayout, int64: string): RegExp {
  const cells = Array.from(layout.kinds, (k) => (k === INT ? UP_TO_15_DIGITS : k === INT64 ? int64 : k === DECIMAL ? DECIMAL_CELL : "[^|\\n]*"));
  return new RegExp(`(?:\\n${cells.join("\\|")}\\r?(?=\\n|$)){0,${ROWS_PER_EXEC}}`, "y");
}

/**
 * Every row at once: a native regex reads line break after line break, each followed by `n`
 * fields with integer and decimal cells where the layout has them, up to ROWS_PER_EXEC rows an exec
 * (nothing allocated per row); where it stops short of the end, the row after that line break
 * is decoded to throw the error that names it. Each character is read once (a negative
 * lookahead tried at every line break read each row twice: the lookahead, then the search for
 * the next break). (The first row was checked by line(); rows are consecutive lines, as a blank
 * line between rows is an error.) `longest`: the longest row's length; when no row is longer
 * than MAX_INTEGER_DIGITS, no int64 cell can be either, and the regex reads int64 cells with an
 * unbounded `\d+`, which irregexp runs as a plain loop, not a counted one (a fifth of the pass
 * on Node 24 with one int64 column).
 */
function checkAllRows(text: string, start: number, end: number, layout: RowLayout, rows: ReadonlyArray<object>, longest: number): void {
  let ints = 0;
  for (const k of layout.kinds) if (k === INT || k === INT64) ints++;
  if (layout.names.length <= REGEX_MAX_COLUMNS && ints <= REGEX_MAX_INT_COLUMNS) {
    try {
      return checkAllRowsByRegex(text, start, end, layout, rows, longest);
    } catch (e) {
      // A regex irregexp will not compile or run ("too large", "Stack overflow"): row by row.
      if (!(e instanceof SyntaxError || e instanceof RangeError)) throw e;
    }
  }
  for (let i = 1; i < rows.length - 1; i++) checkPipeRow(rows[i]!);
}

/** checkAllRows with the well-formed regex. */
function checkAllRowsByRegex(text: string, start: number, end: number, layout: RowLayout, rows: ReadonlyArray<object>, longest: number): void {
  let made = WELL_FORMED.get(layout);
  if (!made) WELL_FORMED.set(layout, (made = {}));
  // An int cell of up to 15 digits is always a safe integer; a longer one is left to the decoder.
  // An int64 cell has at most MAX_INTEGER_DIGITS digits, as isIntAt says.
  const re =
    longest > MAX_INTEGER_DIGITS
      ? (made.bounded ??= wellFormed(layout, `(?:-?\\d{1,${MAX_INTEGER_DIGITS}})?`))
      : (made.unbounded ??= wellFormed(layout, "(?:-?\\d+)?"));
  let index = 0; // rows[index] starts after the line break at `nl`
  let nl = start - 1;
  let at = text.indexOf("\n", start); // the line break before the second row
  while (at !== -1 && at < end) {
    re.lastIndex = at;
    re.exec(text);
    if (re.lastIndex !== at) {
      at = re.lastIndex;
      continue;
    }
    while (nl < at) {
      nl = text.indexOf("\n", nl + 1);
      index++;
    }
    const row = rows[index];
    if (row) checkPipeRow(row, index === rows.length - 1);
    // The decoder accepted the row the regex stopped at: trust the decoder and go on.
    at = text.indexOf("\n", at + 1);
  }
}

/** Decode an answer into its rows (see the module doc and `decodePipeAnswer`). */
export function decodePipeRows<T extends object = Record<string, unknown>>(answer: unknown, options: PipeRowsOptions = {}): Array<PipeRow<T>> {
  return decodePipeAnswer<T>(answer, options).rows;
}
