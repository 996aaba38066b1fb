/**
 * Leak test for the Quant gateway WebSocket: a hostile gateway that echoes the login frame
 * (which carries access_key and secret_key) in a refused login's error_message, in frames that
 * are not JSON, in replies for unknown cids, in broken replies, in `{"op":"error"}` frames and
 * in a state message; plus a silent gateway (timeout). Searched in every rejection, every
 * `error` event and the CLI's stdout/stderr: 0 hits.
 */
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { TimeoutError, TradeApiError, UsageError } from "../../src/handwritten/core/errors.js";
import { createQuantWsClient, type QuantWsClientEvents, type QuantWsSession, type QuantWsSessionEvents } from "../../src/handwritten/quant-ws/index.js";
import { startQuantWsMock } from "../../src/mock/index.js";

type QuantWsSessionOf = QuantWsSession;
import { runCliCaptured } from "../helpers/cli.js";
import { closedPort, errorSurfaces, findLeaks, objectSurfaces } from "./leak-probe.js";

const ACCESS_KEY = "qwAK-leakprobe-3c9d0e71";
const SECRET_KEY = "qwSK-leakprobe-e4a8b25f06";
const SECRETS = [ACCESS_KEY, SECRET_KEY];

const echo = (text: string) => [text, text.toUpperCase(), encodeURIComponent(text), Buffer.from(text).toString("base64")].join(" | ");

type Gateway = (ws: WebSocket, frame: Record<string, unknown>, text: string) => void;

const GATEWAYS: Array<[string, Gateway]> = [
  ["login refused, echoing the frame", (ws, f, t) => ws.send(JSON.stringify({ op: "login", cid: f.cid, result: false, error_message: echo(t), token: "" }))],
  [
    "frames that are not JSON, unknown cids, op:error, then a refusal",
    (ws, f, t) => {
      ws.send(`not json: ${echo(t)}`);
      ws.send(JSON.stringify({ op: "login", cid: "nobody", result: false, error_message: echo(t) }));
      ws.send(JSON.stringify({ op: "error", error_message: echo(t) }));
      ws.send(JSON.stringify({ op: "notify", topic: echo(t) }));
      ws.send(JSON.stringify({ op: echo(t) }));
      ws.send(JSON.stringify({ op: "login", cid: f.cid, result: false, error_message: "no" }));
    },
  ],
  ["a broken login reply echoing the frame", (ws, f, t) => ws.send(JSON.stringify({ op: "login", cid: f.cid, result: "yes", echo: echo(t), [echo(t).slice(0, 200)]: 1 }))],
  [
    "login accepted, then a fatal state echoing the frame",
    (ws, f, t) => {
      ws.send(JSON.stringify({ op: "login", cid: f.cid, result: true, error_message: "", token: "tk-1" }));
      ws.send(JSON.stringify({ op: "state", token: "tk-1", code: 1, msg: echo(t) }));
    },
  ],
  ["a silent gateway (timeout)", () => undefined],
];

let servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const s of servers) {
    for (const c of s.clients) c.terminate();
    await new Promise<void>((r) => s.close(() => r()));
  }
  servers = [];
});

