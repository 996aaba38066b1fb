/**
 * Waits that an abort ends: a call's own signal and its client's heard as one, and a wait
 * (rate limiter, backoff, login, a free slot) that rejects at once when either aborts.
 */

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
  if (a.aborted) onA();
  else if (b.aborted) onB();
  else {
    a.addEventListener("abort", onA, { once: true });
    b.addEventListener("abort", onB, { once: true });
  }
  return {
    signal: controller.signal,
    dispose: () => {
      a.removeEventListener("abort", onA);
      b.removeEventListener("abort", onB);
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
    const detach = () => {
      for (const s of signals) s.removeEventListener("abort", onAbort);
    };
    function onAbort(this: AbortSignal) {
      detach();
      cancel?.();
      reject(abort!.error(this));
    }
    promise.then(
      (v) => (detach(), resolve(v)),
      (e) => (detach(), reject(e)),
    );
    const first = signals.find((s) => s.aborted);
    if (first) onAbort.call(first);
    else for (const s of signals) s.addEventListener("abort", onAbort, { once: true });
  });
}

/** Wait `ms` (with `sleep` when one is injected), ended early as `unlessAborted` says; no timer outlives it. */
export function pause(ms: number, sleep: ((ms: number) => Promise<void>) | undefined, abort?: WaitAbort): Promise<void> {
  if (sleep) return unlessAborted(sleep(ms), abort);
  let timer: ReturnType<typeof setTimeout> | undefined;
  return unlessAborted(new Promise<void>((r) => (timer = setTimeout(r, ms))), abort, () => clearTimeout(timer));
}
