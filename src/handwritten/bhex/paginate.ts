/**
 * Walking `from_id`/`to_id` pages as an async iterator, from the spec's `x-pagination`:
 *
 *   records come newest first; `from_id` is an exclusive upper cursor (返回小于from_id的limit条
 *   数据), `to_id` an exclusive lower bound (返回大于to_id的数据). Walk: ask for `limit` records,
 *   yield them, ask again with from_id = the smallest id just yielded; stop at a page shorter
 *   than `limit`. A caller's `to_id` stays on every request, so the walk ends above it.
 *
 * Exactly once, even against a server that bends the rules: records at or above the cursor
 * (an inclusive boundary) or at or below `to_id` are dropped, duplicates inside a page are
 * dropped, and a full page that brings nothing new is an error rather than an endless loop.
 * IDs are compared as integers (BigInt), whether the answer sends them as strings or numbers.
 * A page is read whole before any of it is yielded: one not newest first (the next cursor, its
 * smallest id, would skip the records between), or with an id below 1 or beyond int64 (a walk
 * into negative ids never ended; a cursor beyond int64 failed the next page as the caller's
 * mistake), is a ResponseFormatError.
 */
import { callerAborted, ResponseFormatError, shownValue, textOf, UsageError } from "../core/errors.js";
import { excessDigits } from "../core/json.js";
import type { CallOptions } from "../core/http-transport.js";
import type { OperationMeta } from "../core/meta.js";
import { meta } from "../../../generated/bhex-org.meta.js";
import { checkOperationArg, checkValue, requireOperation } from "../core/operation-call.js";
import { observe } from "../core/observe.js";
import { checkOption, checkOptionNames, INT64_MAX, ownFields } from "../core/validate.js";
import type { BhexCallParams, BhexData, BhexOperationId, BhexOrgClient, BhexParams } from "./client.js";

/**
 * The ids of one page, checked before any record is yielded: each an integer from 1 to the
 * int64 maximum, newest first (each no greater than the one before it; an equal one is a
 * duplicate, dropped later).
 */
function pageIds(records: unknown[], idField: string, page: number, ctx: { api: string; operation: string }): bigint[] {
  const ids: bigint[] = [];
  for (const record of records) {
    const raw = record && typeof record === "object" ? (record as Record<string, unknown>)[idField] : undefined;
    const id = toBigInt(raw);
    if (id === undefined) {
      const shown = textOf(raw);
      throw new ResponseFormatError(`record without an integer "${idField}" (the paging key)`, shown.length > 120 ? `${shown.slice(0, 120)}…` : shown, ctx);
    }
    if (id < 1n || id > INT64_MAX) throw new ResponseFormatError(`page ${page} has ${idField} ${id}, not an id from 1 to ${INT64_MAX}: paging stops`, String(id), ctx);
    const before = ids[ids.length - 1];
    if (before !== undefined && id > before) {
      throw new ResponseFormatError(`page ${page} is not newest first (${idField} ${id} after ${before}): paging by its smallest id would skip records`, "", ctx);
    }
    ids.push(id);
  }
  return ids;
}

export interface BhexPagination {
  style: string;
  fromParam: string;
  toParam: string;
  limitParam: string;
  idField: string;
  direction: string;
  boundsExclusive?: boolean;
  defaultLimit?: number;
  maxLimit?: number;
  idFieldType?: string;
}

/** Operations whose answer is a list paged by from_id (derived from the generated types). */
export type BhexPagedOperationId = {
  // (an operation without parameters takes Record<string, never>: every name is its key)
  [K in BhexOperationId]: string extends keyof BhexParams<K> ? never : "from_id" extends keyof BhexParams<K> ? (NonNullable<BhexData<K>> extends ReadonlyArray<unknown> ? K : never) : never;
}[BhexOperationId];

/** One record of a paged operation's answer. */
export type BhexRecord<K extends BhexOperationId> = NonNullable<BhexData<K>> extends ReadonlyArray<infer R> ? R : never;

export function paginationOf(op: OperationMeta): BhexPagination | undefined {
  checkOperationArg("paginationOf", op);
  const p = op.pagination as BhexPagination | undefined;
  return p && typeof p.fromParam === "string" && typeof p.idField === "string" ? p : undefined;
}

/** `signal` and `timeoutMs` apply to each page's call (an abort also ends the walk). */
export interface PaginateOptions extends CallOptions {
  /**
   * Page size (a whole number from 1 to the documented maximum), the same as params' `limit`:
   * give either (both only when they agree). Default: the operation's documented default.
   */
  pageSize?: number | undefined;
  /**
   * Called after each page with the raw page and how many of its records were new. An observer:
   * what it throws (or an async one's rejection) is a process warning, not the walk's end.
   */
  onPage?: ((info: { page: number; received: number; yielded: number; fromId: bigint | undefined }) => void) | undefined;
}

/** The names of PaginateOptions (the type checks that the list is whole). */
const PAGINATE_OPTIONS = { signal: 1, timeoutMs: 1, pageSize: 1, onPage: 1 } satisfies Record<keyof PaginateOptions, 1>;

function toBigInt(value: unknown): bigint | undefined {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  // Past MAX_INTEGER_DIGITS a bigint takes seconds to build (see NumberTooLongError): no id.
  const text = typeof value === "string" ? value.trim() : "";
  if (/^-?\d+$/.test(text) && !excessDigits(text)) return BigInt(text);
  return undefined;
}

