/**
 * The quant-ws emulator's exchange state per login: balances, positions and orders, the
 * views the server sends of them, and fills (no matching engine: an order that crosses the
 * mark price on arrival fills at once, at the mark).
 *
 * Spot (`okex`, `huobi`, …): a fill exchanges the base and quote currencies; the position is
 * what was bought (`long`), a SELL reducing it (never below flat). Contracts (`…_future`,
 * `…_swap`), as the vendor's document has them: the sign of `quantity` names the position an
 * order acts on (above 0 the long, below 0 the short); BUY opens a long and closes a short,
 * SELL the reverse. Opening holds its notional (price × quantity, leverage 1) of the quote
 * currency as margin (locked); closing releases the margin with the profit or loss, a loss
 * never above the margin (the position would have been liquidated first), and cannot close
 * more than the position holds beyond what resting closing orders already take.
 */
import { stringifyJson } from "../../handwritten/core/json.js";
import { DEC_ZERO, decAdd, decBelow, decDivide, decMinus, decNegate, decNumber, decOfNumber, decTimes, type Dec } from "../decimal-text.js";
import type { Conn } from "./gateway.js";

export interface MockOrder {
  symbol: string;
  order_no: string;
  action: "BUY" | "SELL";
  /** null for MARKET orders, as the server sends them. */
  price: number | null;
  quantity: number;
  remain: number;
  status: "NONE" | "SUBMITTED" | "PARTIAL-FILLED" | "FILLED" | "CANCELED" | "FAILED";
  order_type: "LIMIT" | "MARKET" | "IOC";
  ctime: number;
  utime: number;
  /** A contract order's position and whether it opens it (never sent: orderView leaves it out). */
  leg?: Leg | undefined;
}

/** What a contract order does: the position it acts on (the sign of its quantity) and whether it opens or closes it. */
export interface Leg {
  side: "long" | "short";
  opening: boolean;
}

/** A platform whose positions are contracts, long and short at once (the vendor's document: the sign of quantity chooses). */
export const isContract = (platform: string): boolean => platform.includes("future") || platform.includes("swap");

/** The leg of a contract order of `action` and signed quantity `sent`. */
export function legOf(action: "BUY" | "SELL", sent: number): Leg {
  const side = sent > 0 ? "long" : "short";
  return { side, opening: (action === "BUY") === (side === "long") };
}

const isZero = (a: Dec): boolean => a.coef === 0n;

/**
 * A currency's balance: its total and the part resting orders lock (free is the rest), exact
 * (with doubles, 200 orders at prices like 0.1 and 3.3 then a cancel-all left `locked` at
 * -1.29e-12 and `free` above `total`).
 */
export interface Balance {
  total: Dec;
  locked: Dec;
}

/** A balance of `total`, nothing locked. */
export const startBalance = (total: number): Balance => ({ total: decOfNumber(total), locked: DEC_ZERO });

/** A position's sides: quantity and cost (what opening them paid, Σ price × quantity), exact. */
interface Position {
  long: Dec;
  short: Dec;
  longCost: Dec;
  shortCost: Dec;
  utime: number | null;
}

export interface Login {
  token: string;
  key: string;
  socket: Conn;
  platform: string;
  symbols: string[];
  linkUp: boolean;
  orders: Map<string, MockOrder>;
  /** Per currency (a Map: currencies come from request text). */
  balances: Map<string, Balance>;
  positions: Map<string, Position>;
}

/** Pushes a notification to a login (the gateway's `notify`). */
export type Notify = (login: Login, topic: string, data: unknown) => void;

/**
 * The symbols the emulator trades: `BASE/QUOTE` with letters and digits (as the exchanges
 * list them). Anything else is refused ("Invalid symbol …", as the exchange adapters refuse a
 * symbol they do not know) before it names a balance, a position or a mark price.
 */
const SYMBOL = /^[A-Za-z0-9]{1,20}\/[A-Za-z0-9]{1,20}$/;
export const isKnownSymbol = (symbol: unknown): symbol is string => typeof symbol === "string" && SYMBOL.test(symbol);
/** The error_message of a request or login naming a symbol isKnownSymbol refuses (the symbol cut to 60 characters). */
export const invalidSymbol = (symbol: unknown): string => `Invalid symbol ${jsonShown(symbol)}`;
/** A frame's value as JSON for a message or log line (bigints with their digits), cut to 60 characters. */
export const jsonShown = (v: unknown): string => (v === undefined ? "undefined" : stringifyJson(v)).slice(0, 60);