async function gateway(onLogin: Gateway): Promise<string> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  servers.push(wss);
  await new Promise<void>((r) => wss.once("listening", () => r()));
  wss.on("connection", (ws) => {
    ws.on("message", (data) => {
      const text = String(data);
      const frame = JSON.parse(text) as Record<string, unknown>;
      if (frame.op === "login") onLogin(ws, frame, text);
      else if (frame.op === "ping") ws.send(JSON.stringify({ op: "pong", ts: frame.ts }));
      else if (frame.op === "logout") ws.send(JSON.stringify({ op: "logout", cid: frame.cid, result: true, error_message: "" }));
    });
  });
  return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws/v1`;
}

describe("quant-ws: no secret in any error", () => {
  it.each(GATEWAYS)("%s", async (name, onLogin) => {
    const url = await gateway(onLogin);
    const silent = /silent/.test(name);
    const client = createQuantWsClient({ url, loginTimeoutMs: silent ? 400 : 5_000, requestTimeoutMs: silent ? 400 : 5_000, reconnect: false });
    const events: unknown[] = [];
    client.on("error", (e) => events.push(e));
    let error: unknown;
    try {
      await client.login({ platform: "binance", symbols: ["ETH/USDT"], accessKey: ACCESS_KEY, secretKey: SECRET_KEY });
    } catch (e) {
      error = e;
    } finally {
      await new Promise((r) => setTimeout(r, 50));
      await client.close();
    }
    expect(error).toBeInstanceOf(TradeApiError);
    if (!silent) expect(error).not.toBeInstanceOf(TimeoutError);
    const surfaces: Record<string, string> = { ...errorSurfaces("login", error), ...objectSurfaces("client", client) };
    events.forEach((e, i) => Object.assign(surfaces, errorSurfaces(`event${i}`, e)));
    const hits = findLeaks(surfaces, SECRETS);
    expect(hits, hits.map((h) => `${h.where}: ${h.secret} …${h.excerpt}…`).join("\n")).toEqual([]);
  });
});

describe("quant-ws: a gateway URL with user:password@", () => {
  // ws would send it as Authorization: Basic, over plain ws:// too. Refused as the REST
  // clients' base URLs are (tradeapi never sends URL credentials), and never printed.
  it("is refused when the client is made, by the library and the CLI; the password is in no message", async () => {
    const password = "wsPW-leakprobe-71c0d2";
    const url = `ws://leakuser:${password}@127.0.0.1:${await closedPort()}/ws/v1`;
    let error: unknown;
    try {
      createQuantWsClient({ url, reconnect: false });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain("holds credentials (user:password@); tradeapi does not send them");
    expect(findLeaks(errorSurfaces("create", error), [password])).toEqual([]);
    const run = await runCliCaptured(["call", "quant-ws", "asset", "--symbols", "ETH/USDT"], { QUANT_WS_URL: url, QUANT_WS_ACCESS_KEY: ACCESS_KEY, QUANT_WS_SECRET_KEY: SECRET_KEY, QUANT_WS_PLATFORM: "huobi" });
    expect(run.code).toBe(2);
    expect(findLeaks({ stdout: run.stdout, stderr: run.stderr }, [password])).toEqual([]);
  });
});

describe("quant-ws CLI: stdout and stderr carry no secret", () => {
  it.each(GATEWAYS.filter(([name]) => !/silent/.test(name)))("%s", async (_name, onLogin) => {
    const url = await gateway(onLogin);
    const run = await runCliCaptured(["call", "quant-ws", "asset", "--symbols", "ETH/USDT", "--timeout", "5000"], {
      QUANT_WS_URL: url,
      QUANT_WS_ACCESS_KEY: ACCESS_KEY,
      QUANT_WS_SECRET_KEY: SECRET_KEY,
      QUANT_WS_PLATFORM: "huobi",
    });
    expect(run.code).toBe(1);
    const hits = findLeaks({ stdout: run.stdout, stderr: run.stderr }, SECRETS);
    expect(hits, `${run.stderr}\n${hits.map((h) => `${h.where}: ${h.secret} …${h.excerpt}…`).join("\n")}`).toEqual([]);
  });
});

describe("quant-ws CLI `ws login`: printed state lines carry no secret", () => {
  it("a READY state whose message echoes the login frame", async () => {
    const url = await gateway((ws, f, t) => {
      ws.send(JSON.stringify({ op: "login", cid: f.cid, result: true, error_message: "", token: "tk-2" }));
      ws.send(JSON.stringify({ op: "state", token: "tk-2", code: 6, msg: echo(t) }));
    });
    const run = await runCliCaptured(["ws", "login", "--url", url, "--platform", "huobi", "--symbols", "ETH/USDT", "--seconds", "0.1"], {
      QUANT_WS_ACCESS_KEY: ACCESS_KEY,
      QUANT_WS_SECRET_KEY: SECRET_KEY,
      QUANT_WS_PLATFORM: "huobi",
    });
    expect(run.stdout).toContain('"state"');
    const hits = findLeaks({ stdout: run.stdout, stderr: run.stderr }, SECRETS);
    expect(hits, `${run.stdout}\n${run.stderr}`).toEqual([]);
  });
});

