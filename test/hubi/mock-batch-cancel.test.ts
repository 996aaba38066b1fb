/**
 * The Hubi emulator's cancel_order_batch: the vendor's document answers the batch as one
 * (status 0, or -1 with a message) and has no result per order, so the batch stays all or
 * nothing, but the refusal names the orders that could not be cancelled: it said only
 * "25006 订单已完成", and a caller could not tell which order of the batch had finished.
 */
import { describe, expect, it, onTestFinished } from "vitest";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { HUBI_MOCK_ACCESS_KEY, HUBI_MOCK_ACCESS_TOKEN, HUBI_MOCK_SECRET_KEY, startHubiMock } from "../../src/mock/hubi.js";

async function emulator() {
  const mock = await startHubiMock({ markPrice: 100 });
  onTestFinished(() => mock.close());
  const c = createHubiClient({ accessKey: HUBI_MOCK_ACCESS_KEY, secretKey: HUBI_MOCK_SECRET_KEY, accessToken: HUBI_MOCK_ACCESS_TOKEN, baseUrl: mock.url, retry: false });
  const order = async (price: number) =>
    String(await c.call("enterOrder", { coin_code: "USDT", symbol: "BTCUSD", open_position: true, quantity: 1, trade_direction: "BUY", order_type: "LIMIT", price } as never));
  const status = async (no: string) => (await c.call("queryOrderById", { order_no: no }))!.ordStatus;
  return { c, order, status };
}

describe("hubi emulator: cancel_order_batch", () => {
  it("a finished order refuses the batch (25006), the message naming it; none is cancelled", async () => {
    const { c, order, status } = await emulator();
    const resting = [await order(90), await order(91)];
    const filled = await order(110); // crosses the mark: filled at once
    expect(await status(filled)).toBe("FILLED");
    const err = await c.cancelOrderBatch([resting[0]!, filled, resting[1]!]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 25006 });
    expect((err as { vendorMessage: string }).vendorMessage).toBe(`订单已完成: order_nos ${filled}`);
    expect((err as Error).message).toContain(filled);
    for (const no of resting) expect(await status(no)).toBe("NEW");
    await expect(c.cancelOrderBatch(resting)).resolves.toBeNull();
    for (const no of resting) expect(await status(no)).toBe("CANCELED");
  });

  it("an unknown order refuses the batch (25005), the message naming each unknown one", async () => {
    const { c, order, status } = await emulator();
    const resting = await order(90);
    const err = await c.cancelOrderBatch(["O-nope-1", resting, "O-nope-2"]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 25005, vendorMessage: "订单未发现: order_nos O-nope-1,O-nope-2" });
    expect(await status(resting)).toBe("NEW");
  });

  it("names at most ten orders, then how many more", async () => {
    const { c } = await emulator();
    const nos = Array.from({ length: 12 }, (_, i) => `O-x-${i}`);
    const err = await c.cancelOrderBatch(nos).catch((e: unknown) => e);
    expect((err as { vendorMessage: string }).vendorMessage).toBe(`订单未发现: order_nos ${nos.slice(0, 10).join(",")} and 2 more`);
  });
});
