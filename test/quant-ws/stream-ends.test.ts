/**
 * How a session's stream ends: done after logout() or close(), rejecting with the end's error
 * when the session ended by a failure, and (with `gaps: "throw"`) at a socket drop with a
 * StreamGapError.
 */
import { describe, expect, it, onTestFinished } from "vitest";
import { TradeApiError } from "../../src/handwritten/core/errors.js";
import * as root from "../../src/index.js";
import { createQuantWsClient, QuantWsLoginRejectedError, StateCode, StreamGapError } from "../../src/handwritten/quant-ws/index.js";
import { creds, ETH, payloads, rawGateway, replyTo, setup } from "./helpers.js";

/** Reads `iterator` to its end: what it yielded, and the error it rejected with (if any). */
async function drain<T>(iterator: AsyncIterable<T>): Promise<{ got: T[]; error: unknown }> {
  const got: T[] = [];
  try {
    for await (const v of iterator) got.push(v);
    return { got, error: undefined };
  } catch (error) {
    return { got, error };
  }
}

describe("quant-ws: a stream ended by a fatal session end", () => {
  it("rejects with the end's error (a re-login refused), after the events waiting; next() and the stream agree", async () => {
    let logins = 0;
    const { url, wss } = await rawGateway((ws, f) => {
      if (f.op === "ping") return ws.send(JSON.stringify({ op: "pong", ts: f.ts }));
      if (f.op === "logout") return ws.send(replyTo(f));
      if (f.op !== "login") return;
      const token = `tok${++logins}`;
      ws.send(replyTo(f, { token }));
      const code = logins === 1 ? StateCode.READY : StateCode.GENERAL_ERROR;
      ws.send(JSON.stringify({ op: "state", token, code, msg: logins === 1 ? "" : "Websocket connection authorized failed: keys revoked" }));
      if (logins === 1) ws.send(JSON.stringify({ op: "notify", topic: "order", token, data: payloads.order({ order_no: "9" }) }));
    });
    const client = createQuantWsClient({ url, requestTimeoutMs: 1_000, loginTimeoutMs: 1_000, reconnect: { baseDelayMs: 5, maxDelayMs: 10 } });
    onTestFinished(() => client.close());
    client.on("error", () => undefined);
    const session = await client.login(creds());
    // Opened after the notification came: it was held for the first listener, and waits unread.
    const loop = drain(session.stream("order"));
    const next = session.next("fill").catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    for (const ws of wss.clients) ws.close(1012, "service restart");
    const { got, error } = await loop;
    expect(got.map((o) => o.order_no)).toEqual(["9"]);
    expect(error).toBeInstanceOf(QuantWsLoginRejectedError);
    expect(await next).toBe(error);
    expect(session.ended).toBe(true);
    // A stream opened after that end fails with it too.
    expect((await drain(session.stream("order"))).error).toBe(error);
  });

  it("ends without an error after logout() and close()", async () => {
    const { client } = await setup();
    const a = await client.login(creds({ accessKey: "key-a" }));
    const b = await client.login(creds({ accessKey: "key-b" }));
    const loopA = drain(a.stream("order"));
    const loopB = drain(b.stream("order"));
    await a.logout();
    expect(await loopA).toEqual({ got: [], error: undefined });
    await client.close();
    expect(await loopB).toEqual({ got: [], error: undefined });
  });
});

describe("quant-ws: stream gaps", () => {
  it('gaps: "throw" ends the stream at a socket drop with a StreamGapError (a TradeApiError, also from the root); a stream without it goes on after the re-login', async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const gapped = drain(session.stream("order", { gaps: "throw" }));
    const plain = session.stream("order");
    const reconnected = client.next("reconnected", 3_000);
    mock.dropSockets();
    const { got, error } = await gapped;
    expect(got).toEqual([]);
    expect(error).toBeInstanceOf(StreamGapError);
    expect(error).toBeInstanceOf(TradeApiError);
    expect(root.StreamGapError).toBe(StreamGapError);
    expect((error as StreamGapError).topic).toBe("order");
    expect((error as Error).message).toMatch(/^quant-ws stream: the socket dropped: order notifications .* may be missed; the stream ended \(re-read the state/);
    await reconnected;
    const orderNo = await session.placeOrder({ symbol: ETH, action: "BUY", price: 1_000, quantity: 1, order_type: "LIMIT" });
    const first = await plain.next();
    expect(first.done).toBe(false);
    expect(first.value).toMatchObject({ order_no: orderNo });
    await plain.return?.();
  });

  it("refuses a gaps value it does not know", async () => {
    const { client } = await setup();
    const session = await client.login(creds());
    expect(() => session.stream("order", { gaps: "skip" as never })).toThrow(/gaps/);
  });
});
