/**
 * Typed events, as listeners and as async iterators, for the client and its sessions.
 *
 * Unlike node:events, an `error` event with no listener is not thrown (a malformed frame must
 * never crash the process), and a listener that throws does not stop delivery to the others:
 * its error goes to `onListenerError`.
 */

import { onAbort } from "../core/abort.js";
import { observe } from "../core/observe.js";
import { checkOption, checkOptionNames, meant, ownFields, quotedValue } from "../core/validate.js";
import { quoted, shownValue, TimeoutError, UsageError, type TradeApiError } from "../core/errors.js";
import { API, StreamOverflowError } from "./errors.js";
import { checkSignal, checkTimeout } from "./request-check.js";

type Listener<T> = (value: T) => void;
const ignore = (): void => undefined;

export interface StreamOptions {
  /** Ends the iterator (done) when aborted. */
  signal?: AbortSignal | undefined;
  /**
   * What a session's stream does when its socket drops ("ignore" by default: it goes on
   * across the reconnect, and notifications sent while the socket was down are missed
   * unsaid). "throw": it ends, the events waiting are still delivered, then the loop gets a
   * `StreamGapError`: re-read the state (`open_orders`, `asset`) once READY and open a new
   * stream. The client's own streams have no gaps.
   */
  gaps?: "ignore" | "throw" | undefined;
  /**
   * Events waiting unread at most (default 10 000). One more and the stream ends rather than
   * drop any: the waiting events are still delivered, then the loop gets a
   * StreamOverflowError (re-read the state, e.g. open_orders, and open a new stream).
   */
  maxBuffered?: number | undefined;
  /**
   * Frames waiting unread at most, counted as their characters plus 32 for each JSON value in
   * them (what the parsed values take beyond the text; default 64 Mi): the bound in size, since
   * each notification can be as large as `maxMessageBytes`. Events without a frame of their own
   * (state changes, errors) count 0.
   */
  maxBufferedChars?: number | undefined;
}

/** The default `maxBufferedChars`: 64 Mi of frame cost (characters and 32 per JSON value). */
const DEFAULT_MAX_BUFFERED_CHARS = 64 * 1024 * 1024;

/** The names of StreamOptions (the type checks that the list is whole). */
const STREAM_OPTIONS = { signal: 1, gaps: 1, maxBuffered: 1, maxBufferedChars: 1 } satisfies Record<keyof StreamOptions, 1>;

/**
 * A listener that is not a function (`on("state", null)`) is refused when given, naming the
 * event: taken, it would fail each time the event comes, as an `error` event far from the mistake.
 */
function checkListener(method: "on" | "once" | "off", event: PropertyKey, listener: unknown): void {
  if (typeof listener === "function") return;
  const name = typeof event === "string" ? quoted(event) : shownValue(event);
  throw new UsageError(`the listener of the ${name} event must be a function, got ${shownValue(listener)}`, { api: API, operation: method });
}

/**
 * An event name the emitter never emits (`on("notifcation", …)`, a topic the spec does not
 * have) is refused when given, naming the closest and listing the events: taken, its listener
 * would wait in silence forever.
 */
function checkEvent(method: string, event: PropertyKey, names: ReadonlySet<string>): void {
  if (typeof event === "string" && names.has(event)) return;
  const list = [...names];
  const name = typeof event === "string" ? `${quotedValue(event)}${meant(event, list)}` : `${shownValue(event)} (event names are strings)`;
  throw new UsageError(`no event ${name}: the events are ${list.map((n) => JSON.stringify(n)).join(", ")}`, { api: API, operation: method });
}

export class TypedEvents<E extends object> {
  readonly #names: ReadonlySet<string>;
  #listeners = new Map<keyof E, Set<Listener<never>>>();
  /** Each open stream's end (`failure`: what its loop gets once the events waiting are read) and whether it ends at a gap. */
  #streams = new Set<{ finish: (failure?: TradeApiError) => void; gaps: boolean; event: string }>();
  /** The `next()` calls waiting: each fails with the end's error. */
  #nexts = new Set<(error: TradeApiError) => void>();
  #ended = false;
  #endError: TradeApiError | undefined;
  /** The end was a failure (see `end`): a stream opened after it fails with it too. */
  #endFatal = false;
  /** The cost of the frame of the event being emitted (frames.ts frameCost; read by streams, see maxBufferedChars). */
  #chars = 0;

