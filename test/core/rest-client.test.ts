/**
 * The shared REST factory's contracts, through the XT, Hubi and BHEX clients built on it:
 * openapi-fetch's `{ data, error, response }` (error returned, not thrown), `call()` throwing,
 * per-call `{ signal, timeoutMs }`, `rateLimit` (and Hubi's deprecated `rateLimiter`), and the
 * refused middleware. The `@ts-expect-error` lines are type tests: `npm run typecheck` fails
 * when one of them stops being an error.
 */
import { describe, expect, it } from "vitest";
import {
  AbortedError,
  HttpError,
  InsufficientFundsError,
  TimeoutError,
  TradeApiError,
  UsageError,
} from "../../src/handwritten/core/errors.js";
import { RateLimiter } from "../../src/handwritten/core/rate-limit.js";
import { createBhexOrgClient, createBhexRateLimiter } from "../../src/handwritten/bhex/client.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { createXtClient, createXtRateLimiter } from "../../src/handwritten/xt/client.js";
import { json, recordingFetch } from "../helpers/recording-fetch.js";

const KEYS = { accessKey: "ak-factory", secretKey: "sk-factory-secret" };
const ORDER = { code: 200, info: "success", data: { id: 1234567890123456789n, number: "1", price: "1", avgPrice: "0", time: 1, type: 1, status: 1, completeNumber: "0", completeMoney: "0", entrustType: 0, fee: "0" } };
const ORDER_TEXT = JSON.stringify(ORDER, (_k, v) => (typeof v === "bigint" ? `@@${v}@@` : v)).replace(/"@@(\d+)@@"/g, "$1");

/** A fetch that answers only when aborted (by the timeout or the caller). */
const hangingFetch = (async (_url: unknown, init?: RequestInit) =>
  new Promise<Response>((_, reject) => {
    if (init?.signal?.aborted) return reject(init.signal.reason);
    init?.signal?.addEventListener("abort", () => reject(init.signal!.reason), { once: true });
  })) as typeof globalThis.fetch;

function xt(respond: Parameters<typeof recordingFetch>[0], extra: Parameters<typeof createXtClient>[0] = {}) {
  const { fetch, calls } = recordingFetch(respond);
  return { client: createXtClient({ ...KEYS, fetch, baseUrl: "https://xt.test", rateLimit: false, retry: false, ...extra }), calls };
}

