import { describe, expect, it, onTestFinished, vi } from "vitest";
import type WebSocket from "ws";
import { createQuantWsClient, StateCode, type QuantWsClientEvents } from "../../src/handwritten/quant-ws/index.js";
import { Heartbeat } from "../../src/handwritten/quant-ws/heartbeat.js";
import { creds, ETH, framesOf, isOp, payloads, rawGateway, replyTo, setup } from "./helpers.js";

/**
 * A gateway that logs in at once and, while `busy` is set, keeps sending order notifications
 * every 10 ms and holds its pongs (and the place_order reply) back: what a client sees when the
 * pongs wait behind a burst it reads slower than it comes.
 */
async function busyGateway() {
  const state = { busy: true, pongs: [] as string[], order: undefined as string | undefined };
  const { url, wss } = await rawGateway((ws, f) => {
    if (f.op === "ping") {
      const pong = JSON.stringify({ op: "pong", ts: f.ts });
      return state.busy ? void state.pongs.push(pong) : ws.send(pong);
    }
    if (f.op === "login") {
      ws.send(replyTo(f, { token: "tok" }));
      return ws.send(JSON.stringify({ op: "state", token: "tok", code: 6, msg: "" }));
    }
    if (f.op === "place_order") state.order = replyTo(f, { order_no: "77" });
    if (f.op === "logout") ws.send(replyTo(f));
  });
  const timer = setInterval(() => {
    if (!state.busy) return;
    for (const ws of wss.clients) ws.send(JSON.stringify({ op: "notify", topic: "order", token: "tok", data: payloads.order() }));
  }, 10);
  onTestFinished(() => clearInterval(timer));
  /** The burst ends: the held pongs, then the order's reply, go out. */
  const calm = () => {
    state.busy = false;
    for (const ws of wss.clients) {
      for (const p of state.pongs.splice(0)) ws.send(p);
      if (state.order) ws.send(state.order);
    }
  };
  return { url, state, calm };
}

