/**
 * The emulators under clients that send what no honest client does, found by a probe of the
 * running emulators: no request holds the emulator for others, no client makes it keep more
 * and more, and no request corrupts its state or its answers.
 */
import { request as httpRequest } from "node:http";
import { connect, type Socket } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { signBhexParams } from "../../src/auth/bhex.js";
import { signXtParams, xtNonce } from "../../src/auth/xt.js";
import { BHEX_MOCK_ACCESS_KEY, BHEX_MOCK_SECRET_KEY, startBhexMock } from "../../src/mock/bhex.js";
import { meta as xtMeta } from "../../generated/xt-spot.docs.js";
import type { OperationMeta } from "../../src/handwritten/core/meta.js";
import { BhexState, MAX_BHEX_MADE_LOCKS, MAX_BHEX_TASK_ROWS, MAX_BHEX_TASKS } from "../../src/mock/bhex/state.js";
import { MOCK_MAX_PARAMS, startHttpMock, urlHost, type MockRequest } from "../../src/mock/http-mock.js";
import { startQuantWsMock, type QuantWsMock } from "../../src/mock/quant-ws.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME } from "../../src/mock/xele.js";
import { xeleHandlers } from "../../src/mock/xele/handlers.js";
import { MAX_XELE_RECORDS, MAX_XELE_TOKENS, XeleState } from "../../src/mock/xele/state.js";
import { xtHandlers } from "../../src/mock/xt/handlers.js";
import { MAX_XT_PAYOUTS, XtState } from "../../src/mock/xt/state.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "../../src/mock/xt.js";
import { closedAfterEach } from "../helpers/closing.js";
/** A balance no test order reaches (10^29, in digits: the emulator takes no exponent). */
const BIG = `1${"0".repeat(29)}`;

const { started, closeLater } = closedAfterEach();

type Answer = { status: number; body: Record<string, unknown>; text: string };

/** A signed BHEX form POST with any parameter values. */
async function bhexCall(url: string, path: string, params: Record<string, string>): Promise<Answer> {
  const form = new URLSearchParams({ ...params, signature: signBhexParams(params, BHEX_MOCK_SECRET_KEY) });
  const r = await fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-access-key": BHEX_MOCK_ACCESS_KEY }, body: form.toString() });
  const text = await r.text();
  return { status: r.status, body: JSON.parse(text) as Record<string, unknown>, text };
}

/** A signed XT request with any parameter values. */
async function xtCall(url: string, method: "GET" | "POST", path: string, params: Record<string, string>): Promise<Answer> {
  const all: Record<string, string> = { ...params, accesskey: XT_MOCK_ACCESS_KEY, nonce: xtNonce() };
  all.signature = signXtParams(all, XT_MOCK_SECRET_KEY);
  const qs = new URLSearchParams(all).toString();
  const r =
    method === "GET"
      ? await fetch(`${url}${path}?${qs}`)
      : await fetch(`${url}${path}`, { method, headers: { "content-type": "application/x-www-form-urlencoded" }, body: qs });
  const text = await r.text();
  return { status: r.status, body: JSON.parse(text) as Record<string, unknown>, text };
}

