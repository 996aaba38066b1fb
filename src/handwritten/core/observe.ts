/**
 * Calling a caller's observer (a client's `onEvent`, Xele's `log`, BHEX's `onPage`, a quant-ws
 * event listener) so that its failure stays its own: what it throws, or the promise it returns
 * rejects with, goes to `failed` and never into the library's flow. A logger that breaks must not turn an order the
 * server placed into a failed call (nor hide the call's own error), and an async listener's
 * rejection must not end the process (Node does on an unhandled rejection).
 */
import { printable, textOf } from "./errors.js";

/** A promise, or anything with a `then` (another promise library's): what an async callback returns. */
export const isThenable = (v: unknown): v is PromiseLike<unknown> => v !== null && typeof v === "object" && typeof (v as PromiseLike<unknown>).then === "function";

/**
 * Run `fn(value)`; its throw or rejection goes to `failed`, or, given the option's name
 * (default "onEvent"), to a process warning naming it.
 */
export function observe<T>(fn: (value: T) => unknown, value: T, failed: ((error: unknown) => void) | string = "onEvent"): void {
  const report = typeof failed === "string" ? (error: unknown) => warn(fn, failed, error) : failed;
  try {
    const r = fn(value);
    if (isThenable(r)) r.then(undefined, report);
  } catch (error) {
    report(error);
  }
}

/**
 * Messages warned of already, by observer: a listener that fails on every call warns once per
 * distinct message; another client's (another function) warns of its own.
 */
const warned = new WeakMap<object, Set<string>>();

/** A `TradeApiWarning` on the process (printed to stderr), naming the option and its error. */
function warn(fn: object, option: string, error: unknown): void {
  let what: string;
  try {
    what = error instanceof Error ? `${error.name}: ${error.message}` : textOf(error);
  } catch {
    what = "?";
  }
  const message = printable(`${option} failed (the call is not affected): ${what.slice(0, 500)}`);
  // (an observer that is no function, from a caller without types, shares one set)
  const key = typeof fn === "function" || (typeof fn === "object" && fn !== null) ? fn : warned;
  let seen = warned.get(key);
  if (!seen) warned.set(key, (seen = new Set()));
  if (seen.has(message)) return;
  if (seen.size < 100) seen.add(message);
  process.emitWarning(message, "TradeApiWarning");
}
