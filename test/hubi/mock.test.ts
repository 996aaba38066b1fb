import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { signHubiRequest } from "../../src/auth/hubi.js";
import {
  ApiError,
  AuthError,
  InsufficientFundsError,
  InvalidRequestError,
  OrderNotFoundError,
  TimestampError,
} from "../../src/handwritten/core/errors.js";
import { createHubiClient, type HubiClient } from "../../src/handwritten/hubi/client.js";
import {
  HUBI_MOCK_ACCESS_KEY as AK,
  HUBI_MOCK_ACCESS_TOKEN as TOKEN,
  HUBI_MOCK_SECRET_KEY as SK,
  parseHubiTimestamp,
  startHubiMock,
  type HubiMock,
} from "../../src/mock/hubi.js";

let mock: HubiMock;
let seq = 1;

beforeAll(async () => {
  mock = await startHubiMock({ port: 0 });
});
afterAll(async () => {
  await mock.close();
});

const newClient = (extra: Parameters<typeof createHubiClient>[0] = {}): HubiClient =>
  createHubiClient({ accessKey: AK, secretKey: SK, accessToken: TOKEN, baseUrl: mock.url, retry: false, ...extra });

/** A correctly signed raw request (form POST to cancel_order), to be spoiled one header at a time. */
function signedCancel(orderNo = "O-none") {
  const params: Array<[string, string]> = [["order_no", orderNo]];
  const headers: Record<string, string> = {
    ...signHubiRequest({
      accessKey: AK,
      secretKey: SK,
      accessToken: TOKEN,
      path: "/api/futures/cancel_order",
      params,
      timestamp: new Date().toISOString(),
      seqNum: seq++,
    }),
    "content-type": "application/x-www-form-urlencoded; charset=utf-8",
  };
  return { headers, body: new URLSearchParams(params).toString() };
}

async function send(headers: Record<string, string>, body: string) {
  const res = await fetch(`${mock.url}/api/futures/cancel_order`, { method: "POST", headers, body });
  return { status: res.status, body: (await res.json()) as { status: number; message?: string } };
}