describe("quant-ws heartbeat", () => {
  it("pings with a fresh ts every interval and sees the pong", async () => {
    const { mock, client } = await setup({}, { pingIntervalMs: 40 });
    await client.connect();
    const pongs = client.stream("pong");
    const seen: number[] = [];
    for await (const p of pongs) {
      seen.push(p.ts);
      if (seen.length === 3) break;
    }
    const pings = framesOf(mock, "ping");
    expect(pings.length).toBeGreaterThanOrEqual(3);
    expect(pings.slice(0, 3).map((p) => p.ts)).toEqual(seen);
    expect(seen[1]!).toBeGreaterThan(seen[0]!);
    expect(Object.keys(pings[0]!).sort()).toEqual(["op", "ts"]);
    // ping() on demand resolves to the round trip.
    expect(await client.ping()).toBeGreaterThanOrEqual(0);
  });

  it("100 ping() calls in flight at once all resolve (the pongs of the oldest 36 were lost: they timed out)", async () => {
    const { client } = await setup({}, { pingIntervalMs: 0 });
    await client.connect();
    const rtts = await Promise.all(Array.from({ length: 100 }, () => client.ping(5_000)));
    expect(rtts).toHaveLength(100);
    for (const r of rtts) expect(r).toBeGreaterThanOrEqual(0);
  });

  it("the server drops a socket idle past its timeout", async () => {
    const { mock, client } = await setup({ idleTimeoutMs: 150, idleCheckMs: 20 }, { pingIntervalMs: 0, reconnect: false });
    await client.login(creds());
    const dropped = await client.next("disconnected", 3_000);
    expect(dropped).toMatchObject({ reason: "idle timeout", willReconnect: false });
    await expect.poll(() => mock.openSockets).toBe(0);
  });

  it("a ping() that timed out forgets its ping: a late pong of it is not taken as proof of life (5,000 timed-out pings were all kept)", async () => {
    const { mock, client } = await setup({}, { pingIntervalMs: 0 });
    await client.connect();
    mock.setAnswerPings(false);
    await expect(client.ping(30)).rejects.toThrow(/no pong within 30 ms/);
    const ts = framesOf(mock, "ping").at(-1)!.ts as number;
    const pongs: number[] = [];
    client.on("pong", (p) => pongs.push(p.ts));
    mock.sendRaw(`{"op":"pong","ts":${ts}}`);
    await new Promise((r) => setTimeout(r, 100));
    expect(pongs).toEqual([]);
  });

  it("the emulator counts a frame of an unknown op as activity, as the server (it closed a socket sending one every 40 ms)", async () => {
    const { startQuantWsMock } = await import("../../src/mock/quant-ws.js");
    const { WebSocket } = await import("ws");
    const mock = await startQuantWsMock({ idleTimeoutMs: 150, idleCheckMs: 20 });
    try {
      const raw = new WebSocket(mock.url);
      await new Promise((r) => raw.once("open", r));
      let closed = false;
      raw.once("close", () => (closed = true));
      for (let i = 0; i < 15; i++) {
        raw.send('{"op":"subscribe_depth","cid":"x"}');
        await new Promise((r) => setTimeout(r, 40));
      }
      expect(closed).toBe(false);
      raw.close();
    } finally {
      await mock.close();
    }
  });

  it("the heartbeat keeps an idle session alive past the server's idle timeout", async () => {
    const { mock, client } = await setup({ idleTimeoutMs: 150, idleCheckMs: 20 }, { pingIntervalMs: 40 });
    const session = await client.login(creds());
    let drops = 0;
    client.on("disconnected", () => drops++);
    // Wait until well past 3 idle timeouts, counted in pings the server answered.
    const enough = framesOf(mock, "ping").length + 12;
    await mock.waitForFrame(() => framesOf(mock, "ping").length >= enough, 3_000);
    expect(drops).toBe(0);
    expect(mock.acceptedSockets).toBe(1);
    await expect(session.asset()).resolves.toHaveProperty("USDT");
  });

  it("declares the socket dead after missed pongs and reconnects", async () => {
    const { mock, client } = await setup({}, { pingIntervalMs: 30, maxMissedPongs: 2 });
    const session = await client.login(creds());
    const oldToken = session.token;
    mock.setAnswerPings(false);
    const dropped = await client.next("disconnected", 3_000);
    expect(dropped.reason).toMatch(/no pong for 2 pings and no other frame meanwhile/);
    expect(dropped.willReconnect).toBe(true);
    mock.setAnswerPings(true);
    const back = await client.next("reconnected", 3_000);
    expect(back.sessions.map((s) => s.session)).toEqual([session]);
    expect(session.token).not.toBe(oldToken);
    await mock.waitForFrame(isOp("login", (f) => f.access_key === "ak-test"));
    expect(framesOf(mock, "login")).toHaveLength(2);
  });

  it("pongs held behind other frames for several beats are no miss: the socket stays and the order's reply, read after them, resolves it", async () => {
    const gw = await busyGateway();
    const client = createQuantWsClient({ url: gw.url, pingIntervalMs: 40, maxMissedPongs: 2, requestTimeoutMs: 3_000, reconnect: false });
    onTestFinished(() => client.close());
    const drops: Array<QuantWsClientEvents["disconnected"]> = [];
    client.on("disconnected", (d) => drops.push(d));
    const session = await client.login(creds());
    let orders = 0;
    session.on("order", () => orders++);
    const placed = session.placeOrder({ symbol: ETH, action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" });
    placed.catch(() => undefined);
    // 10 beats without a pong, frames coming all the while.
    await new Promise((r) => setTimeout(r, 400));
    expect(gw.state.pongs.length).toBeGreaterThanOrEqual(5);
    gw.calm();
    await expect(placed).resolves.toBe("77");
    expect(drops).toEqual([]);
    expect(client.connected).toBe(true);
    expect(orders).toBeGreaterThan(10);
  });

  it("a gateway that keeps writing but answers no ping is still found dead after maxPongWaitMs", async () => {
    const gw = await busyGateway();
    const client = createQuantWsClient({ url: gw.url, pingIntervalMs: 30, maxMissedPongs: 2, maxPongWaitMs: 250, reconnect: false });
    onTestFinished(() => client.close());
    client.on("error", () => undefined);
    await client.login(creds());
    const t0 = performance.now();
    const dropped = await client.next("disconnected", 3_000);
    expect(dropped.reason).toMatch(/^a ping unanswered for \d+ ms although other frames kept coming \(maxPongWaitMs 250\)/);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(200);
  });

  it("maxPongWaitMs counts from the ping still unanswered, not from the last pong: late pongs with frames between them keep the socket (review)", async () => {
    const { WebSocketServer } = await import("ws");
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise((r) => wss.once("listening", r));
    onTestFinished(async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
    });
    wss.on("connection", (ws) => {
      const order = { symbol: ETH, order_no: "1", action: "BUY", price: 1, quantity: 1, remain: 1, status: "SUBMITTED", order_type: "LIMIT", ctime: 1, utime: 1 };
      const t = setInterval(() => ws.send(JSON.stringify({ op: "notify", topic: "order", token: "tok", data: order })), 5);
      ws.on("close", () => clearInterval(t));
      ws.on("message", (raw) => {
        const f = JSON.parse(String(raw)) as { op: string; cid: number; ts?: number };
        // Every pong 140 ms after its ping, pings every 100 ms: each beat finds one unanswered,
        // and the first pong comes 240 ms after the socket opened (past maxPongWaitMs 190).
        if (f.op === "ping") return void setTimeout(() => ws.readyState === 1 && ws.send(JSON.stringify({ op: "pong", ts: f.ts })), 140);
        if (f.op === "logout") return ws.send(JSON.stringify({ op: "logout", cid: f.cid, result: true }));
        if (f.op === "login") {
          ws.send(JSON.stringify({ op: "login", cid: f.cid, result: true, token: "tok" }));
          ws.send(JSON.stringify({ op: "state", token: "tok", code: StateCode.READY, msg: "" }));
        }
      });
    });
    const client = createQuantWsClient({ url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}`, pingIntervalMs: 100, maxMissedPongs: 2, maxPongWaitMs: 190, reconnect: false });
    onTestFinished(() => client.close());
    client.on("error", () => undefined);
    const drops: string[] = [];
    let pongs = 0;
    client.on("pong", () => pongs++);
    client.on("disconnected", (d) => drops.push(d.reason));
    await client.login(creds());
    await new Promise((r) => setTimeout(r, 1_000));
    expect(drops).toEqual([]);
    expect(pongs).toBeGreaterThanOrEqual(5);
  });

  it("start() on a new socket replaces the interval of the old one (one timer, which stop() clears)", () => {
    vi.useFakeTimers();
    try {
      const sent: string[] = [];
      const socket = (name: string) => ({ readyState: 1, send: () => sent.push(name) }) as unknown as WebSocket;
      const [first, second] = [socket("first"), socket("second")];
      let current = first;
      const heartbeat = new Heartbeat(10, 2, { isCurrent: (ws) => ws === current, dead: () => undefined, pong: () => undefined });
      heartbeat.start(first);
      current = second;
      heartbeat.start(second);
      expect(vi.getTimerCount()).toBe(1);
      vi.advanceTimersByTime(10);
      expect(sent).toEqual(["second"]);
      heartbeat.stop();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
