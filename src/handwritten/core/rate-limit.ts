/**
 * A client-side rate limiter that makes requests wait their turn instead of failing.
 *
 * Limits are read from the spec (`x-rate-limits`: name → {limit, intervalMs}) and each
 * operation names the limits it counts against (`x-rate-limit: [names]`). A request may start
 * when, for every named limit, fewer than `limit` requests started in the last `intervalMs`
 * (a sliding window). A waiter follows the earlier waiters of those of its limits that had no
 * room for it when it came (only those: a limit it names that is far from full, as XT's IP
 * limit, makes no queue), and holds a place in each it names: a request whose limits have room beyond every waiter's
 * place starts at once, taking no place a waiter holds: a ticker read, counted against the IP
 * limit only, no longer waits seconds behind balance calls held by their own 3-per-second
 * limit (it may also start before a waiter still behind another limit's waiters). Share one
 * limiter between clients of the same key by passing the same instance to each. A waiter whose
 * signal aborts leaves the queue at once, without taking a turn, gives its places back, and
 * lets the waiters behind it in each of its limits go on (each limit keeps its waiters in an
 * explicit queue, and one that aborts is taken out of it: nothing of it is kept until the
 * head moves). A waiter's wait counts the places of the waiters that came before it (not of
 * those after), so one blocked by another limit reserves its place without holding the
 * waiters of this one, which had room, behind it.
 *
 * A request held with `hold()` (as the clients hold theirs) counts in every window until it is
 * done, then for `intervalMs` from then: its arrival at the server lies somewhere between its
 * start and its answer, and a window counted from starts let a request that waited on a new
 * connection arrive next to the ones after it (6 arrivals in 953 ms at 3 per second). Counted
 * from the answers, no window of the server's holds more than `limit` of them, whatever the
 * latency. `acquire()` counts from the start, for requests the limiter never hears the end of.
 */
import { onAbort, pause, unlessAborted, type WaitAbort } from "./abort.js";
import { quoted, shownValue, typeName, UsageError } from "./errors.js";
import { checkOption, checkOptionsObject, checkSignal, ownFields } from "./validate.js";

/** One limit of a RateLimiter: at most `limit` requests in any `intervalMs` (a sliding window). */
export interface RateLimitRule {
  /** Requests allowed per window: a whole number, 1 or more. */
  limit: number;
  /** The window, in ms (above 0). */
  intervalMs: number;
  /** What the limit is counted per, as the vendor's document says (e.g. "user", "ip"); not read by the limiter. */
  scope?: string;
  /** The limit in words; not read by the limiter. */
  description?: string;
}

/** A request counted against its limits: when its interval starts (Infinity while held: in flight). */
interface Counted {
  t: number;
}

/**
 * A client-side rate limiter: requests wait their turn instead of failing, each counted against
 * the limits its operation names (the spec's `x-rate-limit`). Every REST client has one of its
 * own by default; share one between the clients of one key through their `rateLimit` option
 * (`createXtRateLimiter()`, `createBhexRateLimiter()`), or build one from rules:
 *
 *   const limiter = new RateLimiter({ orders: { limit: 10, intervalMs: 1_000 } });
 *   await limiter.acquire(["orders"]);
 */
export class RateLimiter {
  readonly #rules: Record<string, RateLimitRule>;
  /** Recent requests per rule (one object in the lists of each limit it counts against). */
  readonly #starts = new Map<string, Counted[]>();
  /** Waiters whose limits are full of held requests: woken when one is done. */
  readonly #onDone = new Set<() => void>();
  /**
   * Per limit, the waiters that count against it, first come first: each holds a place in every
   * limit it names, and waits for those ahead of it in the limits it follows.
   */
  readonly #queues = new Map<string, Set<Waiter>>();
  /**
   * Per limit, the waiters that follow it (it had no room for them when they came), first come
   * first: a waiter goes when it is first in the line of each limit it follows. Only followers
   * are in a line: one blocked by another limit held the waiters of this one (which had room)
   * behind it while a later request of the same limits went first.
   */
  readonly #lines = new Map<string, Set<Waiter>>();
  /** Waiters free to start their wait for room, started by #maybeGo's loop. */
  readonly #ready: Waiter[] = [];
  #draining = false;
  readonly #now: () => number;
  /** What a clock that stood still while waits passed is behind by (#waitFor). */
  #stood = 0;
  readonly #sleep: ((ms: number) => Promise<void>) | undefined;

