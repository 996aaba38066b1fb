/**
 * `QuantWsSession`: one logged-in trading interface on a shared gateway socket, addressed by
 * its token. Requests wait for (or fail fast without) state READY; notifications and state
 * arrive as typed events and async iterators. The socket, cids, heartbeat and reconnects
 * belong to the client (client.ts), which drives a session through the `_`-prefixed methods.
 */
import {
  quantWsMeta,
  StateCode,
  type AssetBalance,
  type CancelOrderResult,
  type Order,
  type Position,
  type OrderUpdate,
  type OrderStatus,
  type QuantWsNotifications,
  type QuantWsReplies,
  type QuantWsRequests,
  type SymbolInfo,
} from "../../../generated/quant-ws.js";
import { onAbort } from "../core/abort.js";
import type { DecimalsAs } from "../core/decimals.js";
import { AbortedError, ConnectionError, errorForCall, markOutcomeUnknown, markShared, OUTCOME_UNKNOWN_NOTE, ResponseFormatError, TimeoutError, typeName, UsageError, type TradeApiError } from "../core/errors.js";
import { checkOption, checkOptionNames, heldParams, ownFields } from "../core/validate.js";
import { stringifyJson, type DecimalsMode } from "../core/json.js";
import { describeAs, someOf } from "../core/redaction.js";
import { notRetried, withRetries, type RetryOptions } from "../core/retry.js";
import { API, CancelAllUnconfirmedError, ClientClosedError, ConnectionDroppedError, loginStateError, QuantWsFrameError, SessionClosedError, SessionNotReadyError, stateName, StreamGapError, StreamOverflowError } from "./errors.js";
import { TypedEvents, type StreamOptions } from "./events.js";
import { Fifo } from "./fifo.js";
import type { RequestOp, Topic } from "./frames.js";
import { checkRequest, checkSignal, checkTimeout } from "./request-check.js";
import { OPERATIONS } from "./operations.js";

/**
 * The gateway's exchange adapter: an open string (a deployment decides which it serves).
 * The open-source gateway serves okex, huobi, huobi_future and ftx (`KNOWN_PLATFORMS`) and
 * ends a login for any other value with state 1 "platform not found" (`UnknownPlatformError`).
 */
export type Platform = QuantWsRequests["login"]["platform"];

/** What `login` needs. Kept only in the client's memory, to log in again after a reconnect. */
export interface QuantWsLogin {
  platform: Platform;
  symbols: string[];
  accessKey: string;
  secretKey: string;
  /**
   * Not in the vendor doc and ignored by the current gateway (it builds the account as
   * access_key@platform); only its first revision read it. Sent only when set.
   */
  account?: string | undefined;
}

/** Ops a session sends (login and ping belong to the client). */
export type SessionOp = Exclude<RequestOp, "login" | "ping">;
/** A request's own fields: the client adds op, cid and token. */
export type RequestFields<Op extends SessionOp> = Omit<QuantWsRequests[Op], "op" | "cid" | "token">;
export type NotReadyPolicy = "wait" | "fail";

export interface RequestOptions {
  /** Default: the client's requestTimeoutMs. Covers waiting for READY too. */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Override the client's `notReady` policy for this request. */
  notReady?: NotReadyPolicy | undefined;
}

/** The names of RequestOptions (the type checks that the list is whole): any other key is a UsageError. */
const REQUEST_OPTIONS = { timeoutMs: 1, signal: 1, notReady: 1 } satisfies Record<keyof RequestOptions, 1>;
/** The names of logout()'s options. */
/**
 * What `request("logout")` resolves to when a logout during a re-login found no login to end
 * (the re-login had got none): nothing was sent, and nothing is held.
 */
const NOTHING_HELD: QuantWsReplies["logout"] = Object.freeze({ op: "logout", cid: "", result: true, error_message: "" });
const LOGOUT_OPTIONS = { timeoutMs: 1 } satisfies Record<keyof NonNullable<Parameters<QuantWsSession["logout"]>[0]>, 1>;

/** `opts` of `op` (`what` names them) is undefined, or an object of `known` names only: else a UsageError. */
function checkOptionsObject(op: string, what: string, opts: unknown, known: Readonly<Record<string, 1>>): void {
  if (opts === undefined) return;
  const ctx = { api: API, operation: op };
  if (opts === null || typeof opts !== "object") throw new UsageError(`${what} must be an object { ${Object.keys(known).join("?, ")}? }, got ${typeName(opts)}`, ctx);
  checkOptionNames(ctx, what, opts, known);
}

/** A request's options, before anything is sent or a timer made: a UsageError naming a wrong name or value. */
function checkRequestOptions(op: string, opts: unknown): asserts opts is RequestOptions | undefined {
  if (opts === undefined) return;
  checkOptionsObject(op, "the request options", opts, REQUEST_OPTIONS);
  const { timeoutMs, signal, notReady } = opts as RequestOptions;
  if (timeoutMs !== undefined) checkTimeout(op, timeoutMs);
  checkSignal(op, signal);
  checkOption({ api: API, operation: op }, "notReady", notReady, ["wait", "fail"]);
}

export interface SessionStateEvent {
  code: number;
  /** "READY", "DISCONNECT", ... */
  name: string;
  msg: string;
  /** Whether requests are sent now. */
  ready: boolean;
}

/**
 * One event per notification topic of the AsyncAPI spec (the generated `QuantWsNotifications`:
 * order, fill, position, asset), carrying its frame's `data`: a topic the spec adds is an event
 * without an edit here.
 */
export type QuantWsNotificationEvents<D extends DecimalsMode = "exact"> = { [T in Topic]: DecimalsAs<QuantWsNotifications[T]["data"], D> };

/**
 * A session's events. `D` is the client's `decimals` option: with "string", the decimal fields
 * (`type: number` in the spec: prices, quantities, balances) hold the text the gateway sent.
 */
