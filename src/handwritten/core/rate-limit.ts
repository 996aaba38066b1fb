/**
 * A client-side rate limiter that makes requests wait their turn instead of failing.
 *
 * Limits are read from the spec (`x-rate-limits`: name → {limit, intervalMs}) and each
 * operation names the limits it counts against (`x-rate-limit: [names]`). A request may start
 * when, for every named limit, fewer than `limit` requests started in the last `intervalMs`
 * (a sliding window). Requests that must wait are kept in one line, first come first; each
 * holds a place in every limit it names. A waiter takes its turn as soon as each of its limits
 * has room for it beyond the places of the waiters before it in that limit: it waits for the
 * waiters of its own limits only, and one blocked by another limit (a balance call held by its
 * 3-per-second limit) reserves its place without holding the others of this one behind it. A
 * new request whose limits have room beyond every waiter's place starts at once (a ticker
 * read, counted against XT's IP limit only, does not wait behind balance calls). Requests of
 * the same limits take their turns in the order they came. Every change (a window passing, a
 * request done, a waiter leaving) looks over the line once, in order, in one step: a waiter
 * never waits for room that a later request of its limits then takes. Share one limiter
 * between clients of the same key by passing the same instance to each. A waiter whose signal
 * aborts leaves the line at once, without taking a turn, gives its places back, and the
 * waiters after it move up (nothing of it is kept).
 *
 * A request held with `hold()` (as the clients hold theirs) counts in every window until it is
 * done, then for `intervalMs` from then: its arrival at the server lies somewhere between its
 * start and its answer, and a window counted from starts let a request that waited on a new
 * connection arrive next to the ones after it (6 arrivals in 953 ms at 3 per second). Counted
 * from the answers, no window of the server's holds more than `limit` of them, whatever the
 * latency. `acquire()` counts from the start, for requests the limiter never hears the end of.
 */
