import { describe, expect, it } from "vitest";
import { meta } from "../../generated/xt-spot.docs.js";
import { signXtParams } from "../../src/auth/xt.js";
import {
  ApiError,
  AuthError,
  ConnectionError,
  CredentialsError,
  HttpError,
  InsufficientFundsError,
  OrderNotFoundError,
  RateLimitError,
  ResponseFormatError,
  TimeoutError,
  UsageError,
} from "../../src/handwritten/core/errors.js";
import { createXtClient, type XtOperationId } from "../../src/handwritten/xt/client.js";
import { decodeXtBatchData, encodeXtBatchData, XT_BATCH_MAX, xtBatchMax } from "../../src/handwritten/xt/batch.js";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { json, recordingFetch, type Recorded } from "../helpers/recording-fetch.js";
import { sentBatch } from "../helpers/xt-batch-answer.js";

const KEYS = { accessKey: "ak-test", secretKey: "sk-test-secret" };
const NOW = 1700000000000;

/**
 * Answer every request with the spec's example for its operation; batchOrder and batchCancel
 * with as many of the example's results as the request sent items, under the ids sent
 * (batchCancel) or ids of their own (batchOrder): the client checks both.
 */
function exampleResponder(req: Recorded): Response {
  const op = meta.operations.find((o) => o.method === req.method && o.path === req.url.pathname);
  const example = op?.responses["200"]?.example;
  if (!example) return json({ code: 404, info: "no example" }, 404);
  if (op.operationId === "batchOrder" || op.operationId === "batchCancel") {
    // (each id once: batchCancel answers the ids sent, batchOrder gives each placed order its own)
    const body = JSON.parse(example) as { data: Array<{ id: number }> };
    const cancel = op.operationId === "batchCancel";
    return json({ ...body, data: sentBatch(req).map((sent, i) => ({ ...body.data[i % body.data.length], id: cancel ? sent : body.data[0]!.id + i })) });
  }
  return new Response(example, { headers: { "content-type": "application/json" } });
}

function signedPairs(req: Recorded): Array<[string, string]> {
  return req.method === "GET" ? [...req.url.searchParams.entries()] : [...new URLSearchParams(req.body).entries()];
}

/** Independent check of the wire signature: recompute over what was actually sent. */
function verifySignature(req: Recorded, decodeData = true): boolean {
  const pairs = Object.fromEntries(signedPairs(req));
  const { signature, ...rest } = pairs;
  if (decodeData && rest.data !== undefined) rest.data = Buffer.from(rest.data, "base64").toString("utf8");
  return signature === signXtParams(rest, KEYS.secretKey);
}

const ids = [156293034776986n, 9007199254740993n];
/** Parameters for the operations that need realistic values; any other operation of the spec gets sampleParams. */
const PARAMS: Partial<Record<XtOperationId, Record<string, unknown>>> = {
  getMarketConfig: {},
  getKLine: { market: "btc_usdt", type: "1min", since: 0 },
  getTicker: { market: "btc_usdt" },
  getTickers: {},
  getDepth: { market: "btc_usdt" },
  getTrades: { market: "btc_usdt" },
  getServerTime: {},
  getBalance: {},
  getAccounts: {},
  getFunds: { account: 2 },
  transfer: { from: 1, to: 2, amount: 1.5, coin: "usdt", safePwd: "pw-123456" },
  order: { market: "btc_usdt", price: 5000, number: 0.002, type: 1, entrustType: 0 },
  batchOrder: { market: "btc_usdt", data: encodeXtBatchData([{ price: 5000, amount: 0.001, type: 1 }, { price: 5000, amount: 0.002, type: 1 }]) },
  cancel: { market: "btc_usdt", id: 156292794190713n },
  batchCancel: { market: "btc_usdt", data: encodeXtBatchData([...ids, 156293034776988n]) },
  getOrder: { market: "btc_usdt", id: 156293034776987n },
  getOpenOrders: { market: "btc_usdt", page: 1, pageSize: 10 },
  getBatchOrders: { market: "btc_usdt", data: encodeXtBatchData(ids) },
  getPayInAddress: { coin: "usdt" },
  getPayOutAddress: { coin: "usdt", page: 1, pageSize: 10 },
  getPayInRecord: { coin: "usdt", page: 1, pageSize: 10 },
  getPayOutRecord: { coin: "usdt", page: 1, pageSize: 10 },
  getWithdrawConfig: {},
  withdraw: { coin: "usdt", address: "0xb1878d51e4a951e566a8c1bd206264077d959169", amount: 1, safePwd: "pw-123456" },
};

