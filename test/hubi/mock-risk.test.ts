/**
 * The Hubi emulator's margin and risk rules: leverage re-prices resting orders' margin, a fill
 * never makes margin the cash does not cover, positions are liquidated at their liquidation
 * price (cash never below 0), one-way mode nets, prices far from the mark are refused, and stop
 * or trigger prices ≤ 0 are refused with the vendor table's codes.
 */
import { describe, expect, it, onTestFinished } from "vitest";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { HUBI_MOCK_ACCESS_KEY, HUBI_MOCK_ACCESS_TOKEN, HUBI_MOCK_SECRET_KEY, startHubiMock, type HubiMockOptions } from "../../src/mock/hubi.js";

async function emulator(opts: HubiMockOptions = {}) {
  const mock = await startHubiMock(opts);
  onTestFinished(() => mock.close());
  const c = createHubiClient({ accessKey: HUBI_MOCK_ACCESS_KEY, secretKey: HUBI_MOCK_SECRET_KEY, accessToken: HUBI_MOCK_ACCESS_TOKEN, baseUrl: mock.url, retry: false });
  const order = (params: Record<string, unknown>) =>
    c.call("enterOrder", { coin_code: "USDT", symbol: "BTCUSD", open_position: true, quantity: 1, trade_direction: "BUY", order_type: "LIMIT", ...params } as never);
  const account = async () => (await c.call("queryAccounts")).find((a) => a.currency === "USDT")!;
  const leverage = (n: number) => c.call("riskSetting", { coin_code: "USDT", symbol: "BTCUSD", leverage: n });
  return { mock, c, order, account, leverage };
}

describe("hubi emulator: leverage and margin", () => {
  it("a leverage change re-prices the margin resting orders freeze: 25036 when the cash cannot cover it", async () => {
    const { mock, c, order, account, leverage } = await emulator({ cash: { USDT: 1000 }, markPrice: 100 });
    await leverage(100);
    const id = (await order({ quantity: 900, price: 90 }))!;
    expect(await account()).toMatchObject({ cash: 1000, frozenCash: 810 });
    // At leverage 1 the order would freeze 81 000: refused, nothing changed.
    await expect(leverage(1)).rejects.toMatchObject({ code: 25036 });
    expect(await account()).toMatchObject({ frozenCash: 810 });
    // At leverage 90 it freezes 900: accepted and re-frozen.
    await leverage(90);
    expect(await account()).toMatchObject({ frozenCash: 900, cashAvailable: 100 });
    mock.setMarkPrice("BTCUSD", 90);
    expect(await c.call("queryOrderById", { order_no: id })).toMatchObject({ ordStatus: "FILLED", avgPx: 90 });
    expect((await c.call("queryPosition"))[0]).toMatchObject({ qty: 900, deposit: 900, positionLeverage: 90 });
    expect(await account()).toMatchObject({ cash: 1000, frozenCash: 0, cashAvailable: 100 });
  });

  it("a leverage that puts the mark past a position's liquidation price is refused (25036)", async () => {
    const { mock, order, leverage } = await emulator({ markPrice: 100 });
    await order({ quantity: 10, order_type: "MARKET" });
    mock.setMarkPrice("BTCUSD", 95);
    await expect(leverage(50)).rejects.toMatchObject({ code: 25036 }); // liquidation price 98
    await expect(leverage(20)).rejects.toMatchObject({ code: 25036 }); // 95: the mark is at it
    await expect(leverage(19)).resolves.toBeNull(); // 94.74
  });
});

describe("hubi emulator: liquidation", () => {
  it("a mark past a position's liquidation price closes it by a SysRisk order; the loss is its margin, cash never below 0", async () => {
    const { mock, c, order, account, leverage } = await emulator({ cash: { USDT: 2000 }, markPrice: 100 });
    await leverage(100);
    await order({ quantity: 1000, order_type: "MARKET" });
    const closing = (await order({ quantity: 400, price: 120, open_position: false, trade_direction: "SELL" }))!;
    expect((await c.call("queryPosition"))[0]).toMatchObject({ qty: 1000, deposit: 1000, liquidationPrice: 99 });
    mock.setMarkPrice("BTCUSD", 50);
    expect(await c.call("queryPosition")).toEqual([]);
    const orders = await c.call("queryOrdersPro", { timestamp: 0 });
    expect(orders.find((o) => o.source === "SysRisk")).toMatchObject({ side: "Sell", type: "Market", openPosition: false, ordStatus: "FILLED", qty: 1000, cumQty: 1000, avgPx: 99, pnl: -1000 });
    expect(orders.find((o) => o.id === closing)).toMatchObject({ ordStatus: "CANCELED" });
    expect(await account()).toMatchObject({ cash: 1000, frozenCash: 0, cashAvailable: 1000 });
  });

  it("a Short is liquidated when the mark rises to its liquidation price", async () => {
    const { mock, c, order, account } = await emulator({ cash: { USDT: 1000 }, markPrice: 100 });
    await order({ quantity: 50, order_type: "MARKET", trade_direction: "SELL" });
    mock.setMarkPrice("BTCUSD", 109);
    expect((await c.call("queryPosition"))[0]).toMatchObject({ side: "Short", liquidationPrice: 110 });
    mock.setMarkPrice("BTCUSD", 500);
    expect(await c.call("queryPosition")).toEqual([]);
    expect(await account()).toMatchObject({ cash: 500 });
  });
});

