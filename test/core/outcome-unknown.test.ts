/**
 * A call that changes state (the spec's `x-retryable: false`) whose request may have reached
 * the server before it failed is marked `outcomeUnknown`, and its message says to look it up
 * before sending it again: an order whose answer never came may have been placed. A failure
 * before anything was sent (refused, no such host, a proxy's refusal, an abort before the
 * send), a definite answer (a vendor error code, a 4xx, 501, 503, a redirect but a 303) and every read
 * are not marked. Both roads: undici against real sockets, and an injected fetch.
 */
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import {
  AbortedError,
  ApiError,
  ConnectionError,
  HttpError,
  OUTCOME_UNKNOWN_NOTE,
  RedirectError,
  ResponseFormatError,
  ServiceUnavailableError,
  TimeoutError,
  TradeApiError,
} from "../../src/handwritten/core/errors.js";
import type { TransportEvent } from "../../src/handwritten/core/http-transport.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { createServer as createHttpServer } from "node:http";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME } from "../../src/mock/xele.js";
import { json, recordingFetch } from "../helpers/recording-fetch.js";
import { rejection } from "../helpers/rejection.js";

const ORDER = { market: "btc_usdt", price: 1, number: 1, type: 1 as const, entrustType: 1 as const };

/** A server that reads each request and then holds it ("hold") or drops the connection ("cut"). */
async function rawServer(mode: "hold" | "cut"): Promise<{ url: string; server: Server }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("data", () => {
      if (mode === "cut") s.destroy();
    });
  });
  server.on("close", () => sockets.forEach((s) => s.destroy()));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, server };
}

function expectUnknown(e: Error, type: new (...a: never[]) => Error): void {
  expect(e).toBeInstanceOf(type);
  expect((e as TradeApiError).outcomeUnknown).toBe(true);
  expect(e.message.endsWith(OUTCOME_UNKNOWN_NOTE)).toBe(true);
  expect(e.stack?.split("\n")[0]).toBe(`${e.name}: ${e.message}`);
  expect((e as TradeApiError).toJSON()).toMatchObject({ outcomeUnknown: true });
}

function expectKnown(e: Error, type: new (...a: never[]) => Error): void {
  expect(e).toBeInstanceOf(type);
  expect((e as TradeApiError).outcomeUnknown).toBeUndefined();
  expect(e.message).not.toContain("may have reached the server");
  expect((e as TradeApiError).toJSON()).not.toHaveProperty("outcomeUnknown");
}

let hold: { url: string; server: Server };
let cut: { url: string; server: Server };
let closed: string;

beforeAll(async () => {
  hold = await rawServer("hold");
  cut = await rawServer("cut");
  const gone = await rawServer("hold");
  closed = gone.url;
  await new Promise((r) => gone.server.close(r));
});

afterAll(async () => {
  await Promise.all([hold, cut].map(({ server }) => new Promise((r) => server.close(r))));
});

