import { onAbort } from "./abort.js";
import { callerAborted, shownValue, TimeoutError, typeName, UsageError, type ErrorContext } from "./errors.js";
import { checkSignal, isTimeoutMs, MAX_TIMEOUT_MS } from "./validate.js";
import { notRetried } from "./retry.js";

/**
 * A cap on concurrent requests to one server: requests beyond it wait their turn, first come
 * first served. Xele's vendor doc (注意事项 C) asks management clients not to hammer the counter
 * ("因柜台资源有限,尽量不要尝试以高频率反复发送请求"); a REST client's cap (`maxInFlight`) keeps a
 * burst of calls from opening a connection each.
 */
export class InFlightLimit {
  #active = 0;
  /** Slots held by row streams (named in a wait's TimeoutError only when there are some). */
  #streams = 0;
  readonly #waiting: Array<() => void> = [];
  /**
   * `name`: what the slots are for, in a wait's TimeoutError ("MS": the counter server's);
   * `busy`: what a full set of slots likely means, in that error.
   */
  constructor(
    readonly max: number,
    readonly name?: string,
    readonly busy = "a busy counter",
  ) {
    if (!Number.isInteger(max) || max < 1) throw new UsageError(`maxInFlight must be a positive integer, got ${typeof max === "number" ? max : typeof max}`);
  }

  /** A slot now, when one is free (its release function), else undefined: no promise, no wait. */
  tryAcquire(): (() => void) | undefined {
    if (this.#active >= this.max) return undefined;
    this.#active++;
    return this.#release(false);
  }

  /** Requests waiting for a slot now. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Requests running now. */
  get inFlight(): number {
    return this.#active;
  }

  /**
   * Wait for a slot; call the returned function exactly once to give it back. An aborted
   * `signal` gives up the wait (AbortedError with `ctx`) and leaves the queue as it was. With
   * `waitMs`, a wait longer than that gives up with a TimeoutError: slots held by row streams
   * come back only when their loops end, so a call awaited inside such a loop would otherwise
   * wait for itself.
   */
  async acquire(signal?: AbortSignal, ctx?: ErrorContext, waitMs?: number, stream = false): Promise<() => void> {
    // (exported: a JavaScript caller's wrong argument is a UsageError, not a TypeError from the
    // abort listener, nor a wait a timer cannot hold that would end after 1 ms)
    checkSignal(ctx ?? {}, "signal", signal);
    if (waitMs !== undefined && !isTimeoutMs(waitMs)) throw new UsageError(`waitMs must be a number of ms above 0 and at most ${MAX_TIMEOUT_MS}, got ${shownValue(waitMs)}`, ctx);
    if (signal?.aborted) throw callerAborted(ctx, signal.reason);
    if (this.#active < this.max) this.#active++;
    else await this.#wait(signal, ctx, waitMs);
    if (stream) this.#streams++;
    return this.#release(stream);
  }

  /** The function that gives a slot back, once. */
  #release(stream: boolean): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (stream) this.#streams--;
      const next = this.#waiting.shift();
      // The slot passes straight to the next waiter (active stays the same).
      if (next) next();
      else this.#active--;
    };
  }

  /** Queue for a slot; on abort or after `waitMs`, leave the queue (a slot handed over meanwhile goes to the next waiter). */
  #wait(signal: AbortSignal | undefined, ctx: ErrorContext | undefined, waitMs: number | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (!signal && waitMs === undefined) return void this.#waiting.push(resolve);
      let off: (() => void) | undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const leave = (error: Error) => {
        off?.();
        clearTimeout(timer);
        const i = this.#waiting.indexOf(granted);
        if (i !== -1) this.#waiting.splice(i, 1);
        reject(error);
      };
      const granted = () => {
        off?.();
        clearTimeout(timer);
        resolve();
      };
      this.#waiting.push(granted);
      if (signal) off = onAbort(signal, () => leave(callerAborted(ctx, signal.reason)));
      if (waitMs !== undefined) timer = setTimeout(() => leave(this.#waitedTooLong(waitMs, ctx)), waitMs);
    });
  }

  #waitedTooLong(ms: number, ctx: ErrorContext | undefined): TimeoutError {
    const which = this.name ? `${this.name} ` : "";
    // (it blamed a row stream when none was open: a burst of calls to a slow counter)
    const held =
      this.#streams > 0
        ? `, ${this.#streams} of them by row streams (a stream holds one until its loop ends, so a call awaited inside that loop waits for itself)`
        : ` by calls in flight, ${this.#waiting.length - 1} more waiting (${this.busy}: pass a larger timeoutMs or maxInFlight, or send fewer at once)`;
    const error = new TimeoutError(`no ${which}in-flight slot came free within ${ms} ms: all ${this.max} are held${held}; nothing was sent`, { ...ctx, timeoutMs: ms });
    return notRetried(error);
  }

  async run<T>(fn: () => Promise<T>, signal?: AbortSignal, ctx?: ErrorContext, waitMs?: number): Promise<T> {
    if (typeof fn !== "function") throw new UsageError(`run takes the request to run (a function), got ${typeName(fn)}`, ctx);
    const release = await this.acquire(signal, ctx, waitMs);
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
