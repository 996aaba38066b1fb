/**
 * Answering list requests consistently, for every emulator: keep the rows that the request's
 * conditions select, then cut the page its paging parameters ask for. Both are driven by the
 * spec through the generated metadata, never restated per API:
 *
 * - **Filters.** A request parameter (or, for JSON requests, a field of the condition object)
 *   filters on the row field it names. Names match without regard to case and underscores
 *   (`user_id` ~ `userId`, `investor_id` ~ `InvestorId`); a property's `x-row-field` names
 *   the field where the words differ (`order_system_id` → `OrderSysId`) or, as `false`, says a
 *   same-named parameter means something else (the inviter's `user_id` of an invite list
 *   whose rows carry the invitee's `userId`), `x-row-values` maps a condition's labels to
 *   the codes the rows hold (`待审核` → status 0), and `x-filter: fuzzy`
 *   marks a free-text search over every cell. What a condition means follows its shape:
 *   a list keeps rows whose field is one of its items (`[]`: no condition); `{min, max}` keeps
 *   rows in the closed range (a null/"" bound is open; numbers compare as numbers, integer
 *   text exactly as integers, other text as text); a scalar keeps rows whose field equals it
 *   (numbers by value, text without regard to case). `undefined`, `null` and `""` are "no
 *   condition", as the specs' `x-no-condition` values are.
 * - **Paging** from the operation's `x-pagination`:
 *   - `style: from-id` (records newest first; `fromParam` an exclusive upper cursor on
 *     `idField`, `toParam` an exclusive lower bound; `limitParam` with `defaultLimit` and
 *     `maxLimit`; with only `toParam`, the `limit` records right above it);
 *   - `style: page` (`pageParam` from 1, `sizeParam` with `defaultSize`, `minSize`,
 *     `maxSize`; the answer reports `total`);
 *   - `style: since` (`cursorParam`: rows whose `cursorField` is greater; the answer's next
 *     cursor is the last row's);
 *   - `style: newest` (`limitParam`: 0 or absent = every row, N = the N newest, i.e. last);
 *   and with any style a time range: `startParam`/`endParam` against each row's `timeField`,
 *   `timeBounds` inclusive (default) or exclusive.
 *   Paging parameters never act as filters.
 */
import type { OperationMeta, SchemaMeta } from "../handwritten/core/meta.js";
import { isDecimalText } from "./decimal-text.js";

export type Row = Readonly<Record<string, unknown>>;

export interface Pagination {
  style: "from-id" | "page" | "since" | "newest" | (string & {});
  fromParam?: string;
  toParam?: string;
  idField?: string;
  limitParam?: string;
  defaultLimit?: number;
  maxLimit?: number;
  pageParam?: string;
  sizeParam?: string;
  defaultSize?: number;
  minSize?: number;
  maxSize?: number;
  cursorParam?: string;
  cursorField?: string;
  /** Where the answer holds the rows when it wraps them in an object (e.g. `record`). */
  itemsField?: string;
  /** A time range: `startParam`/`endParam` compared with each row's `timeField`. */
  startParam?: string;
  endParam?: string;
  timeField?: string;
  /** "inclusive" (default, 闭区间) or "exclusive" (开区间). */
  timeBounds?: "inclusive" | "exclusive";
}

/** The operation's `x-pagination`, if it declares a style this module knows. */
export function paginationOf(op: OperationMeta): Pagination | undefined {
  const p = op.pagination as Pagination | undefined;
  return p && typeof p === "object" && ["from-id", "page", "since", "newest"].includes(p.style) ? p : undefined;
}

/** The request parameters that page rather than filter. */
export function pagingParams(p: Pagination | undefined): Set<string> {
  if (!p) return new Set();
  return new Set([p.fromParam, p.toParam, p.limitParam, p.pageParam, p.sizeParam, p.cursorParam, p.startParam, p.endParam].filter((x): x is string => !!x));
}

/** `user_id`, `userId` and `UserID` are the same name. */
export const nameKey = (name: string): string => name.replace(/_/g, "").toLowerCase();

const INTEGER = /^-?\d+$/;

function text(v: unknown): string {
  return typeof v === "string" ? v.trim() : String(v);
}

const noCondition = (c: unknown): boolean => c === undefined || c === null || c === "";

/**
 * A condition that selects every row: none (null, ""), an empty list, or a range with neither
 * bound (`{min: null, max: null}`, `{min: "", max: ""}`: "ignored", the Xele doc says).
 */
