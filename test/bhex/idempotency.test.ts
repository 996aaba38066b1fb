import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { meta } from "../../generated/bhex-org.docs.js";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { idempotencyParamOf, newBhexClientOrderId, type BhexIdempotencyKeys, type IdempotencyKey } from "../../src/handwritten/bhex/idempotency.js";
import { AbortedError, ConnectionError, HttpError, UsageError, type TradeApiError } from "../../src/handwritten/core/errors.js";
import { BHEX_MOCK_ACCESS_KEY, BHEX_MOCK_SECRET_KEY, startBhexMock } from "../../src/mock/bhex.js";
import type { HttpMock } from "../../src/mock/http-mock.js";
import { recordingFetch } from "../helpers/recording-fetch.js";
import { rejection } from "../helpers/rejection.js";
import { exampleResponder, KEYS, plausibleParams, verifySignature } from "./helpers.js";

const form = (body: string) => Object.fromEntries(new URLSearchParams(body));

describe("which operations get a generated key", () => {
  it("BhexIdempotencyKeys (for the types) matches the spec's x-idempotency-key", () => {
    // Typed against the interface: a missing, extra or different entry does not compile.
    const keys: { [K in keyof BhexIdempotencyKeys]: BhexIdempotencyKeys[K] } = {
      orderCreate: "client_order_id",
      assetWithdraw: "client_order_id",
      financeMapping: "client_order_id",
      financeTransfer: "client_order_id",
      financeBatchTransfer: "client_order_id",
      financeAirDrop: "client_order_id",
      financeBatchLockPosition: "client_order_id",
      financeBatchUnlockPosition: "client_order_id",
      financeLock: "client_order_id",
      financeUnlock: "client_order_id",
      paymentOrderCreate: "client_order_id",
      paymentOrderCreatev2: "client_order_id",
      paymentOrderSettle: "settle_client_order_id",
      paymentOrderRefund: "refund_client_order_id",
      paymentOrderUnlock: "unlock_client_order_id",
    };
    const fromSpec = Object.fromEntries(meta.operations.flatMap((o) => (idempotencyParamOf(o) ? [[o.operationId, idempotencyParamOf(o)]] : [])));
    expect(keys).toEqual(fromSpec);
  });

  it.each(["orderCancel", "orderGet", "paymentOrderDetail", "paymentOrderCancel", "financeGetAirDropResult"])(
    "%s names an existing order/task by client_order_id: nothing is generated",
    async (op) => {
      const { fetch, calls } = recordingFetch(exampleResponder);
      const client = createBhexOrgClient({ ...KEYS, fetch, baseUrl: "https://broker.test", rateLimit: false });
      const opMeta = meta.operations.find((o) => o.operationId === op)!;
      const params = { ...plausibleParams(opMeta) };
      delete params.client_order_id;
      if (op === "financeGetAirDropResult") {
        await expect(client.call(op as never, params as never)).rejects.toThrow(/missing required parameter "client_order_id"/);
        expect(calls).toHaveLength(0);
        return;
      }
      await client.call(op as never, { ...params, order_id: 1 } as never);
      expect(form(calls[0]!.body).client_order_id).toBeUndefined();
    },
  );
});

