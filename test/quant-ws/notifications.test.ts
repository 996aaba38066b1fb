import { describe, expect, it } from "vitest";
import type { Fill, OrderUpdate } from "../../generated/quant-ws.js";
import { StateCode, StreamOverflowError } from "../../src/handwritten/quant-ws/index.js";
import { UsageError } from "../../src/handwritten/core/errors.js";
import { frameCost } from "../../src/handwritten/quant-ws/frames.js";
import { TypedEvents } from "../../src/handwritten/quant-ws/events.js";
import { creds, ETH, framesOf, payloads, setup } from "./helpers.js";

/** A login during which the gateway sends `frames(token)` before READY; the session and the client's error events. */
async function loginFlooded(frames: (token: string) => string[]) {
  const { mock, client } = await setup({ readyDelayMs: 1_500 }, { loginTimeoutMs: 20_000 });
  const errors: unknown[] = [];
  client.on("error", (e) => errors.push(e));
  const login = client.login(creds());
  while (mock.tokens().length === 0) await new Promise((r) => setTimeout(r, 5));
  for (const frame of frames(mock.tokens()[0]!)) mock.sendRaw(frame);
  return { session: await login, errors };
}

describe("quant-ws notifications", () => {
  it("a listener that is not a function is refused by on, once and off, naming the event (it would fail at every event)", async () => {
    const { client } = await setup();
    const session = await client.login(creds());
    const errors: unknown[] = [];
    client.on("error", (e) => errors.push(e));
    const refusals = [
      () => client.on("state", null as never),
      () => client.once("pong", "f" as never),
      () => client.off("error", undefined as never),
      () => session.on("order", 42 as never),
      () => session.once("fill", {} as never),
      () => session.off("order", null as never),
    ];
    const events = ["state", "pong", "error", "order", "fill", "order"];
    refusals.forEach((refused, i) => {
      expect(refused).toThrow(UsageError);
      expect(refused).toThrow(`the listener of the "${events[i]}" event must be a function`);
    });
    // Nothing was added: an order and its notification come and go without an error event.
    await session.placeOrder({ symbol: ETH, action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" });
    await session.asset();
    expect(errors).toEqual([]);
  });

  it("an event the client or session never emits is refused by on, once, off, next and stream, naming the closest (its listener would wait in silence)", async () => {
    const { client } = await setup();
    const session = await client.login(creds());
    const f = () => undefined;
    const refusals: Array<[() => unknown, string]> = [
      [() => client.on("notification" as never, f), 'no event "notification": the events are "error", "open"'],
      [() => client.once("reconect" as never, f), 'no event "reconect" (did you mean "reconnected"?)'],
      [() => client.off("close" as never, f), '(did you mean "closed"?)'],
      [() => client.stream("pongs" as never), '(did you mean "pong"?)'],
      [() => session.on("orders" as never, f), 'no event "orders" (did you mean "order"?): the events are "order", "fill", "position", "asset", "state", "relogin", "end"'],
      [() => session.stream("fills" as never), '(did you mean "fill"?)'],
      [() => session.on(Symbol("order") as never, f), "no event symbol (event names are strings)"],
      [() => session.on("toString" as never, f), 'no event "toString"'],
    ];
    for (const [refused, message] of refusals) {
      expect(refused).toThrow(UsageError);
      expect(refused).toThrow(message);
    }
    await expect(session.next("trade" as never)).rejects.toThrow('no event "trade"');
    await expect(client.next("opened" as never, 10)).rejects.toThrow('(did you mean "open"?)');
    // Every event the types name is taken.
    for (const e of ["error", "open", "disconnected", "reconnecting", "reloginRetry", "reconnected", "state", "pong", "closed"] as const) client.on(e, f)();
    for (const e of ["order", "fill", "position", "asset", "state", "relogin", "end"] as const) session.on(e, f)();
    await client.close();
  });

  it("delivers order, fill, position and asset as listeners and as async iterators", async () => {
    const { client } = await setup();
    const session = await client.login(creds());
    const fills: Fill[] = [];
    session.on("fill", (f) => fills.push(f));
    const positions = session.stream("position");
    const assets = session.stream("asset");
    const orders = session.stream("order");

    const orderNo = await session.placeOrder({ symbol: ETH, action: "BUY", price: 0, quantity: 2, order_type: "MARKET" });
    const seen: OrderUpdate[] = [];
    for await (const o of orders) {
      seen.push(o);
      if (o.status === "FILLED") break;
    }
    expect(seen.map((o) => [o.order_no, o.status])).toEqual([
      [orderNo, "SUBMITTED"],
      [orderNo, "FILLED"],
    ]);
    expect(seen[0]!.symbol).toBe(ETH);
    expect(fills).toEqual([expect.objectContaining({ order_no: orderNo, side: "BUY", quantity: 2, price: 2_000, liquidity: "TAKER" })]);
    // First the snapshots the gateway pushed during login (held for the first subscriber), then the updates.
    expect((await positions.next()).value).toMatchObject({ symbol: ETH, long_quantity: 0, margin_mode: null, utime: null });
    expect((await positions.next()).value).toMatchObject({ symbol: ETH, long_quantity: 2, margin_mode: "crossed" });
    expect((await assets.next()).value).toMatchObject({ USDT: { total: 100_000 }, ETH: { total: 10 } });
    expect((await assets.next()).value).toMatchObject({ USDT: { total: 96_000 }, ETH: { total: 12 } });
    await positions.return!();
    await assets.return!();
  });

  it("next() called twice without waiting: each gets its own event in order, and those left waiting end with the stream (the first never settled)", async () => {
    const events = new TypedEvents<{ order: number }>(["order"]);
    const it1 = events.stream("order");
    const [a, b] = [it1.next(), it1.next()];
    const c = it1.next();
    events.emit("order", 1);
    events.emit("order", 2);
    expect(await Promise.all([a, b])).toEqual([
      { value: 1, done: false },
      { value: 2, done: false },
    ]);
    const d = it1.next();
    await it1.return!();
    expect(await Promise.all([c, d])).toEqual([
      { value: undefined, done: true },
      { value: undefined, done: true },
    ]);
    // On a session: two placed orders' first updates reach two waiting next() calls.
    const { client } = await setup();
    const session = await client.login(creds());
    const orders = session.stream("order");
    const first = [orders.next(), orders.next()];
    const no = await session.placeOrder({ symbol: ETH, action: "BUY", price: 0, quantity: 1, order_type: "MARKET" });
    expect((await Promise.all(first)).map((r) => [r.value?.order_no, r.value?.status])).toEqual([
      [no, "SUBMITTED"],
      [no, "FILLED"],
    ]);
    const pending = orders.next();
    await client.close();
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
  });

  it("the buffer is bounded in size too: maxBufferedChars of frame text (a few large notifications could fill the memory)", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const orders = session.stream("order", { maxBufferedChars: 350_000 });
    // Five order notifications of about 100 000 characters each; nobody reads.
    for (let i = 1; i <= 5; i++) mock.sendRaw(JSON.stringify({ op: "notify", topic: "order", token: session.token, data: payloads.order({ order_no: String(i), symbol: "X".repeat(100_000) }) }));
    await new Promise((r) => setTimeout(r, 200));
    const got: string[] = [];
    let error: unknown;
    try {
      for await (const o of orders) got.push(String(o.order_no));
    } catch (e) {
      error = e;
    }
    expect(got).toEqual(["1", "2", "3"]);
    expect(error).toBeInstanceOf(StreamOverflowError);
    expect((error as Error).message).toMatch(/^quant-ws: the stream of order events fell behind: frames of 4\d{5} \(their characters and 32 per JSON value\) would be waiting unread, more than maxBufferedChars 350000, so it ended rather than drop one \(read faster, or pass a larger maxBufferedChars\)$/);
    // Read as they come, the same frames pass: the bound is on what waits.
    const again = session.stream("order", { maxBufferedChars: 150_000 });
    for (let i = 6; i <= 8; i++) {
      mock.sendRaw(JSON.stringify({ op: "notify", topic: "order", token: session.token, data: payloads.order({ order_no: String(i), symbol: "X".repeat(100_000) }) }));
      expect((await again.next()).value).toMatchObject({ order_no: String(i) });
    }
    await again.return!();
  });

  it("a stream read too slowly ends with StreamOverflowError after its waiting events: none dropped silently", async () => {
    const { client } = await setup();
    const session = await client.login(creds());
    const orders = session.stream("order", { maxBuffered: 3 });
    const first = await session.placeOrder({ symbol: ETH, action: "BUY", price: 0, quantity: 1, order_type: "MARKET" });
    const second = await session.placeOrder({ symbol: ETH, action: "BUY", price: 0, quantity: 1, order_type: "MARKET" });
    // Four order events (SUBMITTED, FILLED twice) came while nobody read: the buffer holds three.
    await new Promise((r) => setTimeout(r, 100));
    const got: Array<[string, string]> = [];
    let error: unknown;
    try {
      for await (const o of orders) got.push([String(o.order_no), o.status]);
    } catch (e) {
      error = e;
    }
    expect(got).toEqual([
      [String(first), "SUBMITTED"],
      [String(first), "FILLED"],
      [String(second), "SUBMITTED"],
    ]);
    expect(error).toBeInstanceOf(StreamOverflowError);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as StreamOverflowError).maxBuffered).toBe(3);
    expect((error as Error).message).toBe(
      "quant-ws: the stream of order events fell behind: 3 were waiting unread, so it ended rather than drop one (read faster, or pass a larger maxBuffered)",
    );
    expect(await orders.next()).toEqual({ value: undefined, done: true });
    // The session goes on; a new stream sees the next events.
    const again = session.stream("order");
    const third = await session.placeOrder({ symbol: ETH, action: "BUY", price: 0, quantity: 1, order_type: "MARKET" });
    expect((await again.next()).value).toMatchObject({ order_no: third, status: "SUBMITTED" });
    await again.return!();
  });

  it("routes two logins on one socket by token", async () => {
    const { mock, client } = await setup();
    const a = await client.login(creds({ platform: "huobi", accessKey: "key-a" }));
    const b = await client.login(creds({ platform: "okex", accessKey: "key-b", symbols: ["BTC/USDT"] }));
    expect(mock.acceptedSockets).toBe(1);
    expect(a.token).not.toBe(b.token);
    expect(client.sessions).toEqual([a, b]);
    const aOrders: OrderUpdate[] = [];
    const bOrders: OrderUpdate[] = [];
    a.on("order", (o) => aOrders.push(o));
    b.on("order", (o) => bOrders.push(o));
    const aFilled = a.next("fill", 2_000);
    const bFilled = b.next("fill", 2_000);
    const [na, nb] = await Promise.all([
      a.placeOrder({ symbol: ETH, action: "BUY", price: 0, quantity: 1, order_type: "MARKET" }),
      b.placeOrder({ symbol: "BTC/USDT", action: "SELL", price: 0, quantity: 1, order_type: "MARKET" }),
    ]);
    await Promise.all([aFilled, bFilled]);
    expect(new Set(aOrders.map((o) => o.order_no))).toEqual(new Set([na]));
    expect(new Set(bOrders.map((o) => o.order_no))).toEqual(new Set([nb]));
    const placed = framesOf(mock, "place_order");
    expect(placed.find((f) => f.symbol === ETH)?.token).toBe(a.token);
    expect(placed.find((f) => f.symbol === "BTC/USDT")?.token).toBe(b.token);
    // A state for one token does not touch the other session.
    mock.sendState(StateCode.DISCONNECT, "", b.token);
    await b.next("state");
    expect(b.ready).toBe(false);
    expect(a.ready).toBe(true);
  });

  it("reports an exchange outage as state events DISCONNECT → RECONNECTING → READY", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const states = session.stream("state");
    mock.outage(60);
    const got: Array<[string, boolean]> = [];
    for await (const s of states) {
      got.push([s.name, s.ready]);
      if (s.code === StateCode.READY) break;
    }
    expect(got).toEqual([
      ["DISCONNECT", false],
      ["RECONNECTING", false],
      ["READY", true],
    ]);
  });

  it("keeps state and notifications that arrive before the login reply", async () => {
    // Replies delayed past READY: the token's frames come first and must not be lost.
    const { mock, client } = await setup({ readyDelayMs: 10, replyDelayMs: 120 });
    const session = await client.login(creds());
    expect(session.ready).toBe(true);
    expect(session.lastState?.name).toBe("READY");
    expect(mock.tokens()).toEqual([session.token]);
  });

  it("holds the snapshots pushed during login (before READY) for the first subscriber of each topic", async () => {
    const { mock, client } = await setup({ readyDelayMs: 60 });
    const session = await client.login(creds({ symbols: [ETH, "BTC/USDT"] }));
    // The emulator pushed asset and position snapshots between CONNECT_SUCCESS and READY,
    // before login() resolved, when nobody could have subscribed yet.
    expect(mock.tokens()).toEqual([session.token]);
    const assets: unknown[] = [];
    session.on("asset", (a) => assets.push(a));
    const positions = session.stream("position");
    await Promise.resolve();
    expect(assets).toEqual([{ USDT: { free: 100_000, locked: 0, total: 100_000 }, ETH: { free: 10, locked: 0, total: 10 }, BTC: { free: 10, locked: 0, total: 10 } }]);
    expect((await positions.next()).value).toMatchObject({ symbol: ETH, margin_mode: null, utime: null });
    expect((await positions.next()).value).toMatchObject({ symbol: "BTC/USDT", margin_mode: null, utime: null });
    // Delivered once: a second subscriber sees only what comes next.
    const later: unknown[] = [];
    session.on("asset", (a) => later.push(a));
    await Promise.resolve();
    expect(later).toEqual([]);
    // next() takes the oldest held notification of its topic (none held for fill: none pushed).
    const nextFill = session.next("fill", 100).catch((e: Error) => e.message);
    expect(await nextFill).toMatch(/no fill event within 100 ms/);
    await positions.return!();
  });

  it("each next() or once() made at once takes its own held snapshot, in order; one removed before its delivery leaves them held", async () => {
    const { mock, client } = await setup({ readyDelayMs: 150 });
    const login = client.login(creds());
    while (mock.tokens().length === 0) await new Promise((r) => setTimeout(r, 5));
    const token = mock.tokens()[0]!;
    for (const n of [1, 2, 3, 4, 5]) mock.sendRaw(JSON.stringify({ op: "notify", topic: "fill", token, data: payloads.fill({ fill_no: `f${n}` }) }));
    const session = await login;
    const first = session.next("fill", 1_000);
    const second = session.next("fill", 1_000);
    const once: string[] = [];
    session.once("fill", (f) => once.push(`a ${f.fill_no}`));
    session.once("fill", (f) => once.push(`b ${f.fill_no}`));
    // Added and removed in the same tick: its snapshot is not lost.
    const gone: string[] = [];
    const off = session.on("fill", (f) => gone.push(f.fill_no));
    off();
    expect([(await first).fill_no, (await second).fill_no]).toEqual(["f1", "f2"]);
    expect(once).toEqual(["a f3", "b f4"]);
    const rest: string[] = [];
    session.on("fill", (f) => rest.push(f.fill_no));
    await Promise.resolve();
    expect(gone).toEqual([]);
    expect(rest).toEqual(["f5"]);
  });

  it("holds at most 100 000 per topic during a login; past that the client's error event says the oldest were dropped", async () => {
    // A flood before READY, while nobody can listen yet: 100 001 position notifications.
    const { session, errors } = await loginFlooded((token) => {
      const frames: string[] = [];
      for (let i = 0; i <= 100_000; i++) frames.push(JSON.stringify({ op: "notify", topic: "position", token, data: payloads.position({ seq: i }) }));
      return frames;
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(StreamOverflowError);
    expect((errors[0] as Error).message).toBe(
      "quant-ws: more than 100000 position notifications came during the login, before any listener: the oldest were dropped (re-read the state after login)",
    );
    const seqs: number[] = [];
    session.on("position", (p) => seqs.push((p as unknown as { seq?: number }).seq ?? -1));
    await Promise.resolve();
    // The newest 100 000 are held, in order (the emulator's own snapshot, seq -1 here, may come
    // before or after the flood): the flood's tail, contiguous up to 100 000.
    expect(seqs.length).toBe(100_000);
    const flood = seqs.filter((n) => n >= 0);
    expect(flood.at(-1)).toBe(100_000);
    expect(flood.every((n, i) => i === 0 || n === flood[i - 1]! + 1)).toBe(true);
    expect(flood[0]).toBeGreaterThan(0);
  }, 30_000);

  it("holds at most 256 Mi of notification cost during a login (text and 32 per JSON value); past that the oldest go and the error event says so", async () => {
    // Sixteen fills of 1 MiB of text each, each with 512 Ki JSON values (a cost of 17 Mi): 272 Mi of cost before READY.
    const pad = Array.from({ length: 512 * 1024 }, () => 1);
    const { session, errors } = await loginFlooded((token) => Array.from({ length: 16 }, (_, i) => JSON.stringify({ op: "notify", topic: "fill", token, data: payloads.fill({ seq: i, pad }) })));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(StreamOverflowError);
    expect((errors[0] as Error).message).toBe(
      "quant-ws: more than 256 Mi of notifications (frame cost: text and parsed values) came during the login, before any listener: the oldest fill notifications were dropped (re-read the state after login)",
    );
    const seqs: number[] = [];
    session.on("fill", (f) => seqs.push((f as unknown as { seq: number }).seq));
    await Promise.resolve();
    expect(seqs[0]).toBeGreaterThan(0);
    expect(seqs).toEqual(Array.from({ length: 16 - seqs[0]! }, (_, i) => seqs[0]! + i));
  }, 30_000);

  it("counts what a held notification's parsed values take, not its text alone (1 MiB of [{},{},…] took 22 MiB of heap: 60 MiB of text held 1.3 GB; 14 MiB is held in at most 256 Mi of cost)", async () => {
    const pad = Array.from({ length: 350_000 }, () => ({}));
    const frames = (token: string) => Array.from({ length: 14 }, (_, i) => JSON.stringify({ op: "notify", topic: "fill", token, data: payloads.fill({ seq: i, pad }) }));
    // the newest that fit in 128 Mi of frameCost, held; the older dropped
    const costs = frames("t").map(frameCost);
    let kept = 0;
    for (let sum = 0; kept < costs.length && (sum += costs[costs.length - 1 - kept]!) <= 256 * 1024 * 1024; ) kept++;
    expect(kept).toBeLessThan(12);
    const { session, errors } = await loginFlooded(frames);
    expect(errors).toHaveLength(1);
    const seqs: number[] = [];
    session.on("fill", (f) => seqs.push((f as unknown as { seq: number }).seq));
    await Promise.resolve();
    expect(seqs).toEqual(Array.from({ length: kept }, (_, i) => 14 - kept + i));
    expect(frameCost('{"a":[1,"x,y"]}')).toBe(15 + 32 * 5);
  }, 30_000);

  it("a topic still holding its login snapshot holds the updates after it too: the first listener gets the snapshot, then each update (the update was lost)", async () => {
    const { client } = await setup();
    const session = await client.login(creds());
    // No asset listener yet: the order's asset update comes after the login's asset snapshot.
    await session.placeOrder({ symbol: ETH, action: "BUY", price: 1_000, quantity: 2, order_type: "LIMIT" });
    await session.asset();
    const assets: Array<Record<string, { free: number; locked: number }>> = [];
    session.on("asset", (a) => assets.push(a as never));
    await Promise.resolve();
    expect(assets.map((a) => a.USDT)).toEqual([
      { free: 100_000, locked: 0, total: 100_000 },
      { free: 98_000, locked: 2_000, total: 100_000 },
    ]);
  });

  it("does not hold notifications once the login has finished (plain events from then on)", async () => {
    const { client } = await setup();
    const session = await client.login(creds());
    session.on("asset", () => undefined);
    await session.placeOrder({ symbol: ETH, action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" });
    await session.asset();
    // No order listener existed when the order notification came: it is not held for later.
    const got: Array<{ order_no: string }> = [];
    session.on("order", (o) => got.push(o));
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toEqual([]);
    // Later ones do arrive (so the empty list above is not just silence).
    const second = await session.placeOrder({ symbol: ETH, action: "BUY", price: 2, quantity: 1, order_type: "LIMIT" });
    await expect.poll(() => got.map((o) => o.order_no)).toEqual([second]);
  });

  it("a listener that throws is reported and does not stop the others", async () => {
    const { client } = await setup();
    const session = await client.login(creds());
    session.on("order", () => {
      throw new Error("listener bug");
    });
    const after = session.next("order", 2_000);
    const reported = client.next("error", 2_000);
    await session.placeOrder({ symbol: ETH, action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" });
    expect((await after).status).toBe("SUBMITTED");
    expect((await reported).message).toMatch(/listener threw: listener bug/);
  });
});
