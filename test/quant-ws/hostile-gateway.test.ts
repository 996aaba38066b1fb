/**
 * The client against gateways written to hurt it: a handshake that never ends, a gateway that
 * accepts and closes every socket, one that closes the socket a re-login is sent on, tokens
 * reused across sockets, frames that echo tokens and secrets (escaped twice in a message), a
 * close reason cut in the middle of a secret, members given twice, huge texts, forged pongs.
 * Each is a typed error or a working session; nothing hangs and nothing secret is shown.
 */
import { createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { describe, expect, it, onTestFinished } from "vitest";
import type { WebSocket } from "ws";
import { ConnectionError } from "../../src/handwritten/core/errors.js";
import { createQuantWsClient, QuantWsFrameError, SessionNotReadyError, type QuantWsClientOptions } from "../../src/handwritten/quant-ws/index.js";
import { creds, rawGateway, replyTo } from "./helpers.js";

const ASSET = { USDT: { free: 1, locked: 0, total: 1 } };

/** Answers login (reply, then READY at once), ping, logout and asset as a gateway does. */
function serve(ws: WebSocket, f: Record<string, unknown>, token: string): void {
  if (f.op === "login") {
    ws.send(replyTo(f, { token }));
    ws.send(JSON.stringify({ op: "state", token, code: 6, msg: "" }));
  } else if (f.op === "ping") ws.send(JSON.stringify({ op: "pong", ts: f.ts }));
  else if (f.op === "logout") ws.send(replyTo(f));
  else if (f.op === "asset") ws.send(replyTo(f, { data: ASSET }));
}

function client(url: string, opts: QuantWsClientOptions = {}) {
  const c = createQuantWsClient({ url, requestTimeoutMs: 1_000, loginTimeoutMs: 1_000, reconnect: { baseDelayMs: 20, maxDelayMs: 100 }, ...opts });
  onTestFinished(() => c.close());
  return c;
}

/** Every text of an error a user may log. */
const views = (e: unknown): string => [String(e), JSON.stringify(e), inspect(e, { depth: Infinity, showHidden: true }), (e as Error).stack].join("\n");

describe("quant-ws against a hostile gateway", () => {
  it.each([
    ["trickles its 101 answer a byte at a time", (s: Socket) => trickle(s, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Pad: " + "a".repeat(500))],
    ["answers 100 Continue without end", (s: Socket) => trickle(s, "HTTP/1.1 100 Continue\r\n\r\n".repeat(100))],
  ])("a handshake that %s ends at connectTimeoutMs (ws's own timeout restarts at each byte)", async (_what, answer) => {
    const open = new Set<Socket>();
    const server = createServer((s) => {
      open.add(s);
      s.on("error", () => undefined);
      s.once("data", () => answer(s));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    onTestFinished(() => new Promise<void>((r) => (server.close(() => r()), open.forEach((s) => s.destroy()))));
    const c = client(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/v1`, { connectTimeoutMs: 400, reconnect: false });
    const started = performance.now();
    const e = await c.login(creds()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConnectionError);
    expect((e as Error).message).toMatch(/the WebSocket handshake did not end within 400 ms \(connectTimeoutMs\)/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("a snapshot of 1,000 orders pushed in the same write as the login reply (read before the login takes its token) is held for it whole", async () => {
    const N = 1_000;
    const token = "tok-snapshot";
    const order = (i: number) =>
      JSON.stringify({ op: "notify", topic: "order", token, data: { symbol: "ETH/USDT", order_no: String(i), action: "BUY", price: 1.5, quantity: 1, remain: 1, status: "SUBMITTED", order_type: "LIMIT", ctime: 1, utime: 1 } });
    const gw = await rawGateway((ws, f) => {
      if (f.op !== "login") return serve(ws, f, token);
      // One write: ws hands the client every frame of a socket read before the login's await resumes.
      const raw = (ws as unknown as { _socket: Socket })._socket;
      raw.cork();
      ws.send(replyTo(f, { token }));
      for (let i = 0; i < N; i++) ws.send(order(i));
      ws.send(JSON.stringify({ op: "state", token, code: 6, msg: "" }));
      raw.uncork();
    });
    const c = client(gw.url);
    const errors: unknown[] = [];
    c.on("error", (e) => errors.push(e));
    const session = await c.login(creds());
    const got: string[] = [];
    session.on("order", (o) => got.push(o.order_no));
    await new Promise((r) => setTimeout(r, 50));
    expect(errors).toEqual([]);
    expect(got).toEqual(Array.from({ length: N }, (_, i) => String(i)));
  });

  /** The gateway's side of its first socket sends a close frame (4000) and then reads nothing and never ends the TCP connection. */
  const closeWithoutEnd = (ws: WebSocket) => {
    const raw = (ws as unknown as { _socket: Socket })._socket;
    raw.pause();
    raw.write(Buffer.from([0x88, 0x02, 0x0f, 0xa0]));
  };

  it("a close frame with no TCP end after it: the drop is seen within a second (not ws's 30 s) and the session logs in again", async () => {
    let n = 0;
    const gw = await rawGateway((ws, f) => serve(ws, f, `tok-close-${n}`));
    gw.wss.on("connection", () => n++);
    const c = client(gw.url);
    const session = await c.login(creds());
    const dropped = c.next("disconnected", 3_000);
    const reconnected = c.next("reconnected", 5_000);
    const started = performance.now();
    closeWithoutEnd([...gw.wss.clients][0]!);
    expect((await dropped).code).toBe(4000);
    expect(performance.now() - started).toBeLessThan(2_500);
    expect((await reconnected).sessions.map((s) => s.session)).toEqual([session]);
    await expect(session.asset()).resolves.toEqual(ASSET);
    expect(session.token).toBe("tok-close-2");
  });

  it("requests made while the gateway closes the socket (close frame, no TCP end yet) wait for the reconnect and READY, as after a drop", async () => {
    let n = 0;
    const gw = await rawGateway((ws, f) => (f.op === "place_order" ? ws.send(replyTo(f, { order_no: `o${n}` })) : serve(ws, f, `tok-wait-${n}`)));
    gw.wss.on("connection", () => n++);
    const c = client(gw.url, { requestTimeoutMs: 4_000 });
    const session = await c.login(creds());
    const reconnected = c.next("reconnected", 5_000);
    reconnected.catch(() => undefined);
    closeWithoutEnd([...gw.wss.clients][0]!);
    await expect.poll(() => c.connected).toBe(false);
    expect(c.sessions).toEqual([session]);
    expect(session.ready).toBe(false);
    const order = { symbol: "ETH/USDT", action: "BUY", order_type: "LIMIT", price: 1, quantity: 1 } as const;
    const orders = Promise.all([session.placeOrder(order), session.placeOrder(order)]);
    orders.catch(() => undefined);
    // (notReady: "fail" fails at once, naming the socket, not a state READY)
    const fast = await session.placeOrder(order, { notReady: "fail" }).catch((e: unknown) => e);
    expect(fast).toBeInstanceOf(SessionNotReadyError);
    expect((fast as Error).message).toMatch(/session not READY \(socket reconnecting\)$/);
    await expect(orders).resolves.toEqual(["o2", "o2"]);
    expect((await reconnected).sessions.map((s) => s.session)).toEqual([session]);
    expect(session.token).toBe("tok-wait-2");
  });

  it("a login while the gateway is closing the socket (close frame, no TCP end) ends that socket first: the other session is logged in again, not left with a dead token", async () => {
    let n = 0;
    let logins = 0;
    const gw = await rawGateway((ws, f) => serve(ws, f, f.op === "login" ? `tok-closing-${n}-${++logins}` : ""));
    gw.wss.on("connection", () => n++);
    const c = client(gw.url, { reconnect: { baseDelayMs: 5_000, maxDelayMs: 5_000 } });
    const a = await c.login(creds());
    closeWithoutEnd([...gw.wss.clients][0]!);
    await new Promise((r) => setTimeout(r, 50));
    const b = await c.login(creds());
    expect(n).toBe(2);
    expect(a.token).toMatch(/^tok-closing-2-/);
    expect(b.token).toMatch(/^tok-closing-2-/);
    await expect(a.asset()).resolves.toEqual(ASSET);
    await expect(b.asset()).resolves.toEqual(ASSET);
  });

  it.each(["disconnected", "reconnecting"] as const)("close() from a %s listener leaves no reconnect timer behind", async (event) => {
    const gw = await rawGateway((ws, f) => serve(ws, f, "tok-listener"));
    const c = client(gw.url, { reconnect: { baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    await c.login(creds());
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const closed = new Promise<void>((resolve) => c.on(event, () => void c.close().then(resolve)));
    const before = timers();
    for (const ws of gw.wss.clients) ws.terminate();
    await closed;
    await new Promise((r) => setImmediate(r));
    // (the heartbeat's timer does not hold the process) A 60 s reconnect timer would be one more;
    // a timer an earlier test left may have ended meanwhile (one fewer).
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it("a reply in a binary frame is read as its text; one whose bytes are not valid UTF-8 fails its request at once (not U+FFFD in the data)", async () => {
    const reply = (f: Record<string, unknown>, name: Buffer) =>
      Buffer.concat([Buffer.from(`{"op":"asset","cid":"${String(f.cid)}","result":true,"error_message":"","data":{"`), name, Buffer.from('":{"free":1,"locked":0,"total":1}}}')]);
    let bad = false;
    const gw = await rawGateway((ws, f) => {
      if (f.op === "asset") ws.send(reply(f, bad ? Buffer.from([0x55, 0xc3, 0x28]) : Buffer.from("USDT")), { binary: true });
      else serve(ws, f, "tok-binary");
    });
    const c = client(gw.url);
    const errors: unknown[] = [];
    c.on("error", (e) => errors.push(e));
    const session = await c.login(creds());
    await expect(session.asset()).resolves.toEqual(ASSET);
    bad = true;
    const started = performance.now();
    const e = await session.asset().catch((x: unknown) => x);
    expect(performance.now() - started).toBeLessThan(500);
    expect(e).toBeInstanceOf(QuantWsFrameError);
    expect((e as QuantWsFrameError).problem).toBe("not-json");
    // (the request's own error names it; the `error` event's is the frame's)
    expect((e as Error).message).toMatch(/^quant-ws asset: binary frame whose bytes are not valid UTF-8: not read/);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toMatch(/^quant-ws: binary frame whose bytes are not valid UTF-8: not read/);
  });

  it("a gateway that answers two logins with one token: the login that lost it fails without logging out the token the other session holds", async () => {
    const token = "tok-shared-4242";
    let logins = 0;
    const logouts: unknown[] = [];
    const gw = await rawGateway((ws, f) => {
      if (f.op === "login") {
        ws.send(replyTo(f, { token }));
        if (++logins === 2) setTimeout(() => ws.send(JSON.stringify({ op: "state", token, code: 6, msg: "" })), 30);
      } else if (f.op === "logout") {
        logouts.push(f.token);
        ws.send(replyTo(f));
      } else serve(ws, f, token);
    });
    const c = client(gw.url, { loginTimeoutMs: 300 });
    const [a, b] = await Promise.allSettled([c.login(creds()), c.login({ ...creds(), accessKey: "ak-other-7777" })]);
    expect([a.status, b.status].sort()).toEqual(["fulfilled", "rejected"]);
    const live = (a.status === "fulfilled" ? a : (b as PromiseFulfilledResult<Awaited<ReturnType<typeof c.login>>>)).value;
    await new Promise((r) => setTimeout(r, 50));
    expect(logouts).toEqual([]);
    expect(live.ready).toBe(true);
    await expect(live.asset()).resolves.toEqual(ASSET);
  });

  it("a re-login sent on a socket the gateway is closing does not end the session: the next socket logs it in", async () => {
    let n = 0;
    const gw = await rawGateway((ws, f) => serve(ws, f, `tok-${n}`));
    gw.wss.on("connection", (ws) => {
      n++;
      // Socket 2 is closed at once (a gateway restarting); the others serve.
      if (n === 2) ws.close(1012, "service restart");
    });
    const c = client(gw.url);
    const session = await c.login(creds());
    const reconnected = c.next("reconnected", 5_000);
    for (const ws of gw.wss.clients) ws.terminate();
    const back = await reconnected;
    expect(back.failed).toEqual([]);
    expect(back.sessions.map((s) => s.session)).toEqual([session]);
    expect(n).toBe(3);
    expect(session.ended).toBe(false);
    await expect(session.asset()).resolves.toEqual(ASSET);
  });

  it("a gateway that accepts and closes every socket: the backoff grows and maxAttempts is reached", async () => {
    let sockets = 0;
    const gw = await rawGateway((ws, f) => serve(ws, f, "tok"));
    const c = client(gw.url, { reconnect: { baseDelayMs: 20, maxDelayMs: 1_000, maxAttempts: 4, random: () => 1 } });
    await c.connect();
    gw.wss.on("connection", (ws) => {
      sockets++;
      ws.close(1012, "go away");
    });
    const attempts: Array<[number, number]> = [];
    c.on("reconnecting", (r) => attempts.push([r.attempt, r.delayMs]));
    const gaveUp = c.next("error", 5_000);
    for (const ws of gw.wss.clients) ws.terminate();
    expect((await gaveUp).message).toMatch(/gave up reconnecting to .* after 4 attempts/);
    expect(attempts).toEqual([
      [1, 20],
      [2, 40],
      [3, 80],
      [4, 160],
    ]);
    expect(sockets).toBe(4);
  });

  it("a gateway that hands the re-login the same token (its READY before the reply is taken) keeps the session", async () => {
    const gw = await rawGateway((ws, f) => serve(ws, f, "same-token"));
    const c = client(gw.url);
    const session = await c.login(creds());
    const reconnected = c.next("reconnected", 5_000);
    for (const ws of gw.wss.clients) ws.terminate();
    const back = await reconnected;
    expect(back.failed).toEqual([]);
    expect(session.ready).toBe(true);
    await expect(session.asset()).resolves.toEqual(ASSET);
  });

  it.each([
    // Sent with the reply (before the login takes the token), or 30 ms after it.
    ["a msg that is an object", { code: 1, msg: { text: "platform not found" } }, "state notification whose `msg` is not text", 0],
    ["a msg that is an object, after the reply", { code: 1, msg: { text: "platform not found" } }, "state notification whose `msg` is not text", 30],
    ["a code given as text", { code: "1", msg: "platform not found" }, "state without a valid `code`", 0],
    ["a code outside the spec's", { code: 99, msg: "" }, "state notification does not fit the spec: code must be one of 1, 2, 3, 4, 5, 6, 7, 8, 9, got 99", 0],
    ["a code given twice", '{"op":"state","token":"TOKEN","code":6,"code":1,"msg":""}', 'frame gives its member "code" twice', 0],
    ["a code no double holds", '{"op":"state","token":"TOKEN","code":6.000000000000000001,"msg":""}', "the number at code (6.000000000000000001) does not fit a double", 0],
  ])("a login whose only state frame it cannot read (%s) times out naming that frame, the token hidden", async (_what, fields, why, delayMs) => {
    const token = "tok-unreadable-4321";
    const gw = await rawGateway((ws, f) => {
      if (f.op !== "login") return;
      ws.send(replyTo(f, { token }));
      const state = typeof fields === "string" ? fields.replace("TOKEN", token) : JSON.stringify({ op: "state", token, ...fields });
      if (delayMs) setTimeout(() => ws.send(state), delayMs);
      else ws.send(state);
    });
    // (800 ms: on a loaded machine the login's reply itself was not read within 300)
    const c = client(gw.url, { loginTimeoutMs: 800, logoutTimeoutMs: 100, reconnect: false });
    const errors: unknown[] = [];
    c.on("error", (e) => errors.push(e));
    const e = await c.login(creds()).catch((x: unknown) => x);
    expect((e as Error).name).toBe("TimeoutError");
    expect((e as Error).message).toContain(`no state notification; a state notification it could not read: quant-ws: ${why}`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(QuantWsFrameError);
    for (const x of [e, errors[0]]) expect(views(x)).not.toContain(token);
  });

  it("a state frame it cannot read for another token is not named by the login's timeout", async () => {
    const gw = await rawGateway((ws, f) => {
      if (f.op !== "login") return;
      ws.send(replyTo(f, { token: "tok-mine-123456" }));
      ws.send(JSON.stringify({ op: "state", token: "tok-other-654321", code: 1, msg: { x: 1 } }));
    });
    const c = client(gw.url, { loginTimeoutMs: 300, logoutTimeoutMs: 100, reconnect: false });
    c.on("error", () => undefined);
    const e = await c.login(creds()).catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/\(no state notification\)$/);
  });

  it("a request whose reply comes back with no readable cid times out naming that frame; a later request does not", async () => {
    const gw = await rawGateway((ws, f) => {
      if (f.op === "asset") ws.send(JSON.stringify({ op: "asset", result: true, error_message: "", data: ASSET }));
      else if (f.op !== "open_orders") serve(ws, f, "tok-nocid-1234");
    });
    const c = client(gw.url, { requestTimeoutMs: 300, logoutTimeoutMs: 100, reconnect: false });
    const errors: unknown[] = [];
    c.on("error", (e) => errors.push(e));
    const session = await c.login(creds());
    const e = await session.asset().catch((x: unknown) => x);
    expect((e as Error).name).toBe("TimeoutError");
    expect((e as Error).message).toMatch(/no asset reply within 300 ms \(cid [^)]+\); a frame it could not read came meanwhile: quant-ws: asset reply without a valid `cid`/);
    expect(errors).toHaveLength(1);
    const later = await session.openOrders("ETH/USDT").catch((x: unknown) => x);
    expect((later as Error).message).toMatch(/no open_orders reply within 300 ms \(cid [^)]+\)$/);
  });

  it("a frame that echoes the session token or a secret (escaped twice in the message) shows neither", async () => {
    const secretKey = 'sk-ab"cd/ef\\gh-5678';
    const token = "tok-9f8e7d6c5b4a";
    const gw = await rawGateway((ws, f) => {
      serve(ws, f, token);
      if (f.op === "login") {
        ws.send(JSON.stringify({ op: "notify", topic: "order", token, data: { bogus: 1 } }));
        // The session's token where no name marks it.
        ws.send(JSON.stringify({ op: "bogus", note: `session ${token} is busy` }));
        ws.send(JSON.stringify({ op: "bogus", echo: secretKey }));
        ws.send(JSON.stringify({ op: "bogus", echo: secretKey }).replace(/\//g, "\\/"));
        // A token no session holds is hidden by its name.
        ws.send(JSON.stringify({ op: "state", token: "other-token-123456", code: 6, msg: "" }));
      }
    });
    const c = client(gw.url);
    const errors: unknown[] = [];
    c.on("error", (e) => errors.push(e));
    await c.login(creds({ secretKey }));
    await c.close();
    expect(errors.map((e) => (e as QuantWsFrameError).problem)).toEqual(["missing-field", "unknown-op", "unknown-op", "unknown-op", "unknown-token"]);
    for (const e of errors) {
      const text = views(e);
      for (const needle of [token, "other-token-123456", "ab\"cd", 'ab\\"cd', 'ab\\\\\\"cd', "cd\\\\/ef", "gh-5678"]) expect(text, needle).not.toContain(needle);
    }
  });

  it("a live session's token stays hidden however many tokens the gateway hands out after it (logins, login replies of no request)", async () => {
    const token = "tok-live-7Q9Z2X";
    const gw = await rawGateway((ws, f) => serve(ws, f, f.op === "login" && f.secret_key === "sk-b" ? `tok-b-${String(f.cid)}` : token));
    const c = client(gw.url);
    const errors: unknown[] = [];
    const states: string[] = [];
    c.on("error", (e) => errors.push(e));
    c.on("state", (e) => states.push(e.msg));
    const session = await c.login(creds());
    // Other sessions logged in and out, then 300 tokens in replies to no login of this client.
    for (let i = 0; i < 5; i++) await (await c.login(creds({ accessKey: `ak-b${i}`, secretKey: "sk-b" }))).logout();
    const ws = [...gw.wss.clients][0]!;
    for (let i = 0; i < 300; i++) ws.send(JSON.stringify({ op: "login", cid: `junk-${i}`, result: true, error_message: "", token: `tok-junk-${String(i).padStart(6, "0")}` }));
    ws.send(JSON.stringify({ op: "state", token, code: 4, msg: `session ${token} lost its exchange link` }));
    ws.send(JSON.stringify({ op: "asset", cid: "stale", result: false, error_message: `Invalid token ${token}` }));
    await expect.poll(() => states.length).toBe(7);
    await expect.poll(() => errors.length).toBe(301);
    expect(session.ended).toBe(false);
    expect(states.at(-1)).toBe("session [redacted] lost its exchange link");
    for (const e of errors.slice(-1)) expect(views(e)).not.toContain(token);
  });

  it("a close reason of the full 123 bytes that ends inside a secret loses the piece it shows", async () => {
    const secretKey = "sk-0123456789abcdefghijklmnopqrstuvwxyz0123456789";
    const gw = await rawGateway((ws, f) => {
      if (f.op === "login") ws.close(4001, Buffer.from(`login refused: ${"-".repeat(60)} secret ${secretKey}`).subarray(0, 123).toString());
    });
    const c = client(gw.url, { reconnect: false });
    const dropped = c.next("disconnected", 3_000);
    const e = await c.login(creds({ secretKey })).catch((x: unknown) => x);
    const { reason } = await dropped;
    expect(reason).toMatch(/secret \[redacted\]…$/);
    for (const text of [reason, views(e)]) expect(text).not.toContain(secretKey.slice(0, 8));
  });

  it("a reply that gives a member twice (result false, then true) fails its request: it is not a success", async () => {
    const gw = await rawGateway((ws, f) => {
      serve(ws, f, "tok");
      if (f.op === "place_order") {
        ws.send(`{"op":"place_order","cid":${JSON.stringify(f.cid)},"result":false,"error_message":"Insufficient balance","result":true,"order_no":"42"}`);
      }
    });
    const c = client(gw.url);
    c.on("error", () => undefined);
    const session = await c.login(creds());
    const e = await session.placeOrder({ symbol: "ETH/USDT", action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(QuantWsFrameError);
    expect((e as QuantWsFrameError).problem).toBe("repeated-field");
    expect((e as Error).message).toMatch(/frame gives its member "result" twice/);
  });

  it("an item that gives a member twice (result false, then true) fails the cancel: the order is not counted as cancelled", async () => {
    const gw = await rawGateway((ws, f) => {
      serve(ws, f, "tok");
      if (f.op === "cancel_order") {
        ws.send(`{"op":"cancel_order","cid":${JSON.stringify(f.cid)},"result":true,"error_message":"","data":[{"order_no":"42","result":false,"error_message":"not found","result":true}]}`);
      }
    });
    const c = client(gw.url);
    c.on("error", () => undefined);
    const session = await c.login(creds());
    const e = await session.cancelOrder("ETH/USDT", ["42"]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(QuantWsFrameError);
    expect(e).toMatchObject({ problem: "repeated-field", field: "data[0].result", outcomeUnknown: true });
    expect((e as Error).message).toMatch(/frame gives the member "result" at "data\[0\]\.result" twice/);
  });

  it("a notification that gives a member twice is an error event, never an event with the last value", async () => {
    const gw = await rawGateway((ws, f) => {
      serve(ws, f, "tok");
      if (f.op === "asset") {
        ws.send('{"op":"notify","topic":"fill","token":"tok","data":{"symbol":"ETH/USDT","order_no":"1","fill_no":"f1","price":1,"quantity":1,"side":"BUY","liquidity":"TAKER","ctime":1,"price":1000}}');
      }
    });
    const c = client(gw.url);
    const session = await c.login(creds());
    const fills: unknown[] = [];
    session.on("fill", (x) => fills.push(x));
    const error = c.next("error", 2_000);
    await session.asset();
    expect(await error).toMatchObject({ problem: "repeated-field", field: "data.price" });
    expect(fills).toEqual([]);
  });

  it("a reply that gives its cid twice fails the request of each cid at once, not by its timeout", async () => {
    const placed: string[] = [];
    const gw = await rawGateway((ws, f) => {
      serve(ws, f, "tok");
      if (f.op === "place_order") placed.push(f.cid as string);
      // Both orders sent: one reply naming both cids (a nested "cid" in its data is not one of them).
      if (placed.length === 2) ws.send(`{"op":"place_order","cid":${JSON.stringify(placed[0])},"data":{"cid":"x"},"result":true,"cid":${JSON.stringify(placed[1])},"order_no":"42"}`);
    });
    const c = client(gw.url, { requestTimeoutMs: 20_000 });
    const errors: Error[] = [];
    c.on("error", (e) => errors.push(e));
    const session = await c.login(creds());
    const order = { symbol: "ETH/USDT", action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" } as const;
    const started = performance.now();
    const [a, b] = await Promise.all([session.placeOrder(order).catch((x: unknown) => x), session.placeOrder(order).catch((x: unknown) => x)]);
    expect(performance.now() - started).toBeLessThan(5_000);
    for (const e of [a, b]) {
      expect(e).toBeInstanceOf(QuantWsFrameError);
      expect((e as QuantWsFrameError).problem).toBe("repeated-field");
      expect((e as QuantWsFrameError & { outcomeUnknown?: boolean }).outcomeUnknown).toBe(true);
    }
    expect((a as QuantWsFrameError).cids).toEqual(placed);
  });

  it("a reply nested past the depth limit fails its request at once by its readable cid, not by its timeout", async () => {
    const gw = await rawGateway((ws, f) => {
      serve(ws, f, "tok");
      if (f.op === "place_order") ws.send(`{"op":"place_order","cid":${JSON.stringify(f.cid)},"result":true,"data":${"[".repeat(300_000)}${"]".repeat(300_000)}}`);
    });
    const c = client(gw.url, { requestTimeoutMs: 20_000 });
    const errors: Error[] = [];
    c.on("error", (e) => errors.push(e));
    const session = await c.login(creds());
    const started = performance.now();
    const e = await session.placeOrder({ symbol: "ETH/USDT", action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" }).catch((x: unknown) => x);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(e).toBeInstanceOf(QuantWsFrameError);
    expect((e as QuantWsFrameError).problem).toBe("not-json");
    expect((e as Error).message).toMatch(/frame is JSON nested deeper than \d+ levels: not read/);
    expect((e as QuantWsFrameError & { outcomeUnknown?: boolean }).outcomeUnknown).toBe(true);
    expect(errors).toHaveLength(1);
  });

  it("a frame member of megabytes (an unknown op, a cid) is cut in the message", async () => {
    const huge = "x".repeat(4 * 1024 * 1024);
    const gw = await rawGateway((ws, f) => {
      serve(ws, f, "tok");
      if (f.op === "login") {
        ws.send(JSON.stringify({ op: huge }));
        ws.send(JSON.stringify({ op: "notify", topic: huge, token: "tok", data: {} }));
        ws.send(JSON.stringify({ op: "asset", cid: huge, result: true, error_message: "", data: ASSET }));
      }
    });
    const c = client(gw.url);
    const errors: Error[] = [];
    c.on("error", (e) => errors.push(e));
    await c.login(creds());
    await expect.poll(() => errors.length).toBe(3);
    for (const e of errors) expect(e.message.length).toBeLessThan(1_000);
  });

  it("pongs of a ts the client never sent do not keep the socket alive: a gateway that stops answering the pings is found dead", async () => {
    let sockets = 0;
    const gw = await rawGateway((ws, f) => {
      if (f.op === "login") {
        sockets++;
        serve(ws, f, `tok-${sockets}`);
        // The first socket answers no ping, but sends pongs of its own all the time.
        if (sockets === 1) {
          const own = setInterval(() => ws.send(JSON.stringify({ op: "pong", ts: Date.now() })), 10);
          ws.on("close", () => clearInterval(own));
        }
      } else if (f.op !== "ping" || sockets > 1) serve(ws, f, `tok-${sockets}`);
    });
    const c = client(gw.url, { pingIntervalMs: 40, maxMissedPongs: 2 });
    c.on("error", () => undefined);
    const reconnected = c.next("reconnected", 5_000);
    await c.login(creds());
    const back = await reconnected;
    expect(back.sessions).toHaveLength(1);
    expect(sockets).toBe(2);
  });

  it("a pong of a ts the client never sent reports no round trip", async () => {
    const gw = await rawGateway((ws, f) => {
      serve(ws, f, "tok");
      if (f.op === "login") for (const ts of [-1e29, 1e308, 1]) ws.send(JSON.stringify({ op: "pong", ts }));
    });
    const c = client(gw.url);
    const pongs: Array<{ ts: number; rttMs: number }> = [];
    c.on("pong", (p) => pongs.push(p));
    await c.login(creds());
    const rtt = await c.ping();
    expect(pongs).toHaveLength(1);
    expect(pongs[0]!.rttMs).toBe(rtt);
    expect(rtt).toBeGreaterThanOrEqual(0);
    expect(rtt).toBeLessThan(1_000);
  });
});

/** Write `text` one byte every 50 ms until the socket closes. */
function trickle(s: Socket, text: string): void {
  let i = 0;
  const t = setInterval(() => {
    if (s.destroyed || i >= text.length) return clearInterval(t);
    s.write(text[i++]!);
  }, 50);
  s.on("close", () => clearInterval(t));
}