/** Required parameters of an operation filled from its schema (enum, default, or a value of its type). */
function sampleParams(op: (typeof meta.operations)[number]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = [...op.params.filter((p) => p.required).map((p) => [p.name, p.schema] as const), ...Object.entries(op.body?.properties ?? {}).filter(([n]) => op.body!.required.includes(n))];
  for (const [name, schema] of fields) {
    const type = ([] as string[]).concat(schema.type ?? "string")[0];
    out[name] = schema.enum?.[0] ?? schema.default ?? (type === "integer" || type === "number" ? 1 : type === "boolean" ? true : "x");
  }
  return out;
}

// Every operation of the spec, as the generated metadata lists it (nothing restated here).
const OPERATIONS = meta.operations.map((o) => ({ op: o.operationId as XtOperationId, params: PARAMS[o.operationId as XtOperationId] ?? sampleParams(o) }));

describe("createXtClient: every operation", () => {
  it("has realistic parameters only for operations the spec has", () => {
    for (const op of Object.keys(PARAMS)) expect(meta.operations.map((o) => o.operationId)).toContain(op);
  });

  it.each(OPERATIONS)("$op", async ({ op, params }) => {
    const { fetch, calls } = recordingFetch(exampleResponder);
    const client = createXtClient({ ...KEYS, fetch, baseUrl: "https://xt.test", now: () => NOW, rateLimit: false });
    const data = await client.call(op, params as never);
    const opMeta = meta.operations.find((o) => o.operationId === op)!;
    expect(calls).toHaveLength(1);
    const req = calls[0]!;
    expect(req.method).toBe(opMeta.method);
    expect(req.url.pathname).toBe(opMeta.path);
    const signed = opMeta.security.length > 0;
    const sent = Object.fromEntries(signedPairs(req));
    if (req.method === "GET") {
      expect(req.body).toBe("");
    } else {
      // POST: everything in the form body, nothing in the query.
      expect([...req.url.searchParams.keys()]).toEqual([]);
      expect(req.headers["content-type"]).toContain("application/x-www-form-urlencoded");
    }
    for (const [k, v] of Object.entries(params)) expect(sent[k]).toBe(String(v));
    if (signed) {
      expect(sent.accesskey).toBe(KEYS.accessKey);
      expect(sent.nonce).toBe(String(NOW));
      expect(verifySignature(req)).toBe(true);
    } else {
      expect(sent.accesskey).toBeUndefined();
      expect(sent.signature).toBeUndefined();
    }
    // The envelope is unwrapped for trade endpoints; market data comes back bare.
    const example = JSON.parse(opMeta.responses["200"]!.example!);
    if (opMeta.envelope === false) expect(Object.keys(data as object)).toEqual(Object.keys(example));
    else if (example.data !== undefined) expect(Object.keys(data as object)).toEqual(Object.keys(example.data));
    else expect(data).toBeUndefined(); // transfer, cancel: the envelope carries no data
  });
});

