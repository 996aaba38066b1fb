/**
 * An abort ends every wait of a call at once, not only the request in flight: the wait
 * between attempts (backoff) on every client that retries, and (rate-limit.test.ts) the rate
 * limiter's queue. A call that is aborted while it waits rejects with AbortedError naming the
 * operation, sends nothing more, and leaves no listener on the caller's signal.
 */
import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { pause, unlessAborted } from "../../src/handwritten/core/abort.js";
import { AbortedError, ConnectionError } from "../../src/handwritten/core/errors.js";
import { withRetries } from "../../src/handwritten/core/retry.js";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { recordingFetch } from "../helpers/recording-fetch.js";

const never = () => new Promise<void>(() => undefined);
const abortAt = (ms: number) => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), ms);
  return ac;
};
/** Retries that would wait 5 s between attempts. */
const slowRetry = { baseDelayMs: 5_000, maxDelayMs: 5_000, random: () => 1 };

describe("core waits", () => {
  it("withRetries: an abort during the backoff ends it at once with the abort's error, and no attempt follows", async () => {
    let attempts = 0;
    const stop = abortAt(20);
    const gaveUp = new Error("gave up");
    const t0 = performance.now();
    const run = withRetries(
      true,
      async () => {
        attempts++;
        throw new ConnectionError("refused");
      },
      { maxAttempts: 5, sleep: never },
      { signals: [undefined, stop.signal], error: () => gaveUp },
    );
    await expect(run).rejects.toBe(gaveUp);
    expect(attempts).toBe(1);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(getEventListeners(stop.signal, "abort")).toHaveLength(0);
  });

  it("pause: without an injected sleep, an abort clears the timer (the process is not held)", async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const stop = abortAt(10);
    const before = timers(); // with abortAt's own timer
    const t0 = performance.now();
    await expect(pause(60_000, undefined, { signals: [stop.signal], error: (s) => s.reason })).rejects.toMatchObject({ name: "AbortError" });
    expect(performance.now() - t0).toBeLessThan(500);
    // abortAt's timer has fired; a 60 s timer left behind would keep the event loop alive.
    expect(timers()).toBe(before - 1);
  });

  it("unlessAborted: an already aborted signal rejects at once; a later rejection of the promise is not unhandled; listeners are removed", async () => {
    const signal = AbortSignal.abort("gone");
    let fail!: (e: unknown) => void;
    const later = new Promise((_, reject) => (fail = reject));
    await expect(unlessAborted(later, { signals: [signal], error: (s) => s.reason })).rejects.toBe("gone");
    fail(new Error("the wait failed after the caller left"));
    await new Promise((r) => setTimeout(r, 10)); // vitest fails the run on an unhandled rejection

    const live = new AbortController();
    await expect(unlessAborted(Promise.resolve(7), { signals: [live.signal], error: () => "no" })).resolves.toBe(7);
    await expect(unlessAborted(Promise.reject(new Error("x")), { signals: [live.signal], error: () => "no" })).rejects.toThrow("x");
    expect(getEventListeners(live.signal, "abort")).toHaveLength(0);
  });
});

describe("clients: an abort during the backoff", () => {
  it("XT: a retryable call aborted between attempts is an AbortedError at once (call signal or client signal)", async () => {
    for (const where of ["call", "client"] as const) {
      const { fetch, calls } = recordingFetch(() => new Response("busy", { status: 503 }));
      const stop = abortAt(50);
      const xt = createXtClient({ accessKey: "k", secretKey: "s", fetch, baseUrl: "https://xt.test", rateLimit: false, retry: slowRetry, ...(where === "client" ? { signal: stop.signal } : {}) });
      const t0 = performance.now();
      const err = await xt.call("getBalance", undefined, where === "call" ? { signal: stop.signal } : undefined).catch((e: unknown) => e);
      expect(err, where).toBeInstanceOf(AbortedError);
      expect(err).toMatchObject({ api: "xt", operation: "getBalance" });
      expect(performance.now() - t0).toBeLessThan(1_000);
      expect(calls).toHaveLength(1);
      expect(getEventListeners(stop.signal, "abort")).toHaveLength(0);
    }
  });

  it("BHEX: a call retried with its idempotency key stops waiting when aborted", async () => {
    const { fetch, calls } = recordingFetch(() => new Response("bad gateway", { status: 502 }));
    const client = createBhexOrgClient({ accessKey: "k", secretKey: "s", fetch, baseUrl: "https://broker.test", rateLimit: false, idempotentRetry: slowRetry });
    const t0 = performance.now();
    const err = await client.callWithKey("financeLock", { user_id: 1, token_id: "BTC", amount: "1" }, { signal: abortAt(50).signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect(err).toMatchObject({ api: "bhex", operation: "financeLock" });
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(calls).toHaveLength(1);
  });
});