describe("a long integer holds no emulator (ids are int64s, refused beyond)", () => {
  const huge = "9".repeat(200_000);

  it("bhex refuses a user_id, from_id or order_id beyond an int64 with its failed status, at once", async () => {
    const bhex = await started(startBhexMock());
    const t = performance.now();
    for (const [path, params] of [
      ["/api/v2/org/statistics/lock_record", { user_id: huge }],
      ["/api/v2/org/statistics/lock_record", { user_id: "9223372036854775808" }],
      ["/api/v2/org/account/balance_flow", { user_id: "83214971450163200", from_id: huge }],
      ["/api/v2/org/order/get", { user_id: "83214971450163200", order_id: huge }],
    ] as const) {
      const r = await bhexCall(bhex.url, path, params);
      expect(r.body, `${path} ${Object.keys(params).join()}`).toMatchObject({ status: 1, msg: expect.stringMatching(/must be an integer of at most 64 bits/) });
    }
    expect(performance.now() - t).toBeLessThan(1_000);
    // The largest int64 is an id like any other.
    const r = await bhexCall(bhex.url, "/api/v2/org/statistics/lock_record", { user_id: "9223372036854775807", limit: "1" });
    expect(r.body).toMatchObject({ status: 0, data: [expect.objectContaining({ lockAmount: expect.any(String) })] });
  });

  it("bhex refuses a batch lock task's long client_order_id (it was read as a number per row), at once", async () => {
    const bhex = await started(startBhexMock());
    const item = { user_id: "83214971450163200", token_id: "USDT", amount: "1" };
    const items = JSON.stringify(Array.from({ length: 500 }, () => item));
    const t = performance.now();
    const r = await bhexCall(bhex.url, "/api/v2/org/finance/batch_lock_position", { client_order_id: "1".repeat(100_000), data_type: "json", items });
    expect(r.body).toMatchObject({ status: 1, msg: "parameter client_order_id longer than 64 characters" });
    expect(performance.now() - t).toBeLessThan(1_500);
    const ok = await bhexCall(bhex.url, "/api/v2/org/finance/batch_lock_position", { client_order_id: "9".repeat(19), data_type: "json", items });
    expect(ok.body).toMatchObject({ status: 0 });
    const locks = await bhexCall(bhex.url, "/api/v2/org/statistics/lock_record", { user_id: "83214971450163200", limit: "1" });
    expect(locks.body).toMatchObject({ status: 0, data: [expect.objectContaining({ lockAmount: "1" })] });
  });

  it("xt refuses batch ids beyond an int64 (400) and finds no order for one, at once", async () => {
    const xt = await started(startXtMock({ balances: { usdt: BIG, btc: BIG, eth: BIG } }));
    const t = performance.now();
    for (const ids of [[huge], Array.from({ length: 100 }, () => "9".repeat(5_000)), ["9223372036854775808"], [1.5]]) {
      const data = Buffer.from(JSON.stringify(ids)).toString("base64");
      expect((await xtCall(xt.url, "POST", "/trade/api/v1/batchCancel", { market: "btc_usdt", data })).body).toMatchObject({ code: 400 });
      // (A GET's query is capped far below a 200 000-digit id.)
      if (data.length < 1_000) expect((await xtCall(xt.url, "GET", "/trade/api/v1/getBatchOrders", { market: "btc_usdt", data })).body).toMatchObject({ code: 400 });
    }
    expect((await xtCall(xt.url, "POST", "/trade/api/v1/cancel", { market: "btc_usdt", id: huge })).body).toMatchObject({ code: 400, info: "parameter id must be an integer of at most 64 bits" });
    expect(performance.now() - t).toBeLessThan(1_500);
    // Ids that are int64s (numbers or text) still work.
    const placed = await xtCall(xt.url, "POST", "/trade/api/v1/order", { market: "btc_usdt", price: "5000", number: "1", type: "1", entrustType: "0" });
    // (The id is above 2^53: read from the text.)
    const id = /"id":(\d+)/.exec(placed.text)![1]!;
    const data = Buffer.from(`["${id}", 7]`).toString("base64");
    const got = await xtCall(xt.url, "GET", "/trade/api/v1/getBatchOrders", { market: "btc_usdt", data });
    expect((got.body.data as unknown[]).length).toBe(1);
  });

  it("xt checks the signature over an 800 KB batch data in linear time: the same answers, at once", async () => {
    const xt = await started(startXtMock());
    const batchCancel = "/trade/api/v1/batchCancel";
    const decoded = (all: Record<string, string>) => ({ ...all, data: Buffer.from(all.data!, "base64").toString("utf8") });
    const java = (all: Record<string, string>) => signXtParams(all, XT_MOCK_SECRET_KEY);
    const python = (all: Record<string, string>) => signXtParams(all, XT_MOCK_SECRET_KEY, { variant: "python" });
    const pythonDecoded = (all: Record<string, string>) => python(decoded(all));
    const rawDecoded = (all: Record<string, string>) => signXtParams(decoded(all), XT_MOCK_SECRET_KEY, { variant: "raw" });
    const wrong = () => "0".repeat(64);
    let took = 0;
    const timed = async (params: Record<string, string>, sign: (all: Record<string, string>) => string) => {
      // Signed before the clock starts: the client's own signers are not what is measured.
      const all: Record<string, string> = { ...params, accesskey: XT_MOCK_ACCESS_KEY, nonce: xtNonce() };
      const body = new URLSearchParams({ ...all, signature: sign(all) }).toString();
      const t = performance.now();
      const r = await fetch(`${xt.url}${batchCancel}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
      const text = await r.text();
      took += performance.now() - t;
      return JSON.parse(text) as unknown;
    };
    // An id of 600 000 digits (the body ~800 KB): URL-encoding it per byte for the Python
    // SDK's variant took ~150 ms, twice per request.
    const longId = { market: "btc_usdt", data: Buffer.from(JSON.stringify(["9".repeat(600_000)])).toString("base64") };
    const refused = { code: 400, info: "data must be base64 of a JSON array of order ids" };
    expect(await timed(longId, java)).toEqual(refused);
    expect(await timed(longId, python)).toEqual(refused);
    expect(await timed(longId, pythonDecoded)).toEqual(refused);
    expect(await timed(longId, wrong)).toEqual({ code: 308, info: "signature check failed" });
    expect(took).toBeLessThan(800);
    // A run of spaces inside the decoded data: the Java SDK's trim, by regex, backtracked over
    // it (quadratic: 100 000 spaces took seconds).
    took = 0;
    const spaced = { market: "btc_usdt", data: Buffer.from(`[1,${" ".repeat(100_000)}2]`).toString("base64") };
    expect(await timed(spaced, rawDecoded)).toMatchObject({ code: 200, data: [{ code: 121, id: 1 }, { code: 121, id: 2 }] });
    expect(await timed(spaced, wrong)).toEqual({ code: 308, info: "signature check failed" });
    expect(took).toBeLessThan(300);
  });
});

// ---- quant-ws ----

/** A raw quant-ws socket: send frames (objects or raw text), wait for the one `match` accepts. */
async function qws(m: QuantWsMock) {
  const ws = new WebSocket(m.url);
  closeLater({ close: async () => ws.terminate() });
  const frames: Array<Record<string, unknown>> = [];
  /** Replies by cid, as they come. */
  const replies = new Map<string, (f: Record<string, unknown>) => void>();
  ws.on("message", (d) => {
    const f = JSON.parse(String(d)) as Record<string, unknown>;
    const r = typeof f.cid === "string" ? replies.get(`${String(f.op)} ${f.cid}`) : undefined;
    if (r) r(f);
    else frames.push(f);
  });
  await new Promise((r) => ws.once("open", r));
  const wait = async (match: (f: Record<string, unknown>) => boolean, ms = 2_000) => {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 5))) {
      const hit = frames.find(match);
      if (hit) return hit;
    }
    throw new Error(`no matching frame; got ${JSON.stringify(frames).slice(-500)}`);
  };
  let seq = 0;
  const ask = (frame: Record<string, unknown> | string, op?: string) => {
    const cid = `c${++seq}`;
    const key = `${op ?? String((frame as Record<string, unknown>).op)} ${cid}`;
    const answer = new Promise<Record<string, unknown>>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no reply to ${key}`)), 5_000);
      replies.set(key, (f) => {
        clearTimeout(t);
        replies.delete(key);
        resolve(f);
      });
    });
    ws.send(typeof frame === "string" ? frame.replace("CID", cid) : JSON.stringify({ ...frame, cid }));
    return answer;
  };
  const login = async (extra: Record<string, unknown> = {}) => {
    const r = await ask({ op: "login", platform: "huobi", symbols: ["ETH/USDT"], access_key: `k${Math.random()}`, secret_key: "s", ...extra });
    if (r.result) await wait((f) => f.op === "state" && f.token === r.token && f.code === 6);
    return r;
  };
  return { ws, frames, wait, ask, login };
}

