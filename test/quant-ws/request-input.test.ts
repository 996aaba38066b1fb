import { describe, expect, it } from "vitest";
import { AbortedError, UsageError } from "../../src/handwritten/core/errors.js";
import { createQuantWsClient, type QuantWsSession } from "../../src/handwritten/quant-ws/index.js";
import { creds, ETH, framesOf, rejection, setup } from "./helpers.js";

// Bad input from the caller is a UsageError naming the field, before anything is sent: never
// a frame the gateway answers with an uncorrelated op:error (so a timeout), and never a value
// that JSON turns into something else (NaN → null, a string spread into characters).
type Bad = { label: string; run: (s: QuantWsSession) => Promise<unknown>; want: RegExp };

const limit = { symbol: ETH, action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" } as const;

const cases: Bad[] = [
  { label: "place_order without its required fields", run: (s) => s.placeOrder({ symbol: ETH } as never), want: /place_order: missing required field "action"/ },
  { label: "a price that is not a finite number", run: (s) => s.placeOrder({ ...limit, price: Number.NaN }), want: /place_order: field "price" must be a finite number, got NaN/ },
  { label: "a quantity given as text", run: (s) => s.placeOrder({ ...limit, quantity: "1" as never }), want: /place_order: field "quantity" must be a finite number, got "1"/ },
  { label: "an action outside the enum", run: (s) => s.placeOrder({ ...limit, action: "HOLD" as never }), want: /place_order: field "action" must be one of BUY, SELL, got "HOLD"/ },
  { label: "an unknown field (a typo)", run: (s) => s.request("place_order", { ...limit, qty: 1 } as never), want: /place_order: unknown field "qty"/ },
  // (they were replaced without a word: another session's token, and the order went to this account)
  { label: "another login's token", run: (s) => s.request("open_orders", { symbol: ETH, token: "someone-elses-token" } as never), want: /open_orders: field "token" is the client's to fill in \(a request goes out on the session it is made on/ },
  { label: "a cid of the caller's", run: (s) => s.request("asset", { cid: "my-cid" } as never), want: /asset: field "cid" is the client's to fill in \(each request gets its own/ },
  { label: "an op inside the fields", run: (s) => s.request("open_orders", { symbol: ETH, op: "cancel_order" } as never), want: /open_orders: field "op" is the client's to fill in/ },
  { label: "open_orders with a symbol that is not text", run: (s) => s.openOrders(123 as never), want: /open_orders: field "symbol" must be a string, got 123/ },
  { label: "a symbol holding a lone surrogate (the frame would carry U+FFFD)", run: (s) => s.openOrders("ETH\ud800" as never), want: /open_orders: field "symbol" holds a lone surrogate \(U\+D800 at index 3\), which no encoding can send/ },
  { label: "an order number holding a lone surrogate", run: (s) => s.cancelOrder(ETH, ["12\udfff"]), want: /cancel_order: field "order_nos\[0\]" holds a lone surrogate \(U\+DFFF at index 2\)/ },
  { label: "cancelAll without a symbol", run: (s) => s.cancelAll(undefined as never), want: /cancel_order: missing required field "symbol"/ },
  { label: "cancelOrder with a string instead of a list", run: (s) => s.cancelOrder(ETH, "123" as never), want: /cancel_order: field "order_nos" must be an array, got "123"/ },
  { label: "cancelOrder with numbers as order numbers", run: (s) => s.cancelOrder(ETH, [123 as never]), want: /cancel_order: field "order_nos\[0\]" must be a string, got 123/ },
  { label: "cancelOrder with objects as order numbers (named with their article)", run: (s) => s.cancelOrder(ETH, [{ no: "1" } as never]), want: /cancel_order: field "order_nos\[0\]" must be a string, got an object$/ },
  { label: "an op the spec does not have", run: (s) => (s.request as (op: string) => Promise<unknown>)("bogus"), want: /bogus: unknown operation; one of .*place_order, cancel_order/ },
  { label: "an op that is no string (String() of this one throws)", run: (s) => (s.request as (op: unknown) => Promise<unknown>)(Object.create(null)), want: /^quant-ws: an operation is named by its op \(a string\), got object$/ },
  { label: "login through a session (the client logs in)", run: (s) => (s.request as (op: string, f: object) => Promise<unknown>)("login", {}), want: /login: not a session request; use client\.login\(\)/ },
  { label: "a timeout that is not a number of ms (NaN)", run: (s) => s.asset({ timeoutMs: Number.NaN }), want: /asset: timeoutMs must be a number of ms above 0 and at most 2147483647, got NaN/ },
  { label: "a negative timeout", run: (s) => s.openOrders(ETH, { timeoutMs: -1 }), want: /open_orders: timeoutMs must be a number of ms above 0/ },
  { label: "cancelAll with a NaN timeout (nothing may be cancelled)", run: (s) => s.cancelAll(ETH, { timeoutMs: Number.NaN }), want: /cancel_order: timeoutMs must be a number of ms above 0/ },
  { label: "a signal that is not an AbortSignal", run: (s) => s.asset({ signal: {} as never }), want: /^quant-ws asset: signal must be an AbortSignal, got object$/ },
  { label: "an order with a signal-shaped object", run: (s) => s.placeOrder(limit, { signal: { aborted: false } as never }), want: /place_order: signal must be an AbortSignal, got object/ },
  { label: "a signal given as text", run: (s) => s.asset({ signal: "yes" as never }), want: /asset: signal must be an AbortSignal, got string/ },
  { label: "a null signal", run: (s) => s.asset({ signal: null as never }), want: /asset: signal must be an AbortSignal, got null/ },
  { label: "cancelAll with a signal that is not one", run: (s) => s.cancelAll(ETH, { signal: {} as never }), want: /cancel_order: signal must be an AbortSignal/ },
  { label: "a notReady policy outside the two", run: (s) => s.asset({ notReady: "bogus" as never }), want: /^quant-ws asset: notReady must be one of "wait", "fail", got "bogus"$/ },
  { label: "request options that are not an object", run: (s) => s.asset("fast" as never), want: /asset: the request options must be an object \{ timeoutMs\?, signal\?, notReady\? \}, got string/ },
];

describe("quant-ws request input", () => {
  it.each(cases)("$label: a UsageError before anything is sent", async ({ run, want }) => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    await session.placeOrder(limit);
    const errors: Error[] = [];
    client.on("error", (e) => errors.push(e));
    const before = mock.received.length;
    const started = Date.now();
    const e = await rejection(run(session));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toMatch(want);
    expect(Date.now() - started).toBeLessThan(500);
    expect(mock.received.slice(before)).toEqual([]);
    // The resting order is still there (nothing was cancelled by a mangled request).
    expect(await session.openOrders(ETH)).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it("a signal shaped like an AbortSignal (a polyfill's) is taken, as the REST clients take one, and its abort ends the request", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const ac = new AbortController();
    const shaped = { aborted: false, reason: undefined as unknown, addEventListener: ac.signal.addEventListener.bind(ac.signal), removeEventListener: ac.signal.removeEventListener.bind(ac.signal) };
    mock.silence("asset");
    const pending = rejection(session.asset({ signal: shaped as unknown as AbortSignal, timeoutMs: 5_000 }));
    setTimeout(() => {
      shaped.aborted = true;
      shaped.reason = "stop";
      ac.abort("stop");
    }, 30);
    const e = await pending;
    expect(e).toBeInstanceOf(AbortedError);
    expect(e).toMatchObject({ operation: "asset", cause: "stop" });
    mock.silence("asset", false);
    await expect(session.asset({ signal: shaped as unknown as AbortSignal })).rejects.toBeInstanceOf(AbortedError);
  });

  it("a wrong signal while the session is not READY is a UsageError too, and leaves no timer behind", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const notReady = session.next("state", 2_000);
    mock.sendState(4);
    await notReady;
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const before = timers();
    const e = await rejection(session.asset({ signal: {} as never, timeoutMs: 30_000 }));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toBe("quant-ws asset: signal must be an AbortSignal, got object");
    expect(timers()).toBe(before);
  });

  it.each([Number.NaN, -1, "100", 2 ** 31])("a timeout of %o for ping(), next() and waitReady() (READY or not) is a UsageError naming it", async (ms) => {
    const { mock, client } = await setup({}, { pingIntervalMs: 0 });
    const session = await client.login(creds());
    const want = `timeoutMs must be a number of ms above 0 and at most 2147483647, got ${typeof ms === "string" ? `"${ms}"` : String(ms)}`;
    const calls: Array<[string, () => Promise<unknown>]> = [
      ["ping", () => client.ping(ms as never)],
      ["next", () => client.next("pong", ms as never)],
      ["next", () => session.next("fill", ms as never)],
      ["waitReady", () => session.waitReady(ms as never)],
    ];
    for (const [op, call] of calls) {
      const e = await rejection(call());
      expect(e).toBeInstanceOf(UsageError);
      expect(e.message).toBe(`quant-ws ${op}: ${want}`);
    }
    const notReady = session.next("state", 2_000);
    mock.sendState(4);
    await notReady;
    const e = await rejection(session.waitReady(ms as never));
    expect(e.message).toBe(`quant-ws waitReady: ${want}`);
    expect(framesOf(mock, "ping")).toEqual([]);
  });

  it("a misspelt login field or logout option is a UsageError naming the closest one, before anything is sent", async () => {
    const { mock, client } = await setup();
    const e1 = await rejection(client.login({ ...creds(), acount: "main" } as never));
    expect(e1).toBeInstanceOf(UsageError);
    expect(e1.message).toBe('quant-ws login: the login fields: "acount" is not an option (did you mean "account"?); the options are platform, symbols, accessKey, secretKey, account');
    expect(framesOf(mock, "login")).toEqual([]);
    const session = await client.login(creds());
    const e2 = await rejection(session.logout({ timeoutMS: 5 } as never));
    expect(e2).toBeInstanceOf(UsageError);
    expect(e2.message).toBe('quant-ws logout: the logout options: "timeoutMS" is not an option (did you mean "timeoutMs"?); the options are timeoutMs');
    expect(framesOf(mock, "logout")).toEqual([]);
    expect(session.ready).toBe(true);
    await session.logout({ timeoutMs: 1_000 });
    expect(session.ended).toBe(true);
  });

  it("login refuses symbols that are not text and an account that is not a string, before connecting", async () => {
    const { mock, client } = await setup();
    const e1 = await rejection(client.login(creds({ symbols: [ETH, 5 as never] })));
    expect(e1).toBeInstanceOf(UsageError);
    expect(e1.message).toMatch(/login: field "symbols\[1\]" must be a string, got 5/);
    const e2 = await rejection(client.login(creds({ account: 7 as never })));
    expect(e2).toBeInstanceOf(UsageError);
    expect(e2.message).toMatch(/login: field "account" must be a string, got 7/);
    expect(framesOf(mock, "login")).toEqual([]);
  });

  it.each([
    { requestTimeoutMs: Number.NaN },
    { loginTimeoutMs: 0 },
    { connectTimeoutMs: -5 },
    { logoutTimeoutMs: "2000" as never },
  ])("createQuantWsClient(%o) is a UsageError naming the option", (opts) => {
    const [name] = Object.keys(opts);
    expect(() => createQuantWsClient(opts)).toThrow(UsageError);
    expect(() => createQuantWsClient(opts)).toThrow(new RegExp(`${name} must be a number of ms above 0`));
  });

  // A re-login window of NaN would never pass (retries forever), a ping interval of NaN is a 1 ms ping flood.
  it.each([
    [{ pingIntervalMs: Number.NaN }, /pingIntervalMs must be a number of ms from 0 to 2147483647 \(what a timer holds\), got NaN/],
    // (a longer interval would ping every millisecond: Node runs such a timer after 1 ms)
    [{ pingIntervalMs: 3e9 }, /pingIntervalMs must be a number of ms from 0 to 2147483647 \(what a timer holds\), got 3000000000/],
    [{ reconnect: { maxDelayMs: 1e12 } }, /reconnect.maxDelayMs must be a number of ms from 0 to 2147483647 \(what a timer holds\), got 1000000000000/],
    [{ repeatLogin: { baseDelayMs: 2 ** 31 } }, /repeatLogin.baseDelayMs must be a number of ms from 0 to 2147483647 \(what a timer holds\), got 2147483648/],
    [{ pingIntervalMs: -1 }, /pingIntervalMs must be a number of ms from 0 to 2147483647 \(what a timer holds\), got -1/],
    [{ maxMissedPongs: Number.NaN }, /maxMissedPongs must be a whole number, 1 or more, got NaN/],
    [{ repeatLogin: { windowMs: Number.NaN } }, /repeatLogin.windowMs must be a finite number of ms, 0 or more, got NaN/],
    [{ repeatLogin: { baseDelayMs: -5 } }, /repeatLogin.baseDelayMs must be/],
    [{ reconnect: { maxDelayMs: Number.POSITIVE_INFINITY } }, /reconnect.maxDelayMs must be/],
    [{ reconnect: { maxAttempts: 0 } }, /reconnect.maxAttempts must be a whole number, 1 or more/],
  ] as const)("createQuantWsClient(%o) is a UsageError", (opts, want) => {
    expect(() => createQuantWsClient(opts as never)).toThrow(UsageError);
    expect(() => createQuantWsClient(opts as never)).toThrow(want);
  });

  it.each([
    ["not a url", "holds a space, line break or control character"],
    ["", "is not a URL: it needs ws:// or wss:// and a host"],
    ["127.0.0.1:9878/ws/v1", "is not a URL: it needs ws:// or wss:// and a host"],
    ["http://127.0.0.1:9878/ws/v1", "must start with ws:// or wss://, not http:"],
    [" ws://127.0.0.1:9878/ws/v1", "holds a space, line break or control character"],
    ["ws://127.0.0.1:9878/ws/v1\n", "holds a space, line break or control character"],
    ["ws://127.0.0.1:9878/ws/v1#x", "has a fragment (#), which a WebSocket URL cannot carry"],
    // ws would send it as Authorization: Basic, over plain ws:// too; the message shows no password
    ["ws://user:PwInUrl77@127.0.0.1:9878/ws/v1", "the gateway URL \"ws://[redacted]@127.0.0.1:9878/ws/v1\" holds credentials (user:password@); tradeapi does not send them: remove them from the URL"],
    [42, "must be a string"],
  ] as const)("the gateway URL %j is a UsageError when the client is made (the socket would throw a bare SyntaxError)", (url, problem) => {
    expect(() => createQuantWsClient({ url: url as string })).toThrow(UsageError);
    expect(() => createQuantWsClient({ url: url as string })).toThrow(problem);
  });

  it("an option ws refuses before connecting is a typed error from connect(), not ws's own", async () => {
    const client = createQuantWsClient({ url: "ws://127.0.0.1:1/ws/v1", reconnect: false, wsOptions: { protocolVersion: 99 } as never });
    const e = await rejection(client.connect());
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toMatch(/^quant-ws: cannot open a socket to ws:\/\/127\.0\.0\.1:1\/ws\/v1: Unsupported protocol version: 99/);
    await client.close();
  });

  it("the documented option values are taken", () => {
    expect(() => createQuantWsClient({ pingIntervalMs: 0, maxMissedPongs: 1, reconnect: { maxAttempts: Number.POSITIVE_INFINITY }, repeatLogin: { windowMs: 0 } })).not.toThrow();
    expect(() => createQuantWsClient({ reconnect: false, repeatLogin: false })).not.toThrow();
  });

  it("a valid request still goes out as written", async () => {
    const { mock, client } = await setup();
    // A signed quantity is for contracts (the spec); the emulator refuses one on a spot platform.
    // SELL -2 opens a short (resting above the mark).
    const session = await client.login(creds({ platform: "huobi_future" }));
    const short = { ...limit, action: "SELL", price: 3_000, quantity: -2 } as const;
    const orderNo = await session.placeOrder(short);
    expect(framesOf(mock, "place_order")).toEqual([expect.objectContaining(short)]);
    expect(await session.cancelOrder(ETH, [orderNo])).toMatchObject({ cancelled: [orderNo] });
  });
});
