/**
 * Every way a JavaScript caller reaches a REST client, given any values (fast-check's
 * `anything`: null-prototype objects whose String() throws, symbols, boxed values, maps,
 * sparse lists, bigints): `call` with any operation and parameters (and any value for one
 * parameter of the operation), the openapi-fetch methods, the batch, paging and download
 * helpers, the Xele calls and streams. Each gives a result or a TradeApiError (for the
 * openapi-fetch methods: `{ error }` holding one), never a TypeError from deep inside. This
 * found `call(op, null)` (a TypeError from the first parameter read), a BHEX idempotency key,
 * a from_id and a path String() could not convert, and a BHEX data_type holding a bigint.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { meta as bhexMeta } from "../../generated/bhex-org.meta.js";
import { meta as hubiMeta } from "../../generated/hubi-futures.meta.js";
import { meta as xeleMeta } from "../../generated/xele-mgmt.meta.js";
import { meta as xtMeta } from "../../generated/xt-spot.meta.js";
import { TradeApiError } from "../../src/handwritten/core/errors.js";
import type { ApiMeta } from "../../src/handwritten/core/meta.js";
import { startBhexMock, startHubiMock, startQuantWsMock, startXeleMock, startXtMock } from "../../src/mock/index.js";
import { createQuantWsClient } from "../../src/handwritten/quant-ws/index.js";
import { createBhexOrgClient, createBhexRateLimiter, createHubiClient, createRestClient, createXeleClient, createXtClient, createXtRateLimiter } from "../../src/index.js";
import { fcSeed } from "../helpers/fc-seed.js";

// A deeper local run: ENTRY_FUZZ_RUNS=5000 ENTRY_FUZZ_SEED=7 npx vitest run test/security/entry-fuzz.test.ts
const SEED = Number(process.env.ENTRY_FUZZ_SEED ?? 20261204);
const RUNS = Number(process.env.ENTRY_FUZZ_RUNS ?? 150);
const anything = fc.anything({ withBigInt: true, withNullPrototype: true, withBoxedValues: true, withDate: true, withTypedArray: true, withSparseArray: true, withMap: true, withSet: true, withObjectString: true });
const answering = (body: unknown) => async () => new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });

const xt = createXtClient({ accessKey: "k", secretKey: "s", fetch: answering({ code: 200, info: "s", data: null }), retry: false, rateLimit: false });
const bhex = createBhexOrgClient({ accessKey: "k", secretKey: "s", fetch: answering({}), retry: false, rateLimit: false });
const hubi = createHubiClient({ accessKey: "k", secretKey: "s", accessToken: "t", fetch: answering({ status: 0, result: null, message: "" }), retry: false, rateLimit: false });
const xele = createXeleClient({
  username: "u",
  password: "p",
  retry: false,
  fetch: async (input: string | URL | Request) => new Response(String(input instanceof Request ? input.url : input).includes("login") ? '{"ticket":"t"}' : '{"code":0,"msg":"","result":null}', { headers: { "content-type": "application/json" } }),
});

type Entry = (a: unknown, b: unknown, c: unknown) => unknown;
const call = (client: { call: unknown }): Entry => (a, b, c) => (client.call as Entry)(a, b, c);
const method = (client: object, name: string): Entry => (a, b) => (client as Record<string, Entry>)[name]!(a, b, undefined);
const first = (gen: (a: unknown, b: unknown, c: unknown) => { next(): Promise<unknown> }): Entry => (a, b, c) => gen(a, b, c).next();

/** An operation id or path of the API half the time, anything the other half. */
const refs = (meta: ApiMeta) => fc.oneof(fc.constantFrom(...meta.operations.flatMap((o) => [o.operationId, o.path])), anything);

const entries: Array<[string, Entry, fc.Arbitrary<unknown>]> = [
  ["xt call", call(xt), refs(xtMeta)],
  ["xt GET", method(xt, "GET"), refs(xtMeta)],
  ["xt POST", method(xt, "POST"), refs(xtMeta)],
  ["xt batchOrder", (a, b, c) => xt.batchOrder(a as never, b as never, c as never), anything],
  ["xt batchCancel", (a, b, c) => xt.batchCancel(a as never, b as never, c as never), anything],
  ["bhex call", call(bhex), refs(bhexMeta)],
  ["bhex callWithKey", (a, b, c) => bhex.callWithKey(a as never, b as never, c as never), refs(bhexMeta)],
  ["bhex withIdempotencyKey", (a, b) => bhex.withIdempotencyKey(a as never, b as never), refs(bhexMeta)],
  ["bhex GET", method(bhex, "GET"), refs(bhexMeta)],
  ["bhex POST", method(bhex, "POST"), refs(bhexMeta)],
  ["bhex paginate", first((a, b, c) => bhex.paginate(a as never, b as never, c as never)), refs(bhexMeta)],
  ["bhex downloadData", (a, b, c) => bhex.downloadData(a as never, b as never, c as never), anything],
  ["hubi call", call(hubi), refs(hubiMeta)],
  ["hubi GET", method(hubi, "GET"), refs(hubiMeta)],
  ["hubi POST", method(hubi, "POST"), refs(hubiMeta)],
  ["xele call", call(xele), refs(xeleMeta)],
  ["xele streamRows", first((a, b, c) => xele.streamRows(a as never, b as never, c as never)), refs(xeleMeta)],
];

