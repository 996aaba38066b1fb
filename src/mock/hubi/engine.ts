/**
 * The Hubi emulator's exchange state: accounts, orders, positions, mark prices and the
 * matching rules listed in src/mock/hubi.ts. Failures throw TradeReject with the vendor code.
 */
import { reject, TradeReject } from "./replies.js";
import { hasOrderRoom, oldestFinished } from "../order-table.js";

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
  source: "Normal" | "Conditional" | "SysRisk";
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
  /** Largest distance of a limit price from the mark, as a fraction of the mark (25051 past it; default 0.5). */
  maxPriceDeviation?: number | undefined;
  /** Contracts the book offers an order at each match (default: all it asks for). */
  bookDepth?: number | undefined;
}

/**
 * Orders kept: the newest 10 000 finished ones go first, then (only past that many active
 * orders) the oldest active one, its frozen margin released.
 */
export const MAX_HUBI_ORDERS = 10_000;
const hubiFinished = (o: MockOrder): boolean => !ACTIVE.has(o.ordStatus);

export class HubiExchange {
  readonly orders = new Map<string, MockOrder>();
  readonly positions = new Map<string, MockPosition>();
  readonly accounts = new Map<string, MockAccount>();
  readonly now: () => number;
  readonly maxPriceDeviation: number;
  readonly bookDepth: number;
  /** Where the next queryOrdersPro without `timestamp` starts. */
  ordersProCursor = 0;
  private readonly marks = new Map<string, number>();
  private readonly leverages = new Map<string, number>();
  private readonly defaultMark: number;
  private orderSeq = 1000;

  constructor(opts: HubiExchangeOptions) {
    this.now = opts.now;
    this.defaultMark = opts.markPrice;
    this.maxPriceDeviation = opts.maxPriceDeviation ?? 0.5;
    this.bookDepth = opts.bookDepth ?? Infinity;
    for (const [currency, cash] of Object.entries(opts.cash)) {
      this.accounts.set(currency, { cash, frozenCash: 0, cross: false, twoSided: false });
    }
  }