export interface QuantWsSessionEvents<D extends DecimalsMode = "exact"> extends QuantWsNotificationEvents<D> {
  state: SessionStateEvent;
  /**
   * Logged in again after a reconnect: the server issued a new token (`session.token`; the
   * event carries no token, as the events of a service are often logged). `relogins`: how many
   * new tokens this session has got by logging in again, this one included.
   */
  relogin: { relogins: number };
  /** Logged out, client closed, or re-login failed (`error`). */
  end: { error: TradeApiError };
}

/** A session's event names: the spec's notification topics, then its own (`on()` refuses any other). */
const SESSION_EVENTS: ReadonlyArray<keyof QuantWsSessionEvents> = [
  ...(quantWsMeta.notificationTopics as readonly Topic[]),
  ...Object.keys({ state: 1, relogin: 1, end: 1 } satisfies Record<Exclude<keyof QuantWsSessionEvents, Topic>, 1>) as Array<Exclude<keyof QuantWsSessionEvents, Topic>>,
];

/** What `cancelAll` could establish (see `QuantWsSession.cancelAll`). */
export interface CancelAllOutcome {
  symbol: string;
  /** Orders of the symbol seen CANCELED after the request (those open before it included). */
  cancelled: string[];
  /** Orders open before the request that ended otherwise meanwhile (e.g. FILLED), with that status. */
  notCancelled: Array<{ order_no: string; status: OrderStatus }>;
  /**
   * "notifications": no reply (the gateway never sends one to a cancel-all); every order open
   * before the request was seen CANCELED (or ended otherwise). "reply": the gateway did reply
   * (a gateway that fixed this), and `results` holds its per-order results.
   */
  confirmedBy: "notifications" | "reply";
  results?: CancelOrderResult[];
}

export interface CancelOrderOutcome {
  /** The reply's items, as the server sent them (one per requested order, from a gateway that keeps to the spec). */
  results: CancelOrderResult[];
  /** Orders asked for that the reply says were cancelled, each once. */
  cancelled: string[];
  /** The reply's items that say an order asked for was not cancelled (with the gateway's reason), one per order. */
  failed: CancelOrderResult[];
  /**
   * Orders asked for that the reply has no item for, or whose items contradict each other
   * (cancelled and not): their outcome is unknown (re-read `open_orders`). Every order asked
   * for is in exactly one of cancelled, failed, unanswered; an item for an order not asked for
   * is in none of them.
   */
  unanswered: string[];
}

/** What a session needs from its client. */
export interface SessionHost {
  readonly requestTimeoutMs: number;
  readonly notReady: NotReadyPolicy;
  readonly retryReads: RetryOptions | undefined;
  /**
   * `quietLate`: a reply arriving after the request was settled (timeout, abort) is dropped
   * silently. `waitedMs`: how much of the caller's timeout went before (`timeoutMs` is the rest).
   */
  send<Op extends RequestOp>(op: Op, frame: QuantWsRequests[Op], timeoutMs: number, signal?: AbortSignal, quietLate?: boolean, waitedMs?: number): Promise<QuantWsReplies[Op]>;
  socketOpen(): boolean;
  /** Whether `session` is logging in again after a reconnect. */
  relogging(session: QuantWsSession): boolean;
  /** `session`, logging in again, was ended by its logout(): resolves once the gateway holds no login of it (login-flow.ts `afterLogout`). */
  afterLogout(session: QuantWsSession): Promise<QuantWsReplies["logout"] | undefined>;
  forget(session: QuantWsSession): void;
  reportError(error: unknown): void;
  /** `error` with the client's secrets removed (a parameter check shows the values it was given). */
  scrub<E>(error: E): E;
}

