/**
 * The rate limiter on a virtual clock, as a property: for any rules, requests (several limits
 * each, hold or acquire, any latency) and aborts, no window of any limit holds more than its
 * `limit` arrivals, requests of the same limits take their turns first come first served, an
 * aborted waiter takes no turn, nothing waits forever, and no place is left held.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import { RateLimiter } from "../../src/handwritten/core/rate-limit.js";
import { fcSeed } from "../helpers/fc-seed.js";

type Timer = { at: number; seq: number; fn: () => void };

function makeClock() {
  let t = 0;
  let seq = 0;
  const timers: Timer[] = [];
  const at = (when: number, fn: () => void) => timers.push({ at: Math.max(when, t), seq: seq++, fn });
  return {
    now: () => t,
    sleep: (ms: number) => new Promise<void>((r) => at(t + ms, r)),
    at,
    timers,
    set t(v: number) {
      t = v;
    },
    get t() {
      return t;
    },
  };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

async function drive(clock: ReturnType<typeof makeClock>, maxT = 1e9) {
  for (let guard = 0; guard < 1e6; guard++) {
    await flush();
    await flush();
    if (clock.timers.length === 0) return true;
    clock.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const next = clock.timers.shift()!;
    if (next.at > maxT) return false;
    clock.t = next.at;
    next.fn();
  }
  return false;
}

interface Req {
  at: number;
  names: string[];
  latency: number;
  frac: number;
  abortAfter: number | null;
  kind: "hold" | "acquire";
}

const ruleArb = fc.record({ limit: fc.integer({ min: 1, max: 4 }), intervalMs: fc.integer({ min: 50, max: 1000 }) });
const NAMES = ["a", "b", "c"];
const scenarioArb = fc.record({
  rules: fc.tuple(ruleArb, ruleArb, ruleArb),
  reqs: fc.array(
    fc.record({
      at: fc.integer({ min: 0, max: 3000 }),
      names: fc.subarray(["a", "b", "c", "zz"], { minLength: 1 }),
      latency: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 800 })),
      frac: fc.double({ min: 0, max: 1, noNaN: true }),
      abortAfter: fc.option(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3000 })), { freq: 2 }),
      kind: fc.constantFrom("hold" as const, "hold" as const, "acquire" as const),
    }),
    // (size "max": up to 40 requests; fast-check's default size made 1-12)
    { minLength: 1, maxLength: 40, size: "max" },
  ),
});

async function runScenario(s: { rules: Array<{ limit: number; intervalMs: number }>; reqs: Req[] }) {
  const clock = makeClock();
  const rules = Object.fromEntries(NAMES.map((n, i) => [n, s.rules[i]!]));
  const rl = new RateLimiter(rules, { now: clock.now, sleep: clock.sleep });
  const results: Array<{ req: Req; state: "pending" | "turn" | "refused"; take?: number; arrival?: number; abortedAt?: number; doneAt?: number }> = [];
  for (const req of s.reqs) {
    const rec: (typeof results)[number] = { req, state: "pending" };
    results.push(rec);
    clock.at(req.at, () => {
      const ac = new AbortController();
      if (req.abortAfter !== null) {
        clock.at(clock.t + req.abortAfter, () => {
          rec.abortedAt = clock.t;
          ac.abort(new Error("abort"));
        });
      }
      const p = req.kind === "hold" ? rl.hold(req.names, { signal: ac.signal }) : rl.acquire(req.names, { signal: ac.signal }).then(() => () => undefined);
      p.then(
        (done) => {
          rec.state = "turn";
          rec.take = clock.t;
          if (req.kind === "acquire") {
            rec.arrival = clock.t;
            return;
          }
          rec.arrival = clock.t + req.frac * req.latency;
          clock.at(clock.t + req.latency, () => {
            rec.doneAt = clock.t;
            done();
          });
        },
        (e) => {
          rec.state = "refused";
          if (rec.abortedAt === undefined) throw new Error(`refused without abort: ${e}`);
        },
      );
    });
  }
  const finished = await drive(clock);
  const problems: string[] = [];
  if (!finished) problems.push("did not finish");
  for (const r of results) if (r.state === "pending") problems.push(`pending forever: ${JSON.stringify(r.req)}`);
  for (const r of results) if (r.state === "turn" && r.abortedAt !== undefined && r.abortedAt < r.take!) problems.push(`turn after abort: ${JSON.stringify(r)}`);
  for (const [n, rule] of Object.entries(rules)) {
    const arr = results.filter((r) => r.state === "turn" && r.req.names.includes(n)).map((r) => r.arrival!).sort((a, b) => a - b);
    for (let i = 0; i + rule.limit < arr.length; i++) {
      if (arr[i + rule.limit]! - arr[i]! < rule.intervalMs) problems.push(`limit ${n} ${JSON.stringify(rule)}: ${rule.limit + 1} arrivals within ${arr[i + rule.limit]! - arr[i]!}: ${arr.slice(i, i + rule.limit + 1)}`);
    }
  }
  // FIFO among requests of the same (known) limits: a later one never takes its turn before an earlier one still waiting.
  const key = (r: Req) => r.names.filter((n) => n !== "zz").sort().join(",");
  for (let i = 0; i < results.length; i++)
    for (let j = 0; j < results.length; j++) {
      const A = results[i]!, B = results[j]!;
      if (A.req.at < B.req.at && key(A.req) === key(B.req) && key(A.req) !== "" && B.state === "turn" && (A.state === "turn" ? A.take! > B.take! : A.abortedAt! > B.take!))
        problems.push(`FIFO: ${JSON.stringify(A)} overtaken by ${JSON.stringify(B)}`);
    }
  // Leaked places: long after, each limit must take `limit` holds at once (no timer needed).
  clock.t = clock.t + 10_000;
  for (const [n, rule] of Object.entries(rules)) {
    let got = 0;
    for (let i = 0; i < rule.limit; i++) void rl.hold([n]).then((d) => (got++, d()));
    await flush();
    if (got !== rule.limit) problems.push(`leaked place in ${n}: only ${got}/${rule.limit} took a turn at once`);
    clock.t = clock.t + 10_000;
  }
  return problems;
}

describe("RateLimiter, simulated", () => {
  it("never exceeds a limit, keeps first come first served within the same limits, leaks no place", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const problems = await runScenario(s as never);
        if (problems.length) throw new Error(problems.slice(0, 5).join("\n"));
      }),
      // A fixed seed: CI runs the same schedules each time (8,000 unseeded runs passed when the
      // limiter became one line looked over in order).
      { numRuns: 150, seed: fcSeed(20261207) },
    );
  }, 60_000);

  it("a waiter held in line behind one that waits for another limit is not overtaken by a later request of its own limit (found unseeded)", async () => {
    // (the waiter of `a` from 2 ms took its turn at 154 ms, after one made at 152 ms)
    const problems = await runScenario({
      rules: [{ limit: 3, intervalMs: 50 }, { limit: 1, intervalMs: 52 }, { limit: 1, intervalMs: 50 }],
      reqs: (
        [
          [2, ["a"], null],
          [1, ["a", "b"], null],
          [0, ["c", "zz"], null],
          [0, ["a", "zz"], 0],
          [0, ["b", "c", "zz"], null],
          [0, ["a", "zz"], null],
          [152, ["a"], null],
          [0, ["a", "b"], null],
        ] as const
      ).map(([at, names, abortAfter]) => ({ at, names: [...names], latency: 0, frac: 0, abortAfter, kind: "hold" as const })),
    });
    if (problems.length) throw new Error(problems.join("\n"));
  });
});
