/**
 * Per-call `{ signal, timeoutMs }` on the Xele client's `call`, `streamRows` and export helpers,
 * as on every other client's `call()`: they apply to that call only, an abort (and a per-call timeoutMs) also ends a wait
 * for the login or for an in-flight slot, and a bad option is a UsageError before anything is
 * sent. Against the two-port emulator, with its latency setting holding answers back.
 */
import { getEventListeners } from "node:events";
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { AbortedError, TimeoutError, UsageError } from "../../src/handwritten/core/errors.js";
import type { CallOptions } from "../../src/handwritten/core/http-transport.js";
import { InFlightLimit } from "../../src/handwritten/core/in-flight.js";
import { createXeleClient, type XeleCallArgs, type XeleClientOptions } from "../../src/handwritten/xele/client.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME, type XeleMock } from "../../src/mock/xele.js";

let mock: XeleMock;
beforeAll(async () => {
  mock = await startXeleMock();
});
afterAll(() => mock.close());
afterEach(() => {
  mock.settings.latencyMs = 0;
});

const client = (extra: XeleClientOptions = {}) =>
  createXeleClient({ maUrl: mock.maUrl, msUrl: mock.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD, ...extra });

const abortAfter = (ms: number) => AbortSignal.timeout(ms);

describe("xele per-call options", () => {
  it("timeoutMs applies to this call only (per attempt, as the client's own)", async () => {
    const c = client({ timeoutMs: 5_000, retry: false });
    await c.login();
    mock.settings.latencyMs = 800;
    const started = performance.now();
    const err = await c.call("getCounterStatus", undefined, { timeoutMs: 60 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).timeoutMs).toBe(60);
    expect((err as TimeoutError).operation).toBe("getCounterStatus");
    expect(performance.now() - started).toBeLessThan(700);
    // The client's own timeout is untouched: the next call waits for the slow answer.
    await expect(c.call("getCounterStatus")).resolves.toBeDefined();
  });

  it("a signal aborts the request in flight", async () => {
    const c = client();
    await c.login();
    mock.settings.latencyMs = 800;
    const started = performance.now();
    const err = await c.call("getInvestorFunds", { content: "777001" }, { signal: abortAfter(40) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect((err as AbortedError).operation).toBe("getInvestorFunds");
    expect(performance.now() - started).toBeLessThan(700);
  });

  it("a signal ends the wait for an in-flight slot and leaves the queue working", async () => {
    const c = client({ maxInFlight: 1 });
    await c.login();
    mock.settings.latencyMs = 600;
    const first = c.call("getCounterStatus");
    const started = performance.now();
    const waiting = c.call("getCounterStatus", undefined, { signal: abortAfter(30) }).catch((e: unknown) => e);
    const after = c.call("getCounterStatus");
    const err = await waiting;
    expect(err).toBeInstanceOf(AbortedError);
    expect(performance.now() - started).toBeLessThan(450);
    expect(c.inFlight.MS.inFlight).toBe(1);
    await expect(first).resolves.toBeDefined();
    await expect(after).resolves.toBeDefined();
    expect(c.inFlight.MS.inFlight).toBe(0);
  });

  it("a wait for a slot ends after the call's timeoutMs: a call awaited inside a row stream's loop does not wait for itself", async () => {
    const c = client({ maxInFlight: 1, retry: { sleep: () => Promise.resolve() } });
    await c.login();
    const rows = c.streamRows("queryOrders");
    await rows.next(); // the stream holds the one MS slot until its loop ends
    const started = performance.now();
    // A read (retried on timeouts): the wait for the slot is not, it would only queue again.
    const err = await c.call("getCounterStatus", undefined, { timeoutMs: 150 }).catch((e: unknown) => e);
    const waited = performance.now() - started;
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ api: "xele", operation: "getCounterStatus", timeoutMs: 150 });
    expect((err as TimeoutError).outcomeUnknown).not.toBe(true);
    expect((err as Error).message).toMatch(/no MS in-flight slot came free within 150 ms: all 1 are held, 1 of them by row streams .*nothing was sent/);
    expect(waited).toBeGreaterThanOrEqual(140);
    expect(waited).toBeLessThan(290);
    // The timed-out waiter left the queue: once the stream ends, the slot is free at once.
    await rows.return(undefined);
    expect(c.inFlight.MS.inFlight).toBe(0);
    await expect(c.call("getCounterStatus", undefined, { timeoutMs: 150 })).resolves.toBeDefined();
    // A stream's own wait is bounded the same way.
    const holder = c.streamRows("queryOrders");
    await holder.next();
    const second = c.streamRows("queryOrders", undefined, { timeoutMs: 100 });
    await expect(second.next()).rejects.toThrow(/no MS in-flight slot came free within 100 ms/);
    await holder.return(undefined);
    expect(c.inFlight.MS.inFlight).toBe(0);
  });

  it("a slot wait's TimeoutError names row streams only when one holds a slot (a burst to a slow counter was blamed on a stream)", async () => {
    const limit = new InFlightLimit(1, "MS");
    const call = await limit.acquire();
    const busy = (await limit.acquire(undefined, { api: "xele", operation: "getCounterStatus" }, 30).then(() => undefined, (e: unknown) => e)) as Error;
    expect(busy).toBeInstanceOf(TimeoutError);
    expect(busy.message).toBe("xele getCounterStatus: no MS in-flight slot came free within 30 ms: all 1 are held by calls in flight, 0 more waiting (a busy counter: pass a larger timeoutMs or maxInFlight, or send fewer at once); nothing was sent");
    call();
    const stream = await limit.acquire(undefined, undefined, undefined, true);
    const inLoop = (await limit.acquire(undefined, undefined, 30).then(() => undefined, (e: unknown) => e)) as Error;
    expect(inLoop.message).toMatch(/all 1 are held, 1 of them by row streams \(a stream holds one until its loop ends/);
    stream();
    expect(limit.inFlight).toBe(0);
  });

  it("a signal shaped like an AbortSignal (a polyfill's) is taken, as the client option is", async () => {
    const c = client();
    await c.login();
    mock.settings.latencyMs = 800;
    const ac = new AbortController();
    const shaped = {
      get aborted() {
        return ac.signal.aborted;
      },
      get reason() {
        return ac.signal.reason as unknown;
      },
      addEventListener: ac.signal.addEventListener.bind(ac.signal),
      removeEventListener: ac.signal.removeEventListener.bind(ac.signal),
    };
    const started = performance.now();
    setTimeout(() => ac.abort("stop"), 40);
    const err = await c.call("getCounterStatus", undefined, { signal: shaped as unknown as AbortSignal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect(err).toMatchObject({ operation: "getCounterStatus", cause: "stop" });
    expect(performance.now() - started).toBeLessThan(700);
  });

  it("the client's own signal ends the wait between attempts at once", async () => {
    const stop = new AbortController();
    const c = client({ signal: stop.signal, timeoutMs: 50, retry: { baseDelayMs: 5_000, maxDelayMs: 5_000, random: () => 1 } });
    await c.login();
    mock.settings.latencyMs = 600;
    const call = c.call("getCounterStatus").catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 150)); // the first attempt timed out; the 5 s backoff runs
    const t0 = performance.now();
    stop.abort();
    const err = await call;
    expect(err).toBeInstanceOf(AbortedError);
    expect(err).toMatchObject({ api: "xele", operation: "getCounterStatus" });
    expect(performance.now() - t0).toBeLessThan(1_000);
  });

  it("the client's own signal ends a wait for a slot at once too", async () => {
    const stop = new AbortController();
    const c = client({ maxInFlight: 1, signal: stop.signal });
    await c.login();
    mock.settings.latencyMs = 600;
    const first = c.call("getCounterStatus").catch((e: unknown) => e);
    const started = performance.now();
    const waiting = c.call("getCounterStatus").catch((e: unknown) => e);
    setTimeout(() => stop.abort(), 30);
    for (const err of [await waiting, await first]) {
      expect(err).toBeInstanceOf(AbortedError);
      expect(err).toMatchObject({ api: "xele", operation: "getCounterStatus" });
    }
    expect(performance.now() - started).toBeLessThan(450);
    expect(c.inFlight.MS.inFlight).toBe(0);
    const rows = c.streamRows("queryOrders", {});
    await expect(rows.next()).rejects.toBeInstanceOf(AbortedError);
  });

  it("a signal ends the wait for the login; the shared login goes on for the others", async () => {
    mock.settings.latencyMs = 250;
    const c = client();
    const other = c.call("getCounterStatus");
    const err = await c.call("getCounterStatus", undefined, { signal: abortAfter(30) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    await expect(other).resolves.toBeDefined();
  });

  it("a call's timeoutMs ends its wait for the login too (call and streamRows); the shared login goes on for the others", async () => {
    mock.settings.latencyMs = 400;
    const c = client({ timeoutMs: 5_000 });
    const other = c.call("getCounterStatus");
    const before = mock.stats.requests.MS ?? 0;
    for (const wait of [
      () => c.call("getCounterStatus", undefined, { timeoutMs: 80 }),
      () => c.streamRows("queryOrders", {}, { timeoutMs: 80 }).next(),
    ]) {
      const started = performance.now();
      const err = await wait().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TimeoutError);
      expect(err).toMatchObject({ api: "xele", timeoutMs: 80 });
      expect((err as Error).message).toMatch(/: no login within 80 ms \(this call's timeoutMs\): nothing was sent/);
      expect(performance.now() - started).toBeLessThan(350);
    }
    await expect(other).resolves.toBeDefined();
    expect(c.session.loginCount).toBe(1);
    expect((mock.stats.requests.MS ?? 0) - before).toBe(1);
    // With a token held, the same option bounds the request only.
    mock.settings.latencyMs = 0;
    await expect(c.call("getCounterStatus", undefined, { timeoutMs: 80 })).resolves.toBeDefined();
  });

  it("before the first login, a timeoutMs with a fraction is whole ms (as every attempt's) and null is none, not a bare RangeError", async () => {
    mock.settings.latencyMs = 300;
    const c = client({ timeoutMs: 5_000 });
    for (const wait of [() => c.call("getCounterStatus", undefined, { timeoutMs: 40.5 }), () => c.streamRows("queryOrders", {}, { timeoutMs: 40.5 }).next()]) {
      const err = await wait().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TimeoutError);
      expect((err as Error).message).toMatch(/: no login within 41 ms \(this call's timeoutMs\)/);
    }
    const fresh = client({ timeoutMs: 5_000 });
    await expect(fresh.call("getCounterStatus", undefined, { timeoutMs: null } as never)).resolves.toBeDefined();
    await expect(client().streamRows("queryOrders", {}, { timeoutMs: null } as never).next()).resolves.toBeDefined();
  });

  it("an abort ends streamRows at the next row (not after the rows already read) and frees its slot at once, even while the caller is not reading", async () => {
    const c = client({ maxInFlight: 1 });
    await c.login();
    const ctl = new AbortController();
    const rows = c.streamRows("queryOrders", {}, { signal: ctl.signal });
    expect((await rows.next()).done).toBe(false); // (the emulator's 3 rows came in one chunk)
    expect(c.inFlight.MS.inFlight).toBe(1);
    ctl.abort(new Error("stop"));
    expect(c.inFlight.MS.inFlight).toBe(0);
    await expect(rows.next()).rejects.toBeInstanceOf(AbortedError);
    await expect(c.call("getCounterStatus", undefined, { timeoutMs: 2_000 })).resolves.toBeDefined();
    // Streams sharing one signal hold one listener on it, not one each (no MaxListenersExceededWarning).
    const many = client({ maxInFlight: 16 });
    const shared = new AbortController();
    const open = Array.from({ length: 12 }, () => many.streamRows("queryOrders", {}, { signal: shared.signal }));
    await Promise.all(open.map((r) => r.next()));
    expect(getEventListeners(shared.signal, "abort").length).toBeLessThanOrEqual(1);
    await Promise.all(open.map((r) => r.return(undefined)));
  });

  it("an aborted signal sends nothing", async () => {
    const c = client();
    const before = { ...mock.stats.requests };
    const gone = AbortSignal.abort();
    await expect(c.call("getCounterStatus", undefined, { signal: gone })).rejects.toBeInstanceOf(AbortedError);
    const rows = c.streamRows("queryOrders", {}, { signal: gone });
    await expect(rows.next()).rejects.toBeInstanceOf(AbortedError);
    expect(mock.stats.requests).toEqual(before);
  });

  it("a bad option is a UsageError naming the operation, before the login", async () => {
    const before = { ...mock.stats.requests };
    const c = client();
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, "50" as unknown as number]) {
      const err = await c.call("getCounterStatus", undefined, { timeoutMs: bad }).catch((e: unknown) => e);
      expect(err, String(bad)).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(/xele getCounterStatus: timeoutMs must be/);
    }
    await expect(c.call("getCounterStatus", undefined, { signal: "no" as unknown as AbortSignal })).rejects.toThrow(/signal must be an AbortSignal/);
    await expect(c.call("getCounterStatus", undefined, 5 as unknown as CallOptions)).rejects.toThrow(/call options must be an object/);
    await expect(c.streamRows("queryOrders", {}, { timeoutMs: -5 }).next()).rejects.toBeInstanceOf(UsageError);
    expect(mock.stats.requests).toEqual(before);
  });

  it("streamRows: timeoutMs covers the wait for the answer", async () => {
    const c = client();
    await c.login();
    mock.settings.latencyMs = 800;
    const err = await c.streamRows("queryOrders", {}, { timeoutMs: 60 }).next().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    mock.settings.latencyMs = 0;
    let n = 0;
    for await (const _ of c.streamRows("queryOrders", {}, { timeoutMs: 5_000 })) n++;
    expect(n).toBeGreaterThan(0);
  });

  it("the export helpers take the options too", async () => {
    const c = client();
    await c.login();
    mock.settings.latencyMs = 800;
    await expect(c.exportClientSystemInfo({ trading_day: "20260101" }, { timeoutMs: 60 })).rejects.toBeInstanceOf(TimeoutError);
    await expect(c.saveClientSystemExport({ trading_day: "20260101" }, "/nonexistent-dir-never-written", { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
  });

  it("types: options come after the data; an operation without data takes undefined there", () => {
    expectTypeOf<XeleCallArgs<"getCounterStatus">>().toEqualTypeOf<[data?: undefined, options?: CallOptions]>();
    expectTypeOf<XeleCallArgs<"getInvestorFunds">[1]>().toEqualTypeOf<CallOptions | undefined>();
    const c = client();
    // @ts-expect-error: not a call option
    void c.call("getCounterStatus", undefined, { timeout: 5 }).catch(() => undefined);
    // @ts-expect-error: an operation without data takes no data
    void c.call("getCounterStatus", { content: "1" }).catch(() => undefined);
  });
});

describe("a request that waited for a slot", () => {
  it("carries the newest token held when it leaves, not the one held when it was made", async () => {
    // An emulator of its own: what it receives is this test's requests alone.
    const own = await startXeleMock();
    const c = createXeleClient({ maUrl: own.maUrl, msUrl: own.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD, maxInFlight: 1, retry: false });
    await c.login();
    const first = c.session.currentToken();
    // The first call holds the one MS slot (its answer slowed until the new login is in); the call
    // and the row stream behind it wait for it.
    own.settings.latencyMs = 1_500;
    const msBefore = own.stats.requests.MS;
    const holding = c.call("getCounterStatus");
    const waiting = c.call("getSystemInfo");
    const rows: unknown[] = [];
    const streamed = (async () => {
      for await (const row of c.streamRows("queryOrders", {})) rows.push(row);
    })();
    await expect.poll(() => own.stats.requests.MS, { timeout: 5_000, interval: 5 }).toBe(msBefore + 1);
    // A new login while they wait (the emulator still takes the old token: both would be answered).
    own.settings.latencyMs = 0;
    await c.login();
    const second = c.session.currentToken();
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    await Promise.all([holding, waiting, streamed]);
    await own.close();
    const sent = own.received.filter((r) => r.server === "MS").map((r) => [r.operationId, r.json.token]);
    expect(sent).toEqual([
      ["getCounterStatus", first],
      ["getSystemInfo", second],
      ["queryOrders", second],
    ]);
  });
});
