/**
 * Thousands of calls at once on one client, against a server that misbehaves at random (drops
 * the socket, never answers, cuts a body, answers 503 with Retry-After, answers late), with
 * retries, a shared rate limiter, per-call signals that abort (some shared by hundreds of
 * calls), per-call timeouts and a client signal. Every call settles within its bounds with its
 * value or a typed error, no error shows a credential or a signature, nothing is unhandled,
 * and no abort listener is left on a signal once its calls are over.
 */
import { getEventListeners } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TradeApiError } from "../../src/handwritten/core/errors.js";
import { RateLimiter } from "../../src/handwritten/core/rate-limit.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { outcomeRecorder, random } from "../helpers/outcomes.js";

const ACCESS = "ak-storm-0001";
const SECRET = "sk-storm-0001";
const CALLS = 2_000;

let server: Server;
let base: string;
const signatures = new Set<string>();
const rnd = random(42);
const BALANCE = { usdt: { freeze: "0", available: "12.5" } };
const ANSWER = JSON.stringify({ code: 200, info: "success", data: BALANCE });

beforeAll(async () => {
  server = createServer((req, res) => {
    const sig = new URL(req.url!, "http://x").searchParams.get("signature");
    if (sig) signatures.add(sig);
    const r = rnd();
    const ms = Math.floor(rnd() * 30);
    if (r < 0.1) return void setTimeout(() => req.socket.destroy(), ms);
    if (r < 0.15) return; // no answer: the timeout ends the call
    if (r < 0.2) {
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      res.write('{"code":');
      return void setTimeout(() => res.destroy(), ms);
    }
    if (r < 0.25) return void res.writeHead(503, { "retry-after": "0" }).end("busy");
    if (r < 0.3) return void res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ code: 400, info: `bad ${req.url}` }));
    setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end(ANSWER), ms);
  });
  server.keepAliveTimeout = 200;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe("a storm of calls on one client", () => {
  it(`${CALLS} calls with retries, a shared limiter, aborts and timeouts each settle typed, with nothing left behind`, async () => {
    const { outcomes, texts, untyped, unhandled, seen, stop } = outcomeRecorder();
    const client = new AbortController();
    const shared = new AbortController();
    // A limiter that queues: its queue meets the aborts, and it keeps the connections opened at
    // once below the listen backlog of the test's server (past it, the kernel drops connects).
    // (XT's other rules too, so wide they never hold a call: a client refuses a limiter without them)
    const wide = { limit: 1_000_000, intervalMs: 1 };
    const rateLimiter = new RateLimiter({ balance: { limit: 100, intervalMs: 100 }, user: wide, ip: wide });
    // (2 s per attempt for the calls without their own timeout: the server shares the test's
    // event loop, and on a busy machine 300 ms ended every call, none answered)
    const xt = createXtClient({ accessKey: ACCESS, secretKey: SECRET, baseUrl: base, timeoutMs: 2_000, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 }, rateLimit: rateLimiter, signal: client.signal });
    const timers: Array<ReturnType<typeof setTimeout>> = [];
    const started = performance.now();
    const calls: Array<Promise<void>> = [];
    for (let i = 0; i < CALLS; i++) {
      const r = rnd();
      const own = new AbortController();
      const opts = r < 0.25 ? { signal: own.signal } : r < 0.45 ? { signal: shared.signal, timeoutMs: 1 + Math.floor(rnd() * 100) } : r < 0.55 ? { timeoutMs: 1 } : undefined;
      if (r < 0.25) timers.push(setTimeout(() => own.abort(rnd() < 0.5 ? new Error("caller gave up") : undefined), Math.floor(rnd() * 60)));
      calls.push(
        xt.call("getBalance", {}, opts).then(
          (data) => {
            expect(data).toEqual(BALANCE);
            seen("call");
          },
          (e: unknown) => seen("call", e),
        ),
      );
      if (i % 100 === 99) await new Promise((r) => setTimeout(r, 5));
    }
    // While calls wait on it, the shared signal holds the library's one listener.
    expect(getEventListeners(shared.signal, "abort").length).toBeGreaterThan(0);
    try {
      await Promise.all(calls);
    } finally {
      for (const t of timers) clearTimeout(t);
      stop();
    }
    // Three attempts of at most 2 s, two short backoffs, and the limiter's queue: far below this
    // (a call that never settles never ends).
    expect(performance.now() - started).toBeLessThan(45_000);
    expect(untyped).toEqual([]);
    expect(unhandled).toEqual([]);
    for (const kind of ["call ok", "call AbortedError", "call TimeoutError"]) expect(outcomes.get(kind) ?? 0, kind).toBeGreaterThan(0);
    const text = texts.join("\n");
    // (calls signed in the same millisecond carry the same nonce, so the same signature: the
    // limiter lets a hundred go at once)
    expect(signatures.size).toBeGreaterThan(20);
    for (const secret of [ACCESS, SECRET, ...signatures]) expect(text.includes(secret), secret).toBe(false);
    // The signals the calls shared hold none of the library's listeners once the calls are over.
    expect(getEventListeners(shared.signal, "abort")).toHaveLength(0);
    expect(getEventListeners(client.signal, "abort")).toHaveLength(0);
    // And the client still works.
    await expect(xt.call("getBalance", {}, { timeoutMs: 2_000 }).catch((e: unknown) => (e instanceof TradeApiError ? "typed" : e))).resolves.toBeDefined();
  }, 60_000);
});
