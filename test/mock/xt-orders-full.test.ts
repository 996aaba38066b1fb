/**
 * The XT emulator keeps 10 000 orders: a new one forgets the oldest finished order, and with
 * every kept order open it is refused, saying why (it forgot the oldest open order, which the
 * client could then neither query nor cancel, and its freeze went back unasked).
 */
import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/handwritten/core/errors.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "../../src/mock/xt.js";
import { MAX_XT_ORDERS } from "../../src/mock/xt/state.js";
import { closedAfterEach } from "../helpers/closing.js";

const { started } = closedAfterEach();

describe("XT emulator: a full order table", () => {
  it("refuses a new order when every kept order is open, and takes it once one is cancelled", async () => {
    const mock = await started(startXtMock({ balances: { usdt: String(2 * MAX_XT_ORDERS) } }));
    const xt = createXtClient({ accessKey: XT_MOCK_ACCESS_KEY, secretKey: XT_MOCK_SECRET_KEY, baseUrl: mock.url, rateLimit: false });
    const order = { price: 1, amount: 1, type: 1 as const };
    const first = await xt.batchOrder("btc_usdt", Array.from({ length: 100 }, () => order));
    for (let i = 1; i < MAX_XT_ORDERS / 100; i++) await xt.batchOrder("btc_usdt", Array.from({ length: 100 }, () => order));
    const refused = await xt.call("order", { market: "btc_usdt", price: 1, number: 1, type: 1, entrustType: 0 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ code: 404, operation: "order" });
    expect((refused as Error).message).toContain("all are open: cancel some first");
    await expect(xt.batchOrder("btc_usdt", [order])).rejects.toMatchObject({ code: 404 });
    // The oldest open order is still there, with what it froze.
    expect(await xt.call("getOrder", { market: "btc_usdt", id: first![0]!.id })).toMatchObject({ status: 1 });
    await xt.call("cancel", { market: "btc_usdt", id: first![1]!.id });
    const placed = await xt.call("order", { market: "btc_usdt", price: 1, number: 1, type: 1, entrustType: 0 });
    expect(placed!.id).toBeDefined();
    expect(await xt.call("getOrder", { market: "btc_usdt", id: first![0]!.id })).toMatchObject({ status: 1 });
  }, 60_000);
});