describe("generated keys", () => {
  it("are 19 digits that fit a signed 64-bit long and the payment pattern, and do not repeat", () => {
    const ids = Array.from({ length: 2000 }, () => newBhexClientOrderId(1_700_000_000_000));
    expect(new Set(ids).size).toBe(2000);
    const pay = meta.operations.find((o) => o.operationId === "paymentOrderCreate")!.body!.properties.client_order_id!.pattern!;
    for (const id of ids) {
      expect(id).toMatch(/^1700000000000\d{6}$/);
      expect(BigInt(id) <= 9223372036854775807n).toBe(true);
      expect(new RegExp(pay).test(id)).toBe(true);
    }
  });

  it("withdraw's long client_order_id is sent as digits; a caller's key is kept as given", async () => {
    const { fetch, calls } = recordingFetch(exampleResponder);
    const seen: IdempotencyKey[] = [];
    const client = createBhexOrgClient({ ...KEYS, fetch, baseUrl: "https://broker.test", rateLimit: false, onIdempotencyKey: (k) => seen.push(k) });
    const params = plausibleParams(meta.operations.find((o) => o.operationId === "assetWithdraw")!);
    const r1 = await client.callWithKey("assetWithdraw", params as never);
    expect(form(calls[0]!.body).client_order_id).toBe(r1.idempotencyKey!.value);
    expect(r1.idempotencyKey).toMatchObject({ operationId: "assetWithdraw", param: "client_order_id", generated: true });
    const r2 = await client.callWithKey("assetWithdraw", { ...params, client_order_id: 4200000000000000001n } as never);
    expect(form(calls[1]!.body).client_order_id).toBe("4200000000000000001");
    expect(r2.idempotencyKey).toMatchObject({ value: "4200000000000000001", generated: false });
    expect(seen.map((k) => k.value)).toEqual([r1.idempotencyKey!.value, "4200000000000000001"]);
  });

  it("an async onIdempotencyKey is waited for: the order goes out after the key is recorded, on call(), callWithKey() and .POST", async () => {
    const { fetch, calls } = recordingFetch(exampleResponder);
    const log: string[] = [];
    const client = createBhexOrgClient({ ...KEYS, fetch, baseUrl: "https://broker.test", rateLimit: false, onIdempotencyKey: async (k) => {
      log.push(`recording ${k.value} (${calls.length} sent)`);
      await new Promise((r) => setTimeout(r, 30));
      log.push(`recorded (${calls.length} sent)`);
    } });
    const order = { user_id: 1, exchange_id: 301, symbol_id: "ATUSDT", type: "limit", side: "buy", price: "1", quantity: "1" } as const;
    await client.call("orderCreate", order);
    await client.callWithKey("orderCreate", order);
    const { error } = await client.POST("/api/v2/org/order/create", { body: order } as never);
    expect(error).toBeUndefined();
    expect(calls).toHaveLength(3);
    expect(log.filter((l) => l.startsWith("recorded")).map((l) => l)).toEqual(["recorded (0 sent)", "recorded (1 sent)", "recorded (2 sent)"]);
  });

  it("an async onIdempotencyKey that rejects: nothing is sent, each road rejects with its error (no unhandled rejection)", async () => {
    const { fetch, calls } = recordingFetch(exampleResponder);
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    try {
      const full = new Error("key store full");
      const client = createBhexOrgClient({ ...KEYS, fetch, baseUrl: "https://broker.test", rateLimit: false, onIdempotencyKey: async () => {
        throw full;
      } });
      const order = { user_id: 1, exchange_id: 301, symbol_id: "ATUSDT", type: "limit", side: "buy", price: "1", quantity: "1" } as const;
      await expect(client.call("orderCreate", order)).rejects.toBe(full);
      await expect(client.callWithKey("orderCreate", order)).rejects.toBe(full);
      // Not a TradeApiError: thrown by the openapi-fetch methods too, as a failing fetch would be.
      await expect(client.POST("/api/v2/org/order/create", { body: order } as never)).rejects.toBe(full);
      await new Promise((r) => setTimeout(r, 20));
      expect(calls).toHaveLength(0);
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("onIdempotencyKey hears no key for a call whose parameters are refused (call(), callWithKey(), .POST, a batch's rows): the UsageError comes first", async () => {
    const { fetch, calls } = recordingFetch(exampleResponder);
    const seen: string[] = [];
    const client = createBhexOrgClient({ ...KEYS, fetch, baseUrl: "https://broker.test", rateLimit: false, onIdempotencyKey: (k) => void seen.push(k.value) });
    const order = { user_id: 1, exchange_id: 301, symbol_id: "ATUSDT", type: "limit", side: "buy", price: "1", quantity: "1" } as const;
    const bad = [
      { ...order, side: "sideways" },
      { ...order, symbol_id: undefined },
      { ...order, price: "1", qty: "1" },
    ];
    for (const params of bad) {
      await expect(client.call("orderCreate", params as never)).rejects.toBeInstanceOf(UsageError);
      await expect(client.callWithKey("orderCreate", params as never)).rejects.toBeInstanceOf(UsageError);
      const { error } = await client.POST("/api/v2/org/order/create", { body: params } as never);
      expect(error).toBeInstanceOf(UsageError);
    }
    const transfer = plausibleParams(meta.operations.find((o) => o.operationId === "financeBatchTransfer")!);
    await expect(client.call("financeBatchTransfer", { ...transfer, data_type: "json", items: [{ not: "a row" }] } as never)).rejects.toBeInstanceOf(UsageError);
    expect(seen).toEqual([]);
    expect(calls).toHaveLength(0);
    await client.call("orderCreate", order);
    expect(seen).toHaveLength(1);
  });

  it("an abort ends the wait for an async onIdempotencyKey that never settles (the call's signal, the client's): AbortedError, nothing sent", async () => {
    const { fetch, calls } = recordingFetch(exampleResponder);
    const order = { user_id: 1, exchange_id: 301, symbol_id: "ATUSDT", type: "limit", side: "buy", price: "1", quantity: "1" } as const;
    const never = () => new Promise<void>(() => undefined);
    const client = createBhexOrgClient({ ...KEYS, fetch, baseUrl: "https://broker.test", rateLimit: false, onIdempotencyKey: never });
    const aborted = (run: (signal: AbortSignal) => Promise<unknown>) => {
      const ac = new AbortController();
      setTimeout(() => ac.abort(new Error("caller gave up")), 20);
      return run(ac.signal);
    };
    for (const e of [
      await rejection(aborted((signal) => client.call("orderCreate", order, { signal }))),
      await rejection(aborted((signal) => client.callWithKey("orderCreate", order, { signal }))),
      ((await aborted((signal) => client.POST("/api/v2/org/order/create", { body: order, signal } as never))) as { error: unknown }).error,
    ]) {
      expect(e).toBeInstanceOf(AbortedError);
      expect((e as TradeApiError).operation).toBe("orderCreate");
      expect(((e as Error).cause as Error).message).toBe("caller gave up");
    }
    // The client's own signal too.
    const shutdown = new AbortController();
    const held = createBhexOrgClient({ ...KEYS, fetch, baseUrl: "https://broker.test", rateLimit: false, signal: shutdown.signal, onIdempotencyKey: never });
    const pending = rejection(held.call("orderCreate", order));
    shutdown.abort();
    expect(await pending).toBeInstanceOf(AbortedError);
    expect(calls).toHaveLength(0);
  });

  it("a newIdempotencyKey that returns no usable key (empty, not text, a promise) is a UsageError before anything is sent", async () => {
    const order = { user_id: 1, exchange_id: 301, symbol_id: "ATUSDT", type: "limit", side: "buy", price: "1", quantity: "1" } as const;
    for (const [gen, got] of [
      [() => "", 'got ""'],
      [() => 5, "got 5"],
      [async () => "123", "got a promise (it must return the key itself)"],
    ] as const) {
      const { fetch, calls } = recordingFetch(exampleResponder);
      const client = createBhexOrgClient({ ...KEYS, fetch, baseUrl: "https://broker.test", rateLimit: false, newIdempotencyKey: gen as never });
      await expect(client.callWithKey("orderCreate", order)).rejects.toThrow(`bhex orderCreate: newIdempotencyKey must return a non-empty text for "client_order_id", ${got}`);
      await expect(client.call("orderCreate", order)).rejects.toBeInstanceOf(UsageError);
      expect(calls).toHaveLength(0);
    }
  });

  it("a key given empty is a UsageError on every road (it was replaced by a made one the caller did not know of); the hook hears nothing", async () => {
    const order = { user_id: 1, exchange_id: 301, symbol_id: "ATUSDT", type: "limit", side: "buy", price: "1", quantity: "1", client_order_id: "" } as const;
    const { fetch, calls } = recordingFetch(exampleResponder);
    const keys: IdempotencyKey[] = [];
    const client = createBhexOrgClient({ ...KEYS, fetch, baseUrl: "https://broker.test", rateLimit: false, onIdempotencyKey: (k) => void keys.push(k) });
    const message = 'bhex orderCreate: "client_order_id" is empty: give the key, or leave it out for one made for this call';
    await expect(client.call("orderCreate", order)).rejects.toThrow(message);
    await expect(client.callWithKey("orderCreate", order)).rejects.toThrow(message);
    expect(() => client.withIdempotencyKey("orderCreate", order)).toThrow(message);
    const { error } = await client.POST("/api/v2/org/order/create", { body: order as never });
    expect((error as Error).message).toBe(message);
    expect(calls).toHaveLength(0);
    expect(keys).toEqual([]);
  });

  it("payment settle/refund/unlock generate their own *_client_order_id, not the order reference", async () => {
    const { fetch, calls } = recordingFetch(exampleResponder);
    const client = createBhexOrgClient({ ...KEYS, fetch, baseUrl: "https://broker.test", rateLimit: false });
    await client.call("paymentOrderSettle", { client_order_id: "Activity201910200001", token_id: "BTC", amount: "0.1" });
    const sent = form(calls[0]!.body);
    expect(sent.client_order_id).toBe("Activity201910200001");
    expect(sent.settle_client_order_id).toMatch(/^\d{19}$/);
  });

  it("withIdempotencyKey fills the key once, so a later resend is the same request", async () => {
    const { fetch, calls } = recordingFetch(exampleResponder);
    const client = createBhexOrgClient({ ...KEYS, fetch, baseUrl: "https://broker.test", rateLimit: false });
    const order = client.withIdempotencyKey("orderCreate", { user_id: 1, exchange_id: 301, symbol_id: "ATUSDT", type: "limit", side: "buy", price: "1", quantity: "1" });
    expect(order.client_order_id).toMatch(/^\d{19}$/);
    await client.call("orderCreate", order);
    await client.call("orderCreate", order);
    expect(calls[0]!.body).toBe(calls[1]!.body);
  });
});

describe("every attempt of one call sends the same key", () => {
  it("with idempotentRetry, transient failures are retried with the same client_order_id (and signature)", async () => {
    const { fetch, calls } = recordingFetch((r, n) => (n < 3 ? new Response("bad gateway", { status: 502 }) : exampleResponder(r)));
    const client = createBhexOrgClient({ ...KEYS, fetch, baseUrl: "https://broker.test", rateLimit: false, idempotentRetry: { sleep: async () => {} } });
    const res = await client.callWithKey("financeLock", { user_id: 1, token_id: "BTC", amount: "1" });
    expect(calls).toHaveLength(3);
    const ids = calls.map((c) => form(c.body).client_order_id);
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toBe(res.idempotencyKey!.value);
    for (const c of calls) expect(verifySignature(c)).toBe(true);
  });

  it("without it, a call that changes state gets exactly one attempt (x-retryable: false)", async () => {
    const { fetch, calls } = recordingFetch(() => new Response("bad gateway", { status: 502 }));
    const client = createBhexOrgClient({ ...KEYS, fetch, baseUrl: "https://broker.test", rateLimit: false, retry: { sleep: async () => {} } });
    await expect(client.call("financeLock", { user_id: 1, token_id: "BTC", amount: "1" })).rejects.toBeInstanceOf(HttpError);
    expect(calls).toHaveLength(1);
  });

  it("a vendor error is not retried even with idempotentRetry", async () => {
    const { fetch, calls } = recordingFetch(() => new Response('{"code":1105,"msg":"no"}', { status: 400, headers: { "content-type": "application/json" } }));
    const client = createBhexOrgClient({ ...KEYS, fetch, baseUrl: "https://broker.test", rateLimit: false, idempotentRetry: { sleep: async () => {} } });
    await expect(client.call("financeLock", { user_id: 1, token_id: "BTC", amount: "1" })).rejects.toThrow(/code 1105/);
    expect(calls).toHaveLength(1);
  });
});

describe("against the emulator: an answer lost after the order was placed", () => {
  let mock: HttpMock;
  beforeAll(async () => {
    mock = await startBhexMock();
  });
  afterAll(() => mock.close());

  it("the retry with the same client_order_id gets the same order, and only one order exists", async () => {
    let attempts = 0;
    // Forwards to the emulator, then drops the first answer as if the connection broke.
    const lossy: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (++attempts === 1) {
        await res.arrayBuffer();
        throw new TypeError("fetch failed", { cause: { code: "ECONNRESET" } });
      }
      return res;
    };
    const client = createBhexOrgClient({
      accessKey: BHEX_MOCK_ACCESS_KEY,
      secretKey: BHEX_MOCK_SECRET_KEY,
      baseUrl: mock.url,
      fetch: lossy,
      rateLimit: false,
      idempotentRetry: { sleep: async () => {} },
    });
    const placed = await client.callWithKey("orderCreate", { user_id: 83214971450163200n, exchange_id: 301, symbol_id: "ATUSDT", type: "limit", side: "buy", price: "0.1668", quantity: "10" });
    expect(attempts).toBe(2);
    expect(placed.data?.clientOrderId).toBe(placed.idempotencyKey!.value);
    const open = await client.call("orderOpenOrders", { user_id: 83214971450163200n });
    expect(open?.map((o) => o.orderId)).toEqual([placed.data!.orderId]);
    // Another order under the same client_order_id (which must not repeat) is refused: it was
    // answered with the first order, as if placed.
    const key = placed.idempotencyKey!.value;
    await expect(client.call("orderCreate", { user_id: 83214971450163200n, exchange_id: 301, symbol_id: "ATUSDT", type: "limit", side: "sell", price: "999", quantity: "5", client_order_id: key })).rejects.toMatchObject({
      code: 1,
      message: expect.stringContaining(`client_order_id "${key}" was already used for another order`),
    });

    // The same lost answer without idempotentRetry surfaces as a ConnectionError, carrying the
    // client_order_id the order went out under (to look it up by; only onIdempotencyKey had it).
    attempts = 0;
    const once = createBhexOrgClient({ accessKey: BHEX_MOCK_ACCESS_KEY, secretKey: BHEX_MOCK_SECRET_KEY, baseUrl: mock.url, fetch: lossy, rateLimit: false });
    const lost = await once.call("orderCreate", { user_id: 83214971450163200n, exchange_id: 301, symbol_id: "ATUSDT", type: "market", side: "sell", quantity: "1" }).catch((e: unknown) => e);
    expect(lost).toMatchObject({ constructor: ConnectionError, outcomeUnknown: true, idempotencyKey: { param: "client_order_id", value: expect.any(String) } });
    const placed2 = await once.call("orderGet", { user_id: 83214971450163200n, client_order_id: (lost as ConnectionError).idempotencyKey!.value });
    expect(placed2?.side).toBe("SELL");
    expect(JSON.stringify(lost)).toContain((lost as ConnectionError).idempotencyKey!.value);

    // `.POST` alike: its error carries the key that went out (it had none: the order could not be looked up).
    attempts = 0;
    const { error } = await once.POST("/api/v2/org/order/create", { body: { user_id: 83214971450163200n, exchange_id: 301, symbol_id: "ATUSDT", type: "market", side: "sell", quantity: "2" } } as never);
    expect(error).toMatchObject({ constructor: ConnectionError, outcomeUnknown: true, idempotencyKey: { param: "client_order_id", value: expect.any(String) } });
    const placed3 = await once.call("orderGet", { user_id: 83214971450163200n, client_order_id: (error as ConnectionError).idempotencyKey!.value });
    expect(placed3?.origQty).toBe("2");
    // A key the caller gave is the one marked.
    attempts = 0;
    const given = await once.POST("/api/v2/org/order/create", { body: { user_id: 83214971450163200n, exchange_id: 301, symbol_id: "ATUSDT", type: "market", side: "sell", quantity: "3", client_order_id: "my-key-1" } } as never);
    expect(given.error?.idempotencyKey).toEqual({ param: "client_order_id", value: "my-key-1" });
  });

  it("an order whose first attempt may have been placed stays outcomeUnknown when a retry is refused or the wait is aborted", async () => {
    const order = { user_id: 83214971450163200n, exchange_id: 301, symbol_id: "ATUSDT", type: "limit", side: "buy", price: "0.1668", quantity: "10" } as const;
    let attempts = 0;
    // The first attempt reaches the emulator and its answer is lost; the next ones find the connection refused.
    const lost: typeof fetch = async (input, init) => {
      if (++attempts === 1) {
        await (await fetch(input, init)).arrayBuffer();
        throw new TypeError("fetch failed", { cause: { code: "ECONNRESET" } });
      }
      throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
    };
    const client = createBhexOrgClient({ accessKey: BHEX_MOCK_ACCESS_KEY, secretKey: BHEX_MOCK_SECRET_KEY, baseUrl: mock.url, fetch: lost, rateLimit: false, idempotentRetry: { sleep: async () => {} } });
    const refused = (await rejection(client.callWithKey("orderCreate", order))) as TradeApiError;
    expect(attempts).toBe(3);
    expect(refused).toBeInstanceOf(ConnectionError);
    expect(refused.message).toContain("ECONNREFUSED");
    expect(refused.outcomeUnknown).toBe(true);

    attempts = 0;
    const ac = new AbortController();
    const waiting = createBhexOrgClient({
      accessKey: BHEX_MOCK_ACCESS_KEY,
      secretKey: BHEX_MOCK_SECRET_KEY,
      baseUrl: mock.url,
      fetch: lost,
      rateLimit: false,
      idempotentRetry: { sleep: async () => ac.abort() },
    });
    const aborted = (await rejection(waiting.callWithKey("orderCreate", order, { signal: ac.signal }))) as TradeApiError;
    expect(attempts).toBe(1);
    expect(aborted).toBeInstanceOf(AbortedError);
    expect(aborted.outcomeUnknown).toBe(true);
  });
});