async function qwsMock(opts: Parameters<typeof startQuantWsMock>[0] = {}): Promise<QuantWsMock> {
  return started(startQuantWsMock({ readyDelayMs: 10, ...opts }));
}

describe("a request of many parameters is refused before it is parsed or its signature checked", () => {
  // (A query cannot hold as many: a URL is bounded by the 16 KiB of headers Node reads.)
  it("a form of 10,001 parameters: 400 naming the limit; 10,000 are read", async () => {
    const send = (url: string, n: number) => fetch(`${url}/trade/api/v1/order`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: Array.from({ length: n }, (_, i) => `p${i}=1`).join("&") });
    const xt = await started(startXtMock());
    const refused = await send(xt.url, MOCK_MAX_PARAMS + 1);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain(`more than ${MOCK_MAX_PARAMS} parameters (${MOCK_MAX_PARAMS + 1})`);
    // At the limit the request is read (and refused for what it is: no signature).
    const read = await send(xt.url, MOCK_MAX_PARAMS);
    expect(await read.text()).not.toContain("parameters (");
  });

  it("100 forms of 1 MiB of tiny parameters (each ~0.3 s to read and check) take about a second in all", async () => {
    const xt = await started(startXtMock());
    const body = "a=1&".repeat(256 * 1024 - 1);
    const started_ = performance.now();
    for (let i = 0; i < 100; i++) {
      const r = await fetch(`${xt.url}/trade/api/v1/order`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
      expect(r.status).toBe(400);
      await r.text();
    }
    expect(performance.now() - started_).toBeLessThan(10_000);
  });
});

describe("quant-ws: a client that stops reading, or logs in without end, is bounded", () => {
  it("pushes (login snapshots) count against the unread-bytes limit too: the socket is closed, not buffered without bound", async () => {
    const m = await qwsMock();
    const c = await qws(m);
    (c.ws as unknown as { _socket: Socket })._socket.pause();
    // Each login's snapshots (1 000 positions) are pushes: ~40 MB for 100 logins, never read.
    const symbols = Array.from({ length: 1_000 }, (_, i) => `S${i}/USDT`);
    for (let i = 0; i < 100; i++) c.ws.send(JSON.stringify({ op: "login", cid: `l${i}`, platform: "okex", symbols, access_key: `k${i}`, secret_key: "s" }));
    // (a few seconds on an idle machine; a busy one takes longer to build the snapshots)
    for (let end = Date.now() + 25_000; Date.now() < end && m.openSockets > 0; ) await new Promise((r) => setTimeout(r, 20));
    expect(m.openSockets).toBe(0);
    expect(m.tokens()).toEqual([]);
  }, 30_000);

  it("many small replies unread (pongs of pings) are bounded by their count, not only their bytes: the socket is closed", async () => {
    const m = await qwsMock({ idleTimeoutMs: 600_000 });
    const c = await qws(m);
    (c.ws as unknown as { _socket: Socket })._socket.pause();
    // 400 000 pongs of ~20 bytes: 8 MB of text (under 16 MiB), some 100 MB of Node's per frame
    // once past what the sockets' buffers take.
    const ping = JSON.stringify({ op: "ping", ts: 1 });
    for (let i = 0; i < 400_000; i++) c.ws.send(ping);
    for (let end = Date.now() + 25_000; Date.now() < end && m.openSockets > 0; ) await new Promise((r) => setTimeout(r, 20));
    expect(m.openSockets).toBe(0);
  }, 30_000);

  it("the frames kept for tests are kept as text: 16 frames of 1 MiB of small objects hold about their text's size", async () => {
    // (a collection before each measure: the parsed frames the emulator dropped are garbage)
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const m = await qwsMock();
    const c = await qws(m);
    const big = JSON.stringify({ op: "x", a: Array.from({ length: 330_000 }, () => ({})) });
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 16; i++) c.ws.send(big);
    await expect.poll(() => m.received.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(16);
    gc();
    // 16 MB of text; parsed, the same frames took about 320 MB.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(80 * 1024 * 1024);
    expect(m.received.at(-1)!.frame).toMatchObject({ op: "x" });
  }, 20_000);

  it("one socket holds at most 100 logins; the next is refused (result false), and others may still log in", async () => {
    const m = await qwsMock();
    const c = await qws(m);
    const answers = await Promise.all(Array.from({ length: 101 }, (_, i) => c.ask({ op: "login", platform: "okex", symbols: ["ETH/USDT"], access_key: `k${i}`, secret_key: "s" })));
    expect(answers.filter((a) => a.result === true)).toHaveLength(100);
    expect(answers.find((a) => a.result === false)).toMatchObject({ error_message: expect.stringMatching(/Too many logins on this connection/) });
    expect((await (await qws(m)).login()).result).toBe(true);
  });

  it("a fail… login's retry loop does not spin with readyDelayMs 0, and stops when its socket closes", async () => {
    const m = await qwsMock({ readyDelayMs: 0 });
    const c = await qws(m);
    await c.ask({ op: "login", platform: "okex", symbols: ["ETH/USDT"], access_key: "fail-connect", secret_key: "s" });
    await new Promise((r) => setTimeout(r, 300));
    const states = c.frames.filter((f) => f.op === "state").length;
    expect(states).toBeGreaterThan(1);
    expect(states).toBeLessThan(20);
    c.ws.terminate();
    await new Promise((r) => setTimeout(r, 100));
    expect(m.tokens()).toEqual([]);
  });
});

