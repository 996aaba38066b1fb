/**
 * The HTTP emulators (xt, bhex, hubi, xele) under requests no honest client sends: parameter
 * names and values never reach an object's prototype, no request text makes a regex
 * backtrack, stored state is validated and bounded, and the honest requests that follow work.
 */
import { DEC_ZERO } from "../../src/mock/decimal-text.js";
import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import { hubiTimestamp, signHubiRequest } from "../../src/auth/hubi.js";
import { signXtParams, xtNonce } from "../../src/auth/xt.js";
import { startHubiMock, HUBI_MOCK_ACCESS_KEY, HUBI_MOCK_ACCESS_TOKEN, HUBI_MOCK_SECRET_KEY } from "../../src/mock/hubi.js";
import { BhexState, MAX_BHEX_ORDERS } from "../../src/mock/bhex/state.js";
import { HubiExchange, MAX_HUBI_ORDERS, type MockOrder as HubiOrder } from "../../src/mock/hubi/engine.js";
import { compareCells, rowFilter } from "../../src/mock/query-rows.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME } from "../../src/mock/xele.js";
import { MAX_XT_ORDERS, XtState } from "../../src/mock/xt/state.js";
import type { MockRequest } from "../../src/mock/http-mock.js";
import { xeleHandlers } from "../../src/mock/xele/handlers.js";
import { MAX_XELE_RECORDS, XeleState } from "../../src/mock/xele/state.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "../../src/mock/xt.js";
import { startBhexMock } from "../../src/mock/bhex.js";
import { closedAfterEach } from "../helpers/closing.js";
/** A balance no test order reaches (10^29, in digits: the emulator takes no exponent). */
const BIG = `1${"0".repeat(29)}`;

const { started } = closedAfterEach();

describe("request text names no prototype", () => {
  it("xt getKLine with type=constructor or __proto__ is a 400 naming the types; the state steps an unknown type 1 min, numeric times", async () => {
    const xt = await started(startXtMock());
    const st = new XtState(0);
    for (const type of ["constructor", "__proto__", "toString"]) {
      const r = await fetch(`${xt.url}/data/api/v1/getKLine?market=btc_usdt&type=${type}&since=0`);
      expect(await r.json(), type).toMatchObject({ code: 400, info: expect.stringContaining('parameter type must be one of "1min"') });
      const rows = st.klines(type) as unknown as number[][];
      expect(rows.length, type).toBe(60);
      expect(rows.every((k) => Number.isFinite(k[0])), type).toBe(true);
      expect(rows[1]![0]! - rows[0]![0]!).toBe(60);
    }
  });
});

describe("the request target is read as HTTP says", () => {
  /** One raw request (fetch would normalise the target). */
  const raw = (url: string, target: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const u = new URL(url);
      const req = httpRequest({ host: u.hostname, port: u.port, path: target, method: "GET" }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.end();
    });

  it("an origin-form target starting with // is a path (not a host to drop): no route; absolute-form is served by its path", async () => {
    const xt = await started(startXtMock());
    const path = "/data/api/v1/getMarketConfig";
    expect((await raw(xt.url, path)).status).toBe(200);
    const doubled = await raw(xt.url, `//evil.example${path}`);
    expect(doubled.status).toBe(404);
    expect(doubled.body).toContain(`//evil.example${path}`);
    expect((await raw(xt.url, `http://127.0.0.1${path}`)).status).toBe(200);
  });
});

describe("the emulators' own refusals are in the API's envelope", () => {
  it("404 (no such endpoint) and 413 (body above maxBodyBytes) read as each API's errors read", async () => {
    const xele = await started(startXeleMock());
    const urls = { xt: (await started(startXtMock())).url, hubi: (await started(startHubiMock())).url, bhex: (await started(startBhexMock())).url, xele: xele.maUrl };
    // XT {code, info}; Hubi {status: -1, message} (its failure status); BHEX and Xele {code, msg}
    const shape = { xt: ["code", "info"], hubi: ["status", "message"], bhex: ["code", "msg"], xele: ["code", "msg"] } as const;
    for (const [api, url] of Object.entries(urls) as Array<[keyof typeof shape, string]>) {
      const missing = await fetch(`${url}/no/such/path`);
      const big = await fetch(`${url}/no/such/path`, { method: "POST", body: "z".repeat(1024 * 1024 + 1) });
      // (Xele answers an unknown path as its server does: HTTP 200, code 101)
      for (const [r, status, text] of [[missing, api === "xele" ? 200 : 404, api === "xele" ? /\/no\/such\/path/ : /^no such endpoint: GET \/no\/such\/path$/], [big, 413, /^request body larger than 1048576 bytes$/]] as const) {
        expect(r.status, api).toBe(status);
        const body = (await r.json()) as Record<string, unknown>;
        expect(Object.keys(body).sort(), `${api} ${status}`).toEqual([...shape[api]].sort());
        expect(String(body[shape[api][1]]), api).toMatch(text);
      }
      if (api === "hubi") expect(((await (await fetch(`${url}/x`, { method: "POST", body: "z".repeat(1024 * 1024 + 1) })).json()) as { status: number }).status).toBe(-1);
    }
  });
});