describe("quant-ws: the client's own secret given as an order field", () => {
  // A mixed-up variable: the secret key where the order's side or symbol goes. The field
  // check's UsageError names the field, never the value (nothing is sent).
  it.each([
    ["placeOrder", (s: QuantWsSessionOf) => s.placeOrder({ symbol: "ETH/USDT", action: SECRET_KEY as never, price: 1, quantity: 1, order_type: "LIMIT" })],
    ["request", (s: QuantWsSessionOf) => s.request("place_order", { symbol: "ETH/USDT", action: "BUY", price: 1, quantity: 1, order_type: ACCESS_KEY as never })],
    ["placeOrder, the key as its quantity", (s: QuantWsSessionOf) => s.placeOrder({ symbol: "ETH/USDT", action: "BUY", price: 1, quantity: SECRET_KEY as never, order_type: "LIMIT" })],
  ] as Array<[string, (s: QuantWsSessionOf) => Promise<unknown>]>)("%s", async (_name, run) => {
    const mock = await startQuantWsMock({ port: 0, readyDelayMs: 5 });
    const client = createQuantWsClient({ url: mock.url, reconnect: false });
    try {
      const session = await client.login({ platform: "huobi", symbols: ["ETH/USDT"], accessKey: ACCESS_KEY, secretKey: SECRET_KEY });
      const error = await run(session).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toContain("[redacted]");
      const hits = findLeaks(errorSurfaces("error", error), SECRETS);
      expect(hits, hits.map((h) => `${h.where}: ${h.secret} …${h.excerpt}…`).join("\n")).toEqual([]);
    } finally {
      await client.close();
      await mock.close();
    }
  });
});

describe("quant-ws: no session token in any event", () => {
  // A service that logs its events (JSON, util.inspect) must not log the tokens the gateway
  // issued: they are kept out of every event, as the keys are, through reconnects and re-logins.
  it("every event of the client and its sessions, over logins, orders, two reconnects and an outage", async () => {
    const mock = await startQuantWsMock({ port: 0, readyDelayMs: 5 });
    const client = createQuantWsClient({ url: mock.url, pingIntervalMs: 50, reconnect: { baseDelayMs: 5, maxDelayMs: 10 } });
    const payloads: Array<[string, unknown]> = [];
    const clientEvents = { error: 1, open: 1, disconnected: 1, reconnecting: 1, reloginRetry: 1, reloginDelayed: 1, reconnected: 1, state: 1, pong: 1, closed: 1 } satisfies Record<keyof QuantWsClientEvents, 1>;
    const sessionEvents = { order: 1, fill: 1, position: 1, asset: 1, state: 1, relogin: 1, end: 1 } satisfies Record<keyof QuantWsSessionEvents, 1>;
    for (const name of Object.keys(clientEvents) as Array<keyof QuantWsClientEvents>) client.on(name, (v) => payloads.push([name, v]));
    const tokens = new Set<string>();
    const keepTokens = () => {
      for (const t of mock.tokens()) tokens.add(t);
    };
    try {
      const sessions = [
        await client.login({ platform: "huobi", symbols: ["ETH/USDT"], accessKey: ACCESS_KEY, secretKey: SECRET_KEY }),
        await client.login({ platform: "okex", symbols: ["ETH/USDT"], accessKey: `${ACCESS_KEY}-2`, secretKey: SECRET_KEY }),
      ];
      for (const [i, s] of sessions.entries()) for (const name of Object.keys(sessionEvents) as Array<keyof QuantWsSessionEvents>) s.on(name, (v) => payloads.push([`session${i}.${name}`, v]));
      keepTokens();
      await sessions[0]!.placeOrder({ symbol: "ETH/USDT", action: "BUY", price: 0, quantity: 1, order_type: "MARKET" });
      for (let drop = 0; drop < 2; drop++) {
        const back = client.next("reconnected", 5_000);
        mock.dropSockets();
        expect((await back).sessions.map((r) => r.session)).toEqual(sessions);
        keepTokens();
      }
      const outage = sessions[1]!.next("state", 2_000);
      mock.outage(50, sessions[1]!.token);
      await outage;
      await sessions[1]!.waitReady(2_000);
      await sessions[0]!.placeOrder({ symbol: "ETH/USDT", action: "SELL", price: 0, quantity: 1, order_type: "MARKET" });
      keepTokens();
    } finally {
      await client.close();
      await mock.close();
    }
    const names = new Set(payloads.map(([name]) => name));
    for (const name of ["open", "disconnected", "reconnecting", "reconnected", "state", "session0.relogin", "session1.relogin", "session0.order", "session0.fill", "session1.state", "session0.end", "closed"]) expect(names).toContain(name);
    expect(tokens.size).toBe(6);
    const surfaces: Record<string, string> = {};
    payloads.forEach(([name, v], i) => Object.assign(surfaces, v instanceof Error ? errorSurfaces(`${i}:${name}`, v) : objectSurfaces(`${i}:${name}`, v)));
    const hits = findLeaks(surfaces, tokens);
    expect(hits, hits.map((h) => `${h.where}: ${h.secret} …${h.excerpt}…`).join("\n")).toEqual([]);
    // A re-login's event says how many new tokens the session has got, not which.
    expect(payloads.filter(([name]) => name === "session0.relogin").map(([, v]) => v)).toEqual([{ relogins: 1 }, { relogins: 2 }]);
  });
});
