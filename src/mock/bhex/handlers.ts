/**
 * The BHEX emulator's operations over a BhexState: orders, batch tasks and their results,
 * KYC updates, the paged data sets, download_data (.xlsx), and every other paged list
 * answering its example's records as the request selects them. A handler that throws answers
 * HTTP 500.
 */
import { meta } from "../../../generated/bhex-org.docs.js";
import { decodeBatchItems, type BhexBatchOperationId } from "../../handwritten/bhex/items.js";
import type { BhexOperationId } from "../../handwritten/bhex/client.js";
import { bindHandlers, type StateHandler } from "../bind-handlers.js";
import type { MockReply, MockRequest } from "../http-mock.js";
import { queryRows } from "../query-rows.js";
import { buildXlsx } from "../xlsx.js";
import { DECIMAL, failed, internalError, missing, ok, toBig, unknownUser } from "./replies.js";
import { BATCH_KINDS, ITEM_OK, ITEM_USER_ERROR, MAX_BHEX_ORDERS, positiveAmount, userKey, type BhexState, type MockOrder } from "./state.js";
import { orderFreeze, tokensOf } from "./funds.js";
import { decText } from "../decimal-text.js";

type Handler = StateHandler<BhexState>;

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** First day each history file type exists (statistics/download_data, vendor doc). */
function downloadStart(type: string): string {
  if (type.startsWith("user_")) return "2019-07-14";
  if (type === "balance_flow" || type === "contract_position") return "2019-10-31";
  if (type === "lock_position") return "2019-11-14";
  return "2019-06-24";
}

function orderView(o: MockOrder) {
  return {
    time: String(o.time),
    orderId: String(o.orderId),
    accountId: "97298430070624256",
    clientOrderId: o.clientOrderId,
    symbolId: o.symbolId,
    symbolName: o.symbolId,
    baseTokenId: tokensOf(o.symbolId)[0],
    baseTokenName: tokensOf(o.symbolId)[0],
    quoteTokenId: tokensOf(o.symbolId)[1],
    quoteTokenName: tokensOf(o.symbolId)[1],
    price: o.price,
    origQty: o.quantity,
    executedQty: "0",
    executedAmount: "0",
    avgPrice: "0",
    type: o.type.toUpperCase(),
    side: o.side.toUpperCase(),
    fees: [],
    status: o.status,
    exchangeId: o.exchangeId,
  };
}

// ---- orders ----

/** Longest id, symbol or decimal text an order takes. */
const MAX_ORDER_FIELD_CHARS = 64;

const orderCreate: Handler = (st, req) => {
  // (required parameters and the type and side enums: the spec's, checked before any handler by paramRefusal)
  const p = req.params;
  // What an order keeps is short text: ids, a symbol, decimals (a 1 MiB price was kept as sent).
  const long = ["user_id", "exchange_id", "symbol_id", "client_order_id", "quantity", "price"].filter((n) => (p[n]?.length ?? 0) > MAX_ORDER_FIELD_CHARS);
  if (long.length) return failed(`parameter ${long.join(", ")} longer than ${MAX_ORDER_FIELD_CHARS} characters`);
  // A user the emulator does not know: 31009, as a batch item naming one gets.
  if (!st.users.has(userKey(p.user_id))) return unknownUser();
  if (!DECIMAL.test(p.quantity!) || Number(p.quantity) <= 0) return failed("quantity must be a positive decimal");
  if (p.type !== "market" && !p.price) return failed("price is required for limit orders");
  if (p.type !== "market" && (!DECIMAL.test(p.price!) || Number(p.price) <= 0)) return failed("price must be a positive decimal");
  const terms = {
    userId: userKey(p.user_id),
    clientOrderId: p.client_order_id!,
    symbolId: p.symbol_id!,
    exchangeId: p.exchange_id!,
    price: p.type === "market" ? "0" : p.price!,
    quantity: p.quantity!,
    type: p.type!,
    side: p.side!,
  };
  // client_order_id must not repeat (客户端生成的id,不能重复): the same request again (a retry
  // whose answer was lost) gets its order; another order under the same id is refused (it was
  // answered with the first order, as if placed).
  const existing = st.byClientOrderId(terms.userId, terms.clientOrderId);
  if (existing) {
    const same = (Object.keys(terms) as Array<keyof typeof terms>).every((k) => existing[k] === terms[k]);
    return same ? ok(orderView(existing)) : failed(`client_order_id ${JSON.stringify(terms.clientOrderId)} was already used for another order (it must not repeat)`);
  }
  // Beyond the free amount: refused. The vendor's document has no error code for it (its
  // error-code section is empty), so the answer is the emulator's own failed status 1.
  const [frozenToken, frozen] = orderFreeze(terms);
  if (!st.hasOrderRoom()) return failed(`the emulator holds at most ${MAX_BHEX_ORDERS} open orders: cancel some first`);
  if (!st.funds.canHold(terms.userId, frozenToken)) return failed(`user ${terms.userId} holds too many tokens for the emulator`);
  if (!st.funds.freeze(terms.userId, frozenToken, frozen)) {
    return failed(`insufficient balance: the order needs ${decText(frozen)} ${frozenToken}, user ${terms.userId} has ${decText(st.funds.free(terms.userId, frozenToken))} free`);
  }
  return ok(orderView(st.placeOrder({ ...terms, frozenToken, frozen })));
};