describe("quant-ws: place_order takes numbers only, and refused orders create nothing", () => {
  it("refuses a price or quantity that is no finite number (result false); balances stay numbers", async () => {
    const m = await qwsMock();
    const c = await qws(m);
    const token = (await c.login()).token as string;
    const order = `{"op":"place_order","cid":"CID","token":"${token}","symbol":"ETH/USDT","action":"BUY","order_type":"LIMIT",`;
    for (const tail of ['"price":1,"quantity":1e999}', '"price":"0x10","quantity":1}', '"price":1,"quantity":[7]}', '"price":1,"quantity":true}', '"price":"","quantity":1}', '"price":0,"quantity":1}', '"price":1,"quantity":-5}', '"price":1,"quantity":"5"}', '"price":1e308,"quantity":1e308}']) {
      expect(await c.ask(order + tail, "place_order"), tail).toMatchObject({ result: false, error_message: "Invalid price or quantity" });
    }
    const asset = await c.ask({ op: "asset", token });
    expect(asset.data).toEqual({ USDT: { free: 100_000, locked: 0, total: 100_000 }, ETH: { free: 10, locked: 0, total: 10 } });
    // An honest order still works.
    expect(await c.ask({ op: "place_order", token, symbol: "ETH/USDT", action: "BUY", order_type: "LIMIT", price: 1, quantity: 2 })).toMatchObject({ result: true });
  });

  it("balances are exact: 200 resting orders at prices like 0.1 and 3.3, then a cancel of some and a cancel-all, leave locked 0 and free = total (doubles left -1.29e-12 locked, free above total)", async () => {
    const m = await qwsMock({ marks: { "ETH/USDT": 2000 } });
    const c = await qws(m);
    const token = (await c.login({ platform: "okex" })).token as string;
    const prices = [0.1, 0.7, 1.1, 3.3, 0.3, 1999.99, 0.01];
    const placed: string[] = [];
    for (let i = 0; i < 200; i++) {
      const sell = i % 3 === 0;
      const price = (sell ? 5000 : 0) + prices[i % prices.length]!;
      const r = await c.ask({ op: "place_order", token, symbol: "ETH/USDT", action: sell ? "SELL" : "BUY", price, quantity: [0.1, 0.2, 0.3, 3][i % 4]!, order_type: "LIMIT" });
      if (r.result) placed.push(r.order_no as string);
    }
    expect(placed.length).toBeGreaterThan(100);
    const balances = async () => (await c.ask({ op: "asset", token })).data as Record<string, { free: number; locked: number; total: number }>;
    for (const b of Object.values(await balances())) {
      expect(b.locked).toBeGreaterThanOrEqual(0);
      expect(b.free).toBeLessThanOrEqual(b.total);
    }
    expect(await c.ask({ op: "cancel_order", token, symbol: "ETH/USDT", order_nos: placed.filter((_, i) => i % 2) })).toMatchObject({ result: true });
    for (const b of Object.values(await balances())) {
      expect(b.locked).toBeGreaterThanOrEqual(0);
      expect(b.free).toBeLessThanOrEqual(b.total);
    }
    // cancel-all: no reply; its order notifications, then the asset
    c.ws.send(JSON.stringify({ op: "cancel_order", cid: "all", token, symbol: "ETH/USDT", order_nos: [] }));
    await expect.poll(async () => (await c.ask({ op: "open_orders", token, symbol: "ETH/USDT" })).data).toEqual([]);
    expect(await balances()).toEqual({ USDT: { free: 100_000, locked: 0, total: 100_000 }, ETH: { free: 10, locked: 0, total: 10 } });
  });

  it("a pong carries the ping's ts with every digit (above 2^53 too)", async () => {
    const m = await qwsMock();
    const c = await qws(m);
    const texts: string[] = [];
    c.ws.on("message", (d) => texts.push(String(d)));
    c.ws.send('{"op":"ping","ts":9007199254740993}');
    await expect.poll(() => texts.find((t) => t.includes('"pong"'))).toBe('{"op":"pong","ts":9007199254740993}');
  });

  it("a ping whose ts no int64 holds gets an error, not a pong with ts null", async () => {
    const m = await qwsMock();
    const c = await qws(m);
    c.ws.send(`{"op":"ping","ts":${"9".repeat(5_000)}}`);
    expect(await c.wait((f) => f.op === "error" || f.op === "pong")).toEqual({ op: "error", error_message: "'ts' must be an integer of at most 64 bits" });
  });

  it("a refused order on a new symbol creates no balance; a login holds at most 2 000 currencies", async () => {
    const m = await qwsMock();
    const c = await qws(m);
    const token = (await c.login({ platform: "huobi_future" })).token as string;
    for (let i = 0; i < 20; i++) {
      expect(await c.ask({ op: "place_order", token, symbol: `A/Q${i}`, action: "BUY", order_type: "LIMIT", price: 1, quantity: 1 })).toMatchObject({ result: false, error_message: "Insufficient balance" });
    }
    expect(Object.keys((await c.ask({ op: "asset", token })).data as object).sort()).toEqual(["ETH", "USDT"]);
    // A spot BUY of a little of each new coin with USDT fills and holds one new currency, up to
    // the cap. (Its notifications are not what this test reads.)
    const spot = (await c.login({ platform: "huobi" })).token as string;
    for (const topic of ["asset", "order", "fill", "position"]) m.silence(`notify:${topic}`);
    // (in chunks of 200: 2 000 at once, each with its 5 s, timed out on a loaded machine)
    const buys: Array<Record<string, unknown>> = [];
    for (let from = 0; from < 2_005; from += 200) {
      const chunk = Array.from({ length: Math.min(200, 2_005 - from) }, (_, k) => from + k);
      buys.push(...(await Promise.all(chunk.map((i) => c.ask({ op: "place_order", token: spot, symbol: `B${i}/USDT`, action: "BUY", order_type: "MARKET", price: 0, quantity: 0.001 }, "place_order")))));
    }
    expect(buys.filter((s) => s.result === false)).not.toHaveLength(0);
    expect(buys.find((s) => s.result === false)).toMatchObject({ error_message: "Too many symbols traded on this login" });
    expect(Object.keys((await c.ask({ op: "asset", token: spot })).data as object).length).toBe(2_000);
  });
});