describe("emulator: header and signature checks", () => {
  const drop = (name: string) => (h: Record<string, string>) => {
    delete h[name];
  };
  const set = (name: string, value: string) => (h: Record<string, string>) => {
    h[name] = value;
  };
  it.each([
    ["no X-API-Version", drop("X-API-Version"), "ILLEGAL_VERSION"],
    ["X-API-Version 2.0.0", set("X-API-Version", "2.0.0"), "ILLEGAL_VERSION"],
    ["no X-API-Key", drop("X-API-Key"), "ILLEGAL_ACCESS_KEY"],
    ["another X-API-Key", set("X-API-Key", "someone-else"), "ILLEGAL_ACCESS_KEY"],
    ["no Authorization", drop("Authorization"), "ILLEGAL_ACCESS_KEY"],
    ["another access token", set("Authorization", "Bearer not-the-token"), "ILLEGAL_ACCESS_KEY"],
    ["X-API-Signature-Method HmacMD5", set("X-API-Signature-Method", "HmacMD5"), "ILLEGAL_SIGN_TYPE"],
    ["charset latin1", set("content-type", "application/x-www-form-urlencoded; charset=ISO-8859-1"), "ILLEGAL_CHARSET"],
    ["no X-API-Timestamp", drop("X-API-Timestamp"), "ILLEGAL_TIMESTAMP"],
    ["a timestamp that is not ISO 8601", set("X-API-Timestamp", "1714564800000"), "ILLEGAL_TIMESTAMP"],
    ["a timestamp an hour old", set("X-API-Timestamp", new Date(Date.now() - 3_600_000).toISOString()), "ILLEGAL_TIMESTAMP"],
    ["no X-API-Nonce", drop("X-API-Nonce"), "ILLEGAL_NONCE"],
    ["a nonce that is not md5 hex", set("X-API-Nonce", "not-a-nonce"), "ILLEGAL_NONCE"],
    ["no X-API-Signature-Params", drop("X-API-Signature-Params"), "ILLEGAL_SIGN"],
    ["Signature-Params missing a sent param", set("X-API-Signature-Params", ""), "ILLEGAL_SIGN"],
    ["Signature-Params naming an unsent param", set("X-API-Signature-Params", "order_no,symbol"), "ILLEGAL_SIGN"],
    ["no X-API-Signature", drop("X-API-Signature"), "ILLEGAL_SIGN"],
    ["a wrong signature", set("X-API-Signature", "0".repeat(64)), "ILLEGAL_SIGN"],
  ])("%s → %s", async (_given, spoil, message) => {
    const { headers, body } = signedCancel();
    spoil(headers);
    const res = await send(headers, body);
    expect(res.body).toEqual({ status: -1, message });
    expect(res.status).toBe(message === "ILLEGAL_CHARSET" ? 400 : 401);
  });

  it("a parameter changed after signing → ILLEGAL_SIGN", async () => {
    const { headers } = signedCancel("O-a");
    expect((await send(headers, "order_no=O-b")).body.message).toBe("ILLEGAL_SIGN");
  });

  it("a correctly signed request passes authentication (and reaches the handler: 25005)", async () => {
    const { headers, body } = signedCancel();
    const res = await send(headers, body);
    expect(res).toEqual({ status: 200, body: { status: -1, message: "25005 订单未发现" } });
  });

  it("a replayed request (same nonce) → ILLEGAL_NONCE", async () => {
    const { headers, body } = signedCancel();
    expect((await send(headers, body)).body.message).toBe("25005 订单未发现");
    expect((await send(headers, body)).body.message).toBe("ILLEGAL_NONCE");
  });

  it("signature params listed in another order than sent are verified in the listed order", async () => {
    const params: Array<[string, string]> = [
      ["coin_code", "USDT"],
      ["symbol", "BTCUSD"],
      ["leverage", "10"],
    ];
    const listed = [params[2]!, params[0]!, params[1]!];
    const headers = signHubiRequest({ accessKey: AK, secretKey: SK, accessToken: TOKEN, path: "/api/futures/risk_setting", params: listed, timestamp: new Date().toISOString(), seqNum: seq++ });
    const res = await fetch(`${mock.url}/api/futures/risk_setting`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(params).toString(),
    });
    expect(await res.json()).toEqual({ status: 0, result: null });
  });

  it("accepts the vendor example's timestamp form (no zone: UTC) and URL-encoded signing", async () => {
    const ts = new Date().toISOString().replace("Z", "");
    expect(parseHubiTimestamp(ts)).toBe(Date.parse(`${ts}Z`));
    const params: Array<[string, string]> = [["symbol", "BTC USD"]];
    const headers = signHubiRequest({ accessKey: AK, secretKey: SK, accessToken: TOKEN, path: "/api/futures/query_active_orders", params, timestamp: ts, seqNum: seq++, valueEncoding: "url-encoded" });
    const res = await fetch(`${mock.url}/api/futures/query_active_orders?symbol=BTC%20USD`, { headers: { ...headers } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([]);
  });

  it("a client whose clock is off by more than maxClockSkewMs gets a TimestampError", async () => {
    const late = newClient({ now: () => Date.now() - 60_000 });
    const e = await late.call("queryAccounts").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TimestampError);
    expect((e as Error).message).toContain("hubi queryAccounts: code ILLEGAL_TIMESTAMP");
    await expect(newClient({ now: () => Date.now() - 10_000 }).call("queryAccounts")).resolves.toBeInstanceOf(Array);
  });

  it("two clients of one key signing in the same millisecond never repeat a nonce (no ILLEGAL_NONCE)", async () => {
    // Both clients are made while the clock stands still and sign with the same timestamp: a
    // seqNum per client started from Date.now() made the same nonce, and the server refuses it.
    const at = Date.now();
    const still = vi.spyOn(Date, "now").mockReturnValue(at);
    try {
      const [a, b] = [newClient({ now: () => at }), newClient({ now: () => at })];
      await expect(a.call("queryPosition")).resolves.toBeDefined();
      await expect(b.call("queryPosition")).resolves.toBeDefined();
    } finally {
      still.mockRestore();
    }
  });

  it("wrong credentials through the client are AuthErrors", async () => {
    await expect(newClient({ secretKey: "wrong-secret" }).call("queryPosition")).rejects.toBeInstanceOf(AuthError);
    await expect(newClient({ accessToken: "wrong-token" }).call("queryPosition")).rejects.toThrow(/code ILLEGAL_ACCESS_KEY/);
  });
});

