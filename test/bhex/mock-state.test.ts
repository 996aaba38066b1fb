/**
 * The BHEX emulator's state answers what it holds: open_orders lists only orders placed here
 * (it answered the vendor's example records for a user without orders, which order/get and
 * order/cancel could not find); order/create refuses an unknown user with 31009, as a batch
 * item naming one gets (it placed the order); finance/lock and finance/unlock keep the locked
 * amounts (an unlock of 1,000,000 BTC never locked succeeded, a reused client_order_id placed a
 * second lock, an amount of -5 was taken while a batch item with it gets status 5).
 */
import { afterEach, describe, expect, it } from "vitest";
import { ApiError, InvalidRequestError } from "../../src/handwritten/core/errors.js";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { BHEX_MOCK_ACCESS_KEY, BHEX_MOCK_SECRET_KEY, startBhexMock } from "../../src/mock/bhex.js";
import type { HttpMock } from "../../src/mock/http-mock.js";

let mock: HttpMock | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});
async function started() {
  mock = await startBhexMock();
  return createBhexOrgClient({ accessKey: BHEX_MOCK_ACCESS_KEY, secretKey: BHEX_MOCK_SECRET_KEY, baseUrl: mock.url, rateLimit: false, retry: false });
}
const USER = "83214971450163200";
const OTHER = "231215678785585152";

describe("BHEX emulator: open_orders", () => {
  it("a user without orders has none (not the vendor's example records); each one listed is found by order/get and order/cancel", async () => {
    const c = await started();
    expect(await c.call("orderOpenOrders", { user_id: USER })).toEqual([]);
    const placed = await c.call("orderCreate", { user_id: USER, exchange_id: 301, symbol_id: "ATUSDT", type: "limit", side: "buy", price: "0.1668", quantity: "10" });
    const open = (await c.call("orderOpenOrders", { user_id: USER }))!;
    expect(open.map((o) => o.orderId)).toEqual([placed!.orderId]);
    for (const o of open) {
      expect(await c.call("orderGet", { user_id: USER, order_id: o.orderId! })).toMatchObject({ orderId: o.orderId, status: "NEW" });
      expect(await c.call("orderCancel", { user_id: USER, order_id: o.orderId! })).toEqual({ success: true });
    }
    expect(await c.call("orderOpenOrders", { user_id: USER })).toEqual([]);
    expect(await c.call("orderOpenOrders", { user_id: OTHER })).toEqual([]);
  });
});

