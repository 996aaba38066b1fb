/**
 * One AbortSignal shared by many calls (a service's shutdown signal, given to the client and to
 * every call): the signal holds one listener of the library's however many calls wait on it,
 * so Node prints no MaxListenersExceededWarning (it warns past 10 listeners on a signal, which
 * reads as a leak in the caller's logs); aborting it still ends every call; once the calls are
 * over, no listener is left. On each road: REST over undici (short and long timeouts) and over
 * an injected fetch, the rate limiter's queue, Xele's calls and in-flight queue, quant-ws
 * requests and notification streams. (Every wait listens through core/abort.ts `onAbort`.)
 */
import { getEventListeners } from "node:events";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { onAbort } from "../../src/handwritten/core/abort.js";
import { AbortedError } from "../../src/handwritten/core/errors.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME } from "../../src/mock/xele.js";
import { creds, rejection, setup } from "../quant-ws/helpers.js";

const N = 40;
const listeners = (s: AbortSignal) => getEventListeners(s, "abort").length;

let warnings: string[];
const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
beforeEach(() => {
  warnings = [];
  process.on("warning", onWarning);
});
afterEach(() => {
  process.off("warning", onWarning);
});

/** Wait for what `process.emitWarning` sends (it is emitted on the next tick). */
const settled = () => new Promise((r) => setImmediate(r));

