import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { giveBackTurn, RateLimiter } from "../../src/handwritten/core/rate-limit.js";
import { meta } from "../../generated/xt-spot.docs.js";
import { createXtClient, createXtRateLimiter } from "../../src/handwritten/xt/client.js";
import { recordingFetch, json } from "../helpers/recording-fetch.js";
import { timerClock } from "../helpers/timer-clock.js";
import { AbortedError, UsageError } from "../../src/handwritten/core/errors.js";

/**
 * A virtual clock: sleep advances time without waiting, so limits are tested without waiting;
 * after what is already due has run (a macrotask), so a start is seen at the time it happened.
 */
function virtualClock() {
  let t = 0;
  return { now: () => t, sleep: (ms: number) => new Promise<void>((r) => setImmediate(() => ((t += ms), r()))), get t() { return t; } };
}

describe("RateLimiter", () => {
  it("a window's worth of waiters free at once all get their turn (starting each from the one before nested calls: 1,300 overflowed the stack, and the rest hung)", async () => {
    const clock = timerClock();
    const limit = 5_000;
    const rl = new RateLimiter({ ip: { limit, intervalMs: 200 } }, clock);
    const starts: number[] = [];
    const all = Promise.all(Array.from({ length: 2 * limit }, () => rl.acquire(["ip"]).then(() => void starts.push(clock.now()))));
    await clock.run(all);
    expect(starts).toHaveLength(2 * limit);
    expect(starts.filter((t) => t === 0)).toHaveLength(limit);
    expect(starts.filter((t) => t === 200)).toHaveLength(limit);
  });

  it("a waiter is not held behind one that waits for another limit: a later request of the same limits does not go first", async () => {
    const clock = timerClock();
    const rl = new RateLimiter({ b: { limit: 1, intervalMs: 1000 }, u: { limit: 3, intervalMs: 100 } }, clock);
    const starts: Record<string, number> = {};
    const go = (name: string, names: string[]) => rl.acquire(names).then(() => void (starts[name] = clock.now()));
    const r1 = go("R1", ["b", "u"]);
    const r2 = go("R2", ["u"]);
    await Promise.all([r1, r2]);
    const h = go("H", ["b", "u"]); // waits for b (1 a second)
    const x = go("X", ["u"]); // u has room once R1 and R2 leave its window
    const y = new Promise<void>((r) => void clock.sleep(200).then(r)).then(() => go("Y", ["u"]));
    await clock.run(Promise.all([h, x, y]));
    expect(starts.X).toBeLessThanOrEqual(100);
    expect(starts.X).toBeLessThanOrEqual(starts.Y!);
    expect(starts.H).toBe(1000);
  });

  it("a waiter behind one held by another limit goes when its own limit has room: a later request of its limit does not go first (it went at 1 000 ms, after one made at 60)", async () => {
    const clock = timerClock();
    const rl = new RateLimiter({ a: { limit: 3, intervalMs: 50 }, b: { limit: 1, intervalMs: 1000 } }, clock);
    const starts: Record<string, number> = {};
    const go = (name: string, names: string[]) => rl.acquire(names).then(() => void (starts[name] = clock.now()));
    await Promise.all([go("b0", ["b"]), go("a0", ["a"]), go("a1", ["a"]), go("a2", ["a"])]);
    const y = go("Y", ["a", "b"]); // both full: waits 1 000 ms for b, with a place in a
    const w = go("W", ["a"]); // a full: room at 50 ms beyond Y's place
    const n = new Promise<void>((r) => void clock.sleep(60).then(r)).then(() => go("N", ["a"]));
    await clock.run(Promise.all([y, w, n]));
    expect(starts).toMatchObject({ W: 50, N: 60, Y: 1000 });
  });

  it("a waiter aborted in the same step it gets its turn (a loop aborting every call; a turn given back, then an abort) is refused and its turn given back", async () => {
    const settledFirst = <T>(p: Promise<T>) => Promise.race([p.then(() => "at once", () => "refused"), new Promise<string>((r) => setImmediate(() => r("waits")))]);
    const clock = timerClock();
    const rl = new RateLimiter({ a: { limit: 1, intervalMs: 1000 }, b: { limit: 1, intervalMs: 1000 } }, clock);
    await rl.acquire(["b"]);
    const acs = [new AbortController(), new AbortController()];
    const w1 = rl.acquire(["a", "b"], { signal: acs[0]!.signal });
    const w2 = rl.acquire(["a"], { signal: acs[1]!.signal });
    await new Promise((r) => setImmediate(r));
    for (const ac of acs) ac.abort(new Error("cancel all"));
    await expect(w1).rejects.toThrow("cancel all");
    await expect(w2).rejects.toThrow("cancel all");
    expect(await settledFirst(rl.acquire(["a"]))).toBe("at once");
    // A held turn given back lets the next waiter take it in that step; aborted in the same step, it is given back.
    const rl2 = new RateLimiter({ a: { limit: 1, intervalMs: 1000 } }, timerClock());
    const first = await rl2.hold(["a"]);
    const ac = new AbortController();
    const next = rl2.hold(["a"], { signal: ac.signal });
    await new Promise((r) => setImmediate(r));
    giveBackTurn(first);
    ac.abort(new Error("gone"));
    await expect(next).rejects.toThrow("gone");
    expect(await settledFirst(rl2.acquire(["a"]))).toBe("at once");
  });

  it("lets `limit` requests start per interval and makes the rest wait their turn, in order", async () => {
    const clock = virtualClock();
    const rl = new RateLimiter({ balance: { limit: 3, intervalMs: 1000 } }, clock);
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 7 }, () => rl.acquire(["balance"]).then(() => starts.push(clock.now()))));
    expect(starts).toEqual([0, 0, 0, 1000, 1000, 1000, 2000]);
  });

  it("hold(): a request counts in every window until it is done, then for intervalMs from then", async () => {
    const clock = virtualClock();
    const rl = new RateLimiter({ balance: { limit: 2, intervalMs: 1000 } }, clock);
    const first = await rl.hold(["balance"]);
    const second = await rl.hold(["balance"]);
    let third = -1;
    const waiting = rl.hold(["balance"]).then((done) => ((third = clock.now()), done));
    // Both in flight: the third waits for one to be done, however long that takes.
    await new Promise((r) => setTimeout(r, 20));
    expect(third).toBe(-1);
    await clock.sleep(5_000);
    expect(third).toBe(-1);
    second(); // done at 5 000: its place is free from 6 000
    second(); // (again is nothing)
    (await waiting)();
    expect(third).toBe(6_000);
    first(); // done at 6 000, as the third was
    // acquire() counts from its start, as before.
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 3 }, () => rl.acquire(["balance"]).then(() => starts.push(clock.now()))));
    expect(starts).toEqual([7_000, 7_000, 8_000]);
  });

  it("a turn that comes just as its waiter aborts is given back: the next request goes at once (it was spent for a whole interval)", async () => {
    // The abort lands 0-11 microtasks after the wait ends: either the waiter got its turn (and
    // used it), or it was refused and its turn counts nowhere.
    for (let depth = 0; depth < 12; depth++) {
      let t = 0;
      const ac = new AbortController();
      const deep = (n: number, f: () => void): void => (n === 0 ? f() : queueMicrotask(() => deep(n - 1, f)));
      let armed = false;
      const clock = { now: () => t, sleep: async (ms: number) => void ((t += ms), armed && deep(depth, () => ac.abort(new Error("late")))) };
      const rl = new RateLimiter({ a: { limit: 1, intervalMs: 1000 } }, clock);
      await rl.acquire(["a"]);
      armed = true;
      const got = await rl.hold(["a"], { signal: ac.signal }).then((done) => (done(), "turn"), () => "refused");
      armed = false;
      await rl.acquire(["a"]);
      expect([depth, got, t]).toEqual([depth, got, got === "turn" ? 2000 : 1000]);
    }
  });

  it("applies every named limit at once (per-key and per-IP)", async () => {
    const clock = virtualClock();
    const rl = new RateLimiter({ user: { limit: 10, intervalMs: 1000 }, ip: { limit: 12, intervalMs: 60000 } }, clock);
    const starts: number[] = [];
    for (let i = 0; i < 13; i++) await rl.acquire(["user", "ip"]).then(() => starts.push(clock.now()));
    expect(starts.slice(0, 10)).toEqual(Array(10).fill(0));
    expect(starts[10]).toBe(1000);
    expect(starts[12]).toBe(60000);
  });

  it("a waiter whose signal aborts leaves at once with its reason, takes no turn, and the one behind it moves up", async () => {
    const rl = new RateLimiter({ r: { limit: 1, intervalMs: 300 } });
    const t0 = performance.now();
    await rl.acquire(["r"]);
    const reason = new Error("caller gave up");
    const ac = new AbortController();
    const aborted = rl.acquire(["r"], { signal: ac.signal }).then(
      () => "started",
      (e: unknown) => [e, performance.now() - t0] as const,
    );
    const next = rl.acquire(["r"]).then(() => performance.now() - t0);
    setTimeout(() => ac.abort(reason), 30);
    const [err, at] = (await aborted) as readonly [unknown, number];
    expect(err).toBe(reason);
    expect(at).toBeLessThan(200);
    // The aborted waiter took no turn: the next one starts when the first slot frees (not a window later).
    const started = await next;
    expect(started).toBeGreaterThanOrEqual(280);
    expect(started).toBeLessThan(550);
  });

  it("a waiter whose signal was aborted before its turn takes no free slot", async () => {
    const rl = new RateLimiter({ r: { limit: 2, intervalMs: 10_000 } });
    await rl.acquire(["r"]);
    const reason = new Error("gone");
    await expect(rl.acquire(["r"], { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    const held = new AbortController();
    const queued = rl.acquire(["r"], { signal: held.signal }).catch((e: unknown) => e);
    held.abort(reason);
    expect(await queued).toBe(reason);
    // The second slot is still free.
    const t0 = performance.now();
    await rl.acquire(["r"]);
    expect(performance.now() - t0).toBeLessThan(100);
  });

  it("a request whose limits have room beyond the waiters' places starts at once (a ticker read waited behind balance calls held by their own limit)", async () => {
    const clock = virtualClock();
    const rl = new RateLimiter({ balance: { limit: 3, intervalMs: 1000 }, ip: { limit: 1000, intervalMs: 60_000 } }, clock);
    const starts: Array<[string, number]> = [];
    const balances = Array.from({ length: 12 }, (_, i) => rl.acquire(["balance", "ip"]).then(() => starts.push([`balance${i}`, clock.now()])));
    const ticker = rl.acquire(["ip"]).then(() => starts.push(["ticker", clock.now()]));
    await Promise.all([...balances, ticker]);
    expect(starts.find(([n]) => n === "ticker")).toEqual(["ticker", 0]);
    expect(starts.filter(([n]) => n.startsWith("balance")).map(([, t]) => t)).toEqual([0, 0, 0, 1000, 1000, 1000, 2000, 2000, 2000, 3000, 3000, 3000]);
    // A waiter holds its place in every limit it names: one that needs the last place of `b` waits.
    // (timers in time order: the two waits below run side by side, which the clock above adds up)
    const timers = timerClock();
    const rl2 = new RateLimiter({ a: { limit: 1, intervalMs: 1000 }, b: { limit: 2, intervalMs: 1000 } }, timers);
    const t0 = timers.now();
    const order: string[] = [];
    await timers.run(
      Promise.all([
        rl2.acquire(["a", "b"]).then(() => order.push(`ab1@${timers.now() - t0}`)),
        rl2.acquire(["a", "b"]).then(() => order.push(`ab2@${timers.now() - t0}`)),
        rl2.acquire(["b"]).then(() => order.push(`b@${timers.now() - t0}`)),
      ]),
    );
    expect(order).toEqual(["ab1@0", "ab2@1000", "b@1000"]);
  });

  it("a waiter follows only the waiters of its own limits: neither held behind another limit's waiter nor overtaken in its own", async () => {
    const rl = new RateLimiter({ a: { limit: 1, intervalMs: 200 }, b: { limit: 1, intervalMs: 2_000 } });
    const t0 = performance.now();
    const at: Record<string, number> = {};
    const go = (name: string, names: string[]) => rl.acquire(names).then(() => (at[name] = performance.now() - t0));
    await Promise.all([go("b0", ["b"]), go("a0", ["a"])]);
    const b1 = go("b1", ["b"]); // waits 2 s for b
    const a1 = go("a1", ["a"]); // waits 200 ms for a (it waited behind b1: 2 s)
    await new Promise((r) => setTimeout(r, 50));
    const a2 = go("a2", ["a"]); // made later: after a1, never before it
    await Promise.all([a1, a2]);
    expect(at.a1!).toBeLessThan(1_000);
    expect(at.a2!).toBeGreaterThanOrEqual(at.a1!);
    expect(at.a2!).toBeGreaterThanOrEqual(350);
    await b1;
    expect(at.b1!).toBeGreaterThanOrEqual(1_900);
  });

  it("a waiter that aborts lets the next waiters of each of its limits go on at once (they waited for its other limit), and a name given twice counts once", async () => {
    const rl = new RateLimiter({ a: { limit: 1, intervalMs: 100 }, b: { limit: 1, intervalMs: 3_000 } });
    const t0 = performance.now();
    await rl.acquire(["a"]);
    await rl.acquire(["b"]);
    const held = rl.acquire(["b"]); // waits 3 s for b
    const ac = new AbortController();
    const both = rl.acquire(["a", "b"], { signal: ac.signal }).catch((e: unknown) => e);
    const next = rl.acquire(["a"]).then(() => performance.now() - t0);
    setTimeout(() => ac.abort(new Error("gone")), 10);
    expect(await both).toMatchObject({ message: "gone" });
    // `a` has room at 100 ms; it started at 3 s, when the aborted waiter's predecessor in `b` did.
    expect(await next).toBeLessThan(1_000);
    const twice = new RateLimiter({ a: { limit: 2, intervalMs: 10_000 } });
    await twice.acquire(["a", "a"]);
    const t1 = performance.now();
    await twice.acquire(["a"]);
    expect(performance.now() - t1).toBeLessThan(100);
    void held;
  }, 10_000);

  it("a waiter waits behind earlier waiters only in the limits that have no room for it: 40 order reads queued by `user` do not hold balance calls that also name the IP limit", async () => {
    // Every signed XT call names `ip` (1000 a minute, never near full): following its waiters
    // too made one queue of all of them, and the 4th-6th balance calls went at 3 000 ms.
    const clock = timerClock();
    const rl = new RateLimiter({ balance: { limit: 3, intervalMs: 1000 }, user: { limit: 10, intervalMs: 1000 }, ip: { limit: 1000, intervalMs: 60_000 } }, clock);
    const balance: number[] = [];
    const user: number[] = [];
    const users = Array.from({ length: 40 }, () => rl.hold(["user", "ip"]).then((done) => (user.push(clock.now()), done())));
    const balances = Array.from({ length: 6 }, () => rl.hold(["balance", "ip"]).then((done) => (balance.push(clock.now()), done())));
    await clock.run(Promise.all([...users, ...balances]));
    expect(balance).toEqual([0, 0, 0, 1000, 1000, 1000]);
    // Within the full `user` limit the order is kept: 10 a second, first come first served.
    expect(user).toEqual(Array.from({ length: 40 }, (_, i) => Math.floor(i / 10) * 1000));
  });

  it("a waiter that aborts holds no memory while the waiter ahead of it still waits (each kept ~5 KB of promise chain until the head moved)", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const heap = () => (gc(), gc(), process.memoryUsage().heapUsed);
    const rl = new RateLimiter({ a: { limit: 1, intervalMs: 60_000 } });
    const first = await rl.hold(["a"]); // in flight: the next waits for it, however long
    const headStop = new AbortController();
    const head = rl.hold(["a"], { signal: headStop.signal }).catch((e: unknown) => e);
    await new Promise((r) => setImmediate(r));
    const before = heap();
    const n = 20_000;
    let refused = 0;
    for (let i = 0; i < n; i++) {
      const ac = new AbortController();
      rl.hold(["a"], { signal: ac.signal }).catch(() => refused++);
      await Promise.resolve();
      ac.abort(new Error("gave up"));
    }
    await new Promise((r) => setImmediate(r));
    const perWaiter = (heap() - before) / n;
    expect(refused).toBe(n);
    expect(perWaiter).toBeLessThan(500);
    headStop.abort(new Error("stop"));
    await head;
    first();
  });

  it("ignores limits it does not know", async () => {
    const rl = new RateLimiter({});
    await expect(rl.acquire(["nope"])).resolves.toBeUndefined();
  });
});

