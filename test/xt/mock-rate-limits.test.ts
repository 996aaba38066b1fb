/**
 * The XT emulator enforces the vendor's rate limits when asked (`rateLimits`, `--rate-limits`):
 * 3 asset queries and 10 other signed calls a second; beyond them the account is locked
 * (`rateLimitLockMs`), orders answered 106, cancels 124, the rest 404. Off by default: teams'
 * tests send far more (they were never enforced, and 106 / 124 never answered).
 */
import { afterEach, describe, expect, it } from "vitest";
import { RateLimitError, UsageError } from "../../src/handwritten/core/errors.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import type { HttpMock } from "../../src/mock/http-mock.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY, type XtMockOptions } from "../../src/mock/xt.js";
import { mockInProcess, runCliCaptured } from "../helpers/cli.js";

let mock: HttpMock | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});
/** The emulator on a clock the test moves (`clock.t`), and a client whose nonces follow it. */
async function started(opts: XtMockOptions = {}) {
  const clock = { t: Date.now() };
  mock = await startXtMock({ now: () => clock.t, ...opts });
  const c = createXtClient({ accessKey: XT_MOCK_ACCESS_KEY, secretKey: XT_MOCK_SECRET_KEY, baseUrl: mock.url, rateLimit: false, retry: false, now: () => clock.t });
  return { c, clock };
}
type Client = Awaited<ReturnType<typeof started>>["c"];
const order = (c: Client) => c.call("order", { market: "btc_usdt", price: "1", number: "1", type: 1, entrustType: 0 } as never);
const settled = async (calls: Array<() => Promise<unknown>>) => {
  const out: Array<string | number> = [];
  for (const call of calls) out.push(await call().then(() => "ok", (e: { code?: number }) => e.code ?? "error"));
  return out;
};

describe("XT emulator: rate limits", () => {
  it("are off by default: 30 balance queries and 50 orders within a second are all answered", async () => {
    const { c } = await started();
    expect(new Set(await settled(Array.from({ length: 30 }, () => () => c.call("getBalance"))))).toEqual(new Set(["ok"]));
    expect(new Set(await settled(Array.from({ length: 50 }, () => () => order(c))))).toEqual(new Set(["ok"]));
  });

  it("with rateLimits: the 11th signed call in a second is refused and locks the account (orders 106, cancels 124, the rest 404) for rateLimitLockMs", async () => {
    const { c, clock } = await started({ rateLimits: true, rateLimitLockMs: 5_000 });
    const placed = await order(c);
    expect(await settled(Array.from({ length: 9 }, () => () => order(c)))).toEqual(Array(9).fill("ok"));
    const over = await order(c).catch((e: unknown) => e);
    expect(over).toBeInstanceOf(RateLimitError);
    expect(over).toMatchObject({ code: 106 });
    clock.t += 1_500; // the window has passed, the lock has not
    await expect(c.call("cancel", { market: "btc_usdt", id: placed.id } as never)).rejects.toMatchObject({ code: 124 });
    await expect(c.batchCancel("btc_usdt", [placed.id])).rejects.toBeInstanceOf(RateLimitError);
    await expect(c.call("getOpenOrders", { market: "btc_usdt" } as never)).rejects.toMatchObject({ code: 404, vendorMessage: expect.stringMatching(/too many requests \(limit user exceeded: the account is locked for 3500 ms more\)/) });
    // Public calls are no user's: answered.
    await expect(c.call("getServerTime")).resolves.toBeDefined();
    clock.t += 3_500;
    await expect(c.call("cancel", { market: "btc_usdt", id: placed.id } as never)).resolves.toBeUndefined();
  });

  it("asset queries: 3 a second (getBalance and getFunds together)", async () => {
    const { c, clock } = await started({ rateLimits: true });
    expect(await settled([() => c.call("getBalance"), () => c.call("getFunds", { account: 2 } as never), () => c.call("getBalance"), () => c.call("getBalance")])).toEqual(["ok", "ok", "ok", 404]);
    // Locked for the default 1000 ms: an order too.
    clock.t += 999;
    await expect(order(c)).rejects.toMatchObject({ code: 106 });
    clock.t += 1;
    expect(await settled([() => c.call("getBalance"), () => order(c)])).toEqual(["ok", "ok"]);
  });

  it("the options are checked", async () => {
    await expect(startXtMock({ rateLimits: "yes" as never })).rejects.toThrow("xt: rateLimits must be true or false");
    await expect(startXtMock({ rateLimitLockMs: 5 })).rejects.toThrow("xt: rateLimitLockMs is the lock of rateLimits: give rateLimits: true too");
    await expect(startXtMock({ rateLimits: true, rateLimitLockMs: -1 })).rejects.toBeInstanceOf(UsageError);
  });

  it("tradeapi mock xt --rate-limits --rate-limit-lock MS", async () => {
    const { url, stop, done } = await mockInProcess(["xt", "--rate-limits", "--rate-limit-lock", "60000"]);
    const c = createXtClient({ accessKey: XT_MOCK_ACCESS_KEY, secretKey: XT_MOCK_SECRET_KEY, baseUrl: url, rateLimit: false, retry: false });
    // (at once: each answer counted, whatever the order they come in)
    const got = await Promise.all(Array.from({ length: 5 }, () => c.call("getBalance").then(() => "ok", (e: { code?: number }) => e.code)));
    expect(got.sort()).toEqual([404, 404, "ok", "ok", "ok"]);
    stop();
    expect(await done).toBe(0);
    const alone = await runCliCaptured(["mock", "xt", "--rate-limit-lock", "5"], {});
    expect(alone).toMatchObject({ code: 2, stdout: "" });
    expect(alone.stderr).toMatch(/--rate-limit-lock sets the lock of --rate-limits: give both/);
  });
});
