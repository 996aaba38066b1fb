/**
 * The Hubi emulator keeps 10 000 orders: a new one forgets the oldest finished order, and with
 * every kept order active it is refused, saying why (it forgot the oldest active order, which
 * the client could then neither query nor cancel).
 */
import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/handwritten/core/errors.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { HUBI_MOCK_ACCESS_KEY, HUBI_MOCK_ACCESS_TOKEN, HUBI_MOCK_SECRET_KEY, startHubiMock } from "../../src/mock/hubi.js";
import { MAX_HUBI_ORDERS } from "../../src/mock/hubi/engine.js";
import { closedAfterEach } from "../helpers/closing.js";

const { started } = closedAfterEach();

describe("Hubi emulator: a full order table", () => {
  it("refuses a new order when every kept order is active, and takes it once one is cancelled", async () => {
    const mock = await started(startHubiMock({ cash: { USDT: 1e9 }, maxPriceDeviation: 0.99 }));
    const hubi = createHubiClient({ baseUrl: mock.url, accessKey: HUBI_MOCK_ACCESS_KEY, secretKey: HUBI_MOCK_SECRET_KEY, accessToken: HUBI_MOCK_ACCESS_TOKEN });
    // Resting buys far below the mark (10000): active, never filled.
    const params = { coin_code: "USDT", symbol: "BTC", trade_direction: "BUY", order_type: "LIMIT", price: 200, quantity: 1, open_position: true } as const;
    const place = () => hubi.call("enterOrder", params);
    const ids: unknown[] = [];
    for (let i = 0; i < MAX_HUBI_ORDERS; i += 50) ids.push(...(await Promise.all(Array.from({ length: 50 }, place))));
    const refused = await place().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as Error).message).toContain("all are active: cancel some first");
    await hubi.call("cancelOrder", { order_no: String(ids[0]) });
    await expect(place()).resolves.toBeDefined();
  }, 120_000);

  it("a position closed with a full table of active orders forgets none of them (its close order, filled, goes)", async () => {
    const mock = await started(startHubiMock({ cash: { USDT: 1e9 }, maxPriceDeviation: 0.99 }));
    const hubi = createHubiClient({ baseUrl: mock.url, accessKey: HUBI_MOCK_ACCESS_KEY, secretKey: HUBI_MOCK_SECRET_KEY, accessToken: HUBI_MOCK_ACCESS_TOKEN });
    await hubi.call("enterOrder", { coin_code: "USDT", symbol: "BTC", trade_direction: "BUY", order_type: "MARKET", quantity: 1, open_position: true });
    const params = { coin_code: "USDT", symbol: "BTC", trade_direction: "BUY", order_type: "LIMIT", price: 200, quantity: 1, open_position: true } as const;
    const ids: unknown[] = [];
    for (let i = 0; i < MAX_HUBI_ORDERS; i += 50) ids.push(...(await Promise.all(Array.from({ length: 50 }, () => hubi.call("enterOrder", params)))));
    await hubi.call("closePosition", { coin_code: "USDT", symbol: "BTC", position_type: "Long" });
    await expect(hubi.call("queryOrderById", { order_no: String(ids[0]) })).resolves.toBeDefined();
    await expect(hubi.call("queryOrderById", { order_no: String(ids.at(-1)) })).resolves.toBeDefined();
  }, 120_000);
});