  /**
   * `rules`: name → { limit, intervalMs }. `opts.now` (a monotonic clock in ms; default
   * performance.now) and `opts.sleep` are for tests. A rule no request could pass (limit 0,
   * an interval that is not a number above 0) is a UsageError.
   */
  constructor(
    rules: Readonly<Record<string, RateLimitRule>>,
    opts: { now?: () => number; sleep?: (ms: number) => Promise<void> } = {},
  ) {
    // A rule no request can pass (limit 0, an interval of NaN) held every call forever: checked here.
    const ctx = {};
    checkOptionsObject(ctx, "the rate limit rules", rules, "name → { limit, intervalMs }");
    // (a clock object with more members than now and sleep is taken: only those two are read)
    checkOptionsObject(ctx, "the rate limiter options", opts);
    opts = ownFields(opts, true);
    checkOption(ctx, "now", opts.now, "function");
    checkOption(ctx, "sleep", opts.sleep, "function");
    for (const [name, rule] of Object.entries(rules ?? {})) {
      const r = rule as Partial<RateLimitRule> | null;
      const why =
        r === null || typeof r !== "object" ? `must be an object { limit, intervalMs }, got ${typeName(r)}`
        : !Number.isInteger(r.limit) || r.limit! < 1 ? `limit must be a whole number of requests, 1 or more, got ${shownValue(r.limit)}`
        : typeof r.intervalMs !== "number" || !(r.intervalMs > 0 && r.intervalMs < Infinity) ? `intervalMs must be a number of ms above 0, got ${shownValue(r.intervalMs)}`
        : undefined;
      if (why) throw new UsageError(`rate limit ${quoted(name)}: ${why}`, ctx);
    }
    this.#rules = { ...rules };
    // The monotonic clock: with the wall clock, one set back an hour (NTP, a VM resumed) would
    // hold every request for that hour, and one set forward would let a burst through.
    const clock = opts.now ?? (() => performance.now());
    this.#now = () => clock() + this.#stood;
    this.#sleep = opts.sleep;
  }

