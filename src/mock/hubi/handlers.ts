/**
 * The Hubi emulator's operations: parameter parsing (a wrong value is the code the vendor
 * table gives it) and one handler per stateful operation over a HubiExchange.
 */
import type { HubiOperationId } from "../../handwritten/hubi/client.js";
import { bindHandlers, type StateHandler } from "../bind-handlers.js";
import type { MockReply, MockRequest } from "../http-mock.js";
import { isDecimalText } from "../decimal-text.js";
import { missingParams } from "../params.js";
import { queryRows } from "../query-rows.js";
import { ACTIVE, MAX_HUBI_ORDERS, type ExactField, type HubiExchange, type MockOrder, type Side } from "./engine.js";
import { ok, reject, TradeReject, tradeFailure } from "./replies.js";
import { accountView, orderView, positionView } from "./views.js";

// ---- parameter parsing ----

function requireParams(req: MockRequest): void {
  if (missingParams(req).length) reject("ILLEGAL_ARGUMENT");
}
/**
 * Longer number text is no number a trading API takes (25010). The plain decimal form of any
 * double (a client writes no exponent: 1e-40 is 42 characters) is at most about 330.
 */
const MAX_NUMBER_CHARS = 400;
const num = (v: string | undefined): number | undefined => {
  if (v === undefined || v === "") return undefined;
  // As the server parses one (BigDecimal): sign, digits, fraction, exponent; not `0x10`,
  // `0b11`, `Infinity` or padded text, which `Number()` would take.
  if (v.length > MAX_NUMBER_CHARS || !isDecimalText(v, "+-")) reject("25010");
  const n = Number(v);
  return Number.isFinite(n) ? n : reject("25010");
};
/** A contract symbol as the exchange lists them (`BTCUSDT`); anything else is ILLEGAL_ARGUMENT. */
const SYMBOL = /^[A-Za-z0-9._-]{1,32}$/;
const symbolOf = (v: string | undefined): string => (v !== undefined && SYMBOL.test(v) ? v : reject("ILLEGAL_ARGUMENT"));
const bool = (v: string | undefined): boolean => (v === "true" ? true : v === "false" ? false : reject("ILLEGAL_ARGUMENT"));
/** An order quantity: a whole number of contracts (25009), at least 1 (25011). */
const quantity = (v: string | undefined): number | undefined => {
  const n = num(v);
  return n === undefined ? undefined : !Number.isSafeInteger(n) ? reject("25009") : n > 0 ? n : reject("25011");
};
const positivePrice = (v: string | undefined): number | undefined => {
  const n = num(v);
  return n === undefined ? undefined : n > 0 ? n : reject("25012");
};
/**
 * A stop or trigger price: above 0, else the vendor code for that field (stop loss and trailing
 * stop 25032, stop win 25033, trigger 25027). `zero` lets an amend send 0 to remove the stop.
 */
const stopPrice = (v: string | undefined, code: "25027" | "25032" | "25033", zero = false): number | undefined => {
  const n = num(v);
  return n === undefined || n > 0 || (zero && n === 0) ? n : reject(code);
};
const stopWinType = (v: string | undefined): "Limit" | "Market" | undefined =>
  v === undefined ? undefined : v === "LIMIT" ? "Limit" : v === "MARKET" ? "Market" : reject("ILLEGAL_ARGUMENT");
/** 25043-25046: stops on the wrong side of the order price. */
function checkStops(side: Side, price: number, stopLoss: number, stopWin: number): void {
  if (side === "Buy") {
    if (stopLoss && price < stopLoss) reject("25043");
    if (stopWin && price > stopWin) reject("25044");
  } else {
    if (stopLoss && price > stopLoss) reject("25045");
    if (stopWin && price < stopWin) reject("25046");
  }
}
const findOrder = (ex: HubiExchange, no: string | undefined): MockOrder => ex.orders.get(no ?? "") ?? reject("25005");

/** An order's price fields and the parameters that give them. */
const EXACT_PARAMS: ReadonlyArray<[ExactField, string]> = [
  ["price", "price"],
  ["stopLossPrice", "stop_loss_price"],
  ["stopWinPrice", "stop_win_price"],
  ["trailingStop", "trailing_stop"],
  ["triggerPrice", "trigger_price"],
];

