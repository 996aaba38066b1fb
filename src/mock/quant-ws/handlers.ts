/**
 * The quant-ws emulator's request handlers (one per op of the spec) and the frame dispatch:
 * ping → pong, a known op → its handler, a missing field → `{"op":"error"}`, anything else
 * ignored.
 */
import { quantWsMeta } from "../../../generated/quant-ws.js";
import {
  assetView, beyondLoginCaps, closable, fill, freeOf, invalidSymbol, isContract, isKnownSymbol, isOpen, legOf, lockFor, orderView, positionView, roomForOrder, split,
  type Leg, type Login, type MockOrder,
} from "./account.js";
import { decBelow, decOfNumber, decTimes } from "../decimal-text.js";
import { field, MissingField, type Conn, type Gateway } from "./gateway.js";
import { login } from "./auth.js";
import { stringifyJson } from "../../handwritten/core/json.js";
import { readFrame } from "./frames.js";

type Handler = (gw: Gateway, c: Conn, f: Record<string, unknown>, cid: string) => void;

/**
 * The login and the symbol of a request that names one, or undefined after the reply:
 * "Invalid token" / not ready (withLogin), or "Invalid symbol …" for a symbol the emulator
 * does not trade (see isKnownSymbol).
 */
function withSymbol(gw: Gateway, c: Conn, f: Record<string, unknown>, cid: string): { login: Login; symbol: string } | undefined {
  const login = gw.withLogin(c, f, cid);
  if (!login) return undefined;
  const symbol = field<unknown>(f, "symbol");
  if (!isKnownSymbol(symbol)) {
    gw.reply(c, { op: String(f.op), cid, result: false, error_message: invalidSymbol(symbol) });
    return undefined;
  }
  return { login, symbol };
}

const REPLY_OPS = new Set(Object.keys(quantWsMeta.operations));

/**
 * Why an order cannot be placed, or undefined: a spot BUY needs its quote at `limit` (the
 * mark for MARKET), a spot SELL its base; a contract order that opens needs its margin at the
 * price it takes (`at`: the mark when it fills at once, else its limit), one that closes the
 * position it closes (less what resting closing orders take).
 */
function refusal(login: Login, symbol: string, action: "BUY" | "SELL", leg: Leg | undefined, limit: number, at: number, quantity: number): string | undefined {
  const { base, quote } = split(symbol);
  if (!Number.isFinite(limit * quantity) || !Number.isFinite(at * quantity)) return "Invalid price or quantity";
  if (leg && !leg.opening) {
    if (decBelow(closable(login, symbol, leg.side), decOfNumber(quantity))) return `Insufficient position: the ${leg.side} position cannot close ${quantity}`;
  } else if (leg) {
    if (decBelow(freeOf(login, quote), decTimes(decOfNumber(at), decOfNumber(quantity)))) return "Insufficient balance";
  } else if (action === "BUY" ? decBelow(freeOf(login, quote), decTimes(decOfNumber(limit), decOfNumber(quantity))) : decBelow(freeOf(login, base), decOfNumber(quantity))) return "Insufficient balance";
  if (beyondLoginCaps(login, symbol)) return "Too many symbols traded on this login";
  if (!roomForOrder(login)) return "Too many open orders on this login";
  return undefined;
}