/** Cancels an open order: what it froze is free again. */
function cancelled(st: BhexState, o: MockOrder): void {
  o.status = "CANCELED";
  st.funds.release(o.userId, o.frozenToken, o.frozen);
}

const orderGet: Handler = (st, req) => {
  if (missing(req.params, ["order_id"]).length && missing(req.params, ["client_order_id"]).length) return failed("order_id or client_order_id is required");
  const o = st.findOrder(req.params);
  return o ? ok(orderView(o)) : failed("order not found");
};

const orderCancel: Handler = (st, req) => {
  const o = st.findOrder(req.params);
  if (!o) return failed("order not found");
  if (o.status !== "NEW") return failed(`order is ${o.status}, cannot cancel`);
  cancelled(st, o);
  return ok({ success: true });
};

const orderOrgBatchCancel: Handler = (st, req) => {
  for (const o of st.orders.values()) if (o.symbolId === req.params.symbol_id && o.status === "NEW") cancelled(st, o);
  return ok({ success: true });
};

// The user's open orders placed here, none for a user without any: the vendor's example records
// are no orders of the emulator's (order/get and order/cancel could not find them).
// Orders are placed in the main account (order/create takes no account_index): a sub-account
// (account_index other than 0, "支持子账户查询") has none, as account/balance answers none.
const inSubAccount = (req: { params: Record<string, string | undefined> }): boolean => (req.params.account_index ?? "0") !== "0";

const orderOpenOrders: Handler = (st, req) => {
  if (inSubAccount(req)) return ok([]);
  const user = userKey(req.params.user_id);
  const open = [...st.orders.values()].filter((o) => o.userId === user && o.status === "NEW").sort((a, b) => (a.orderId < b.orderId ? 1 : -1));
  return ok(queryRows(req.op, open.map(orderView), req.params).rows);
};

// The user's orders placed here that are no longer open (cancelled: nothing fills), newest first.
const orderTradeOrders: Handler = (st, req) => {
  if (inSubAccount(req)) return ok([]);
  const user = userKey(req.params.user_id);
  const done = [...st.orders.values()].filter((o) => o.userId === user && o.status !== "NEW").sort((a, b) => (a.orderId < b.orderId ? 1 : -1));
  return ok(queryRows(req.op, done.map(orderView), req.params).rows);
};

/** account/balance of a known user's main account (sub-accounts are not modelled: none is held). */
const accountBalance: Handler = (st, req) => {
  const user = userKey(req.params.user_id);
  if (!st.users.has(user)) return unknownUser();
  const main = (req.params.account_type ?? "1") === "1" && (req.params.account_index ?? "0") === "0";
  return ok(main ? st.funds.view(user, req.params.token_ids) : []);
};

