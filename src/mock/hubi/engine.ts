/**
 * The Hubi emulator's exchange state: accounts, orders, positions, mark prices and the
 * matching rules listed in src/mock/hubi.ts. Failures throw TradeReject with the vendor code.
 */
import { reject } from "./replies.js";

export type Side = "Buy" | "Sell";
export type PositionSide = "Long" | "Short";
export type OrdStatus = "NEW" | "PARTIALLY_FILLED" | "FILLED" | "CANCELED" | "REJECTED" | "WAITING";

export interface MockOrder {
  id: string;
  currency: string;
  symbol: string;
  createdMs: number;
  modifiedMs: number;
  side: Side;
  type: "Limit" | "Market";
  price: number;
  qty: number;
  openPosition: boolean;
  cumQty: number;
  avgPx: number;
  ordStatus: OrdStatus;
  source: "Normal" | "Conditional";
  stopLossPrice: number;
  stopWinPrice: number;
  stopWinType: "Limit" | "Market";
  trailingStop: number;
  triggerPrice: number;
  triggerType: "LAST" | "INDEX";
  pnl: number;
  /** Margin frozen while it rests (opening orders only). */
  frozen: number;
  /** The text each price field was sent as (answered with its digits while the field holds its value). */
  texts?: Partial<Record<ExactField, string>>;
}

/** The order fields a request gives as decimals, answered as sent. */
export type ExactField = "price" | "stopLossPrice" | "stopWinPrice" | "trailingStop" | "triggerPrice";

export interface MockPosition {
  currency: string;
  symbol: string;
  side: PositionSide;
  qty: number;
  price: number;
  pnl: number;
  stopLossPrice: number;
  stopWinPrice: number;
  stopWinType: "Limit" | "Market";
  trailingStop: number;
  createdMs: number;
}

export interface MockAccount {
  cash: number;
  frozenCash: number;
  cross: boolean;
  twoSided: boolean;
}

export const ACTIVE: ReadonlySet<OrdStatus> = new Set(["NEW", "PARTIALLY_FILLED", "WAITING"]);
export const iso = (ms: number): string => new Date(ms).toISOString();

export interface HubiExchangeOptions {
  now: () => number;
  /** Mark price of every symbol at start. */
  markPrice: number;
  /** Starting cash per settlement currency. */
  cash: Readonly<Record<string, number>>;
}

/**
 * Orders kept: the newest 10 000 finished ones go first, then (only past that many active
 * orders) the oldest active one, its frozen margin released.
 */
export const MAX_HUBI_ORDERS = 10_000;

export class HubiExchange {
  readonly orders = new Map<string, MockOrder>();
  readonly positions = new Map<string, MockPosition>();
  readonly accounts = new Map<string, MockAccount>();
  readonly now: () => number;
  /** Where the next queryOrdersPro without `timestamp` starts. */
  ordersProCursor = 0;
  private readonly marks = new Map<string, number>();
  private readonly leverages = new Map<string, number>();
  private readonly defaultMark: number;
  private orderSeq = 1000;

  constructor(opts: HubiExchangeOptions) {
    this.now = opts.now;
    this.defaultMark = opts.markPrice;
    for (const [currency, cash] of Object.entries(opts.cash)) {
      this.accounts.set(currency, { cash, frozenCash: 0, cross: false, twoSided: false });
    }
  }

  markOf(symbol: string): number {
    return this.marks.get(symbol) ?? this.defaultMark;
  }
  /** Move a symbol's mark price; resting orders that become marketable fill. */
  setMarkPrice(symbol: string, price: number): void {
    this.marks.set(symbol, price);
    const t = this.now();
    for (const o of this.orders.values()) this.match(o, t);
  }
  leverageOf(currency: string, symbol: string): number {
    return this.leverages.get(`${currency}:${symbol}`) ?? 10;
  }
  /** Set a symbol's leverage; 25036 (and the old leverage kept) if margin would fall short. */
  setLeverage(currency: string, symbol: string, leverage: number): void {
    const key = `${currency}:${symbol}`;
    const before = this.leverages.get(key);
    this.leverages.set(key, leverage);
    if (this.available(currency) < 0) {
      if (before === undefined) this.leverages.delete(key);
      else this.leverages.set(key, before);
      reject("25036");
    }
  }
  positionKey(currency: string, symbol: string, side: PositionSide): string {
    return `${currency}:${symbol}:${side}`;
  }
  account(currency: string): MockAccount {
    return this.accounts.get(currency) ?? reject("25007");
  }
  deposit(p: MockPosition): number {
    return (p.qty * p.price) / this.leverageOf(p.currency, p.symbol);
  }
  urPnl(p: MockPosition): number {
    return (this.markOf(p.symbol) - p.price) * p.qty * (p.side === "Long" ? 1 : -1);
  }
  positionsOf(currency: string): MockPosition[] {
    return [...this.positions.values()].filter((p) => p.currency === currency);
  }
  available(currency: string): number {
    const a = this.account(currency);
    return a.cash - a.frozenCash - this.positionsOf(currency).reduce((s, p) => s + this.deposit(p), 0);
  }
  /** Quantity of a position already promised to resting closing orders. */
  reserved(p: MockPosition, except?: MockOrder): number {
    return [...this.orders.values()]
      .filter((o) => o !== except && !o.openPosition && ACTIVE.has(o.ordStatus) && o.currency === p.currency && o.symbol === p.symbol)
      .filter((o) => (o.side === "Sell") === (p.side === "Long"))
      .reduce((s, o) => s + o.qty - o.cumQty, 0);
  }