const place_order: Handler = (gw, c, f, cid) => {
  const known = withSymbol(gw, c, f, cid);
  if (!known) return;
  const { login, symbol } = known;
  const action = field<string>(f, "action");
  const price = field<unknown>(f, "price");
  const sent = field<unknown>(f, "quantity");
  const orderType = field<string>(f, "order_type");
  const fail = (msg: string) => gw.reply(c, { op: "place_order", cid, result: false, error_message: msg });
  if (action !== "BUY" && action !== "SELL") return fail(`Invalid action ${action}`);
  if (orderType !== "LIMIT" && orderType !== "MARKET" && orderType !== "IOC") return fail(`Invalid order_type ${orderType}`);
  const contract = isContract(login.platform);
  // JSON numbers, as the spec has them (text, arrays, true and 1e999 = Infinity were read as
  // numbers and made balances null); a price above 0 unless MARKET (0 by the doc); a quantity
  // other than 0, negative only on a contract (the doc: its sign selects long or short). An
  // integer beyond 2^53 (a bigint) is refused too: no double holds it, and no market trades it.
  const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
  if (!finite(price) || price < 0 || (price === 0 && orderType !== "MARKET")) return fail("Invalid price or quantity");
  if (!finite(sent) || sent === 0 || (sent < 0 && !contract)) return fail("Invalid price or quantity");
  const quantity = Math.abs(sent);
  const mark = gw.settings.marks.get(symbol) ?? 100;
  // An order that crosses the mark fills at once, at the mark (the better price for its limit).
  const crosses = orderType === "MARKET" || (action === "BUY" ? price >= mark : price <= mark);
  const leg = contract ? legOf(action, sent) : undefined;
  const refused = refusal(login, symbol, action, leg, orderType === "MARKET" ? mark : price, crosses ? mark : price, quantity);
  if (refused) return fail(refused);
  const now = Date.now();
  // The server reports MARKET orders with price null.
  const o: MockOrder = { symbol, order_no: gw.nextOrderNo(), action, price: orderType === "MARKET" ? null : price, quantity, remain: quantity, status: "SUBMITTED", order_type: orderType, ctime: now, utime: now, leg };
  login.orders.set(o.order_no, o);
  gw.reply(c, { op: "place_order", cid, result: true, error_message: "", order_no: o.order_no });
  gw.notify(login, "order", orderView(o, true));
  if (crosses) fill(login, o, mark, gw.nextFillNo(), gw.notify);
  else if (orderType === "IOC") {
    o.status = "CANCELED";
    o.utime = Date.now();
    gw.notify(login, "order", orderView(o, true));
  } else {
    lockFor(login, o, price, quantity, 1);
    gw.notify(login, "asset", assetView(login));
  }
};

const cancel_order: Handler = (gw, c, f, cid) => {
  const known = withSymbol(gw, c, f, cid);
  if (!known) return;
  const { login, symbol } = known;
  const orderNos = field<unknown[]>(f, "order_nos");
  // An empty list cancels every open order of the symbol; the server then sends no reply
  // (the adapters return True instead of a list and the reply fails to build).
  const all = Array.isArray(orderNos) && orderNos.length === 0;
  const targets = all
    ? [...login.orders.values()].filter((o) => o.symbol === symbol && isOpen(o)).map((o) => o.order_no)
    : Array.isArray(orderNos) ? orderNos : [];
  // Every order number is text before any order is cancelled (one that is not was an error
  // after the ones before it were cancelled: no reply and no notifications for those).
  // A number is taken as the gateway takes it, with every digit (one beyond 2^53 is a bigint:
  // it was rounded and named another order).
  const bad = targets.findIndex((no) => typeof no !== "string" && typeof no !== "number" && typeof no !== "bigint");
  if (bad >= 0) throw new Error(`'order_nos[${bad}]' must be an order number (text)`);
  const data = targets.map((no) => {
    const o = login.orders.get(String(no));
    if (!o || o.symbol !== symbol) return { result: false, error_message: "Order not found", order_no: String(no) };
    if (!isOpen(o)) return { result: false, error_message: `Order is ${o.status}`, order_no: o.order_no };
    lockFor(login, o, o.price ?? 0, o.remain, -1);
    o.status = "CANCELED";
    o.utime = Date.now();
    return { result: true, error_message: "", order_no: o.order_no };
  });
  if (!all || gw.settings.cancelAllReply) gw.reply(c, { op: "cancel_order", cid, result: true, error_message: "", data });
  for (const item of data) if (item.result) gw.notify(login, "order", orderView(login.orders.get(item.order_no)!, true));
  if (data.some((d) => d.result)) gw.notify(login, "asset", assetView(login));
};

