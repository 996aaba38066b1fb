/**
 * The XT emulator's state: orders (ids above 2^53), and the records its lists answer from
 * (deposits, withdrawals, withdrawal addresses, klines), seeded from the spec's examples.
 */
import { meta } from "../../../generated/xt-spot.docs.js";
import type { OperationMeta } from "../../handwritten/core/meta.js";
import type { XtOperationId } from "../../handwritten/xt/client.js";
import { exampleValue } from "../http-mock.js";
import { int64Of } from "../decimal-text.js";
import { paginationOf, type Row } from "../query-rows.js";

export interface MockOrder {
  id: bigint;
  market: string;
  price: string;
  number: string;
  type: number;
  entrustType: number;
  status: number;
  time: number;
}

export function opById(id: XtOperationId): OperationMeta {
  const op = meta.operations.find((o) => o.operationId === id);
  if (!op) throw new Error(`no operation ${id} in the XT spec`);
  return op;
}

/** The example's rows (its `data`, or `data[itemsField]`). */
export function exampleItems(op: OperationMeta): Row[] {
  const data = (exampleValue(op) as { data?: unknown } | undefined)?.data;
  const field = paginationOf(op)?.itemsField;
  const items = field && data && typeof data === "object" && !Array.isArray(data) ? (data as Record<string, unknown>)[field] : data;
  return Array.isArray(items) ? (items as Row[]) : [];
}

/** Seconds per kline interval. */
const KLINE_SECONDS: Readonly<Record<string, number>> = { "1min": 60, "5min": 300, "15min": 900, "30min": 1800, "1hour": 3600, "6hour": 21600, "1day": 86400, "7day": 604800, "30day": 2592000 };

/** Orders kept: the newest 10 000 (older ones are forgotten, as if archived: getOrder answers 121). */
export const MAX_XT_ORDERS = 10_000;
/** Withdrawal records kept: the newest 10 000 (each withdraw adds one). */
export const MAX_XT_PAYOUTS = 10_000;

export class XtState {
  readonly orders = new Map<bigint, MockOrder>();
  /** Deposits: the example's record and older ones like it (a few pages). */
  readonly deposits: Row[];
  /** Withdrawals: the example's, then every withdraw made here, newest first. */
  readonly payouts: Row[] = [...exampleItems(opById("getPayOutRecord"))];
  nextWithdrawId = 1001;
  // IDs above 2^53 so every consumer sees that they need exact integers.
  private nextId = 9_007_199_254_740_993n;
  private readonly klineSeed = ((exampleValue(opById("getKLine")) as { datas?: unknown[][] } | undefined)?.datas?.[0] ?? [1562923200, 1, 1, 1, 1, 0, 0]) as number[];

  /** The emulator's clock (ms): order and withdrawal times, getServerTime, nonce freshness. */
  readonly now: () => number;

  constructor(depositRecords: number, now: () => number = Date.now) {
    this.now = now;
    const depositSeed = exampleItems(opById("getPayInRecord"))[0] ?? {};
    this.deposits = Array.from({ length: depositRecords }, (_, i) => ({
      ...depositSeed,
      creatTime: Number(depositSeed.creatTime ?? 1563465915000) - i * 3_600_000,
      manageTime: Number(depositSeed.manageTime ?? 1563466260000) - i * 3_600_000,
      txHash: `0x${(BigInt(`0x${String(depositSeed.txHash ?? "0x1").slice(2)}`) - BigInt(i)).toString(16).padStart(64, "0")}`,
    }));
  }

  place(market: string, price: string, number: string, type: number, entrustType: number): MockOrder {
    const o: MockOrder = { id: this.nextId++, market, price, number, type, entrustType, status: 1, time: this.now() };
    this.orders.set(o.id, o);
    // A Map iterates in insertion order: the first key is the oldest order.
    if (this.orders.size > MAX_XT_ORDERS) this.orders.delete(this.orders.keys().next().value!);
    return o;
  }
  /** A new withdrawal record, first (the oldest past MAX_XT_PAYOUTS are forgotten). */
  addPayout(row: Row): void {
    this.payouts.unshift(row);
    if (this.payouts.length > MAX_XT_PAYOUTS) this.payouts.length = MAX_XT_PAYOUTS;
  }
  /** The order `id` of `market`, if any. */
  find(market: string, id: string | undefined): MockOrder | undefined {
    // An id no int64 holds names no order (and is never made a BigInt: see int64Of).
    const n = id === undefined ? undefined : int64Of(id);
    if (n === undefined) return undefined;
    const o = this.orders.get(n);
    return o && o.market === market ? o : undefined;
  }

  /** Candles of one interval ending at the example's, oldest first: [time (s), open, high, low, close, volume, turnover]. */
  klines(type: string): Row[] {
    const step = Object.hasOwn(KLINE_SECONDS, type) ? KLINE_SECONDS[type]! : 60;
    return Array.from({ length: 60 }, (_, i) => {
      const k = 59 - i;
      return [this.klineSeed[0]! - k * step, ...this.klineSeed.slice(1)] as unknown as Row;
    });
  }
}
