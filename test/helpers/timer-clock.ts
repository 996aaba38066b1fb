/**
 * A virtual clock whose sleeps are timers run in time order (concurrent sleeps of a clock
 * that adds each sleep to its time would add up): `run` moves time to the next timer until
 * `until` settles. For the rate limiter's tests (its `now` and `sleep` options).
 */
export function timerClock() {
  let t = 0;
  let seq = 0;
  const timers: Array<{ at: number; seq: number; fire: () => void }> = [];
  return {
    now: () => t,
    sleep: (ms: number) => new Promise<void>((fire) => void timers.push({ at: t + ms, seq: seq++, fire })),
    async run<T>(until: Promise<T>): Promise<T> {
      let settled = false;
      void until.then(() => (settled = true), () => (settled = true));
      while (!settled) {
        await new Promise((r) => setImmediate(r));
        timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = timers.shift();
        if (!next) break;
        t = Math.max(t, next.at);
        next.fire();
      }
      return until;
    },
  };
}