describe("openapi-fetch typed calls", () => {
  it("GET with query params goes through the same signing transport", async () => {
    const { fetch, calls } = recordingFetch(exampleResponder);
    const client = createXtClient({ ...KEYS, fetch, baseUrl: "https://xt.test", now: () => NOW, rateLimit: false });
    const { data } = await client.GET("/trade/api/v1/getOrder", { params: { query: { market: "btc_usdt", id: 156293034776987n } } });
    expect(data?.code).toBe(200);
    expect(data?.data?.id).toBe(156293034776987);
    expect(verifySignature(calls[0]!)).toBe(true);
  });

  it("POST sends a signed form body and no query", async () => {
    const { fetch, calls } = recordingFetch(exampleResponder);
    const client = createXtClient({ ...KEYS, fetch, baseUrl: "https://xt.test", now: () => NOW, rateLimit: false });
    const { data } = await client.POST("/trade/api/v1/order", {
      body: { market: "btc_usdt", price: 5000, number: 0.002, type: 1, entrustType: 0 },
    });
    expect(data?.data?.id).toBe(156292794190713);
    const req = calls[0]!;
    expect(req.url.search).toBe("");
    expect(new URLSearchParams(req.body).get("market")).toBe("btc_usdt");
    expect(verifySignature(req)).toBe(true);
  });

  it("keeps IDs above 2^53 exact through openapi-fetch too", async () => {
    const big = "{\"code\":200,\"info\":\"success\",\"data\":{\"id\":1234567890123456789,\"number\":\"1\",\"price\":\"1\",\"avgPrice\":\"0\",\"time\":1,\"type\":1,\"status\":1,\"completeNumber\":\"0\",\"completeMoney\":\"0\",\"entrustType\":0,\"fee\":\"0\"}}";
    const { fetch } = recordingFetch(() => new Response(big, { headers: { "content-type": "application/json" } }));
    const client = createXtClient({ ...KEYS, fetch, baseUrl: "https://xt.test", rateLimit: false });
    const { data } = await client.GET("/trade/api/v1/getOrder", { params: { query: { market: "btc_usdt", id: 1234567890123456789n } } });
    expect(data?.data?.id).toBe(1234567890123456789n);
    const viaCall = await client.call("getOrder", { market: "btc_usdt", id: BigInt("1234567890123456789") });
    expect(viaCall?.id).toBe(1234567890123456789n);
  });
});

