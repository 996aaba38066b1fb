import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { meta } from "../../generated/hubi-futures.docs.js";
import { ApiError, ResponseFormatError, UsageError } from "../../src/handwritten/core/errors.js";
import { createHubiClient, type HubiClientOptions } from "../../src/handwritten/hubi/client.js";
import { specExample } from "../helpers/answers.js";

const CREDS = { accessKey: "ak-test-1", secretKey: "sk-test-secret-1", accessToken: "tok-test-token-1" };
const BASE = "https://hubi.test";

interface Recorded {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string | undefined;
}

/** A fetch that records each request and answers from a queue (or the default answer). */
function recordingFetch(answer: (n: number) => Response) {
  const requests: Recorded[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
    requests.push({ method: init?.method ?? "GET", url: new URL(String(input)), headers, body: init?.body as string | undefined });
    return answer(requests.length);
  }) as typeof globalThis.fetch;
  return { fetch, requests };
}

const json = (value: unknown, status = 200) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });

function client(answer: (n: number) => Response, extra: Partial<HubiClientOptions> = {}) {
  const rec = recordingFetch(answer);
  let t = Date.UTC(2024, 4, 1, 12, 0, 0, 0);
  const c = createHubiClient({ ...CREDS, baseUrl: BASE, fetch: rec.fetch, now: () => (t += 1000), seqStart: 100, ...extra });
  return { c, requests: rec.requests };
}

/** The pairs the request carried, in wire order: the query of a GET, the form of a POST. */
function sentPairs(r: Recorded): Array<[string, string]> {
  return r.method === "GET" ? [...r.url.searchParams.entries()] : [...new URLSearchParams(r.body ?? "").entries()];
}

