/**
 * A client-side rate limiter that makes requests wait their turn instead of failing.
 *
 * Limits are read from the spec (`x-rate-limits`: name → {limit, intervalMs}) and each
 * operation names the limits it counts against (`x-rate-limit: [names]`). A request may start
 * when, for every named limit, fewer than `limit` requests started in the last `intervalMs`
 * (a sliding window). Waiters are served in arrival order. Share one limiter between clients
 * of the same key by passing the same instance to each.
 */
export interface RateLimitRule {
  limit: number;
  intervalMs: number;
  scope?: string;
  description?: string;
}

export class RateLimiter {
  readonly #rules: Record<string, RateLimitRule>;
  /** Start times of recent requests per rule, oldest first. */
  readonly #starts = new Map<string, number[]>();
  #queue: Promise<void> = Promise.resolve();
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(
    rules: Readonly<Record<string, RateLimitRule>>,
    opts: { now?: () => number; sleep?: (ms: number) => Promise<void> } = {},
  ) {
    this.#rules = { ...rules };
    this.#now = opts.now ?? Date.now;
    this.#sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Resolves when a request counted against `names` may start (unknown names are ignored). */
  acquire(names: readonly string[]): Promise<void> {
    const known = names.filter((n) => this.#rules[n]);
    if (known.length === 0) return Promise.resolve();
    const turn = this.#queue.then(() => this.#waitFor(known));
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  async #waitFor(names: string[]): Promise<void> {
    for (;;) {
      const now = this.#now();
      let wait = 0;
      for (const name of names) {
        const rule = this.#rules[name]!;
        const list = this.#starts.get(name) ?? [];
        while (list.length && list[0]! <= now - rule.intervalMs) list.shift();
        this.#starts.set(name, list);
        if (list.length >= rule.limit) wait = Math.max(wait, list[0]! + rule.intervalMs - now);
      }
      if (wait <= 0) break;
      await this.#sleep(wait);
    }
    const now = this.#now();
    for (const name of names) this.#starts.get(name)!.push(now);
  }
}