describe("XT client rate limiting", () => {
  it("reads XT's limits from the spec", () => {
    expect(meta.rateLimits.balance).toMatchObject({ limit: 3, intervalMs: 1000 });
    expect(meta.rateLimits.user).toMatchObject({ limit: 10, intervalMs: 1000 });
    expect(meta.rateLimits.ip).toMatchObject({ limit: 1000, intervalMs: 60000 });
    expect(meta.operations.find((o) => o.operationId === "getBalance")!.rateLimit).toContain("balance");
  });

  it("holds the 4th balance call of a second back instead of failing it; a shared limiter spans clients", async () => {
    const { fetch, calls } = recordingFetch(() => json({ code: 200, info: "success", data: {} }));
    const shared = createXtRateLimiter();
    const a = createXtClient({ accessKey: "k", secretKey: "s", fetch, baseUrl: "https://xt.test", rateLimit: shared });
    const b = createXtClient({ accessKey: "k", secretKey: "s", fetch, baseUrl: "https://xt.test", rateLimit: shared });
    const t0 = Date.now();
    const done: number[] = [];
    await Promise.all([a, b, a, b].map((c) => c.call("getBalance").then(() => done.push(Date.now() - t0))));
    expect(calls).toHaveLength(4);
    done.sort((x, y) => x - y);
    expect(done[2]!).toBeLessThan(900);
    expect(done[3]!).toBeGreaterThanOrEqual(950);
  });

  it("a call aborted while the limiter holds it is an AbortedError at once and sends nothing (call signal or client signal)", async () => {
    const { fetch, calls } = recordingFetch(() => json({ code: 200, info: "success", data: {} }));
    const shared = createXtRateLimiter();
    const clientStop = new AbortController();
    const c = createXtClient({ accessKey: "k", secretKey: "s", fetch, baseUrl: "https://xt.test", rateLimit: shared });
    const stoppable = createXtClient({ accessKey: "k", secretKey: "s", fetch, baseUrl: "https://xt.test", rateLimit: shared, signal: clientStop.signal });
    const t0 = performance.now();
    await Promise.all([c.call("getBalance"), c.call("getBalance"), c.call("getBalance")]);
    const byCall = c.call("getBalance", undefined, { signal: AbortSignal.timeout(30) }).catch((e: unknown) => e);
    const byClient = stoppable.call("getBalance").catch((e: unknown) => e);
    const byBoth = stoppable.call("getBalance", undefined, { signal: new AbortController().signal }).catch((e: unknown) => e);
    const later = c.call("getBalance").then(() => performance.now() - t0);
    setTimeout(() => clientStop.abort(), 30);
    for (const err of [await byCall, await byClient, await byBoth]) {
      expect(err).toBeInstanceOf(AbortedError);
      expect(err).toMatchObject({ api: "xt", operation: "getBalance" });
    }
    expect(performance.now() - t0).toBeLessThan(500);
    expect(calls).toHaveLength(3);
    // None took a turn (three would have filled the next second): the next call goes when the first second ends.
    expect(await later).toBeLessThan(1_500);
    expect(calls).toHaveLength(4);
  });

  it("no second of the server's holds more than the limit when the first requests arrive late (a new connection): each counts from its answer", async () => {
    // The first call reaches the server 300 ms after its turn, the others at once: counted from
    // their starts, calls 4-6 went at 1 000 ms, next to the first's arrival at 300 (4 in a second).
    const arrivals: number[] = [];
    const t0 = performance.now();
    let n = 0;
    const fetch = async (): Promise<Response> => {
      const late = n++ === 0 ? 300 : 0;
      await new Promise((r) => setTimeout(r, late));
      arrivals.push(performance.now() - t0);
      return new Response(JSON.stringify({ code: 200, info: "success", data: {} }), { headers: { "content-type": "application/json" } });
    };
    const c = createXtClient({ accessKey: "k", secretKey: "s", fetch, baseUrl: "https://xt.test", rateLimit: true });
    await Promise.all(Array.from({ length: 7 }, () => c.call("getBalance")));
    arrivals.sort((a, b) => a - b);
    const most = Math.max(...arrivals.map((a) => arrivals.filter((b) => b >= a && b < a + 1_000).length));
    expect(most).toBeLessThanOrEqual(3);
  });

  it("rateLimit: false turns it off", async () => {
    const { fetch } = recordingFetch(() => json({ code: 200, info: "success", data: {} }));
    const c = createXtClient({ accessKey: "k", secretKey: "s", fetch, baseUrl: "https://xt.test", rateLimit: false });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 8 }, () => c.call("getBalance")));
    expect(Date.now() - t0).toBeLessThan(500);
    expect(c.rateLimiter).toBeNull();
  });
});