describe("hubi emulator: one-way position mode (two_side_position=false, the default)", () => {
  it("an opening order on the other side closes the position first, then opens the rest", async () => {
    const { c, order, account } = await emulator({ markPrice: 100, cash: { USDT: 1000 } });
    await order({ quantity: 5, order_type: "MARKET" });
    await order({ quantity: 3, order_type: "MARKET", trade_direction: "SELL" });
    expect((await c.call("queryPosition")).map((p) => [p.side, p.qty])).toEqual([["Long", 2]]);
    await order({ quantity: 6, order_type: "MARKET", trade_direction: "SELL" });
    expect((await c.call("queryPosition")).map((p) => [p.side, p.qty])).toEqual([["Short", 4]]);
    expect(await account()).toMatchObject({ cash: 1000, cashAvailable: 960 });
  });

  it("a resting order that finds no position to net opens only what the cash carries; the rest is cancelled", async () => {
    const { mock, c, order, account } = await emulator({ markPrice: 100, cash: { USDT: 52 } });
    await order({ quantity: 5, order_type: "MARKET" });
    // Closes the Long when it fills: no margin frozen.
    const sell = (await order({ quantity: 5, price: 105, trade_direction: "SELL" }))!;
    expect(await account()).toMatchObject({ frozenCash: 0, cashAvailable: 2 });
    await c.call("closePosition", { coin_code: "USDT", symbol: "BTCUSD", position_type: "Long" });
    mock.setMarkPrice("BTCUSD", 105);
    // 5 at 105 would take 52.5 of margin: 4 open (42), the 5th is cancelled.
    expect(await c.call("queryOrderById", { order_no: sell })).toMatchObject({ ordStatus: "CANCELED", cumQty: 4, avgPx: 105 });
    expect((await c.call("queryPosition")).map((p) => [p.side, p.qty, p.deposit])).toEqual([["Short", 4, 42]]);
    expect(await account()).toMatchObject({ cash: 52, cashAvailable: 10 });
  });

  it("in two-sided mode Long and Short are held side by side", async () => {
    const { c, order } = await emulator({ markPrice: 100 });
    await c.call("changePositionLeverage", { coin_code: "USDT", two_side_position: true });
    await order({ quantity: 5, order_type: "MARKET" });
    await order({ quantity: 3, order_type: "MARKET", trade_direction: "SELL" });
    expect((await c.call("queryPosition")).map((p) => [p.side, p.qty]).sort()).toEqual([["Long", 5], ["Short", 3]]);
  });
});

describe("hubi emulator: prices and quantities refused", () => {
  it("a limit price further from the mark than maxPriceDeviation (default 0.5) is 25051", async () => {
    const { c, order } = await emulator();
    await expect(order({ price: 1e9 })).rejects.toMatchObject({ code: 25051 });
    await expect(order({ price: 0.0001, trade_direction: "SELL" })).rejects.toMatchObject({ code: 25051 });
    await expect(order({ price: 15_001 })).rejects.toMatchObject({ code: 25051 });
    const id = (await order({ price: 5_000 }))!;
    await expect(c.call("amendOrder", { order_no: id, price: 4_999 })).rejects.toMatchObject({ code: 25051, httpStatus: 500 });
    await expect(order({ price: 15_000, trade_direction: "SELL" })).resolves.toMatch(/^O101-/);
    const tight = await emulator({ maxPriceDeviation: 0.1 });
    await expect(tight.order({ price: 11_001 })).rejects.toMatchObject({ code: 25051 });
    await expect(tight.order({ price: 11_000 })).resolves.toMatch(/^O101-/);
  });

  it("stop loss, stop win, trailing stop and trigger prices ≤ 0 are 25032, 25033, 25032, 25027", async () => {
    const { c, order } = await emulator();
    await expect(order({ price: 9000, stop_loss_price: -5 })).rejects.toMatchObject({ code: 25032 });
    await expect(order({ price: 9000, stop_loss_price: 0 })).rejects.toMatchObject({ code: 25032 });
    await expect(order({ price: 11000, trade_direction: "SELL", stop_win_price: -5 })).rejects.toMatchObject({ code: 25033 });
    await expect(order({ price: 9000, trailing_stop: -100 })).rejects.toMatchObject({ code: 25032 });
    await expect(order({ price: 9000, trigger_price: -1 })).rejects.toMatchObject({ code: 25027 });
    const id = (await order({ price: 9000, stop_loss_price: 8000 }))!;
    await expect(c.call("amendOrder", { order_no: id, stop_loss_price: -1 })).rejects.toMatchObject({ code: 25032 });
    await expect(c.call("amendOrder", { order_no: id, stop_win_price: -1 })).rejects.toMatchObject({ code: 25033 });
    // 0 in an amend removes the stop.
    await expect(c.call("amendOrder", { order_no: id, stop_loss_price: 0 })).resolves.toBeNull();
    expect(await c.call("queryOrderById", { order_no: id })).toMatchObject({ stopLossPrice: 0 });
  });

  it("quantity 0 or below is 25011 (too small; 25009 stays for a number that is no whole count)", async () => {
    const { order } = await emulator();
    await expect(order({ price: 9000, quantity: 0 })).rejects.toMatchObject({ code: 25011 });
    await expect(order({ price: 9000, quantity: -3 })).rejects.toMatchObject({ code: 25011 });
  });
});

