/**
 * The XT emulator's state: orders (ids above 2^53), the trading account's balances (what an
 * open order freezes, exact), and the records its lists answer from (deposits, withdrawals,
 * withdrawal addresses, klines), seeded from the spec's examples.
 */
import { meta } from "../../../generated/xt-spot.docs.js";
import type { OperationMeta } from "../../handwritten/core/meta.js";
import type { XtOperationId } from "../../handwritten/xt/client.js";
import { exampleValue } from "../http-mock.js";
import { DEC_ZERO, decAdd, decBelow, decMinus, decOf, decText, decTimes, int64Of, type Dec } from "../decimal-text.js";
import { paginationOf, type Row } from "../query-rows.js";
import { hasOrderRoom, oldestFinished } from "../order-table.js";

export interface MockOrder {
  id: bigint;
  market: string;
  price: string;
  number: string;
  type: number;
  entrustType: number;
  status: number;
  time: number;
  /** The coin the order froze (the quote coin for a BUY, the base coin for a SELL) and how much. */
  frozenCoin: string;
  frozen: Dec;
}

/** One coin of the trading account: `available` and `freeze` (what open orders hold), exact. */
export interface Funds {
  available: Dec;
  freeze: Dec;
}

/** The coins of a market `base_quote`, lower case (as getBalance names them). */
export function coinsOf(market: string): { base: string; quote: string } {
  const [base = "", quote = ""] = market.toLowerCase().split("_");
  return { base, quote };
}

/** What an order freezes: price × number of the quote coin for a BUY (type 1), number of the base coin for a SELL. */
export function freezeOf(market: string, price: string, number: string, type: number): { coin: string; amount: Dec } {
  const { base, quote } = coinsOf(market);
  return type === 1 ? { coin: quote, amount: decTimes(decOf(price), decOf(number)) } : { coin: base, amount: decOf(number) };
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

/**
 * Orders kept: 10 000. A new order past that forgets the oldest finished one (as if archived:
 * getOrder answers 121); with 10 000 open, a new order is refused (it forgot an open order,
 * which the client could then neither see nor cancel).
 */
export const MAX_XT_ORDERS = 10_000;
/** Withdrawal records kept: the newest 10 000 (each withdraw adds one). */
export const MAX_XT_PAYOUTS = 10_000;

/** An order no longer open (1: open; 3: cancelled). */
const xtFinished = (o: MockOrder): boolean => o.status !== 1;

export class XtState {
  readonly orders = new Map<bigint, MockOrder>();
  /** The trading account (getBalance, getFunds account 2) by coin, lower case. */
  readonly balances = new Map<string, Funds>();
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

  /**
   * `balances`: each coin's available amount (decimal text) to start with, nothing frozen;
   * without it, the vendor's example answer of getBalance (usdt 3867.43650012 available).
   */
  constructor(depositRecords: number, now: () => number = Date.now, balances?: Readonly<Record<string, string>>) {
    this.now = now;
    if (balances) for (const [coin, available] of Object.entries(balances)) this.balances.set(coin.toLowerCase(), { available: decOf(available), freeze: DEC_ZERO });
    else {
      const example = ((exampleValue(opById("getBalance")) as { data?: Record<string, { available?: unknown; freeze?: unknown }> } | undefined)?.data ?? {});
      for (const [coin, f] of Object.entries(example)) this.balances.set(coin, { available: decOf(String(f.available ?? "0")), freeze: decOf(String(f.freeze ?? "0")) });
    }
    const depositSeed = exampleItems(opById("getPayInRecord"))[0] ?? {};
    this.deposits = Array.from({ length: depositRecords }, (_, i) => ({
      ...depositSeed,
      creatTime: Number(depositSeed.creatTime ?? 1563465915000) - i * 3_600_000,
      manageTime: Number(depositSeed.manageTime ?? 1563466260000) - i * 3_600_000,
      txHash: `0x${(BigInt(`0x${String(depositSeed.txHash ?? "0x1").slice(2)}`) - BigInt(i)).toString(16).padStart(64, "0")}`,
    }));
  }

  /** Can the available amounts pay for all these freezes at once (a batch is one transaction)? */
  canFreeze(freezes: ReadonlyArray<{ coin: string; amount: Dec }>): boolean {
    const need = new Map<string, Dec>();
    for (const f of freezes) need.set(f.coin, decAdd(need.get(f.coin) ?? DEC_ZERO, f.amount));
    return [...need].every(([coin, amount]) => !decBelow(this.available(coin), amount));
  }
  /** A coin's available amount (0 for a coin the account does not hold; looking adds none). */
  available(coin: string): Dec {
    return this.balances.get(coin)?.available ?? DEC_ZERO;
  }
  /** Takes `amount` off a coin's available amount (the caller checked there is enough). */
  debit(coin: string, amount: Dec): void {
    const f = this.balances.get(coin);
    if (f) f.available = decMinus(f.available, amount);
  }

  /** A new open order, its freeze moved from available (the caller checked canFreeze). */
  place(market: string, price: string, number: string, type: number, entrustType: number): MockOrder {
    const { coin, amount } = freezeOf(market, price, number, type);
    const o: MockOrder = { id: this.nextId++, market, price, number, type, entrustType, status: 1, time: this.now(), frozenCoin: coin, frozen: amount };
    const f = this.balances.get(coin);
    if (f) {
      f.available = decMinus(f.available, amount);
      f.freeze = decAdd(f.freeze, amount);
    }
    this.orders.set(o.id, o);
    // A Map iterates in insertion order: the first finished order is the oldest (forgotten as if
    // archived). The handlers ask hasOrderRoom first; placed here regardless, an open one is
    // forgotten and gives its freeze back, or it would stay frozen with no order to cancel.
    if (this.orders.size > MAX_XT_ORDERS) {
      const oldest = oldestFinished(this.orders, xtFinished) ?? this.orders.values().next().value!;
      this.orders.delete(oldest.id);
      this.unfreeze(oldest);
    }
    return o;
  }
  /** Can `count` more orders be kept without forgetting an open one (finished ones are forgotten first)? */
  hasOrderRoom(count = 1): boolean {
    return hasOrderRoom(this.orders, MAX_XT_ORDERS, xtFinished, count);
  }
  /** Cancels an open order: status 3, its freeze back to available. */
  cancel(o: MockOrder): void {
    o.status = 3;
    this.unfreeze(o);
  }
  private unfreeze(o: MockOrder): void {
    const f = this.balances.get(o.frozenCoin);
    if (f && o.frozen.coef !== 0n) {
      f.freeze = decMinus(f.freeze, o.frozen);
      f.available = decAdd(f.available, o.frozen);
    }
    o.frozen = DEC_ZERO;
  }
  /** getBalance's `data`: each coin's freeze and available as decimal text (at least 2 decimals, as the vendor's example). */
  balanceView(): Record<string, { freeze: string; available: string }> {
    const out: Record<string, { freeze: string; available: string }> = {};
    for (const [coin, f] of this.balances) out[coin] = { freeze: decText(f.freeze, 2), available: decText(f.available, 2) };
    return out;
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
    return n === undefined ? undefined : this.findId(market, n);
  }
  /** The order `id` of `market`, if any (an order of another market is none). */
  findId(market: string, id: bigint): MockOrder | undefined {
    const o = this.orders.get(id);
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
