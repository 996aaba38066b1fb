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
  type Fill,
  type Order,
  type Platform,
  type Position,
  type PositionUpdate,
  type OrderUpdate,
  type QuantWsReplies,
  type QuantWsRequests,
  type SymbolInfo,
} from "../../../generated/quant-ws.js";
import { AbortedError, ResponseFormatError, TimeoutError, type TradeApiError } from "../core/errors.js";
import { withRetries, type RetryOptions } from "../core/retry.js";
import { API, QuantWsStateError, SessionClosedError, SessionNotReadyError, stateName } from "./errors.js";
import { TypedEvents, type StreamOptions } from "./events.js";
import type { RequestOp } from "./frames.js";

/** What `login` needs. Kept only in the client's memory, to log in again after a reconnect. */
export interface QuantWsLogin {
  platform: Platform;
  symbols: string[];
  accessKey: string;
  secretKey: string;
  /** Not in the vendor doc; some servers require it (see the spec's Decisions). */
  account?: string;
}

/** Ops a session sends (login and ping belong to the client). */
export type SessionOp = Exclude<RequestOp, "login" | "ping">;
/** A request's own fields: the client adds op, cid and token. */
export type RequestFields<Op extends SessionOp> = Omit<QuantWsRequests[Op], "op" | "cid" | "token">;
export type NotReadyPolicy = "wait" | "fail";

export interface RequestOptions {
  /** Default: the client's requestTimeoutMs. Covers waiting for READY too. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Override the client's `notReady` policy for this request. */
  notReady?: NotReadyPolicy;
}

export interface SessionStateEvent {
  code: number;
  /** "READY", "DISCONNECT", ... */
  name: string;
  msg: string;
  /** Whether requests are sent now. */
  ready: boolean;
}

export interface QuantWsSessionEvents {
  order: OrderUpdate;
  fill: Fill;
  position: PositionUpdate;
  asset: Record<string, AssetBalance>;
  state: SessionStateEvent;
  /** Logged in again after a reconnect: the server issued a new token. */
  relogin: { oldToken: string; newToken: string };
  /** Logged out, client closed, or re-login failed (`error`). */
  end: { error: TradeApiError };
}

export interface CancelOrderOutcome {
  /** One result per requested order, as the server sent them. */
  results: CancelOrderResult[];
  cancelled: string[];
  failed: CancelOrderResult[];
}

/** What a session needs from its client. */
export interface SessionHost {
  readonly requestTimeoutMs: number;
  readonly notReady: NotReadyPolicy;
  readonly retryReads: RetryOptions | undefined;
  send<Op extends RequestOp>(op: Op, frame: QuantWsRequests[Op], timeoutMs: number, signal?: AbortSignal): Promise<QuantWsReplies[Op]>;
  socketOpen(): boolean;
  forget(session: QuantWsSession): void;
  reportError(error: unknown): void;
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

const OPERATIONS = quantWsMeta.operations as Readonly<Record<string, { retryable: boolean }>>;
const NOT_READY_CODES = new Set<number>([1, 2, 3, 4, 5]);
const LOGIN_FATAL_CODES = new Set<number>([StateCode.PARAM_MISS, StateCode.CONNECT_FAILED]);

/** The wire frame: op and token first (as in the vendor doc's examples), then the fields. */
function frameOf<Op extends SessionOp>(op: Op, token: string, fields: object | undefined): QuantWsRequests[Op] {
  const frame: Record<string, unknown> = { op, token };
  if (fields) for (const k in fields) if (k !== "op" && k !== "token" && k !== "cid") frame[k] = (fields as Record<string, unknown>)[k];
  return frame as unknown as QuantWsRequests[Op];
}

type Rest<Op extends SessionOp> = object extends RequestFields<Op>
  ? [fields?: RequestFields<Op>, opts?: RequestOptions]
  : [fields: RequestFields<Op>, opts?: RequestOptions];

export class QuantWsSession {
  readonly platform: Platform;
  readonly symbols: readonly string[];
  readonly #host: SessionHost;
  readonly #events: TypedEvents<QuantWsSessionEvents>;
  #token = "";
  #linkReady = false;
  #socketUp = true;
  #lastState: SessionStateEvent | undefined;
  #ended: TradeApiError | undefined;
  #waiters = new Set<Waiter>();
  #loginWait: Waiter | undefined;

  /** @internal sessions are made by `client.login()`. */
  constructor(host: SessionHost, login: QuantWsLogin) {
    this.#host = host;
    this.platform = login.platform;
    this.symbols = [...login.symbols];
    this.#events = new TypedEvents<QuantWsSessionEvents>((e) => host.reportError(e));
  }

