/**
 * One retry policy for every API. Whether an operation may be retried is decided per
 * operation by the spec (`x-retryable`), never by HTTP method: XT's `withdraw` is a GET that
 * moves funds. Only transient failures are retried (connection errors, timeouts, HTTP 5xx,
 * vendor "busy" codes), with exponential backoff and full jitter, and every attempt is
 * rebuilt and re-signed by the caller's `attempt` function (fresh nonce / timestamp).
 */
import { pause, type WaitAbort } from "./abort.js";
import { checkOption, checkOptionNames, ownFields } from "./validate.js";
import { ConnectionError, HttpError, markAttempts, markOutcomeUnknown, RateLimitError, RETRY_AFTER_HOLD, retryAfterOf, ServiceUnavailableError, TimeoutError, TradeApiError, typeName, UsageError, type ErrorContext } from "./errors.js";

/**
 * The `retry` option of a client (also BHEX's `idempotentRetry`, quant-ws's `retryReads`): how operations the spec marks `x-retryable: true` are
 * retried on transient failures (connection errors, timeouts, HTTP 5xx and 429, the vendors'
 * "busy" codes). `retry: false` turns retries off.
 */
export interface RetryOptions {
  /** Attempts in all, including the first. Default 3 for retryable operations. */
  maxAttempts?: number | undefined;
  /** First backoff step in ms (default 200); doubles each time, capped at `maxDelayMs`. */
  baseDelayMs?: number | undefined;
  /** The longest backoff step in ms (default 2000). */
  maxDelayMs?: number | undefined;
  /** Injected for tests. */
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** Jitter source, a number in [0, 1) (default Math.random; tests). */
  random?: (() => number) | undefined;
}

/** Errors no retry repeats, whatever their class (see `notRetried`). */
const FINAL = new WeakSet<object>();

/**
 * Mark `error` as one no retry repeats: a wait for one of the client's own slots that ran out
 * of time (nothing was sent, and another attempt would queue again at the back).
 */
export function notRetried<E extends object>(error: E): E {
  FINAL.add(error);
  return error;
}

/** Is this error worth another attempt of an operation that is safe to repeat? */
export function isTransient(error: unknown): boolean {
  if (typeof error === "object" && error !== null && FINAL.has(error)) return false;
  if (error instanceof ConnectionError || error instanceof TimeoutError) return true;
  if (error instanceof HttpError) return error.status >= 500 || error.status === 429;
  // A vendor's rate-limit code is retried only when HTTP said so too (429, its Retry-After
  // honoured), as is a call the client held back within such a Retry-After.
  return error instanceof ServiceUnavailableError || (error instanceof RateLimitError && (error.httpStatus === 429 || error.code === RETRY_AFTER_HOLD));
}

/** The names of RetryOptions (the type checks that the list is whole). */
const RETRY_OPTIONS = { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, sleep: 1, random: 1 } satisfies Record<keyof RetryOptions, 1>;

/**
 * A UsageError (at client creation) for retry options that cannot work: a NaN `maxAttempts`
 * would retry forever, a NaN or negative delay would hammer the server every millisecond, a
 * `sleep` or `random` that is not a function would fail as a bare TypeError mid-call. `name`
 * is the option's name ("retry", "idempotentRetry", "retryReads").
 */
export function checkRetryOptions(opts: unknown, name: string, ctx: ErrorContext): void {
  if (opts === undefined || typeof opts === "boolean") return;
  if (opts === null || typeof opts !== "object") throw new UsageError(`${name} must be an object (or true / false), got ${typeName(opts)}`, ctx);
  const o = opts as Record<string, unknown>;
  checkOptionNames(ctx, name, o, RETRY_OPTIONS);
  checkOption(ctx, `${name}.maxAttempts`, o.maxAttempts, { min: 1, orInfinity: true });
  checkOption(ctx, `${name}.baseDelayMs`, o.baseDelayMs, "delay");
  checkOption(ctx, `${name}.maxDelayMs`, o.maxDelayMs, "delay");
  checkOption(ctx, `${name}.sleep`, o.sleep, "function");
  checkOption(ctx, `${name}.random`, o.random, "function");
}

/**
 * The one backoff formula: the wait after failed attempt `n` (from 1) is a random share
 * ("full jitter") of `baseDelayMs · 2^(n-1)`, capped at `maxDelayMs`. Used by `withRetries`
 * and by anything else that waits between attempts (e.g. the Quant WS re-login).
 */
export function backoffDelayMs(n: number, opts: Pick<RetryOptions, "baseDelayMs" | "maxDelayMs" | "random"> = {}): number {
  const base = opts.baseDelayMs ?? 200;
  const cap = opts.maxDelayMs ?? 2000;
  const random = opts.random ?? Math.random;
  const step = Math.min(cap, base * 2 ** (n - 1));
  // An injected random outside [0, 1) (or NaN) stays within the step.
  return Math.floor(Math.min(Math.max(random(), 0), 1) * step) || 0;
}

/**
 * Run `attempt(n)` (n from 1) until it succeeds, the error is not transient, the operation
 * is not retryable, or attempts run out. Non-retryable operations get exactly one attempt.
 * A signal of `abort` ends the wait between attempts at once (with `abort.error`): an
 * aborted call does not sit out its backoff.
 */
export async function withRetries<T>(
  retryable: boolean,
  attempt: (n: number) => Promise<T>,
  opts: RetryOptions = {},
  abort?: WaitAbort,
): Promise<T> {
  opts = ownFields(opts, true);
  const max = retryable ? Math.max(1, opts.maxAttempts ?? 3) : 1;
  // An attempt that may have taken effect (BHEX's orders retried under one idempotency key)
  // leaves the call's outcome unknown, whatever a later attempt or an abort says.
  let unknown = false;
  let n = 1;
  const failure = (e: unknown) => {
    markAttempts(e, n);
    return unknown ? markOutcomeUnknown(e) : e;
  };
  for (; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      unknown ||= error instanceof TradeApiError && error.outcomeUnknown === true;
      if (n >= max || !isTransient(error)) throw failure(error);
      // A server that says when to come back (Retry-After) is not asked sooner; one that asks
      // for longer than the client waits between attempts gets the error, for the caller to decide.
      const after = retryAfterOf(error);
      if (after !== undefined && after > (opts.maxDelayMs ?? 2000)) throw failure(error);
      await pause(Math.max(backoffDelayMs(n, opts), after ?? 0), opts.sleep, abort).catch((e: unknown) => {
        throw failure(e);
      });
    }
  }
}
