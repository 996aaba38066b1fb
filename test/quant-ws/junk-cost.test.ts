/**
 * What a flood of frames nobody asked for costs: about what the same number of ordinary
 * frames of its kind costs, whatever the client holds already. Each bound is a ratio to a
 * baseline measured in the same test (no absolute time: the machine may be loaded), wide
 * enough for noise, below what they were before (about 4× for the login replies, 20× to 150×
 * for the held frames).
 */
import { describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import { TradeApiError } from "../../src/handwritten/core/errors.js";
import { createQuantWsClient } from "../../src/handwritten/quant-ws/index.js";
import type { IncomingFrame } from "../../src/handwritten/quant-ws/frames.js";
import { SessionRouter } from "../../src/handwritten/quant-ws/session-router.js";
import { driveSession, QuantWsSession, type SessionHost } from "../../src/handwritten/quant-ws/session.js";
import { creds, payloads, rawGateway, replyTo } from "./helpers.js";

/** How long `f` takes, in ms. */
async function timed(f: () => Promise<void> | void): Promise<number> {
  const started = performance.now();
  await f();
  return performance.now() - started;
}

/** The middle value of `values`. */
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe("quant-ws: the cost of junk frames", () => {
  it("login replies to no request, each with a new token: about the cost of other replies to no request (no redactor of every secret made per frame)", async () => {
    const N = 1_000;
    const { url, wss } = await rawGateway((ws, f) => {
      if (f.op !== "login") return;
      ws.send(replyTo(f, { token: "tok-session" }));
      ws.send(JSON.stringify({ op: "state", token: "tok-session", code: 6, msg: "" }));
    });
    const client = createQuantWsClient({ url, pingIntervalMs: 0, reconnect: false });
    let errors = 0;
    client.on("error", () => errors++);
    await client.login(creds());
    const ws: WebSocket = [...wss.clients][0]!;
    let seq = 0;
    const flood = async (withToken: boolean) => {
      errors = 0;
      for (let i = 0; i < N; i++) {
        const tag = `${(seq++).toString(36).padStart(8, "0")}${Math.random().toString(36).slice(2, 8)}`;
        // The same length either way: a token, or a text that is no secret.
        ws.send(JSON.stringify({ op: "login", cid: `junk-${tag}`, result: withToken, error_message: withToken ? "" : `x${tag}`, ...(withToken ? { token: `t${tag}` } : {}) }));
      }
      await expect.poll(() => errors, { timeout: 60_000, interval: 5 }).toBe(N);
    };
    // (past the bound of kept tokens before anything is timed: the redactor holds 256 of them)
    await flood(true);
    // Pairs run one after the other, so that the machine's other work weighs on both alike.
    const ratios: number[] = [];
    for (let i = 0; i < 5; i++) {
      const plain = await timed(() => flood(false));
      ratios.push((await timed(() => flood(true))) / plain);
    }
    await client.close();
    expect(median(ratios)).toBeLessThan(3);
  }, 120_000);

  /** A session logging in (its notifications held), driven as the client drives it. */
  function holdingSession() {
    const reported: unknown[] = [];
    const host: SessionHost = {
      requestTimeoutMs: 1_000,
      notReady: "wait",
      retryReads: undefined,
      send: () => Promise.reject(new Error("not sent in this test")),
      socketOpen: () => true,
      relogging: () => false,
      afterLogout: () => Promise.resolve(undefined),
      forget: () => undefined,
      reportError: (e) => reported.push(e),
      scrub: (e) => e,
    };
    const session = new QuantWsSession(host, creds());
    driveSession.awaitLoginReady(session, 60_000, { platform: "huobi", secrets: [] }).catch(() => undefined);
    return { session, reported, end: () => driveSession.end(session, new TradeApiError("test over")) };
  }

  /**
   * The time of K more frames into a queue at its bound (100,000), and for comparison into one
   * near empty: each the fastest of three (the least disturbed by the machine's other work).
   */
  function timings(make: () => { push: (n: number) => void; done: () => void }): { under: number; over: number } {
    const K = 20_000;
    let under = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) {
      const q = make();
      const started = performance.now();
      q.push(K);
      under = Math.min(under, performance.now() - started);
      q.done();
    }
    const q = make();
    q.push(100_000);
    let over = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      q.push(K);
      over = Math.min(over, performance.now() - started);
    }
    q.done();
    return { under, over };
  }

  it("notifications held during a login past their bound (100,000): dropping the oldest for each new one costs what holding one does", () => {
    const fill = payloads.fill();
    const { under, over } = timings(() => {
      const { session, reported, end } = holdingSession();
      return {
        push: (n) => {
          for (let i = 0; i < n; i++) driveSession.onNotify(session, "fill", fill, 100);
        },
        done: () => {
          expect(reported.length).toBeLessThanOrEqual(1);
          end();
        },
      };
    });
    expect(over).toBeLessThan(4 * under + 20);
  });

  it("frames for a login's token read before the login takes it, past their bound (100,000): dropping the oldest for each new one costs what holding one does", () => {
    const text = JSON.stringify({ op: "notify", topic: "fill", token: "tok-expected", data: payloads.fill() });
    const frame = { kind: "notify", topic: "fill", token: "tok-expected", frame: JSON.parse(text) } as Extract<IncomingFrame, { kind: "notify" }>;
    const { under, over } = timings(() => {
      let unrouted = 0;
      const router = new SessionRouter(
        () => undefined,
        () => unrouted++,
      );
      router.expect("tok-expected");
      let routed = 0;
      return {
        push: (n) => {
          for (let i = 0; i < n; i++) router.route(frame, text);
          routed += n;
        },
        done: () => {
          expect(unrouted).toBe(Math.max(0, routed - 100_000));
          router.clearOrphans("test over");
        },
      };
    });
    expect(over).toBeLessThan(4 * under + 20);
  });
});
