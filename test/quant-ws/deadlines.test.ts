import { describe, expect, it } from "vitest";
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

  it("a settled queue leaves no timer behind, and clear() stops the rest", async () => {
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
});
