import { describe, expect, it, onTestFinished } from "vitest";
import { AbortedError, ConnectionError } from "../../src/handwritten/core/errors.js";
import { ConnectionDroppedError, createQuantWsClient, SessionClosedError, SessionNotReadyError } from "../../src/handwritten/quant-ws/index.js";
import { creds, ETH, framesOf, isOp, newClient, rawGateway, rejection, replyTo, setup, startMock } from "./helpers.js";

describe("quant-ws reconnect", () => {
  it("rejects in-flight requests, reconnects, logs every session in again and never resends an order", async () => {
    const { mock, client } = await setup();
    const a = await client.login(creds({ accessKey: "key-a" }));
    const b = await client.login(creds({ accessKey: "key-b", platform: "okex" }));
    const tokens = [a.token, b.token];
    const relogins: unknown[] = [];
    a.on("relogin", (r) => relogins.push({ ...r, token: a.token }));
    mock.silence("place_order");
    mock.silence("asset");
    // Handlers attached at once: both reject in the same tick when the socket drops.
    const order = rejection(a.placeOrder({ symbol: ETH, action: "BUY", price: 0, quantity: 1, order_type: "MARKET" }));
    const read = rejection(b.asset());
    await mock.waitForFrame(isOp("place_order"));
    await mock.waitForFrame(isOp("asset"));
    const reconnecting = client.next("reconnecting", 2_000);
    const reconnected = client.next("reconnected", 3_000);
    mock.dropSockets();

    const orderError = await order;
    expect(orderError).toBeInstanceOf(ConnectionDroppedError);
    expect(orderError).toBeInstanceOf(ConnectionError);
    expect((orderError as ConnectionDroppedError).sent).toBe(true);
    expect(orderError.message).toMatch(/quant-ws place_order: socket closed .* not resent/);
    expect(await read).toBeInstanceOf(ConnectionDroppedError);
    expect(a.ready).toBe(false);

    expect((await reconnecting).attempt).toBe(1);
    const back = await reconnected;
    expect(back.failed).toEqual([]);
    expect(back.sessions.map((s) => s.session)).toEqual([a, b]);
    // No token in either event (a service logs its events): the new one is session.token.
    expect(back.sessions).toEqual([{ session: a }, { session: b }]);
    expect(a.token).not.toBe(tokens[0]);
    expect(relogins).toEqual([{ relogins: 1, token: a.token }]);
    expect(a.ready && b.ready).toBe(true);
    expect(mock.acceptedSockets).toBe(2);
    expect(new Set(mock.tokens())).toEqual(new Set([a.token, b.token]));

    mock.silence("place_order", false);
    mock.silence("asset", false);
    await a.placeOrder({ symbol: ETH, action: "SELL", price: 0, quantity: 1, order_type: "MARKET" });
    // The dropped order went out once; only the new one followed it.
    expect(framesOf(mock, "place_order").map((f) => f.action)).toEqual(["BUY", "SELL"]);
    expect(framesOf(mock, "place_order")[1]!.token).toBe(a.token);
  });

  it("the emulator keeps an account's orders and balances across logins (access_key@platform, as the server): a resting order is in the snapshot and open_orders after a drop", async () => {
    const { mock, client } = await setup();
    const s = await client.login(creds({ accessKey: "key-keep" }));
    const orderNo = await s.placeOrder({ symbol: ETH, action: "BUY", price: 1_000, quantity: 1, order_type: "LIMIT" });
    const before = await s.asset();
    const reconnected = client.next("reconnected", 3_000);
    mock.dropSockets();
    await reconnected;
    // (the resting order's snapshot came before READY: the open_orders read and the cancel find it)
    expect((await s.openOrders(ETH)).map((o) => o.order_no)).toEqual([orderNo]);
    expect(await s.asset()).toEqual(before);
    const cancelled = await s.cancelOrder(ETH, [orderNo]);
    expect(cancelled.cancelled).toEqual([orderNo]);
  });

  it("retries reads in flight when retryReads is on (orders still are not)", async () => {
    const { mock, client } = await setup({}, { retryReads: { baseDelayMs: 5, maxAttempts: 3 } });
    const session = await client.login(creds());
    mock.silence("asset");
    const read = session.asset();
    await mock.waitForFrame(isOp("asset"));
    mock.silence("asset", false);
    mock.dropSockets();
    await expect(read).resolves.toHaveProperty("USDT");
    const asked = framesOf(mock, "asset");
    expect(asked).toHaveLength(2);
    expect(asked[1]!.token).toBe(session.token);
    expect(asked[0]!.token).not.toBe(session.token);
  });

  it("a read whose signal aborts while it waits to be retried is an AbortedError at once", async () => {
    const { mock, client } = await setup({}, { retryReads: { baseDelayMs: 5_000, maxDelayMs: 5_000, random: () => 1, maxAttempts: 3 } });
    const session = await client.login(creds());
    mock.silence("asset");
    const stop = new AbortController();
    const read = rejection(session.asset({ signal: stop.signal }));
    await mock.waitForFrame(isOp("asset"));
    mock.dropSockets();
    await new Promise((r) => setTimeout(r, 50)); // the attempt has failed; the 5 s backoff runs
    const t0 = performance.now();
    stop.abort();
    const err = await read;
    expect(err).toBeInstanceOf(AbortedError);
    expect(err.message).toMatch(/quant-ws asset: aborted while waiting to retry/);
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(framesOf(mock, "asset")).toHaveLength(1);
  });

  it("a session's end reaches each request after it as that request's own error (its operation, not sent, the end as cause); the end carries no one request's attempts", async () => {
    const { mock, client } = await setup({}, { retryReads: { baseDelayMs: 400, maxDelayMs: 400, random: () => 1, maxAttempts: 3 } });
    const session = await client.login(creds());
    mock.silence("asset");
    const read = rejection(session.asset({ timeoutMs: 150 }));
    await mock.waitForFrame(isOp("asset"));
    await new Promise((r) => setTimeout(r, 250)); // the attempt timed out; the 400 ms backoff runs
    mock.silence("asset", false);
    await session.logout();
    const ended = await read;
    const later = await rejection(session.asset());
    const order = await rejection(session.placeOrder({ symbol: ETH, action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" }));
    expect(ended.message).toBe("quant-ws asset: after 2 attempts: not sent: session logged out");
    expect(later.message).toBe("quant-ws asset: not sent: session logged out");
    expect(order.message).toBe("quant-ws place_order: not sent: session logged out");
    expect(new Set([ended, later, order, ended.cause]).size).toBe(4);
    for (const e of [ended, later, order]) {
      expect(e).toBeInstanceOf(SessionClosedError);
      expect((e.cause as Error).message).toBe("quant-ws: session logged out");
      expect((e.cause as { attempts?: number }).attempts).toBeUndefined();
      expect((e as { outcomeUnknown?: boolean }).outcomeUnknown).toBeUndefined();
      expect(e.stack?.split("\n")[0]).toBe(`SessionClosedError: ${e.message}`);
    }
    expect(later.cause).toBe(ended.cause);
    expect((later as { attempts?: number }).attempts).toBeUndefined();
  });

  it('while the socket is down, requests wait for the re-login ("wait") or fail fast ("fail")', async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const down = client.next("disconnected", 2_000);
    mock.dropSockets();
    await down;
    const fast = await rejection(session.asset({ notReady: "fail" }));
    expect(fast).toBeInstanceOf(SessionNotReadyError);
    expect(fast.message).toMatch(/socket reconnecting/);
    const waited = session.asset();
    await expect(waited).resolves.toHaveProperty("USDT");
    expect(framesOf(mock, "asset")[0]!.token).toBe(session.token);
  });

  it("backs off exponentially with jitter while the server is gone, and close() stops it", async () => {
    const mock = await startMock();
    const client = newClient(mock, { reconnect: { baseDelayMs: 10, maxDelayMs: 40, random: () => 0.5 } });
    await client.login(creds());
    const attempts = client.stream("reconnecting");
    await mock.close();
    const seen: Array<[number, number]> = [];
    for await (const r of attempts) {
      seen.push([r.attempt, r.delayMs]);
      if (seen.length === 4) break;
    }
    // The one formula of core/retry.ts: floor(random · min(40, 10·2^(n-1))) with random 0.5.
    expect(seen).toEqual([
      [1, 5],
      [2, 10],
      [3, 20],
      [4, 20],
    ]);
    await client.close();
    expect(client.connected).toBe(false);
  });

  it("gives up after maxAttempts and ends the sessions", async () => {
    const mock = await startMock();
    const client = newClient(mock, { reconnect: { baseDelayMs: 5, maxDelayMs: 5, maxAttempts: 2 } });
    const session = await client.login(creds());
    const ended = session.next("end", 3_000);
    await mock.close();
    const { error } = await ended;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toMatch(/gave up reconnecting .* after 2 attempts/);
    expect(session.ended).toBe(true);
    // A request after the end was not sent: its own error, the end as its cause.
    const after = await rejection(session.asset());
    expect(after).toBeInstanceOf(ConnectionDroppedError);
    expect(after).toMatchObject({ operation: "asset", sent: false, cause: error });
  });

  it.each(["login", "connect"] as const)("%s() during the reconnect backoff makes the reconnect now: one socket at a time, one heartbeat, nothing left after close()", async (call) => {
    const { mock, client } = await setup({}, { pingIntervalMs: 25, reconnect: { baseDelayMs: 300, maxDelayMs: 300, random: () => 1 } });
    const a = await client.login(creds({ accessKey: "key-a" }));
    const reconnecting = client.next("reconnecting", 2_000);
    const reconnected = client.next("reconnected", 3_000);
    mock.dropSockets();
    await reconnecting;
    const b = call === "login" ? await client.login(creds({ accessKey: "key-b" })) : (await client.connect(), undefined);
    // The sessions of the dropped socket are logged in again on the new one, not on a second.
    const back = await reconnected;
    expect(back.sessions.map((s) => s.session)).toEqual([a]);
    await new Promise((r) => setTimeout(r, 400)); // past the backoff that was cut short
    expect(mock.acceptedSockets).toBe(2);
    expect(mock.openSockets).toBe(1);
    const pingsBefore = framesOf(mock, "ping").length;
    await new Promise((r) => setTimeout(r, 200));
    // One interval of 25 ms: about 8 pings in 200 ms, never two sockets' (or two intervals') worth.
    expect(framesOf(mock, "ping").length - pingsBefore).toBeLessThanOrEqual(10);
    await expect(a.asset()).resolves.toHaveProperty("USDT");
    if (b) await expect(b.asset()).resolves.toHaveProperty("USDT");
    await client.close();
    await expect.poll(() => mock.openSockets).toBe(0);
  });
});

describe("quant-ws reconnect.finalCodes", () => {
  /** A gateway that logs in at once and counts its sockets. */
  async function gateway() {
    let sockets = 0;
    const { url, wss } = await rawGateway((ws, f) => {
      if (f.op === "ping") return ws.send(JSON.stringify({ op: "pong", ts: f.ts }));
      if (f.op === "logout") return ws.send(replyTo(f));
      if (f.op !== "login") return;
      ws.send(replyTo(f, { token: `tok${sockets}` }));
      ws.send(JSON.stringify({ op: "state", token: `tok${sockets}`, code: 6, msg: "" }));
    });
    wss.on("connection", () => sockets++);
    return { url, closeAll: (code: number) => wss.clients.forEach((ws) => ws.close(code, "refused")), sockets: () => sockets };
  }

  it("a close with a code listed ends every session with a ConnectionError naming it, and no reconnect", async () => {
    const gw = await gateway();
    const client = createQuantWsClient({ url: gw.url, reconnect: { baseDelayMs: 5, maxDelayMs: 10, finalCodes: [4403] } });
    onTestFinished(() => client.close());
    client.on("error", () => undefined);
    const session = await client.login(creds());
    const disconnected = client.next("disconnected", 2_000);
    const ended = session.next("end", 2_000);
    gw.closeAll(4403);
    expect(await disconnected).toMatchObject({ code: 4403, willReconnect: false });
    const { error } = await ended;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toBe("quant-ws: socket closed (refused) with code 4403, one of reconnect.finalCodes: not reconnecting");
    await new Promise((r) => setTimeout(r, 50));
    expect(gw.sockets()).toBe(1);
  });

  it("a close with another code is reconnected as before; a wrong list is a UsageError", async () => {
    const gw = await gateway();
    const client = createQuantWsClient({ url: gw.url, reconnect: { baseDelayMs: 5, maxDelayMs: 10, finalCodes: [4403] } });
    onTestFinished(() => client.close());
    const session = await client.login(creds());
    const reconnected = client.next("reconnected", 2_000);
    gw.closeAll(4000);
    expect((await reconnected).sessions).toEqual([{ session }]);
    expect(() => createQuantWsClient({ reconnect: { finalCodes: [99] } })).toThrow(/reconnect\.finalCodes must be a list of WebSocket close codes/);
  });
});
