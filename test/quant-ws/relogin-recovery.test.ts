/**
 * A re-login after a socket drop that meets an exchange the gateway is still reconnecting to
 * (no READY within loginTimeoutMs), or a state 7 that is not about the keys, does not end the
 * session: the login is released and made again until READY. Final refusals still end it.
 */
import { describe, expect, it, onTestFinished } from "vitest";
import { TimeoutError } from "../../src/handwritten/core/errors.js";
import {
  createQuantWsClient,
  QuantWsLoginRejectedError,
  QuantWsStateError,
  StateCode,
  type QuantWsClientEvents,
} from "../../src/handwritten/quant-ws/index.js";
import { creds, ETH, newClient, rawGateway, replyTo, startMock } from "./helpers.js";

describe("quant-ws: a re-login during an exchange outage", () => {
  it("the emulator holds a login made during a gateway-wide outage at CONNECT_FAILED / RECONNECTING until it ends, then READY", async () => {
    const mock = await startMock({ readyDelayMs: 20 });
    const client = newClient(mock, { loginTimeoutMs: 3_000 });
    const names: string[] = [];
    client.on("state", (s) => names.push(s.name));
    mock.outage(400);
    const t0 = performance.now();
    const session = await client.login(creds({ accessKey: "during-outage" }));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(350);
    expect(session.ready).toBe(true);
    expect(names[0]).toBe("CONNECT_FAILED");
    expect(names).toContain("RECONNECTING");
    expect(names.slice(-2)).toEqual(["CONNECT_SUCCESS", "READY"]);
  });

  it("no READY within loginTimeoutMs after a reconnect does not end the session: it logs in again until the exchange is back, then trades", async () => {
    const mock = await startMock({ readyDelayMs: 20 });
    const client = newClient(mock, { loginTimeoutMs: 150, reconnect: { baseDelayMs: 20, maxDelayMs: 40 } });
    const session = await client.login(creds({ accessKey: "outage-relogin" }));
    const delayed: Array<QuantWsClientEvents["reloginDelayed"]> = [];
    client.on("reloginDelayed", (e) => delayed.push(e));
    const reconnected = client.next("reconnected", 4_000);
    mock.outage(700);
    mock.dropSockets();
    const back = await reconnected;
    expect(back.failed).toEqual([]);
    expect(back.sessions).toEqual([{ session }]);
    expect(session.ended).toBe(false);
    expect(session.ready).toBe(true);
    expect(delayed.length).toBeGreaterThanOrEqual(2);
    expect(delayed[0]!.session).toBe(session);
    expect(delayed[0]!.error).toBeInstanceOf(TimeoutError);
    expect(delayed[0]!.error.message).toMatch(/no READY state within 150 ms of the login \(last state CONNECT_FAILED|RECONNECTING/);
    // Each released login was logged out: only the session's own login is held.
    expect(mock.tokens()).toEqual([session.token]);
    await expect(session.placeOrder({ symbol: ETH, action: "BUY", price: 1_000, quantity: 1, order_type: "LIMIT" })).resolves.toMatch(/^\d+$/);
  });

  it("reloginTimeoutMs caps it: past it the session ends with a TimeoutError naming the option", async () => {
    const mock = await startMock({ readyDelayMs: 20 });
    const client = newClient(mock, { loginTimeoutMs: 100, reloginTimeoutMs: 300, reconnect: { baseDelayMs: 20, maxDelayMs: 40 } });
    const session = await client.login(creds({ accessKey: "outage-capped" }));
    const reconnected = client.next("reconnected", 4_000);
    mock.outage(3_000);
    mock.dropSockets();
    const back = await reconnected;
    expect(back.failed.map((f) => f.session)).toEqual([session]);
    const error = back.failed[0]!.error;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toMatch(/not READY again within 300 ms \(reloginTimeoutMs\)/);
    expect(session.ended).toBe(true);
  });
});

describe("quant-ws: state 7 during a re-login", () => {
  /** A gateway whose logins after the first get `states` (one list per login) before READY or nothing. */
  async function gateway(second: { code: number; msg: string }) {
    const log: string[] = [];
    let logins = 0;
    const { url, wss } = await rawGateway((ws, f) => {
      if (f.op === "ping") return ws.send(JSON.stringify({ op: "pong", ts: f.ts }));
      if (f.op === "logout") {
        log.push(`logout ${String(f.token)}`);
        return ws.send(replyTo(f));
      }
      if (f.op === "place_order") return ws.send(replyTo(f, { order_no: "42" }));
      if (f.op !== "login") return;
      const token = `tok${++logins}`;
      log.push(`login ${token}`);
      ws.send(replyTo(f, { token }));
      if (logins === 2) ws.send(JSON.stringify({ op: "state", token, code: second.code, msg: second.msg }));
      else ws.send(JSON.stringify({ op: "state", token, code: StateCode.READY, msg: "ready" }));
    });
    const client = createQuantWsClient({ url, requestTimeoutMs: 2_000, loginTimeoutMs: 2_000, reconnect: { baseDelayMs: 10, maxDelayMs: 20 } });
    onTestFinished(() => client.close());
    return { client, log, drop: () => wss.clients.forEach((ws) => ws.terminate()) };
  }

  it("a state 7 that is not about the keys (a setup step failed) releases that login and logs in again: the session stays", async () => {
    const { client, log, drop } = await gateway({ code: StateCode.GENERAL_ERROR, msg: "get_account_balance error: HTTP 502 Bad Gateway" });
    const session = await client.login(creds());
    const delayed = client.next("reloginDelayed", 2_000);
    const reconnected = client.next("reconnected", 3_000);
    drop();
    const d = await delayed;
    expect(d.error).toBeInstanceOf(QuantWsStateError);
    expect((d.error as QuantWsStateError).stateCode).toBe(7);
    expect((await reconnected).sessions).toEqual([{ session }]);
    expect(session.ready).toBe(true);
    expect(session.token).toBe("tok3");
    expect(log).toEqual(["login tok1", "login tok2", "logout tok2", "login tok3"]);
    await expect(session.placeOrder({ symbol: ETH, action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" })).resolves.toBe("42");
  });

  it("a state 7 refusing the keys still ends the session at once", async () => {
    const { client, log, drop } = await gateway({ code: StateCode.GENERAL_ERROR, msg: "Websocket connection authorized failed: invalid signature" });
    const session = await client.login(creds());
    const reconnected = client.next("reconnected", 3_000);
    drop();
    const back = await reconnected;
    expect(back.failed.map((f) => f.error)).toEqual([expect.any(QuantWsLoginRejectedError)]);
    expect(session.ended).toBe(true);
    expect(log.filter((l) => l.startsWith("login"))).toEqual(["login tok1", "login tok2"]);
  });
});

describe("quant-ws: the re-login's bounds across refusals and drops (review)", () => {
  /** A gateway whose answer to the nth login is `answer(n)`: "repeat" (Do not log in repeat), "ready", "down" (a token, CONNECT_FAILED). Sockets after the first closed after `flapMs`. */
  async function gateway(answer: (n: number) => "repeat" | "ready" | "down", flapMs?: number) {
    const { WebSocketServer } = await import("ws");
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise((r) => wss.once("listening", r));
    let logins = 0;
    let sockets = 0;
    wss.on("connection", (ws) => {
      if (flapMs !== undefined && ++sockets > 1) setTimeout(() => ws.terminate(), flapMs);
      ws.on("message", (raw) => {
        const f = JSON.parse(String(raw)) as { op: string; cid: number; ts?: number };
        if (f.op === "ping") return ws.send(JSON.stringify({ op: "pong", ts: f.ts }));
        if (f.op === "logout") return ws.send(JSON.stringify({ op: "logout", cid: f.cid, result: true }));
        if (f.op !== "login") return;
        const how = answer(++logins);
        if (how === "repeat") return ws.send(JSON.stringify({ op: "login", cid: f.cid, result: false, error_message: "Do not log in repeat" }));
        const token = `tok${logins}`;
        ws.send(JSON.stringify({ op: "login", cid: f.cid, result: true, token }));
        ws.send(JSON.stringify({ op: "state", token, ...(how === "ready" ? { code: StateCode.READY, msg: "ready" } : { code: StateCode.CONNECT_FAILED, msg: "exchange down" }) }));
      });
    });
    onTestFinished(async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
    });
    return { wss, url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}`, logins: () => logins };
  }

  it("a \"Do not log in repeat\" after answered logins starts a new window (the window counted from an earlier refusal ended the session at once)", async () => {
    // 2: repeat; 3-6: answered, no READY; 7: repeat again (a release not applied yet); 8: READY.
    const g = await gateway((n) => (n === 2 || n === 7 ? "repeat" : n === 1 || n >= 8 ? "ready" : "down"));
    const client = createQuantWsClient({ url: g.url, loginTimeoutMs: 150, reconnect: { baseDelayMs: 20, maxDelayMs: 40 }, repeatLogin: { windowMs: 500, baseDelayMs: 20, maxDelayMs: 40 } });
    onTestFinished(() => client.close());
    client.on("error", () => undefined);
    const retries: number[] = [];
    client.on("reloginRetry", (e) => retries.push(e.attempt));
    const session = await client.login(creds({ accessKey: "repeat-window" }));
    const back = client.next("reconnected", 10_000);
    for (const ws of g.wss.clients) ws.terminate();
    const r = await back;
    expect(r.failed).toEqual([]);
    expect(session.ended).toBe(false);
    expect(session.ready).toBe(true);
    expect(g.logins()).toBe(8);
    // Each refusal is the first of its run.
    expect(retries).toEqual([1, 1]);
  });

  it("reloginTimeoutMs counts from the first re-login, across reconnects (a gateway closing each socket restarted it, so it ended nothing)", async () => {
    const g = await gateway((n) => (n === 1 ? "ready" : "down"), 450);
    const client = createQuantWsClient({ url: g.url, loginTimeoutMs: 100, reloginTimeoutMs: 600, reconnect: { baseDelayMs: 20, maxDelayMs: 40 } });
    onTestFinished(() => client.close());
    client.on("error", () => undefined);
    const session = await client.login(creds({ accessKey: "flapping" }));
    const t0 = performance.now();
    const ended = new Promise<Error>((resolve) => session.on("end", ({ error }) => resolve(error as Error)));
    for (const ws of g.wss.clients) ws.terminate();
    const error = await ended;
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toMatch(/not READY again within 600 ms \(reloginTimeoutMs\)/);
  });
});