describe("emulator: orders", () => {
  const c = () => newClient();
  const limit = (price: number, quantity = 1, extra: Record<string, unknown> = {}) =>
    c().call("enterOrder", { coin_code: "USDT", symbol: "ETHUSD", open_position: true, quantity, price, trade_direction: "BUY", order_type: "LIMIT", ...extra });

  it("enter → query → amend → cancel", async () => {
    const id = (await limit(9000, 2))!;
    expect(id).toMatch(/^O101-\d{8}-\d{6}-\d{3}-\d+$/);
    const order = await c().call("queryOrderById", { order_no: id });
    expect(order).toMatchObject({ id, ordStatus: "NEW", side: "Buy", type: "Limit", price: 9000, qty: 2, openPosition: true, symbol: "ETHUSD" });
    expect((await c().call("queryActiveOrders", { symbol: "ETHUSD" })).map((o) => o.id)).toContain(id);

    await expect(c().call("amendOrder", { order_no: id, price: 9100, quantity: 1 })).resolves.toBeNull();
    expect(await c().call("queryOrderById", { order_no: id })).toMatchObject({ price: 9100, qty: 1, ordStatus: "NEW" });

    await expect(c().call("cancelOrder", { order_no: id })).resolves.toBeNull();
    expect(await c().call("queryOrderById", { order_no: id })).toMatchObject({ ordStatus: "CANCELED" });
    expect((await c().call("queryActiveOrders", { symbol: "ETHUSD" })).map((o) => o.id)).not.toContain(id);

    const again = await c().call("cancelOrder", { order_no: id }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ApiError);
    expect((again as ApiError).code).toBe(25006);
  });

  it("an order answers its prices with every digit they were sent (a double rounded 8000.0000000000000000001 to 8000)", async () => {
    // (an emulator of its own: the other tests' exact clients would meet these orders in queryOrdersPro)
    const own = await startHubiMock();
    const exact = createHubiClient({ accessKey: AK, secretKey: SK, accessToken: TOKEN, baseUrl: own.url, retry: false, decimals: "string" });
    try {
      const price = "8000.0000000000000000001";
      const id = (await exact.call("enterOrder", { coin_code: "USDT", symbol: "ETHUSD", open_position: true, quantity: 1, price: price as unknown as number, stop_loss_price: "7000.1000000000000000001" as unknown as number, trade_direction: "BUY", order_type: "LIMIT" }))!;
      expect(await exact.call("queryOrderById", { order_no: id })).toMatchObject({ price, stopLossPrice: "7000.1000000000000000001", triggerPrice: 0 });
      await exact.call("amendOrder", { order_no: id, price: "7999.5000000000000000001" as unknown as number });
      expect(await exact.call("queryOrderById", { order_no: id })).toMatchObject({ price: "7999.5000000000000000001", stopLossPrice: "7000.1000000000000000001" });
      // a stop loss amended to a trailing stop: the stop loss is 0 now, not the text it was sent as
      await exact.call("amendOrder", { order_no: id, trailing_stop: 5 });
      expect(await exact.call("queryOrderById", { order_no: id })).toMatchObject({ stopLossPrice: 0, trailingStop: 5 });
    } finally {
      await own.close();
    }
  });

  it("unknown orders are OrderNotFoundErrors (amend_order answers HTTP 500, as the vendor doc shows)", async () => {
    await expect(c().call("queryOrderById", { order_no: "O-missing" })).rejects.toBeInstanceOf(OrderNotFoundError);
    const e = (await c().call("amendOrder", { order_no: "O-missing", price: 1 }).catch((x: unknown) => x)) as ApiError;
    expect(e).toBeInstanceOf(OrderNotFoundError);
    expect(e.httpStatus).toBe(500);
  });

  it("amend rules: price and quantity unchanged (25014), nothing else changed (25030), quantity up (25023)", async () => {
    const id = (await limit(8000))!;
    await expect(c().call("amendOrder", { order_no: id, price: 8000 })).rejects.toMatchObject({ code: 25014 });
    await expect(c().call("amendOrder", { order_no: id, price: 8000, quantity: 1 })).rejects.toMatchObject({ code: 25014 });
    await expect(c().call("amendOrder", { order_no: id, stop_win_type: "LIMIT" })).rejects.toMatchObject({ code: 25030 });
    await expect(c().call("amendOrder", { order_no: id, quantity: 5 })).rejects.toMatchObject({ code: 25023 });
    await c().call("cancelOrder", { order_no: id });
  });

  it("cancelOrderBatch cancels all, or none when one is unknown", async () => {
    const a = (await limit(7000))!;
    const b = (await limit(7001))!;
    await expect(c().cancelOrderBatch([a, "O-missing"])).rejects.toBeInstanceOf(OrderNotFoundError);
    expect(await c().call("queryOrderById", { order_no: a })).toMatchObject({ ordStatus: "NEW" });
    await expect(c().call("cancelOrderBatch", { order_nos: [a, b] })).resolves.toBeNull();
    expect(await c().call("queryOrderById", { order_no: b })).toMatchObject({ ordStatus: "CANCELED" });
  });

  it("a conditional order waits; a marketable limit fills; setMarkPrice fills a resting one", async () => {
    const waiting = (await limit(9500, 1, { trigger_price: 9600, trigger_type: "INDEX" }))!;
    expect(await c().call("queryOrderById", { order_no: waiting })).toMatchObject({ ordStatus: "WAITING", source: "Conditional", triggerType: "INDEX" });
    await c().call("cancelOrder", { order_no: waiting });

    const filled = (await limit(10_500))!;
    expect(await c().call("queryOrderById", { order_no: filled })).toMatchObject({ ordStatus: "FILLED", avgPx: 10_000, cumQty: 1 });

    // A resting order is the maker: the mark passing its limit fills it at its limit.
    const resting = (await limit(9_900))!;
    mock.setMarkPrice("ETHUSD", 9_800);
    expect(await c().call("queryOrderById", { order_no: resting })).toMatchObject({ ordStatus: "FILLED", avgPx: 9_900 });
    await c().call("closePosition", { coin_code: "USDT", symbol: "ETHUSD", position_type: "Long" });
    mock.setMarkPrice("ETHUSD", 10_000);
  });

  it("validation codes: price ≤ 0 (25012), stop-loss above a buy price (25043), no funds (25021)", async () => {
    await expect(limit(0)).rejects.toMatchObject({ code: 25012, constructor: InvalidRequestError });
    await expect(limit(9000, 1, { stop_loss_price: 9500 })).rejects.toMatchObject({ code: 25043 });
    const e = await limit(9000, 1_000_000).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InsufficientFundsError);
    expect((e as Error).message).toBe("hubi enterOrder: code 25021 资金不足 (Insufficient funds)");
  });

  it("queryOrdersPro is incremental", async () => {
    await c().call("queryOrdersPro");
    expect(await c().call("queryOrdersPro")).toEqual([]);
    const id = (await limit(5000))!;
    expect((await c().call("queryOrdersPro")).map((o) => o.id)).toEqual([id]);
    await c().call("cancelOrder", { order_no: id });
  });
});