  /** Keep `o` (the newest), forgetting the oldest orders past MAX_HUBI_ORDERS. */
  addOrder(o: MockOrder): void {
    this.orders.set(o.id, o);
    if (this.orders.size <= MAX_HUBI_ORDERS) return;
    let drop: MockOrder | undefined;
    for (const x of this.orders.values()) {
      if (!ACTIVE.has(x.ordStatus)) {
        drop = x;
        break;
      }
    }
    drop ??= this.orders.values().next().value!;
    this.release(drop);
    this.orders.delete(drop.id);
  }

  nextOrderId(t: number): string {
    const s = iso(t);
    return `O101-${s.slice(0, 10).replace(/-/g, "")}-${s.slice(11, 19).replace(/:/g, "")}-${s.slice(20, 23)}-${++this.orderSeq}`;
  }

  /** Fill the rest of an order at `price`, moving the position and the cash. */
  fill(o: MockOrder, price: number, t: number): void {
    const q = o.qty - o.cumQty;
    const a = this.account(o.currency);
    a.frozenCash = Math.max(0, a.frozenCash - o.frozen);
    o.frozen = 0;
    const side: PositionSide = o.openPosition === (o.side === "Buy") ? "Long" : "Short";
    const key = this.positionKey(o.currency, o.symbol, side);
    const p = this.positions.get(key);
    if (o.openPosition) {
      const next: MockPosition = p ?? {
        currency: o.currency,
        symbol: o.symbol,
        side,
        qty: 0,
        price,
        pnl: 0,
        stopLossPrice: 0,
        stopWinPrice: 0,
        stopWinType: "Limit",
        trailingStop: 0,
        createdMs: t,
      };
      next.price = (next.qty * next.price + q * price) / (next.qty + q);
      next.qty += q;
      if (o.stopLossPrice) next.stopLossPrice = o.stopLossPrice;
      if (o.stopWinPrice) next.stopWinPrice = o.stopWinPrice;
      if (o.trailingStop) next.trailingStop = o.trailingStop;
      next.stopWinType = o.stopWinType;
      this.positions.set(key, next);
    } else if (p) {
      const realised = (price - p.price) * q * (side === "Long" ? 1 : -1);
      a.cash += realised;
      p.pnl += realised;
      o.pnl += realised;
      p.qty -= q;
      if (p.qty <= 0) this.positions.delete(key);
    }
    o.avgPx = o.cumQty === 0 ? price : (o.avgPx * o.cumQty + price * q) / (o.cumQty + q);
    o.cumQty = o.qty;
    o.ordStatus = "FILLED";
    o.modifiedMs = t;
  }

  marketable(o: MockOrder): boolean {
    if (o.ordStatus === "WAITING" || !ACTIVE.has(o.ordStatus)) return false;
    if (o.type === "Market") return true;
    const mark = this.markOf(o.symbol);
    return o.side === "Buy" ? o.price >= mark : o.price <= mark;
  }
  match(o: MockOrder, t: number): void {
    if (this.marketable(o)) this.fill(o, this.markOf(o.symbol), t);
  }

  /** The price an order's margin is taken at: the mark when it fills now (MARKET, or a marketable LIMIT), else its limit. */
  marginPrice(o: MockOrder): number {
    return o.type === "Market" || (o.ordStatus !== "WAITING" && this.marketable(o)) ? this.markOf(o.symbol) : o.price;
  }
  /** Margin an opening order needs at `price` for its open quantity; 25021 if not available. */
  freeze(o: MockOrder, price: number, extraAvailable = 0): void {
    if (!o.openPosition) return;
    const need = ((o.qty - o.cumQty) * price) / this.leverageOf(o.currency, o.symbol);
    if (need > this.available(o.currency) + extraAvailable + 1e-9) reject("25021");
    this.account(o.currency).frozenCash += need;
    o.frozen = need;
  }
  release(o: MockOrder): void {
    const a = this.account(o.currency);
    a.frozenCash = Math.max(0, a.frozenCash - o.frozen);
    o.frozen = 0;
  }
  /** Cancel an active order (its frozen margin released). */
  cancel(o: MockOrder, t: number): void {
    this.release(o);
    o.ordStatus = "CANCELED";
    o.modifiedMs = t;
  }
}
