/**
 * `npm run bench -- quant-ws`: request/reply throughput of `session.request` against a
 * raw `ws` client sending the same JSON frame and awaiting its reply (JSON.parse + cid lookup,
 * the least a hand-written client does), both against the same minimal local server, in
 * interleaved rounds. Two shapes: one request at a time (latency-bound) and a window of 64 in
 * flight (CPU-bound). Target: the client reaches ≥ 0.8× the raw rate.
 */
import type { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer } from "ws";
import { createQuantWsClient } from "../src/handwritten/quant-ws/index.js";
import { interleave, median } from "./harness.js";

const SEQUENTIAL = 2_000;
const PIPELINED = 10_000;
const WINDOW = 64;
const ROUNDS = 15;

/** Answers login with a token then READY, ping with pong, anything else with a success reply. */
async function startEchoServer(): Promise<{ url: string; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, path: "/ws/v1", perMessageDeflate: false });
  await new Promise<void>((r) => wss.once("listening", () => r()));
  const data = { price_tick: 0.01, size_tick: 1, size_limit: 10, value_tick: 1, value_limit: 10, base_currency: "ETH", quote_currency: "USDT", settlement_currency: "USDT" };
  let tokens = 0;
  wss.on("connection", (ws) => {
    ws.on("message", (raw) => {
      const f = JSON.parse(raw.toString()) as { op: string; cid?: string; ts?: number };
      if (f.op === "ping") return ws.send(JSON.stringify({ op: "pong", ts: f.ts }));
      if (f.op === "login") {
        const token = `bench-${++tokens}`;
        ws.send(JSON.stringify({ op: "login", cid: f.cid ?? "", result: true, error_message: "", token }));
        ws.send(JSON.stringify({ op: "state", token, code: 6, msg: "ready" }));
        return;
      }
      ws.send(JSON.stringify({ op: f.op, cid: f.cid ?? "", result: true, error_message: "", data }));
    });
  });
  const port = (wss.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/ws/v1`,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  };
}

/** The raw baseline: same frame, own cids, JSON.parse and a Map lookup per reply. */
async function rawClient(url: string, token: string) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((r, j) => {
    ws.once("open", () => r());
    ws.once("error", j);
  });
  const waiting = new Map<string, (reply: unknown) => void>();
  ws.on("message", (raw) => {
    const reply = JSON.parse(raw.toString()) as { cid: string };
    const done = waiting.get(reply.cid);
    if (done) {
      waiting.delete(reply.cid);
      done(reply);
    }
  });
  let seq = 0;
  return {
    request(): Promise<unknown> {
      const cid = `r${(++seq).toString(36)}`;
      return new Promise((resolve) => {
        waiting.set(cid, resolve);
        ws.send(JSON.stringify({ op: "symbol_info", token, symbol: "ETH/USDT", cid }));
      });
    },
    close: () => ws.close(),
  };
}

async function sequential(n: number, request: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < n; i++) await request();
}

async function windowed(n: number, request: () => Promise<unknown>): Promise<void> {
  let started = 0;
  const lane = async () => {
    while (started < n) {
      started++;
      await request();
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, lane));
}

function line(name: string, n: number, rounds: number[]): number {
  const perSec = n / (median(rounds) / 1000);
  console.log(`  ${name.padEnd(40)} ${Math.round(perSec).toLocaleString("en-US").padStart(9)} req/s (median of ${rounds.length} rounds of ${n})`);
  return perSec;
}

async function main(): Promise<void> {
  const server = await startEchoServer();
  const client = createQuantWsClient({ url: server.url, pingIntervalMs: 0 });
  const session = await client.login({ platform: "huobi", symbols: ["ETH/USDT"], accessKey: "bench", secretKey: "bench" });
  const raw = await rawClient(server.url, session.token);
  const viaSession = () => session.request("symbol_info", { symbol: "ETH/USDT" });
  const viaRaw = () => raw.request();
  console.log(`quant-ws request/reply throughput (node ${process.version}, loopback, ${ROUNDS} interleaved rounds)`);
  let worst = Infinity;
  for (const [title, n, shape] of [
    ["one at a time", SEQUENTIAL, sequential],
    [`${WINDOW} in flight`, PIPELINED, windowed],
  ] as const) {
    const [s, r] = await interleave(
      { name: "session.request", run: () => shape(n, viaSession) },
      { name: "raw ws + JSON.parse + cid map", run: () => shape(n, viaRaw) },
      ROUNDS,
    );
    console.log(`\n${title}`);
    const rawRate = line(r.name, n, r.rounds);
    const sessionRate = line(s.name, n, s.rounds);
    const ratio = sessionRate / rawRate;
    worst = Math.min(worst, ratio);
    console.log(`  ratio ${ratio.toFixed(3)}× the raw rate (target ≥ 0.8×)`);
  }
  raw.close();
  await client.close();
  await server.close();
  console.log(`\nworst ratio ${worst.toFixed(3)}× ${worst >= 0.8 ? "(meets the 0.8× target)" : "(BELOW the 0.8× target)"}`);
}

await main();