describe("GET/POST: openapi-fetch's { data, error, response }", () => {
  it("success: data is the whole decoded body (int64 exact); response has the real status and headers and no body", async () => {
    const { client, calls } = xt(() => new Response(ORDER_TEXT, { status: 200, headers: { "content-type": "application/json", "x-trace": "t-1" } }));
    const res = await client.GET("/trade/api/v1/getOrder", { params: { query: { market: "btc_usdt", id: 1234567890123456789n } } });
    expect(res.error).toBeUndefined();
    expect(res.data?.data?.id).toBe(1234567890123456789n);
    expect(res.response.status).toBe(200);
    expect(res.response.ok).toBe(true);
    expect(res.response.headers.get("x-trace")).toBe("t-1");
    expect(res.response.body).toBeNull(); // already read into data
    expect(calls[0]!.url.searchParams.get("id")).toBe("1234567890123456789");
    expect(calls[0]!.url.searchParams.get("signature")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("a __proto__ key in params (JSON-parsed input) is a parameter named as unknown, never the prototype whose fields are sent", async () => {
    const { client, calls } = xt(() => new Response(ORDER_TEXT, { status: 200, headers: { "content-type": "application/json" } }));
    const query = JSON.parse('{"__proto__":{"market":"btc_usdt","id":1},"market":"eth_usdt"}') as Record<string, unknown>;
    const res = await client.GET("/trade/api/v1/getOrder", { params: { query } } as never);
    expect(res.error).toBeInstanceOf(UsageError);
    expect(res.error?.message).toMatch(/__proto__/);
    expect(calls).toHaveLength(0);
    // Given in two places, it is named as given twice, as any other key.
    const twice = await client.GET("/trade/api/v1/getOrder", { params: { query, path: JSON.parse('{"__proto__":1}') } } as never);
    expect(twice.error?.message).toMatch(/parameter "__proto__" is given twice/);
  });

  it("an API error (vendor code in a 200) is returned as the typed error, not thrown", async () => {
    const { client } = xt(() => json({ code: 103, info: "no money" }));
    const res = await client.POST("/trade/api/v1/order", { body: { market: "btc_usdt", price: 5000, number: 0.002, type: 1, entrustType: 0 } });
    expect(res.data).toBeUndefined();
    expect(res.error).toBeInstanceOf(InsufficientFundsError);
    expect((res.error as InsufficientFundsError).code).toBe(103);
    expect(res.response.status).toBe(200);
  });

  it("HTTP 500 is returned as an HttpError with response.status 500", async () => {
    const { client } = xt(() => new Response("<html>down</html>", { status: 500, headers: { "content-type": "text/html" } }));
    const res = await client.GET("/trade/api/v1/getServerTime");
    expect(res.error).toBeInstanceOf(HttpError);
    expect((res.error as HttpError).status).toBe(500);
    expect(res.response.status).toBe(500);
    expect(res.data).toBeUndefined();
  });

  it("an error answer's response has its real headers (Retry-After on a 429), from the last attempt", async () => {
    let n = 0;
    const { client } = xt(
      () => new Response("busy", { status: 429, headers: { "content-type": "text/plain", "retry-after": String(++n) } }),
      { retry: { maxAttempts: 2, sleep: async () => {} } },
    );
    const res = await client.GET("/trade/api/v1/getServerTime");
    expect(res.error).toBeInstanceOf(TradeApiError);
    expect(res.response.status).toBe(429);
    expect(res.response.headers.get("retry-after")).toBe("2");
    const vendor = xt(() => new Response(JSON.stringify({ code: 103, info: "no money" }), { status: 400, headers: { "content-type": "application/json", "x-trace": "t-9" } }));
    const failed = await vendor.client.POST("/trade/api/v1/order", { body: { market: "btc_usdt", price: 5000, number: 0.002, type: 1, entrustType: 0 } });
    expect(failed.error).toBeInstanceOf(InsufficientFundsError);
    expect(failed.response.status).toBe(400);
    expect(failed.response.headers.get("x-trace")).toBe("t-9");
  });

  it("a timeout is returned as a TimeoutError; response is Response.error() (no answer came)", async () => {
    const { client } = xt(() => new Response("{}"), { fetch: hangingFetch, timeoutMs: 30 });
    const res = await client.GET("/trade/api/v1/getServerTime");
    expect(res.error).toBeInstanceOf(TimeoutError);
    expect(res.response.type).toBe("error");
    expect(res.response.status).toBe(0);
  });

  it("per-request signal and timeoutMs in the init", async () => {
    const { client } = xt(() => new Response("{}"), { fetch: hangingFetch, timeoutMs: 10_000 });
    const timed = await client.GET("/trade/api/v1/getServerTime", { timeoutMs: 25 });
    expect(timed.error).toBeInstanceOf(TimeoutError);
    expect((timed.error as TimeoutError).timeoutMs).toBe(25);
    const ac = new AbortController();
    const pending = client.GET("/trade/api/v1/getServerTime", { signal: ac.signal });
    ac.abort();
    expect((await pending).error).toBeInstanceOf(AbortedError);
  });

  it("bad input (unknown path, wrong parameter, missing credential) is a returned UsageError; nothing is sent", async () => {
    const { client, calls } = xt(() => json({ code: 200 }));
    // A JSON-parsed `__proto__` key is an unknown parameter, never a prototype whose fields are sent.
    const proto = await client.GET("/trade/api/v1/getOrder", { params: { query: JSON.parse('{"__proto__":{"market":"eth_usdt","id":1}}') } });
    expect(proto.error).toBeInstanceOf(UsageError);
    expect((proto.error as Error).message).toContain('unknown parameter "__proto__"');
    const unknownPath = await (client.GET as (p: string) => Promise<{ error?: unknown; response: Response }>)("/trade/api/v1/nope");
    expect(unknownPath.error).toBeInstanceOf(UsageError);
    expect((unknownPath.error as Error).message).toContain("no operation for GET /trade/api/v1/nope");
    expect(unknownPath.response.type).toBe("error");
    const wrongParam = await client.GET("/trade/api/v1/getOrder", { params: { query: { market: "btc_usdt", id: 1, extra: 2 } as never } });
    expect(wrongParam.error).toBeInstanceOf(UsageError);
    expect((wrongParam.error as Error).message).toContain('unknown parameter "extra"');
    const anonymous = createXtClient({ fetch: recordingFetch(() => json({})).fetch, baseUrl: "https://xt.test", rateLimit: false });
    const missing = await anonymous.GET("/trade/api/v1/getBalance");
    expect(missing.error?.name).toBe("CredentialsError");
    expect(missing.error?.message).toBe("xt getBalance: missing accessKey: pass { accessKey } to the client");
    expect(calls).toHaveLength(0);
  });

  it("openapi-fetch options that would change the request are refused, not ignored", async () => {
    const { client, calls } = xt(() => json({ code: 200 }));
    // @ts-expect-error: baseUrl is not a request option (typed never: refused at compile time too)
    const res = await client.GET("/trade/api/v1/getServerTime", { baseUrl: "https://elsewhere.test" });
    expect(res.error).toBeInstanceOf(UsageError);
    expect(res.error?.message).toContain('"baseUrl" is not supported');
    // @ts-expect-error: parseAs is "json" only
    const stream = await client.GET("/trade/api/v1/getServerTime", { parseAs: "stream" });
    expect(stream.error?.message).toContain('parseAs "stream" is not supported');
    expect(calls).toHaveLength(0);
  });

  it("a request option that is none (a typo, a fetch option) is { error } naming it, not left unread", async () => {
    const { client, calls } = xt(() => json({ code: 200 }));
    const path = "/trade/api/v1/getServerTime" as const;
    // (timeoutMS was ignored: the call waited the client's 10 s)
    const typo = await client.GET(path, { timeoutMS: 300 } as never);
    expect(typo.error).toBeInstanceOf(UsageError);
    expect(typo.error?.message).toBe('xt getServerTime: the request options: "timeoutMS" is not an option (did you mean "timeoutMs"?); the options are params, body, headers, signal, timeoutMs, parseAs');
    // @ts-expect-error: a fetch option is typed never
    const cache = await client.request("get", path, { cache: "no-store" });
    expect(cache.error?.message).toBe('xt getServerTime: the fetch option "cache" is not supported: the transport sends the request by its own rules; the request options are params, body, headers, signal, timeoutMs, parseAs');
    expect(calls).toHaveLength(0);
    // Undefined stands for left out; the options it takes are taken.
    expect((await client.GET(path, { cache: undefined, timeoutMs: 2_000, signal: AbortSignal.timeout(5_000), headers: {}, params: {} })).error).toBeUndefined();
    expect(calls).toHaveLength(1);
    const typed = async () => {
      // @ts-expect-error: timeoutMs is a number of ms
      await client.GET(path, { timeoutMs: "soon" });
      // @ts-expect-error: a misspelt option fails to compile (it compiled, then was refused at run time)
      await client.GET(path, { timeoutMS: 5 });
      // @ts-expect-error: so do fetch's own options
      await client.POST("/trade/api/v1/order", { body: { market: "btc_usdt", price: 1, number: 1, type: 1, entrustType: 0 }, keepalive: true });
    };
    void typed;
  });

  it("a path, method or parseAs that String() cannot convert is { error } naming its type, not a thrown TypeError", async () => {
    const { client, calls } = xt(() => json({ code: 200 }));
    const odd = Object.create(null) as never;
    expect((await client.GET(odd)).error?.message).toBe("xt: the path must be the spec's path template (a string), got object");
    expect((await client.request(odd, "/trade/api/v1/getServerTime")).error?.message).toMatch(/^xt: no operation for object \/trade\/api\/v1\/getServerTime: /);
    expect((await client.GET("/trade/api/v1/getServerTime", { parseAs: odd })).error?.message).toMatch(/parseAs object is not supported/);
    expect(calls).toHaveLength(0);
  });

  it("headers in every form fetch takes are sent; one that cannot be sent is a UsageError naming it, before anything goes out", async () => {
    const { client, calls } = xt(() => json({ code: 200, info: "SUCCESS", data: { serverTime: 1562924059006 } }));
    const path = "/trade/api/v1/getServerTime" as const;
    expect((await client.GET(path, { headers: [["x-trace", "a"]] })).error).toBeUndefined();
    expect((await client.GET(path, { headers: new Headers({ "x-trace": "b" }) })).error).toBeUndefined();
    expect((await client.GET(path, { headers: { "x-trace": "c", "x-none": undefined } })).error).toBeUndefined();
    expect(calls.map((c) => (c.headers as Record<string, string>)["x-trace"])).toEqual(["a", "b", "c"]);
    const refused = async (headers: unknown) => (await client.GET(path, { headers } as never)).error?.message;
    // A line break would split the header (fetch and undici throw a bare TypeError, which read as a connection failure).
    expect(await refused({ "x-trace": "1\r\nx-injected: 2" })).toMatch(/^xt getServerTime: headers cannot be sent: .*invalid header value/);
    expect(await refused({ "x trace": "1" })).toMatch(/^xt getServerTime: headers cannot be sent: .*invalid header name/);
    expect(await refused([["x-trace"]])).toMatch(/^xt getServerTime: headers cannot be sent: .*pair/);
    expect(await refused("x-trace: 1")).toBe("xt getServerTime: headers cannot be sent: got string");
    expect(calls).toHaveLength(3);
    // null options stand for none, as undefined does.
    expect((await client.GET(path, null as never)).error).toBeUndefined();
  });

  it("request(method, path) is the same path; template paths take params.path", async () => {
    const { client } = xt(() => new Response(ORDER_TEXT, { headers: { "content-type": "application/json" } }));
    const res = await client.request("get", "/trade/api/v1/getOrder", { params: { query: { market: "btc_usdt", id: 1 } } });
    expect(res.data?.data?.id).toBe(1234567890123456789n);
  });

  it("BHEX: POST fills the idempotency key and signs like call(); Hubi: order_nos array is joined", async () => {
    const { fetch, calls } = recordingFetch(() => json({ status: 0, data: {} }));
    const keys: unknown[] = [];
    const bhex = createBhexOrgClient({
      ...KEYS,
      fetch,
      baseUrl: "https://bhex.test",
      rateLimit: false,
      newIdempotencyKey: () => "1234567890123456789",
      onIdempotencyKey: (k) => keys.push(k),
    });
    const res = await bhex.POST("/api/v2/org/order/create", {
      body: { user_id: "1", exchange_id: 301, symbol_id: "BTCUSDT", type: "limit", side: "buy", price: "1", quantity: "1" } as never,
    });
    expect(res.error).toBeUndefined();
    expect(new URLSearchParams(calls[0]!.body).get("client_order_id")).toBe("1234567890123456789");
    expect(keys).toEqual([{ operationId: "orderCreate", param: "client_order_id", value: "1234567890123456789", generated: true }]);
    await bhex.call("orderCreate", { user_id: "1", exchange_id: 301, symbol_id: "BTCUSDT", type: "limit", side: "buy", price: "1", quantity: "1" });
    expect(keys).toHaveLength(2); // call() reports its key once too
    const hubiFetch = recordingFetch(() => json({ status: 0, result: null }));
    const hubi = createHubiClient({ ...KEYS, accessToken: "tk", fetch: hubiFetch.fetch, baseUrl: "https://hubi.test" });
    const cancelled = await hubi.POST("/api/futures/cancel_order_batch", { body: { order_nos: ["A1", "A2"] as never } });
    expect(cancelled.error).toBeUndefined();
    expect(new URLSearchParams(hubiFetch.calls[0]!.body).get("order_nos")).toBe("A1,A2");
    // A caller's header of a signed header's name, in any case, is replaced by the signer's, not sent beside it.
    for (const name of ["X-API-Key", "x-api-key", "X-Api-Key"]) {
      await hubi.POST("/api/futures/cancel_order_batch", { body: { order_nos: ["A1"] as never }, headers: [[name, "not-the-key"], ["x-trace", "t1"]] });
      const sent = hubiFetch.calls.at(-1)!.headers as Record<string, string>;
      expect(sent["x-api-key"], name).toBe(KEYS.accessKey);
      expect(sent["x-trace"]).toBe("t1");
    }
    // A content-type that is not the body's would label the form wrongly (the server could not
    // read it, and would answer as if the signature were missing): refused, nothing sent.
    const before = hubiFetch.calls.length;
    for (const type of ["application/json", "text/plain", "Application/JSON; charset=utf-8"]) {
      const { error } = await hubi.POST("/api/futures/cancel_order_batch", { body: { order_nos: ["A1"] as never }, headers: { "Content-Type": type } });
      expect(error, type).toBeInstanceOf(UsageError);
      expect((error as Error).message).toBe(`hubi cancelOrderBatch: the header content-type ${JSON.stringify(type)} does not say what the body is (application/x-www-form-urlencoded): leave the header out`);
    }
    expect(hubiFetch.calls).toHaveLength(before);
    // The body's own type, in any case and with a charset, is sent as given.
    await hubi.POST("/api/futures/cancel_order_batch", { body: { order_nos: ["A1"] as never }, headers: { "content-type": "Application/X-WWW-Form-Urlencoded; charset=UTF-8" } });
    expect((hubiFetch.calls.at(-1)!.headers as Record<string, string>)["content-type"]).toBe("Application/X-WWW-Form-Urlencoded; charset=UTF-8");
  });

  it("client.use() and eject() are refused with a UsageError naming what to do instead", () => {
    const { client } = xt(() => json({}));
    expect(() => client.use({ onRequest: () => undefined })).toThrow(UsageError);
    expect(() => client.use({ onRequest: () => undefined })).toThrow(/wrap the `fetch` option/);
    expect(() => client.eject({ onRequest: () => undefined })).toThrow(UsageError);
  });
});

describe("call(): throws, and takes per-call { signal, timeoutMs }", () => {
  it("throws the typed error where GET returns it", async () => {
    const { client } = xt(() => json({ code: 103, info: "no money" }));
    await expect(client.call("order", { market: "btc_usdt", price: 1, number: 1, type: 1, entrustType: 0 })).rejects.toBeInstanceOf(InsufficientFundsError);
  });

  it("timeoutMs for one call overrides the client's", async () => {
    const { client } = xt(() => json({}), { fetch: hangingFetch, timeoutMs: 10_000 });
    const e = await client.call("getServerTime", {}, { timeoutMs: 20 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as TimeoutError).timeoutMs).toBe(20);
  });

  it("a signal for one call aborts it (AbortedError); helpers take it too", async () => {
    const { client } = xt(() => json({}), { fetch: hangingFetch });
    const ac = new AbortController();
    const pending = client.call("getServerTime", undefined, { signal: ac.signal });
    const batch = client.batchCancel("btc_usdt", [1, 2], { signal: ac.signal });
    ac.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    await expect(batch).rejects.toBeInstanceOf(AbortedError);
  });
});

describe("rateLimit: one option name in every API", () => {
  it.each([
    { api: "xt", make: (o: object) => createXtClient(o), rules: createXtRateLimiter().ruleNames },
    { api: "hubi", make: (o: object) => createHubiClient(o), rules: [] as string[] },
    { api: "bhex", make: (o: object) => createBhexOrgClient(o), rules: createBhexRateLimiter().ruleNames },
  ])("$api: true (default) → own limiter, a RateLimiter → that one, false → none", ({ make, rules }) => {
    const shared = new RateLimiter(Object.fromEntries(rules.map((n) => [n, { limit: 1, intervalMs: 1000 }])));
    expect(make({}).rateLimiter).toBeInstanceOf(RateLimiter);
    expect(make({ rateLimit: shared }).rateLimiter).toBe(shared);
    expect(make({ rateLimit: false }).rateLimiter).toBeNull();
  });

  it("a RateLimiter without a rule the API names (one made for another API) is a UsageError naming the rule: it limited nothing, silently", async () => {
    expect(() => createBhexOrgClient({ rateLimit: createXtRateLimiter() })).toThrow(UsageError);
    expect(() => createBhexOrgClient({ rateLimit: createXtRateLimiter() })).toThrow('rateLimit: the RateLimiter given has no rule "orgBatchCancel" of this API\'s limits');
    expect(() => createXtClient({ rateLimit: createBhexRateLimiter() })).toThrow('no rule "balance", "user", "ip" of this API');
    expect(() => createXtClient({ rateLimiter: new RateLimiter({ balance: { limit: 3, intervalMs: 1000 }, user: { limit: 10, intervalMs: 1000 } }) })).toThrow('rateLimiter: the RateLimiter given has no rule "ip"');
    expect(() => createBhexOrgClient({ rateLimit: new RateLimiter({}) })).toThrow(UsageError);
    // Its own, or one with more rules (XT's and BHEX's in one), is taken; Hubi names none.
    const both = new RateLimiter({ ...Object.fromEntries(createXtRateLimiter().ruleNames.map((n) => [n, { limit: 5, intervalMs: 1000 }])), orgBatchCancel: { limit: 1, intervalMs: 10_000 } });
    expect(createBhexOrgClient({ rateLimit: both }).rateLimiter).toBe(both);
    expect(createXtClient({ rateLimit: both }).rateLimiter).toBe(both);
    expect(createHubiClient({ rateLimit: new RateLimiter({}) }).rateLimiter).toBeInstanceOf(RateLimiter);
    expect(createXtRateLimiter().ruleNames).toEqual(["balance", "user", "ip"]);
  });

  it("the deprecated rateLimiter option is still honoured (Hubi's old name), and rateLimit wins over it", () => {
    const shared = createXtRateLimiter();
    expect(createHubiClient({ rateLimiter: shared }).rateLimiter).toBe(shared);
    expect(createHubiClient({ rateLimiter: null }).rateLimiter).toBeNull();
    expect(createXtClient({ rateLimiter: shared }).rateLimiter).toBe(shared);
    expect(createXtClient({ rateLimiter: shared, rateLimit: false }).rateLimiter).toBeNull();
  });
});

describe("types (checked by tsc)", () => {
  it("refuses wrong paths, methods, parameters and call options; error is a TradeApiError", async () => {
    const { client } = xt(() => new Response(ORDER_TEXT, { headers: { "content-type": "application/json" } }));
    const typed = async () => {
      // @ts-expect-error: no such path in the spec
      await client.GET("/trade/api/v1/nope", {});
      // @ts-expect-error: getOrder is a GET
      await client.POST("/trade/api/v1/getOrder", {});
      // @ts-expect-error: a misspelled query parameter
      await client.GET("/trade/api/v1/getOrder", { params: { query: { market: "btc_usdt", idd: 1 } } });
      // @ts-expect-error: a required query parameter missing
      await client.GET("/trade/api/v1/getOrder", { params: { query: { market: "btc_usdt" } } });
      // @ts-expect-error: CallOptions has timeoutMs, not timeout
      await client.call("getServerTime", {}, { timeout: 5 });
      const res = await client.GET("/trade/api/v1/getOrder", { params: { query: { market: "btc_usdt", id: 1 } } });
      const error: TradeApiError | undefined = res.error;
      // @ts-expect-error: data holds the documented body, not a string
      const text: string | undefined = res.data;
      return { error, text };
    };
    expect(typeof typed).toBe("function");
    const res = await client.GET("/trade/api/v1/getOrder", { params: { query: { market: "btc_usdt", id: 1 } } });
    if (res.error) throw res.error;
    expect(res.data.data?.id).toBe(1234567890123456789n);
  });
});
