/**
 * The BHEX emulator enforces org_batch_cancel's "once per 10 seconds" (接口限定10秒钟内只能调用一次)
 * when asked (`rateLimits`, `tradeapi mock bhex --rate-limits`); off by default, as in every
 * emulator.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ApiError } from "../../src/handwritten/core/errors.js";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { BHEX_MOCK_ACCESS_KEY, BHEX_MOCK_SECRET_KEY, startBhexMock, type BhexMockOptions } from "../../src/mock/bhex.js";
import type { HttpMock } from "../../src/mock/http-mock.js";
import { mockInProcess } from "../helpers/cli.js";

let mock: HttpMock | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});
async function started(opts: BhexMockOptions = {}) {
  const clock = { t: 1_700_000_000_000 };
  mock = await startBhexMock({ now: () => clock.t, ...opts });
  return { c: createBhexOrgClient({ accessKey: BHEX_MOCK_ACCESS_KEY, secretKey: BHEX_MOCK_SECRET_KEY, baseUrl: mock.url, rateLimit: false, retry: false }), clock };
}

describe("BHEX emulator: org_batch_cancel's rate limit", () => {
  it("is off by default", async () => {
    const { c } = await started();
    for (let i = 0; i < 3; i++) expect(await c.call("orderOrgBatchCancel", { symbol_id: "BTCUSDT" })).toEqual({ success: true });
  });

  it("with rateLimits: once per 10 seconds; other calls are not limited", async () => {
    const { c, clock } = await started({ rateLimits: true });
    expect(await c.call("orderOrgBatchCancel", { symbol_id: "BTCUSDT" })).toEqual({ success: true });
    clock.t += 9_999;
    const again = await c.call("orderOrgBatchCancel", { symbol_id: "ETHUSDT" }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ApiError);
    expect(again).toMatchObject({ code: 1 });
    expect((again as Error).message).toMatch(/接口限定10秒钟内只能调用一次 \(limit orgBatchCancel: again in 1 ms\)/);
    for (let i = 0; i < 20; i++) await c.call("basicTime");
    clock.t += 1;
    expect(await c.call("orderOrgBatchCancel", { symbol_id: "ETHUSDT" })).toEqual({ success: true });
  });

  it("tradeapi mock bhex --rate-limits", async () => {
    const { url, stop, done } = await mockInProcess(["bhex", "--rate-limits"]);
    const c = createBhexOrgClient({ accessKey: BHEX_MOCK_ACCESS_KEY, secretKey: BHEX_MOCK_SECRET_KEY, baseUrl: url, rateLimit: false, retry: false });
    expect(await c.call("orderOrgBatchCancel", { symbol_id: "BTCUSDT" })).toEqual({ success: true });
    await expect(c.call("orderOrgBatchCancel", { symbol_id: "BTCUSDT" })).rejects.toMatchObject({ code: 1 });
    stop();
    expect(await done).toBe(0);
  });
});