function selectsAll(c: unknown): boolean {
  if (noCondition(c)) return true;
  if (Array.isArray(c)) return c.length === 0;
  if (typeof c !== "object") return false;
  const { min, max } = c as { min?: unknown; max?: unknown };
  return noCondition(min) && noCondition(max);
}

/**
 * A cell or condition value read once: integer text as sign and digits (compared by length,
 * then digit by digit: exact at any size, and linear, where BigInt of a long text is not),
 * other decimal text as a number, anything else as text.
 */
interface Parsed {
  text: string;
  kind: "int" | "num" | "text";
  negative: boolean;
  /** Integers: the digits without sign and leading zeros ("" for zero). */
  digits: string;
  /** Numbers (and integers): the value as a double. */
  value: number;
}

function parse(v: unknown): Parsed {
  const t = text(v);
  if (INTEGER.test(t)) {
    const negative = t.startsWith("-");
    let i = negative ? 1 : 0;
    while (i < t.length - 1 && t[i] === "0") i++;
    const digits = t.slice(i) === "0" ? "" : t.slice(i);
    return { text: t, kind: "int", negative: negative && digits !== "", digits, value: Number(t) };
  }
  if (isDecimalText(t, "-")) return { text: t, kind: "num", negative: false, digits: "", value: Number(t) };
  return { text: t, kind: "text", negative: false, digits: "", value: Number.NaN };
}

function compareIntegers(x: Parsed, y: Parsed): number {
  if (x.negative !== y.negative) return x.negative ? -1 : 1;
  const sign = x.negative ? -1 : 1;
  if (x.digits.length !== y.digits.length) return x.digits.length < y.digits.length ? -sign : sign;
  return x.digits < y.digits ? -sign : x.digits > y.digits ? sign : 0;
}

function compareParsed(x: Parsed, y: Parsed): number | undefined {
  if (x.kind === "int" && y.kind === "int") return compareIntegers(x, y);
  if (x.kind !== "text" && y.kind !== "text") {
    const d = x.value - y.value;
    return d < 0 ? -1 : d > 0 ? 1 : 0;
  }
  if ((x.kind === "text") !== (y.kind === "text")) return undefined;
  return x.text < y.text ? -1 : x.text > y.text ? 1 : 0;
}

/** -1 / 0 / 1, or undefined when the two cannot be ordered (a number against a word). */
export function compareCells(a: unknown, b: unknown): number | undefined {
  return compareParsed(parse(a), parse(b));
}

/** A test of cells against one value, the value read once (it may be long: it comes from a request). */
function equalTo(value: unknown): (cell: unknown) => boolean {
  const v = parse(value);
  let lower: string | undefined;
  return (cell) => {
    const c = parse(cell);
    const d = compareParsed(v, c);
    if (d === undefined) return false;
    if (d === 0) return true;
    lower ??= v.text.toLowerCase();
    return c.text.toLowerCase() === lower;
  };
}

/**
 * A test of cells against a list's items (one of them, each as equalTo compares it), the items
 * read once into sets: each cell is read once and looked up, whatever the list's length (a
 * test per item, each reading the cell again, took 12 s for 1,000 items over 200,000 rows).
 * Integers are equal by their digits; a decimal equals an integer or a decimal of the same
 * double; text equals text without regard to case; text never equals a number.
 */
function oneOf(items: readonly unknown[]): (cell: unknown) => boolean {
  const ints = new Set<string>();
  /** The doubles of the integer items, and of the decimal ones. */
  const intValues = new Set<number>();
  const numValues = new Set<number>();
  const texts = new Set<string>();
  const intKey = (p: Parsed) => (p.negative ? `-${p.digits}` : p.digits);
  for (const item of items) {
    const v = parse(item);
    if (v.kind === "int") {
      ints.add(intKey(v));
      intValues.add(v.value);
    } else if (v.kind === "num") numValues.add(v.value);
    else texts.add(v.text.toLowerCase());
  }
  return (cell) => {
    const c = parse(cell);
    if (c.kind === "int") return ints.has(intKey(c)) || numValues.has(c.value);
    if (c.kind === "num") return numValues.has(c.value) || intValues.has(c.value);
    return texts.size > 0 && texts.has(c.text.toLowerCase());
  };
}

