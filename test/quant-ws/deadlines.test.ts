import { afterEach, describe, expect, it, vi } from "vitest";
import { DeadlineQueues, type Deadline } from "../../src/handwritten/quant-ws/deadlines.js";

function entry(name: string, timeoutMs: number, expired: string[], onExpire?: () => void): Deadline {
  return {
    deadline: performance.now() + timeoutMs,
    settled: false,
    expire: () => {
      expired.push(name);
      onExpire?.();
    },
  };
}

describe("request deadlines without a timer per request", () => {
  it("expires unsettled entries of each timeout in order, never settled ones", async () => {
    const q = new DeadlineQueues();
    const expired: string[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const a = entry("a", 30, expired);
    const b = entry("b", 30, expired);
    const c = entry("c", 10, expired);
    const d = entry("d", 60, expired, () => done());
    for (const [ms, e] of [[30, a], [30, b], [10, c], [60, d]] as const) q.add(ms, e);
    a.settled = true;
    q.trim(30);
    await finished;
    expect(expired).toEqual(["c", "b", "d"]);
    expect([b, c, d].every((e) => e.settled)).toBe(true);
  });

  it("answered requests of timeouts all their own leave no lane and no timer behind (beyond the first few)", () => {
    const q = new DeadlineQueues();
    const active = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const before = active();
    for (let i = 0; i < 2_000; i++) {
      const ms = 20_000 - i * 0.37; // (what is left of a deadline: a value of its own per request)
      const e = entry(`r${i}`, ms, []);
      q.add(ms, e);
      e.settled = true;
      q.trim(ms);
    }
    expect(q.lanes).toBeLessThanOrEqual(4);
    expect(active() - before).toBeLessThanOrEqual(4);
    q.clear();
  });

  it("a settled queue's timer expires nothing, and clear() stops the rest", async () => {
    const q = new DeadlineQueues();
    const expired: string[] = [];
    const a = entry("a", 20, expired);
    q.add(20, a);
    a.settled = true;
    q.trim(20);
    q.add(20, entry("b", 20, expired));
    q.clear();
    await new Promise((r) => setTimeout(r, 60));
    expect(expired).toEqual([]);
  });

  it("an expiry that queues a new entry with the same timeout gets it expired too", async () => {
    const q = new DeadlineQueues();
    const expired: string[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    q.add(15, entry("first", 15, expired, () => q.add(15, entry("retry", 15, expired, () => done()))));
    await finished;
    expect(expired).toEqual(["first", "retry"]);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("one request at a time arms one timer, not one each; the timer holds no process open", () => {
    const armed: Array<ReturnType<typeof setTimeout>> = [];
    const real = globalThis.setTimeout;
    vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms?: number) => {
      const t = real(fn, ms);
      armed.push(t);
      return t;
    }) as typeof setTimeout);
    const q = new DeadlineQueues();
    for (let i = 0; i < 100; i++) {
      const e = entry(`r${i}`, 5_000, []);
      q.add(5_000, e);
      e.settled = true;
      q.trim(5_000);
    }
    expect(armed).toHaveLength(1);
    // Left armed on an emptied lane: unref'd, so a process whose last request was answered exits.
    expect(armed[0]!.hasRef()).toBe(false);
    q.clear();
  });

  it("an entry added to an emptied lane expires at its own deadline: the earlier timer arms again for it", async () => {
    const q = new DeadlineQueues();
    const expired: string[] = [];
    const first = entry("first", 40, expired);
    q.add(40, first);
    first.settled = true;
    q.trim(40);
    await new Promise((r) => setTimeout(r, 25));
    let at = 0;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const second = entry("second", 40, expired, () => {
      at = performance.now();
      done();
    });
    q.add(40, second);
    await finished;
    expect(expired).toEqual(["second"]);
    // Not when the first one's timer fired (~15 ms earlier), but at its own deadline (a timer
    // may fire up to a couple of ms before performance.now() reaches it: libuv's loop clock is
    // whole milliseconds, read at the start of the loop's turn).
    expect(at).toBeGreaterThanOrEqual(second.deadline - 5);
    expect(at - second.deadline).toBeLessThan(200);
  });
});
