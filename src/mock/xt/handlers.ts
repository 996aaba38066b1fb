/**
 * The XT emulator's operations over an XtState: orders (single and batch), and lists that
 * follow the request (the parameters naming record fields filter, `x-pagination` pages).
 */
import { parseJson } from "../../handwritten/core/json.js";
import type { XtOperationId } from "../../handwritten/xt/client.js";
import { bindHandlers, type StateHandler } from "../bind-handlers.js";
import { exampleReply, exampleValue, type MockReply, type MockRequest } from "../http-mock.js";
import { decBelow, decOf, ExactDecimal, int64Of, isDecimalText, jsonNumberText } from "../decimal-text.js";
import { paginationOf, queryRows, type Row } from "../query-rows.js";
import { envelope } from "./replies.js";
import { exampleItems, freezeOf, MAX_XT_ORDERS, opById, type MockOrder, type XtState } from "./state.js";

type Handler = StateHandler<XtState>;
/** Handlers by operationId: only operations the spec has (a dropped one is a compile error). */
export type XtHandlerTable = Partial<Record<XtOperationId, Handler>>;

const view = (o: MockOrder) => ({
  number: o.number,
  price: o.price,
  avgPrice: "0.00",
  id: o.id,
  time: o.time,
  type: o.type,
  status: o.status,
  completeNumber: "0.000000",
  completeMoney: "0.000000",
  entrustType: o.entrustType,
  fee: "0.000000",
});

/**
 * The order ids of a batch request's base64 `data`, or the 400 answer. Each id must be an
 * int64 (a number, or integer text: checked before any BigInt, see int64Of).
 */
function idsOf(req: MockRequest): bigint[] | MockReply {
  const refused = envelope(400, "data must be base64 of a JSON array of order ids");
  let arr: unknown;
  try {
    arr = parseJson(Buffer.from(req.params.data ?? "", "base64").toString("utf8"));
  } catch {
    return refused;
  }
  if (!Array.isArray(arr)) return refused;
  const ids = arr.slice(0, 100).map((x) => (typeof x === "bigint" || (typeof x === "number" && Number.isSafeInteger(x)) ? int64Of(String(x)) : typeof x === "string" ? int64Of(x) : undefined));
  return ids.every((id) => id !== undefined) ? (ids as bigint[]) : refused;
}

/** The example's answer with its rows replaced by the selected page (and its paging fields set where it has them). */
function listAnswer(req: MockRequest, rows: ReadonlyArray<Row>): MockReply {
  const page = queryRows(req.op, rows, req.params);
  const field = paginationOf(req.op)?.itemsField;
  if (!field) return envelope(200, "success", page.rows);
  const data = { ...(exampleValue(req.op) as { data: Record<string, unknown> }).data, [field]: page.rows };
  if (page.page) {
    for (const [k, v] of [["total", page.page.total], ["pageIndex", page.page.index], ["pageSize", page.page.size]] as const) if (k in data) data[k] = v;
  }
  return envelope(200, "success", data);
}

/** A market name as XT lists them (`btc_usdt`). */
const MARKET = /^[A-Za-z0-9]{1,20}_[A-Za-z0-9]{1,20}$/;
/** Longest price or amount text kept (an order stores what it was sent). */
const MAX_DECIMAL_CHARS = 40;

/**
 * A price or amount as the server takes it: a finite decimal above 0 (text, or a JSON number
 * in a batch item), at most MAX_DECIMAL_CHARS characters; undefined for anything else (NaN,
 * "abc", -5, 1e999, 0x10, an object).
 */
