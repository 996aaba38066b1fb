/**
 * What the rate limiter costs grows with the waiters in line, not with their square: four times
 * the waiters take about four times as long (a square would be sixteen). Ratios measured in
 * one process, the least of three runs each, so a slow machine moves both sides.
 * - Aborted one by one (a client's signal over per-call signals aborts each call's own): each
 *   abort looked over the whole line (10,000 took 28 s).
 * - A line of XT balance calls drained on a virtual clock: each pass read every waiter, as the
 *   IP limit they also name is never full (10,000 took 7 s).
 */
import { describe, expect, it } from "vitest";
import { RateLimiter } from "../../src/handwritten/core/rate-limit.js";
import { timerClock } from "../helpers/timer-clock.js";

const XT_LIKE = { balance: { limit: 3, intervalMs: 1000 }, user: { limit: 10, intervalMs: 1000 }, ip: { limit: 1000, intervalMs: 60_000 } };

async function leastOf(runs: number, f: () => Promise<void>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

async function abortOneByOne(n: number): Promise<void> {
  const rl = new RateLimiter(XT_LIKE);
  const acs = Array.from({ length: n }, () => new AbortController());
  const all = acs.map((ac) => rl.hold(["balance", "ip"], { signal: ac.signal }).then((done) => done(), () => undefined));
  await new Promise((r) => setImmediate(r));
  for (const ac of acs) ac.abort();
  await Promise.all(all);
}

async function drain(n: number): Promise<void> {
  const clock = timerClock();
  const rl = new RateLimiter(XT_LIKE, clock);
  await clock.run(Promise.all(Array.from({ length: n }, () => rl.hold(["balance", "ip"]).then((done) => clock.sleep(50).then(done)))));
}

describe("RateLimiter: cost per waiter", () => {
  it("aborting waiters one by one: 4x the waiters, well under 16x the time", async () => {
    await abortOneByOne(500); // (warm-up)
    const small = await leastOf(3, () => abortOneByOne(1_500));
    const large = await leastOf(3, () => abortOneByOne(6_000));
    expect(large / small).toBeLessThan(9);
  }, 120_000);

  it("draining a line of balance calls (they also name the IP limit): 4x the waiters, well under 16x the time", async () => {
    await drain(300);
    const small = await leastOf(3, () => drain(1_000));
    const large = await leastOf(3, () => drain(4_000));
    expect(large / small).toBeLessThan(9);
  }, 120_000);
});
