/**
 * A request waiting for READY is sent with what is left of its timeoutMs: too little left
 * (READY came just before its deadline) and it is not sent at all, failing as a TimeoutError
 * whose outcome is known; sent, its timeout names the caller's whole budget.
 */
import { describe, expect, it, onTestFinished } from "vitest";
import type { WebSocket } from "ws";
import { TimeoutError } from "../../src/handwritten/core/errors.js";
import { createQuantWsClient, StateCode } from "../../src/handwritten/quant-ws/index.js";
import { creds, ETH, rawGateway, rejection, replyTo } from "./helpers.js";

const ORDER = { symbol: ETH, action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" } as const;

/** A gateway that logs in at once and never answers place_order (nor cancel_order); it counts them. */
async function gateway(openOrdersDelayMs = 0) {
  const got: string[] = [];
  let socket: WebSocket | undefined;
  const { url } = await rawGateway((ws, f) => {
    socket = ws;
    if (f.op === "ping") return ws.send(JSON.stringify({ op: "pong", ts: f.ts }));
    if (f.op === "logout") return ws.send(replyTo(f));
    if (f.op === "open_orders") return void setTimeout(() => ws.send(replyTo(f, { data: [] })), openOrdersDelayMs);
    if (f.op === "login") {
      ws.send(replyTo(f, { token: "tok" }));
      return ws.send(JSON.stringify({ op: "state", token: "tok", code: StateCode.READY, msg: "" }));
    }
    got.push(String(f.op));
  });
  const client = createQuantWsClient({ url, pingIntervalMs: 0, reconnect: false });
  onTestFinished(() => client.close());
  const session = await client.login(creds());
  const state = (code: number) => socket!.send(JSON.stringify({ op: "state", token: "tok", code, msg: "" }));
  state(StateCode.DISCONNECT);
  await new Promise((r) => setTimeout(r, 20));
  expect(session.ready).toBe(false);
  return { session, got, state };
}

describe("quant-ws: the budget left when READY releases a request", () => {
  it("READY with less than the floor (100 ms) of the timeoutMs left: not sent, a TimeoutError with a known outcome naming the caller's timeoutMs", async () => {
    const { session, got, state } = await gateway();
    const order = rejection(session.placeOrder(ORDER, { timeoutMs: 300 }));
    setTimeout(() => state(StateCode.READY), 240);
    const e = await order;
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as TimeoutError).outcomeUnknown).toBeUndefined();
    expect((e as TimeoutError).timeoutMs).toBe(300);
    expect(e.message).toMatch(/^quant-ws place_order: not sent: the session was not READY in time: \d+ ms of its timeoutMs 300 went waiting for READY, and the \d+ ms left are less than the 100 ms a request is sent with$/);
    expect(got).toEqual([]);
  });

  it("sent with the rest of its budget: its timeout names the caller's timeoutMs and the wait for READY", async () => {
    const { session, got, state } = await gateway();
    const order = rejection(session.placeOrder(ORDER, { timeoutMs: 400 }));
    setTimeout(() => state(StateCode.READY), 100);
    const e = await order;
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as TimeoutError).outcomeUnknown).toBe(true);
    expect((e as TimeoutError).timeoutMs).toBe(400);
    expect(e.message).toMatch(/^quant-ws place_order: no place_order reply within \d+ ms of its timeoutMs 400 \(sent after \d+ ms waiting for READY, with the \d+ ms left\)/);
    expect(got).toEqual(["place_order"]);
  });

  it("cancelAll: its cancel-all is not sent either when the open orders and the wait for READY leave too little", async () => {
    const { session, got, state } = await gateway(240);
    state(StateCode.READY);
    await new Promise((r) => setTimeout(r, 20));
    const cancel = rejection(session.cancelAll(ETH, { timeoutMs: 300 }));
    const e = await cancel;
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as TimeoutError).outcomeUnknown).toBeUndefined();
    expect(e.message).toMatch(/^quant-ws cancel_order: not sent: too little time left: \d+ ms of its timeoutMs 300 went reading the open orders and waiting for READY, and the \d+ ms left are less than the 100 ms a request is sent with$/);
    expect(got).toEqual([]);
  });
});