describe("hubi emulator: partial fills (bookDepth)", () => {
  it("an order takes at most bookDepth contracts each time it matches: a LIMIT order's rest stays PARTIALLY_FILLED, a MARKET order's is cancelled", async () => {
    const { mock, c, order, account } = await emulator({ bookDepth: 3, markPrice: 100, cash: { USDT: 1000 } });
    const id = (await order({ quantity: 8, price: 101 }))!;
    expect(await c.call("queryOrderById", { order_no: id })).toMatchObject({ ordStatus: "PARTIALLY_FILLED", cumQty: 3, avgPx: 100 });
    expect((await c.call("queryActiveOrders")).map((o) => o.id)).toEqual([id]);
    // the rest (5) keeps its margin frozen at the mark it fills at: 50; the 3 held take 30
    expect(await account()).toMatchObject({ frozenCash: 50, cashAvailable: 920 });
    mock.setMarkPrice("BTCUSD", 100.5);
    expect(await c.call("queryOrderById", { order_no: id })).toMatchObject({ ordStatus: "PARTIALLY_FILLED", cumQty: 6 });
    mock.setMarkPrice("BTCUSD", 100);
    expect(await c.call("queryOrderById", { order_no: id })).toMatchObject({ ordStatus: "FILLED", cumQty: 8 });
    expect((await c.call("queryPosition"))[0]).toMatchObject({ side: "Long", qty: 8 });
    expect(await account()).toMatchObject({ frozenCash: 0 });

    const m = (await order({ quantity: 5, order_type: "MARKET" }))!;
    expect(await c.call("queryOrderById", { order_no: m })).toMatchObject({ ordStatus: "CANCELED", cumQty: 3 });
    expect((await c.call("queryPosition"))[0]).toMatchObject({ qty: 11 });
  });
});

describe("hubi emulator: numbers as the client writes them", () => {
  it("a price the client writes in plain digits (1e-40: 42 characters) is a number, not 25010", async () => {
    const { order } = await emulator({ maxPriceDeviation: 1 });
    expect(await order({ price: 1e-40 })).toBeDefined();
    expect(await order({ price: "0.00000000000000000000000000000000000000000000000000001" })).toBeDefined();
  });
});

describe("hubi emulator: a fill never takes more margin than the cash", () => {
  it("cash that carries 1.9999995 contracts opens 1, not 2 (the rounding that forgives a double's error took 0.00045 beyond the cash)", async () => {
    const { HubiExchange } = await import("../../src/mock/hubi/engine.js");
    type Order = Parameters<InstanceType<typeof HubiExchange>["addOrder"]>[0];
    const ex = new HubiExchange({ now: () => 1_700_000_000_000, markPrice: 10_000, cash: { USDT: 2299.99955 } });
    const mk = (side: "Buy" | "Sell", type: "Limit" | "Market", price: number, qty: number): Order => ({
      id: ex.nextOrderId(1), currency: "USDT", symbol: "BTC", createdMs: 1, modifiedMs: 1, side, type, price, qty, openPosition: true, cumQty: 0, avgPx: 0,
      ordStatus: "NEW", source: "Normal", stopLossPrice: 0, stopWinPrice: 0, stopWinType: "Limit", trailingStop: 0, triggerPrice: 0, triggerType: "LAST", pnl: 0, frozen: 0,
    }) as Order;
    const enter = (o: Order) => (ex.freeze(o, ex.marginPrice(o)), ex.addOrder(o), ex.match(o, 1), o);
    ex.setMarkPrice("BTC", 9000);
    enter(mk("Sell", "Market", 0, 1)); // short 1 at 9000
    ex.setMarkPrice("BTC", 9500);
    const buy = enter(mk("Buy", "Limit", 9000, 2)); // one-way: 1 would close the short, 1 opens
    ex.closeOut([...ex.positions.values()][0]!, 9500, "Normal", 1); // the short closed first, at a loss
    ex.setMarkPrice("BTC", 9000); // the buy now opens all it fills
    expect(ex.available("USDT")).toBeGreaterThanOrEqual(0);
    expect([...ex.positions.values()].map((p) => [p.side, p.qty])).toEqual([["Long", 1]]);
    expect(buy.cumQty).toBe(1);
  });
});
