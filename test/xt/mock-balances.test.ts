/**
 * The XT emulator's balances follow its orders and withdrawals (they never moved: a BUY of
 * 1e12 BTC at 1e6 USDT and a withdrawal of 1e15 USDT were accepted, and 103 was never answered),
 * exactly (decimal arithmetic).
 */
import { afterEach, describe, expect, it } from "vitest";
import { ApiError, InsufficientFundsError, UsageError } from "../../src/handwritten/core/errors.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import type { HttpMock } from "../../src/mock/http-mock.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY, type XtMockOptions } from "../../src/mock/xt.js";
import { mockInProcess, runCliCaptured } from "../helpers/cli.js";

let mock: HttpMock | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});
async function started(opts: XtMockOptions = {}) {
  mock = await startXtMock(opts);
  return createXtClient({ accessKey: XT_MOCK_ACCESS_KEY, secretKey: XT_MOCK_SECRET_KEY, baseUrl: mock.url, rateLimit: false, retry: false, decimals: "string" });
}
type Client = Awaited<ReturnType<typeof started>>;
const balance = async (c: Client) => (await c.call("getBalance")) as unknown as Record<string, { freeze: string; available: string }>;
const buy = (c: Client, price: string, number: string, market = "btc_usdt") => c.call("order", { market, price, number, type: 1, entrustType: 0 } as never);
const sell = (c: Client, price: string, number: string, market = "btc_usdt") => c.call("order", { market, price, number, type: 0, entrustType: 0 } as never);

