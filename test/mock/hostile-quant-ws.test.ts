/**
 * The quant-ws emulator under frames no honest client sends: request text never names an
 * object's prototype, never makes the process hang on to memory, and never breaks the emulator
 * for the honest requests that follow.
 */
import { once } from "node:events";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startQuantWsMock, type QuantWsMock } from "../../src/mock/quant-ws.js";

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
});

async function mock(): Promise<QuantWsMock> {
  const m = await startQuantWsMock({ readyDelayMs: 10 });
  open.push(m);
  return m;
}

/** A raw socket: send frames, wait for the one `match` accepts. */
async function raw(m: QuantWsMock) {
  const ws = new WebSocket(m.url);
  open.push({ close: () => ws.terminate() });
  const frames: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  ws.on("message", (d) => {
    frames.push(JSON.parse(String(d)) as Record<string, unknown>);
    for (const w of [...waiters]) w();
  });
  await new Promise((r) => ws.once("open", r));
  const wait = (match: (f: Record<string, unknown>) => boolean, ms = 2_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no matching frame; got ${JSON.stringify(frames).slice(0, 500)}`)), ms);
      const check = () => {
        const hit = frames.find(match);
        if (!hit) return;
        clearTimeout(t);
        waiters.delete(check);
        resolve(hit);
      };
      waiters.add(check);
      check();
    });
  const ask = (frame: Record<string, unknown>) => {
    ws.send(JSON.stringify(frame));
    return wait((f) => f.cid === frame.cid && f.op === frame.op);
  };
  const login = async (extra: Record<string, unknown> = {}) => {
    const r = await ask({ op: "login", cid: `L${Math.random()}`, platform: "huobi", symbols: ["ETH/USDT"], access_key: `k${Math.random()}`, secret_key: "s", ...extra });
    await wait((f) => f.op === "state" && f.token === r.token && f.code === 6);
    return r.token as string;
  };
  return { ws, frames, wait, ask, login };
}

const protoClean = () => {
  const probe = {} as Record<string, unknown>;
  expect([probe.free, probe.locked, probe.total, "total" in probe]).toEqual([undefined, undefined, undefined, false]);
};

describe("quant-ws emulator: request text names no prototype", () => {
  it("a place_order on __proto__/USDT is refused and Object.prototype stays clean", async () => {
    const m = await mock();
    const c = await raw(m);
    const token = await c.login();
    const r = await c.ask({ op: "place_order", cid: "p", token, symbol: "__proto__/USDT", action: "SELL", order_type: "LIMIT", price: 1, quantity: 5 });
    protoClean();
    expect(r).toMatchObject({ result: false, error_message: expect.stringMatching(/^Invalid symbol/) });
    // The balances the honest asset request sees are the ones the login got.
    const a = await c.ask({ op: "asset", cid: "a", token });
    expect(Object.keys(a.data as object).sort()).toEqual(["ETH", "USDT"]);
  });

  it("a symbol naming an Object.prototype member (constructor, toString/USDT) is refused: no free BUY", async () => {
    const m = await mock();
    const c = await raw(m);
    const token = await c.login();
    for (const symbol of ["constructor", "__proto__", "ETH/US DT", "", 5, null]) {
      const r = await c.ask({ op: "place_order", cid: `b${String(symbol)}`, token, symbol, action: "BUY", order_type: "MARKET", price: 0, quantity: 1e12 });
      expect(r, String(symbol)).toMatchObject({ result: false, error_message: expect.stringMatching(/^Invalid symbol/) });
    }
    // Well-formed pairs whose parts are Object.prototype names are ordinary unknown pairs.
    for (const symbol of ["toString/USDT", "ETH/constructor", "constructor/hasOwnProperty"]) {
      const r = await c.ask({ op: "place_order", cid: `b${symbol}`, token, symbol, action: "BUY", order_type: "MARKET", price: 0, quantity: 1e12 });
      expect(r, symbol).toMatchObject({ result: false, error_message: "Insufficient balance" });
    }
    for (const op of ["open_orders", "position", "symbol_info"]) {
      expect(await c.ask({ op, cid: op, token, symbol: "__proto__" })).toMatchObject({ result: false, error_message: expect.stringMatching(/^Invalid symbol/) });
    }
    protoClean();
    // An honest BUY still meets the balance check.
    const poor = await c.ask({ op: "place_order", cid: "poor", token, symbol: "ETH/USDT", action: "BUY", order_type: "MARKET", price: 0, quantity: 1e12 });
    expect(poor).toMatchObject({ result: false, error_message: "Insufficient balance" });
  });

  it("a login subscribing to __proto__/USDT is refused and holds no login", async () => {
    const m = await mock();
    const c = await raw(m);
    const r = await c.ask({ op: "login", cid: "L", platform: "huobi", symbols: ["ETH/USDT", "__proto__/USDT"], access_key: "k", secret_key: "s" });
    expect(r).toMatchObject({ result: false, error_message: expect.stringMatching(/^Invalid symbol "__proto__\/USDT"/), token: "" });
    protoClean();
    expect(m.tokens()).toEqual([]);
    await c.login({ access_key: "k" });
  });
});

describe("quant-ws emulator: close()", () => {
  it.each([
    ["a TCP connection that sent nothing", ""],
    ["a keep-alive HTTP connection that never upgraded", "GET /ws/v1 HTTP/1.1\r\nHost: x\r\n\r\n"],
    ["half a request line", "GET /ws/v1 HT"],
  ])("resolves at once with %s open", async (_label, bytes) => {
    const m = await startQuantWsMock();
    const sock = connect(m.port, "127.0.0.1");
    open.push({ close: () => sock.destroy() });
    await once(sock, "connect");
    if (bytes) sock.write(bytes);
    await new Promise((r) => setTimeout(r, 50));
    const t = performance.now();
    const closed = await Promise.race([m.close().then(() => "closed"), new Promise((r) => setTimeout(() => r("still open"), 3_000))]);
    expect(closed).toBe("closed");
    expect(performance.now() - t).toBeLessThan(1_000);
  });
});

describe("quant-ws emulator: memory a client cannot grow", () => {
  it("a client that stops reading while asking for large answers is closed, not buffered for", async () => {
    const m = await mock();
    const c = await raw(m);
    // 2,000 resting orders: each open_orders answer is about 300 KB (a pong no longer echoes a
    // ts that is no integer, so a 1 MB ts is no longer a 1 MB answer)
    const token = await c.login();
    for (let i = 0; i < 2_000; i++) c.ws.send(JSON.stringify({ op: "place_order", cid: `p${i}`, token, symbol: "ETH/USDT", action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" }));
    await c.wait((f) => f.op === "place_order" && f.cid === "p1999", 10_000);
    (c.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const frame = JSON.stringify({ op: "open_orders", cid: "o", token, symbol: "ETH/USDT" });
    for (let i = 0; i < 200 && m.openSockets > 0; i++) {
      c.ws.send(frame);
      await new Promise((r) => setTimeout(r, 10));
    }
    const t = Date.now();
    while (m.openSockets > 0 && Date.now() - t < 5_000) await new Promise((r) => setTimeout(r, 20));
    expect(m.openSockets).toBe(0);
  });

  it("a login listing more than 1 000 symbols is refused with a reply, holding nothing", async () => {
    const m = await mock();
    const c = await raw(m);
    const symbols = Array.from({ length: 70_000 }, (_, i) => `S${i}/USDT`);
    const r = await c.ask({ op: "login", cid: "L", platform: "huobi", symbols, access_key: "k", secret_key: "s" });
    expect(r).toMatchObject({ result: false, error_message: "Too many symbols: 70000, at most 1000 per login" });
    expect(m.tokens()).toEqual([]);
  });
});

describe("quant-ws emulator: int64 values keep every digit", () => {
  /** The text of each frame the emulator sends (the client's JSON.parse would round them). */
  const texts = (c: { ws: WebSocket }) => {
    const got: string[] = [];
    c.ws.on("message", (d) => got.push(String(d)));
    return got;
  };

  it("the frames logged and waited for hold a ts beyond 2^53 exactly; the smallest int64 is a ts, one below it is refused", async () => {
    const m = await mock();
    const c = await raw(m);
    const got = texts(c);
    c.ws.send('{"op":"ping","ts":9007199254740993}');
    const hit = await m.waitForFrame((f) => typeof f.frame === "object" && f.frame.ts === 9007199254740993n, 2_000);
    expect(hit.frame).toEqual({ op: "ping", ts: 9007199254740993n });
    expect(m.received.filter((f) => typeof f.frame === "object" && f.frame.ts === 9007199254740992)).toEqual([]);
    c.ws.send('{"op":"ping","ts":-9223372036854775808}');
    c.ws.send('{"op":"ping","ts":-9223372036854775809}');
    c.ws.send('{"op":"ping","ts":9223372036854775807}');
    await expect.poll(() => got.length).toBe(4);
    expect(got).toEqual([
      '{"op":"pong","ts":9007199254740993}',
      '{"op":"pong","ts":-9223372036854775808}',
      '{"op":"error","error_message":"\'ts\' must be an integer of at most 64 bits"}',
      '{"op":"pong","ts":9223372036854775807}',
    ]);
  });

  it("a ping whose ts is no integer (text, a fraction, null, an object) gets an error frame, not a pong echoing it", async () => {
    const m = await mock();
    const c = await raw(m);
    const got = texts(c);
    for (const ts of ['"abc"', "1.5", "null", "{}", '"1530604762311"', "[1]", "true"]) c.ws.send(`{"op":"ping","ts":${ts}}`);
    c.ws.send('{"op":"ping","ts":1530604762311}');
    await expect.poll(() => got.length).toBe(8);
    expect(got.slice(0, 7)).toEqual(Array.from({ length: 7 }, () => '{"op":"error","error_message":"\'ts\' must be an integer of at most 64 bits"}'));
    expect(got[7]).toBe('{"op":"pong","ts":1530604762311}');
  });

  it("cancel_order with an order number sent as a number beyond 2^53 names that order, every digit (log and reply)", async () => {
    const m = await mock();
    const c = await raw(m);
    const token = await c.login();
    const got = texts(c);
    c.ws.send(`{"op":"cancel_order","cid":"K","token":"${token}","symbol":"ETH/USDT","order_nos":[12345678901234567891]}`);
    await expect.poll(() => got.find((t) => t.includes('"cancel_order"'))).toBe(
      '{"op":"cancel_order","cid":"K","result":true,"error_message":"","data":[{"result":false,"error_message":"Order not found","order_no":"12345678901234567891"}]}',
    );
    const sent = m.received.map((f) => f.frame).find((f) => typeof f === "object" && f.op === "cancel_order");
    expect(sent).toMatchObject({ order_nos: [12345678901234567891n] });
    // An order number sent as a (small) number still cancels that order.
    const placed = await c.ask({ op: "place_order", cid: "P", token, symbol: "ETH/USDT", action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" });
    const cancelled = await c.ask({ op: "cancel_order", cid: "K2", token, symbol: "ETH/USDT", order_nos: [Number(placed.order_no)] });
    expect(cancelled.data).toEqual([{ result: true, error_message: "", order_no: placed.order_no }]);
  });

  it("an integer beyond 2^53 is no price, quantity or symbol: refused with its digits, never rounded", async () => {
    const m = await mock();
    const c = await raw(m);
    const token = await c.login();
    const got = texts(c);
    const order = `{"op":"place_order","token":"${token}","action":"BUY","order_type":"LIMIT",`;
    c.ws.send(`${order}"cid":"Q","symbol":"ETH/USDT","price":1,"quantity":9007199254740993}`);
    c.ws.send(`${order}"cid":"S","symbol":12345678901234567891,"price":1,"quantity":1}`);
    c.ws.send(`{"op":"login","cid":"L","platform":"huobi","symbols":[12345678901234567891],"access_key":"k2","secret_key":"s"}`);
    await expect.poll(() => got.length).toBe(3);
    expect(got).toEqual([
      '{"op":"place_order","cid":"Q","result":false,"error_message":"Invalid price or quantity"}',
      '{"op":"place_order","cid":"S","result":false,"error_message":"Invalid symbol 12345678901234567891"}',
      '{"op":"login","cid":"L","result":false,"error_message":"Invalid symbol 12345678901234567891","token":""}',
    ]);
    expect((await c.ask({ op: "asset", cid: "A", token })).data).toMatchObject({ USDT: { free: 100_000, locked: 0 } });
  });
});