export function split(symbol: string): { base: string; quote: string } {
  const [base = symbol, quote = "USDT"] = symbol.split("/");
  return { base, quote };
}
/** The free amount of a currency, exact; looking does not create a balance (as positionView). */
export function freeOf(login: Login, ccy: string): Dec {
  const b = login.balances.get(ccy);
  return b ? decMinus(b.total, b.locked) : DEC_ZERO;
}

/**
 * Most currencies (balances) and positions one login holds: each symbol an order names can
 * add two currencies and a position, and orders on ever-new symbols grew them without bound.
 */
export const MAX_LOGIN_CURRENCIES = 2_000;
export const MAX_LOGIN_POSITIONS = 2_000;

/** Would an order on `symbol` take the login above MAX_LOGIN_CURRENCIES or MAX_LOGIN_POSITIONS? */
export function beyondLoginCaps(login: Login, symbol: string): boolean {
  const { base, quote } = split(symbol);
  const added = new Set([base, quote].filter((c) => !login.balances.has(c))).size;
  return login.balances.size + added > MAX_LOGIN_CURRENCIES || (!login.positions.has(symbol) && login.positions.size >= MAX_LOGIN_POSITIONS);
}

/** Most orders one login keeps: past it the oldest finished one is forgotten (an open one never is). */
export const MAX_LOGIN_ORDERS = 10_000;

/** Room for one more order: false when the login holds MAX_LOGIN_ORDERS open orders. */
export function roomForOrder(login: Login): boolean {
  if (login.orders.size < MAX_LOGIN_ORDERS) return true;
  for (const [no, o] of login.orders) {
    if (isOpen(o)) continue;
    login.orders.delete(no);
    return true;
  }
  return false;
}

export function balance(login: Login, ccy: string): Balance {
  let b = login.balances.get(ccy);
  if (!b) login.balances.set(ccy, (b = startBalance(0)));
  return b;
}

/** Move a balance's total and locked amounts (exact); `free` follows. */
export function adjust(b: Balance, total: Dec, locked: Dec): void {
  b.total = decAdd(b.total, total);
  b.locked = decAdd(b.locked, locked);
}

/**
 * What a resting order locks: quote currency × price for a spot BUY, base currency for a spot
 * SELL, the margin (quote × price) for a contract order that opens; one that closes locks no
 * money (it takes position: see closable).
 */
export function lockFor(login: Login, o: Pick<MockOrder, "symbol" | "action" | "leg">, price: number, quantity: number, sign: 1 | -1): void {
  if (o.leg && !o.leg.opening) return;
  const { base, quote } = split(o.symbol);
  const inQuote = o.action === "BUY" || o.leg !== undefined;
  const amount = inQuote ? decTimes(decOfNumber(price), decOfNumber(quantity)) : decOfNumber(quantity);
  adjust(balance(login, inQuote ? quote : base), DEC_ZERO, sign === 1 ? amount : decNegate(amount));
}

/** How much of a contract position closing orders may still take: its quantity less what resting closing orders take. */
export function closable(login: Login, symbol: string, side: Leg["side"]): Dec {
  let free = login.positions.get(symbol)?.[side] ?? DEC_ZERO;
  for (const o of login.orders.values()) {
    if (o.symbol === symbol && isOpen(o) && o.leg?.side === side && !o.leg.opening) free = decAdd(free, decNegate(decOfNumber(o.remain)));
  }
  return free;
}

export const isOpen = (o: MockOrder): boolean => o.status === "SUBMITTED" || o.status === "PARTIAL-FILLED";

function positionOf(login: Login, symbol: string): Position {
  let p = login.positions.get(symbol);
  if (!p) login.positions.set(symbol, (p = { long: DEC_ZERO, short: DEC_ZERO, longCost: DEC_ZERO, shortCost: DEC_ZERO, utime: null }));
  return p;
}

/** One side's fields of the server's position view, in the server's order; `avail`: what closing orders may still take. */
function sideFields(side: "long" | "short", qty: Dec, cost: Dec, avail: Dec): Record<string, number> {
  const price = isZero(qty) ? 0 : decNumber(decDivide(cost, qty));
  return {
    [`${side}_quantity`]: decNumber(qty),
    [`${side}_avail_qty`]: decNumber(avail),
    [`${side}_open_price`]: price,
    [`${side}_hold_price`]: price,
    [`${side}_liquid_price`]: 0,
    [`${side}_unrealised_pnl`]: 0,
    [`${side}_leverage`]: isZero(qty) ? 0 : 1,
    [`${side}_margin`]: decNumber(cost),
  };
}

const FLAT: Readonly<Position> = { long: DEC_ZERO, short: DEC_ZERO, longCost: DEC_ZERO, shortCost: DEC_ZERO, utime: null };