/** Runs `f`; a failure must be a TradeApiError, and an openapi-fetch result's `error` too. */
async function typedOutcome(name: string, f: () => unknown): Promise<void> {
  let result: unknown;
  try {
    result = await f();
  } catch (e) {
    if (!(e instanceof TradeApiError)) throw new Error(`${name} threw ${String(e)}`, { cause: e });
    return;
  }
  const error = (result as { error?: unknown } | null | undefined)?.error;
  if (error !== undefined && !(error instanceof TradeApiError)) throw new Error(`${name} returned the error ${String(error)}`, { cause: error });
}

describe("every REST entry point, given any values (property)", () => {
  for (const [name, entry, ref] of entries) {
    it(`${name}: a result or a TradeApiError`, async () => {
      await fc.assert(
        fc.asyncProperty(ref, anything, anything, (a, b, c) => typedOutcome(name, () => entry(a, b, c))),
        { seed: fcSeed(SEED), numRuns: RUNS },
      );
    });
  }

  it("call with each operation's own parameter given any value (the first read of a null was a TypeError)", async () => {
    const apis: Array<[string, ApiMeta, Entry]> = [["xt", xtMeta, call(xt)], ["bhex", bhexMeta, call(bhex)], ["hubi", hubiMeta, call(hubi)]];
    for (const [api, meta, entry] of apis) {
      const withParam = fc.constantFrom(...meta.operations).chain((op) => {
        const names = [...op.params.map((p) => p.name), ...Object.keys(op.body?.properties ?? {})];
        return fc.tuple(fc.constant(op.operationId), names.length ? fc.dictionary(fc.constantFrom(...names), anything) : fc.constant({}));
      });
      await fc.assert(
        fc.asyncProperty(withParam, ([op, params]) => typedOutcome(`${api} ${op}`, () => entry(op, params, undefined))),
        { seed: fcSeed(SEED), numRuns: RUNS * 4 },
      );
    }
    expect(RUNS).toBeGreaterThan(0);
  });

  it("BHEX paginate with its own paging parameters and options given any value (a from_id String() could not convert was a TypeError)", async () => {
    const paged = bhexMeta.operations.filter((o) => o.pagination);
    const args = fc.constantFrom(...paged).chain((op) => {
      const p = op.pagination!;
      const names = [p.fromParam, p.toParam, p.limitParam, ...op.params.map((x) => x.name)].filter((n): n is string => typeof n === "string");
      return fc.tuple(fc.constant(op.operationId), fc.dictionary(fc.constantFrom(...names), anything), fc.oneof(anything, fc.record({ pageSize: anything, signal: anything, timeoutMs: anything, onPage: anything }, { requiredKeys: [] })));
    });
    await fc.assert(
      fc.asyncProperty(args, ([op, params, options]) => typedOutcome(`bhex paginate ${op}`, () => bhex.paginate(op as never, params as never, options as never).next())),
      { seed: fcSeed(SEED), numRuns: RUNS * 2 },
    );
    // Left out, the parameters are none (the key is made): it read a field of undefined.
    expect(bhex.withIdempotencyKey("paymentOrderRefund", undefined as never)).toEqual({ refund_client_order_id: expect.stringMatching(/^\d{19}$/) });
    const e = await bhex.paginate("userQueryUserList", { from_id: Object.create(null) } as never).next().then(() => undefined, (x: unknown) => x);
    expect((e as Error).message).toBe("bhex userQueryUserList: from_id must be an integer id, got object");
    const mode = await createBhexOrgClient({ accessKey: "k", secretKey: "s", fetch: answering({}), rateLimit: false }).call("financeBatchLockPosition", { items: [], data_type: [0n] } as never).then(() => undefined, (x: unknown) => x);
    expect((mode as Error).message).toBe('bhex financeBatchLockPosition: data_type must be "simple" or "json" to encode items rows, got object');
  });
});