// ---- finance lock / unlock ----

/**
 * finance/lock and finance/unlock over the locked amounts (per user and token; batch_lock_position
 * and batch_unlock_position move them too): an unknown user is 31009, an amount that is not a
 * positive decimal is refused (a batch item's status 5), an unlock beyond what is locked is
 * refused. client_order_id is unique (客户端生成，唯一): the same request again (a retry whose
 * answer was lost) answers success without locking twice; other terms under it are refused.
 */
const lockOrUnlock =
  (opId: "financeLock" | "financeUnlock"): Handler =>
  (st, req) => {
    const p = req.params;
    const long = ["client_order_id", "user_id", "token_id", "amount"].filter((n) => (p[n]?.length ?? 0) > MAX_ORDER_FIELD_CHARS);
    if (long.length) return failed(`parameter ${long.join(", ")} longer than ${MAX_ORDER_FIELD_CHARS} characters`);
    const [user, token] = [userKey(p.user_id), p.token_id!];
    const terms = JSON.stringify([user, token, p.amount]);
    const key = `${opId}:${p.client_order_id}`;
    const earlier = st.lockCalls.get(key);
    if (earlier !== undefined) {
      return earlier === terms ? ok({ success: true }) : failed(`client_order_id ${JSON.stringify(p.client_order_id)} was already used for another ${opId === "financeLock" ? "lock" : "unlock"} (it must be unique)`);
    }
    if (!st.users.has(user)) return unknownUser();
    const amount = positiveAmount(p.amount);
    if (amount === undefined) return failed("amount must be a positive decimal");
    if (opId === "financeLock") {
      if (!st.lock(user, token, amount)) return failed("too many locked amounts held by the emulator");
      st.recordLock({ user_id: user, token_id: token, amount: p.amount, desc: p.desc ?? "" }, toBig(p.client_order_id));
    }
    if (opId === "financeUnlock" && !st.unlock(user, token, amount)) {
      return failed(`unlock amount ${p.amount} is more than the ${st.lockedText(user, token)} ${token} locked for user ${user}`);
    }
    st.rememberLockCall(key, terms);
    return ok({ success: true });
  };

// ---- batch tasks ----

const createTask =
  (opId: string): Handler =>
  (st, req) => {
    const p = req.params;
    // A task keeps its client_order_id (and a lock record reads it as a number).
    if (p.client_order_id!.length > MAX_ORDER_FIELD_CHARS) return failed(`parameter client_order_id longer than ${MAX_ORDER_FIELD_CHARS} characters`);
    let task = st.findTask(opId, p.client_order_id!);
    if (!task) {
      let rows: Array<Record<string, unknown>>;
      try {
        rows = decodeBatchItems(opId as BhexBatchOperationId, p.items!, p.data_type as "simple" | "json") as unknown as Array<Record<string, unknown>>;
      } catch (e) {
        return failed(e instanceof Error ? e.message : String(e));
      }
      task = st.createTask(opId, p, rows);
    }
    return ok({ id: task.id, clientOrderId: task.clientOrderId, desc: task.desc, status: task.polled ? 1 : 0 });
  };

const taskResult =
  (opId: string): Handler =>
  (st, req) => {
    const kind = BATCH_KINDS[opId]!;
    const task = st.findTask(opId, req.params.client_order_id ?? "");
    if (!task) return failed(`no ${opId} task with client_order_id ${JSON.stringify(req.params.client_order_id ?? "")}`);
    task.polled = true;
    return ok({
      [kind.taskKey]: { id: task.id, clientOrderId: task.clientOrderId, desc: task.desc, status: 1 },
      items: task.rows.map((r) => ({ ...kind.view(r.cells), status: r.status })),
    });
  };

