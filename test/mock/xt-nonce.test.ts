/**
 * The XT emulator checks a signed request's `nonce` (its time in ms) against its own clock, as
 * the vendor's document says the server does ("将根据这个时间戳检验您API请求的有效性"): a
 * 1970 nonce, or one from a clock far off, was accepted.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ApiError, UsageError } from "../../src/handwritten/core/errors.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "../../src/mock/xt.js";
import type { HttpMock } from "../../src/mock/http-mock.js";

const SERVER_NOW = 1_780_000_000_000;
let mock: HttpMock | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

const clientAt = (url: string, offsetMs: number) =>
  createXtClient({ baseUrl: url, accessKey: XT_MOCK_ACCESS_KEY, secretKey: XT_MOCK_SECRET_KEY, rateLimit: false, retry: false, now: () => SERVER_NOW + offsetMs });

describe("XT emulator: nonce freshness", () => {
  it("a nonce more than maxClockSkewMs (default 30 s) from the emulator's clock is a 400 naming the distance; within it, the call goes through", async () => {
    mock = await startXtMock({ now: () => SERVER_NOW });
    for (const offset of [-29_000, 0, 29_000]) await expect(clientAt(mock.url, offset).call("getBalance")).resolves.toBeDefined();
    for (const [offset, words] of [[-31_000, "31 s behind"], [31_000, "31 s ahead of"], [-SERVER_NOW + 1_000_000_000_000, "behind"]] as const) {
      const e = await clientAt(mock.url, offset).call("getBalance").catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ApiError);
      expect(e).toMatchObject({ code: 400, operation: "getBalance" });
      expect((e as Error).message).toContain(words);
      expect((e as Error).message).toContain("at most 30000 ms");
    }
    // Unsigned operations carry no nonce; getServerTime tells the emulator's clock.
    await expect(clientAt(mock.url, -3_600_000).call("getServerTime")).resolves.toMatchObject({ serverTime: SERVER_NOW });
  });

  it("maxClockSkewMs widens or narrows the window; order times follow the emulator's clock", async () => {
    mock = await startXtMock({ now: () => SERVER_NOW, maxClockSkewMs: 120_000 });
    await expect(clientAt(mock.url, -90_000).call("getBalance")).resolves.toBeDefined();
    const placed = await clientAt(mock.url, 0).call("order", { market: "btc_usdt", price: 1, number: 1, type: 1, entrustType: 0 });
    const got = (await clientAt(mock.url, 0).call("getOrder", { market: "btc_usdt", id: placed.id as bigint })) as { time?: unknown };
    expect(Number(got.time)).toBe(SERVER_NOW);
    await mock.close();
    mock = await startXtMock({ now: () => SERVER_NOW, maxClockSkewMs: 0 });
    await expect(clientAt(mock.url, 1).call("getBalance")).rejects.toMatchObject({ code: 400 });
    await expect(clientAt(mock.url, 0).call("getBalance")).resolves.toBeDefined();
  });

  it.each([
    [{ maxClockSkewMs: -1 }, /maxClockSkewMs must be/],
    [{ maxClockSkewMs: Number.NaN }, /maxClockSkewMs must be/],
    [{ now: 5 }, /now must be a function/],
  ])("a bad option %o is a UsageError before anything listens", async (opts, message) => {
    const e = await startXtMock(opts as never).then(async (m) => (await m.close(), undefined), (x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toMatch(message);
  });
});