function positiveDecimal(v: unknown): string | undefined {
  if (typeof v !== "string" && typeof v !== "number" && typeof v !== "bigint") return undefined;
  const t = typeof v === "string" ? v.trim() : String(v);
  if (t.length > MAX_DECIMAL_CHARS || !isDecimalText(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) && n > 0 ? t : undefined;
}

const PARAM_ERROR = () => envelope(102, "委托失败，参数错误");
/** The vendor's code for an order the available balance cannot pay for (what it would freeze). */
const NO_FUNDS = () => envelope(103, "委托失败，没有足够的资金");
/** The emulator's order table full of open orders (the vendor documents no limit: the "other error" code, saying why). */
const TABLE_FULL = () => envelope(404, `the emulator holds at most ${MAX_XT_ORDERS} orders and all are open: cancel some first`);

const order: Handler = (st, req) => {
  const { market = "", price = "", number = "", type = "", entrustType = "" } = req.params;
  // An order type (entrustType: 0 limit, 1 market) the server does not know: 101.
  if (/^\d+$/.test(entrustType) && !/^[01]$/.test(entrustType)) return envelope(101, "委托失败，未知的委托类型");
  if (!MARKET.test(market) || !price || !number || !/^[01]$/.test(type) || !/^[01]$/.test(entrustType)) return PARAM_ERROR();
  // A number that reads as a decimal at or below 0: 105 (below the minimum), as before.
  const amount = number.trim();
  if (amount.length <= MAX_DECIMAL_CHARS && isDecimalText(amount, "-") && Number(amount) <= 0) {
    return envelope(105, "委托失败，委托数量不能低于系统设置最小委托数量");
  }
  const p = positiveDecimal(price);
  const n = positiveDecimal(number);
  if (p === undefined || n === undefined) return PARAM_ERROR();
  // A BUY freezes price × number of the quote coin (a market BUY too: the price is required), a SELL number of the base coin.
  if (!st.hasOrderRoom()) return TABLE_FULL();
  if (!st.canFreeze([freezeOf(market, p, n, Number(type))])) return NO_FUNDS();
  const o = st.place(market, p, n, Number(type), Number(entrustType));
  return envelope(200, "An order has been placed successfully", { id: o.id });
};

const batchOrder: Handler = (st, req) => {
  let items: unknown;
  try {
    items = parseJson(Buffer.from(req.params.data ?? "", "base64").toString("utf8"), { decimals: "string" });
  } catch {
    return envelope(102, "委托失败，参数错误");
  }
  const market = req.params.market ?? "";
  if (!MARKET.test(market) || !Array.isArray(items) || items.length === 0) return PARAM_ERROR();
  // The server reads the first 100 items; one it cannot take refuses the batch (nothing placed).
  const valid = items.slice(0, 100).map((i: unknown) => {
    if (i === null || typeof i !== "object" || Array.isArray(i)) return undefined;
    const { price, amount, type } = i as Record<string, unknown>;
    const p = positiveDecimal(price);
    const a = positiveDecimal(amount);
    const t = type === 0 || type === 1 || type === "0" || type === "1" ? Number(type) : undefined;
    return p === undefined || a === undefined || t === undefined ? undefined : { p, a, t };
  });
  if (valid.some((v) => v === undefined)) return PARAM_ERROR();
  // One transaction (一次事务，要么都成功，要么都失败): the available balance pays for every item or nothing is placed.
  if (!st.hasOrderRoom(valid.length)) return TABLE_FULL();
  if (!st.canFreeze(valid.map((v) => freezeOf(market, v!.p, v!.a, v!.t)))) return NO_FUNDS();
  // Each order's amount and price are answered as the numbers it was sent, every digit kept
  // (written out: a JavaScript number would round 12345678901234567890123 or 0.1000000000000000000001).
  const placed = valid.map((v) => {
    const o = st.place(market, v!.p, v!.a, v!.t, 0);
    return `{"amount":${jsonNumberText(v!.a)},"price":${jsonNumberText(v!.p)},"id":${o.id},"type":${o.type}}`;
  });
  return { body: `{"code":200,"info":"An order has been placed successfully","data":[${placed.join(",")}]}` };
};

const cancel: Handler = (st, req) => {
  const o = st.find(req.params.market ?? "", req.params.id);
  if (!o) return envelope(121, "撤单失败，订单不存在或已取消");
  if (o.status === 2 || o.status === 3) return envelope(122, "撤单失败，订单已取消或已完成");
  st.cancel(o);
  return envelope(200, "The order has been canceled successfully");
};

const batchCancel: Handler = (st, req) => {
  const ids = idsOf(req);
  if (!Array.isArray(ids)) return ids;
  // An id of another market's order is not found in this one (121), as cancel answers it.
  const market = req.params.market ?? "";
  const data = ids.map((id) => {
    const o = st.findId(market, id);
    if (!o || o.status === 3 || o.status === 2) {
      return { msg: "Failed to cancel the order since it does not exist or has been canceled", code: 121, id };
    }
    st.cancel(o);
    return { msg: "The order has been canceled successfully", code: 120, id };
  });
  return envelope(200, "The order has been canceled successfully", data);
};

/** Longest coin name and address a withdrawal keeps (the spec gives no maxLength). */
const MAX_COIN_CHARS = 20;
const MAX_ADDRESS_CHARS = 200;

const withdraw: Handler = (st, req) => {
  const { coin = "", address = "" } = req.params;
  // The amount is checked as an order's is ("Infinity" and "0x10" were taken).
  const given = positiveDecimal(req.params.amount ?? "");
  const refused = !coin || !address || coin.length > MAX_COIN_CHARS || address.length > MAX_ADDRESS_CHARS || given === undefined;
  if (refused) return envelope(400, `coin (at most ${MAX_COIN_CHARS} characters), address (at most ${MAX_ADDRESS_CHARS}) and a positive amount are required`);
  // Answered and recorded as the number it was sent, every digit kept (as a JavaScript number,
  // 9007199254740993 was 9007199254740992 and 0.1000000000000000000001 was 0.1).
  const amount = new ExactDecimal(given);
  // Paid from the trading account's available amount (getBalance). The vendor's error table has no
  // withdrawal code: a withdrawal beyond it is its 404 (其他错误提示, the message in `info`).
  const coinKey = coin.toLowerCase();
  const paid = decOf(given);
  if (decBelow(st.available(coinKey), paid)) return envelope(404, "提现失败，没有足够的资金");
  st.debit(coinKey, paid);
  const now = st.now();
  const fee = 0.001;
  st.addPayout({ ...st.payouts[0], coin, address, amount, fee, creatTime: now, manageTime: now, status: 4, innerTransfer: Number(req.params.innerTransfer ?? 0) });
  const base = (exampleValue(req.op) as { data: Record<string, unknown> }).data;
  return envelope(200, "success", { ...base, amount, address, id: st.nextWithdrawId++, subTime: now });
};

const HANDLERS: XtHandlerTable = {
  getServerTime: (st) => envelope(200, "success", { serverTime: st.now() }),
  getBalance: (st) => envelope(200, "success", st.balanceView()),
  // Account 2 (交易账户) is the trading account getBalance shows; the others answer the vendor's example.
  getFunds: (st, req) => (req.params.account === "2" ? envelope(200, "success", st.balanceView()) : exampleReply(req.op)),
  order,
  batchOrder,
  getOrder: (st, req) => {
    const o = st.find(req.params.market ?? "", req.params.id);
    // The vendor's error table names no code for a query of an unknown order: 121 is the only
    // one that says the order does not exist (its text, 撤单失败…, is listed with the cancel
    // failures), and its kind (order-not-found) is what a service tests for. The query's
    // answer says what happened to a query, without the "cancel failed" of the table's text.
    return o ? envelope(200, "success", view(o)) : envelope(121, "订单不存在或已取消");
  },
  cancel,
  batchCancel,
  getOpenOrders: (st, req) => {
    const open = [...st.orders.values()].filter((o) => o.market === req.params.market && o.status <= 1);
    return envelope(200, "success", queryRows(req.op, open.map(view), req.params).rows);
  },
  getPayInRecord: (st, req) => listAnswer(req, st.deposits),
  getPayOutRecord: (st, req) => listAnswer(req, st.payouts),
  getPayOutAddress: (_st, req) => listAnswer(req, exampleItems(opById("getPayOutAddress"))),
  withdraw,
  getKLine: (st, req) => {
    const p = paginationOf(req.op)!;
    const cursor = p.cursorParam ?? "since";
    // The cursor is a long: echoed exactly (as a number it lost digits past 2^53); one no int64
    // holds is refused before any handler (the spec's format int64, src/mock/params.ts).
    const page = queryRows(req.op, st.klines(req.params.type ?? "1min"), req.params);
    return { body: { [p.itemsField ?? "datas"]: page.rows, [cursor]: int64Of(String(page.next ?? 0)) ?? 0 } };
  },
  getBatchOrders: (st, req) => {
    const ids = idsOf(req);
    if (!Array.isArray(ids)) return ids;
    // The orders of this market only (an id of another market's order is left out, as getOrder answers 121 for it).
    const market = req.params.market ?? "";
    return envelope(200, "success", ids.flatMap((id) => {
      const o = st.findId(market, id);
      return o ? [view(o)] : [];
    }));
  },
};

/** The emulator's handlers over one state. */
export function xtHandlers(st: XtState): Record<string, (req: MockRequest) => MockReply> {
  return bindHandlers(HANDLERS, st);
}