const userBatchUpdateUserKycInfo: Handler = (st, req) => {
  const p = req.params;
  let rows: Array<Record<string, unknown>>;
  try {
    rows = decodeBatchItems("userBatchUpdateUserKycInfo", p.items!, p.data_type as "json") as unknown as Array<Record<string, unknown>>;
  } catch (e) {
    return failed(e instanceof Error ? e.message : String(e));
  }
  return ok({
    results: rows.map((r) => {
      const known = st.users.has(userKey(String(r.user_id)));
      return { userId: String(r.user_id), resultCode: known ? ITEM_OK : ITEM_USER_ERROR, resultMessage: known ? "Success" : "用户信息错误" };
    }),
  });
};

// ---- download_data ----

const notFound = (): MockReply => ({ status: 404, body: "Not Found", contentType: "text/plain" });

const statisticsDownloadData =
  (downloadForbidden: boolean): Handler =>
  (st, req) => {
    const { type = "", date = "" } = req.params;
    const types = (req.op.params.find((p) => p.name === "type")?.schema.enum ?? []).map(String);
    if (!types.includes(type)) return notFound();
    // A day that exists: 2020-13-45 and 2021-02-31 are no file.
    const day = Date.parse(`${date}T00:00:00Z`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(day) || new Date(day).toISOString().slice(0, 10) !== date) return notFound();
    if (downloadForbidden) return { status: 403, body: "Forbidden", contentType: "text/plain" };
    const today = new Date(st.now()).toISOString().slice(0, 10);
    if (date < downloadStart(type) || date >= today) return notFound();
    const rows = [
      ["date", "type", "userId", "accountId", "tokenId", "amount"],
      [date, type, "217235926081077248", "231215678938542080", "USDT", "2000.00000001"],
      [date, type, "83214971450163200", "97298430070624256", "BTC", "0.5"],
    ];
    return {
      body: buildXlsx(rows, `${type} ${date}`),
      contentType: XLSX,
      headers: { "content-disposition": `attachment; filename="${type}_${date}.xlsx"` },
    };
  };

/** Handlers by operationId: only operations the spec has (a dropped one is a compile error). */
export type BhexHandlerTable = Partial<Record<BhexOperationId, Handler>>;

function stateHandlers(downloadForbidden: boolean): BhexHandlerTable {
  const handlers: BhexHandlerTable = {
    basicTime: (st) => ok({ time: String(st.now()) }),
    orderCreate,
    orderGet,
    orderCancel,
    orderOrgBatchCancel,
    orderOpenOrders,
    orderTradeOrders,
    // No order fills (there is no matching engine): no trades, for any order or user.
    orderMatchInfo: (_st, req) => ok(queryRows(req.op, [], req.params).rows),
    orderMyTrades: (_st, req) => ok(queryRows(req.op, [], req.params).rows),
    accountBalance,
    financeLock: lockOrUnlock("financeLock"),
    financeUnlock: lockOrUnlock("financeUnlock"),
    userBatchUpdateUserKycInfo,
    accountBalanceFlow: (st, req) => ok(queryRows(req.op, st.balanceFlow, req.params).rows),
    statisticsLockRecord: (st, req) => ok(queryRows(req.op, st.lockRecords(req.params.user_id), req.params).rows),
    statisticsDownloadData: statisticsDownloadData(downloadForbidden),
  };
  for (const [opId, kind] of Object.entries(BATCH_KINDS)) {
    handlers[opId as BhexOperationId] = createTask(opId);
    handlers[kind.result] = taskResult(opId);
  }
  return handlers;
}

/** The emulator's handlers over one state; a throwing handler is logged and answers 500. */
export function bhexHandlers(
  st: BhexState,
  opts: { downloadForbidden?: boolean; log?: (line: string) => void },
): Record<string, (req: MockRequest) => MockReply> {
  // Paged lists without state answer their example's records as the request selects them
  // (http-mock's listReply).
  return bindHandlers(stateHandlers(opts.downloadForbidden ?? false), st, (id, e) => {
    opts.log?.(`handler ${id} failed: ${e instanceof Error ? e.message : String(e)}`);
    return internalError();
  });
}