describe("quant-ws: the log shows request text, never forges lines", () => {
  it("a platform with a newline is quoted; a 1 000-symbol login is a short line", async () => {
    const lines: string[] = [];
    const m = await qwsMock({ log: (l) => lines.push(l) });
    const c = await qws(m);
    await c.ask({ op: "login", platform: "okex\nquant-ws mock: FORGED", symbols: ["ETH/USDT"], access_key: "k1", secret_key: "s" });
    await c.login({ symbols: Array.from({ length: 1_000 }, (_, i) => `S${i}/USDT`) });
    const logins = lines.filter((l) => / login /.test(l));
    expect(logins).toHaveLength(2);
    expect(logins.some((l) => l.includes("\n"))).toBe(false);
    expect(logins[0]).toContain(String.raw`"okex\nquant-ws mock: FORGED"`);
    expect(logins[1]!.length).toBeLessThan(300);
  });
});

// ---- stored state is bounded ----

describe("what the HTTP emulators keep is bounded (the newest N), and text they keep is short", () => {
  const fake = (params: Record<string, string>, op: OperationMeta) => ({ params, op, notes: [] }) as unknown as MockRequest;

  it("xt keeps the newest MAX_XT_PAYOUTS withdrawals; withdraw refuses Infinity, 0x10 and a long address (400)", async () => {
    const st = new XtState(0, Date.now, { btc: "1e30" });
    const withdraw = xtHandlers(st).withdraw!;
    const op = xtMeta.operations.find((o) => o.operationId === "withdraw")!;
    for (let i = 0; i < MAX_XT_PAYOUTS + 5; i++) expect(withdraw(fake({ coin: "btc", address: `a${i}`, amount: "1" }, op)).body).toMatchObject({ code: 200 });
    expect(st.payouts.length).toBe(MAX_XT_PAYOUTS);
    expect(st.payouts[0]).toMatchObject({ address: `a${MAX_XT_PAYOUTS + 4}` });
    const xt = await started(startXtMock({ balances: { usdt: BIG, btc: BIG, eth: BIG } }));
    for (const p of [{ amount: "Infinity" }, { amount: "0x10" }, { amount: "1e999" }, { address: "a".repeat(201) }, { coin: "c".repeat(21) }]) {
      expect((await xtCall(xt.url, "GET", "/trade/api/v1/withdraw", { coin: "btc", address: "addr", amount: "1", safePwd: "pw", ...p })).body, JSON.stringify(p).slice(0, 40)).toMatchObject({ code: 400 });
    }
    expect((await xtCall(xt.url, "GET", "/trade/api/v1/withdraw", { coin: "btc", address: "addr", amount: "0.5", safePwd: "pw" })).body).toMatchObject({ code: 200 });
  });

  it("bhex keeps the newest MAX_BHEX_TASKS tasks (and MAX_BHEX_TASK_ROWS rows) and MAX_BHEX_MADE_LOCKS locks", () => {
    const st = new BhexState({ now: Date.now, users: new Set(["1"]), pagedRecords: 2 });
    const row = { user_id: "1", token_id: "USDT", amount: "1" };
    for (let i = 0; i < MAX_BHEX_TASKS + 5; i++) st.createTask("financeBatchLockPosition", { client_order_id: String(i) }, [row, row, row, row, row, row, row, row, row, row, row, row]);
    expect(st.tasks.size).toBe(MAX_BHEX_TASKS);
    expect(st.findTask("financeBatchLockPosition", "0")).toBeUndefined();
    expect(st.findTask("financeBatchLockPosition", String(MAX_BHEX_TASKS + 4))).toBeDefined();
    const locks = st.lockRecords("1");
    expect(locks.length).toBe(MAX_BHEX_MADE_LOCKS + 2);
    // Newest first.
    expect(BigInt(String(locks[0]!.id)) > BigInt(String(locks[1]!.id))).toBe(true);
    const many = Array.from({ length: MAX_BHEX_TASK_ROWS / 2 }, () => row);
    for (let i = 0; i < 3; i++) st.createTask("financeBatchTransfer", { client_order_id: `big${i}` }, many);
    expect(st.tasks.size).toBeLessThanOrEqual(2);
  });

  it("bhex download_data serves no file for a day that does not exist (the spec's format: date refuses it as a parameter)", async () => {
    const bhex = await started(startBhexMock());
    const get = (date: string) => {
      const params = { type: "trade_detail", date };
      return fetch(`${bhex.url}/api/v2/org/statistics/download_data?${new URLSearchParams({ ...params, signature: signBhexParams(params, BHEX_MOCK_SECRET_KEY) })}`, { headers: { "x-access-key": BHEX_MOCK_ACCESS_KEY } });
    };
    for (const date of ["2020-13-45", "2021-02-31", "2019-11-00"]) {
      const r = await get(date);
      expect(r.status, date).toBe(200);
      expect(await r.json()).toEqual({ status: 1, msg: `parameter date must be a date written yyyy-MM-dd, got "${date}"` });
    }
    expect((await get("2020-02-29")).status).toBe(200);
  });

  it("xele sweeps expired tickets on each login and holds at most MAX_XELE_TOKENS", () => {
    const st = new XeleState({ counterVersion: "007P9", orderQryHeader: "auto", pipeRowsIn: "result", orders: 3, tokenTtlMs: 60_000, latencyMs: 0 }, "u", "p");
    st.addToken("old", Date.now() - 1);
    st.addToken("new", Date.now() + 60_000);
    expect([...st.tokens.keys()]).toEqual(["new"]);
    for (let i = 0; i < MAX_XELE_TOKENS + 5; i++) st.addToken(`t${i}`, Date.now() + 60_000);
    expect(st.tokens.size).toBe(MAX_XELE_TOKENS);
  });

  it("xele refuses a write of more than 16 KiB of JSON (116) and keeps no more than MAX_XELE_RECORDS templates (112)", async () => {
    const xele = await started(startXeleMock());
    const login = await fetch(`${xele.maUrl}/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ client_version: "1.0.1", username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD }) });
    const token = ((await login.json()) as { ticket: string }).ticket;
    const cash = (investor_id: string) =>
      fetch(`${xele.msUrl}/api/trade/cashinout/audit`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ protocl_version: "1.0.1", token, serialno: 0, operator: "", data: { investor_id, direction: "1", amount: 1 } }) }).then((r) => r.json());
    expect(await cash("x".repeat(20_000))).toMatchObject({ code: 116 });
    expect(await cash("777001")).toMatchObject({ code: 0 });
    const st = new XeleState({ counterVersion: "007P9", orderQryHeader: "auto", pipeRowsIn: "result", orders: 3, tokenTtlMs: 60_000, latencyMs: 0 }, "u", "p");
    const create = xeleHandlers(st).createTradeTemplate!;
    const answers = Array.from({ length: MAX_XELE_RECORDS + 1 }, (_, i) => {
      const req = {} as MockRequest;
      st.setRequest(req, { data: { templ: `t${i}` } });
      return create(req).body as { code: number };
    });
    expect(st.templates.trade.size).toBe(MAX_XELE_RECORDS);
    expect(answers.at(-1)).toMatchObject({ code: 112 });
  });
});

describe("emulator state a request cannot corrupt", () => {
  it("xele: renaming a template onto another's name is refused (112); the other is kept", () => {
    const st = new XeleState({ counterVersion: "007P9", orderQryHeader: "auto", pipeRowsIn: "result", orders: 3, tokenTtlMs: 60_000, latencyMs: 0 }, "u", "p");
    const h = xeleHandlers(st);
    const run = (id: string, data: Record<string, unknown>) => {
      const req = {} as MockRequest;
      st.setRequest(req, { data });
      return h[id]!(req).body as { code: number };
    };
    expect(run("createTradeTemplate", { templ: "a" })).toMatchObject({ code: 0 });
    expect(run("createTradeTemplate", { templ: "b" })).toMatchObject({ code: 0 });
    const before = st.templates.trade.size;
    expect(run("updateTradeTemplate", { templ: "a", templ_new: "b" })).toMatchObject({ code: 112 });
    expect([st.templates.trade.size, st.templates.trade.has("a"), st.templates.trade.has("b")]).toEqual([before, true, true]);
    expect(run("updateTradeTemplate", { templ: "a", templ_new: "c" })).toMatchObject({ code: 0 });
    expect([st.templates.trade.size, st.templates.trade.has("a"), st.templates.trade.has("c")]).toEqual([before, false, true]);
  });

  it("bhex: an integer parameter given text that is no integer is refused (user \"1:2\" got user 1's order)", async () => {
    const bhex = await started(startBhexMock());
    for (const user_id of ["abc", "12.5", " 1", "1e3", "1:2"]) {
      const r = await bhexCall(bhex.url, "/api/v2/org/statistics/lock_record", { user_id });
      expect(r.body, user_id).toMatchObject({ status: 1, msg: expect.stringContaining("parameter user_id must be an integer, got") });
    }
  });

  it("quant-ws: cancel_order with an order number that is no text cancels nothing (it cancelled the ones before it, unreported)", async () => {
    const m = await qwsMock();
    const c = await qws(m);
    const token = (await c.login()).token as string;
    const placed = await c.ask({ op: "place_order", token, symbol: "ETH/USDT", action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" });
    const orderNo = String(placed.order_no);
    c.ws.send(JSON.stringify({ op: "cancel_order", cid: "x1", token, symbol: "ETH/USDT", order_nos: [orderNo, { toString: 1 }] }));
    expect(await c.wait((f) => f.op === "error")).toMatchObject({ error_message: expect.stringContaining("order_nos[1]") });
    const open = await c.ask({ op: "open_orders", token, symbol: "ETH/USDT" });
    expect(JSON.stringify(open)).toContain(orderNo);
    expect(c.frames.some((f) => f.op === "order" && JSON.stringify(f).includes("CANCELED"))).toBe(false);
  });
});

describe("xt: parameters the signature does not cover are refused, not acted on", () => {
  const signedText = (p: Record<string, string>) => {
    const all: Record<string, string> = { ...p, accesskey: XT_MOCK_ACCESS_KEY, nonce: xtNonce() };
    return new URLSearchParams({ ...all, signature: signXtParams(all, XT_MOCK_SECRET_KEY) }).toString();
  };
  const send = (port: number, method: string, path: string, body: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port, method, path, headers: { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body) } }, (res) => {
        let text = "";
        res.on("data", (d) => (text += String(d)));
        res.on("end", () => resolve(JSON.parse(text) as Record<string, unknown>));
      });
      req.on("error", reject);
      req.end(body);
    });

  it("a GET's form body (a withdrawal's address) and a POST's query (an order's price): 400, nothing done", async () => {
    const xt = await started(startXtMock());
    const withdraw = await send(xt.port, "GET", `/trade/api/v1/withdraw?${signedText({ coin: "btc", address: "MY-OWN-ADDRESS", amount: "1", safePwd: "pw" })}`, "address=SOMEONE-ELSE&amount=999");
    expect(withdraw).toMatchObject({ code: 400, info: expect.stringContaining('the signature covers those only, not "address", "amount"') });
    const order = await send(xt.port, "POST", "/trade/api/v1/order?price=12345", signedText({ market: "btc_usdt", number: "1", type: "1", entrustType: "0" }));
    expect(order).toMatchObject({ code: 400, info: expect.stringContaining('not "price"') });
    const payouts = await send(xt.port, "GET", `/trade/api/v1/getPayOutRecord?${signedText({ coin: "btc" })}`, "");
    expect(payouts).toMatchObject({ code: 200, data: { record: [] } });
  });

  it("a parameter given twice (an unsigned copy before the signed one; a second signature): 400 naming it, nothing done (a server reading the first value acts on one the signature does not cover)", async () => {
    const xt = await started(startXtMock({ balances: { usdt: BIG, btc: BIG, eth: BIG } }));
    const order = signedText({ market: "btc_usdt", price: "5000", number: "1", type: "1", entrustType: "0" });
    for (const [method, path, body, name] of [
      ["POST", "/trade/api/v1/order", `price=1&${order}`, "price"],
      ["POST", "/trade/api/v1/order", `${order}&signature=${"0".repeat(64)}`, "signature"],
      ["POST", "/trade/api/v1/order", `${order}&market=btc_usdt`, "market"],
      ["GET", `/trade/api/v1/withdraw?address=SOMEONE-ELSE&${signedText({ coin: "btc", address: "MY-OWN-ADDRESS", amount: "1", safePwd: "pw" })}`, "", "address"],
    ] as const) {
      expect(await send(xt.port, method, path, body), body || path).toEqual({ code: 400, info: `parameter "${name}" given twice: the signature covers one value of each` });
    }
    // A copy on the other side (the query of a POST) is refused as any parameter there is.
    expect(await send(xt.port, "POST", "/trade/api/v1/order?price=1", order)).toMatchObject({ code: 400, info: expect.stringContaining('the signature covers those only, not "price"') });
    expect(await xtCall(xt.url, "GET", "/trade/api/v1/getOpenOrders", { market: "btc_usdt" })).toMatchObject({ body: { code: 200, data: [] } });
    expect(await xtCall(xt.url, "GET", "/trade/api/v1/getPayOutRecord", { coin: "btc" })).toMatchObject({ body: { code: 200, data: { record: [] } } });
    // The same order without the copy is placed.
    expect(await send(xt.port, "POST", "/trade/api/v1/order", order)).toMatchObject({ code: 200, data: { id: expect.any(Number) } });
  });
});

describe("quant-ws: connections that never upgrade are bounded as the HTTP emulators' are", () => {
  it("a socket that sends nothing is closed after the 10 s headers deadline (Node's default kept it 60 s and more)", async () => {
    const m = await qwsMock();
    const closed: number[] = [];
    const started = performance.now();
    const sockets = Array.from({ length: 5 }, () => {
      const x = connect(m.port, "127.0.0.1");
      x.on("error", () => undefined);
      x.on("close", () => closed.push(performance.now() - started));
      x.resume(); // (reads what comes: the 408, then the end)
      return x;
    });
    closeLater({ close: async () => sockets.forEach((x) => x.destroy()) });
    await expect.poll(() => closed.length, { timeout: 14_000, interval: 100 }).toBe(5);
    expect(Math.max(...closed)).toBeLessThan(13_000);
  }, 20_000);

  it("an IPv6 host is written in brackets in the emulators' URLs", () => {
    expect([urlHost("::1"), urlHost("127.0.0.1"), urlHost(undefined), urlHost("[::1]")]).toEqual(["[::1]", "127.0.0.1", "127.0.0.1", "[::1]"]);
  });
});

describe("HTTP emulators: a refused request's connection is closed", () => {
  it("a request past its deadline (or one the parser refuses) gets its 400 and its connection is closed, though the client never closes its side", async () => {
    const mock = await started(startHttpMock({ meta: xtMeta }));
    expect(mock.server.timeout).toBe(120_000);
    const sockets: Socket[] = [];
    closeLater({ close: async () => sockets.forEach((x) => x.destroy()) });
    const serverSide: Socket[] = [];
    mock.server.on("connection", (x: Socket) => serverSide.push(x));
    for (let i = 0; i < 20; i++) {
      // (allowHalfOpen: it never closes its side of its own accord; it sends nothing)
      const x = connect({ port: mock.port, host: "127.0.0.1", allowHalfOpen: true });
      x.on("error", () => undefined);
      sockets.push(x);
    }
    await expect.poll(() => serverSide.length).toBe(20);
    // What Node does when a request's headers are not in within headersTimeout (10 s).
    for (const x of serverSide) mock.server.emit("clientError", Object.assign(new Error("request timed out"), { code: "ERR_HTTP_REQUEST_TIMEOUT" }), x);
    const count = () => new Promise<number>((r) => mock.server.getConnections((_e, c) => r(c)));
    await expect.poll(count, { timeout: 3_000, interval: 50 }).toBe(0);
    // A client that reads sees the 400 before the close.
    const got = await new Promise<string>((resolve) => {
      let text = "";
      const x = connect(mock.port, "127.0.0.1", () => x.write("NOT HTTP AT ALL\r\n\r\n"));
      x.on("data", (d) => (text += String(d)));
      x.on("close", () => resolve(text));
    });
    expect(got).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  });
});

describe("HTTP emulators: a request pipelined before bytes the parser refuses is answered", () => {
  it("a signed XT order then GARBAGE on one socket: the order's answer, then the 400, then the close (the 400 replaced the answer of an order placed)", async () => {
    const xt = await started(startXtMock());
    const all: Record<string, string> = { market: "btc_usdt", price: "1", number: "1", type: "1", entrustType: "0", accesskey: XT_MOCK_ACCESS_KEY, nonce: xtNonce() };
    all.signature = signXtParams(all, XT_MOCK_SECRET_KEY);
    const body = new URLSearchParams(all).toString();
    const got = await new Promise<string>((resolve) => {
      let text = "";
      const x = connect(xt.port, "127.0.0.1", () =>
        x.write(`POST /trade/api/v1/order HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: ${body.length}\r\n\r\n${body}GARBAGE\r\n\r\n`),
      );
      x.on("data", (d) => (text += String(d)));
      x.on("close", () => resolve(text));
    });
    expect(got).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*"info":"An order has been placed successfully","data":\{"id":\d+\}[^]*HTTP\/1\.1 400 Bad Request\r\n/);
    // The order is on the book, and its id was in the answer.
    const id = /"id":(\d+)/.exec(got)![1]!;
    const open = await xtCall(xt.url, "GET", "/trade/api/v1/getOpenOrders", { market: "btc_usdt" });
    expect(open.text).toContain(id);
  });
});

describe("HTTP emulators: the idle timeout spares a request still being handled", () => {
  it("a socket timed out while its request waits out an emulated latency is kept (the answer comes); an idle one is closed", async () => {
    const xele = await started(startXeleMock({ latencyMs: 800 }));
    const sockets: Socket[] = [];
    xele.ma.server.on("connection", (x: Socket) => sockets.push(x));
    const login = fetch(`${xele.maUrl}/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ client_version: "1.0.1", username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD }) });
    await expect.poll(() => sockets.length).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    // What Node does after MOCK_IDLE_TIMEOUT_MS of silence both ways.
    xele.ma.server.emit("timeout", sockets[0]);
    expect(sockets[0]!.destroyed).toBe(false);
    expect((await login).status).toBe(200);
    const idle = connect(xele.ma.port, "127.0.0.1");
    idle.on("error", () => undefined);
    closeLater({ close: async () => void idle.destroy() });
    await expect.poll(() => sockets.length).toBe(2);
    xele.ma.server.emit("timeout", sockets[1]);
    expect(sockets[1]!.destroyed).toBe(true);
  });
});

