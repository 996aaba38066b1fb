import { onAbort } from "../core/abort.js";
import { callerAborted, type ErrorContext } from "../core/errors.js";

/**
 * A cap on concurrent requests to one server. The vendor doc (注意事项 C) asks management clients not
 * to hammer the counter ("因柜台资源有限,尽量不要尝试以高频率反复发送请求"): requests beyond the cap
 * wait their turn, first come first served.
 */
export class InFlightLimit {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxInFlight must be a positive integer, got ${max}`);
  }

  /** Requests running now. */
  get inFlight(): number {
    return this.active;
  }

  /**
   * Wait for a slot; call the returned function exactly once to give it back. An aborted
   * `signal` gives up the wait (AbortedError with `ctx`) and leaves the queue as it was.
   */
  async acquire(signal?: AbortSignal, ctx?: ErrorContext): Promise<() => void> {
    if (signal?.aborted) throw callerAborted(ctx, signal.reason);
    if (this.active < this.max) this.active++;
    else await this.wait(signal, ctx);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter (active stays the same).
      if (next) next();
      else this.active--;
    };
  }

  /** Queue for a slot; on abort, leave the queue (a slot handed over meanwhile goes to the next waiter). */
  private wait(signal: AbortSignal | undefined, ctx: ErrorContext | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (!signal) return void this.waiting.push(resolve);
      const aborted = () => {
        const i = this.waiting.indexOf(granted);
        if (i !== -1) this.waiting.splice(i, 1);
        reject(callerAborted(ctx, signal.reason));
      };
      const granted = () => {
        off();
        resolve();
      };
      const off = onAbort(signal, aborted);
      this.waiting.push(granted);
    });
  }

  async run<T>(fn: () => Promise<T>, signal?: AbortSignal, ctx?: ErrorContext): Promise<T> {
    const release = await this.acquire(signal, ctx);
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
