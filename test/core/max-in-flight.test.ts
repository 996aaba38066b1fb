/**
 * A REST client sends at most `maxInFlight` calls at once (default 64): the rest wait their
 * turn, first come first served, each for at most its timeout. (A burst of 3,000 calls opened
 * 3,000 connections to the server, one per call in flight: servers that limit connections per
 * address refused some, and a low `ulimit -n` failed them.)
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { AbortedError, TimeoutError, UsageError } from "../../src/handwritten/core/errors.js";
import type { TransportEvent } from "../../src/handwritten/core/http-transport.js";
import { DEFAULT_MAX_IN_FLIGHT } from "../../src/handwritten/core/rest-client.js";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { rejection } from "../helpers/rejection.js";

const OK = JSON.stringify({ code: 200, info: "success", data: { serverTime: 1700000000000 } });

/** A server that answers each request after `delayMs`, counting requests and connections at once. */
async function counting(delayMs: number) {
  const seen = { requests: 0, now: 0, most: 0, connections: 0, open: 0, mostOpen: 0, held: [] as ServerResponse[], hold: delayMs < 0 };
  const server = createServer((req, res) => {
    seen.requests++;
    seen.most = Math.max(seen.most, ++seen.now);
    req.resume();
    req.on("end", () => {
      const end = () => {
        seen.now--;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(OK);
      };
      if (seen.hold) seen.held.push(Object.assign(res, { end2: end }));
      else setTimeout(end, Math.max(0, delayMs));
    });
  });
  server.on("connection", (s) => {
    seen.connections++;
    seen.mostOpen = Math.max(seen.mostOpen, ++seen.open);
    s.on("close", () => seen.open--);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}
const servers: Array<ReturnType<typeof createServer>> = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close(), s.closeAllConnections();
});

const KEYS = { accessKey: "ak", secretKey: "sk", rateLimit: false, retry: false } as const;

describe("maxInFlight", () => {
  it("a burst of 400 calls sends 64 at a time (connections too), and every call gets its answer", async () => {
    expect(DEFAULT_MAX_IN_FLIGHT).toBe(64);
    const { url, seen } = await counting(20);
    const xt = createXtClient({ ...KEYS, baseUrl: url });
    const answers = await Promise.all(Array.from({ length: 400 }, () => xt.call("getServerTime")));
    expect(answers).toHaveLength(400);
    expect(seen.requests).toBe(400);
    expect(seen.most).toBeLessThanOrEqual(64);
    expect(seen.mostOpen).toBeLessThanOrEqual(64);
  });

  it("Infinity: no cap (the burst opens a connection per call, as before)", async () => {
    const { url, seen } = await counting(50);
    const xt = createXtClient({ ...KEYS, baseUrl: url, maxInFlight: Infinity });
    await Promise.all(Array.from({ length: 150 }, () => xt.call("getServerTime")));
    expect(seen.most).toBeGreaterThan(64);
  });

  it("a call that finds no free slot within its timeout: TimeoutError naming the wait, nothing sent, not outcomeUnknown; an abort ends the wait", async () => {
    const { url, seen } = await counting(-1);
    const events: TransportEvent[] = [];
    const xt = createXtClient({ ...KEYS, baseUrl: url, maxInFlight: 2, timeoutMs: 10_000, onEvent: (e) => events.push(e) });
    const held = [xt.call("getServerTime"), xt.call("getServerTime")];
    await expect.poll(() => seen.held.length).toBe(2);
    const order = await rejection(xt.call("order", { market: "btc_usdt", price: 1, number: 1, type: 1, entrustType: 0 }, { timeoutMs: 100 }));
    expect(order).toBeInstanceOf(TimeoutError);
    expect(order.message).toBe(
      "xt order: no in-flight slot came free within 100 ms: all 2 are held by calls in flight, 0 more waiting (a busy server: pass a larger timeoutMs or maxInFlight, or send fewer at once); nothing was sent",
    );
    expect((order as TimeoutError).outcomeUnknown).toBeUndefined();
    // (an observer hears the attempt that ended waiting, as any other)
    expect(events).toEqual([expect.objectContaining({ operation: "order", method: "POST", attempt: 1, error: "TimeoutError" })]);
    expect(events[0]!.ms).toBeGreaterThanOrEqual(90);
    const ctl = new AbortController();
    const waiting = xt.call("getServerTime", {}, { signal: ctl.signal });
    ctl.abort();
    expect(await rejection(waiting)).toBeInstanceOf(AbortedError);
    // the held calls' slots come back: the next call is sent
    seen.hold = false;
    for (const r of seen.held) (r as unknown as { end2: () => void }).end2();
    await Promise.all(held);
    await expect(xt.call("getServerTime")).resolves.toEqual({ serverTime: 1700000000000 });
    expect(seen.requests).toBe(3);
  });

  it("a call waiting for the rate limiter's turn holds no slot: 100 getBalance (40 a second) do not hold up a getServerTime, nor fail for want of a slot", async () => {
    const { url, seen } = await counting(0);
    const { RateLimiter } = await import("../../src/handwritten/core/rate-limit.js");
    const limiter = new RateLimiter({ balance: { limit: 40, intervalMs: 1_000 }, user: { limit: 1_000, intervalMs: 1_000 }, ip: { limit: 1_000, intervalMs: 1_000 } });
    const xt = createXtClient({ accessKey: "ak", secretKey: "sk", retry: false, baseUrl: url, rateLimit: limiter, maxInFlight: 4, timeoutMs: 2_000 });
    const balances = Array.from({ length: 100 }, () => xt.call("getBalance").then(() => "ok", (e: Error) => e.name));
    const t0 = performance.now();
    await expect(xt.call("getServerTime")).resolves.toEqual({ serverTime: 1700000000000 });
    expect(performance.now() - t0).toBeLessThan(1_000);
    // (each sent and answered: none failed waiting for a slot; the stand-in server's answer is no balance)
    expect((await Promise.all(balances)).filter((r) => r === "TimeoutError")).toEqual([]);
    expect(seen.requests).toBe(101);
  }, 20_000);

  it("is checked when the client is made", () => {
    for (const bad of [0, 1.5, -1, Number.NaN, "8"]) {
      expect(() => createBhexOrgClient({ accessKey: "ak", secretKey: "sk", maxInFlight: bad as never })).toThrow(UsageError);
    }
    expect(() => createXtClient({ ...KEYS, maxInFlight: 0 })).toThrow("maxInFlight must be a whole number of calls of at least 1, or Infinity; got 0");
  });
});