/** A test of one cell against one condition (see the module comment for the shapes), the condition read once. */
function conditionTest(condition: unknown): (cell: unknown) => boolean {
  if (selectsAll(condition)) return () => true;
  if (Array.isArray(condition)) return oneOf(condition);
  if (typeof condition === "object") {
    const { min, max } = condition as { min?: unknown; max?: unknown };
    const lo = noCondition(min) ? undefined : parse(min);
    const hi = noCondition(max) ? undefined : parse(max);
    return (cell) => {
      if (cell === undefined || cell === null) return !lo && !hi;
      const c = parse(cell);
      if (lo && !((compareParsed(c, lo) ?? -1) >= 0)) return false;
      if (hi && !((compareParsed(c, hi) ?? 1) <= 0)) return false;
      return true;
    };
  }
  const eq = equalTo(condition);
  return (cell) => cell !== undefined && cell !== null && eq(cell);
}

/** Does one cell satisfy one condition (see the module comment for the shapes)? */
export function matchesCondition(condition: unknown, cell: unknown): boolean {
  return conditionTest(condition)(cell);
}

export interface FilterOptions {
  /** Condition names that never filter (paging parameters, credentials, ...). */
  ignore?: Iterable<string>;
  /** Per-condition schema (for `x-row-field` and `x-filter`). */
  schemaOf?: (name: string) => SchemaMeta | undefined;
}

export interface RowFilter<R extends Row = Row> {
  (row: R): boolean;
  /** `condition → row field` for every condition that filters (for logs and tests). */
  readonly applied: ReadonlyArray<string>;
  /** The row fields the filter reads (every field for a fuzzy search): a row made for it needs only these. */
  readonly reads: ReadonlyArray<string>;
}

/**
 * A predicate for the rows `conditions` select. `fields` are the row's field names (the
 * columns); a condition naming none of them does not filter.
 */
export function rowFilter<R extends Row = Row>(conditions: Readonly<Record<string, unknown>>, fields: ReadonlyArray<string>, opts: FilterOptions = {}): RowFilter<R> {
  const ignore = new Set(opts.ignore ?? []);
  const byKey = new Map(fields.map((f) => [nameKey(f), f]));
  const tests: Array<(row: R) => boolean> = [];
  const applied: string[] = [];
  const reads = new Set<string>();
  for (const [name, condition] of Object.entries(conditions)) {
    // (an open range was counted as a filter: every row was built to be tested, for nothing)
    if (ignore.has(name) || selectsAll(condition)) continue;
    const schema = opts.schemaOf?.(name);
    if (schema?.filter === "fuzzy") {
      const needle = text(condition).toLowerCase();
      tests.push((row) => fields.some((f) => row[f] !== undefined && row[f] !== null && text(row[f]).toLowerCase().includes(needle)));
      applied.push(`${name} ~ any field`);
      for (const f of fields) reads.add(f);
      continue;
    }
    const explicit = schema?.rowField;
    if (explicit === false) continue; // the spec says this parameter is not a row filter
    const field = typeof explicit === "string" ? explicit : byKey.get(nameKey(name));
    if (!field || !fields.includes(field)) continue;
    const test = conditionTest(rowValuesOf(condition, schema?.rowValues));
    tests.push((row) => test(row[field]));
    applied.push(`${name} → ${field}`);
    reads.add(field);
  }
  const test = ((row: R) => tests.every((t) => t(row))) as RowFilter<R>;
  Object.defineProperty(test, "applied", { value: applied });
  Object.defineProperty(test, "reads", { value: [...reads] });
  return test;
}

/**
 * A condition in the records' values (`x-row-values`: Xele's cash in/out `status` "待审核"
 * selects the records of status 0): a label maps to its code, each item of a list too; a value
 * the map does not name is kept as given (it selects what it equals).
 */
function rowValuesOf(condition: unknown, values: Readonly<Record<string, unknown>> | undefined): unknown {
  if (!values) return condition;
  const one = (v: unknown) => (typeof v === "string" && Object.hasOwn(values, v) ? values[v] : v);
  return Array.isArray(condition) ? condition.map(one) : one(condition);
}

function int(v: unknown): number | undefined {
  const s = v === undefined || v === null ? "" : text(v);
  return INTEGER.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : undefined;
}

function big(v: unknown): bigint | undefined {
  const s = v === undefined || v === null ? "" : text(v);
  return INTEGER.test(s) ? BigInt(s) : undefined;
}

const clamp = (x: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, x));

export interface Page<R> {
  rows: R[];
  /** Page style: the page number and size used, and how many rows matched in all. */
  page?: { index: number; size: number; total: number };
  /** Since style: the cursor to send next (the last row's, or the one received). */
  next?: unknown;
}

