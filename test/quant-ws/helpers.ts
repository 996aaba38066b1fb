/**
 * Test setup for the Quant gateway: a real emulator on 127.0.0.1:0 and a client with short,
 * test-sized intervals; both are closed when the test ends (onTestFinished).
 */
import type { AddressInfo } from "node:net";
import { onTestFinished } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { createQuantWsClient, type QuantWsClient, type QuantWsClientOptions, type QuantWsLogin } from "../../src/handwritten/quant-ws/index.js";
import { startQuantWsMock, type QuantWsMock, type QuantWsMockOptions, type ReceivedFrame } from "../../src/mock/quant-ws.js";

export const ETH = "ETH/USDT";

export function creds(over: Partial<QuantWsLogin> = {}): QuantWsLogin {
  return { platform: "huobi", symbols: [ETH], accessKey: "ak-test", secretKey: "sk-test", ...over };
}

export async function startMock(opts: QuantWsMockOptions = {}): Promise<QuantWsMock> {
  const mock = await startQuantWsMock({ readyDelayMs: 20, ...opts });
  onTestFinished(() => mock.close());
  return mock;
}

export function newClient(mock: QuantWsMock, opts: QuantWsClientOptions = {}): QuantWsClient {
  const client = createQuantWsClient({
    url: mock.url,
    requestTimeoutMs: 2_000,
    loginTimeoutMs: 2_000,
    reconnect: { baseDelayMs: 20, maxDelayMs: 200 },
    ...opts,
  });
  onTestFinished(() => client.close());
  return client;
}

export async function setup(mockOpts: QuantWsMockOptions = {}, clientOpts: QuantWsClientOptions = {}) {
  const mock = await startMock(mockOpts);
  const client = newClient(mock, clientOpts);
  return { mock, client };
}

/** Frames of one op the emulator received, in order. */
export function framesOf(mock: QuantWsMock, op: string): Array<Record<string, unknown>> {
  return mock.received.map((r) => r.frame).filter((f): f is Record<string, unknown> => typeof f === "object" && f.op === op);
}

export const isOp =
  (op: string, extra: (f: Record<string, unknown>) => boolean = () => true) =>
  (r: ReceivedFrame): boolean =>
    typeof r.frame === "object" && r.frame.op === op && extra(r.frame);

/**
 * A request the emulator will not answer (`op` silenced), made by `ask`, once the emulator has
 * it: the pending request and the frame's cid, for a test that sends the reply by hand.
 */
export async function askUnanswered<T>(mock: QuantWsMock, op: string, ask: () => Promise<T>): Promise<{ asked: Promise<T>; cid: string }> {
  mock.silence(op);
  const asked = ask();
  // Caught for now (a rejection before the test awaits it is not unhandled); the test reads it.
  asked.catch(() => undefined);
  const sent = await mock.waitForFrame(isOp(op));
  return { asked, cid: (sent.frame as { cid: string }).cid };
}

/** Payloads that fit the spec's notification schemas (the client refuses others), with `extra` fields added. */
export const payloads = {
  order: (extra: Record<string, unknown> = {}) => ({
    symbol: ETH, order_no: "1", action: "BUY", price: 1, quantity: 1, remain: 1, status: "SUBMITTED", order_type: "LIMIT", ctime: 1, utime: 1, ...extra,
  }),
  fill: (extra: Record<string, unknown> = {}) => ({
    symbol: ETH, order_no: "1", fill_no: "f1", price: 1, quantity: 1, side: "BUY", liquidity: "TAKER", ctime: 1, ...extra,
  }),
  position: (extra: Record<string, unknown> = {}) => ({
    symbol: ETH, margin_mode: null, utime: null,
    ...Object.fromEntries(["long", "short"].flatMap((side) => ["quantity", "avail_qty", "open_price", "hold_price", "liquid_price", "unrealised_pnl", "leverage", "margin"].map((f) => [`${side}_${f}`, 0]))),
    ...extra,
  }),
};

/**
 * A gateway written by hand for one test, on 127.0.0.1:0 (closed when the test ends): `handle`
 * gets every frame a client sends, parsed, and the socket it came on.
 */
export async function rawGateway(handle: (ws: WebSocket, frame: Record<string, unknown>) => void): Promise<{ url: string; wss: WebSocketServer }> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  onTestFinished(
    () =>
      new Promise<void>((r) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => r());
      }),
  );
  wss.on("connection", (ws) => {
    ws.on("error", () => undefined);
    ws.on("message", (raw) => handle(ws, JSON.parse(String(raw)) as Record<string, unknown>));
  });
  await new Promise<void>((r) => wss.once("listening", () => r()));
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws/v1`, wss };
}

/** A reply to `frame` with result true and `extra` fields. */
export const replyTo = (frame: Record<string, unknown>, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ op: frame.op, cid: frame.cid, result: true, error_message: "", ...extra });

export { rejection } from "../helpers/rejection.js";
