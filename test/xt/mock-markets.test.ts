/**
 * batchCancel and getBatchOrders of the XT emulator answer only their `market`'s orders (the
 * vendor's document requires it): an order of another market was cancelled and listed there,
 * while cancel and getOrder answer 121 for it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import type { HttpMock } from "../../src/mock/http-mock.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "../../src/mock/xt.js";

let mock: HttpMock | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});
async function started() {
  mock = await startXtMock();
  return createXtClient({ accessKey: XT_MOCK_ACCESS_KEY, secretKey: XT_MOCK_SECRET_KEY, baseUrl: mock.url, rateLimit: false, retry: false, decimals: "string" });
}
type Client = Awaited<ReturnType<typeof started>>;
const buy = (c: Client, price: string, number: string, market = "btc_usdt") => c.call("order", { market, price, number, type: 1, entrustType: 0 } as never);

describe("XT emulator: batchCancel and getBatchOrders answer their market's orders only", () => {
  it("an order of another market is not found there (121 per item), as cancel and getOrder answer", async () => {
    const c = await started();
    const btc = await buy(c, "10", "1");
    const eth = await buy(c, "10", "1", "eth_usdt");
    await expect(c.call("getOrder", { market: "eth_usdt", id: btc.id } as never)).rejects.toMatchObject({ code: 121 });
    expect(await c.getBatchOrders("eth_usdt", [btc.id, eth.id])).toEqual([expect.objectContaining({ id: eth.id })]);
    const cancelled = await c.batchCancel("eth_usdt", [btc.id]);
    expect(cancelled).toEqual([expect.objectContaining({ id: btc.id, code: 121 })]);
    // Still open.
    expect(await c.call("getOrder", { market: "btc_usdt", id: btc.id } as never)).toMatchObject({ status: 1 });
    expect(await c.batchCancel("btc_usdt", [btc.id])).toEqual([expect.objectContaining({ id: btc.id, code: 120 })]);
    expect(await c.call("getOrder", { market: "btc_usdt", id: btc.id } as never)).toMatchObject({ status: 3 });
  });
});