/** The text of each price field the request gives (read by `num` first): an order answers them with every digit. */
function textsOf(p: Record<string, string>, fields: ReadonlySet<ExactField> | undefined = undefined): Partial<Record<ExactField, string>> {
  const texts: Partial<Record<ExactField, string>> = {};
  for (const [field, param] of EXACT_PARAMS) if ((!fields || fields.has(field)) && p[param] !== undefined && p[param] !== "") texts[field] = p[param];
  return texts;
}

// ---- operations ----

type Handler = StateHandler<HubiExchange>;

const queryOrdersPro: Handler = (ex, req) => {
  const since = num(req.params.timestamp) ?? ex.ordersProCursor;
  ex.ordersProCursor = ex.now();
  return { body: [...ex.orders.values()].filter((o) => o.modifiedMs >= since).map(orderView) };
};

const queryOrderById: Handler = (ex, req) => {
  requireParams(req);
  return { body: orderView(findOrder(ex, req.params.order_no)) };
};

// The `symbol` parameter names the order field it filters (src/mock/query-rows.ts).
const queryActiveOrders: Handler = (ex, req) => ({
  body: queryRows(req.op, [...ex.orders.values()].filter((o) => ACTIVE.has(o.ordStatus)).map(orderView), req.params).rows,
});

const enterOrder: Handler = (ex, req) => {
  requireParams(req);
  const p = req.params;
  const t = ex.now();
  ex.account(p.coin_code!);
  const symbol = symbolOf(p.symbol);
  const openPosition = bool(p.open_position);
  const qty = quantity(p.quantity)!;
  const side: Side = p.trade_direction === "BUY" ? "Buy" : p.trade_direction === "SELL" ? "Sell" : reject("25017");
  const type = p.order_type === "LIMIT" ? "Limit" : p.order_type === "MARKET" ? "Market" : reject("25016");
  const price = positivePrice(p.price) ?? (type === "Limit" ? reject("25012") : 0);
  const stopLossPrice = stopPrice(p.stop_loss_price, "25032") ?? 0;
  const trailingStop = stopPrice(p.trailing_stop, "25032") ?? 0;
  if (p.stop_loss_price && p.trailing_stop) reject("ILLEGAL_ARGUMENT");
  const stopWinPrice = stopPrice(p.stop_win_price, "25033") ?? 0;
  const triggerPrice = stopPrice(p.trigger_price, "25027") ?? 0;
  if (type === "Limit" && !triggerPrice) ex.checkPriceBand(symbol, price);
  const triggerType = p.trigger_type === undefined || p.trigger_type === "LAST" ? "LAST" : p.trigger_type === "INDEX" ? "INDEX" : reject("ILLEGAL_ARGUMENT");
  const refPrice = type === "Limit" ? price : ex.markOf(symbol);
  checkStops(side, refPrice, stopLossPrice, stopWinPrice);
  if (!openPosition) {
    const pos = ex.positions.get(ex.positionKey(p.coin_code!, symbol, side === "Sell" ? "Long" : "Short"));
    if (!pos || pos.qty - ex.reserved(pos) < qty) reject("25025");
  }
  const o: MockOrder = {
    id: ex.nextOrderId(t),
    currency: p.coin_code!,
    symbol,
    createdMs: t,
    modifiedMs: t,
    side,
    type,
    price,
    qty,
    openPosition,
    cumQty: 0,
    avgPx: 0,
    ordStatus: triggerPrice ? "WAITING" : "NEW",
    source: triggerPrice ? "Conditional" : "Normal",
    stopLossPrice,
    stopWinPrice,
    stopWinType: stopWinType(p.stop_win_type) ?? "Limit",
    trailingStop,
    triggerPrice,
    triggerType,
    pnl: 0,
    frozen: 0,
    texts: textsOf(p),
  };
  // A table of active orders only: a new one would forget one the client can still cancel.
  if (!ex.hasOrderRoom()) reject("-1", `the emulator holds at most ${MAX_HUBI_ORDERS} orders and all are active: cancel some first`);
  // Margin at the price the order fills at: the mark when it fills on arrival (a SELL far
  // below the mark fills at the mark, not at its limit), else its limit.
  ex.freeze(o, ex.marginPrice(o));
  ex.addOrder(o);
  ex.match(o, t);
  return ok(o.id);
};