export function positionView(login: Login, symbol: string, withSymbol: boolean) {
  // Looking at a position does not create one.
  const p = login.positions.get(symbol) ?? FLAT;
  const flat = isZero(p.long) && isZero(p.short);
  const contract = isContract(login.platform);
  return {
    ...(withSymbol ? { symbol } : {}),
    // The server sends nulls for a flat position.
    margin_mode: flat ? null : "crossed",
    ...sideFields("long", p.long, p.longCost, contract ? closable(login, symbol, "long") : p.long),
    ...sideFields("short", p.short, p.shortCost, contract ? closable(login, symbol, "short") : p.short),
    utime: flat ? null : p.utime,
  };
}

/** An order as the server sends it (its leg is the emulator's own). */
export function orderView(o: MockOrder, withSymbol: boolean) {
  const { symbol, leg: _leg, ...rest } = o;
  return withSymbol ? { symbol, ...rest } : rest;
}

/**
 * The balances as the adapter writes them: numbers, or text with 8 decimals on huobi_future (as
 * its adapter's `"%.8f"`). Each is the double nearest the exact amount: locked is 0 when nothing
 * rests, and free (total − locked) is never above total.
 */
export const assetView = (login: Login) =>
  Object.fromEntries(
    [...login.balances].map(([k, b]) => {
      const amounts = { free: decNumber(decMinus(b.total, b.locked)), locked: decNumber(b.locked), total: decNumber(b.total) };
      return [k, login.platform === "huobi_future" ? { free: amounts.free.toFixed(8), locked: amounts.locked.toFixed(8), total: amounts.total.toFixed(8) } : amounts];
    }),
  );

/** Open `qty` more of a position's side at `amount` (price × qty). */
function open(p: Position, side: Leg["side"], qty: Dec, amount: Dec): void {
  p[side] = decAdd(p[side], qty);
  p[`${side}Cost`] = decAdd(p[`${side}Cost`], amount);
}

/** Close `qty` of a position's side (at most what it holds); returns the cost the closed part had. */
function close(p: Position, side: Leg["side"], qty: Dec): Dec {
  const held = p[side];
  const part = decBelow(held, qty) ? held : qty;
  if (isZero(part)) return DEC_ZERO;
  const cost = decBelow(part, held) ? decDivide(decTimes(p[`${side}Cost`], part), held) : p[`${side}Cost`];
  p[side] = decMinus(held, part);
  p[`${side}Cost`] = decMinus(p[`${side}Cost`], cost);
  return cost;
}

/** A contract fill of `qty` at `amount` (price × qty): margin held or released with the profit or loss. */
function fillContract(login: Login, p: Position, leg: Leg, quote: string, qty: Dec, amount: Dec): void {
  const b = balance(login, quote);
  if (leg.opening) {
    open(p, leg.side, qty, amount);
    adjust(b, DEC_ZERO, amount);
    return;
  }
  const margin = close(p, leg.side, qty);
  const pnl = leg.side === "long" ? decMinus(amount, margin) : decMinus(margin, amount);
  // A loss beyond the margin is not charged: the position would have been liquidated first.
  adjust(b, decBelow(decAdd(margin, pnl), DEC_ZERO) ? decNegate(margin) : pnl, decNegate(margin));
}

/** Fill the rest of an order at `price` and push fill, order, position and asset notifications. */
export function fill(login: Login, o: MockOrder, price: number, fillNo: string, notify: Notify): void {
  const { base, quote } = split(o.symbol);
  const qty = o.remain;
  const now = Date.now();
  const amount = decTimes(decOfNumber(qty), decOfNumber(price));
  const p = positionOf(login, o.symbol);
  if (o.leg) fillContract(login, p, o.leg, quote, decOfNumber(qty), amount);
  else {
    const buy = o.action === "BUY";
    adjust(balance(login, quote), buy ? decNegate(amount) : amount, DEC_ZERO);
    adjust(balance(login, base), buy ? decOfNumber(qty) : decOfNumber(-qty), DEC_ZERO);
    if (buy) open(p, "long", decOfNumber(qty), amount);
    else close(p, "long", decOfNumber(qty));
  }
  p.utime = now;
  o.remain = 0;
  o.status = "FILLED";
  o.utime = now;
  // Orders fill only on arrival here (no matching engine), so every fill takes liquidity.
  notify(login, "fill", { symbol: o.symbol, order_no: o.order_no, fill_no: fillNo, price, quantity: qty, side: o.action, liquidity: "TAKER", ctime: now });
  notify(login, "order", orderView(o, true));
  notify(login, "position", positionView(login, o.symbol, true));
  notify(login, "asset", assetView(login));
}
