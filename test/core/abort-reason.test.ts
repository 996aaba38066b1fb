/**
 * An aborted call's AbortedError carries the signal's reason as its `cause` (`ac.abort(reason)`,
 * or the TimeoutError of `AbortSignal.timeout()`), wherever the call was waiting: so a caller
 * can tell its shutdown from its own deadline. One case per place a call waits.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { AbortedError } from "../../src/handwritten/core/errors.js";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME } from "../../src/mock/xele.js";
import { json, recordingFetch } from "../helpers/recording-fetch.js";
import { creds, isOp, rejection, setup } from "../quant-ws/helpers.js";

/** A server that never answers. */
async function silentServer(): Promise<string> {
  const server = createServer(() => undefined);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  onTestFinished(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const shutdown = new Error("shutting down");
/** The error `call` rejects with once `ac` aborts with `reason` after `ms`. */
async function abortedWith(call: (signal: AbortSignal) => Promise<unknown>, reason: unknown = shutdown, ms = 30): Promise<AbortedError> {
  const ac = new AbortController();
  const pending = rejection(call(ac.signal));
  setTimeout(() => ac.abort(reason), ms);
  const e = await pending;
  expect(e).toBeInstanceOf(AbortedError);
  return e as AbortedError;
}

describe("an aborted call's cause is the signal's reason", () => {
  it("REST over undici, in flight: the caller's reason, and a timeout signal's TimeoutError", async () => {
    const xt = createXtClient({ baseUrl: await silentServer(), accessKey: "ak", secretKey: "sk", rateLimit: false });
    expect((await abortedWith((signal) => xt.call("getMarketConfig", {}, { signal }))).cause).toBe(shutdown);
    const timedOut = await rejection(xt.call("getMarketConfig", {}, { signal: AbortSignal.timeout(30) }));
    expect(timedOut).toBeInstanceOf(AbortedError);
    expect((timedOut as AbortedError).cause).toMatchObject({ name: "TimeoutError" });
    // The client's own signal too, and a reason that is not an Error.
    const ac = new AbortController();
    const own = createXtClient({ baseUrl: await silentServer(), accessKey: "ak", secretKey: "sk", rateLimit: false, signal: ac.signal });
    const pending = rejection(own.call("getMarketConfig"));
    setTimeout(() => ac.abort("deploy"), 30);
    expect(((await pending) as AbortedError).cause).toBe("deploy");
  });

  it("REST over an injected fetch, in flight", async () => {
    const { fetch } = recordingFetch(() => new Promise<Response>(() => undefined));
    const xt = createXtClient({ baseUrl: "https://xt.test", accessKey: "ak", secretKey: "sk", rateLimit: false, fetch });
    expect((await abortedWith((signal) => xt.call("getMarketConfig", {}, { signal }))).cause).toBe(shutdown);
  });

  it("REST, waiting for the rate limiter", async () => {
    const { fetch } = recordingFetch(() => json({ code: 200, info: "SUCCESS", data: {} }));
    const xt = createXtClient({ baseUrl: "https://xt.test", accessKey: "ak", secretKey: "sk", fetch });
    for (let i = 0; i < 3; i++) await xt.call("getBalance");
    expect((await abortedWith((signal) => xt.call("getBalance", {}, { signal }))).cause).toBe(shutdown);
  });

  it("BHEX, waiting between attempts of an idempotent retry", async () => {
    const { fetch } = recordingFetch(() => new Response("bad gateway", { status: 502 }));
    const slowRetry = { baseDelayMs: 5_000, maxDelayMs: 5_000, random: () => 1 };
    const bhex = createBhexOrgClient({ baseUrl: "https://broker.test", accessKey: "k", secretKey: "s", fetch, rateLimit: false, idempotentRetry: slowRetry });
    const e = await abortedWith((signal) => bhex.callWithKey("financeLock", { user_id: 1, token_id: "BTC", amount: "1" }, { signal }), shutdown, 100);
    expect(e.cause).toBe(shutdown);
  });

  it("Xele: waiting for the login, and for an in-flight slot", async () => {
    const mock = await startXeleMock();
    onTestFinished(() => mock.close());
    const xele = createXeleClient({ maUrl: mock.maUrl, msUrl: mock.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD, maxInFlight: 1 });
    mock.settings.latencyMs = 500;
    expect((await abortedWith((signal) => xele.call("getCounterStatus", undefined, { signal }))).cause).toBe(shutdown);
    const first = xele.call("getCounterStatus");
    await new Promise((r) => setTimeout(r, 600)); // logged in; the first call holds the one slot
    expect((await abortedWith((signal) => xele.call("getCounterStatus", undefined, { signal }))).cause).toBe(shutdown);
    await first;
  });

  it("quant-ws: a request in flight, and one whose signal had aborted before it was sent", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    mock.silence("asset");
    const inFlight = await abortedWith(async (signal) => {
      const asked = session.asset({ signal, timeoutMs: 5_000 });
      await mock.waitForFrame(isOp("asset"));
      return asked;
    });
    expect(inFlight.cause).toBe(shutdown);
    const early = await rejection(session.asset({ signal: AbortSignal.abort(shutdown) }));
    expect(early).toBeInstanceOf(AbortedError);
    expect((early as AbortedError).cause).toBe(shutdown);
  });
});
