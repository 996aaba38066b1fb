import { describe, expect, it, vi } from "vitest";
import type WebSocket from "ws";
import { Heartbeat } from "../../src/handwritten/quant-ws/heartbeat.js";
import { creds, framesOf, isOp, setup } from "./helpers.js";

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
    expect(dropped.reason).toMatch(/no pong for 2 pings/);
    expect(dropped.willReconnect).toBe(true);
    mock.setAnswerPings(true);
    const back = await client.next("reconnected", 3_000);
    expect(back.sessions.map((s) => s.session)).toEqual([session]);
    expect(session.token).not.toBe(oldToken);
    await mock.waitForFrame(isOp("login", (f) => f.access_key === "ak-test"));
    expect(framesOf(mock, "login")).toHaveLength(2);
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