/** Check the seven headers and recompute nonce and signature with node:crypto directly. */
function expectSigned(r: Recorded, seqNum: number) {
  const h = r.headers;
  expect(h["x-api-version"]).toBe("1.0.0");
  expect(h["x-api-key"]).toBe(CREDS.accessKey);
  expect(h.authorization).toBe(`Bearer ${CREDS.accessToken}`);
  expect(h["x-api-timestamp"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const nonce = createHash("md5").update(`${CREDS.accessKey}${h["x-api-timestamp"]}${seqNum}`).digest("hex");
  expect(h["x-api-nonce"]).toBe(nonce);
  const pairs = sentPairs(r);
  expect(h["x-api-signature-params"]).toBe(pairs.map(([k]) => k).join(","));
  const text = `${pairs.map(([k, v]) => `${k}=${v}`).join("&")}1.0.0${nonce}${r.url.pathname}`;
  expect(h["x-api-signature"]).toBe(createHmac("sha256", CREDS.secretKey).update(text).digest("hex"));
}

const ORDER = specExample(meta, "queryOrderById");
const POSITIONS = specExample(meta, "queryPosition");

const CASES = [
  {
    op: "queryOrdersPro",
    params: { timestamp: 1714564800000 },
    method: "GET",
    path: "/api/futures/query_orders_pro",
    pairs: [["timestamp", "1714564800000"]],
    answer: `[${ORDER}]`,
    want: (d: unknown) => expect((d as Array<{ ordStatus: string }>)[0]!.ordStatus).toBe("NEW"),
  },
  {
    op: "queryOrderById",
    params: { order_no: "O101-20190910-033720-922-1879" },
    method: "GET",
    path: "/api/futures/query_order_by_id",
    pairs: [["order_no", "O101-20190910-033720-922-1879"]],
    answer: ORDER,
    want: (d: unknown) => expect((d as { side: string }).side).toBe("Buy"),
  },
  {
    op: "queryAccounts",
    params: {},
    method: "GET",
    path: "/api/futures/query_accounts",
    pairs: [],
    answer: `[{"currency":"USDT","cash":10,"withdrawableCash":9,"frozenCash":1,"urPnl":0}]`,
    want: (d: unknown) => expect(d).toEqual([{ currency: "USDT", cash: 10, withdrawableCash: 9, frozenCash: 1, urPnl: 0 }]),
  },
  {
    op: "queryPosition",
    params: {},
    method: "GET",
    path: "/api/futures/query_position",
    pairs: [],
    answer: POSITIONS,
    want: (d: unknown) => expect(d).toEqual(JSON.parse(POSITIONS)),
  },
  {
    op: "queryActiveOrders",
    params: { symbol: "BTCUSD" },
    method: "GET",
    path: "/api/futures/query_active_orders",
    pairs: [["symbol", "BTCUSD"]],
    answer: `[]`,
    want: (d: unknown) => expect(d).toEqual([]),
  },
  {
    op: "enterOrder",
    params: {
      coin_code: "USDT",
      symbol: "BTCUSD",
      open_position: true,
      quantity: 100,
      price: 11335.5,
      trade_direction: "BUY",
      order_type: "LIMIT",
      stop_win_price: 12000,
      stop_win_type: "MARKET",
      trigger_price: 11000,
      trigger_type: "INDEX",
    },
    method: "POST",
    path: "/api/futures/enter_order",
    pairs: [
      ["coin_code", "USDT"],
      ["symbol", "BTCUSD"],
      ["open_position", "true"],
      ["quantity", "100"],
      ["price", "11335.5"],
      ["trade_direction", "BUY"],
      ["order_type", "LIMIT"],
      ["stop_win_price", "12000"],
      ["stop_win_type", "MARKET"],
      ["trigger_price", "11000"],
      ["trigger_type", "INDEX"],
    ],
    answer: `{"status":0,"result":"O101-20190910-033720-922-1879"}`,
    want: (d: unknown) => expect(d).toBe("O101-20190910-033720-922-1879"),
  },
  {
    op: "cancelOrder",
    params: { order_no: "O101-1" },
    method: "POST",
    path: "/api/futures/cancel_order",
    pairs: [["order_no", "O101-1"]],
    answer: `{"status":0,"result":null}`,
    want: (d: unknown) => expect(d).toBeNull(),
  },
  {
    op: "cancelOrderBatch",
    params: { order_nos: ["O101-1", "O101-2", "O101-3"] },
    method: "POST",
    path: "/api/futures/cancel_order_batch",
    pairs: [["order_nos", "O101-1,O101-2,O101-3"]],
    answer: `{"status":0,"result":null}`,
    want: (d: unknown) => expect(d).toBeNull(),
  },
  {
    op: "closePosition",
    params: { coin_code: "USDT", symbol: "BTCUSD", position_type: "Long" },
    method: "POST",
    path: "/api/futures/close_position",
    pairs: [
      ["coin_code", "USDT"],
      ["symbol", "BTCUSD"],
      ["position_type", "Long"],
    ],
    answer: `{"status":0,"result":null}`,
    want: (d: unknown) => expect(d).toBeNull(),
  },
  {
    op: "switchToCross",
    params: { coin_code: "USDT" },
    method: "POST",
    path: "/api/futures/switch_to_cross",
    pairs: [["coin_code", "USDT"]],
    answer: `{"status":0,"result":null}`,
    want: (d: unknown) => expect(d).toBeNull(),
  },
  {
    op: "changePositionLeverage",
    params: { coin_code: "USDT", two_side_position: false },
    method: "POST",
    path: "/api/futures/change_position_leverage",
    pairs: [
      ["coin_code", "USDT"],
      ["two_side_position", "false"],
    ],
    answer: `{"status":0,"result":null}`,
    want: (d: unknown) => expect(d).toBeNull(),
  },
  {
    op: "riskSetting",
    params: { coin_code: "USDT", symbol: "BTCUSD", leverage: 20 },
    method: "POST",
    path: "/api/futures/risk_setting",
    pairs: [
      ["coin_code", "USDT"],
      ["symbol", "BTCUSD"],
      ["leverage", "20"],
    ],
    answer: `{"status":0,"result":null}`,
    want: (d: unknown) => expect(d).toBeNull(),
  },
  {
    op: "amendOrder",
    params: { order_no: "O101-1", price: 11340, stop_loss_price: 11000 },
    method: "POST",
    path: "/api/futures/amend_order",
    pairs: [
      ["order_no", "O101-1"],
      ["price", "11340"],
      ["stop_loss_price", "11000"],
    ],
    answer: `{"status":0,"result":null}`,
    want: (d: unknown) => expect(d).toBeNull(),
  },
];

describe.each(CASES)("call($op)", ({ op, params, method, path, pairs, answer, want }) => {
  it(`sends ${method} ${path} with the params in the ${method === "GET" ? "query" : "form body"}, signed`, async () => {
    const { c, requests } = client(() => new Response(answer, { headers: { "content-type": "application/json" } }));
    const data = await c.call(op as never, params as never);
    want(data);
    expect(requests).toHaveLength(1);
    const r = requests[0]!;
    expect(r.method).toBe(method);
    expect(`${r.url.origin}${r.url.pathname}`).toBe(`${BASE}${path}`);
    if (method === "GET") {
      expect(r.body).toBeUndefined();
      expect([...r.url.searchParams.entries()]).toEqual(pairs);
    } else {
      expect(r.url.search).toBe("");
      expect(r.headers["content-type"]).toMatch(/application\/x-www-form-urlencoded/);
      expect([...new URLSearchParams(r.body).entries()]).toEqual(pairs);
    }
    expectSigned(r, 100);
  });
});

it("the table covers every operation of the spec exactly once", () => {
  expect(CASES.map((c) => c.op).sort()).toEqual(meta.operations.map((o) => o.operationId).sort());
});

describe("signing per request", () => {
  it("uses a fresh timestamp and the next seqNum on every request", async () => {
    const { c, requests } = client(() => json([]));
    await c.call("queryAccounts");
    await c.call("queryPosition");
    expect(requests[0]!.headers["x-api-timestamp"]).not.toBe(requests[1]!.headers["x-api-timestamp"]);
    expectSigned(requests[0]!, 100);
    expectSigned(requests[1]!, 101);
  });

  it("a parameter not given is neither sent nor signed; an optional one given \"\" is sent and signed as name= (as the spec says)", async () => {
    const { c, requests } = client(() => json([]));
    await c.call("queryActiveOrders", {});
    await c.call("queryActiveOrders", { symbol: undefined });
    await c.call("queryActiveOrders", { symbol: "" });
    expect(requests.map((r) => r.url.search)).toEqual(["", "", "?symbol="]);
    expect(requests.map((r) => r.headers["x-api-signature-params"])).toEqual(["", "", "symbol"]);
    expectSigned(requests[2]!, 102);
  });

  it("re-signs a retried attempt (new timestamp and nonce)", async () => {
    const { c, requests } = client(
      (n) => (n === 1 ? new Response("<html>bad gateway</html>", { status: 502, headers: { "content-type": "text/html" } }) : json([])),
      { retry: { sleep: async () => undefined } },
    );
    await expect(c.call("queryAccounts")).resolves.toEqual([]);
    expect(requests).toHaveLength(2);
    expectSigned(requests[0]!, 100);
    expectSigned(requests[1]!, 101);
    expect(requests[1]!.headers["x-api-nonce"]).not.toBe(requests[0]!.headers["x-api-nonce"]);
  });

  it("does not retry actions (x-retryable: false)", async () => {
    const { c, requests } = client(() => new Response("<html>oops</html>", { status: 502 }), { retry: { sleep: async () => undefined } });
    await expect(c.call("cancelOrder", { order_no: "O1" })).rejects.toThrow();
    expect(requests).toHaveLength(1);
  });

  it("signs requests made through the typed openapi-fetch client", async () => {
    const { c, requests } = client((n) => (n === 1 ? new Response(ORDER, { headers: { "content-type": "application/json" } }) : json({ status: 0, result: "O101-9" })));
    const got = await c.GET("/api/futures/query_order_by_id", { params: { query: { order_no: "O101-1" } } });
    expect(got.data?.id).toBe("string");
    const placed = await c.POST("/api/futures/enter_order", {
      body: { coin_code: "USDT", symbol: "BTCUSD", open_position: false, quantity: 2, trade_direction: "SELL", order_type: "MARKET" },
    });
    expect(placed.data?.result).toBe("O101-9");
    expect([...requests[0]!.url.searchParams.entries()]).toEqual([["order_no", "O101-1"]]);
    expect([...new URLSearchParams(requests[1]!.body).entries()]).toEqual([
      ["coin_code", "USDT"],
      ["symbol", "BTCUSD"],
      ["open_position", "false"],
      ["quantity", "2"],
      ["trade_direction", "SELL"],
      ["order_type", "MARKET"],
    ]);
    expectSigned(requests[0]!, 100);
    expectSigned(requests[1]!, 101);
  });

  it("signs URL-encoded values and sends X-API-Signature-Method when asked (vendor SDK variants)", async () => {
    const { c, requests } = client(() => json({ status: 0, result: null }), { signatureValues: "url-encoded", signatureMethodHeader: true });
    await c.cancelOrderBatch(["O101-1", "O101-2"]);
    const r = requests[0]!;
    expect(r.headers["x-api-signature-method"]).toBe("HmacSHA256");
    // The vendor Python SDK signs urlencode(params, safe=","): the comma stays a comma.
    const text = `order_nos=O101-1,O101-21.0.0${r.headers["x-api-nonce"]}/api/futures/cancel_order_batch`;
    expect(r.headers["x-api-signature"]).toBe(createHmac("sha256", CREDS.secretKey).update(text).digest("hex"));
  });
});

describe("cancelOrderBatch", () => {
  it("sends the order numbers comma-joined", async () => {
    const { c, requests } = client(() => json({ status: 0, result: null }));
    await expect(c.cancelOrderBatch(["O101-1", "O101-2"])).resolves.toBeNull();
    expect(requests[0]!.body).toBe("order_nos=O101-1%2CO101-2");
    expectSigned(requests[0]!, 100);
  });

  it.each([[[]], [["O1", ""]], [["O1,O2"]], [["O1 O2"]]])("refuses %j before sending", async (nos) => {
    const { c, requests } = client(() => json({ status: 0, result: null }));
    await expect(c.cancelOrderBatch(nos)).rejects.toBeInstanceOf(UsageError);
    expect(requests).toHaveLength(0);
  });

  it("millions of order numbers (too long for the spec's pattern to be checked) are a UsageError naming the operation and the parameter, as text, as a list and through the helper (was a bare RangeError)", async () => {
    const { c, requests } = client(() => json({ status: 0, result: null }));
    const nos = Array.from({ length: 2_500_000 }, () => "1");
    for (const attempt of [() => c.call("cancelOrderBatch", { order_nos: nos.join(",") }), () => c.call("cancelOrderBatch", { order_nos: nos }), () => c.cancelOrderBatch(nos)]) {
      const e = await attempt().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(UsageError);
      expect((e as Error).message).toMatch(/^hubi cancelOrderBatch: parameter "order_nos" must match \^\[\^,\\s\]\+\(,\[\^,\\s\]\+\)\*\$, got "1,1,1[1,]*… \(4999801 more characters\): too long to check against the pattern$/);
    }
    expect(requests).toHaveLength(0);
  });
});

describe("answers", () => {
  it("enterOrder answered success without its order number, or with null: ResponseFormatError, outcomeUnknown, sent once; a failure is still the vendor's error", async () => {
    const order = { coin_code: "USDT", symbol: "BTC", open_position: true, quantity: 1, price: 5000, trade_direction: "BUY", order_type: "LIMIT" } as const;
    for (const body of [{ status: 0 }, { status: 0, result: null }]) {
      const { c, requests } = client(() => json(body));
      const err = await c.call("enterOrder", order).catch((e: unknown) => e);
      expect(err, JSON.stringify(body)).toBeInstanceOf(ResponseFormatError);
      expect((err as ResponseFormatError).message).toMatch(/^hubi enterOrder: the answer's "result" is (missing|null), which the spec requires: what the call did cannot be read/);
      expect((err as ResponseFormatError).outcomeUnknown).toBe(true);
      expect(requests).toHaveLength(1);
    }
    const { c } = client(() => json({ status: -1, result: null, message: "ILLEGAL_PRICE" }));
    await expect(c.call("enterOrder", order)).rejects.toBeInstanceOf(ApiError);
    // cancelOrder answers null as its result: still taken
    const cancel = client(() => json({ status: 0, result: null }));
    await expect(cancel.c.call("cancelOrder", { order_no: "O1" })).resolves.toBeNull();
  });
});

describe("orders and positions without the conditional settings", () => {
  it("a plain order's and position's stop, take-profit, trailing and trigger fields null or left out are taken; the core fields are still required", async () => {
    const example = JSON.parse(ORDER) as Record<string, unknown> | Array<Record<string, unknown>>;
    const plain: Record<string, unknown> = { ...(Array.isArray(example) ? example[0] : example) };
    for (const k of ["stopLossPrice", "stopWinPrice", "stopWinType", "trailingStop"]) plain[k] = null;
    for (const k of ["triggerPrice", "triggerType", "showQty"]) delete plain[k];
    const { c } = client(() => json([plain]));
    const [read] = (await c.call("queryActiveOrders", {})) as Array<Record<string, unknown>>;
    expect(read!.stopLossPrice).toBeNull();
    expect("triggerType" in read!).toBe(false);
    const positions = JSON.parse(POSITIONS) as Array<Record<string, unknown>>;
    const flat: Record<string, unknown> = { ...positions[0], stopLossPrice: null, stopWinType: null, liquidationPrice: null };
    delete flat.trailingStopPrice;
    const p = client(() => json([flat]));
    expect(((await p.c.call("queryPosition", {})) as Array<Record<string, unknown>>)[0]!.liquidationPrice).toBeNull();
    const { id: _id, ...noId } = plain;
    const bad = client(() => json([noId]));
    await expect(bad.c.call("queryActiveOrders", {})).rejects.toBeInstanceOf(ResponseFormatError);
  });
});

describe("input checks before sending", () => {
  it("a missing required parameter is a UsageError naming it", async () => {
    const { c, requests } = client(() => json({ status: 0, result: null }));
    await expect(c.call("enterOrder", { coin_code: "USDT" } as never)).rejects.toThrow(/hubi enterOrder: missing required parameter "symbol"/);
    expect(requests).toHaveLength(0);
  });

  it("a value outside the enum is a UsageError", async () => {
    const { c } = client(() => json({ status: 0, result: null }));
    await expect(c.call("closePosition", { coin_code: "USDT", symbol: "BTCUSD", position_type: "LONG" as never })).rejects.toThrow(
      /position_type" must be one of "Long", "Short"/,
    );
  });

  it("stop_loss_price and trailing_stop together (the spec's body-level not) is a UsageError, nothing sent; either alone goes out", async () => {
    const { c, requests } = client(() => json({ status: 0, result: "1" }));
    const order = { coin_code: "USDT", symbol: "BTC", open_position: true, quantity: 1, price: 5000, trade_direction: "BUY", order_type: "LIMIT" } as const;
    await expect(c.call("enterOrder", { ...order, stop_loss_price: 4000, trailing_stop: 10 })).rejects.toThrow(/^hubi enterOrder: stop_loss_price and trailing_stop must not be sent together$/);
    await expect(c.call("amendOrder", { order_no: "1", stop_loss_price: 4000, trailing_stop: 10 })).rejects.toThrow(/^hubi amendOrder: stop_loss_price and trailing_stop must not be sent together$/);
    const viaPost = await c.POST("/api/futures/enter_order", { body: { ...order, stop_loss_price: 4000, trailing_stop: 10 } });
    expect(viaPost.error).toBeInstanceOf(UsageError);
    expect(requests).toHaveLength(0);
    await c.call("enterOrder", { ...order, stop_loss_price: 4000 });
    await c.call("enterOrder", { ...order, trailing_stop: 10 });
    expect(requests).toHaveLength(2);
  });
});