import { MAX_TIMER_MS, onAbort } from "./abort.js";
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
  /** The requests waiting for their turn, first come first: each holds a place in every limit it names. */
  readonly #waiting = new Set<Waiter>();
  /** Per limit, the places its waiters hold. */
  readonly #places = new Map<string, number>();
  /** The one wake-up armed for when a window next lets a request go (clock time). */
  #wake: { at: number; cancel: () => void } | undefined;
  #passing = false;
  /** A pass is queued for the aborts of this tick (one pass for all: one each was quadratic). */
  #passQueued = false;
  /** Per set of limits (a waiter's `key`), how many waiters of the line name it. */
  readonly #keys = new Map<string, number>();
  readonly #now: () => number;
  /** What a clock that stood still while waits passed is behind by (#armFor). */
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
    const now = this.#now();
    // (a wake-up overdue, its timer late: the waiters first, then this one)
    if (this.#wake && now >= this.#wake.at) this.#pass();
    // Room beyond every waiter's place in each of its limits: no need to wait.
    if (known.every((n) => this.#recent(n, now).length + (this.#places.get(n) ?? 0) < this.#rules[n]!.limit)) return this.#take(known);
    return new Promise<() => void>((resolve, reject) => {
      const w: Waiter = {
        names: known,
        key: [...known].sort().join("\u0000"),
        signal,
        // The turn is taken in the same step as the last check of its limits (no request between).
        // A signal that aborts in the same tick, before the caller hears of the turn (a loop
        // aborting every call, the one before freeing this one's place), gives it back, refused.
        grant: () => {
          this.#remove(w);
          const done = this.#take(known);
          queueMicrotask(() => (signal?.aborted ? (giveBack.get(done)!(), reject(signal.reason)) : resolve(done)));
        },
        // An aborted waiter leaves the line at once and holds nothing: only the line points to it.
        fail: (e) => (this.#remove(w), reject(e)),
        off: nothing,
      };
      this.#waiting.add(w);
      tally(this.#keys, w.key, 1);
      for (const n of known) tally(this.#places, n, 1);
      if (signal)
        w.off = onAbort(signal, () => {
          if (!this.#waiting.has(w)) return;
          w.fail(signal.reason);
          // The waiters after it may have room in its places now: one pass for the aborts of a
          // tick (a client's signal over per-call signals aborts each call's: 10,000 took 28 s).
          if (this.#passQueued) return;
          this.#passQueued = true;
          queueMicrotask(() => {
            this.#passQueued = false;
            this.#pass();
          });
        });
      this.#armFor(known, now);
    });
  }

  /** `w` leaves the line (its turn taken, or aborted) and gives its places back. */
  #remove(w: Waiter): void {
    this.#waiting.delete(w);
    w.off();
    tally(this.#keys, w.key, -1);
    for (const n of w.names) tally(this.#places, n, -1);
    // Nobody waits: no timer holds the process for them.
    if (this.#waiting.size === 0) {
      this.#wake?.cancel();
      this.#wake = undefined;
    }
  }

  /**
   * Look over the line once, first come first, in one step: a waiter takes its turn when each of
   * its limits has room for it beyond the places of the waiters before it there (those that
   * took their turn in this step count as started). Then arm a wake-up for when the windows
   * that held a waiter next lose a request. Waiters are started from this one loop, never from
   * inside each other's turn (nested, 1,300 freed at once overflowed the stack).
   */
  #pass(): void {
    if (this.#passing || this.#waiting.size === 0) return;
    this.#passing = true;
    try {
      const now = this.#now();
      // Per limit: its requests in the window, and the places of the waiters looked at so far.
      const used = new Map<string, number>();
      const full = new Set<string>();
      const rules = Object.keys(this.#rules).length;
      // The sets of limits a waiter had no room in: a later waiter of the same set has none
      // either (what is used only grows in a pass), and is passed over at once (XT's balance
      // calls also name the IP limit, never full: each pass read every one of them).
      const blocked = new Set<string>();
      for (const w of this.#waiting) {
        if (w.signal?.aborted) {
          w.fail(w.signal.reason);
          continue;
        }
        if (blocked.has(w.key)) {
          for (const n of w.names) used.set(n, used.get(n)! + 1);
          continue;
        }
        let room = true;
        for (const n of w.names) {
          let u = used.get(n);
          if (u === undefined) used.set(n, (u = this.#recent(n, now).length));
          if (u >= this.#rules[n]!.limit) {
            room = false;
            full.add(n);
          }
        }
        // (started or waiting, it counts in each of its limits for those after it)
        for (const n of w.names) used.set(n, used.get(n)! + 1);
        if (room) w.grant();
        else {
          blocked.add(w.key);
          // (every limit full, or every name set of the line blocked: nobody after it has room)
          if (full.size === rules || blocked.size >= this.#keys.size) break;
        }
      }
      this.#armFor(full, now);
    } finally {
      this.#passing = false;
    }
  }

  /**
   * Arm the wake-up for when the first of the windows of `names` loses a request (one held in
   * flight leaves none: its end runs a pass), unless one is armed as early.
   */
  #armFor(names: Iterable<string>, now: number): void {
    if (this.#waiting.size === 0) return;
    let at = Infinity;
    for (const n of names) {
      const interval = this.#rules[n]!.intervalMs;
      for (const c of this.#starts.get(n) ?? []) if (c.t + interval > now && c.t + interval < at) at = c.t + interval;
    }
    if (at === Infinity || (this.#wake && this.#wake.at <= at)) return;
    this.#wake?.cancel();
    // (a wait longer than a timer holds, as a limit per 30 days, is waited in steps)
    const ms = Math.min(Math.max(at - now, 1e-3), MAX_TIMER_MS);
    const wake = { at: now + ms, cancel: nothing };
    this.#wake = wake;
    const fire = () => {
      if (this.#wake !== wake) return;
      this.#wake = undefined;
      // A clock that stood still through the whole wait (a test's faked performance with real
      // timers) counts the wait as passed: the same wait was waited again forever.
      if (this.#now() === now) this.#stood += ms;
      this.#pass();
    };
    if (this.#sleep) void new Promise<void>((r) => r(this.#sleep!(ms))).then(fire, fire);
    else {
      const timer = setTimeout(fire, ms);
      wake.cancel = () => clearTimeout(timer);
    }
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
    for (const name of names) {
      const list = this.#starts.get(name);
      if (list) list.push(counted);
      else this.#starts.set(name, [counted]);
    }
    const settle = (t: number) => {
      if (counted.t !== Infinity) return;
      counted.t = t; // (-Infinity: out of every window at once)
      // Its windows can now tell when they lose it (or have lost it: given back).
      this.#pass();
    };
    const done = () => settle(this.#now());
    giveBack.set(done, () => settle(-Infinity));
    return done;
  }
}

const nothing = (): void => undefined;
/** Add `by` to the count of `key` (a count of 0 is no entry). */
function tally(counts: Map<string, number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by;
  if (n === 0) counts.delete(key);
  else counts.set(key, n);
}
/** A request waiting for its turn (RateLimiter's line holds it; nothing else once it has left). */
interface Waiter {
  /** The limits it counts against: it holds a place in each. */
  names: string[];
  /** Its limits as one text (sorted, joined): the waiters of one set of limits share it. */
  key: string;
  signal: AbortSignal | undefined;
  /** Takes its turn and leaves the line. */
  grant: () => void;
  /** Leaves the line, refused with `e`. */
  fail: (e: unknown) => void;
  /** Stops listening to its signal. */
  off: () => void;
}
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
