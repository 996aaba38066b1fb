/**
 * BHEX 31009 (用户信息错误) is answered by order/create for a user the emulator does not know,
 * not only as a batch item's status: its meaning read "a batch-task item names an unknown/invalid
 * user (per-item status of batch transfer …)", which an order's error then showed. It is
 * written for any answer naming an unknown user.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { InvalidRequestError } from "../../src/handwritten/core/errors.js";
import { BHEX_MOCK_ACCESS_KEY, BHEX_MOCK_SECRET_KEY, startBhexMock } from "../../src/mock/bhex.js";
import type { HttpMock } from "../../src/mock/http-mock.js";

let mock: HttpMock | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

describe("BHEX 31009: its meaning fits an order's answer", () => {
  it("order/create for an unknown user: the error's meaning names the user, not a batch item", async () => {
    mock = await startBhexMock();
    const c = createBhexOrgClient({ accessKey: BHEX_MOCK_ACCESS_KEY, secretKey: BHEX_MOCK_SECRET_KEY, baseUrl: mock.url, rateLimit: false, retry: false });
    const err = await c.call("orderCreate", { user_id: 1, exchange_id: 301, symbol_id: "BTCUSDT", type: "limit", side: "buy", price: "1", quantity: "1" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect(err).toMatchObject({ code: 31009 });
    const meaning = (err as InvalidRequestError).meaning;
    expect(meaning).toMatch(/unknown or invalid/);
    expect(meaning).not.toMatch(/^User information error: a batch-task item/);
    expect((err as Error).message).not.toMatch(/: a batch-task item names/);
  });
});
