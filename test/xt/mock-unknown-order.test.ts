/**
 * The XT emulator's answer to getOrder of an order it does not know: the vendor's error table
 * has no code for a query, and the emulator answered 121 with the table's text, whose meaning
 * read "Cancel failed" for a call that cancelled nothing. 121 stays (the only code that says
 * the order does not exist; OrderNotFoundError), its meaning covers a query, and the
 * emulator's text for a query says nothing of a cancel.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { OrderNotFoundError } from "../../src/handwritten/core/errors.js";
import type { HttpMock } from "../../src/mock/http-mock.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "../../src/mock/xt.js";

let mock: HttpMock | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

describe("XT emulator: getOrder of an unknown order", () => {
  it("is OrderNotFoundError 121, and neither its text nor its meaning speaks of a failed cancel", async () => {
    mock = await startXtMock();
    const c = createXtClient({ accessKey: XT_MOCK_ACCESS_KEY, secretKey: XT_MOCK_SECRET_KEY, baseUrl: mock.url, rateLimit: false, retry: false });
    const err = await c.call("getOrder", { market: "btc_usdt", id: 123 } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrderNotFoundError);
    expect(err).toMatchObject({ code: 121, vendorMessage: "订单不存在或已取消" });
    expect((err as Error).message).not.toMatch(/cancel failed|撤单失败/i);
    expect((err as OrderNotFoundError).meaning).toMatch(/does not exist/);
    // A cancel of it keeps the table's text.
    await expect(c.call("cancel", { market: "btc_usdt", id: 123 } as never)).rejects.toMatchObject({ code: 121, vendorMessage: "撤单失败，订单不存在或已取消" });
  });
});