  /** The login token now in use (a reconnect's re-login replaces it; see the `relogin` event). */
  get token(): string {
    return this.#token;
  }
  /** True when requests are sent at once: socket up, logged in, last link state READY. */
  get ready(): boolean {
    return !this.#ended && this.#socketUp && !this.#loginWait && this.#linkReady && this.#token !== "";
  }
  get lastState(): SessionStateEvent | undefined {
    return this.#lastState;
  }
  get ended(): boolean {
    return this.#ended !== undefined;
  }

  on<K extends keyof QuantWsSessionEvents>(event: K, listener: (value: QuantWsSessionEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }
  once<K extends keyof QuantWsSessionEvents>(event: K, listener: (value: QuantWsSessionEvents[K]) => void): () => void {
    return this.#events.once(event, listener);
  }
  off<K extends keyof QuantWsSessionEvents>(event: K, listener: (value: QuantWsSessionEvents[K]) => void): void {
    this.#events.off(event, listener);
  }
  /** Every future `event` as an async iterator; ends when the session ends. */
  stream<K extends keyof QuantWsSessionEvents>(event: K, opts?: StreamOptions): AsyncIterableIterator<QuantWsSessionEvents[K]> {
    return this.#events.stream(event, opts);
  }
  /** The next `event` (rejects after `timeoutMs`). */
  next<K extends keyof QuantWsSessionEvents>(event: K, timeoutMs?: number): Promise<QuantWsSessionEvents[K]> {
    return this.#events.next(event, timeoutMs);
  }

  /**
   * Send one request for this session and resolve to its reply (`result: true`). A reply with
   * `result: false` rejects with the ApiError subclass the spec's error table names. Reads
   * (`x-retryable: true`) are retried on connection errors and timeouts when the client was
   * created with `retryReads`; nothing else is ever resent.
   */
  request<Op extends SessionOp>(op: Op, ...args: Rest<Op>): Promise<QuantWsReplies[Op]>;
  // Plain parameters (no rest array) keep the per-request cost down.
  request(op: SessionOp, fields?: object, opts?: RequestOptions): Promise<unknown> {
    if (op === "logout") return this.#logout(opts?.timeoutMs);
    const retry = this.#host.retryReads;
    if (retry && OPERATIONS[op]?.retryable) return withRetries(true, () => this.#attempt(op, fields, opts ?? {}), retry);
    // Hot path (READY, no retries): straight to the socket, no extra promise layers.
    if (this.ready) return this.#host.send(op, frameOf(op, this.#token, fields), opts?.timeoutMs ?? this.#host.requestTimeoutMs, opts?.signal);
    return this.#attempt(op, fields, opts ?? {});
  }

  /** Place an order; resolves to its `order_no`. Notifications (order, fill, ...) follow. */
  async placeOrder(fields: RequestFields<"place_order">, opts?: RequestOptions): Promise<string> {
    const reply = await this.request("place_order", fields, opts);
    return reply.order_no ?? "";
  }
  /** Cancel orders; the outcome lists each order's own result (the call succeeds even if some failed). */
  async cancelOrder(symbol: string, orderNos: readonly string[], opts?: RequestOptions): Promise<CancelOrderOutcome> {
    const reply = await this.request("cancel_order", { symbol, order_nos: [...orderNos] }, opts);
    const results = reply.data ?? [];
    return { results, cancelled: results.filter((r) => r.result).map((r) => r.order_no), failed: results.filter((r) => !r.result) };
  }
  async openOrders(symbol: string, opts?: RequestOptions): Promise<Order[]> {
    return (await this.request("open_orders", { symbol }, opts)).data ?? [];
  }
  async asset(opts?: RequestOptions): Promise<Record<string, AssetBalance>> {
    return (await this.request("asset", {}, opts)).data ?? {};
  }
  async position(symbol: string, opts?: RequestOptions): Promise<Position> {
    const data = (await this.request("position", { symbol }, opts)).data;
    if (!data) throw new ResponseFormatError("position reply without data", "", { api: API, operation: "position" });
    return data;
  }
  async symbolInfo(symbol: string, opts?: RequestOptions): Promise<SymbolInfo> {
    const data = (await this.request("symbol_info", { symbol }, opts)).data;
    if (!data) throw new ResponseFormatError("symbol_info reply without data", "", { api: API, operation: "symbol_info" });
    return data;
  }
  /** Log out (works whether or not the session is READY); the session ends either way. */
  async logout(opts: { timeoutMs?: number } = {}): Promise<void> {
    await this.#logout(opts.timeoutMs);
  }

  /** Resolves when the session is READY (rejects on timeout or when the session ends). */
  waitReady(timeoutMs = this.#host.requestTimeoutMs): Promise<void> {
    if (this.ready) return Promise.resolve();
    return this.#whenReady("waitReady", Date.now() + timeoutMs, undefined);
  }

  async #attempt(op: SessionOp, fields: object | undefined, opts: RequestOptions): Promise<unknown> {
    const timeoutMs = opts.timeoutMs ?? this.#host.requestTimeoutMs;
    if (!this.ready) {
      if (this.#ended) throw this.#ended;
      if ((opts.notReady ?? this.#host.notReady) === "fail") {
        const state = this.#socketUp ? (this.#lastState ? `state ${this.#lastState.name}` : "not logged in yet") : "socket reconnecting";
        throw new SessionNotReadyError(`session not READY (${state})`, { api: API, operation: op, stateCode: this.#lastState?.code });
      }
      const started = Date.now();
      await this.#whenReady(op, started + timeoutMs, opts.signal);
      return this.#host.send(op, frameOf(op, this.#token, fields), Math.max(1, timeoutMs - (Date.now() - started)), opts.signal);
    }
    return this.#host.send(op, frameOf(op, this.#token, fields), timeoutMs, opts.signal);
  }

  async #logout(timeoutMs?: number): Promise<QuantWsReplies["logout"]> {
    if (this.#ended) throw this.#ended;
    try {
      if (!this.#host.socketOpen() || !this.#token) {
        throw new SessionNotReadyError("cannot log out: the socket is not connected", { api: API, operation: "logout" });
      }
      return await this.#host.send("logout", { op: "logout", token: this.#token }, timeoutMs ?? this.#host.requestTimeoutMs);
    } finally {
      this._end(new SessionClosedError("session logged out", { api: API }));
    }
  }

  #whenReady(op: string, deadline: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.#ended) return Promise.reject(this.#ended);
    return new Promise<void>((resolve, reject) => {
      const ms = Math.max(0, deadline - Date.now());
      const done = () => {
        this.#waiters.delete(waiter);
        clearTimeout(waiter.timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const onAbort = () => {
        done();
        reject(new AbortedError("aborted while waiting for READY", { api: API, operation: op }));
      };
      const waiter: Waiter = {
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
          const last = this.#socketUp ? (this.#lastState?.name ?? "none") : "socket reconnecting";
          reject(new TimeoutError(`session not READY within ${ms} ms (last state: ${last})`, { api: API, operation: op, timeoutMs: ms }));
        }, ms),
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.add(waiter);
    });
  }

  #flushWaiters(): void {
    if (!this.ready) return;
    for (const w of [...this.#waiters]) w.resolve();
  }

  // ------------------------------------------------------------------ driven by the client

  /** @internal */
  _setToken(token: string): void {
    const old = this.#token;
    this.#token = token;
    this.#socketUp = true;
    if (old && old !== token) this.#events.emit("relogin", { oldToken: old, newToken: token });
  }

  /**
   * @internal Wait for READY after a login reply: resolves on READY (6), rejects on
   * PARAM_MISS (1) / CONNECT_FAILED (3), a timeout, or the socket dropping.
   */
  _awaitLoginReady(timeoutMs: number): Promise<void> {
    this.#linkReady = false;
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
          const last = this.#lastState ? `last state ${this.#lastState.name}` : "no state notification";
          reject(new TimeoutError(`no READY state within ${timeoutMs} ms after the login reply (${last})`, { api: API, operation: "login", timeoutMs }));
        }, Math.max(1, timeoutMs)),
      };
      this.#loginWait = wait;
    });
  }

  /** @internal a `state` notification for this session's token. */
  _onState(code: number, msg: string): SessionStateEvent {
    if (code === StateCode.READY) this.#linkReady = true;
    else if (NOT_READY_CODES.has(code)) this.#linkReady = false;
    const ev: SessionStateEvent = { code, name: stateName(code), msg, ready: false };
    this.#lastState = ev;
    const login = this.#loginWait;
    if (login) {
      if (code === StateCode.READY) login.resolve();
      else if (LOGIN_FATAL_CODES.has(code)) login.reject(new QuantWsStateError(code, msg, { operation: "login" }));
    }
    ev.ready = this.ready;
    this.#events.emit("state", ev);
    this.#flushWaiters();
    return ev;
  }

  /** @internal a `notify` frame's data for this session's token. */
  _onNotify(topic: "order" | "fill" | "position" | "asset", data: unknown): void {
    this.#events.emit(topic, data as never);
  }

  /** @internal the socket dropped: not ready until logged in again; a login in progress fails. */
  _socketDown(error: TradeApiError): void {
    this.#socketUp = false;
    this.#linkReady = false;
    this.#loginWait?.reject(error);
  }

  /** @internal end the session: pending waits reject with `error`, streams end. */
  _end(error: TradeApiError): void {
    if (this.#ended) return;
    this.#ended = error;
    this.#loginWait?.reject(error);
    for (const w of [...this.#waiters]) w.reject(error);
    this.#host.forget(this);
    this.#events.emit("end", { error });
    this.#events.end();
  }
}