describe("no request text makes a comparison slow", () => {
  const ms = (f: () => unknown) => {
    const t = performance.now();
    f();
    return performance.now() - t;
  };
  it("many digits then a letter is text, told in linear time", () => {
    const long = `${"1".repeat(200_000)}x`;
    expect(ms(() => expect(compareCells(long, "5")).toBeUndefined())).toBeLessThan(200);
    expect(ms(() => expect(compareCells(`-${"9".repeat(200_000)}.5e`, "5")).toBeUndefined())).toBeLessThan(200);
  });
  it("a long integer condition is read once, not once per row, and compared exactly", () => {
    const rows = Array.from({ length: 2_000 }, (_, i) => ({ id: String(i), big: i % 2 ? `1${"0".repeat(30)}` : "7" }));
    const huge = "9".repeat(200_000);
    expect(ms(() => expect(rows.filter(rowFilter({ id: huge }, ["id", "big"]))).toEqual([]))).toBeLessThan(1_000);
    expect(ms(() => expect(rows.filter(rowFilter({ big: { min: `-${huge}`, max: huge } }, ["id", "big"])).length).toBe(2_000))).toBeLessThan(1_000);
    expect(rows.filter(rowFilter({ big: { min: `00${"1".padEnd(31, "0")}`, max: null } }, ["big"])).length).toBe(1_000);
    expect(compareCells("-0", "0")).toBe(0);
    expect(compareCells("-12", "-3")).toBe(-1);
    expect(compareCells("12345678901234567891", "12345678901234567890")).toBe(1);
  });
  it("xt getKLine with an 8 000-digit since then a letter answers at once", async () => {
    const xt = await started(startXtMock());
    const t = performance.now();
    const r = await fetch(`${xt.url}/data/api/v1/getKLine?market=btc_usdt&type=1min&since=${"1".repeat(8_000)}x`);
    expect(r.status).toBe(200);
    expect(performance.now() - t).toBeLessThan(1_000);
  });
});