describe("batch data", () => {
  it("round-trips typed items and big IDs through base64", () => {
    const items = [{ price: 1000, amount: 1, type: 1 as const }];
    expect(decodeXtBatchData(encodeXtBatchData(items))).toEqual(items);
    expect(decodeXtBatchData(encodeXtBatchData([9007199254740993n, "1234567890123456789", 7]))).toEqual([9007199254740993n, 1234567890123456789n, 7]);
    expect(Buffer.from(encodeXtBatchData([123, 456, 789]), "base64").toString()).toBe("[123,456,789]");
  });

  it("the batch limit is the spec's x-max-items of each operation's data (not a copy of it)", async () => {
    const spec = parseYaml(readFileSync(new URL("../../specs/openapi/xt-spot.yaml", import.meta.url), "utf8")) as Record<string, any>;
    const inline = spec.paths["/trade/api/v1/batchOrder"].post.requestBody.content["application/x-www-form-urlencoded"].schema.properties.data["x-max-items"];
    const ids = spec.components.schemas.OrderIdListBase64["x-max-items"];
    expect(typeof inline).toBe("number");
    expect(xtBatchMax("batchOrder")).toBe(inline);
    expect(XT_BATCH_MAX).toBe(inline);
    expect(xtBatchMax("batchCancel")).toBe(ids);
    expect(xtBatchMax("getBatchOrders")).toBe(ids);
    // The helpers refuse one more than the limit before sending anything.
    const { fetch, calls } = recordingFetch(exampleResponder);
    const client = createXtClient({ ...KEYS, fetch, baseUrl: "https://xt.test", rateLimit: false });
    const refused = client.batchCancel("btc_usdt", Array.from({ length: ids + 1 }, (_, i) => i + 1));
    await expect(refused).rejects.toThrow(new RegExp(`^xt batchCancel: the batch does not fit the spec: data: a batch holds at most ${ids} items`));
    await expect(client.getBatchOrders("btc_usdt", ["12a"])).rejects.toThrow(/^xt getBatchOrders: data\[0\]: order id "12a" must be the id's digits \(a whole number of 0 or more\)$/);
    await expect(client.batchOrder("btc_usdt", Array.from({ length: inline + 1 }, () => ({ price: 1, amount: 1, type: 1 as const })))).rejects.toThrow(UsageError);
    expect(calls).toHaveLength(0);
  });

  it("a batch given to call() or .POST as a list is held to the helpers' rules (count, contentSchema, exact ids)", async () => {
    const { fetch, calls } = recordingFetch(exampleResponder);
    const client = createXtClient({ ...KEYS, fetch, baseUrl: "https://xt.test", rateLimit: false, retry: false });
    const order = { price: 1000, amount: 1, type: 1 };
    const refused: Array<[() => Promise<unknown>, RegExp]> = [
      [() => client.call("batchOrder", { market: "btc_usdt", data: Array.from({ length: 101 }, () => order) } as never), /^xt batchOrder: parameter "data": a batch holds at most 100 items \(the server ignores the rest\); got 101/],
      [() => client.call("batchOrder", { market: "btc_usdt", data: [{ ...order, price: Number.NaN }] } as never), /^xt batchOrder: parameter "data\[0\]\.price" must be a finite number, got NaN/],
      [() => client.call("batchOrder", { market: "btc_usdt", data: [{ price: 1, amount: 1 }] } as never), /^xt batchOrder: missing field parameter "data\[0\]\.type"/],
      // 9007199254740993 as a number is 9007199254740992: another order would be cancelled.
      [() => client.call("batchCancel", { market: "btc_usdt", data: [9007199254740993] } as never), /^xt batchCancel: parameter "data\[0\]" is 9007199254740992 as a JavaScript number/],
      [() => client.call("batchCancel", { market: "btc_usdt", data: [] } as never), /^xt batchCancel: parameter "data": a batch needs at least one item/],
      [() => client.call("getBatchOrders", { market: "btc_usdt", data: { id: 1 } } as never), /^xt getBatchOrders: parameter "data": a batch is a list of its items, got object/],
      [() => client.batchCancel("btc_usdt", [1, , 3] as never), /^xt batchCancel: the batch does not fit the spec: data\[1\] must be integer, got undefined/],
      [() => client.batchCancel("btc_usdt", "123" as never), /^xt batchCancel: a batch is a list of its items, got string/],
      [
        async () => {
          const { error } = await client.POST("/trade/api/v1/batchOrder", { body: { market: "btc_usdt", data: Array.from({ length: 101 }, () => order) } as never });
          throw error;
        },
        /^xt batchOrder: parameter "data": a batch holds at most 100 items/,
      ],
    ];
    for (const [attempt, message] of refused) {
      const e = await attempt().then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(UsageError);
      expect((e as Error).message).toMatch(message);
    }
    expect(calls).toHaveLength(0);
    // A list that fits goes out as the helper would send it (every digit of a bigint id).
    await client.call("batchCancel", { market: "btc_usdt", data: [9007199254740993n, 2] } as never);
    expect(decodeXtBatchData(new URLSearchParams(calls[0]!.body).get("data")!)).toEqual([9007199254740993n, 2]);
  });

  it("refuses empty, oversized (the server would drop items) and non-integer ids", () => {
    expect(() => encodeXtBatchData([])).toThrow(UsageError);
    expect(() => encodeXtBatchData(Array.from({ length: 101 }, (_, i) => i))).toThrow(/at most 100/);
    expect(() => encodeXtBatchData(["12a"])).toThrow(UsageError);
  });

  it("batch helpers sign the decoded JSON by default and the base64 text by option", async () => {
    for (const mode of ["decoded", "base64"] as const) {
      const { fetch, calls } = recordingFetch(exampleResponder);
      const client = createXtClient({ ...KEYS, fetch, baseUrl: "https://xt.test", batchDataSigning: mode, rateLimit: false });
      const res = await client.batchOrder("btc_usdt", [{ price: 5000, amount: 0.001, type: 1 }]);
      expect(res?.[0]?.id).toBe(156292972664756);
      const req = calls[0]!;
      expect(Buffer.from(new URLSearchParams(req.body).get("data")!, "base64").toString()).toBe('[{"price":5000,"amount":0.001,"type":1}]');
      expect(verifySignature(req, mode === "decoded")).toBe(true);
      expect(verifySignature(req, mode !== "decoded")).toBe(false);
    }
    const { fetch, calls } = recordingFetch(exampleResponder);
    const client = createXtClient({ ...KEYS, fetch, baseUrl: "https://xt.test", rateLimit: false });
    const cancelled = await client.batchCancel("btc_usdt", [156293034776986n, "156293034776987"]);
    expect(cancelled?.map((c) => c.code)).toEqual([120, 120]);
    await client.getBatchOrders("btc_usdt", [1n]);
    expect(calls.map((c) => c.method)).toEqual(["POST", "GET"]);
    expect(Buffer.from(calls[0]!.body.split("data=")[1]!.split("&")[0]!.replace(/%2B/g, "+").replace(/%2F/g, "/").replace(/%3D/g, "="), "base64").toString()).toBe(
      "[156293034776986,156293034776987]",
    );
  });
});

describe("errors", () => {
  const make = (respond: (r: Recorded, n: number) => Response | Promise<Response>, extra: object = {}) => {
    const rec = recordingFetch(respond);
    return { ...rec, client: createXtClient({ ...KEYS, fetch: rec.fetch, baseUrl: "https://xt.test", rateLimit: false, retry: { sleep: async () => {} }, ...extra }) };
  };

  it.each([
    { code: 103, cls: InsufficientFundsError, meaning: /insufficient/i },
    { code: 121, cls: OrderNotFoundError, meaning: /not exist|not found/i },
    { code: 124, cls: RateLimitError, meaning: /frequent/i },
    { code: 307, cls: AuthError, meaning: /access key/i },
    { code: 308, cls: AuthError, meaning: /signature/i },
    { code: 999, cls: ApiError, meaning: /.*/ },
  ])("code $code → $cls.name with operation, code and meaning", async ({ code, cls, meaning }) => {
    const { client } = make(() => json({ code, info: "vendor says no" }));
    const err = await client.call("order", { market: "btc_usdt", price: 1, number: 1, type: 1, entrustType: 0 }).catch((e) => e);
    expect(err).toBeInstanceOf(cls);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe(code);
    expect(err.operation).toBe("order");
    expect(err.message).toContain("xt order");
    expect(err.message).toContain(`code ${code}`);
    expect(err.message).toContain("vendor says no");
    if (code !== 999) expect(err.meaning).toMatch(meaning);
  });

  it("an order answered without its data, or with null (the spec requires it): ResponseFormatError, outcomeUnknown, sent once; a read's null still passes", async () => {
    for (const body of ['{"code":200,"info":"success"}', '{"code":200,"info":"success","data":null}']) {
      const { client, calls } = make(() => new Response(body, { headers: { "content-type": "application/json" } }));
      const err = await client.call("order", { market: "btc_usdt", price: 1, number: 1, type: 1, entrustType: 0 }).catch((e) => e);
      expect(err, body).toBeInstanceOf(ResponseFormatError);
      expect(err.message).toMatch(/^xt order: the answer's "data" is (missing|null), which the spec requires: what the call did cannot be read/);
      expect(err.outcomeUnknown).toBe(true);
      expect(calls).toHaveLength(1);
      const viaPost = await client.POST("/trade/api/v1/order", { body: { market: "btc_usdt", price: 1, number: 1, type: 1, entrustType: 0 } });
      expect(viaPost.error).toBeInstanceOf(ResponseFormatError);
    }
    const { client } = make(() => json({ code: 200, info: "success", data: null }));
    await expect(client.call("getOrder", { market: "btc_usdt", id: 1 })).resolves.toBeNull();
  });

  it("HTML error page → ResponseFormatError that says so", async () => {
    const { client } = make(() => new Response("<html><body>502 Bad Gateway</body></html>", { status: 200, headers: { "content-type": "text/html" } }));
    const err = await client.call("getServerTime").catch((e) => e);
    expect(err).toBeInstanceOf(ResponseFormatError);
    expect(err.message).toMatch(/HTML/);
  });

  it("non-2xx without a vendor body → HttpError with the status", async () => {
    const { client } = make(() => new Response("Service Unavailable", { status: 503 }));
    const err = await client.call("order", { market: "btc_usdt", price: 1, number: 1, type: 1, entrustType: 0 }).catch((e) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err.status).toBe(503);
  });

  it("connection failure → ConnectionError; timeout → TimeoutError", async () => {
    const refused = createXtClient({ ...KEYS, baseUrl: "http://127.0.0.1:1", rateLimit: false, retry: false });
    await expect(refused.call("getServerTime")).rejects.toBeInstanceOf(ConnectionError);
    const slow = createXtClient({
      ...KEYS,
      baseUrl: "https://xt.test",
      rateLimit: false,
      retry: false,
      timeoutMs: 50,
      fetch: (_u, init) =>
        new Promise((_res, rej) => init?.signal?.addEventListener("abort", () => rej(init.signal!.reason))),
    });
    await expect(slow.call("getServerTime")).rejects.toBeInstanceOf(TimeoutError);
  });

  it("missing credentials → CredentialsError before anything is sent; public calls need none", async () => {
    const { fetch, calls } = recordingFetch(exampleResponder);
    const client = createXtClient({ fetch, baseUrl: "https://xt.test", rateLimit: false });
    await expect(client.call("getBalance")).rejects.toBeInstanceOf(CredentialsError);
    // The library names its option; only the CLI speaks of environment variables.
    await expect(client.call("getBalance")).rejects.toThrow("xt getBalance: missing accessKey: pass { accessKey } to the client");
    await expect(client.call("getBalance")).rejects.not.toThrow(/XT_/);
    expect(calls).toHaveLength(0);
    await expect(client.call("getTicker", { market: "btc_usdt" })).resolves.toBeDefined();
  });

  it("a credential of the wrong kind (a bigint, a number) → CredentialsError naming it, not a TypeError from building the redactor", async () => {
    const { fetch, calls } = recordingFetch(exampleResponder);
    for (const secretKey of [98765432198765n, 98765432198765]) {
      const client = createXtClient({ fetch, baseUrl: "https://xt.test", rateLimit: false, accessKey: "AK-abcdef123", secretKey: secretKey as never });
      const error = await client.call("getBalance").then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(CredentialsError);
      expect((error as Error).message).toBe(`xt getBalance: secretKey must be a string, got ${typeof secretKey}`);
    }
    expect(calls).toHaveLength(0);
  });

  it("wrong parameters → UsageError naming the operation and the parameter", async () => {
    const { client, calls } = make(exampleResponder);
    await expect(client.call("getOrder", { market: "btc_usdt" } as never)).rejects.toThrow(/getOrder: missing required parameter "id"/);
    await expect(client.call("getOrder", { market: "btc_usdt", id: 1, idd: 2 } as never)).rejects.toThrow(/unknown parameter "idd"/);
    await expect(client.call("order", { market: "btc_usdt", price: 1, number: 1, type: 5, entrustType: 0 } as never)).rejects.toThrow(
      /"type" must be one of 0, 1/,
    );
    await expect(client.call("getFunds", { account: "two" } as never)).rejects.toBeInstanceOf(UsageError);
    await expect(client.call("nope" as never, {} as never)).rejects.toThrow(/unknown operation/);
    expect(calls).toHaveLength(0);
  });

  it("never puts the secret or the signature in errors", async () => {
    const secretEcho = (r: Recorded) =>
      new Response(`bad request ${r.url.search} ${r.body} secret=${KEYS.secretKey}`, { status: 400, headers: { "content-type": "text/plain" } });
    const { client } = make(secretEcho);
    const err = await client.call("getBalance").catch((e) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err.message).not.toContain(KEYS.secretKey);
    expect(err.message).not.toMatch(/signature=[0-9a-f]{64}/);
    expect(err.message).toContain("[redacted]");
  });
});

describe("retries: per operation, re-signed per attempt", () => {
  it("a read retries on 5xx with a fresh nonce and signature", async () => {
    let t = NOW;
    const { fetch, calls } = recordingFetch((r, n) => (n < 3 ? new Response("oops", { status: 502 }) : exampleResponder(r)));
    const client = createXtClient({ ...KEYS, fetch, baseUrl: "https://xt.test", now: () => t++, rateLimit: false, retry: { sleep: async () => {} } });
    await expect(client.call("getOrder", { market: "btc_usdt", id: 1 })).resolves.toBeDefined();
    expect(calls).toHaveLength(3);
    const nonces = calls.map((c) => c.url.searchParams.get("nonce"));
    expect(new Set(nonces).size).toBe(3);
    expect(new Set(calls.map((c) => c.url.searchParams.get("signature"))).size).toBe(3);
    for (const c of calls) expect(verifySignature(c)).toBe(true);
  });

  it("each call's nonce is later than the one before: calls in one millisecond, and after the clock went back a little; a clock corrected back further is taken as it is", async () => {
    let t = NOW + 0.7;
    const { fetch, calls } = recordingFetch(exampleResponder);
    const client = createXtClient({ ...KEYS, fetch, baseUrl: "https://xt.test", now: () => t, rateLimit: false });
    await Promise.all(Array.from({ length: 10 }, () => client.call("getBalance")));
    t = NOW - 500; // (a clock stepped back a little)
    await client.call("getBalance");
    t = NOW + 60_000;
    await client.call("getBalance");
    t = NOW + 1_000; // (a clock corrected back by a minute: taken as it is, not counted on from the wrong time)
    await client.call("getBalance");
    const nonces = calls.map((c) => Number(c.url.searchParams.get("nonce")));
    expect(nonces).toEqual([...Array.from({ length: 11 }, (_, i) => NOW + i), NOW + 60_000, NOW + 1_000]);
    for (const c of calls) expect(verifySignature(c)).toBe(true);
  });

  it.each(["withdraw", "order"] as const)("%s (changes state) is never retried, even though withdraw is a GET", async (op) => {
    const { fetch, calls } = recordingFetch(() => new Response("oops", { status: 502 }));
    const client = createXtClient({ ...KEYS, fetch, baseUrl: "https://xt.test", rateLimit: false, retry: { sleep: async () => {} } });
    const params =
      op === "withdraw"
        ? { coin: "usdt", address: "0xabc", amount: 1, safePwd: "pw" }
        : { market: "btc_usdt", price: 1, number: 1, type: 1, entrustType: 0 };
    await expect(client.call(op, params as never)).rejects.toBeInstanceOf(HttpError);
    expect(calls).toHaveLength(1);
  });

  it("does not retry vendor errors on reads (only transient failures)", async () => {
    const { fetch, calls } = recordingFetch(() => json({ code: 308, info: "sign" }));
    const client = createXtClient({ ...KEYS, fetch, baseUrl: "https://xt.test", rateLimit: false, retry: { sleep: async () => {} } });
    await expect(client.call("getBalance")).rejects.toBeInstanceOf(AuthError);
    expect(calls).toHaveLength(1);
  });
});