/**
 * The page size: params' `limit` checked as `call()` checks it (the same UsageError: `true`,
 * `"0x5"` or `[5]` are refused, not read as a number), or the `pageSize` option (a whole
 * number, 1 or more), or the documented default. A `limit` and a `pageSize` that differ are
 * a UsageError: which one was meant cannot be told.
 */
function pageSizeOf(op: OperationMeta, p: BhexPagination, given: unknown, pageSize: unknown, ctx: { api: string; operation: string }): number {
  checkOption(ctx, "pageSize", pageSize, { min: 1, max: p.maxLimit ?? 2 ** 31 - 1 });
  if (given === undefined || given === null) return (pageSize as number | undefined) ?? p.defaultLimit ?? 100;
  const schema = op.params.find((q) => q.name === p.limitParam)?.schema ?? op.body?.properties[p.limitParam];
  if (schema) checkValue("bhex", op, p.limitParam, given, schema);
  const limit = Number(given);
  if (!schema && (!Number.isSafeInteger(limit) || limit < 1)) throw new UsageError(`parameter "${p.limitParam}" must be a positive integer, got ${shownValue(given)}`, ctx);
  if (pageSize !== undefined && pageSize !== limit) {
    throw new UsageError(`parameter "${p.limitParam}" (${shownValue(given)}) and the pageSize option (${pageSize}) differ: give the page size once`, ctx);
  }
  return limit;
}

/**
 * Every record of a paged operation, each exactly once, newest first. `params` are the
 * operation's own (from_id starts below a known id, to_id stops above one, limit is the page
 * size). Break out of the loop to stop early.
 */
export async function* paginate<K extends BhexPagedOperationId>(
  client: Pick<BhexOrgClient, "call">,
  operationId: K,
  params: BhexCallParams<K>,
  given: PaginateOptions = {},
): AsyncGenerator<BhexRecord<K>, void, undefined> {
  const op = requireOperation(meta, operationId);
  const p = paginationOf(op);
  const ctx = { api: "bhex", operation: op.operationId };
  checkOptionNames(ctx, "the paginate options", given, PAGINATE_OPTIONS);
  // What the caller gave, never Object.prototype's (ownFields): a polluted to_id ended the walk.
  const options = ownFields(given, true);
  checkOption(ctx, "onPage", options.onPage, "function");
  if (!p) throw new UsageError("is not paged by from_id/to_id (no x-pagination in the spec)", ctx);
  if (p.direction !== "newer-to-older") throw new UsageError(`unsupported paging direction ${p.direction}`, ctx);
  const base: Record<string, unknown> = ownFields({ ...(params as Record<string, unknown>) });
  const limit = pageSizeOf(op, p, base[p.limitParam], options.pageSize, ctx);
  if (p.maxLimit !== undefined && limit > p.maxLimit) {
    // A server that caps the page silently would look like the last page and end the walk early.
    throw new UsageError(`page size ${limit} is above the documented maximum ${p.maxLimit}`, ctx);
  }
  const start = base[p.fromParam];
  let cursor = start === undefined || start === null ? undefined : toBigInt(start);
  if ((start ?? null) !== null && cursor === undefined) throw new UsageError(`${p.fromParam} must be an integer id, got ${shownValue(start)}`, ctx);
  const lowerRaw = base[p.toParam];
  const lower = lowerRaw === undefined || lowerRaw === null ? undefined : toBigInt(lowerRaw);
  delete base[p.fromParam];
  // The client's own signal (its transport's), heard between records too.
  const clientSignal = (client as { transport?: { config?: { signal?: AbortSignal } } }).transport?.config?.signal;
  const callOpts: CallOptions | undefined = options.signal !== undefined || options.timeoutMs !== undefined ? { signal: options.signal, timeoutMs: options.timeoutMs } : undefined;

  for (let page = 1; ; page++) {
    const request = { ...base, [p.limitParam]: limit, ...(cursor !== undefined ? { [p.fromParam]: cursor } : {}) };
    const data: unknown = await (client.call as (ref: string, params: unknown, opts?: CallOptions) => Promise<unknown>)(operationId, request, callOpts);
    if (data === undefined || data === null) return;
    if (!Array.isArray(data)) throw new ResponseFormatError(`expected a list of records in data`, JSON.stringify(typeof data), ctx);
    const seen = new Set<bigint>();
    let smallest: bigint | undefined;
    let yielded = 0;
    let below = false;
    const fromId = cursor;
    const ids = pageIds(data as unknown[], p.idField, page, ctx);
    for (const [i, record] of (data as unknown[]).entries()) {
      const id = ids[i]!;
      if (cursor !== undefined && id >= cursor) continue; // at/above the cursor: already yielded
      if (lower !== undefined && id <= lower) {
        below = true; // at/below to_id: outside the range asked for, and so is all that is older
        continue;
      }
      if (seen.has(id)) continue;
      seen.add(id);
      if (smallest === undefined || id < smallest) smallest = id;
      yielded++;
      // An abort (the walk's signal or the client's) ends it at the next record, not after the page's others.
      const stopped = options.signal?.aborted ? options.signal : clientSignal?.aborted ? clientSignal : undefined;
      if (stopped) throw callerAborted(ctx, stopped.reason);
      yield record as BhexRecord<K>;
    }
    if (options.onPage) observe(options.onPage, { page, received: data.length, yielded, fromId }, "onPage");
    // A server that ignores to_id sends older records: reaching to_id ends the walk.
    if (data.length < limit || below) return;
    if (smallest === undefined) {
      throw new ResponseFormatError(
        `paging did not advance: a full page of ${data.length} records brought none older than ${p.fromParam}=${cursor}`,
        "",
        ctx,
      );
    }
    cursor = smallest;
  }
}
