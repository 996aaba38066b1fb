/**
 * One Xele client under a storm: 400 calls and row streams at once on two in-flight slots,
 * with signals that abort, per-call timeouts, streams left early or ended by a throwing loop,
 * and the server forgetting every token now and then (109 invalid token). Every call settles
 * with its answer or a typed error, no password or token shows in any error, the server never
 * sees more than the slots allow, every slot comes back, and a plain call works afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME, type XeleMock } from "../../src/mock/xele.js";
import { outcomeRecorder, random } from "../helpers/outcomes.js";

let mock: XeleMock;
beforeAll(async () => {
  mock = await startXeleMock({ latencyMs: 3, orders: 50 });
});
afterAll(() => mock.close());

describe("a Xele client under a storm", () => {
  it("400 calls and streams on two slots, with aborts, timeouts and token expiries: each settles typed, slots come back, nothing secret shown", async () => {
    const rnd = random(7);
    const tokens = new Set<string>();
    const client = createXeleClient({ maUrl: mock.maUrl, msUrl: mock.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD, timeoutMs: 1_000, maxInFlight: 2 });
    const { outcomes, texts, untyped, unhandled, seen, stop } = outcomeRecorder();
    const ops = ["getCounterStatus", "getSystemInfo", "getSeatConfigs", "getInvestorFunds", "getPositions"] as const;
    const consumerThrew = new Error("the loop's own failure");
    const calls: Array<Promise<void>> = [];
    const timers: Array<ReturnType<typeof setTimeout>> = [];
    try {
      for (let i = 0; i < 400; i++) {
        const r = rnd();
        const ac = new AbortController();
        const opts = r < 0.3 ? { signal: ac.signal } : r < 0.4 ? { timeoutMs: 1 + Math.floor(rnd() * 20) } : undefined;
        if (r < 0.3) timers.push(setTimeout(() => ac.abort(), Math.floor(rnd() * 30)));
        if (rnd() < 0.01) mock.expireTokens();
        if (rnd() < 0.2) {
          const leaveAt = rnd() < 0.5 ? 1 + Math.floor(rnd() * 5) : Infinity;
          const throwAt = rnd() < 0.2 ? 1 + Math.floor(rnd() * 5) : Infinity;
          calls.push(
            (async () => {
              let n = 0;
              for await (const _row of client.streamRows("queryOrders", {}, opts)) {
                if (++n === leaveAt) break;
                if (n === throwAt) throw consumerThrew;
              }
            })().then(
              () => seen("stream"),
              (e: unknown) => (e === consumerThrew ? seen("stream-consumer-threw") : seen("stream", e)),
            ),
          );
        } else {
          const op = ops[Math.floor(rnd() * ops.length)]!;
          calls.push(client.call(op, undefined, opts).then(() => seen("call"), (e: unknown) => seen("call", e)));
        }
        if (i % 10 === 0) await new Promise((r) => setTimeout(r, 10));
      }
      await Promise.all(calls);
      // The slots all came back: a plain call works, and nothing is in flight at the server.
      await expect(client.call("getCounterStatus")).resolves.toBeDefined();
    } finally {
      for (const t of timers) clearTimeout(t);
      stop();
    }
    for (const r of mock.received) if (typeof r.json.token === "string") tokens.add(r.json.token);
    expect(untyped).toEqual([]);
    expect(unhandled).toEqual([]);
    expect(mock.stats.maxInFlight.MS).toBeLessThanOrEqual(2);
    expect(mock.stats.inFlight).toEqual({ MA: 0, MS: 0 });
    for (const kind of ["call ok", "call AbortedError", "call TimeoutError"]) expect(outcomes.get(kind) ?? 0, kind).toBeGreaterThan(0);
    expect(mock.stats.logins).toBeGreaterThan(1);
    const text = texts.join("\n");
    expect(tokens.size).toBeGreaterThan(1);
    for (const secret of [XELE_MOCK_PASSWORD, ...tokens]) expect(text.includes(secret), secret).toBe(false);
  }, 60_000);
});