describe("a RateLimiter made or used with values a JavaScript caller may pass", () => {
  it("a rule no request can pass (limit 0, an interval of NaN) is refused when made: acquire waited forever", async () => {
    const made = (rules: unknown, opts?: unknown) => () => new RateLimiter(rules as never, opts as never);
    expect(made({ a: { limit: 0, intervalMs: 1000 } })).toThrow('rate limit "a": limit must be a whole number of requests, 1 or more, got 0');
    expect(made({ a: { limit: 1.5, intervalMs: 1000 } })).toThrow('rate limit "a": limit must be a whole number of requests, 1 or more, got 1.5');
    expect(made({ a: { limit: 1, intervalMs: Number.NaN } })).toThrow('rate limit "a": intervalMs must be a number of ms above 0, got NaN');
    expect(made({ a: { limit: 1, intervalMs: -5 } })).toThrow('rate limit "a": intervalMs must be a number of ms above 0, got -5');
    expect(made({ a: null })).toThrow('rate limit "a": must be an object { limit, intervalMs }, got null');
    expect(made(null)).toThrow("the rate limit rules must be an object of name → { limit, intervalMs }, got null");
    expect(made({}, null)).toThrow("the rate limiter options must be an object of options, got null");
    expect(made({}, { now: 5 })).toThrow("now must be a function, got 5");
    for (const bad of [made({ a: { limit: 0, intervalMs: 1000 } })]) expect(bad).toThrow(UsageError);
  });

  it("acquire: names that are no list, options that are no object, a signal that is none: a UsageError (each was a TypeError); a name every object has is no rule", async () => {
    const rl = new RateLimiter({ a: { limit: 1, intervalMs: 60_000 } });
    await expect(rl.acquire("a" as never)).rejects.toThrow("acquire takes a list of rate limit names, got string");
    await expect(rl.acquire(null as never)).rejects.toThrow("acquire takes a list of rate limit names, got null");
    await expect(rl.acquire(["a"], null as never)).rejects.toThrow("the acquire options must be an object { signal? }, got null");
    await expect(rl.acquire(["a"], { signal: 5 as never })).rejects.toThrow("signal must be an AbortSignal, got number");
    // "constructor" counts against nothing: both go at once.
    const t0 = performance.now();
    await rl.acquire(["constructor", "toString"]);
    await rl.acquire(["constructor"]);
    expect(performance.now() - t0).toBeLessThan(100);
  });

  it("a wait longer than a timer holds (a limit per 30 days) is waited in steps, not run again every millisecond", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on("warning", onWarning);
    try {
      const rl = new RateLimiter({ month: { limit: 1, intervalMs: 30 * 86_400_000 } });
      await rl.acquire(["month"]);
      const ac = new AbortController();
      let passed = false;
      const second = rl.acquire(["month"], { signal: ac.signal }).then(() => (passed = true));
      await new Promise((r) => setTimeout(r, 100));
      expect(passed).toBe(false);
      ac.abort(new Error("stop waiting"));
      await expect(second).rejects.toThrow("stop waiting");
      // Node runs a timer of more than 2^31-1 ms after 1 ms, with a TimeoutOverflowWarning.
      expect(warnings).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });
});