  /** `names`: every event of `E` (what on/once/off/next/stream accept). */
  constructor(names: Iterable<keyof E & string>, private readonly onListenerError: (error: unknown) => void = () => undefined) {
    this.#names = new Set(names);
  }

  /** Add a listener; returns the function that removes it. */
  on<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    checkEvent("on", event, this.#names);
    checkListener("on", event, listener);
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => this.off(event, listener);
  }

  once<K extends keyof E>(event: K, listener: Listener<E[K]>): () => void {
    checkEvent("once", event, this.#names);
    checkListener("once", event, listener);
    const off = this.on(event, (v) => {
      off();
      listener(v);
    });
    return off;
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): void {
    checkEvent("off", event, this.#names);
    checkListener("off", event, listener);
    this.#listeners.get(event)?.delete(listener as Listener<never>);
  }

  listenerCount(event: keyof E): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  /** Call `event`'s listeners with `value`; `chars`: the cost of the frame it came in (frames.ts frameCost). */
  emit<K extends keyof E>(event: K, value: E[K], chars = 0): void {
    const set = this.#listeners.get(event);
    if (set?.size) this.#call(event, [...set], value, chars);
  }

  /** The listener of `event` added last (what `on`, `once`, `next` or `stream` just added), as a handle for `emitTo`. */
  newest(event: keyof E): object | undefined {
    let last: object | undefined;
    for (const l of this.#listeners.get(event) ?? []) last = l;
    return last;
  }

  /** `emit` to one listener (a handle from `newest`), if it still listens: false when it does not. */
  emitTo<K extends keyof E>(event: K, listener: object, value: E[K], chars = 0): boolean {
    if (!this.#listeners.get(event)?.has(listener as Listener<never>)) return false;
    this.#call(event, [listener as Listener<E[K]>], value, chars);
    return true;
  }

  #call<K extends keyof E>(event: K, listeners: ReadonlyArray<Listener<never>>, value: E[K], chars: number): void {
    const outer = this.#chars;
    this.#chars = chars;
    try {
      // A listener that throws, or whose promise rejects, does not stop the others; an error
      // listener's failure is not reported again as an error event (it would loop).
      const failed = event === "error" ? ignore : this.onListenerError;
      for (const l of listeners) observe(l as Listener<E[K]>, value, failed);
    } finally {
      this.#chars = outer;
    }
  }

  /**
   * The next value of `event`. Rejects with a TimeoutError after `timeoutMs` (if given), and
   * with the error `end()` was given when the events end first (or have ended already).
   */
  next<K extends keyof E>(event: K, timeoutMs?: number): Promise<E[K]> {
    try {
      checkEvent("next", event, this.#names);
      if (timeoutMs !== undefined) checkTimeout("next", timeoutMs);
    } catch (e) {
      return Promise.reject(e);
    }
    if (this.#ended) return Promise.reject(this.#endError);
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settled = () => {
        if (timer) clearTimeout(timer);
        this.#nexts.delete(fail);
        off();
      };
      const fail = (error: TradeApiError) => {
        settled();
        reject(error);
      };
      const off = this.once(event, (v) => {
        settled();
        resolve(v);
      });
      this.#nexts.add(fail);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => fail(new TimeoutError(`no ${String(event)} event within ${timeoutMs} ms`, { api: API, timeoutMs })), timeoutMs);
      }
    });
  }

  /**
   * Every future `event` as an async iterator. Values are buffered until read; the iterator
   * ends when `end()` is called (session logged out, client closed; a fatal end rejects with
   * its error once the values waiting are read), at a gap (`gaps: "throw"`, see `gap`), on
   * `signal`, or when the caller breaks out of its loop.
   */
  stream<K extends keyof E>(event: K, given: StreamOptions = {}): AsyncIterableIterator<E[K]> {
    checkEvent("stream", event, this.#names);
    const opts = ownFields(given); // (what the caller gave, never Object.prototype's)
    // A NaN or negative maxBuffered ended the stream at its first event; "100" compared as text.
    const ctx = { api: API, operation: "stream" };
    checkOptionNames(ctx, "the stream options", opts, STREAM_OPTIONS);
    checkOption(ctx, "maxBuffered", opts.maxBuffered, { min: 1, orInfinity: true });
    checkOption(ctx, "maxBufferedChars", opts.maxBufferedChars, { min: 1, orInfinity: true });
    checkOption(ctx, "gaps", opts.gaps, ["ignore", "throw"]);
    checkSignal("stream", opts.signal);
    const max = opts.maxBuffered ?? 10_000;
    const maxChars = opts.maxBufferedChars ?? DEFAULT_MAX_BUFFERED_CHARS;
    const buffer: E[K][] = [];
    /** The frame text length of each buffered event, and their sum. */
    const sizes: number[] = [];
    let held = 0;
    /** The next() calls waiting, served in the order they were made (as an async generator's). */
    const waiting: Array<{ resolve: (r: IteratorResult<E[K]>) => void; reject: (e: TradeApiError) => void }> = [];
    let done = this.#ended;
    /**
     * Set when an event found the buffer full, or the stream ended at a gap or by a fatal end
     * (see `end`): thrown once the buffer is read.
     */
    let overflow: TradeApiError | undefined;
    let offAbort = (): void => undefined;
    const finish = (failure?: TradeApiError) => {
      if (done) return;
      done = true;
      off();
      this.#streams.delete(entry);
      offAbort();
      if (failure) overflow = failure;
      const rest = waiting.splice(0);
      // A loop waiting now has nothing buffered before it: the first gets the failure.
      if (failure && rest.length) {
        overflow = undefined;
        rest.shift()!.reject(failure);
      }
      for (const w of rest) w.resolve({ value: undefined, done: true });
    };
    const entry = { finish, gaps: opts.gaps === "throw", event: String(event) };
    const off = done
      ? () => undefined
      : this.on(event, (v) => {
          const w = waiting.shift();
          if (w) w.resolve({ value: v, done: false });
          else if (buffer.length < max && held + this.#chars <= maxChars) {
            buffer.push(v);
            sizes.push(this.#chars);
            held += this.#chars;
          } else {
            overflow = new StreamOverflowError(
              buffer.length < max
                ? `the stream of ${String(event)} events fell behind: frames of ${held + this.#chars} (their characters and 32 per JSON value) would be waiting unread, more than maxBufferedChars ${maxChars}, so it ended rather than drop one (read faster, or pass a larger maxBufferedChars)`
                : `the stream of ${String(event)} events fell behind: ${max} were waiting unread, so it ended rather than drop one (read faster, or pass a larger maxBuffered)`,
              max,
            );
            finish();
          }
        });
    if (!done) {
      this.#streams.add(entry);
      if (opts.signal?.aborted) finish();
      else if (opts.signal) offAbort = onAbort(opts.signal, () => finish());
    } else if (this.#endFatal) overflow = this.#endError;
    const iterator: AsyncIterableIterator<E[K]> = {
      next: () => {
        if (buffer.length) {
          held -= sizes.shift()!;
          return Promise.resolve({ value: buffer.shift()!, done: false });
        }
        if (overflow) {
          const e = overflow;
          overflow = undefined;
          return Promise.reject(e);
        }
        if (done) return Promise.resolve({ value: undefined, done: true });
        // (one slot for a waiting next() let a second call's take it: the first never settled)
        return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
      },
      return: () => {
        buffer.length = 0;
        sizes.length = 0;
        held = 0;
        overflow = undefined;
        finish();
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /**
   * The socket dropped: every stream opened with `gaps: "throw"` ends, its loop getting
   * `make(event)` once it has read the events waiting.
   */
  gap(make: (event: string) => TradeApiError): void {
    for (const s of [...this.#streams]) if (s.gaps) s.finish(make(s.event));
  }

  /**
   * End every stream (buffered values are still delivered), fail every `next()` waiting with
   * `error` (the session's end, the client's close), and drop all listeners. `fatal` (the
   * session ended by a failure, not by logout() or close()): each stream's loop gets `error`
   * too, once it has read the events waiting, rather than end as if all were well.
   */
  end(error: TradeApiError, fatal = false): void {
    this.#ended = true;
    this.#endError = error;
    this.#endFatal = fatal;
    for (const s of [...this.#streams]) s.finish(fatal ? error : undefined);
    for (const fail of [...this.#nexts]) fail(error);
    this.#listeners.clear();
  }
}
