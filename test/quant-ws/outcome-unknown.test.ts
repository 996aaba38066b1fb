/**
 * A place_order or cancel_order (the spec's `x-retryable: false`) that fails after its frame
 * was written is marked `outcomeUnknown`, as on the REST clients: no reply within the timeout,
 * an abort while waiting, the socket dropped, the client closed, or a reply that cannot be
 * read. A read is not marked, nor is a request that was never sent, nor a definite answer
 * (`result: false`).
 */
import { describe, expect, it, onTestFinished } from "vitest";
import { AbortedError, ApiError, OUTCOME_UNKNOWN_NOTE, TimeoutError, type TradeApiError } from "../../src/handwritten/core/errors.js";
import { ClientClosedError, ConnectionDroppedError, createQuantWsClient, QuantWsFrameError } from "../../src/handwritten/quant-ws/index.js";
import { askUnanswered, creds, ETH, isOp, rawGateway, rejection, replyTo, setup } from "./helpers.js";

const ORDER = { symbol: ETH, action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" } as const;

function expectUnknown(e: Error, type: abstract new (...a: never[]) => Error): void {
  expect(e).toBeInstanceOf(type);
  expect((e as TradeApiError).outcomeUnknown).toBe(true);
  expect(e.message.endsWith(OUTCOME_UNKNOWN_NOTE)).toBe(true);
}

function expectKnown(e: Error, type: abstract new (...a: never[]) => Error): void {
  expect(e).toBeInstanceOf(type);
  expect((e as TradeApiError).outcomeUnknown).toBeUndefined();
  expect(e.message).not.toContain("may have reached the server");
}

describe("quant-ws requests that change state", () => {
  it("no place_order or cancel_order reply within the timeout: outcome unknown; no asset reply: not marked", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    mock.silence("place_order");
    mock.silence("cancel_order");
    mock.silence("asset");
    expectUnknown(await rejection(session.placeOrder(ORDER, { timeoutMs: 60 })), TimeoutError);
    expectUnknown(await rejection(session.cancelOrder(ETH, ["1"], { timeoutMs: 60 })), TimeoutError);
    expectKnown(await rejection(session.asset({ timeoutMs: 60 })), TimeoutError);
  });

  it("an abort after the frame was sent: outcome unknown; a signal aborted before: not marked", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const ac = new AbortController();
    const { asked } = await askUnanswered(mock, "place_order", () => session.placeOrder(ORDER, { signal: ac.signal }));
    ac.abort();
    expectUnknown(await rejection(asked), AbortedError);
    expectKnown(await rejection(session.placeOrder(ORDER, { signal: AbortSignal.abort() })), AbortedError);
  });

  it("the socket dropped or the client closed before the reply: outcome unknown", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const dropped = await askUnanswered(mock, "place_order", () => session.placeOrder(ORDER));
    mock.dropSockets();
    const e = await rejection(dropped.asked);
    expectUnknown(e, ConnectionDroppedError);
    expect((e as ConnectionDroppedError).sent).toBe(true);
    const other = await setup();
    const again = await other.client.login(creds());
    const closing = await askUnanswered(other.mock, "place_order", () => again.placeOrder(ORDER));
    await other.client.close();
    expectUnknown(await rejection(closing.asked), ClientClosedError);
  });

  it("a reply to its cid that cannot be read: outcome unknown; result:false is a definite answer", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const { asked, cid } = await askUnanswered(mock, "place_order", () => session.placeOrder(ORDER));
    // The reply of another op under the order's cid: the order's own reply is lost.
    mock.sendRaw(JSON.stringify({ op: "asset", cid, result: true, data: {} }));
    expectUnknown(await rejection(asked), QuantWsFrameError);
    mock.silence("place_order", false);
    const poor = await rejection(session.placeOrder({ ...ORDER, price: 0, quantity: 1_000_000, order_type: "MARKET" }));
    expectKnown(poor, ApiError);
    expect(mock.received.some(isOp("place_order"))).toBe(true);
  });

  it("a login whose socket drops after its reply, before READY: says so, and the outcome is unknown (the gateway held the login)", async () => {
    const { url } = await rawGateway((ws, f) => {
      if (f.op !== "login") return;
      ws.send(replyTo(f, { token: "t1" }));
      setTimeout(() => ws.close(4000, "going away"), 30);
    });
    const client = createQuantWsClient({ url, loginTimeoutMs: 2_000, reconnect: false });
    onTestFinished(() => client.close());
    const e = await rejection(client.login(creds()));
    expectUnknown(e, ConnectionDroppedError);
    expect(e.message).toMatch(/^quant-ws login: socket closed \(going away\) after the login was answered, before state READY: the gateway held the login when it closed;/);
    expect(e.message).not.toContain("before the login reply");
    expect((e as ConnectionDroppedError).sent).toBe(true);
    expect((e as ConnectionDroppedError).closeCode).toBe(4000);
  });

  it("requests waiting for READY when the re-login fails were never sent: each says so, naming its own operation, with the login's failure as its cause", async () => {
    let logins = 0;
    const { url, wss } = await rawGateway((ws, f) => {
      if (f.op === "ping") ws.send(JSON.stringify({ op: "pong", ts: f.ts }));
      // The first login is answered; the re-login after the drop never is.
      if (f.op !== "login" || ++logins > 1) return;
      ws.send(replyTo(f, { token: "t1" }));
      ws.send(JSON.stringify({ op: "state", token: "t1", code: 6, msg: "" }));
    });
    const client = createQuantWsClient({ url, requestTimeoutMs: 3_000, loginTimeoutMs: 300, reconnect: { baseDelayMs: 1, maxDelayMs: 1 } });
    onTestFinished(() => client.close());
    client.on("error", () => undefined);
    const session = await client.login(creds());
    const ended = session.next("end", 3_000);
    for (const ws of wss.clients) ws.terminate();
    await expect.poll(() => session.ready).toBe(false);
    const order = rejection(session.placeOrder(ORDER));
    const cancel = rejection(session.cancelOrder(ETH, ["1"]));
    const [placeError, cancelError, { error: endError }] = await Promise.all([order, cancel, ended]);
    // The login's own failure: it was sent, its outcome is unknown.
    expectUnknown(endError, TimeoutError);
    expect(endError.operation).toBe("login");
    const after = await rejection(session.placeOrder(ORDER));
    for (const [e, op] of [[placeError, "place_order"], [cancelError, "cancel_order"], [after, "place_order"]] as const) {
      expectKnown(e, ConnectionDroppedError);
      expect((e as ConnectionDroppedError).sent).toBe(false);
      expect((e as ConnectionDroppedError).operation).toBe(op);
      expect(e.message).toMatch(new RegExp(`^quant-ws ${op}: the ${op} was not sent: the session ended before it could be \\(login: no login reply within 300 ms \\(cid [^)]*\\)\\)$`));
      expect((e as Error & { cause?: unknown }).cause).toBe(endError);
    }
    expect(placeError).not.toBe(after);
  });
});
