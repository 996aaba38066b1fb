/**
 * The quant-ws emulator's exchange state per login: balances, positions and orders, the
 * views the server sends of them, and fills (no matching engine: an order that crosses the
 * mark price on arrival fills at once).
 */
import { stringifyJson } from "../../handwritten/core/json.js";
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
}

/**
 * An exact decimal, `coef` × 10^`exp`: balances are kept in these, so that what an order locks
 * and its cancel unlocks cancel out (with doubles, 200 orders at prices like 0.1 and 3.3 then a
 * cancel-all left `locked` at -1.29e-12 and `free` above `total`).
 */
export interface Dec {
  readonly coef: bigint;
  readonly exp: number;
}

/** A double as the decimal its shortest text writes (0.1 is 1 × 10^-1, not the double's binary value); finite only. */
export function dec(x: number): Dec {
  const [mantissa = "0", e = "0"] = String(x).split("e");
  const [int = "0", frac = ""] = mantissa.split(".");
  return trimmed(BigInt(int + frac), Number(e) - frac.length);
}

function trimmed(coef: bigint, exp: number): Dec {
  if (coef === 0n) return { coef, exp: 0 };
  while (coef % 10n === 0n) {
    coef /= 10n;
    exp++;
  }
  return { coef, exp };
}

export function add(a: Dec, b: Dec): Dec {
  const exp = Math.min(a.exp, b.exp);
  return trimmed(a.coef * 10n ** BigInt(a.exp - exp) + b.coef * 10n ** BigInt(b.exp - exp), exp);
}
export const times = (a: Dec, b: Dec): Dec => trimmed(a.coef * b.coef, a.exp + b.exp);
const negate = (a: Dec): Dec => ({ coef: -a.coef, exp: a.exp });
/** a < b */
export const below = (a: Dec, b: Dec): boolean => add(a, negate(b)).coef < 0n;
/** The nearest double (JavaScript's reading of the decimal's text). */
export const toNumber = (a: Dec): number => Number(`${a.coef}e${a.exp}`);

/** A currency's balance: its total and the part resting orders lock (free is the rest), exact. */
export interface Balance {
  total: Dec;
  locked: Dec;
}

/** A balance of `total`, nothing locked. */
export const startBalance = (total: number): Balance => ({ total: dec(total), locked: dec(0) });

interface Position {
  long: number;
  short: number;
  longPrice: number;
  shortPrice: number;
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
  return b ? add(b.total, negate(b.locked)) : dec(0);
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
  b.total = add(b.total, total);
  b.locked = add(b.locked, locked);
}

/** What a resting order locks: quote currency × price for a BUY, base currency for a SELL. */
export function lockFor(login: Login, o: Pick<MockOrder, "symbol" | "action">, price: number, quantity: number, sign: 1 | -1): void {
  const { base, quote } = split(o.symbol);
  const amount = o.action === "BUY" ? times(dec(price), dec(quantity)) : dec(quantity);
  adjust(balance(login, o.action === "BUY" ? quote : base), dec(0), sign === 1 ? amount : negate(amount));
}

export const isOpen = (o: MockOrder): boolean => o.status === "SUBMITTED" || o.status === "PARTIAL-FILLED";

function positionOf(login: Login, symbol: string): Position {
  let p = login.positions.get(symbol);
  if (!p) login.positions.set(symbol, (p = { long: 0, short: 0, longPrice: 0, shortPrice: 0, utime: null }));
  return p;
}

/** One side's fields of the server's position view, in the server's order. */
function sideFields(side: "long" | "short", qty: number, price: number): Record<string, number> {
  return {
    [`${side}_quantity`]: qty,
    [`${side}_avail_qty`]: qty,
    [`${side}_open_price`]: price,
    [`${side}_hold_price`]: price,
    [`${side}_liquid_price`]: 0,
    [`${side}_unrealised_pnl`]: 0,
    [`${side}_leverage`]: qty ? 1 : 0,
    [`${side}_margin`]: qty * price,
  };
}

const FLAT: Readonly<Position> = { long: 0, short: 0, longPrice: 0, shortPrice: 0, utime: null };

export function positionView(login: Login, symbol: string, withSymbol: boolean) {
  // Looking at a position does not create one.
  const p = login.positions.get(symbol) ?? FLAT;
  const flat = p.long === 0 && p.short === 0;
  return {
    ...(withSymbol ? { symbol } : {}),
    // The server sends nulls for a flat position.
    margin_mode: flat ? null : "crossed",
    ...sideFields("long", p.long, p.longPrice),
    ...sideFields("short", p.short, p.shortPrice),
    utime: flat ? null : p.utime,
  };
}

export function orderView(o: MockOrder, withSymbol: boolean) {
  const { symbol, ...rest } = o;
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
      const amounts = { free: toNumber(add(b.total, negate(b.locked))), locked: toNumber(b.locked), total: toNumber(b.total) };
      return [k, login.platform === "huobi_future" ? { free: amounts.free.toFixed(8), locked: amounts.locked.toFixed(8), total: amounts.total.toFixed(8) } : amounts];
    }),
  );

/** Fill the rest of an order at `price` and push fill, order, position and asset notifications. */
export function fill(login: Login, o: MockOrder, price: number, fillNo: string, notify: Notify): void {
  const { base, quote } = split(o.symbol);
  const qty = o.remain;
  const sign = o.action === "BUY" ? 1 : -1;
  const now = Date.now();
  const cost = times(dec(qty), dec(price));
  adjust(balance(login, quote), sign === 1 ? negate(cost) : cost, dec(0));
  adjust(balance(login, base), dec(sign * qty), dec(0));
  const p = positionOf(login, o.symbol);
  if (o.action === "BUY") {
    p.longPrice = p.long + qty ? (p.long * p.longPrice + qty * price) / (p.long + qty) : 0;
    p.long += qty;
  } else {
    p.shortPrice = p.short + qty ? (p.short * p.shortPrice + qty * price) / (p.short + qty) : 0;
    p.short += qty;
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