describe("every factory and emulator, given options of any value (property)", () => {
  // Option names of every factory and emulator, and some that are none (refused by name).
  const NAMES = ["accessKey", "secretKey", "accessToken", "baseUrl", "fetch", "proxy", "timeoutMs", "maxResponseBytes", "retry", "rateLimit", "onEvent", "signal", "decimals", "signatureVariant", "now", "batchDataSigning", "newIdempotencyKey", "onIdempotencyKey", "retryIdempotent", "maUrl", "msUrl", "username", "password", "maxInFlight", "operator", "log", "firstSerialNo", "url", "requestTimeoutMs", "loginTimeoutMs", "connectTimeoutMs", "logoutTimeoutMs", "pingIntervalMs", "maxMissedPongs", "reconnect", "retryReads", "notReady", "maxMessageBytes", "wsOptions", "latencyMs", "depositRecords", "markPrice", "cash", "maxClockSkewMs", "userIds", "settings", "timeoutMS"];
  const retry = fc.record({ maxAttempts: anything, baseDelayMs: anything, maxDelayMs: anything, sleep: anything }, { requiredKeys: [] });
  // (no port or host: a number given would bind that port)
  const options = fc.dictionary(fc.constantFrom(...NAMES), fc.oneof(anything, retry), { maxKeys: 4 });
  const factories: Array<[string, (o: unknown) => unknown]> = [
    ["createXtClient", (o) => createXtClient(o as never)],
    ["createBhexOrgClient", (o) => createBhexOrgClient(o as never)],
    ["createHubiClient", (o) => createHubiClient(o as never)],
    ["createXeleClient", (o) => createXeleClient(o as never)],
    ["createQuantWsClient", (o) => createQuantWsClient(o as never)],
    ["createXtRateLimiter", (o) => (createXtRateLimiter as (o: unknown) => unknown)(o)],
    ["createBhexRateLimiter", (o) => (createBhexRateLimiter as (o: unknown) => unknown)(o)],
  ];
  it("createRestClient: a client or a UsageError, whatever its configuration (null, a config of the wrong kinds, misspelt fields were TypeErrors or ignored)", async () => {
    const config = fc.record(
      {
        api: fc.oneof(fc.constant("demo"), anything),
        meta: fc.oneof(fc.constant(xtMeta), anything),
        name: fc.oneof(fc.constant("DemoClient"), anything),
        options: fc.oneof(options, anything),
        credentials: fc.oneof(fc.constant({ secretKey: "s" }), anything),
        sign: fc.oneof(fc.constant((r: unknown) => r), anything),
        extend: fc.oneof(fc.constant(() => ({})), anything),
        signer: anything,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(config, anything), (c) => typedOutcome("createRestClient", () => void createRestClient(c as never))),
      { seed: fcSeed(SEED), numRuns: RUNS * 2 },
    );
  });

  for (const [name, make] of factories) {
    it(`${name}: a client or a UsageError (maxResponseBytes String() could not convert was a TypeError)`, async () => {
      await fc.assert(
        fc.asyncProperty(options, (o) =>
          typedOutcome(name, async () => {
            const made = make(o) as { close?: () => unknown } | undefined;
            await made?.close?.();
          }),
        ),
        { seed: fcSeed(SEED), numRuns: RUNS * 2 },
      );
    });
  }
  it("values String() cannot convert are named by type in the messages (each was a TypeError)", async () => {
    const odd = Object.create(null) as never;
    expect(() => createXtClient({ maxResponseBytes: odd })).toThrow("xt: maxResponseBytes must be a whole number of bytes of at least 1, or Infinity; got object");
    expect(() => createQuantWsClient({ url: "ws://127.0.0.1:1", maxMessageBytes: odd })).toThrow(/maxMessageBytes must be a whole number of bytes, 1 or more \(or Infinity\), got object$/);
    await expect(startHubiMock({ markPrice: odd })).rejects.toThrow("hubi: markPrice must be a finite number above 0, got object");
  });

  const emulators: Array<[string, (o: never) => Promise<{ close(): Promise<void> }>]> = [
    ["startXtMock", startXtMock],
    ["startBhexMock", startBhexMock],
    ["startHubiMock", startHubiMock],
    ["startXeleMock", startXeleMock],
    ["startQuantWsMock", startQuantWsMock],
  ];
  for (const [name, start] of emulators) {
    it(`${name}: an emulator or a UsageError`, async () => {
      await fc.assert(
        fc.asyncProperty(options, (o) => typedOutcome(name, async () => (await start(o as never)).close())),
        { seed: fcSeed(SEED), numRuns: Math.ceil(RUNS / 3) },
      );
    });
  }
});

describe("a quant-ws session's methods, given any values (property)", () => {
  it("a result or a TradeApiError (an op String() could not convert crashed in the error message)", async () => {
    const mock = await startQuantWsMock();
    const client = createQuantWsClient({ url: mock.url, requestTimeoutMs: 300, loginTimeoutMs: 2_000 });
    try {
      const s = await client.login({ platform: "huobi", accessKey: "ak", secretKey: "sk", symbols: ["ETH/USDT"] });
      const methods: Array<[string, Entry]> = [
        ["request", (a, b, c) => s.request(a as never, b as never, c as never)],
        ["placeOrder", (a, b) => s.placeOrder(a as never, b as never)],
        ["cancelOrder", (a, b, c) => s.cancelOrder(a as never, b as never, c as never)],
        ["openOrders", (a, b) => s.openOrders(a as never, b as never)],
        ["position", (a, b) => s.position(a as never, b as never)],
        ["symbolInfo", (a, b) => s.symbolInfo(a as never, b as never)],
        ["asset", (a) => s.asset(a as never)],
      ];
      const ref = fc.oneof(fc.constantFrom("place_order", "asset", "open_orders", "ETH/USDT"), anything);
      for (const [name, f] of methods) {
        await fc.assert(
          fc.asyncProperty(ref, anything, anything, (a, b, c) => typedOutcome(name, () => f(a, b, c))),
          { seed: fcSeed(SEED), numRuns: Math.ceil(RUNS / 3) },
        );
      }
    } finally {
      await client.close();
      await mock.close();
    }
  });
});