describe("HTTP emulators: request bodies held at once are bounded", () => {
  it("a body that would take the bodies in flight past the budget gets 503; stalled requests time out in 30 s; connections are capped", async () => {
    const mock = await started(startHttpMock({ meta: xtMeta, maxBodiesInFlightBytes: 64 * 1024 }));
    expect([mock.server.requestTimeout, mock.server.headersTimeout, mock.server.maxConnections]).toEqual([30_000, 10_000, 1_000]);
    const sockets: Socket[] = [];
    closeLater({ close: async () => sockets.forEach((s) => s.destroy()) });
    const stalled = (bytes: number) =>
      new Promise<{ got: () => string }>((resolve) => {
        let got = "";
        const s = connect(mock.port, "127.0.0.1", () => {
          s.write(`POST /trade/api/v1/order HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 1000000\r\n\r\n${"a".repeat(bytes)}`);
          resolve({ got: () => got });
        });
        s.on("data", (d) => (got += String(d)));
        sockets.push(s);
      });
    const first = await stalled(30_000);
    const second = await stalled(30_000);
    const third = await stalled(30_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(first.got()).toBe("");
    expect(second.got()).toBe("");
    expect(third.got()).toMatch(/^HTTP\/1\.1 503 /);
    expect(third.got()).toContain("too many request bodies in flight");
  });

  it("a request whose body stops arriving is refused at its deadline and the socket closed (it was held for good while its answer was awaited)", async () => {
    const mock = await started(startHttpMock({ meta: xtMeta }));
    // (30 s and 10 s in use: the same path; Node takes a request deadline below the headers' as none)
    mock.server.headersTimeout = 1_000;
    mock.server.requestTimeout = 1_500;
    let got = "";
    const closed = new Promise<void>((resolve) => {
      const s = connect(mock.port, "127.0.0.1", () => s.write("POST /trade/api/v1/order HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 100\r\n\r\nab"));
      s.on("data", (d) => (got += String(d)));
      s.on("error", () => undefined);
      s.on("close", () => resolve());
      closeLater({ close: async () => void s.destroy() });
    });
    const t0 = performance.now();
    await closed;
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(got).toMatch(/^HTTP\/1\.1 (400|408) /);
  }, 10_000);
});