/** An XT-shaped server that holds every request until `release()` (or answers at once when `hold` is false). */
async function holdingServer() {
  const held: ServerResponse[] = [];
  let arrived = 0;
  const server = createServer((_req, res) => {
    arrived++;
    held.push(res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  onTestFinished(() => new Promise<void>((r) => server.close(() => r())));
  const answer = (res: ServerResponse) => res.writeHead(200, { "content-type": "application/json" }).end('{"code":200,"info":"SUCCESS","data":{}}');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrived: () => arrived,
    release: () => held.splice(0).forEach(answer),
    drop: () => held.splice(0).forEach((res) => res.destroy()),
  };
}

async function until(test: () => boolean, what: string): Promise<void> {
  const t0 = Date.now();
  while (!test()) {
    if (Date.now() - t0 > 5_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("onAbort", () => {
  it("runs every listener once, in order, on one listener of the signal; a detached one does not run", () => {
    const ac = new AbortController();
    const ran: number[] = [];
    const offs = [0, 1, 2, 3].map((i) => onAbort(ac.signal, () => ran.push(i)));
    // The same function twice is two waits.
    const twice = () => ran.push(9);
    onAbort(ac.signal, twice);
    onAbort(ac.signal, twice);
    expect(listeners(ac.signal)).toBe(1);
    offs[1]!();
    ac.abort();
    expect(ran).toEqual([0, 2, 3, 9, 9]);
    expect(listeners(ac.signal)).toBe(0);
  });

  it("the last detach removes the signal's listener; an aborted signal takes none and never runs it", () => {
    const ac = new AbortController();
    const a = onAbort(ac.signal, () => undefined);
    const b = onAbort(ac.signal, () => undefined);
    a();
    expect(listeners(ac.signal)).toBe(1);
    b();
    b();
    expect(listeners(ac.signal)).toBe(0);
    // Waits after all have left start afresh.
    let ran = 0;
    onAbort(ac.signal, () => ran++);
    ac.abort();
    expect(ran).toBe(1);
    const gone = AbortSignal.abort();
    onAbort(gone, () => ran++);
    expect(listeners(gone)).toBe(0);
    expect(ran).toBe(1);
  });

  it("a listener that detaches another during the abort stops it, as EventTarget does", () => {
    const ac = new AbortController();
    const ran: string[] = [];
    let offB = () => undefined as void;
    onAbort(ac.signal, () => {
      ran.push("a");
      offB();
    });
    offB = onAbort(ac.signal, () => ran.push("b"));
    onAbort(ac.signal, () => ran.push("c"));
    ac.abort();
    expect(ran).toEqual(["a", "c"]);
  });
});

describe("a signal shared by many REST calls", () => {
  for (const [road, timeoutMs] of [
    ["undici, a timeout under 5 s (a native timer)", 2_000],
    ["undici, a long timeout", 30_000],
    ["an injected fetch", 30_000],
  ] as const) {
    it(`${road}: one listener while ${N} calls wait, none after, no warning`, async () => {
      const server = await holdingServer();
      const ac = new AbortController();
      const xt = createXtClient({
        baseUrl: server.url,
        accessKey: "ak",
        secretKey: "sk",
        rateLimit: false,
        signal: ac.signal,
        timeoutMs,
        ...(road.includes("fetch") ? { fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init) } : {}),
      });
      const calls = Array.from({ length: N }, () => xt.call("getBalance", {}, { signal: ac.signal }));
      await until(() => server.arrived() === N, `${N} requests`);
      const waiting = listeners(ac.signal);
      server.release();
      await Promise.all(calls);
      expect(waiting).toBe(1);
      await settled();
      expect(listeners(ac.signal)).toBe(0);
      expect(warnings).toEqual([]);
    });
  }

  it("aborting it ends every call (AbortedError naming the operation) and leaves no listener", async () => {
    const server = await holdingServer();
    const ac = new AbortController();
    const xt = createXtClient({ baseUrl: server.url, accessKey: "ak", secretKey: "sk", rateLimit: false, timeoutMs: 30_000 });
    const calls = Array.from({ length: N }, () => rejection(xt.call("getBalance", {}, { signal: ac.signal })));
    await until(() => server.arrived() === N, `${N} requests`);
    ac.abort();
    const errors = await Promise.all(calls);
    for (const e of errors) expect(e).toMatchObject({ name: "AbortedError", operation: "getBalance" });
    expect(errors[0]).toBeInstanceOf(AbortedError);
    server.drop();
    expect(listeners(ac.signal)).toBe(0);
    await settled();
    expect(warnings).toEqual([]);
  });

  it("the rate limiter's queue: calls waiting for their turn hold one listener", async () => {
    const server = await holdingServer();
    const ac = new AbortController();
    // XT's default limiter lets 10 a second through; the rest wait in its queue.
    const xt = createXtClient({ baseUrl: server.url, accessKey: "ak", secretKey: "sk", timeoutMs: 30_000 });
    const calls = Array.from({ length: N }, () => rejection(xt.call("getBalance", {}, { signal: ac.signal })));
    await until(() => server.arrived() >= 1, "the first request");
    await settled();
    const [arrived, waiting] = [server.arrived(), listeners(ac.signal)];
    ac.abort();
    for (const e of await Promise.all(calls)) expect(e).toBeInstanceOf(AbortedError);
    server.drop();
    expect(arrived).toBeLessThan(N);
    expect(waiting).toBe(1);
    expect(listeners(ac.signal)).toBe(0);
    await settled();
    expect(warnings).toEqual([]);
  });
});

describe("a signal shared by many Xele calls", () => {
  it("calls in flight and calls queued for an in-flight slot hold one listener", async () => {
    const mock = await startXeleMock();
    onTestFinished(() => mock.close());
    const ac = new AbortController();
    const xele = createXeleClient({ maUrl: mock.maUrl, msUrl: mock.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD, maxInFlight: 2, signal: ac.signal });
    await xele.login();
    mock.settings.latencyMs = 2_000;
    const calls = Array.from({ length: N }, () => rejection(xele.call("getCounterStatus", undefined, { signal: ac.signal })));
    await until(() => xele.inFlight.MS.inFlight === 2, "two calls in flight");
    const waiting = listeners(ac.signal);
    ac.abort();
    for (const e of await Promise.all(calls)) expect(e).toBeInstanceOf(AbortedError);
    expect(xele.inFlight.MS.inFlight).toBe(0);
    expect(waiting).toBe(1);
    expect(listeners(ac.signal)).toBe(0);
    await settled();
    expect(warnings).toEqual([]);
  });
});

describe("a signal shared by many quant-ws requests", () => {
  it(`${N} requests in flight and ${N} notification streams hold one listener; aborting ends them all`, async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    mock.silence("asset");
    const ac = new AbortController();
    const asked = Array.from({ length: N }, () => rejection(session.asset({ signal: ac.signal, timeoutMs: 10_000 })));
    const streams = Array.from({ length: N }, () => session.stream("order", { signal: ac.signal }));
    await until(() => mock.received.filter((r) => typeof r.frame === "object" && r.frame.op === "asset").length === N, `${N} asset requests`);
    const waiting = listeners(ac.signal);
    ac.abort();
    for (const e of await Promise.all(asked)) expect(e).toBeInstanceOf(AbortedError);
    for (const s of streams) expect(await s.next()).toEqual({ value: undefined, done: true });
    expect(waiting).toBe(1);
    expect(listeners(ac.signal)).toBe(0);
    await settled();
    expect(warnings).toEqual([]);
  });
});