describe("BHEX emulator: unknown users", () => {
  it("order/create for a user the emulator does not know is 31009 (用户信息错误), as a batch item naming that user; nothing placed", async () => {
    const c = await started();
    const refused = await c.call("orderCreate", { user_id: 1, exchange_id: 301, symbol_id: "BTCUSDT", type: "limit", side: "buy", price: "1", quantity: "1", client_order_id: "u1" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidRequestError);
    expect(refused).toMatchObject({ code: 31009, vendorMessage: "用户信息错误" });
    await expect(c.call("orderGet", { user_id: 1, client_order_id: "u1" })).rejects.toThrow(/order not found/);
    await c.call("financeBatchLockPosition", { client_order_id: "B-u1", data_type: "json", items: [{ user_id: "1", token_id: "BTC", amount: "1" }] as never });
    const result = await c.call("financeGetBatchLockPositionResult", { client_order_id: "B-u1" });
    expect(result?.items?.map((i) => i.status)).toEqual([31009]);
  });
});

describe("BHEX emulator: finance/lock and finance/unlock keep the locked amounts", () => {
  const lock = { user_id: USER, token_id: "BTC" };

  it("an unlock beyond what is locked is refused; locks and unlocks add up exactly", async () => {
    const c = await started();
    const never = await c.call("financeUnlock", { ...lock, amount: "1000000" }).catch((e: unknown) => e);
    expect(never).toBeInstanceOf(ApiError);
    expect((never as ApiError).message).toMatch(/unlock amount 1000000 is more than the 0 BTC locked for user 83214971450163200/);
    expect(await c.call("financeLock", { ...lock, amount: "0.1" })).toEqual({ success: true });
    expect(await c.call("financeLock", { ...lock, amount: "0.2" })).toEqual({ success: true });
    // 0.1 + 0.2 is 0.3 (as doubles it is 0.30000000000000004, and an unlock of 0.3 would leave a crumb)
    await expect(c.call("financeUnlock", { ...lock, amount: "0.30000000000000001" })).rejects.toThrow(/more than the 0.3 BTC locked/);
    // Another token, another user: nothing locked there.
    await expect(c.call("financeUnlock", { ...lock, token_id: "USDT", amount: "0.1" })).rejects.toThrow(/more than the 0 USDT/);
    await expect(c.call("financeUnlock", { ...lock, user_id: OTHER, amount: "0.1" })).rejects.toThrow(/more than the 0 BTC/);
    expect(await c.call("financeUnlock", { ...lock, amount: "0.3" })).toEqual({ success: true });
    await expect(c.call("financeUnlock", { ...lock, amount: "0.00000001" })).rejects.toThrow(/more than the 0 BTC/);
  });

  it("client_order_id is unique: the same request again locks once; other terms under it are refused", async () => {
    const c = await started();
    const first = { ...lock, amount: "1", client_order_id: "L-1" };
    expect(await c.call("financeLock", first)).toEqual({ success: true });
    expect(await c.call("financeLock", first)).toEqual({ success: true });
    await expect(c.call("financeLock", { ...first, amount: "2" })).rejects.toThrow(/client_order_id "L-1" was already used for another lock/);
    // Locked once: 1, not 2.
    await expect(c.call("financeUnlock", { ...lock, amount: "1.5" })).rejects.toThrow(/more than the 1 BTC locked/);
    const unlock = { ...lock, amount: "1", client_order_id: "U-1" };
    expect(await c.call("financeUnlock", unlock)).toEqual({ success: true });
    // The resend of a lost answer: success again, nothing unlocked twice (it would be refused: 0 locked).
    expect(await c.call("financeUnlock", unlock)).toEqual({ success: true });
  });

  it("an amount that is no positive decimal is refused, as a batch item with it gets status 5; an unknown user is 31009", async () => {
    const c = await started();
    for (const amount of ["-5", "0", "-0.1", "0.000"]) {
      await expect(c.call("financeLock", { ...lock, amount }), amount).rejects.toThrow(/amount must be a positive decimal/);
      await expect(c.call("financeUnlock", { ...lock, amount }), amount).rejects.toThrow(/amount must be a positive decimal/);
    }
    await c.call("financeBatchLockPosition", { client_order_id: "B-5", data_type: "json", items: [{ user_id: USER, token_id: "BTC", amount: "-5" }] as never });
    expect((await c.call("financeGetBatchLockPositionResult", { client_order_id: "B-5" }))?.items?.map((i) => i.status)).toEqual([5]);
    await expect(c.call("financeLock", { ...lock, user_id: 1, amount: "1" })).rejects.toMatchObject({ code: 31009 });
  });

  it("a lock shows first in the user's lock records, as a batch lock's does", async () => {
    const c = await started();
    await c.call("financeLock", { ...lock, amount: "0.25", desc: "single", client_order_id: "4200000000000000001" });
    const [first] = (await c.call("statisticsLockRecord", { user_id: USER }))!;
    expect(first).toMatchObject({ userId: 83214971450163200n, tokenId: "BTC", lockAmount: "0.25", lockReason: "single", clientReqId: 4200000000000000001n });
  });

  it("batch_lock_position and batch_unlock_position move the same amounts (an item beyond what is locked: status 5)", async () => {
    const c = await started();
    await c.call("financeBatchLockPosition", { client_order_id: "BL", data_type: "json", items: [{ user_id: USER, token_id: "BTC", amount: "2" }] as never });
    expect(await c.call("financeUnlock", { ...lock, amount: "0.5" })).toEqual({ success: true });
    await c.call("financeBatchUnlockPosition", { client_order_id: "BU", data_type: "json", items: [{ user_id: USER, token_id: "BTC", amount: "1" }, { user_id: USER, token_id: "BTC", amount: "1" }] as never });
    expect((await c.call("financeGetBatchUnlockPositionResult", { client_order_id: "BU" }))?.items?.map((i) => i.status)).toEqual([200, 5]);
    expect(await c.call("financeUnlock", { ...lock, amount: "0.5" })).toEqual({ success: true });
  });
});
