/**
 * A team's tests use fake timers (vitest's `vi.useFakeTimers()`), sometimes with only the clock
 * faked. The library's own timers keep working around them:
 * - the one interval that ends bodies past their deadline (calls with a timeout of 5 s or more)
 *   is made anew when the timers it was made with are gone (one made under fake timers never
 *   fired once the real ones were back: every later body in the file had no deadline);
 * - with the clock standing still and real timers (`toFake: ["Date", "performance"]`), the rate
 *   limiter's wait and a Quant gateway request's timeout still end (each waited the same wait
 *   again forever).
 */
import { createServer, type Server } from "node:http";
import { setTimeout as realSleep } from "node:timers/promises";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TimeoutError } from "../../src/handwritten/core/errors.js";
import { RateLimiter } from "../../src/handwritten/core/rate-limit.js";
import { createQuantWsClient } from "../../src/handwritten/quant-ws/index.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME } from "../../src/mock/xele.js";
import { ETH, startMock } from "../quant-ws/helpers.js";

afterEach(() => {
  vi.useRealTimers();
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("fake timers in the tests of a service", () => {
  it("calls past maxInFlight get their turn under fake timers (a freed slot is handed on by Node's own setImmediate)", async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"code":200,"info":"success","data":{"serverTime":1700000000000}}');
      });
    });
    const url = await listen(server);
    try {
      vi.useFakeTimers();
      const { createXtClient } = await import("../../src/handwritten/xt/client.js");
      const xt = createXtClient({ accessKey: "ak", secretKey: "sk", baseUrl: url, rateLimit: false, maxInFlight: 2, timeoutMs: 30_000 });
      const all = Promise.all(Array.from({ length: 12 }, () => xt.call("getServerTime")));
      // (fake timers on throughout; the wait's bound is Node's own timer)
      await expect(Promise.race([all, realSleep(3_000, "held")])).resolves.toHaveLength(12);
    } finally {
      vi.useRealTimers();
      server.close();
    }
  });

  it("a call made under fake timers leaves later calls their body deadline", { timeout: 20_000 }, async () => {
    const mock = await startXeleMock();
    // A server that sends its answer's body a byte every 200 ms: only the body deadline ends it.
    const trickle = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const t = setInterval(() => res.write(" "), 200);
      res.on("close", () => clearInterval(t));
    });
    const trickleUrl = await listen(trickle);
    try {
      vi.useFakeTimers();
      const before = createXeleClient({ maUrl: mock.maUrl, msUrl: mock.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD, timeoutMs: 6_000 });
      await expect(before.call("getCounterStatus")).resolves.toBeTruthy();
      vi.useRealTimers();
      const after = createXeleClient({ maUrl: trickleUrl, msUrl: trickleUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD, timeoutMs: 5_000, retry: false });
      const started = performance.now();
      const e = await after.login().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(TimeoutError);
      expect(performance.now() - started).toBeLessThan(9_000);
    } finally {
      vi.useRealTimers();
      trickle.closeAllConnections();
      trickle.close();
      await mock.close();
    }
  });

  it("the rate limiter's wait ends with the clock standing still", async () => {
    vi.useFakeTimers({ toFake: ["Date", "performance"] });
    const limiter = new RateLimiter({ r: { limit: 1, intervalMs: 100 } });
    await limiter.acquire(["r"]);
    const second = limiter.acquire(["r"]).then(() => "acquired");
    const late = new Promise((r) => setTimeout(() => r("still waiting"), 2_000));
    expect(await Promise.race([second, late])).toBe("acquired");
  });

  it("a Quant gateway request times out with the clock standing still", async () => {
    const mock = await startMock();
    const client = createQuantWsClient({ url: mock.url, pingIntervalMs: 0, reconnect: false, requestTimeoutMs: 300 });
    try {
      const session = await client.login({ platform: "huobi", symbols: [ETH], accessKey: "key-frank-0006", secretKey: "secret-frank-0006" });
      mock.silence("position");
      vi.useFakeTimers({ toFake: ["Date", "performance"] });
      const asked = session.position(ETH).then(() => "answered", (e: unknown) => e);
      const late = new Promise((r) => setTimeout(() => r("no timeout"), 3_000));
      expect(await Promise.race([asked, late])).toBeInstanceOf(TimeoutError);
    } finally {
      vi.useRealTimers();
      await client.close();
    }
  });
});
