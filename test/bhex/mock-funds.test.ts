/**
 * The BHEX emulator keeps each user's balances (account/balance): an order freezes what it
 * could spend and a cancel gives it back, an order beyond the free amount is refused (status 1:
 * the vendor's document names no code), and the order history holds the orders placed here.
 * Before, a BUY of 10,000,000 USDT against 0.044 USDT free was accepted, account/balance never
 * changed, and trade_orders / my_trades answered the vendor's example records.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ApiError, UsageError } from "../../src/handwritten/core/errors.js";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { BHEX_MOCK_ACCESS_KEY, BHEX_MOCK_SECRET_KEY, startBhexMock, type BhexMockOptions } from "../../src/mock/bhex.js";
import type { HttpMock } from "../../src/mock/http-mock.js";

let mock: HttpMock | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});
const USER = "83214971450163200";

async function started(opts: BhexMockOptions = {}) {
  mock = await startBhexMock(opts);
  const c = createBhexOrgClient({ accessKey: BHEX_MOCK_ACCESS_KEY, secretKey: BHEX_MOCK_SECRET_KEY, baseUrl: mock.url, rateLimit: false, retry: false, decimals: "string" });
  const balance = async (token: string, user = USER) => {
    const row = ((await c.call("accountBalance", { user_id: user })) ?? []).find((r) => r.tokenId === token);
    return row && { free: row.free, locked: row.locked, total: row.total };
  };
  const order = (side: "buy" | "sell", price: string, quantity: string, extra: Record<string, unknown> = {}) =>
    c.call("orderCreate", { user_id: USER, exchange_id: 301, symbol_id: "ATUSDT", type: "limit", side, price, quantity, ...extra } as never);
  return { c, balance, order };
}

describe("BHEX emulator: balances", () => {
  it("an order freezes price × quantity of the quote (a BUY) or the quantity of the base (a SELL), exactly; a cancel gives it back", async () => {
    const { c, balance, order } = await started();
    expect(await balance("USDT")).toEqual({ free: "1000000", locked: "0", total: "1000000" });
    const buy = (await order("buy", "0.1668", "10"))!;
    expect(await balance("USDT")).toEqual({ free: "999998.332", locked: "1.668", total: "1000000" });
    const sell = (await order("sell", "0.2", "5.5"))!;
    expect(await balance("AT")).toEqual({ free: "999994.5", locked: "5.5", total: "1000000" });
    await c.call("orderCancel", { user_id: USER, order_id: buy.orderId! });
    expect(await balance("USDT")).toEqual({ free: "1000000", locked: "0", total: "1000000" });
    await c.call("orderOrgBatchCancel", { symbol_id: "ATUSDT" });
    expect(await balance("AT")).toEqual({ free: "1000000", locked: "0", total: "1000000" });
    expect(sell.orderId).toBeDefined();
  });

  it("an order beyond the free amount is refused (status 1) and nothing is frozen; the same order sent again freezes once", async () => {
    const { balance, order } = await started({ balances: { USDT: "0.044193677307098366" } });
    expect(await balance("USDT")).toEqual({ free: "0.044193677307098366", locked: "0", total: "0.044193677307098366" });
    const refused = await order("buy", "1", "10000000").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ code: 1 });
    expect((refused as Error).message).toMatch(/insufficient balance: the order needs 10000000 USDT, user 83214971450163200 has 0\.044193677307098366 free/);
    await expect(order("sell", "1", "1")).rejects.toThrow(/needs 1 AT, .* has 0 free/);
    await order("buy", "0.004", "11", { client_order_id: "again" });
    await order("buy", "0.004", "11", { client_order_id: "again" });
    expect(await balance("USDT")).toEqual({ free: "0.000193677307098366", locked: "0.044", total: "0.044193677307098366" });
  });

  it("each user has balances of their own; an unknown user is 31009; token_ids selects tokens", async () => {
    const { c, balance, order } = await started();
    await order("buy", "1", "100");
    expect(await balance("USDT", "231215678785585152")).toEqual({ free: "1000000", locked: "0", total: "1000000" });
    await expect(c.call("accountBalance", { user_id: 1 })).rejects.toMatchObject({ code: 31009 });
    expect(((await c.call("accountBalance", { user_id: USER, token_ids: "USDT,BTC" })) ?? []).map((r) => r.tokenId)).toEqual(["BTC", "USDT"]);
  });

  it("the `balances` option is checked", async () => {
    await expect(startBhexMock({ balances: { USDT: "1e9" } })).rejects.toBeInstanceOf(UsageError);
    // Two cases of one token (BHEX's names are upper case): which amount was meant is not known.
    await expect(startBhexMock({ balances: { usdt: "1", USDT: "2" } })).rejects.toThrow("balances names USDT twice");
  });
});

describe("BHEX emulator: order history", () => {
  it("trade_orders lists the user's cancelled orders placed here; no order fills, so no trades", async () => {
    const { c, order } = await started();
    expect(await c.call("orderTradeOrders", { user_id: USER })).toEqual([]);
    const a = (await order("buy", "0.1", "1"))!;
    const b = (await order("buy", "0.1", "2"))!;
    await c.call("orderCancel", { user_id: USER, order_id: a.orderId! });
    const done = (await c.call("orderTradeOrders", { user_id: USER })) ?? [];
    expect(done.map((o) => [o.orderId, o.status])).toEqual([[a.orderId, "CANCELED"]]);
    expect((await c.call("orderOpenOrders", { user_id: USER }))?.map((o) => o.orderId)).toEqual([b.orderId]);
    expect(await c.call("orderTradeOrders", { user_id: "231215678785585152" })).toEqual([]);
    expect(await c.call("orderMyTrades", { user_id: USER })).toEqual([]);
    expect(await c.call("orderMatchInfo", { user_id: USER, order_id: a.orderId! })).toEqual([]);
  });
});

describe("BHEX emulator: sub-accounts", () => {
  it("open_orders and trade_orders of a sub-account (account_index other than 0) list none: orders are placed in the main account, as account/balance answers none", async () => {
    const { c, order } = await started();
    const a = (await order("buy", "0.1", "1"))!;
    await order("buy", "0.1", "2");
    await c.call("orderCancel", { user_id: USER, order_id: a.orderId! });
    expect(await c.call("orderOpenOrders", { user_id: USER, account_index: 1 } as never)).toEqual([]);
    expect(await c.call("orderTradeOrders", { user_id: USER, account_index: 1 } as never)).toEqual([]);
    expect(await c.call("accountBalance", { user_id: USER, account_index: 1 } as never)).toEqual([]);
    // The main account (0, the default) lists them.
    expect(((await c.call("orderOpenOrders", { user_id: USER, account_index: 0 } as never)) ?? []).length).toBe(1);
    expect(((await c.call("orderTradeOrders", { user_id: USER })) ?? []).map((o) => o.orderId)).toEqual([a.orderId]);
  });
});

describe("BHEX emulator: the order table", () => {
  it("makes room by forgetting finished orders, never an open one (forgotten, what it froze stayed frozen for good); full of open orders it has no room", async () => {
    const { BhexState, MAX_BHEX_ORDERS } = await import("../../src/mock/bhex/state.js");
    const { decOf, decText } = await import("../../src/mock/decimal-text.js");
    const st = new BhexState({ now: () => 0, users: new Set([USER]), pagedRecords: 0 });
    const terms = (i: number) => ({ userId: USER, clientOrderId: `c${i}`, symbolId: "ATUSDT", exchangeId: "301", price: "1", quantity: "1", type: "limit", side: "sell", frozenToken: "AT", frozen: decOf("1") });
    const open = [];
    for (let i = 0; i < MAX_BHEX_ORDERS; i++) {
      expect(st.hasOrderRoom()).toBe(true);
      expect(st.funds.freeze(USER, "AT", decOf("1"))).toBe(true);
      open.push(st.placeOrder(terms(i)));
    }
    expect(st.hasOrderRoom()).toBe(false);
    // One finished order makes room: it is the one forgotten, the open ones all stay.
    const done = open[5_000]!;
    done.status = "CANCELED";
    st.funds.release(USER, "AT", done.frozen);
    expect(st.hasOrderRoom()).toBe(true);
    expect(st.funds.freeze(USER, "AT", decOf("1"))).toBe(true);
    st.placeOrder(terms(MAX_BHEX_ORDERS));
    expect(st.findOrder({ user_id: USER, order_id: String(done.orderId) })).toBeUndefined();
    expect(st.findOrder({ user_id: USER, order_id: String(open[0]!.orderId) })).toBe(open[0]);
    // What is locked is what the open orders froze.
    const at = st.funds.view(USER, "AT")[0]!;
    expect(at.locked).toBe(decText(decOf(String(MAX_BHEX_ORDERS))));
    expect(st.hasOrderRoom()).toBe(false);
  });
});