describe("XT emulator: balances", () => {
  it("start as the vendor's example; a BUY freezes price × number of the quote coin exactly, its cancel gives it back", async () => {
    const c = await started();
    expect((await balance(c)).usdt).toEqual({ freeze: "3062.17437341", available: "3867.43650012" });
    const placed = [await buy(c, "0.1", "3"), await buy(c, "0.2", "1"), await buy(c, "1000.00000001", "0.3")];
    // 0.3 + 0.2 + 300.000000003 (as doubles, 0.1 × 3 + 0.2 is 0.5000000000000001)
    expect((await balance(c)).usdt).toEqual({ freeze: "3362.674373413", available: "3566.936500117" });
    expect(await c.call("getFunds", { account: 2 } as never)).toEqual(await c.call("getBalance"));
    for (const p of placed) await c.call("cancel", { market: "btc_usdt", id: p.id } as never);
    expect((await balance(c)).usdt).toEqual({ freeze: "3062.17437341", available: "3867.43650012" });
  });

  it("an order the available balance cannot pay for is 103 (InsufficientFundsError), nothing frozen or placed", async () => {
    const c = await started();
    const before = await balance(c);
    const huge = await buy(c, "1000000", "1000000000000").catch((e: unknown) => e);
    expect(huge).toBeInstanceOf(InsufficientFundsError);
    expect(huge).toMatchObject({ code: 103 });
    // Just above what is available, and a SELL of a coin the account does not hold.
    await expect(buy(c, "3867.43650013", "1")).rejects.toMatchObject({ code: 103 });
    await expect(sell(c, "5000", "0.001")).rejects.toBeInstanceOf(InsufficientFundsError);
    // Exactly what is available is taken.
    await buy(c, "3867.43650012", "1");
    expect((await balance(c)).usdt).toEqual({ freeze: "6929.61087353", available: "0.00" });
    await expect(buy(c, "0.01", "1")).rejects.toMatchObject({ code: 103 });
    expect(await c.call("getOpenOrders", { market: "btc_usdt" } as never)).toHaveLength(1);
  });

  it("a SELL freezes the base coin; a batch is paid for as a whole (103, nothing placed) and batchCancel gives its freezes back", async () => {
    const c = await started({ balances: { usdt: "100", BTC: "2" } });
    expect(await balance(c)).toEqual({ usdt: { freeze: "0.00", available: "100.00" }, btc: { freeze: "0.00", available: "2.00" } });
    // Each item fits, the two buys together do not.
    const over = await c.batchOrder("btc_usdt", [{ price: 60, amount: 1, type: 1 }, { price: 50, amount: 1, type: 1 }]).catch((e: unknown) => e);
    expect(over).toBeInstanceOf(InsufficientFundsError);
    expect(await c.call("getOpenOrders", { market: "btc_usdt" } as never)).toEqual([]);
    const placed = await c.batchOrder("btc_usdt", [{ price: 60, amount: 1, type: 1 }, { price: 70000, amount: 1.5, type: 0 }]);
    expect(await balance(c)).toEqual({ usdt: { freeze: "60.00", available: "40.00" }, btc: { freeze: "1.50", available: "0.50" } });
    await c.batchCancel("btc_usdt", placed.map((p) => p.id));
    expect(await balance(c)).toEqual({ usdt: { freeze: "0.00", available: "100.00" }, btc: { freeze: "0.00", available: "2.00" } });
  });

  it("a withdrawal is paid from the available amount; beyond it is 404 (the error table has no withdrawal code), nothing debited or recorded", async () => {
    const c = await started({ balances: { usdt: "10.5" } });
    const w = { coin: "usdt", address: "0xabc", safePwd: "pw" };
    const refused = await c.call("withdraw", { ...w, amount: "1000000000000000" } as never).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ code: 404, vendorMessage: "提现失败，没有足够的资金" });
    expect(refused).not.toBeInstanceOf(InsufficientFundsError);
    expect((await c.call("getPayOutRecord", { coin: "usdt", page: 1, pageSize: 10 } as never))!.record.map((r) => r.address)).not.toContain("0xabc");
    await c.call("withdraw", { ...w, amount: "10.1" } as never);
    expect((await balance(c)).usdt).toEqual({ freeze: "0.00", available: "0.40" });
    await expect(c.call("withdraw", { ...w, amount: "0.41" } as never)).rejects.toMatchObject({ code: 404 });
    await expect(c.call("withdraw", { ...w, coin: "btc", amount: "0.01" } as never)).rejects.toMatchObject({ code: 404 });
  });

  it("the balances option is checked", async () => {
    for (const [balances, message] of [
      [5, "xt: balances must be an object of coin → available amount, got 5"],
      [{ usdt: "-1" }, 'xt: balances usdt must be a decimal amount written in digits (at most 30 before and 30 after the point), 0 or more, got "-1"'],
      [{ usdt: Number.NaN }, "xt: balances usdt must be a decimal amount written in digits"],
      // (an exponent made a billion-digit balance: every answer 500, an order held the emulator 30 s)
      [{ btc: "1e999999999" }, 'balances btc must be a decimal amount written in digits (at most 30 before and 30 after the point), 0 or more, got "1e999999999"'],
      [{ btc: "1e-5000000" }, 'got "1e-5000000"'],
      [{ btc: 1e300 }, "got 1e+300"],
      [{ "us dt": "1" }, 'xt: balances coin names are 1-20 letters and digits, got "us dt"'],
    ] as const) {
      await expect(startXtMock({ balances: balances as never })).rejects.toThrow(message);
      await expect(startXtMock({ balances: balances as never })).rejects.toBeInstanceOf(UsageError);
    }
  });
});

describe("tradeapi mock xt --balances", () => {
  it("starts the trading account with the coins and amounts given", async () => {
    const { url, stop, done } = await mockInProcess(["xt", "--balances", "usdt=5.5,BTC=1"]);
    const c = createXtClient({ accessKey: XT_MOCK_ACCESS_KEY, secretKey: XT_MOCK_SECRET_KEY, baseUrl: url, rateLimit: false, retry: false });
    expect(await c.call("getBalance")).toEqual({ usdt: { freeze: "0.00", available: "5.50" }, btc: { freeze: "0.00", available: "1.00" } });
    stop();
    expect(await done).toBe(0);
  });

  it("a malformed --balances, or an amount the emulator refuses: exit 2 naming the flag, nothing listens", async () => {
    for (const [value, message] of [
      ["usdt", /--balances takes COIN=AMOUNT pairs separated by commas \(usdt=100000,btc=10\), got "usdt"/],
      ["usdt=-1", /^tradeapi: --balances usdt must be a decimal amount written in digits \(at most 30 before and 30 after the point\), 0 or more, got "-1"/],
      ["btc=1e999999999", /^tradeapi: --balances btc must be a decimal amount written in digits/],
      // A coin given twice: which amount was meant is not known (the last one won).
      ["btc=1,usdt=5,btc=2", /^tradeapi: --balances names btc twice/],
    ] as const) {
      const run = await runCliCaptured(["mock", "xt", "--balances", value], {});
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe("");
    }
  });
});
