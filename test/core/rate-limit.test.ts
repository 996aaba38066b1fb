import { describe, expect, it } from "vitest";
import { RateLimiter } from "../../src/handwritten/core/rate-limit.js";
import { meta } from "../../generated/xt-spot.docs.js";
import { createXtClient, createXtRateLimiter } from "../../src/handwritten/xt/client.js";
import { recordingFetch, json } from "../helpers/recording-fetch.js";

/** A virtual clock: sleep advances time instantly, so limits are tested without waiting. */
function virtualClock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms), get t() { return t; } };
}

describe("RateLimiter", () => {
  it("lets `limit` requests start per interval and makes the rest wait their turn, in order", async () => {
    const clock = virtualClock();
    const rl = new RateLimiter({ balance: { limit: 3, intervalMs: 1000 } }, clock);
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 7 }, () => rl.acquire(["balance"]).then(() => starts.push(clock.now()))));
    expect(starts).toEqual([0, 0, 0, 1000, 1000, 1000, 2000]);
  });

  it("applies every named limit at once (per-key and per-IP)", async () => {
    const clock = virtualClock();
    const rl = new RateLimiter({ user: { limit: 10, intervalMs: 1000 }, ip: { limit: 12, intervalMs: 60000 } }, clock);
    const starts: number[] = [];
    for (let i = 0; i < 13; i++) await rl.acquire(["user", "ip"]).then(() => starts.push(clock.now()));
    expect(starts.slice(0, 10)).toEqual(Array(10).fill(0));
    expect(starts[10]).toBe(1000);
    expect(starts[12]).toBe(60000);
  });

  it("ignores limits it does not know", async () => {
    const rl = new RateLimiter({});
    await expect(rl.acquire(["nope"])).resolves.toBeUndefined();
  });
});

describe("XT client rate limiting", () => {
  it("reads XT's limits from the spec", () => {
    expect(meta.rateLimits.balance).toMatchObject({ limit: 3, intervalMs: 1000 });
    expect(meta.rateLimits.user).toMatchObject({ limit: 10, intervalMs: 1000 });
    expect(meta.rateLimits.ip).toMatchObject({ limit: 1000, intervalMs: 60000 });
    expect(meta.operations.find((o) => o.operationId === "getBalance")!.rateLimit).toContain("balance");
  });

  it("holds the 4th balance call of a second back instead of failing it; a shared limiter spans clients", async () => {
    const { fetch, calls } = recordingFetch(() => json({ code: 200, info: "success", data: {} }));
    const shared = createXtRateLimiter();
    const a = createXtClient({ accessKey: "k", secretKey: "s", fetch, baseUrl: "https://xt.test", rateLimit: shared });
    const b = createXtClient({ accessKey: "k", secretKey: "s", fetch, baseUrl: "https://xt.test", rateLimit: shared });
    const t0 = Date.now();
    const done: number[] = [];
    await Promise.all([a, b, a, b].map((c) => c.call("getBalance").then(() => done.push(Date.now() - t0))));
    expect(calls).toHaveLength(4);
    done.sort((x, y) => x - y);
    expect(done[2]!).toBeLessThan(900);
    expect(done[3]!).toBeGreaterThanOrEqual(950);
  });

  it("rateLimit: false turns it off", async () => {
    const { fetch } = recordingFetch(() => json({ code: 200, info: "success", data: {} }));
    const c = createXtClient({ accessKey: "k", secretKey: "s", fetch, baseUrl: "https://xt.test", rateLimit: false });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 8 }, () => c.call("getBalance")));
    expect(Date.now() - t0).toBeLessThan(500);
    expect(c.rateLimiter).toBeNull();
  });
});
