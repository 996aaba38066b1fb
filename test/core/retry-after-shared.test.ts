/**
 * A 429's Retry-After holds every client sharing the rate limiter of the one it answered (the
 * same key, as the README says to share one): B's calls went out inside the hold A was given.
 */
import { describe, expect, it } from "vitest";
import { RateLimitError } from "../../src/handwritten/core/errors.js";
import { createXtClient, createXtRateLimiter } from "../../src/handwritten/xt/client.js";
import { rejection } from "../helpers/rejection.js";

describe("a Retry-After hold is kept on the shared rate limiter", () => {
  it("a client sharing the limiter of the client that got a 429 waits the hold out; one with its own limiter does not", async () => {
    const t0 = performance.now();
    const sent: Array<[string, number]> = [];
    let first = true;
    const fetchAs = (who: string) =>
      (async () => {
        sent.push([who, performance.now() - t0]);
        if (first) {
          first = false;
          return new Response(JSON.stringify({ code: 429, info: "too many requests" }), { status: 429, headers: { "content-type": "application/json", "retry-after": "1" } });
        }
        return new Response(JSON.stringify({ code: 200, info: "success", data: { serverTime: 1700000000000 } }), { headers: { "content-type": "application/json" } });
      }) as typeof globalThis.fetch;
    const shared = createXtRateLimiter();
    const make = (who: string, rateLimit: ReturnType<typeof createXtRateLimiter>) => createXtClient({ accessKey: "k", secretKey: "s", baseUrl: "https://xt.test", fetch: fetchAs(who), rateLimit, retry: false });
    const a = make("A", shared);
    const b = make("B", shared);
    const other = make("other", createXtRateLimiter());
    expect(await rejection(a.call("getServerTime"))).toBeInstanceOf(RateLimitError);
    await Promise.all([b.call("getServerTime"), other.call("getServerTime")]);
    const at = Object.fromEntries(sent.slice(1));
    expect(at.other!).toBeLessThan(500);
    expect(at.B!).toBeGreaterThanOrEqual(900);
  });
});