interface Waiter {
  /** The request waiting to be sent (undefined: waitReady(), a login's wait). */
  op?: string | undefined;
  resolve(): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

const NOT_READY_CODES = new Set<number>([1, 2, 3, 4, 5]);
/**
 * Notifications held per topic during a login (see `QuantWsSession` on held snapshots): room
 * for the snapshots of a large account (an order each), bounded against a flooding server.
 */
const MAX_HELD = 100_000;
/**
 * …and at most this much frame cost in all topics of a session (frames.ts frameCost: the text
 * and 32 per JSON value): room for 100,000 positions of 450 characters (about 2,000 each).
 */
const MAX_HELD_COST = 256 * 1024 * 1024;
const FINAL_STATUSES = new Set<string>(["FILLED", "CANCELED", "FAILED"]);
/**
 * The least of its timeoutMs a request released by READY is sent with (or half its timeoutMs,
 * when that is less): with less, its reply could hardly come in time, and an order sent then
 * would fail as outcomeUnknown. It fails as not sent instead.
 */
export const MIN_SEND_MS = 100;

/** No request options, without a prototype (an option on Object.prototype is none given). */
const NO_OPTIONS: RequestOptions = Object.freeze(Object.create(null) as RequestOptions);

/** The wire frame: op and token first (as in the vendor doc's examples), then the fields. */
function frameOf<Op extends SessionOp>(op: Op, token: string, fields: object | undefined): QuantWsRequests[Op] {
  const frame: Record<string, unknown> = { op, token };
  if (fields) for (const k of Object.keys(fields)) if (k !== "op" && k !== "token" && k !== "cid") frame[k] = (fields as Record<string, unknown>)[k];
  return frame as unknown as QuantWsRequests[Op];
}

/**
 * What a cancel_order reply said that cancelOrder could not count (items of one order that
 * contradict each other, items for orders not asked for), as the client's `error` event.
 */
function itemMismatch(symbol: string, reply: QuantWsReplies["cancel_order"], contradicted: readonly string[], unasked: readonly string[]): QuantWsFrameError {
  const parts: string[] = [];
  if (contradicted.length) parts.push(`its items for ${someOf(contradicted)} say cancelled and not cancelled: counted as unanswered`);
  if (unasked.length) parts.push(`it has items for ${someOf(unasked)}, which were not asked for: not counted`);
  return new QuantWsFrameError("item-mismatch", `cancel_order reply for ${symbol}: ${parts.join("; ")}`, stringifyJson(reply), "data", { operation: "cancel_order", cid: reply.cid });
}

/** The fields may be left out only when every operation of `Op` (a union too) needs none. */
type Rest<Op extends SessionOp> = [Op extends unknown ? (object extends RequestFields<Op> ? true : false) : never] extends [true]
  ? [fields?: RequestFields<Op>, opts?: RequestOptions]
  : [fields: RequestFields<Op>, opts?: RequestOptions];

/**
 * How the client drives its sessions (a login's token and READY wait, the `state` and `notify`
 * frames for a session's token, the socket dropping, the end): functions the client's modules
 * import, not methods a session's user can reach. Set by QuantWsSession's static block.
 */
export interface SessionDriver {
  setToken(session: QuantWsSession, token: string): void;
  awaitLoginReady(session: QuantWsSession, timeoutMs: number, ctx: { platform: string; secrets: string[] }, budgetMs?: number): Promise<void>;
  onState(session: QuantWsSession, code: number, msg: string): SessionStateEvent;
  onUnreadableState(session: QuantWsSession, error: TradeApiError): void;
  onNotify(session: QuantWsSession, topic: Topic, data: unknown, chars?: number): void;
  loginDone(session: QuantWsSession): void;
  socketDown(session: QuantWsSession, error: TradeApiError): void;
  end(session: QuantWsSession, error: TradeApiError): void;
}
export let driveSession!: SessionDriver;

/** `D`: the client's `decimals` option, which types the replies and notifications (see DecimalsAs). */
export class QuantWsSession<D extends DecimalsMode = "exact"> {
  static {
    driveSession = {
      setToken: (s, token) => s.#setToken(token),
      awaitLoginReady: (s, timeoutMs, ctx, budgetMs) => s.#awaitLoginReady(timeoutMs, ctx, budgetMs),
      onState: (s, code, msg) => s.#onState(code, msg),
      onUnreadableState: (s, error) => s.#onUnreadableState(error),
      onNotify: (s, topic, data, chars) => s.#onNotify(topic, data, chars),
      loginDone: (s) => s.#loginDone(),
      socketDown: (s, error) => s.#socketDown(error),
      end: (s, error) => s.#end(error),
    };
  }

  readonly platform: Platform;
  readonly symbols: readonly string[];
  readonly #host: SessionHost;
  readonly #events: TypedEvents<QuantWsSessionEvents>;
  #token = "";
  #linkReady = false;
  #socketUp = true;
  #lastState: SessionStateEvent | undefined;
  /** What was wrong with the last `state` frame for this token that could not be read, during a login. */
  #unreadableState: string | undefined;
  #ended: TradeApiError | undefined;
  #waiters = new Set<Waiter>();
  #loginWait: Waiter | undefined;
  #loginCtx: { platform: string; secrets: string[] } | undefined;
  /** Notifications that arrived during a login for a topic nobody listened to yet. */
  #held = new Map<Topic, Fifo<{ data: unknown; chars: number }>>();
  #heldChars = 0;
  /** Topics whose held notifications overflowed during this login (reported once each). */
  readonly #heldOverflow = new Set<Topic>();
  #holding = false;
  #orderWatchers = new Set<(o: OrderUpdate) => void>();
  /** How many `relogin` events this session has emitted. */
  #relogins = 0;