/**
 * The fields an amend_order request changes; 25023/25024/25016/25027/25051 as the vendor table
 * says; nothing changed is 25014 when the request gives a price or quantity, else 25030.
 */
function amendedFields(ex: HubiExchange, o: MockOrder, p: Record<string, string>): Partial<MockOrder> {
  const qty = quantity(p.quantity);
  const price = positivePrice(p.price);
  const triggerPrice = stopPrice(p.trigger_price, "25027");
  const stopLossPrice = stopPrice(p.stop_loss_price, "25032", true);
  const trailingStop = stopPrice(p.trailing_stop, "25032", true);
  if (stopLossPrice !== undefined && trailingStop !== undefined) reject("ILLEGAL_ARGUMENT");
  const stopWinPrice = stopPrice(p.stop_win_price, "25033", true);
  const swType = stopWinType(p.stop_win_type);
  const changes: Partial<MockOrder> = {};
  if (qty !== undefined && qty !== o.qty) {
    if (qty > o.qty) reject("25023");
    if (qty <= o.cumQty) reject("25024");
    changes.qty = qty;
  }
  if (price !== undefined && price !== o.price) {
    if (o.type === "Market") reject("25016");
    if (o.ordStatus !== "WAITING") ex.checkPriceBand(o.symbol, price);
    changes.price = price;
  }
  if (triggerPrice !== undefined && triggerPrice !== o.triggerPrice) {
    if (o.ordStatus !== "WAITING") reject("25027");
    changes.triggerPrice = triggerPrice;
  }
  if (stopLossPrice !== undefined && stopLossPrice !== o.stopLossPrice) changes.stopLossPrice = stopLossPrice;
  if (trailingStop !== undefined && trailingStop !== o.trailingStop) changes.trailingStop = trailingStop;
  if (stopWinPrice !== undefined && stopWinPrice !== o.stopWinPrice) changes.stopWinPrice = stopWinPrice;
  if (swType !== undefined && swType !== o.stopWinType) changes.stopWinType = swType;
  if (Object.keys(changes).length === 0) reject(qty !== undefined || price !== undefined ? "25014" : "25030");
  return changes;
}

const amendOrder: Handler = (ex, req) => {
  requireParams(req);
  const o = findOrder(ex, req.params.order_no);
  if (!ACTIVE.has(o.ordStatus)) reject("25006");
  const changes = amendedFields(ex, o, req.params);
  const next = { ...o, ...changes, texts: { ...o.texts, ...textsOf(req.params, new Set(Object.keys(changes) as ExactField[])) } };
  if (changes.stopLossPrice !== undefined) next.trailingStop = 0;
  if (changes.trailingStop !== undefined) next.stopLossPrice = 0;
  checkStops(next.side, next.type === "Limit" ? next.price : ex.markOf(next.symbol), next.stopLossPrice, next.stopWinPrice);
  // Re-freeze margin for the new price/quantity; on 25021 the order stays as it was.
  const before = o.frozen;
  ex.release(o);
  try {
    ex.freeze(next, ex.marginPrice(next));
  } catch (e) {
    ex.account(o.currency).frozenCash += before;
    o.frozen = before;
    throw e;
  }
  Object.assign(o, next, { modifiedMs: ex.now() });
  ex.match(o, o.modifiedMs);
  return ok();
};

const cancelOrder: Handler = (ex, req) => {
  requireParams(req);
  const o = findOrder(ex, req.params.order_no);
  if (!ACTIVE.has(o.ordStatus)) reject("25006");
  ex.cancel(o, ex.now());
  return ok();
};

/** The most order numbers a batch cancel's refusal names (then how many more there are). */
const NAMED_ORDERS = 10;
/** `nos` for a refusal's message: the first NAMED_ORDERS (each at most 64 characters), then the count of the rest. */
function namedOrders(nos: readonly string[]): string {
  const shown = nos.slice(0, NAMED_ORDERS).map((n) => (n.length > 64 ? `${n.slice(0, 64)}…` : n));
  return `order_nos ${shown.join(",")}${nos.length > NAMED_ORDERS ? ` and ${nos.length - NAMED_ORDERS} more` : ""}`;
}

