import { describe, expect, it } from "vitest";
import { AbortedError, TimeoutError, UsageError } from "../../src/handwritten/core/errors.js";
import { CancelAllUnconfirmedError, ConnectionDroppedError, type QuantWsSession } from "../../src/handwritten/quant-ws/index.js";
import { creds, ETH, framesOf, isOp, payloads, rejection, setup } from "./helpers.js";

const BTC = "BTC/USDT";

async function resting(session: QuantWsSession, symbol: string, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await session.placeOrder({ symbol, action: "BUY", price: 1 + i, quantity: 1, order_type: "LIMIT" }));
  return out;
}

describe("quant-ws cancel all (order_nos: [])", () => {
  it("the gateway (and the emulator) cancels every open order of the symbol but sends no reply", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds({ symbols: [ETH, BTC] }));
    const eth = await resting(session, ETH, 2);
    const [btc] = await resting(session, BTC, 1);
    const canceled: string[] = [];
    session.on("order", (o) => o.status === "CANCELED" && canceled.push(o.order_no));
    const e = await rejection(session.request("cancel_order", { symbol: ETH, order_nos: [] }, { timeoutMs: 150 }));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toMatch(/no cancel_order reply within 150 ms/);
    expect(canceled).toEqual(eth);
    expect(await session.openOrders(ETH)).toEqual([]);
    expect((await session.openOrders(BTC)).map((o) => o.order_no)).toEqual([btc]);
    expect(framesOf(mock, "cancel_order")).toEqual([expect.objectContaining({ symbol: ETH, order_nos: [] })]);
  });

  it("cancelOrder() with an empty list is refused before sending (it would cancel everything)", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const [kept] = await resting(session, ETH, 1);
    const e = await rejection(session.cancelOrder(ETH, []));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toMatch(/empty order_nos cancels every open order .* cancelAll\(symbol\)/);
    expect(framesOf(mock, "cancel_order")).toEqual([]);
    expect((await session.openOrders(ETH)).map((o) => o.order_no)).toEqual([kept]);
  });

  it("cancelAll() resolves once every open order was reported CANCELED, without a reply", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds({ symbols: [ETH, BTC] }));
    const eth = await resting(session, ETH, 3);
    const [btc] = await resting(session, BTC, 1);
    const errors: Error[] = [];
    client.on("error", (e) => errors.push(e));
    const started = Date.now();
    const outcome = await session.cancelAll(ETH, { timeoutMs: 1_500 });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(outcome).toEqual({ symbol: ETH, cancelled: eth, notCancelled: [], confirmedBy: "notifications" });
    expect(framesOf(mock, "cancel_order")).toEqual([expect.objectContaining({ op: "cancel_order", symbol: ETH, order_nos: [], token: session.token })]);
    expect((await session.openOrders(BTC)).map((o) => o.order_no)).toEqual([btc]);
    // The abandoned request left nothing behind: no timeout later, no error event.
    await new Promise((r) => setTimeout(r, 50));
    expect(errors).toEqual([]);
  });

  it("cancelAll() with no open order sends the request and resolves at once", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const outcome = await session.cancelAll(ETH, { timeoutMs: 5_000 });
    expect(outcome).toEqual({ symbol: ETH, cancelled: [], notCancelled: [], confirmedBy: "notifications" });
    await mock.waitForFrame((r) => typeof r.frame === "object" && r.frame.op === "cancel_order");
    expect(framesOf(mock, "cancel_order")).toHaveLength(1);
  });

  it("says so with CancelAllUnconfirmedError when the notifications do not come in time", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const eth = await resting(session, ETH, 2);
    mock.silence("notify:order");
    const e = await rejection(session.cancelAll(ETH, { timeoutMs: 200 }));
    expect(e).toBeInstanceOf(CancelAllUnconfirmedError);
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as CancelAllUnconfirmedError).unconfirmed).toEqual(eth);
    expect((e as CancelAllUnconfirmedError).cancelled).toEqual([]);
    expect(e.message).toMatch(/cancel-all of ETH\/USDT sent, but 2 of 2 open orders were not reported CANCELED within 200 ms .*may still be cancelled/);
    // The frame was written: its outcome is unknown, as on a drop or an abort after it.
    expect((e as CancelAllUnconfirmedError).outcomeUnknown).toBe(true);
    expect(e.message).toMatch(/the request may have reached the server and taken effect/);
    // They were cancelled after all (the evidence just did not arrive).
    expect(await session.openOrders(ETH)).toEqual([]);
  });

  it("some orders reported CANCELED, the others not in time: CancelAllUnconfirmedError, outcomeUnknown, naming each", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const eth = await resting(session, ETH, 2);
    // The gateway cancels both but reports only the first.
    mock.silence("notify:order");
    const asked = session.cancelAll(ETH, { timeoutMs: 300 });
    await mock.waitForFrame(isOp("cancel_order"));
    mock.sendRaw(JSON.stringify({ op: "notify", topic: "order", token: session.token, data: payloads.order({ order_no: eth[0], status: "CANCELED" }) }));
    const e = await rejection(asked);
    expect(e).toBeInstanceOf(CancelAllUnconfirmedError);
    expect(e).toMatchObject({ cancelled: [eth[0]], unconfirmed: [eth[1]], outcomeUnknown: true });
  });

  it("an order reported CANCELED before the open_orders reply that still lists it counts as cancelled", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const eth = await resting(session, ETH, 2);
    // Replies come 150 ms late, notifications at once: the open-orders snapshot lists eth[0],
    // whose CANCELED (from another cancel) arrives before that snapshot does.
    mock.setReplyDelay(150);
    const all = session.cancelAll(ETH, { timeoutMs: 2_000 });
    await new Promise((r) => setTimeout(r, 20));
    const one = session.cancelOrder(ETH, [eth[0]!]);
    const outcome = await all;
    expect(outcome).toMatchObject({ confirmedBy: "notifications" });
    expect([...outcome.cancelled].sort()).toEqual([...eth].sort());
    await one;
  });

  it("uses the reply of a gateway that does answer, and drops a late reply silently", async () => {
    const { mock, client } = await setup({ cancelAllReply: true });
    const session = await client.login(creds());
    const eth = await resting(session, ETH, 2);
    const replied = await session.cancelAll(ETH);
    expect(replied.confirmedBy).toBe("reply");
    expect(replied.cancelled).toEqual(eth);
    expect(replied.results?.map((r) => r.result)).toEqual([true, true]);

    const more = await resting(session, ETH, 1);
    const errors: Error[] = [];
    client.on("error", (e) => errors.push(e));
    mock.setReplyDelay(100);
    const viaNotes = await session.cancelAll(ETH);
    expect(viaNotes).toMatchObject({ confirmedBy: "notifications", cancelled: more });
    await new Promise((r) => setTimeout(r, 200));
    expect(errors).toEqual([]);
  });

  it("can be aborted while it waits for the notifications: CancelAllUnconfirmedError keeps what was established, the abort as its cause", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const eth = await resting(session, ETH, 2);
    mock.silence("notify:order");
    const ctl = new AbortController();
    const asked = session.cancelAll(ETH, { signal: ctl.signal, timeoutMs: 5_000 });
    await mock.waitForFrame((r) => typeof r.frame === "object" && r.frame.op === "cancel_order");
    mock.sendRaw(JSON.stringify({ op: "notify", topic: "order", token: session.token, data: payloads.order({ order_no: eth[0], status: "CANCELED" }) }));
    await new Promise((r) => setTimeout(r, 20));
    ctl.abort();
    const e = await rejection(asked);
    expect(e).toBeInstanceOf(CancelAllUnconfirmedError);
    expect(e).toMatchObject({ cancelled: [eth[0]], unconfirmed: [eth[1]], outcomeUnknown: true });
    expect(e.message).toMatch(/cancel-all of ETH\/USDT sent, but 1 of 2 open orders were not reported CANCELED before the caller aborted/);
    expect((e as Error & { cause?: unknown }).cause).toBeInstanceOf(AbortedError);
  });

  it("a socket drop after the cancel-all keeps what was established: CancelAllUnconfirmedError, outcomeUnknown, the drop as its cause", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const eth = await resting(session, ETH, 3);
    mock.silence("notify:order");
    const asked = session.cancelAll(ETH, { timeoutMs: 3_000 });
    await mock.waitForFrame(isOp("cancel_order"));
    mock.sendRaw(JSON.stringify({ op: "notify", topic: "order", token: session.token, data: payloads.order({ order_no: eth[0], status: "CANCELED" }) }));
    await new Promise((r) => setTimeout(r, 20));
    mock.dropSockets();
    const e = await rejection(asked);
    expect(e).toBeInstanceOf(CancelAllUnconfirmedError);
    expect(e).toMatchObject({ cancelled: [eth[0]], unconfirmed: [eth[1], eth[2]], outcomeUnknown: true });
    expect(e.message).toMatch(/cancel-all of ETH\/USDT sent, but 2 of 3 open orders were not reported CANCELED before the socket dropped \(.*re-read open_orders\)/);
    expect((e as Error & { cause?: unknown }).cause).toBeInstanceOf(ConnectionDroppedError);
  });
});