  /** The names of its rules (what a client checks a limiter given to it against: one made for another API limits nothing). */
  get ruleNames(): string[] {
    return Object.keys(this.#rules);
  }

  /**
   * Resolves when a request counted against `names` may start (unknown names are ignored).
   * When `opts.signal` aborts first, rejects at once with its reason; the request then takes
   * no turn and the waiters behind it move up.
   */
  acquire(names: readonly string[], opts: { signal?: AbortSignal } = {}): Promise<void> {
    return this.#turn("acquire", names, opts).then((done) => done());
  }

  /**
   * As `acquire`, but the request counts in every window until the function it resolves to is
   * called (when the request is done: answered, failed or given up), and for `intervalMs`
   * from then. Call it exactly once (again is nothing); until then the request holds its place.
   */
  hold(names: readonly string[], opts: { signal?: AbortSignal } = {}): Promise<() => void> {
    return this.#turn("hold", names, opts);
  }

  #turn(method: string, names: readonly string[], opts: { signal?: AbortSignal }): Promise<() => void> {
    if (!Array.isArray(names)) return Promise.reject(new UsageError(`${method} takes a list of rate limit names, got ${typeName(names)}`));
    if (opts === null || typeof opts !== "object") return Promise.reject(new UsageError(`the ${method} options must be an object { signal? }, got ${typeName(opts)}`));
    // (own: a signal on Object.prototype is none given)
    const signal = Object.hasOwn(opts, "signal") ? opts.signal : undefined;
    try {
      checkSignal({}, "signal", signal);
    } catch (e) {
      return Promise.reject(e);
    }
    // (own rules only: a name such as "constructor" is no rule)
    // (each once: ["a", "a"] took two starts of `a`)
    const known = [...new Set(names.filter((n) => typeof n === "string" && Object.hasOwn(this.#rules, n)))];
    if (known.length === 0) return Promise.resolve(nothing);
    // (in a microtask, as a queued turn: a signal aborted just after the call still takes no slot)
    return Promise.resolve().then(() => this.#enter(known, signal));
  }

  #enter(known: string[], signal: AbortSignal | undefined): Promise<() => void> | (() => void) {
    if (signal?.aborted) throw signal.reason;
    // Behind the earlier waiters only of its limits that have no room for it beyond their places
    // (one queue for all held a call behind another limit's waiters while later calls of its own
    // limit went first; and following every limit it names held each balance call behind the
    // order reads queued before it by `user`, as both also name the IP limit, never near full).
    const now = this.#now();
    const follows = known.filter((n) => this.#recent(n, now).length + this.#placesIn(n) >= this.#rules[n]!.limit);
    // Room beyond every earlier waiter's place in each of its limits: no need to queue.
    if (follows.length === 0) return this.#take(known);
    return new Promise<() => void>((resolve, reject) => {
      const abort: WaitAbort | undefined = signal && { signals: [signal], error: (s) => s.reason };
      let off = nothing;
      const w: Waiter = {
        names: known,
        follows,
        started: false,
        left: false,
        go: () => void this.#waitFor(w, abort, room).catch(fail),
      };
      // The turn is taken in the same step as the last check of its limits (no request between),
      // and before the waiters behind it look for room (their first check is in this step too).
      const room = () => {
        if (w.left) return;
        resolve(this.#take(known));
        this.#leave(w);
      };
      // An aborted waiter leaves every queue at once, and holds nothing: only the queues point to a waiter.
      const fail = (e: unknown) => {
        if (!w.left) this.#leave(w);
        reject(e);
      };
      w.detach = () => off();
      for (const n of known) {
        const queue = this.#queues.get(n) ?? new Set<Waiter>();
        this.#queues.set(n, queue.add(w));
      }
      for (const n of follows) {
        const line = this.#lines.get(n) ?? new Set<Waiter>();
        this.#lines.set(n, line.add(w));
      }
      if (signal) off = onAbort(signal, () => fail(signal.reason));
      this.#maybeGo(w);
    });
  }

  /** The places waiters hold in `name` (one per waiter queued that counts against it). */
  #placesIn(name: string): number {
    return this.#queues.get(name)?.size ?? 0;
  }

  /**
   * Start `w`'s wait for room when it is first in the line of every limit it follows. Waiters
   * that may go are started one after another from one loop, not from inside each other's turn:
   * a turn starting the next waiter's wait in its own step nested six calls per waiter, and
   * 1,300 waiters free at once (a window's worth expiring together) overflowed the stack.
   */
  #maybeGo(w: Waiter): void {
    if (w.started || w.left || !w.follows.every((n) => firstOf(this.#lines.get(n)) === w)) return;
    w.started = true;
    this.#ready.push(w);
    if (this.#draining) return;
    this.#draining = true;
    try {
      // (a waiter that finds room takes its turn in this step and may add the next to #ready)
      for (let i = 0; i < this.#ready.length; i++) this.#ready[i]!.go();
    } finally {
      this.#ready.length = 0;
      this.#draining = false;
    }
  }

  /** `w` leaves its queues (its turn taken, or aborted); the waiters now first in them may go. */
  #leave(w: Waiter): void {
    w.left = true;
    w.detach?.();
    for (const n of w.names) {
      const queue = this.#queues.get(n)!;
      queue.delete(w);
      if (queue.size === 0) this.#queues.delete(n);
    }
    for (const n of w.follows) {
      const line = this.#lines.get(n)!;
      line.delete(w);
      if (line.size === 0) this.#lines.delete(n);
      else this.#maybeGo(firstOf(line)!);
    }
    // The waiters counting its place may have room now.
    for (const wake of [...this.#onDone]) wake();
  }

  /** The requests within `name`'s window (older ones dropped; held ones are in every window). */
  #recent(name: string, now: number): Counted[] {
    let list = this.#starts.get(name) ?? [];
    const since = now - this.#rules[name]!.intervalMs;
    // (not in order: a held request takes its time when done)
    if (list.some((c) => c.t <= since)) list = list.filter((c) => c.t > since);
    this.#starts.set(name, list);
    return list;
  }

  /** Count a request against `names`, held until the returned function is called (giveBack: never counted). */
  #take(names: string[]): () => void {
    const counted: Counted = { t: Infinity };
    for (const name of names) this.#starts.get(name)!.push(counted);
    const settle = (t: number) => {
      if (counted.t !== Infinity) return;
      counted.t = t; // (-Infinity: out of every window at once)
      for (const wake of [...this.#onDone]) wake();
    };
    const done = () => settle(this.#now());
    giveBack.set(done, () => settle(-Infinity));
    return done;
  }

  /** The places waiters that came before `w` hold in `name` (those queued ahead of it there). */
  #ahead(name: string, w: Waiter): number {
    let n = 0;
    for (const other of this.#queues.get(name) ?? []) {
      if (other === w) break;
      n++;
    }
    return n;
  }

  /**
   * Wait until each of `w`'s limits has room in its window beyond the places of the waiters
   * that came before it, then call `room` (in the same step).
   */
  async #waitFor(w: Waiter, abort: WaitAbort | undefined, room: () => void): Promise<void> {
    for (;;) {
      if (abort?.signals[0]?.aborted) throw abort.signals[0].reason;
      const now = this.#now();
      let wait = 0;
      for (const name of w.names) {
        const rule = this.#rules[name]!;
        const list = this.#recent(name, now);
        const ahead = this.#ahead(name, w);
        // (a waiter ahead frees its place by leaving: #leave wakes those waiting for it)
        if (list.length + ahead >= rule.limit) wait = Math.max(wait, ahead >= rule.limit ? Infinity : Math.min(...list.map((c) => c.t)) + rule.intervalMs - now);
      }
      if (wait <= 0) break;
      // Every place held by a request in flight: wait until one is done.
      if (wait === Infinity) {
        let wake = (): void => undefined;
        await unlessAborted(new Promise<void>((r) => this.#onDone.add((wake = r))), abort, () => this.#onDone.delete(wake)).finally(() => this.#onDone.delete(wake));
        continue;
      }
      await pause(wait, this.#sleep, abort);
      // A clock that stood still through the whole wait (a test's faked performance with real
      // timers) counts the wait as passed: the same wait was waited again forever.
      if (this.#now() === now) this.#stood += wait;
    }
    room();
  }
}

const nothing = (): void => undefined;
/** A request waiting for its turn (RateLimiter's queues hold it; nothing else once it has left). */
interface Waiter {
  /** The limits it counts against: it holds a place in the queue of each. */
  names: string[];
  /** Those that had no room for it when it came: it waits for the waiters ahead of it in their lines. */
  follows: string[];
  /** Its wait for room has begun (it was first in the line of every limit it follows). */
  started: boolean;
  /** It has left its queues: turn taken, or aborted. */
  left: boolean;
  go: () => void;
  /** Stops listening to its signal. */
  detach?: () => void;
}
const firstOf = <T>(set: Set<T> | undefined): T | undefined => (set ? set.values().next().value : undefined);
/** A turn's "done" → what gives the turn back uncounted. */
const giveBack = new WeakMap<() => void, () => void>();

/**
 * Library-internal (not exported from the package): give back the turn `hold()` resolved to
 * `done` with, uncounted, for a request that was never sent (its attempt ended before it was
 * handed to the HTTP layer: a slot's wait timed out, the signer threw, an abort came first).
 * Once `done` (or this) has been called, nothing.
 */
export function giveBackTurn(done: (() => void) | undefined): void {
  if (done) giveBack.get(done)?.();
}