const open_orders: Handler = (gw, c, f, cid) => {
  const known = withSymbol(gw, c, f, cid);
  if (!known) return;
  const { login, symbol } = known;
  const data = [...login.orders.values()].filter((o) => o.symbol === symbol && isOpen(o)).map((o) => orderView(o, false));
  gw.reply(c, { op: "open_orders", cid, result: true, error_message: "", data });
};

const asset: Handler = (gw, c, f, cid) => {
  const login = gw.withLogin(c, f, cid);
  if (login) gw.reply(c, { op: "asset", cid, result: true, error_message: "", data: assetView(login) });
};

const position: Handler = (gw, c, f, cid) => {
  const known = withSymbol(gw, c, f, cid);
  if (known) gw.reply(c, { op: "position", cid, result: true, error_message: "", data: positionView(known.login, known.symbol, false) });
};

const symbol_info: Handler = (gw, c, f, cid) => {
  const known = withSymbol(gw, c, f, cid);
  if (!known) return;
  const { login, symbol } = known;
  const { base, quote } = split(symbol);
  gw.reply(c, {
    op: "symbol_info",
    cid,
    result: true,
    error_message: "",
    // Spot adapters have no size/value rules: the server sends null for them.
    data:
      login.platform === "huobi_future"
        ? { price_tick: 0.01, size_tick: 1, size_limit: 1, value_tick: 1, value_limit: 10, base_currency: base, quote_currency: quote, settlement_currency: quote }
        : { price_tick: 0.01, size_tick: 0.0001, size_limit: null, value_tick: null, value_limit: null, base_currency: base, quote_currency: quote, settlement_currency: quote },
  });
};

const logout: Handler = (gw, c, f, cid) => {
  const token = field<string>(f, "token");
  const login = gw.logins.get(token);
  if (!login || login.socket !== c) {
    gw.reply(c, { op: "logout", cid, result: false, error_message: "Invalid token" });
    return;
  }
  gw.forget(login);
  gw.log(`quant-ws mock: socket ${c.id} logout token ${token.slice(0, 4)}…`);
  gw.reply(c, { op: "logout", cid, result: true, error_message: "" });
};

const HANDLERS: Readonly<Record<string, Handler>> = { login, place_order, cancel_order, open_orders, asset, position, symbol_info, logout };

/** One text frame from a socket. */
export function onFrame(gw: Gateway, c: Conn, text: string): void {
  if (c.dead) return;
  let f: Record<string, unknown>;
  try {
    const v = readFrame(text);
    if (v === null || typeof v !== "object" || Array.isArray(v)) throw new SyntaxError("frame is not a JSON object");
    f = v as Record<string, unknown>;
  } catch (e) {
    gw.frames.record(c.id, text, false);
    gw.write(c, JSON.stringify({ op: "error", error_message: (e as Error).message }));
    return;
  }
  gw.frames.record(c.id, text, true);
  const op = f.op;
  try {
    if (op === "ping") {
      const ts = field<unknown>(f, "ts");
      // The pong carries the same ts (the vendor's document), every digit (the frame is read
      // exactly), and the spec types it an int64: anything else is refused as the server
      // refuses a frame it cannot handle, with an error frame. (5 000 digits were Infinity,
      // echoed as null; "abc", 1.5, null and {} were echoed as they came.)
      const int64 = typeof ts === "bigint" || (typeof ts === "number" && Number.isInteger(ts));
      if (!int64 || !(ts < 2n ** 63n && ts >= -(2n ** 63n))) throw new Error("'ts' must be an integer of at most 64 bits");
      if (gw.settings.answerPings) gw.write(c, stringifyJson({ op: "pong", ts }));
    } else if (typeof op === "string" && REPLY_OPS.has(op) && Object.hasOwn(HANDLERS, op)) {
      const cid = typeof f.cid === "string" ? f.cid : "";
      HANDLERS[op]!(gw, c, f, cid);
    }
    // An unknown op the server ignores (no reply); like every frame it handled without raising,
    // it counts as activity (the server's last-message time is set after any such frame).
    c.lastActive = Date.now();
  } catch (e) {
    gw.write(c, JSON.stringify({ op: "error", error_message: e instanceof MissingField ? e.message : String((e as Error).message) }));
  }
}
