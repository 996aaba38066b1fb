/**
 * A call whose process stalls (a long synchronous task, a debugger, a GC pause) while its
 * request is on the way: the time the event loop was blocked is not the server's. Its timer,
 * firing more than a second late, gives the call its timeout once more, so an order is not
 * failed as "may have taken effect" because this process was busy. A server that is really
 * silent still times out (after the timeout, and after the second one when a stall came first).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { TimeoutError } from "../../src/handwritten/core/errors.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";

const ORDER = { market: "btc_usdt", price: 1, number: 1, type: 1 as const, entrustType: 0 as const };
const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* the event loop is blocked */
  }
};

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? (server.closeAllConnections(), server.close(() => r())) : r())));

async function serve(onConnection: () => void, answer: boolean): Promise<string> {
  server = createServer((_req, res) => {
    if (!answer) return;
    res.setHeader("content-type", "application/json");
    res.end('{"code":200,"info":"success","data":{"id":7}}');
  });
  server.on("connection", onConnection);
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("an event-loop stall while a call is on the way", () => {
  it("is no timeout of the call: the order is answered", async () => {
    const baseUrl = await serve(() => busy(1_600), true);
    const xt = createXtClient({ accessKey: "ak", secretKey: "sk", baseUrl, timeoutMs: 300, retry: false, rateLimit: false });
    await expect(xt.call("order", ORDER)).resolves.toEqual({ id: 7 });
  });

  it("a server that stays silent still times out, after the one more timeout a stall gives", async () => {
    const baseUrl = await serve(() => busy(1_600), false);
    const xt = createXtClient({ accessKey: "ak", secretKey: "sk", baseUrl, timeoutMs: 300, retry: false, rateLimit: false });
    const started = performance.now();
    const e = await xt.call("order", ORDER).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as TimeoutError).outcomeUnknown).toBe(true);
    expect(performance.now() - started).toBeLessThan(1_600 + 300 * 2 + 1_000);
  });

  it("with a timeout of 5 s or more (no native timer: the shared sweep's deadline), an answer that came during the stall is read, not timed out", async () => {
    server = createServer((_req, res) => {
      setTimeout(() => {
        res.setHeader("content-type", "application/json");
        res.end('{"code":200,"info":"success","data":{"id":7}}');
      }, 50);
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const xt = createXtClient({ accessKey: "ak", secretKey: "sk", baseUrl, timeoutMs: 5_000, retry: false, rateLimit: false });
    await xt.call("getServerTime").catch(() => undefined); // a pooled connection: the order goes out at once
    const order = xt.call("order", ORDER);
    await new Promise((r) => setTimeout(r, 20));
    busy(5_300); // past the deadline; the answer waits in the socket
    await expect(order).resolves.toEqual({ id: 7 });
  }, 15_000);

  it("without a stall, the timeout is the timeout", async () => {
    const baseUrl = await serve(() => undefined, false);
    const xt = createXtClient({ accessKey: "ak", secretKey: "sk", baseUrl, timeoutMs: 300, retry: false, rateLimit: false });
    const started = performance.now();
    await expect(xt.call("order", ORDER)).rejects.toBeInstanceOf(TimeoutError);
    expect(performance.now() - started).toBeLessThan(300 + 500);
  });
});