describe("on the undici road (real sockets)", () => {
  const xt = (baseUrl: string) => createXtClient({ accessKey: "ak", secretKey: "sk", baseUrl, timeoutMs: 250, rateLimit: false, retry: false });

  it("no answer within the timeout after the order was sent: TimeoutError, outcome unknown; a read is not marked", async () => {
    expectUnknown(await rejection(xt(hold.url).call("order", ORDER)), TimeoutError);
    expectKnown(await rejection(xt(hold.url).call("getBalance")), TimeoutError);
  });

  it("an order on a pooled connection that then goes silent: outcome unknown (a connection was open, the request was written on it)", async () => {
    let requests = 0;
    const server = createHttpServer((req, res) => {
      // The first request is answered (its connection stays in the pool); the order is not.
      if (++requests === 1) res.end(JSON.stringify({ code: 200, info: "SUCCESS", data: { serverTime: 1 } }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    try {
      const client = xt(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
      await client.call("getServerTime");
      const e = await rejection(client.call("order", ORDER));
      expectUnknown(e, TimeoutError);
      expect(e.message).toMatch(/no answer within 250 ms/);
      expect(requests).toBe(2);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it("the connection dropped after the order was sent: ConnectionError, outcome unknown", async () => {
    expectUnknown(await rejection(xt(cut.url).call("order", ORDER)), ConnectionError);
    expectKnown(await rejection(xt(cut.url).call("getBalance")), ConnectionError);
  });

  it("a TLS handshake the server resets or closes (a firewall filtering by name): nothing was sent, not marked", async () => {
    for (const how of ["reset", "close"] as const) {
      const tls = createServer((s) => s.once("data", () => (how === "reset" ? s.resetAndDestroy() : s.end())));
      await new Promise<void>((r) => tls.listen(0, "127.0.0.1", () => r()));
      try {
        const client = createXtClient({ accessKey: "ak", secretKey: "sk", baseUrl: `https://127.0.0.1:${(tls.address() as { port: number }).port}`, rateLimit: false, retry: false });
        expectKnown(await rejection(client.call("order", ORDER)), ConnectionError);
      } finally {
        await new Promise((r) => tls.close(r));
      }
    }
  });

  it("refused, or no such host: nothing was sent, not marked", async () => {
    // The client's default timeout: a slow resolver must not turn "no such host" into a timeout.
    const patient = (baseUrl: string) => createXtClient({ accessKey: "ak", secretKey: "sk", baseUrl, rateLimit: false, retry: false });
    expectKnown(await rejection(patient(closed).call("order", ORDER)), ConnectionError);
    expectKnown(await rejection(patient("http://no-such-host.invalid").call("order", ORDER)), ConnectionError);
  });

  it("an abort while the answer is awaited: outcome unknown; a signal aborted before the call: not marked", async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const slow = createXtClient({ accessKey: "ak", secretKey: "sk", baseUrl: hold.url, timeoutMs: 10_000, rateLimit: false });
    expectUnknown(await rejection(slow.call("order", ORDER, { signal: ac.signal })), AbortedError);
    expectKnown(await rejection(slow.call("order", ORDER, { signal: AbortSignal.abort() })), AbortedError);
  });

  it("onEvent's event of the attempt says it too (for a dashboard of orders to reconcile)", async () => {
    const events: TransportEvent[] = [];
    const client = createXtClient({ accessKey: "ak", secretKey: "sk", baseUrl: hold.url, timeoutMs: 100, rateLimit: false, retry: false, onEvent: (e) => events.push(e) });
    await rejection(client.call("order", ORDER));
    await rejection(client.call("getBalance"));
    const refused = createXtClient({ accessKey: "ak", secretKey: "sk", baseUrl: closed, rateLimit: false, retry: false, onEvent: (e) => events.push(e) });
    await rejection(refused.call("order", ORDER));
    const { fetch } = recordingFetch(() => new Response("<html>Bad Gateway</html>", { status: 502, headers: { "content-type": "text/html" } }));
    const bad = createXtClient({ accessKey: "ak", secretKey: "sk", rateLimit: false, retry: false, fetch, onEvent: (e) => events.push(e) });
    await rejection(bad.call("order", ORDER));
    expect(events.map((e) => [e.operation, e.error, e.status, e.outcomeUnknown])).toEqual([
      ["order", "TimeoutError", undefined, true],
      ["getBalance", "TimeoutError", undefined, undefined],
      ["order", "ConnectionError", undefined, undefined],
      ["order", "HttpError", 502, true],
    ]);
  });

  it("Xele's own login (made by the session before the call) is not marked: the caller's operation was not sent", async () => {
    const xele = createXeleClient({ maUrl: hold.url, msUrl: hold.url, username: "u", password: "p", timeoutMs: 250, retry: false });
    const e = (await rejection(xele.call("createCashInOut", { investor_id: "777001", direction: "1", amount: 1 }))) as TradeApiError;
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.operation).toBe("createCashInOut");
    expect(e.message).toMatch(/^xele createCashInOut: the login failed: /);
    expect((e.cause as TradeApiError).operation).toBe("login");
    expectKnown(e, TimeoutError);
    expectKnown(e.cause as Error, TimeoutError);
  });

  it("the openapi-fetch methods' error carries it too", async () => {
    const { error } = await xt(hold.url).POST("/trade/api/v1/order", { body: ORDER });
    expectUnknown(error as Error, TimeoutError);
  });

  it("every REST API's state-changing call: Hubi enterOrder, BHEX orderCreate, Xele createCashInOut", async () => {
    const hubi = createHubiClient({ accessKey: "ak", secretKey: "sk", accessToken: "tok", baseUrl: hold.url, timeoutMs: 250 });
    expectUnknown(
      await rejection(hubi.call("enterOrder", { coin_code: "USDT", symbol: "BTCUSD", open_position: true, quantity: 1, price: 100, trade_direction: "BUY", order_type: "LIMIT" })),
      TimeoutError,
    );
    const bhex = createBhexOrgClient({ accessKey: "ak", secretKey: "sk", baseUrl: hold.url, timeoutMs: 250, retry: false });
    expectUnknown(
      await rejection(bhex.call("orderCreate", { user_id: "1", exchange_id: 301, symbol_id: "BTCUSDT", type: "limit", side: "buy", quantity: "1" })),
      TimeoutError,
    );
    const mock = await startXeleMock();
    try {
      // The login goes to the emulator's MA; the counter call to a server that never answers.
      const xele = createXeleClient({ maUrl: mock.maUrl, msUrl: hold.url, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD, timeoutMs: 250, retry: false });
      expectUnknown(await rejection(xele.call("createCashInOut", { investor_id: "777001", direction: "1", amount: 1 })), TimeoutError);
    } finally {
      await mock.close();
    }
  });
});

describe("what the answer says (injected fetch)", () => {
  const xtFetching = (fetch: typeof globalThis.fetch) => createXtClient({ accessKey: "ak", secretKey: "sk", rateLimit: false, retry: false, fetch });
  const xtWith = (status: number, body: string, type = "application/json") => xtFetching(recordingFetch(() => new Response(body, { status, headers: { "content-type": type } })).fetch);

  it.each([
    [502, "<html>Bad Gateway</html>", "text/html", HttpError],
    [500, "internal", "text/plain", HttpError],
    [504, "", "text/plain", HttpError],
    [200, "{not json", "application/json", ResponseFormatError],
    [200, "<html>captive portal</html>", "text/html", ResponseFormatError],
  ] as const)("HTTP %i %j to an order: outcome unknown", async (status, body, type, cls) => {
    expectUnknown(await rejection(xtWith(status, body, type).call("order", ORDER)), cls);
    expectKnown(await rejection(xtWith(status, body, type).call("getBalance")), cls);
  });

  it.each([
    [503, "busy", "text/plain", HttpError],
    [501, "", "text/plain", HttpError],
    [400, "bad request", "text/plain", HttpError],
    [200, JSON.stringify({ code: 104, info: "insufficient" }), "application/json", ApiError],
  ] as const)("HTTP %i %j to an order: a definite answer, not marked", async (status, body, type, cls) => {
    expectKnown(await rejection(xtWith(status, body, type).call("order", ORDER)), cls);
  });

  it("a 303 (See Other: the server handled the request) to an order: outcome unknown; 301, 302, 307, 308: not marked", async () => {
    const redirecting = (status: number) => xtFetching(recordingFetch(() => new Response(null, { status, headers: { location: "/v1/order/result" } })).fetch);
    const e = await rejection(redirecting(303).call("order", ORDER));
    expectUnknown(e, RedirectError);
    expect(e.message).toContain("a 303 says the server handled the request");
    expect(e.message).not.toContain("it would resend the request");
    expectKnown(await rejection(redirecting(303).call("getBalance")), RedirectError);
    for (const status of [301, 302, 307, 308]) expectKnown(await rejection(redirecting(status).call("order", ORDER)), RedirectError);
  });

  it("a vendor error code under HTTP 500 (BHEX 110, internal error): outcome unknown", async () => {
    const { fetch } = recordingFetch(() => json({ code: 110, msg: "Internal server error" }, 500));
    const bhex = createBhexOrgClient({ accessKey: "ak", secretKey: "sk", fetch, retry: false });
    expectUnknown(
      await rejection(bhex.call("orderCreate", { user_id: "1", exchange_id: 301, symbol_id: "BTCUSDT", type: "limit", side: "buy", quantity: "1" })),
      ServiceUnavailableError,
    );
  });

  it("a refusal of the key, signature or timestamp under HTTP 500 (Hubi ILLEGAL_TIMESTAMP, ILLEGAL_SIGN): definite, not marked", async () => {
    const hubiWith = (message: string) =>
      createHubiClient({ accessKey: "ak", secretKey: "sk", accessToken: "tk", fetch: recordingFetch(() => json({ status: -1, message }, 500)).fetch });
    const order = { coin_code: "USDT", symbol: "BTC", open_position: true, quantity: 1, price: 5000, trade_direction: "BUY", order_type: "LIMIT" } as never;
    for (const message of ["ILLEGAL_TIMESTAMP", "ILLEGAL_SIGN"]) {
      const e = await rejection(hubiWith(message).call("enterOrder", order));
      expect([(e as ApiError).kind === "timestamp" || (e as ApiError).kind === "auth", message]).toEqual([true, message]);
      expectKnown(e, ApiError);
    }
    // (a code of another kind under 500 is still unknown: the failure may have come after the order was placed)
    expectUnknown(await rejection(hubiWith("SYSTEM_ERROR").call("enterOrder", order)), TradeApiError);
  });

  it("a fetch that fails before connecting (its cause ECONNREFUSED, ENOTFOUND, a certificate) is not marked; a reset is", async () => {
    const failing = (code: string) =>
      xtFetching(async () => {
        throw new TypeError("fetch failed", { cause: Object.assign(new Error(code), { code }) });
      });
    for (const code of ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT", "CERT_HAS_EXPIRED", "DEPTH_ZERO_SELF_SIGNED_CERT", "ERR_TLS_CERT_ALTNAME_INVALID"]) {
      expectKnown(await rejection(failing(code).call("order", ORDER)), TradeApiError);
    }
    expectUnknown(await rejection(failing("ECONNRESET").call("order", ORDER)), ConnectionError);
    expectUnknown(await rejection(failing("UND_ERR_SOCKET").call("order", ORDER)), ConnectionError);
  });
});
