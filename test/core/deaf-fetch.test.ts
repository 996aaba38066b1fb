/**
 * An injected fetch that does not listen to its signal (a wrapper that drops `init.signal`, a
 * test double): the call's timeout and the caller's abort still end it, while the fetch waits
 * for the answer's head and while its body trickles or never ends (and ignores being cancelled).
 * And one that answers in other shapes than a promise of a Response: a Response as it is works;
 * anything else is a UsageError naming the fetch option, not a connection failure to retry.
 */
import { describe, expect, it, onTestFinished } from "vitest";
import { AbortedError, TimeoutError, UsageError } from "../../src/handwritten/core/errors.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME } from "../../src/mock/xele.js";
import { rejection } from "../helpers/rejection.js";

const never = <T>() => new Promise<T>(() => undefined);
/** A body that sends `first` (if any) and then nothing, ever; cancelling it never finishes either. */
const endless = (first?: string) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      if (first) c.enqueue(new TextEncoder().encode(first));
    },
    pull: () => never<void>(),
    cancel: () => never<void>(),
  });
const deafXt = (fetch: typeof globalThis.fetch, timeoutMs = 150) => createXtClient({ baseUrl: "https://xt.test", accessKey: "ak", secretKey: "sk", rateLimit: false, timeoutMs, fetch });

async function endsWithin<T>(ms: number, promise: Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await promise;
  expect(performance.now() - t0).toBeLessThan(ms);
  return out;
}

describe("a fetch deaf to its signal", () => {
  it("no answer at all: the timeout ends the call (TimeoutError naming it)", async () => {
    const e = await endsWithin(1_500, rejection(deafXt(() => never<Response>()).call("getMarketConfig")));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e).toMatchObject({ operation: "getMarketConfig", timeoutMs: 150 });
  });

  it("no answer at all: the caller's abort ends the call, with its reason", async () => {
    const ac = new AbortController();
    const pending = rejection(deafXt(() => never<Response>(), 60_000).call("getMarketConfig", {}, { signal: ac.signal }));
    setTimeout(() => ac.abort(new Error("shutting down")), 30);
    const e = await endsWithin(1_500, pending);
    expect(e).toBeInstanceOf(AbortedError);
    expect((e as AbortedError).cause).toMatchObject({ message: "shutting down" });
  });

  it("a head, then a body that never ends and ignores being cancelled: the timeout ends the call", async () => {
    const fetch = async () => new Response(endless('{"code":200,'), { headers: { "content-type": "application/json" } });
    const e = await endsWithin(1_500, rejection(deafXt(fetch).call("getMarketConfig")));
    expect(e).toBeInstanceOf(TimeoutError);
  });

  it("the same with no response size limit (the body is read whole, not counted)", async () => {
    const fetch = async () => new Response(endless('{"code":200,'), { headers: { "content-type": "application/json" } });
    const xt = createXtClient({ baseUrl: "https://xt.test", accessKey: "ak", secretKey: "sk", rateLimit: false, timeoutMs: 150, maxResponseBytes: Infinity, fetch });
    expect(await endsWithin(1_500, rejection(xt.call("getMarketConfig")))).toBeInstanceOf(TimeoutError);
  });

  it("Xele streamRows: rows that stop coming end when the caller aborts", async () => {
    const mock = await startXeleMock();
    onTestFinished(() => mock.close());
    // The login goes to the emulator; the rows answer with a head and then nothing.
    const fetch = async (input: RequestInfo | URL, init?: RequestInit) =>
      String(input).startsWith(mock.maUrl) ? globalThis.fetch(input, init) : new Response(endless(""), { headers: { "content-type": "text/plain" } });
    const xele = createXeleClient({ maUrl: mock.maUrl, msUrl: mock.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD, fetch });
    await xele.login();
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error("enough")), 100);
    const rows = xele.streamRows("queryOrders", {}, { signal: ac.signal });
    const e = await endsWithin(1_500, rejection(rows.next()));
    expect(e).toBeInstanceOf(AbortedError);
    expect((e as AbortedError).cause).toMatchObject({ message: "enough" });
  });
});

describe("a fetch option that answers in another shape", () => {
  const answer = () => new Response('{"code":200,"info":"SUCCESS","data":{"serverTime":1562924059006}}', { headers: { "content-type": "application/json" } });

  it("a Response returned as it is (not a promise) is read", async () => {
    await expect(deafXt(answer as never).call("getServerTime")).resolves.toEqual({ serverTime: 1562924059006 });
  });

  it("undefined, a plain object, a text: a UsageError naming the fetch option, tried once", async () => {
    for (const [given, shown] of [[undefined, "undefined"], [{ status: 200 }, "object"], ["{}", "string"], [null, "null"]] as const) {
      let tries = 0;
      const xt = createXtClient({ baseUrl: "https://xt.test", accessKey: "ak", secretKey: "sk", rateLimit: false, fetch: (async () => (tries++, given)) as never });
      const e = await rejection(xt.call("getServerTime"));
      expect(e).toBeInstanceOf(UsageError);
      expect((e as Error).message).toBe(`xt getServerTime: the request cannot be sent: the fetch option gave ${shown}, not a Response`);
      expect(tries).toBe(1);
    }
  });
});
