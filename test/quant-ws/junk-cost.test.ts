/**
 * What a flood of frames nobody asked for costs: about what the same number of ordinary
 * frames of its kind costs, whatever the client holds already. Each bound is a ratio to a
 * baseline measured in the same test (no absolute time: the machine may be loaded), wide
 * enough for noise, below what they were before (about 4× for the login replies, 20× to 150×
 * for the held frames).
 */
import { describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import { createQuantWsClient } from "../../src/handwritten/quant-ws/index.js";
import { creds, rawGateway, replyTo } from "./helpers.js";

/** The smallest of `runs` timings of `f` (the least disturbed by the machine's other work). */
async function fastest(runs: number, f: () => Promise<void> | void): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await f();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

describe("quant-ws: the cost of junk frames", () => {
  it("login replies to no request, each with a new token: about the cost of other replies to no request (no redactor of every secret made per frame)", async () => {
    const N = 1_500;
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
    const plain = await fastest(3, () => flood(false));
    const tokens = await fastest(3, () => flood(true));
    await client.close();
    expect(tokens / plain).toBeLessThan(3);
  }, 120_000);
});