  markOf(symbol: string): number {
    return this.marks.get(symbol) ?? this.defaultMark;
  }
  /**
   * Move a symbol's mark price: its positions the mark crosses the liquidation price of are
   * liquidated, then resting orders that become marketable fill (at most bookDepth each): one
   * the move made marketable at its own limit (it is the maker), one already marketable (a
   * partly filled rest) at the new mark; then any position those fills left past its
   * liquidation price is liquidated.
   */
  setMarkPrice(symbol: string, price: number): void {
    const before = this.markOf(symbol);
    this.marks.set(symbol, price);
    const t = this.now();
    this.liquidate(symbol, t);
    for (const o of this.orders.values()) {
      if (o.symbol !== symbol || !this.marketable(o)) continue;
      const wasMarketable = o.type === "Market" || (o.side === "Buy" ? o.price >= before : o.price <= before);
      this.fill(o, wasMarketable ? price : o.price, t, this.bookDepth);
    }
    this.liquidate(symbol, t);
  }
  /** 25051 when a limit price is further from the mark than maxPriceDeviation × mark. */
  checkPriceBand(symbol: string, price: number): void {
    const mark = this.markOf(symbol);
    if (Math.abs(price - mark) > this.maxPriceDeviation * mark * (1 + 1e-12)) reject("25051");
  }
  leverageOf(currency: string, symbol: string): number {
    return this.leverages.get(`${currency}:${symbol}`) ?? 10;
  }
  /**
   * Set a symbol's leverage: its positions' margin and the margin its active opening orders
   * freeze are taken at the new leverage. 25036 (and nothing changed) if the cash cannot cover
   * them, or if the mark is past a position's liquidation price at the new leverage.
   */
  setLeverage(currency: string, symbol: string, leverage: number): void {
    const key = `${currency}:${symbol}`;
    const before = this.leverages.get(key);
    const orders = [...this.orders.values()].filter((o) => o.currency === currency && o.symbol === symbol && o.openPosition && ACTIVE.has(o.ordStatus));
    const frozenBefore = orders.reduce((s, o) => s + o.frozen, 0);
    this.leverages.set(key, leverage);
    const refrozen = orders.map((o) => (this.openingQty(o) * this.marginPrice(o)) / leverage);
    const frozenAfter = refrozen.reduce((s, x) => s + x, 0);
    const liquidating = this.positionsOf(currency).some((p) => p.symbol === symbol && this.pastLiquidation(p));
    if (liquidating || this.available(currency) - (frozenAfter - frozenBefore) < -1e-9) {
      if (before === undefined) this.leverages.delete(key);
      else this.leverages.set(key, before);
      reject("25036");
    }
    const a = this.account(currency);
    a.frozenCash = Math.max(0, a.frozenCash - frozenBefore + frozenAfter);
    orders.forEach((o, i) => (o.frozen = refrozen[i]!));
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
  /** Where the position's margin is gone (no maintenance margin here): entry × (1 ∓ 1/leverage). */
  liquidationPrice(p: MockPosition): number {
    const lev = this.leverageOf(p.currency, p.symbol);
    return p.side === "Long" ? p.price * (1 - 1 / lev) : p.price * (1 + 1 / lev);
  }
  pastLiquidation(p: MockPosition): boolean {
    const mark = this.markOf(p.symbol);
    return p.side === "Long" ? mark <= this.liquidationPrice(p) : mark >= this.liquidationPrice(p);
  }
  /** Close every position of `symbol` the mark has crossed the liquidation price of (a SysRisk order at that price). */
  liquidate(symbol: string, t: number): void {
    for (const p of [...this.positions.values()]) {
      if (p.symbol === symbol && this.pastLiquidation(p)) this.closeOut(p, this.liquidationPrice(p), "SysRisk", t);
    }
  }
  /** Close a whole position by a market order filled at `price`; its resting closing orders are cancelled. */
  closeOut(p: MockPosition, price: number, source: MockOrder["source"], t: number): MockOrder {
    for (const o of this.orders.values()) {
      if (!o.openPosition && ACTIVE.has(o.ordStatus) && o.currency === p.currency && o.symbol === p.symbol && (o.side === "Sell") === (p.side === "Long")) this.cancel(o, t);
    }
    const o: MockOrder = {
      id: this.nextOrderId(t),
      currency: p.currency,
      symbol: p.symbol,
      createdMs: t,
      modifiedMs: t,
      side: p.side === "Long" ? "Sell" : "Buy",
      type: "Market",
      price: 0,
      qty: p.qty,
      openPosition: false,
      cumQty: 0,
      avgPx: 0,
      ordStatus: "NEW",
      source,
      stopLossPrice: 0,
      stopWinPrice: 0,
      stopWinType: "Limit",
      trailingStop: 0,
      triggerPrice: 0,
      triggerType: "LAST",
      pnl: 0,
      frozen: 0,
    };
    this.addOrder(o);
    this.fill(o, price, t);
    // (filled now: with a table of active orders, it is the one forgotten past the bound)
    this.trimOrders();
    return o;
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

  /** Can a new order be kept without forgetting an active one (finished ones are forgotten first)? */
  hasOrderRoom(): boolean {
    return hasOrderRoom(this.orders, MAX_HUBI_ORDERS, hubiFinished);
  }

  /**
   * Keep `o` (the newest), forgetting the oldest finished orders past MAX_HUBI_ORDERS. An active
   * order is never forgotten (the client could neither see nor cancel it): a client's order asks
   * hasOrderRoom first; a position's close or liquidation, placed regardless, fills at once and
   * is trimmed after (closeOut).
   */
  addOrder(o: MockOrder): void {
    this.orders.set(o.id, o);
    this.trimOrders();
  }
  /** Forget the oldest finished orders while more than MAX_HUBI_ORDERS are kept. */
  trimOrders(): void {
    while (this.orders.size > MAX_HUBI_ORDERS) {
      const drop = oldestFinished(this.orders, hubiFinished);
      if (!drop) return;
      this.release(drop);
      this.orders.delete(drop.id);
    }
  }

  nextOrderId(t: number): string {
    const s = iso(t);
    return `O101-${s.slice(0, 10).replace(/-/g, "")}-${s.slice(11, 19).replace(/:/g, "")}-${s.slice(20, 23)}-${++this.orderSeq}`;
  }

  /**
   * Fill the rest of an order at `price`, at most `most` of it (what the book offers). The part
   * that closes (a closing order, or in one-way mode an opening order against the other side's
   * position) closes what the position holds; the part that opens opens as much as the
   * available cash carries at the leverage. A rest the book did not take stays active
   * (PARTIALLY_FILLED, its margin frozen again); a rest cut short by the position or the cash
   * is cancelled (CANCELED with cumQty < qty): a fill never makes margin the cash does not cover.
   */
  fill(o: MockOrder, price: number, t: number, most = Infinity): void {
    const rest = Math.min(o.qty - o.cumQty, most);
    const a = this.account(o.currency);
    this.release(o);
    const target = this.positions.get(this.positionKey(o.currency, o.symbol, o.side === "Sell" ? "Long" : "Short"));
    const closeQty = o.openPosition && a.twoSided ? 0 : Math.min(rest, target?.qty ?? 0);
    if (closeQty > 0) this.reduce(target!, closeQty, price, o);
    let openQty = o.openPosition ? rest - closeQty : 0;
    if (openQty > 0) {
      const cash = Math.max(0, this.available(o.currency));
      const lev = this.leverageOf(o.currency, o.symbol);
      // (the 1e-6 forgives a double's error in an exact fit; what it rounds up beyond the cash, 1.9999995 to 2, is taken back)
      let affordable = Math.floor((cash * lev) / price + 1e-6);
      if (affordable > 0 && (affordable * price) / lev > cash + 1e-9) affordable--;
      openQty = Math.min(openQty, affordable);
      if (openQty > 0) this.open(o, openQty, price, t);
    }
    const done = closeQty + openQty;
    if (done > 0) o.avgPx = (o.avgPx * o.cumQty + price * done) / (o.cumQty + done);
    o.cumQty += done;
    o.modifiedMs = t;
    if (o.cumQty >= o.qty) o.ordStatus = "FILLED";
    else if (done < rest || o.type === "Market" || !this.refreeze(o)) o.ordStatus = "CANCELED";
    else o.ordStatus = "PARTIALLY_FILLED";
  }
  /** Freeze the margin of a partly filled order's rest; false (nothing frozen) if the cash cannot. */
  private refreeze(o: MockOrder): boolean {
    try {
      this.freeze(o, this.marginPrice(o));
      return true;
    } catch (e) {
      if (e instanceof TradeReject) return false;
      throw e;
    }
  }
  /** Close `q` of a position at `price`; the loss is at most the margin of the part closed (isolated margin). */
  private reduce(p: MockPosition, q: number, price: number, o: MockOrder): void {
    const margin = (q * p.price) / this.leverageOf(p.currency, p.symbol);
    const realised = Math.max(-margin, (price - p.price) * q * (p.side === "Long" ? 1 : -1));
    this.account(p.currency).cash += realised;
    p.pnl += realised;
    o.pnl += realised;
    p.qty -= q;
    if (p.qty <= 0) this.positions.delete(this.positionKey(p.currency, p.symbol, p.side));
  }
  /** Add `q` at `price` to the position on the order's side (BUY → Long, SELL → Short). */
  private open(o: MockOrder, q: number, price: number, t: number): void {
    const side: PositionSide = o.side === "Buy" ? "Long" : "Short";
    const key = this.positionKey(o.currency, o.symbol, side);
    const next: MockPosition = this.positions.get(key) ?? {
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
  }

  marketable(o: MockOrder): boolean {
    if (o.ordStatus === "WAITING" || !ACTIVE.has(o.ordStatus)) return false;
    if (o.type === "Market") return true;
    const mark = this.markOf(o.symbol);
    return o.side === "Buy" ? o.price >= mark : o.price <= mark;
  }
  /** Fill an arriving (or amended) order at the mark when it is marketable (it is the taker), at most bookDepth of it. */
  match(o: MockOrder, t: number): void {
    if (this.marketable(o)) this.fill(o, this.markOf(o.symbol), t, this.bookDepth);
  }
  /**
   * The quantity an opening order opens: all of its rest, but in one-way mode only what is
   * beyond the other side's position not yet promised to closing orders (that part closes it).
   */
  openingQty(o: MockOrder): number {
    if (!o.openPosition) return 0;
    const rest = o.qty - o.cumQty;
    if (this.account(o.currency).twoSided) return rest;
    const other = this.positions.get(this.positionKey(o.currency, o.symbol, o.side === "Sell" ? "Long" : "Short"));
    return other ? Math.max(0, rest - Math.max(0, other.qty - this.reserved(other))) : rest;
  }

  /** The price an order's margin is taken at: the mark when it fills now (MARKET, or a marketable LIMIT), else its limit. */
  marginPrice(o: MockOrder): number {
    return o.type === "Market" || (o.ordStatus !== "WAITING" && this.marketable(o)) ? this.markOf(o.symbol) : o.price;
  }
  /** Margin an opening order needs at `price` for its open quantity; 25021 if not available. */
  freeze(o: MockOrder, price: number, extraAvailable = 0): void {
    if (!o.openPosition) return;
    const need = (this.openingQty(o) * price) / this.leverageOf(o.currency, o.symbol);
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