/** A signed XT request with any parameter values (the client would refuse most of these). */
async function xtCall(url: string, method: "GET" | "POST", path: string, params: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const all: Record<string, string> = { ...params, accesskey: XT_MOCK_ACCESS_KEY, nonce: xtNonce() };
  all.signature = signXtParams(all, XT_MOCK_SECRET_KEY);
  const qs = new URLSearchParams(all).toString();
  const r =
    method === "GET"
      ? await fetch(`${url}${path}?${qs}`)
      : await fetch(`${url}${path}`, { method, headers: { "content-type": "application/x-www-form-urlencoded" }, body: qs });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** A signed Hubi request with any parameter values. */
let hubiSeq = 0;
async function hubiCall(url: string, method: "GET" | "POST", path: string, params: Array<[string, string]>): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers = signHubiRequest({ accessKey: HUBI_MOCK_ACCESS_KEY, secretKey: HUBI_MOCK_SECRET_KEY, accessToken: HUBI_MOCK_ACCESS_TOKEN, timestamp: hubiTimestamp(Date.now()), seqNum: ++hubiSeq, path, params } as never) as unknown as Record<string, string>;
  const qs = new URLSearchParams(params).toString();
  const r =
    method === "GET"
      ? await fetch(`${url}${path}?${qs}`, { headers })
      : await fetch(`${url}${path}`, { method, headers: { ...headers, "content-type": "application/x-www-form-urlencoded" }, body: qs });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

describe("orders are validated as the servers do", () => {
  it("xt order refuses a price or number that is no positive decimal (102); the open orders stay readable", async () => {
    const xt = await started(startXtMock());
    const order = (o: Record<string, string>) => xtCall(xt.url, "POST", "/trade/api/v1/order", { market: "btc_usdt", price: "5000", number: "1", type: "1", entrustType: "0", ...o });
    for (const price of ["NaN", "abc", "-5", "1e999", "0x10", "Infinity", "0", "1".repeat(1000)]) {
      expect((await order({ price })).body, price).toMatchObject({ code: 102 });
    }
    for (const number of ["NaN", "Infinity", "0x10", "abc"]) expect((await order({ number })).body, number).toMatchObject({ code: 102 });
    expect((await order({ number: "-1" })).body).toMatchObject({ code: 105 });
    expect((await order({ market: "x".repeat(10_000) })).body).toMatchObject({ code: 102 });
    const ok = await order({ price: "5000.5", number: "0.002" });
    expect(ok.body).toMatchObject({ code: 200 });
    const open = await xtCall(xt.url, "GET", "/trade/api/v1/getOpenOrders", { market: "btc_usdt", page: "1", pageSize: "10" });
    expect(open.body).toMatchObject({ code: 200, data: [expect.objectContaining({ price: "5000.5", number: "0.002", type: 1 })] });
    expect((open.body.data as unknown[]).length).toBe(1);
  });

  it("xt batchOrder refuses a batch with an item it cannot take (102, nothing placed), never a 500", async () => {
    const xt = await started(startXtMock({ balances: { usdt: BIG, btc: BIG, eth: BIG } }));
    const batch = (items: unknown) => xtCall(xt.url, "POST", "/trade/api/v1/batchOrder", { market: "btc_usdt", data: Buffer.from(JSON.stringify(items)).toString("base64") });
    for (const items of [[1, "x"], [{ type: 7 }], [null], [{ price: 1, amount: 1, type: 7 }], [{ price: "NaN", amount: 1, type: 1 }], [{ price: 1, amount: -1, type: 0 }], [{ price: 1, amount: 1, type: 1 }, []]]) {
      const r = await batch(items);
      expect(r.status, JSON.stringify(items)).toBe(200);
      expect(r.body, JSON.stringify(items)).toMatchObject({ code: 102 });
    }
    expect((await batch([{ price: 100, amount: 1, type: 1 }, { price: "101", amount: "2", type: 0 }])).body).toMatchObject({ code: 200 });
    const open = await xtCall(xt.url, "GET", "/trade/api/v1/getOpenOrders", { market: "btc_usdt", page: "1", pageSize: "10" });
    expect((open.body.data as Array<{ type: number }>).map((o) => o.type).sort()).toEqual([0, 1]);
  });

  it("hubi takes plain decimals only, and margin at the price an order fills at", async () => {
    const hubi = await started(startHubiMock());
    const order = (o: Record<string, string>) =>
      hubiCall(hubi.url, "POST", "/api/futures/enter_order", Object.entries({ coin_code: "USDT", symbol: "BTCUSDT", open_position: "true", trade_direction: "BUY", order_type: "LIMIT", quantity: "1", price: "100", ...o }));
    expect((await order({ price: "0x10" })).body).toMatchObject({ status: -1, message: expect.stringMatching(/^25010/) });
    expect((await order({ quantity: "0b11" })).body).toMatchObject({ status: -1, message: expect.stringMatching(/^25010/) });
    expect((await order({ quantity: "9223372036854775808", price: "1e-300" })).body).toMatchObject({ status: -1, message: expect.stringMatching(/^25009/) });
    expect((await order({ symbol: "x".repeat(1000) })).status).toBe(400);
    // A limit price more than maxPriceDeviation (0.5) from the mark is refused (25051).
    expect((await order({ trade_direction: "SELL", quantity: "1", price: "0.01" })).body).toMatchObject({ status: -1, message: expect.stringMatching(/^25051/) });
    // 100 000 USDT at leverage 10 opens 100 contracts at the mark (10 000), not 200 at 5 000.
    expect((await order({ trade_direction: "SELL", quantity: "200", price: "5000" })).body).toMatchObject({ status: -1, message: expect.stringMatching(/^25021/) });
    expect((await hubiCall(hubi.url, "GET", "/api/futures/query_position", [])).body).toEqual([]);
    expect((await order({ trade_direction: "SELL", quantity: "50", price: "5000" })).body).toMatchObject({ status: 0 });
    const accounts = (await hubiCall(hubi.url, "GET", "/api/futures/query_accounts", [])).body as unknown as Array<{ currency: string; cashAvailable: number }>;
    expect(accounts.find((a) => a.currency === "USDT")!.cashAvailable).toBe(50_000);
  });
});

describe("what the emulators keep is bounded", () => {
  it("xt, bhex and hubi keep the newest 10 000 orders", () => {
    const xt = new XtState(0);
    const first = xt.place("btc_usdt", "1", "1", 1, 0);
    for (let i = 0; i < MAX_XT_ORDERS + 5; i++) xt.place("btc_usdt", "1", "1", 1, 0);
    expect(xt.orders.size).toBe(MAX_XT_ORDERS);
    expect(xt.orders.has(first.id)).toBe(false);
    // Finished orders are forgotten first; with every order open there is no room (the handlers refuse).
    expect(xt.hasOrderRoom()).toBe(false);
    const [a, b] = [...xt.orders.values()].slice(5, 7);
    xt.cancel(a!);
    xt.cancel(b!);
    expect([xt.hasOrderRoom(2), xt.hasOrderRoom(3)]).toEqual([true, false]);
    const oldestOpen = xt.orders.values().next().value!;
    xt.place("btc_usdt", "1", "1", 1, 0);
    expect([xt.orders.has(a!.id), xt.orders.has(oldestOpen.id), xt.orders.size]).toEqual([false, true, MAX_XT_ORDERS]);

    const bhex = new BhexState({ now: Date.now, users: new Set(["1"]), pagedRecords: 0 });
    for (let i = 0; i < MAX_BHEX_ORDERS + 5; i++) bhex.placeOrder({ userId: "1", clientOrderId: String(i), symbolId: "BTCUSDT", exchangeId: "301", price: "1", quantity: "1", type: "limit", side: "buy", frozenToken: "USDT", frozen: DEC_ZERO });
    expect([bhex.orders.size, bhex.byClientId.size]).toEqual([MAX_BHEX_ORDERS, MAX_BHEX_ORDERS]);
    expect(bhex.byClientOrderId("1", "0")).toBeUndefined();

    const hubi = new HubiExchange({ now: Date.now, markPrice: 100, cash: { USDT: 1e9 } });
    const order = (i: number, ordStatus: HubiOrder["ordStatus"]): HubiOrder =>
      ({ id: `o${i}`, currency: "USDT", symbol: "BTCUSDT", ordStatus, frozen: 0, openPosition: true, qty: 1, cumQty: 0 }) as HubiOrder;
    hubi.addOrder(order(-1, "NEW"));
    for (let i = 0; i < MAX_HUBI_ORDERS + 5; i++) hubi.addOrder(order(i, "FILLED"));
    expect(hubi.orders.size).toBe(MAX_HUBI_ORDERS);
    // Finished orders go first: the active one stays.
    expect(hubi.orders.has("o-1")).toBe(true);
  });

  it("xele keeps the request text, not the parsed request", async () => {
    const xele = await started(startXeleMock());
    const r = await fetch(`${xele.maUrl}/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD }) });
    expect(r.status).toBe(200);
    const got = xele.received.at(-1)!;
    expect(Object.getOwnPropertyDescriptor(got, "json")?.get).toBeTypeOf("function");
    expect(got.json).toEqual({ username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD });
  });
});

describe("xele ids", () => {
  it("createCashInOut and createAuthCode keep working past 150 000 records (no Math.max over every id), and keep the newest MAX_XELE_RECORDS", () => {
    const st = new XeleState({ counterVersion: "007P9", orderQryHeader: "auto", pipeRowsIn: "result", orders: 3, tokenTtlMs: 60_000, latencyMs: 0 }, "u", "p");
    const handlers = xeleHandlers(st);
    for (let i = 0; i < 150_000; i++) {
      st.cash.push({ unique_id: 1 });
      st.authCodes.push({ unique_id: 1 });
    }
    for (const [op, list] of [["createCashInOut", st.cash], ["createAuthCode", st.authCodes]] as const) {
      const req = {} as MockRequest;
      st.setRequest(req, { data: op === "createCashInOut" ? { investor_id: "777001", direction: "1", amount: 1 } : { investor_id: "777001" } });
      expect(handlers[op]!(req).body, op).toMatchObject({ code: 0 });
      expect(handlers[op]!(req).body, op).toMatchObject({ code: 0 });
      expect(list.length, op).toBe(MAX_XELE_RECORDS);
      const [a, b] = list.slice(-2).map((r) => r.unique_id as number);
      expect(b, op).toBe(a! + 1);
    }
  });
});
