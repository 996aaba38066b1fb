/**
 * Waits that an abort ends: a call's own signal and its client's heard as one, and a wait
 * (rate limiter, backoff, login, a free slot) that rejects at once when either aborts.
 * Every wait listens through `onAbort`: one listener on a signal however many wait on it.
 */

/** The calls waiting on one signal, and the one "abort" listener that runs them. */
interface Waiters {
  fns: Set<() => void>;
  fire: () => void;
}
const waiting = new WeakMap<AbortSignal, Waiters>();
const nothing = (): void => undefined;

/**
 * AbortSignal-shaped: what the waits and the wire listen to (`aborted`, `reason`, the two
 * listener methods). One rule for every client's `signal` option: a polyfill's or another
 * realm's signal is taken as Node's own is; the library never hands it to Node as is.
 */
export const isSignal = (s: unknown): s is AbortSignal =>
  s !== null && typeof s === "object" && typeof (s as AbortSignal).aborted === "boolean" && typeof (s as AbortSignal).addEventListener === "function" && typeof (s as AbortSignal).removeEventListener === "function";

/** addEventListener's options, without a prototype: Node reads `signal` from them (one on Object.prototype threw). */
const ONCE: AddEventListenerOptions = Object.assign(Object.create(null) as object, { once: true });

/**
 * Run `listener` once when `signal` aborts, as `addEventListener("abort", listener, { once:
 * true })` would (never when it has aborted already); the function returned detaches it.
 * However many calls wait on one signal (a service's shutdown signal given to every call), the
 * signal holds one listener of ours, so a caller sees no MaxListenersExceededWarning (Node
 * warns past 10 listeners on a signal, which reads as a leak in their logs).
 */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  if (signal.aborted) return nothing;
  let w = waiting.get(signal);
  if (!w) {
    const fns = new Set<() => void>();
    const fire = () => {
      waiting.delete(signal);
      // (The library's listeners do not throw.)
      for (const fn of fns) {
        fns.delete(fn);
        fn();
      }
    };
    w = { fns, fire };
    waiting.set(signal, w);
    signal.addEventListener("abort", fire, ONCE);
  }
  // One entry per call, even for a listener given twice.
  const entry = () => listener();
  const waiters = w;
  waiters.fns.add(entry);
  return () => {
    if (!waiters.fns.delete(entry) || waiters.fns.size > 0) return;
    if (waiting.get(signal) === waiters) waiting.delete(signal);
    signal.removeEventListener("abort", waiters.fire);
  };
}

/** A call's signal: its own and its client's as one; `both` (set only when there are two) must be disposed. */
export interface CallSignal {
  signal: AbortSignal | undefined;
  both?: { dispose: () => void };
}

/** The call's signal and the client's as one: an AbortController only when both are given. */
export function callSignal(call: AbortSignal | undefined, client: AbortSignal | undefined): CallSignal {
  if (!call || !client || call === client) return { signal: call ?? client };
  const both = eitherSignal(call, client);
  return { signal: both.signal, both };
}

/** The caller's signal and the client's as one (either aborts); `dispose` detaches it. */
function eitherSignal(a: AbortSignal, b: AbortSignal): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onA = () => controller.abort(a.reason);
  const onB = () => controller.abort(b.reason);
  let offA = nothing;
  let offB = nothing;
  if (a.aborted) onA();
  else if (b.aborted) onB();
  else {
    offA = onAbort(a, onA);
    offB = onAbort(b, onB);
  }
  return {
    signal: controller.signal,
    dispose: () => {
      offA();
      offB();
    },
  };
}

/** Signals that end a wait early, and the error the wait then rejects with (by the signal that aborted). */
export interface WaitAbort {
  signals: ReadonlyArray<AbortSignal | undefined>;
  error: (signal: AbortSignal) => unknown;
}

/**
 * `promise`, unless one of `abort.signals` aborts first (or already has): then the wait
 * rejects at once with `abort.error(signal)` and `cancel` runs (e.g. clears a timer). What
 * `promise` settles to later is then ignored (never an unhandled rejection).
 */
export function unlessAborted<T>(promise: Promise<T>, abort: WaitAbort | undefined, cancel?: () => void): Promise<T> {
  const signals = abort?.signals.filter((s): s is AbortSignal => s !== undefined) ?? [];
  if (!signals.length) return promise;
  return new Promise<T>((resolve, reject) => {
    const offs: Array<() => void> = [];
    const detach = () => {
      for (const off of offs) off();
    };
    const aborted = (s: AbortSignal) => {
      detach();
      cancel?.();
      reject(abort!.error(s));
    };
    promise.then(
      (v) => (detach(), resolve(v)),
      (e) => (detach(), reject(e)),
    );
    const first = signals.find((s) => s.aborted);
    if (first) aborted(first);
    else for (const s of signals) offs.push(onAbort(s, () => aborted(s)));
  });
}

/** The longest wait one timer holds (Node runs a longer one after 1 ms, with a warning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Wait `ms` (with `sleep` when one is injected), ended early as `unlessAborted` says; no timer
 * outlives it. A wait longer than a timer holds (a rate limit of so many calls per 30 days) is
 * waited in steps.
 */
export function pause(ms: number, sleep: ((ms: number) => Promise<void>) | undefined, abort?: WaitAbort): Promise<void> {
  if (sleep) return unlessAborted(sleep(ms), abort);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const wait = (left: number, done: () => void): void => {
    timer = left > MAX_TIMER_MS ? setTimeout(() => wait(left - MAX_TIMER_MS, done), MAX_TIMER_MS) : setTimeout(done, left);
  };
  return unlessAborted(new Promise<void>((r) => wait(ms, r)), abort, () => clearTimeout(timer));
}