/** The time-range test of `p` (startParam/endParam on timeField); a row without that time fails a set bound. */
function inTimeRange(params: Readonly<Record<string, unknown>>, p: Pagination): (row: Row) => boolean {
  const start = p.startParam ? params[p.startParam] : undefined;
  const end = p.endParam ? params[p.endParam] : undefined;
  const from = noCondition(start) ? undefined : parse(start);
  const to = noCondition(end) ? undefined : parse(end);
  const open = p.timeBounds === "exclusive";
  return (row) => {
    const t = parse(row[p.timeField!]);
    if (from) {
      const c = compareParsed(t, from);
      if (c === undefined || c < 0 || (open && c === 0)) return false;
    }
    if (to) {
      const c = compareParsed(t, to);
      if (c === undefined || c > 0 || (open && c === 0)) return false;
    }
    return true;
  };
}

/** Cut the page `params` ask for out of `rows` (already filtered, in the API's order). */
export function pageRows<R extends Row>(all: ReadonlyArray<R>, params: Readonly<Record<string, unknown>>, p: Pagination | undefined): Page<R> {
  if (!p) return { rows: [...all] };
  const rows = p.timeField ? all.filter(inTimeRange(params, p)) : all;
  switch (p.style) {
    case "from-id": {
      const idOf = (r: R) => big(r[p.idField ?? "id"]);
      const from = p.fromParam ? big(params[p.fromParam]) : undefined;
      const to = p.toParam ? big(params[p.toParam]) : undefined;
      const limit = clamp(int(p.limitParam ? params[p.limitParam] : undefined) ?? p.defaultLimit ?? 100, 1, p.maxLimit ?? Number.MAX_SAFE_INTEGER);
      const inRange = rows.filter((r) => {
        const id = idOf(r);
        if (id === undefined) return from === undefined && to === undefined;
        return (from === undefined || id < from) && (to === undefined || id > to);
      });
      // Only to_id: the `limit` records right above it, still newest first.
      return { rows: from === undefined && to !== undefined ? inRange.slice(-limit) : inRange.slice(0, limit) };
    }
    case "page": {
      const size = clamp(int(p.sizeParam ? params[p.sizeParam] : undefined) ?? p.defaultSize ?? 10, p.minSize ?? 1, p.maxSize ?? Number.MAX_SAFE_INTEGER);
      const index = Math.max(1, int(p.pageParam ? params[p.pageParam] : undefined) ?? 1);
      return { rows: rows.slice((index - 1) * size, index * size), page: { index, size, total: rows.length } };
    }
    case "since": {
      const field = p.cursorField ?? p.cursorParam ?? "since";
      const since = p.cursorParam ? params[p.cursorParam] : undefined;
      const cursor = noCondition(since) ? undefined : parse(since);
      const after = !cursor ? [...rows] : rows.filter((r) => (compareParsed(parse(r[field]), cursor) ?? -1) > 0);
      return { rows: after, next: after.length ? after[after.length - 1]![field] : since };
    }
    case "newest": {
      const n = int(p.limitParam ? params[p.limitParam] : undefined) ?? 0;
      return { rows: n > 0 ? rows.slice(-n) : [...rows] };
    }
    default:
      return { rows: [...rows] };
  }
}

/** The names an operation declares (query/path parameters and body fields). */
export function declaredParams(op: OperationMeta): Map<string, SchemaMeta> {
  const m = new Map<string, SchemaMeta>();
  for (const p of op.params) if (p.in === "query" || p.in === "path") m.set(p.name, p.schema);
  for (const [k, s] of Object.entries(op.body?.properties ?? {})) m.set(k, s);
  return m;
}

/**
 * Filter then page `rows` for a request to `op`, whose flat parameters are `params`: only
 * the parameters the operation declares filter, paging parameters page.
 */
export function queryRows<R extends Row>(op: OperationMeta, rows: ReadonlyArray<R>, params: Readonly<Record<string, unknown>>, fields?: ReadonlyArray<string>): Page<R> & { applied: ReadonlyArray<string> } {
  const declared = declaredParams(op);
  const p = paginationOf(op);
  const conditions: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) if (declared.has(k)) conditions[k] = v;
  const cols = fields ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const keep = rowFilter<R>(conditions, cols, { ignore: pagingParams(p), schemaOf: (n) => declared.get(n) });
  return { ...pageRows(rows.filter(keep), params, p), applied: keep.applied };
}