describe("emulator: positions and accounts", () => {
  const c = () => newClient();
  const market = (side: "BUY" | "SELL", quantity: number, open = true) =>
    c().call("enterOrder", { coin_code: "USDT", symbol: "BTCUSD", open_position: open, quantity, trade_direction: side, order_type: "MARKET" });

  it("enter → position → close, with the P&L in the account", async () => {
    const [before] = await c().call("queryAccounts");
    await market("BUY", 3);
    const [pos] = await c().call("queryPosition");
    expect(pos).toMatchObject({ symbol: "BTCUSD", side: "Long", qty: 3, price: 10_000, closableQty: 3, positionLeverage: 10, deposit: 3_000, individualPosition: true });
    const [during] = await c().call("queryAccounts");
    expect(during!.withdrawableCash).toBe(before!.withdrawableCash - 3_000);

    await expect(market("SELL", 5, false)).rejects.toMatchObject({ code: 25025 }); // more than held
    await market("SELL", 1, false);
    expect((await c().call("queryPosition"))[0]).toMatchObject({ qty: 2 });

    mock.setMarkPrice("BTCUSD", 10_100);
    expect((await c().call("queryPosition"))[0]).toMatchObject({ urPnL: 200 });
    await expect(c().call("closePosition", { coin_code: "USDT", symbol: "BTCUSD", position_type: "Long" })).resolves.toBeNull();
    expect(await c().call("queryPosition")).toEqual([]);
    const [after] = await c().call("queryAccounts");
    expect(after!.cash).toBe(before!.cash + 200);
    mock.setMarkPrice("BTCUSD", 10_000);

    await expect(c().call("closePosition", { coin_code: "USDT", symbol: "BTCUSD", position_type: "Long" })).rejects.toMatchObject({ code: 25035 });
  });

  it("riskSetting, switchToCross and changePositionLeverage change the settings", async () => {
    await expect(c().call("riskSetting", { coin_code: "USDT", symbol: "BTCUSD", leverage: 0 })).rejects.toMatchObject({ code: 25031 });
    await c().call("riskSetting", { coin_code: "USDT", symbol: "BTCUSD", leverage: 20 });
    await market("SELL", 2);
    expect((await c().call("queryPosition"))[0]).toMatchObject({ side: "Short", positionLeverage: 20, deposit: 1_000 });

    await c().call("switchToCross", { coin_code: "USDT" });
    expect((await c().call("queryPosition"))[0]).toMatchObject({ individualPosition: false });
    await expect(c().call("switchToCross", { coin_code: "USDT" })).rejects.toMatchObject({ code: 25030 });

    // The position mode cannot change while a position is open (25007).
    await expect(c().call("changePositionLeverage", { coin_code: "USDT", two_side_position: true })).rejects.toMatchObject({ code: 25007 });
    await c().call("closePosition", { coin_code: "USDT", symbol: "BTCUSD", position_type: "Short" });
    await expect(c().call("changePositionLeverage", { coin_code: "USDT", two_side_position: true })).resolves.toBeNull();
  });

  it("an unknown settlement currency is refused (25007)", async () => {
    await expect(c().call("switchToCross", { coin_code: "XYZ" })).rejects.toMatchObject({ code: 25007 });
  });
});

describe("parseHubiTimestamp", () => {
  it.each([
    ["2019-12-30T15:52:41.788", Date.UTC(2019, 11, 30, 15, 52, 41, 788)],
    ["2019-12-30T15:52:41.788Z", Date.UTC(2019, 11, 30, 15, 52, 41, 788)],
    ["2019-12-30T23:52:41.788+08:00", Date.UTC(2019, 11, 30, 15, 52, 41, 788)],
    ["2019-12-30T23:52:41+0800", Date.UTC(2019, 11, 30, 15, 52, 41, 0)],
    ["2019-12-30T15:52:41.788123Z", Date.UTC(2019, 11, 30, 15, 52, 41, 788)],
    ["2019-12-30 15:52:41", undefined],
    ["1577721161788", undefined],
  ])("%s", (text, want) => {
    expect(parseHubiTimestamp(text)).toBe(want);
  });
});
