/**
 * An emulator's enforcement of the vendor's documented rate limits (the spec's `x-rate-limits`
 * and each operation's `x-rate-limit`), off unless the emulator is started with `rateLimits`:
 * teams' tests send far more than a vendor allows per second. The limits of scope "key" (per
 * user, as an emulator has one key) are counted over a sliding window of their interval; those
 * of scope "ip" are not (every test client is one address: a per-user limit is hit first).
 */
import type { ApiMeta, OperationMeta } from "../handwritten/core/meta.js";

/** What a request over a limit is told: the limit's name, and how long until a request is taken again. */
export interface OverLimit {
  limit: string;
  waitMs: number;
}

export interface MockRateLimitOptions {
  meta: ApiMeta;
  now: () => number;
  /**
   * The account lock a request over a limit starts (XT: 超出锁定账户10分钟): every signed
   * request is refused for this long. Undefined: no lock, only the request over the limit is
   * refused (BHEX's org_batch_cancel).
   */
  lockMs?: number | undefined;
}

/** A check per request: undefined when it is taken (and counted), else what it is told. */
export function mockRateLimiter({ meta, now, lockMs }: MockRateLimitOptions): (op: OperationMeta) => OverLimit | undefined {
  const starts = new Map<string, number[]>();
  let lockedUntil = Number.NEGATIVE_INFINITY;
  let lockedBy = "";
  return (op) => {
    const t = now();
    if (t < lockedUntil) return { limit: lockedBy, waitMs: lockedUntil - t };
    for (const name of op.rateLimit) {
      const rule = Object.hasOwn(meta.rateLimits, name) ? meta.rateLimits[name]! : undefined;
      if (!rule || rule.scope === "ip") continue;
      let list = starts.get(name);
      if (!list) starts.set(name, (list = []));
      // (at most `limit` starts are kept: the window never holds more)
      while (list.length > 0 && list[0]! <= t - rule.intervalMs) list.shift();
      if (list.length >= rule.limit) {
        if (lockMs === undefined) return { limit: name, waitMs: list[0]! + rule.intervalMs - t };
        lockedUntil = t + lockMs;
        lockedBy = name;
        starts.clear();
        return { limit: name, waitMs: lockMs };
      }
    }
    for (const name of op.rateLimit) starts.get(name)?.push(t);
    return undefined;
  };
}
