/** The Hubi emulator's list answers follow the request through the shared query-rows module. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { HUBI_MOCK_ACCESS_KEY, HUBI_MOCK_ACCESS_TOKEN, HUBI_MOCK_SECRET_KEY, startHubiMock, type HubiMock } from "../../src/mock/hubi.js";

let mock: HubiMock;
beforeAll(async () => {
  mock = await startHubiMock();
});
afterAll(() => mock.close());
const c = () => createHubiClient({ accessKey: HUBI_MOCK_ACCESS_KEY, secretKey: HUBI_MOCK_SECRET_KEY, accessToken: HUBI_MOCK_ACCESS_TOKEN, baseUrl: mock.url, retry: false });

describe("hubi emulator: queryActiveOrders", () => {
  it("symbol selects that contract's resting orders only; without it, all", async () => {
    const place = (symbol: string) =>
      c().call("enterOrder", { coin_code: "USDT", symbol, open_position: true, quantity: 1, price: 9000, trade_direction: "BUY", order_type: "LIMIT" });
    await place("ETHUSD");
    await place("LTCUSD");
    const eth = await c().call("queryActiveOrders", { symbol: "ETHUSD" });
    expect(eth.length).toBe(1);
    expect(eth.every((o) => o.symbol === "ETHUSD")).toBe(true);
    expect((await c().call("queryActiveOrders")).map((o) => o.symbol).sort()).toEqual(["ETHUSD", "LTCUSD"]);
    expect(await c().call("queryActiveOrders", { symbol: "XRPUSD" })).toEqual([]);
  });
});