/**
 * All or nothing: the vendor's document answers the batch as one (`status` 0, or -1 with a
 * message) and says nothing of results per order, so one order that cannot be cancelled
 * refuses the batch, none being cancelled; the message names each such order (25005 the
 * unknown ones, else 25006 the finished ones) for the caller to drop them and send the rest.
 */
const cancelOrderBatch: Handler = (ex, req) => {
  requireParams(req);
  const nos = (req.params.order_nos ?? "").split(",");
  if (nos.some((n) => !n.trim())) reject("ILLEGAL_ARGUMENT");
  const unknown = [...new Set(nos.filter((no) => !ex.orders.has(no)))];
  if (unknown.length > 0) reject("25005", namedOrders(unknown));
  const list = nos.map((no) => findOrder(ex, no));
  const finished = [...new Set(list.filter((o) => !ACTIVE.has(o.ordStatus)).map((o) => o.id))];
  if (finished.length > 0) reject("25006", namedOrders(finished));
  const t = ex.now();
  for (const o of list) ex.cancel(o, t);
  return ok();
};

const closePosition: Handler = (ex, req) => {
  requireParams(req);
  const p = req.params;
  const side = p.position_type === "Long" || p.position_type === "Short" ? p.position_type : reject("ILLEGAL_ARGUMENT");
  ex.account(p.coin_code!);
  const pos = ex.positions.get(ex.positionKey(p.coin_code!, p.symbol!, side));
  if (!pos || pos.qty <= 0) reject("25035");
  // Resting closing orders on this position are cancelled; the close is a market order.
  ex.closeOut(pos, ex.markOf(pos.symbol), "Normal", ex.now());
  return ok();
};

const switchToCross: Handler = (ex, req) => {
  requireParams(req);
  const a = ex.account(req.params.coin_code!);
  if (a.cross) reject("25030");
  a.cross = true;
  return ok();
};

const changePositionLeverage: Handler = (ex, req) => {
  requireParams(req);
  const currency = req.params.coin_code!;
  const a = ex.account(currency);
  const twoSided = bool(req.params.two_side_position);
  if (a.twoSided === twoSided) reject("25030");
  // Switching modes with open positions or orders is refused (25007), as exchanges do.
  const busy = ex.positionsOf(currency).length > 0 || [...ex.orders.values()].some((o) => o.currency === currency && ACTIVE.has(o.ordStatus));
  if (busy) reject("25007");
  a.twoSided = twoSided;
  return ok();
};

const riskSetting: Handler = (ex, req) => {
  requireParams(req);
  const { coin_code: currency = "" } = req.params;
  ex.account(currency);
  const symbol = symbolOf(req.params.symbol);
  const leverage = num(req.params.leverage)!;
  if (!Number.isInteger(leverage) || leverage < 1 || leverage > 100) reject("25031");
  ex.setLeverage(currency, symbol, leverage);
  return ok();
};

/** Handlers by operationId: only operations the spec has (a dropped one is a compile error). */
export type HubiHandlerTable = Partial<Record<HubiOperationId, Handler>>;

const HANDLERS: HubiHandlerTable = {
  queryOrdersPro,
  queryOrderById,
  queryActiveOrders,
  queryAccounts: (ex) => ({ body: [...ex.accounts].map(([c, a]) => accountView(ex, c, a)) }),
  queryPosition: (ex) => ({ body: [...ex.positions.values()].map((p) => positionView(ex, p)) }),
  enterOrder,
  amendOrder,
  cancelOrder,
  cancelOrderBatch,
  closePosition,
  switchToCross,
  changePositionLeverage,
  riskSetting,
};

/**
 * The emulator's handlers over one exchange. Handlers throw TradeReject, answered as the
 * spec's failure body; amend_order fails with HTTP 500 as the vendor doc shows.
 */
export function hubiHandlers(ex: HubiExchange): Record<string, (req: MockRequest) => MockReply> {
  return bindHandlers(HANDLERS, ex, (id, e) => {
    if (e instanceof TradeReject) return tradeFailure(e.code, id === "amendOrder" ? 500 : e.httpStatus, e.detail);
    throw e;
  });
}