  /** @internal sessions are made by `client.login()`. */
  constructor(host: SessionHost, login: QuantWsLogin) {
    // (the declarations leave this constructor out, so `new QuantWsSession()` type-checks)
    if (typeof host?.reportError !== "function" || login === null || typeof login !== "object") throw new UsageError("a QuantWsSession is made by client.login(), not by new QuantWsSession()", { api: API });
    this.#host = host;
    this.platform = login.platform;
    this.symbols = [...login.symbols];
    this.#events = new TypedEvents<QuantWsSessionEvents>(SESSION_EVENTS, (e) => host.reportError(e));
    // Logged or serialized (the client's events carry sessions), a session shows these facts,
    // not its getters: `util.inspect` with `getters: true` would print `token`.
    describeAs(this, "QuantWsSession", () => ({ api: API, platform: this.platform, symbols: this.symbols, ready: this.ready, ended: this.ended, relogins: this.#relogins }));
  }

  /** The login token now in use (a reconnect's re-login replaces it; see the `relogin` event, which does not carry it). */
  get token(): string {
    return this.#token;
  }
  /** True when requests are sent at once: socket up, logged in, last link state READY. */
  get ready(): boolean {
    return !this.#ended && this.#socketLive() && !this.#loginWait && this.#linkReady && this.#token !== "";
  }
  /**
   * The socket this session is logged in on is open. Not once the gateway's close frame has
   * come (ws gives no event for it: the socket is CLOSING, requests are refused, and 'close'
   * comes only when the TCP connection ends): requests wait for the reconnect from then on.
   */
  #socketLive(): boolean {
    return this.#socketUp && this.#host.socketOpen();
  }
  get lastState(): SessionStateEvent | undefined {
    return this.#lastState;
  }
  get ended(): boolean {
    return this.#ended !== undefined;
  }

  // The events are emitted as decoded (with the client's decimals); `D` only types them.
  on<K extends keyof QuantWsSessionEvents<D>>(event: K, listener: (value: QuantWsSessionEvents<D>[K]) => void): () => void {
    return this.#listen(event, false, () => this.#events.on(event, listener as never));
  }
  once<K extends keyof QuantWsSessionEvents<D>>(event: K, listener: (value: QuantWsSessionEvents<D>[K]) => void): () => void {
    return this.#listen(event, true, () => this.#events.once(event, listener as never));
  }
  off<K extends keyof QuantWsSessionEvents<D>>(event: K, listener: (value: QuantWsSessionEvents<D>[K]) => void): void {
    this.#events.off(event, listener as never);
  }
  /**
   * Every future `event` as an async iterator; ends when the session ends: done after logout()
   * or close(), rejecting with the session's end error when it ended by a failure (a refused
   * re-login, reconnect given up), once the events waiting are read. With `gaps: "throw"` it
   * also ends when the socket drops, rejecting with a StreamGapError (see StreamOptions).
   */
  stream<K extends keyof QuantWsSessionEvents<D>>(event: K, opts?: StreamOptions): AsyncIterableIterator<QuantWsSessionEvents<D>[K]> {
    return this.#listen(event, false, () => this.#events.stream(event, opts)) as AsyncIterableIterator<QuantWsSessionEvents<D>[K]>;
  }
  /** The next `event` (rejects after `timeoutMs`, and with the session's end error when it ends first). */
  next<K extends keyof QuantWsSessionEvents<D>>(event: K, timeoutMs?: number): Promise<QuantWsSessionEvents<D>[K]> {
    return this.#listen(event, true, () => this.#events.next(event, timeoutMs)) as Promise<QuantWsSessionEvents<D>[K]>;
  }

  /** `add` a listener of `event`; the one it added (if any) takes the held notifications of the topic (see `#releaseHeld`). */
  #listen<T>(event: keyof QuantWsSessionEvents, one: boolean, add: () => T): T {
    const before = this.#events.listenerCount(event);
    const added = add();
    if (this.#events.listenerCount(event) > before) this.#releaseHeld(event as Topic, one);
    return added;
  }

  /**
   * Notifications of a topic that arrived while this session was logging in (the gateway
   * pushes asset, position and order snapshots before READY, so before `login()` resolves)
   * are held until the first listener, stream or `next()` of that topic is added, and then
   * delivered to that one in arrival order, right after the call that added it (a microtask),
   * before any later notification: `on` and `stream` take them all, each `once` and `next`
   * the oldest one still held (two `next()` in a row get the first and the second). One whose
   * listener was removed before the delivery stays held for the next. Only the last login's
   * are held: a re-login (after a reconnect) drops what an earlier one left, its own snapshots
   * taking their place. At most 100 000 per topic and 256 Mi of frame cost in all (characters and 32 per JSON value): past that
   * the oldest are dropped, and the client's `error` event says so (StreamOverflowError), once
   * per topic and login.
   */
  #releaseHeld(topic: Topic, one: boolean): void {
    const held = this.#held.get(topic);
    const to = this.#events.newest(topic);
    if (!held?.length || !to) return;
    const out = one ? held.take(1) : held.take();
    if (!held.length) this.#held.delete(topic);
    for (const h of out) this.#heldChars -= h.chars;
    queueMicrotask(() => {
      for (let i = 0; i < out.length; i++) {
        if (this.#events.emitTo(topic, to, out[i]!.data as never, out[i]!.chars)) continue;
        // Removed meanwhile: the rest wait for the next listener, ahead of what is held now.
        if (this.#ended) return;
        const rest = out.slice(i);
        let back = this.#held.get(topic);
        if (!back) this.#held.set(topic, (back = new Fifo()));
        back.unshiftAll(rest);
        for (const h of rest) this.#heldChars += h.chars;
        return;
      }
    });
  }

  /** The spec's check of a request's fields; its UsageError without the client's secrets (a key given as a price by mistake). */
  #check(op: string, fields: object | undefined): void {
    try {
      checkRequest(op, fields);
    } catch (e) {
      throw this.#host.scrub(e);
    }
  }
  /**
   * Send one request for this session and resolve to its reply (`result: true`). A reply with
   * `result: false` rejects with the ApiError subclass the spec's error table names. Reads
   * (`x-retryable: true`) are retried on connection errors and timeouts when the client was
   * created with `retryReads`; nothing else is ever resent.
   */
  request<Op extends SessionOp>(op: Op, ...args: Rest<Op>): Promise<DecimalsAs<QuantWsReplies[Op], D>>;
  // Plain parameters (no rest array) keep the per-request cost down.
  request(op: SessionOp, givenFields?: object, givenOpts?: RequestOptions): Promise<unknown> {
    let fields: object | undefined;
    let opts: RequestOptions | undefined;
    try {
      // What the caller gave, never Object.prototype's, read once at every depth (ownFields,
      // heldValue; a getter may throw): what is checked is what is sent, now and once READY.
      fields = heldParams(givenFields);
      opts = ownFields(givenOpts);
      if (op === ("login" as string) || op === ("ping" as string)) {
        throw new UsageError(`not a session request; use client.${op}()`, { api: API, operation: op });
      }
      this.#check(op, fields);
      checkRequestOptions(op, opts);
    } catch (e) {
      return Promise.reject(e);
    }
    if (op === "logout") return this.#logout(opts?.timeoutMs).then((reply) => reply ?? NOTHING_HELD);
    const retry = this.#host.retryReads;
    if (retry && OPERATIONS[op]?.retryable) {
      const abort = { signals: [opts?.signal], error: (s: AbortSignal) => new AbortedError("aborted while waiting to retry", { api: API, operation: op, cause: s.reason }) };
      return withRetries(true, () => this.#attempt(op, fields, opts ?? NO_OPTIONS), retry, abort);
    }
    // Hot path (READY, no retries): straight to the socket, no extra promise layers.
    if (this.ready) return this.#host.send(op, frameOf(op, this.#token, fields), opts?.timeoutMs ?? this.#host.requestTimeoutMs, opts?.signal);
    // Sent once READY: what was checked now, not the caller's object as it is by then.
    return this.#attempt(op, fields, opts ?? NO_OPTIONS);
  }

  /** `request` as the helpers below read it (the fields they use are not decimals). */
  #req<Op extends SessionOp>(op: Op, fields: object, opts: RequestOptions | undefined): Promise<QuantWsReplies[Op]> {
    return (this.request as (op: SessionOp, fields?: object, opts?: RequestOptions) => Promise<unknown>)(op, fields, opts) as Promise<QuantWsReplies[Op]>;
  }

  /** Place an order; resolves to its `order_no`. Notifications (order, fill, ...) follow. */
  async placeOrder(fields: RequestFields<"place_order">, opts?: RequestOptions): Promise<string> {
    const reply = await this.#req("place_order", fields, opts);
    return reply.order_no ?? "";
  }
  /**
   * Cancel orders; the outcome lists each order's own result (the call succeeds even if some
   * failed). Each order asked for is in exactly one of `cancelled`, `failed` and `unanswered`:
   * an item repeated with the same result counts once, and an order whose items contradict each
   * other (cancelled and not) is unanswered, as what happened to it is not known. Such items,
   * and items for orders not asked for (in no list), are reported as the client's `error` event
   * (QuantWsFrameError, problem "item-mismatch"); `results` keeps every item as sent.
   */
  async cancelOrder(symbol: string, orderNos: readonly string[], opts?: RequestOptions): Promise<CancelOrderOutcome> {
    // On the wire an empty list means "cancel every open order" (and gets no reply): an empty
    // list computed by the caller must not do that by accident.
    this.#check("cancel_order", { symbol, order_nos: orderNos });
    if (orderNos.length === 0) {
      throw new UsageError("cancelOrder needs at least one order number: an empty order_nos cancels every open order of the symbol on the gateway; call cancelAll(symbol) for that", { api: API, operation: "cancel_order" });
    }
    // The orders asked for as they are now (the caller may reuse its list while the reply is awaited).
    const asked = new Set(orderNos.map(String));
    const reply = await this.#req("cancel_order", { symbol, order_nos: [...orderNos] }, opts);
    const results = reply.data ?? [];
    // The first item of each order asked for, in the reply's order; null once another contradicts it.
    const item = new Map<string, CancelOrderResult | null>();
    const contradicted: string[] = [];
    const unasked = new Set<string>();
    for (const r of results) {
      const n = String(r.order_no);
      if (!asked.has(n)) {
        unasked.add(n);
        continue;
      }
      const first = item.get(n);
      if (first === undefined) item.set(n, r);
      else if (first !== null && first.result !== r.result) {
        item.set(n, null);
        contradicted.push(n);
      }
    }
    const cancelled: string[] = [];
    const failed: CancelOrderResult[] = [];
    for (const [n, r] of item) {
      if (r?.result) cancelled.push(n);
      else if (r) failed.push(r);
    }
    if (contradicted.length || unasked.size) this.#host.reportError(itemMismatch(symbol, reply, contradicted, [...unasked]));
    return { results, cancelled, failed, unanswered: [...asked].filter((n) => item.get(n) == null) };
  }
  /**
   * Cancel every open order of `symbol` (`cancel_order` with `order_nos: []`). The gateway
   * cancels them all but never replies to a cancel-all (see the spec's Decisions), so this
   * asks for the open orders first, sends the cancel-all, and resolves once every one of them
   * has been reported CANCELED (or ended otherwise, e.g. FILLED) by `order` notifications, or
   * at once when none was open. Should the gateway reply after all, the reply is used. If the
   * notifications do not all arrive within `timeoutMs` (default: the request timeout), it
   * rejects with `CancelAllUnconfirmedError` listing what was and was not confirmed: the
   * orders may still have been cancelled. So it does when the socket drops, or `signal`
   * aborts, once the cancel-all was sent (that error as its `cause`). Never resent.
   */
  async cancelAll(symbol: string, given: RequestOptions = {}): Promise<CancelAllOutcome> {
    this.#check("cancel_order", { symbol, order_nos: [] });
    checkRequestOptions("cancel_order", given);
    const opts = ownFields(given);
    const timeoutMs = checkTimeout("cancel_order", opts.timeoutMs ?? this.#host.requestTimeoutMs);
    const started = performance.now();
    const cancelled: string[] = [];
    const notCancelled: CancelAllOutcome["notCancelled"] = [];
    let settle: ((how: "notifications") => void) | undefined;
    // Until the open-orders snapshot is in, final states are only noted: one that arrives before
    // a snapshot still listing its order (cancelled or filled meanwhile) must count for it.
    let waiting: Set<string> | undefined;
    const early = new Map<string, OrderStatus>();
    const settleOne = (orderNo: string, status: OrderStatus, open: Set<string>) => {
      if (status === "CANCELED") {
        if (!cancelled.includes(orderNo)) cancelled.push(orderNo);
      } else if (open.has(orderNo)) notCancelled.push({ order_no: orderNo, status });
      open.delete(orderNo);
      if (open.size === 0) settle?.("notifications");
    };
    const watcher = (o: OrderUpdate) => {
      if (o.symbol !== symbol || !FINAL_STATUSES.has(o.status)) return;
      if (waiting) settleOne(o.order_no, o.status, waiting);
      else early.set(o.order_no, o.status);
    };
    this.#orderWatchers.add(watcher);
    const stop = new AbortController();
    const offCallerAbort = opts.signal ? onAbort(opts.signal, () => stop.abort()) : undefined;
    try {
      const open = (await this.#req("open_orders", { symbol }, opts)).data ?? [];
      const pending = new Set(open.map((o) => o.order_no));
      waiting = pending;
      for (const [orderNo, status] of early) if (pending.has(orderNo)) settleOne(orderNo, status, pending);
      const seen = new Promise<"notifications">((resolve) => {
        settle = resolve;
      });
      await this.#ensureReady("cancel_order", started, timeoutMs, opts);
      const { left, waitedMs } = this.#budgetLeft("cancel_order", started, timeoutMs, "reading the open orders and waiting for READY", "too little time left");
      // Written to the socket synchronously; a reply may never come.
      const replied = this.#host.send("cancel_order", frameOf("cancel_order", this.#token, { symbol, order_nos: [] }), left, stop.signal, true, waitedMs);
      replied.catch(() => undefined);
      // No open orders: nothing to wait for once the request is out.
      if (pending.size === 0) return { symbol, cancelled, notCancelled, confirmedBy: "notifications" };
      // One promise hop on each side, so that a reply read before the notifications wins.
      const outcome = await Promise.race([replied.then((r) => ({ reply: r })), seen.then((n) => n)]).catch((error: unknown) => {
        // What ended the wait once the cancel-all was out: its time ran out, the socket dropped
        // (after it was written), or the caller aborted. Each keeps what was established.
        const timedOut = error instanceof TimeoutError && !opts.signal?.aborted;
        const dropped = error instanceof ConnectionError && (error as TradeApiError).outcomeUnknown === true;
        const aborted = error instanceof AbortedError && !(error instanceof ClientClosedError) && opts.signal?.aborted === true;
        if (timedOut || dropped || aborted) {
          const unconfirmed = [...pending];
          const why = timedOut
            ? `were not reported CANCELED within ${timeoutMs} ms`
            : dropped
              ? "were not reported CANCELED before the socket dropped"
              : "were not reported CANCELED before the caller aborted";
          const unconfirmedError = new CancelAllUnconfirmedError(
            `cancel-all of ${symbol} sent, but ${unconfirmed.length} of ${open.length} open orders ${why} (the gateway sends no reply to a cancel-all; they may still be cancelled${timedOut ? "" : ": re-read open_orders"})`,
            { api: API, operation: "cancel_order", timeoutMs, cancelled: [...cancelled], unconfirmed, ...(timedOut ? {} : { cause: error }) },
          );
          // The request's own timeout is marked once its frame was written (as a drop or an
          // abort after it is): the unconfirmed orders may have been cancelled.
          throw (error as TradeApiError).outcomeUnknown ? markOutcomeUnknown(unconfirmedError) : unconfirmedError;
        }
        throw error;
      });
      if (outcome === "notifications") return { symbol, cancelled, notCancelled, confirmedBy: "notifications" };
      const results = outcome.reply.data ?? [];
      for (const r of results) if (r.result && !cancelled.includes(r.order_no)) cancelled.push(r.order_no);
      return { symbol, cancelled, notCancelled, confirmedBy: "reply", results };
    } finally {
      this.#orderWatchers.delete(watcher);
      offCallerAbort?.();
      stop.abort();
    }
  }

  async openOrders(symbol: string, opts?: RequestOptions): Promise<Array<DecimalsAs<Order, D>>> {
    return ((await this.#req("open_orders", { symbol }, opts)).data ?? []) as Array<DecimalsAs<Order, D>>;
  }
  async asset(opts?: RequestOptions): Promise<DecimalsAs<Record<string, AssetBalance>, D>> {
    return ((await this.#req("asset", {}, opts)).data ?? {}) as DecimalsAs<Record<string, AssetBalance>, D>;
  }
  async position(symbol: string, opts?: RequestOptions): Promise<DecimalsAs<Position, D>> {
    const data = (await this.#req("position", { symbol }, opts)).data;
    if (!data) throw new ResponseFormatError("position reply without data", "", { api: API, operation: "position" });
    return data as DecimalsAs<Position, D>;
  }
  async symbolInfo(symbol: string, opts?: RequestOptions): Promise<DecimalsAs<SymbolInfo, D>> {
    const data = (await this.#req("symbol_info", { symbol }, opts)).data;
    if (!data) throw new ResponseFormatError("symbol_info reply without data", "", { api: API, operation: "symbol_info" });
    return data as DecimalsAs<SymbolInfo, D>;
  }
  /**
   * Log out (works whether or not the session is READY); the session ends either way. While it
   * logs in again after a reconnect, that re-login stops, and this resolves once the login it
   * got (if any) is logged out too.
   */
  async logout(opts: { timeoutMs?: number } = {}): Promise<void> {
    checkOptionsObject("logout", "the logout options", opts, LOGOUT_OPTIONS);
    await this.#logout(ownFields(opts).timeoutMs);
  }

  /** Resolves when the session is READY (rejects on timeout or when the session ends). */
  waitReady(timeoutMs = this.#host.requestTimeoutMs): Promise<void> {
    try {
      checkTimeout("waitReady", timeoutMs);
    } catch (e) {
      return Promise.reject(e);
    }
    if (this.ready) return Promise.resolve();
    return this.#whenReady("waitReady", performance.now() + timeoutMs, timeoutMs, undefined);
  }

  async #attempt(op: SessionOp, fields: object | undefined, opts: RequestOptions): Promise<unknown> {
    const timeoutMs = opts.timeoutMs ?? this.#host.requestTimeoutMs;
    if (!this.ready) {
      const started = performance.now();
      await this.#ensureReady(op, started, timeoutMs, opts);
      const { left, waitedMs } = this.#budgetLeft(op, started, timeoutMs);
      return this.#host.send(op, frameOf(op, this.#token, fields), left, opts.signal, false, waitedMs);
    }
    return this.#host.send(op, frameOf(op, this.#token, fields), timeoutMs, opts.signal);
  }

  /**
   * What is left of a request's `timeoutMs` (begun at `started`) once READY has released it, to
   * send it with. Less than MIN_SEND_MS (or half its timeoutMs, when that is less) is too little
   * for a reply to come: the request is not sent, and fails with a TimeoutError saying so (its
   * outcome is known: it was never sent).
   */
  #budgetLeft(op: string, started: number, timeoutMs: number, before = "waiting for READY", why = "the session was not READY in time"): { left: number; waitedMs: number } {
    const waitedMs = Math.round(performance.now() - started);
    const left = timeoutMs - waitedMs;
    const floor = Math.min(MIN_SEND_MS, timeoutMs / 2);
    if (left >= floor) return { left, waitedMs };
    throw new TimeoutError(
      `not sent: ${why}: ${waitedMs} ms of its timeoutMs ${timeoutMs} went ${before}, and the ${Math.max(0, left)} ms left are less than the ${floor} ms a request is sent with`,
      { api: API, operation: op, timeoutMs },
    );
  }

  /**
   * Resolves when READY (at once if it is); fails fast under the "fail" policy. Waits again when
   * READY is gone by the time the wait resumes (a close frame read right after the READY state).
   */
  async #ensureReady(op: string, started: number, timeoutMs: number, opts: RequestOptions): Promise<void> {
    while (!this.ready) {
      if (this.#ended) throw this.#notSent(op, this.#ended);
      if ((opts.notReady ?? this.#host.notReady) === "fail") {
        const state = this.#socketLive() ? (this.#lastState ? `state ${this.#lastState.name}` : "not logged in yet") : "socket reconnecting";
        throw new SessionNotReadyError(`session not READY (${state})`, { api: API, operation: op, stateCode: this.#lastState?.code });
      }
      await this.#whenReady(op, started + timeoutMs, timeoutMs, opts.signal);
    }
  }

  async #logout(timeoutMs?: number): Promise<QuantWsReplies["logout"] | undefined> {
    if (this.#ended) throw this.#notSent("logout", this.#ended);
    if (timeoutMs !== undefined) checkTimeout("logout", timeoutMs);
    if (this.#host.relogging(this as QuantWsSession) && !this.ready) {
      // The token is the dropped socket's. The re-login stops, and the login it got (now or
      // when its reply comes) is logged out; this resolves once none is held.
      this.#end(new SessionClosedError("session logged out", { api: API }));
      return this.#host.afterLogout(this as QuantWsSession);
    }
    try {
      if (!this.#host.socketOpen() || !this.#token) {
        throw new SessionNotReadyError("cannot log out: the socket is not connected", { api: API, operation: "logout" });
      }
      return await this.#host.send("logout", { op: "logout", token: this.#token }, timeoutMs ?? this.#host.requestTimeoutMs);
    } finally {
      this.#end(new SessionClosedError("session logged out", { api: API }));
    }
  }

  /** `budgetMs` is the caller's whole timeout (named in the error); `deadline` is when it ends. */
  #whenReady(op: string, deadline: number, budgetMs: number, signal: AbortSignal | undefined): Promise<void> {
    const request = op === "waitReady" ? undefined : op;
    if (this.#ended) return Promise.reject(request === undefined ? this.#ended : this.#notSent(request, this.#ended));
    return new Promise<void>((resolve, reject) => {
      const ms = Math.max(0, deadline - performance.now());
      let offAbort: (() => void) | undefined;
      const done = () => {
        this.#waiters.delete(waiter);
        clearTimeout(waiter.timer);
        offAbort?.();
      };
      const aborted = () => {
        done();
        reject(new AbortedError("aborted while waiting for READY", { api: API, operation: op, cause: signal?.reason }));
      };
      const waiter: Waiter = {
        op: request,
        resolve: () => {
          done();
          resolve();
        },
        reject: (e) => {
          done();
          reject(e);
        },
        timer: setTimeout(() => {
          done();
          const last = this.#socketLive() ? (this.#lastState?.name ?? "none") : "socket reconnecting";
          reject(new TimeoutError(`session not READY within ${budgetMs} ms (last state: ${last})`, { api: API, operation: op, timeoutMs: budgetMs }));
        }, ms),
      };
      if (signal?.aborted) return aborted();
      if (signal) offAbort = onAbort(signal, aborted);
      this.#waiters.add(waiter);
    });
  }

  #flushWaiters(): void {
    if (!this.ready) return;
    for (const w of [...this.#waiters]) w.resolve();
  }

  // ------------------------------------------------------------------ driven by the client (driveSession)

  #setToken(token: string): void {
    const old = this.#token;
    this.#token = token;
    this.#socketUp = true;
    if (old && old !== token) this.#events.emit("relogin", { relogins: ++this.#relogins });
  }

  /**
   * Wait for READY after a login reply (`timeoutMs` left of the caller's
   * `budgetMs`, which the timeout error names): resolves on READY (6), rejects on
   * PARAM_MISS (1, e.g. "platform not found"), GENERAL_ERROR (7, keys refused), a timeout or
   * the socket dropping. CONNECT_FAILED (3) is not final: the gateway retries by itself.
   * Notifications are held from here until `#loginDone()` (see `#releaseHeld`).
   */
  #awaitLoginReady(timeoutMs: number, ctx: { platform: string; secrets: string[] }, budgetMs = timeoutMs): Promise<void> {
    this.#linkReady = false;
    this.#loginCtx = ctx;
    this.#holding = true;
    this.#unreadableState = undefined;
    // What an earlier login left held (a topic nobody has listened to since) is superseded by
    // the snapshots this login brings: held notifications stay one login's worth, not one per
    // reconnect (a session that never listens to a topic would otherwise gather every re-login's).
    this.#held.clear();
    this.#heldChars = 0;
    return new Promise<void>((resolve, reject) => {
      const finish = () => {
        clearTimeout(wait.timer);
        if (this.#loginWait === wait) this.#loginWait = undefined;
      };
      const wait: Waiter = {
        resolve: () => {
          finish();
          resolve();
          this.#flushWaiters();
        },
        reject: (e) => {
          finish();
          reject(e);
        },
        timer: setTimeout(() => {
          finish();
          const last = this.#lastState ? `last state ${this.#lastState.name}${this.#lastState.msg ? ` "${this.#lastState.msg}"` : ""}` : "no state notification";
          const unread = this.#unreadableState ? `; a state notification it could not read: ${this.#unreadableState}` : "";
          reject(new TimeoutError(`no READY state within ${budgetMs} ms of the login (${last}${unread})`, { api: API, operation: "login", timeoutMs: budgetMs }));
        }, Math.max(1, timeoutMs)),
      };
      this.#loginWait = wait;
    });
  }

  /** A `state` frame for this session's token that could not be read (reported as an `error` event too). */
  #onUnreadableState(error: TradeApiError): void {
    if (this.#loginWait) this.#unreadableState = error.message;
  }

  /** a `state` notification for this session's token. */
  #onState(code: number, msg: string): SessionStateEvent {
    if (code === StateCode.READY) this.#linkReady = true;
    else if (NOT_READY_CODES.has(code)) this.#linkReady = false;
    const ev: SessionStateEvent = { code, name: stateName(code), msg, ready: false };
    this.#lastState = ev;
    const login = this.#loginWait;
    if (login) {
      if (code === StateCode.READY) login.resolve();
      else {
        const ctx = this.#loginCtx ?? { platform: this.platform, secrets: [] };
        const error = loginStateError(code, msg, { operation: "login", platform: ctx.platform, secrets: ctx.secrets });
        if (error) login.reject(error);
      }
    }
    ev.ready = this.ready;
    this.#events.emit("state", ev);
    this.#flushWaiters();
    return ev;
  }

  /** a `notify` frame's data for this session's token; `chars`: the frame's cost (frames.ts frameCost). */
  #onNotify(topic: Topic, data: unknown, chars = 0): void {
    if (topic === "order") for (const w of [...this.#orderWatchers]) w(data as OrderUpdate);
    // Held during the login, and after it while the topic still holds its login's (a newer one
    // emitted to nobody would be lost, and the first listener given the older snapshot alone).
    if ((this.#holding || this.#held.has(topic)) && this.#events.listenerCount(topic) === 0) {
      let held = this.#held.get(topic);
      if (!held) this.#held.set(topic, (held = new Fifo()));
      held.push({ data, chars });
      this.#heldChars += chars;
      const after = this.#holding ? "during the login, before any listener: the oldest" : "before any listener, behind the login's: the oldest";
      if (held.length > MAX_HELD) this.#dropHeld(topic, `more than ${MAX_HELD} ${topic} notifications came ${after} were dropped`);
      while (this.#heldChars > MAX_HELD_COST) {
        // The oldest of this topic (the one flooding), or else of another.
        const from = held.length ? topic : [...this.#held.keys()].find((t) => this.#held.get(t)!.length)!;
        this.#dropHeld(from, `more than ${MAX_HELD_COST / 1024 / 1024} Mi of notifications (frame cost: text and parsed values) came ${after} ${from} notifications were dropped`);
      }
      return;
    }
    this.#events.emit(topic, data as never, chars);
  }

  /** Drop the oldest held notification of `topic`; the first drop of a topic per login is reported (`why`). */
  #dropHeld(topic: Topic, why: string): void {
    const held = this.#held.get(topic)!;
    this.#heldChars -= held.shift()!.chars;
    if (!held.length) this.#held.delete(topic);
    if (this.#heldOverflow.has(topic)) return;
    this.#heldOverflow.add(topic);
    this.#host.reportError(new StreamOverflowError(`${why} (re-read the state after login)`, MAX_HELD));
  }

  /** the login (or re-login) finished, successfully or not: stop holding notifications. */
  #loginDone(): void {
    this.#holding = false;
    this.#heldOverflow.clear();
    this.#loginCtx = undefined;
  }

  /**
   * the socket dropped: not ready until logged in again; a login in progress fails; streams
   * opened with `gaps: "throw"` end with a StreamGapError (their loop re-reads the state).
   */
  #socketDown(error: TradeApiError): void {
    this.#socketUp = false;
    this.#linkReady = false;
    this.#loginWait?.reject(error);
    this.#events.gap(
      (event) =>
        new StreamGapError(
          `the socket dropped: ${event} notifications the gateway sent while it was down, and until the session is READY again, may be missed; the stream ended (re-read the state, e.g. open_orders, once READY, and open a new stream)`,
          event,
        ),
    );
  }

  /**
   * What a request that was never sent fails with once the session has ended with `end`: when
   * logout() or close() ended it, the end's own copy for this request (same class, naming the
   * request's operation and that it was not sent, the end as its cause); else (the socket dropped and the session could not log in again) an error of this
   * request saying it was not sent, the end as its cause: the end (a re-login that got no
   * reply) may have an unknown outcome, this request has none. Not retried: the session is over.
   */
  #notSent(op: string, end: TradeApiError): TradeApiError {
    if (end instanceof SessionClosedError || end instanceof ClientClosedError) return errorForCall(end, { api: API, operation: op }, "not sent: ");
    const prefix = `${API} `;
    let why = end.message.startsWith(prefix) ? end.message.slice(prefix.length) : end.message;
    if (why.endsWith(OUTCOME_UNKNOWN_NOTE)) why = why.slice(0, -OUTCOME_UNKNOWN_NOTE.length);
    return notRetried(new ConnectionDroppedError(`the ${op} was not sent: the session ended before it could be (${why})`, { api: API, operation: op, sent: false, cause: end }));
  }

  /** end the session: pending waits reject with `error` (requests with theirs, see `#notSent`), streams end. */
  #end(error: TradeApiError): void {
    if (this.#ended) return;
    // Thrown to every request after it: no request's attempts or outcome are written on it.
    this.#ended = markShared(error);
    this.#loginWait?.reject(error);
    for (const w of [...this.#waiters]) w.reject(w.op === undefined ? error : this.#notSent(w.op, error));
    this.#host.forget(this as QuantWsSession);
    this.#held.clear();
    this.#heldChars = 0;
    this.#holding = false;
    this.#events.emit("end", { error });
    // Ended by a failure (a refused re-login, reconnect given up), not by logout() or close():
    // a stream's loop gets the error, as next() does, rather than end as if all were well.
    this.#events.end(error, !(error instanceof SessionClosedError || error instanceof ClientClosedError));
  }
}
