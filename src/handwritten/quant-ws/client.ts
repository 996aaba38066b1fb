/**
 * `createQuantWsClient`: one WebSocket to a Quant trading gateway, shared by any number of
 * logged-in sessions (each addressed by its token).
 *
 * - Requests carry a `cid` unique per client; replies are matched by it, in any order. Every
 *   request has a timeout; nothing is ever left pending.
 * - `ping` with `ts` every `pingIntervalMs` (5 s, the vendor doc's advice; the server drops a
 *   socket idle for 15 s); `maxMissedPongs` pings without a pong declare the socket dead.
 * - A dropped socket is reopened with exponential backoff and jitter, every session logs in
 *   again (new token, `relogin` event) and waits for READY. A re-login refused with "Do not
 *   log in repeat" (the server still holds the login of a socket that died half-open, until
 *   its idle check, up to ~31 s) is retried with backoff for `repeatLogin.windowMs`
 *   (`reloginRetry` events). The client emits `disconnected`,
 *   `reconnecting` and `reconnected`. Requests in flight when it dropped reject with
 *   ConnectionDroppedError and are not resent (an order could execute twice); reads are
 *   retried only with `retryReads`.
 * - Frames that cannot be used (not JSON, unknown op, missing fields, the server's
 *   `{"op":"error"}`) become `error` events, never exceptions.
 * - `close()` logs every session out (and waits for the logout of a failed login still in
 *   flight), closes the socket and clears every timer.
 */
import WebSocket, { type ClientOptions, type RawData } from "ws";
import { quantWsMeta, type QuantWsReplies, type QuantWsRequests } from "../../../generated/quant-ws.js";
import { requireCredential } from "../core/credentials.js";
import { ApiError, ConnectionError, InvalidRequestError, ResponseFormatError, TimeoutError, TradeApiError, UsageError, AbortedError } from "../core/errors.js";
import { stringifyJson } from "../core/json.js";
import { Redactor, redactUrl } from "../core/redaction.js";
import { backoffDelayMs, type RetryOptions } from "../core/retry.js";
import { API, ClientClosedError, ConnectionDroppedError, KNOWN_PLATFORMS, QuantWsFrameError, QuantWsServerError, replyError } from "./errors.js";
import { DeadlineQueues, type Deadline } from "./deadlines.js";
import { TypedEvents, type StreamOptions } from "./events.js";
import { decodeFrame, type IncomingFrame, type RequestOp } from "./frames.js";
import type { DecimalsMode } from "../core/json.js";
import { QuantWsSession, type NotReadyPolicy, type QuantWsLogin, type SessionHost, type SessionStateEvent } from "./session.js";

export const QUANT_WS_DEFAULT_URL: string = quantWsMeta.serverUrl;

export interface ReconnectOptions {
  /** Backoff step (default 250 ms), doubling per attempt up to `maxDelayMs` (default 10 s); each wait is a random share of it (core/retry.ts `backoffDelayMs`). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Give up after this many failed attempts in a row (default: never). */
  maxAttempts?: number;
  /** Jitter source (tests). */
  random?: () => number;
}

/** Re-login refused as "Do not log in repeat" after a reconnect (see the client's notes). */
export interface RepeatLoginOptions {
  /**
   * Keep retrying for this long after the first refusal (default 45 000 ms: the server's idle
   * check closes a dead socket after 15-31 s). Each attempt also has the login timeout.
   */
  windowMs?: number;
  /** Backoff between attempts, by the project's one formula (core/retry.ts): default 500 ms … 5 000 ms. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Jitter source (tests). */
  random?: () => number;
}

export interface QuantWsClientOptions {
  /** Default: the spec's server, ws://127.0.0.1:9878/ws/v1 */
  url?: string;
  /** Per request, including any wait for READY (default 10 s). */
  requestTimeoutMs?: number;
  /** login: reply plus the READY state (default 30 s). */
  loginTimeoutMs?: number;
  /** Opening handshake (default 10 s). */
  connectTimeoutMs?: number;
  /** Heartbeat period (default 5 000 ms, as the vendor doc advises); 0 turns the heartbeat off. */
  pingIntervalMs?: number;
  /** Consecutive pings without a pong after which the socket is declared dead (default 2). */
  maxMissedPongs?: number;
  /** While a session is not READY: "wait" (default) queues requests until READY; "fail" rejects. */
  notReady?: NotReadyPolicy;
  /** Retry reads (x-retryable ops) on connection errors and timeouts; true = 3 attempts. */
  retryReads?: boolean | RetryOptions;
  /** false: do not reconnect (sessions end when the socket drops). */
  reconnect?: false | ReconnectOptions;
  /** Retry a re-login refused as "Do not log in repeat" (default on); false: end the session at once. */
  repeatLogin?: false | RepeatLoginOptions;
  /** Logout timeout per session in close() (default 2 s). */
  logoutTimeoutMs?: number;
  /** Passed to `new WebSocket()` (headers, agent, TLS options). */
  wsOptions?: ClientOptions;
  /**
   * What a number with a fraction or exponent in a frame becomes (see parseJson): "exact"
   * (default) a number when the double holds it exactly, else the frame is refused
   * (QuantWsFrameError "inexact-number", its request fails); "string" the text the server
   * sent; "number" the nearest double.
   */
  decimals?: DecimalsMode;
}

export interface QuantWsClientEvents {
  /** A frame that could not be used, the server's op:error, a failed re-login, a listener that threw. */
  error: TradeApiError;
  open: { url: string; reconnect: boolean };
  disconnected: { code: number; reason: string; willReconnect: boolean };
  reconnecting: { attempt: number; delayMs: number };
  /** A re-login was refused as "Do not log in repeat" (the old login lingers on the server); retrying after `delayMs`. */
  reloginRetry: { session: QuantWsSession; attempt: number; delayMs: number; error: ApiError };
  reconnected: {
    attempt: number;
    sessions: Array<{ session: QuantWsSession; oldToken: string; newToken: string }>;
    failed: Array<{ session: QuantWsSession; error: TradeApiError }>;
  };
  /** Every state notification of every session, including those during login. */
  state: SessionStateEvent & { session: QuantWsSession };
  pong: { ts: number; rttMs: number };
  closed: Record<string, never>;
}

export interface QuantWsClient {
  readonly url: string;
  /** Sessions logged in and not ended. */
  readonly sessions: readonly QuantWsSession[];
  readonly connected: boolean;
  /** Open the socket (login() does it too). */
  connect(): Promise<void>;
  /** Log in; resolves once the server reports READY (6) for the new token. */
  login(login: QuantWsLogin): Promise<QuantWsSession>;
  /** One ping; resolves to the round trip in ms. */
  ping(timeoutMs?: number): Promise<number>;
  on<K extends keyof QuantWsClientEvents>(event: K, listener: (value: QuantWsClientEvents[K]) => void): () => void;
  once<K extends keyof QuantWsClientEvents>(event: K, listener: (value: QuantWsClientEvents[K]) => void): () => void;
  off<K extends keyof QuantWsClientEvents>(event: K, listener: (value: QuantWsClientEvents[K]) => void): void;
  stream<K extends keyof QuantWsClientEvents>(event: K, opts?: StreamOptions): AsyncIterableIterator<QuantWsClientEvents[K]>;
  next<K extends keyof QuantWsClientEvents>(event: K, timeoutMs?: number): Promise<QuantWsClientEvents[K]>;
  /** Log out every session, close the socket, clear every timer. */
  close(): Promise<void>;
}

/** A request waiting for its reply (a class, so no closures are made per request). */
class Pending implements Deadline {
  settled = false;
  onAbort: (() => void) | undefined = undefined;
  /** A reply after a timeout or abort is expected (cancel-all) and dropped silently. */
  quietLate = false;
  readonly deadline: number;
  constructor(
    readonly op: RequestOp,
    readonly cid: string,
    readonly timeoutMs: number,
    readonly resolve: (reply: unknown) => void,
    readonly reject: (error: Error) => void,
    readonly signal: AbortSignal | undefined,
    readonly onExpire: (p: Pending) => void,
  ) {
    this.deadline = Date.now() + timeoutMs;
  }
  expire(): void {
    this.onExpire(this);
  }
}

const MAX_ORPHANS = 256;
const MAX_QUIET = 256;
const REPEAT_LOGIN = "Do not log in repeat";
const credentialsOf = new WeakMap<QuantWsSession, QuantWsLogin>();

/** JSON.stringify unless a bigint is present (then the lossless writer). */
function encode(frame: object): string {
  try {
    return JSON.stringify(frame);
  } catch {
    return stringifyJson(frame);
  }
}

class Client implements QuantWsClient, SessionHost {
  readonly url: string;
  readonly requestTimeoutMs: number;
  readonly notReady: NotReadyPolicy;
  readonly retryReads: RetryOptions | undefined;
  readonly #loginTimeoutMs: number;
  readonly #connectTimeoutMs: number;
  readonly #pingIntervalMs: number;
  readonly #maxMissedPongs: number;
  readonly #reconnect: Required<ReconnectOptions> | undefined;
  readonly #repeatLogin: Required<RepeatLoginOptions> | undefined;
  readonly #logoutTimeoutMs: number;
  readonly #wsOptions: ClientOptions;
  readonly #events: TypedEvents<QuantWsClientEvents>;

  #ws: WebSocket | undefined;
  #opening: Promise<WebSocket> | undefined;
  #everOpened = false;
  #closed = false;
  #closing: Promise<void> | undefined;
  #pending = new Map<string, Pending>();
  #deadlines = new DeadlineQueues();
  #cidSeq = 0;
  readonly #cidPrefix = `c${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}-`;
  #sessions = new Set<QuantWsSession>();
  #byToken = new Map<string, QuantWsSession>();
  #orphans: Array<{ token: string; frame: IncomingFrame }> = [];
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #awaitingPong: number | undefined;
  #lastPingTs = 0;
  #missedPongs = 0;
  #pingWaiters = new Map<number, { resolve(rtt: number): void; reject(e: Error): void; timer: ReturnType<typeof setTimeout> }>();
  #closeReason: string | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #reconnectAttempt = 0;
  /** cids whose late reply is expected and dropped silently. */
  #quiet = new Set<string>();
  /** Logouts of failed logins still in flight (close() waits for them). */
  #releases = new Set<Promise<unknown>>();
  /** Backoff sleeps of re-login retries (close() cuts them short). */
  #sleeps = new Set<{ timer: ReturnType<typeof setTimeout>; wake(): void }>();
  /** Every access/secret key logged in with: removed from every error and state message (redaction hook). */
  readonly #secretValues = new Set<string>();
  #redactor: Redactor | undefined;
  #scrub<E>(error: E): E {
    return (this.#redactor ??= new Redactor(this.#secretValues)).error(error);
  }
  readonly #decimals: DecimalsMode;

  constructor(opts: QuantWsClientOptions) {
    this.#decimals = opts.decimals ?? "exact";
    this.url = opts.url ?? QUANT_WS_DEFAULT_URL;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.notReady = opts.notReady ?? "wait";
    this.retryReads = opts.retryReads === true ? {} : opts.retryReads || undefined;
    this.#loginTimeoutMs = opts.loginTimeoutMs ?? 30_000;
    this.#connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
    this.#pingIntervalMs = opts.pingIntervalMs ?? 5_000;
    this.#maxMissedPongs = Math.max(1, opts.maxMissedPongs ?? 2);
    this.#logoutTimeoutMs = opts.logoutTimeoutMs ?? 2_000;
    this.#wsOptions = opts.wsOptions ?? {};
    this.#reconnect =
      opts.reconnect === false
        ? undefined
        : {
            baseDelayMs: opts.reconnect?.baseDelayMs ?? 250,
            maxDelayMs: opts.reconnect?.maxDelayMs ?? 10_000,
            maxAttempts: opts.reconnect?.maxAttempts ?? Number.POSITIVE_INFINITY,
            random: opts.reconnect?.random ?? Math.random,
          };
    this.#repeatLogin =
      opts.repeatLogin === false
        ? undefined
        : {
            windowMs: opts.repeatLogin?.windowMs ?? 45_000,
            baseDelayMs: opts.repeatLogin?.baseDelayMs ?? 500,
            maxDelayMs: opts.repeatLogin?.maxDelayMs ?? 5_000,
            random: opts.repeatLogin?.random ?? Math.random,
          };
    this.#events = new TypedEvents<QuantWsClientEvents>((e) => this.reportError(e));
  }

  get sessions(): readonly QuantWsSession[] {
    return [...this.#sessions];
  }
  get connected(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  on<K extends keyof QuantWsClientEvents>(event: K, listener: (value: QuantWsClientEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }
  once<K extends keyof QuantWsClientEvents>(event: K, listener: (value: QuantWsClientEvents[K]) => void): () => void {
    return this.#events.once(event, listener);
  }
  off<K extends keyof QuantWsClientEvents>(event: K, listener: (value: QuantWsClientEvents[K]) => void): void {
    this.#events.off(event, listener);
  }
  stream<K extends keyof QuantWsClientEvents>(event: K, opts?: StreamOptions): AsyncIterableIterator<QuantWsClientEvents[K]> {
    return this.#events.stream(event, opts);
  }
  next<K extends keyof QuantWsClientEvents>(event: K, timeoutMs?: number): Promise<QuantWsClientEvents[K]> {
    return this.#events.next(event, timeoutMs);
  }

  // ------------------------------------------------------------------ socket

  async connect(): Promise<void> {
    if (this.#closed) throw new ClientClosedError("client is closed", { api: API });
    if (this.connected) return;
    await this.#open();
  }

  #open(): Promise<WebSocket> {
    if (this.#opening) return this.#opening;
    const reconnect = this.#everOpened;
    const opening = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(this.url, { perMessageDeflate: false, handshakeTimeout: this.#connectTimeoutMs, ...this.#wsOptions });
      let opened = false;
      let failure: Error | undefined;
      ws.on("open", () => {
        opened = true;
        if (this.#closed) {
          ws.terminate();
          reject(new ClientClosedError("client closed while connecting", { api: API }));
          return;
        }
        this.#ws = ws;
        this.#everOpened = true;
        this.#startHeartbeat(ws);
        resolve(ws);
        this.#events.emit("open", { url: this.url, reconnect });
      });
      ws.on("message", (data: RawData) => this.#onMessage(data));
      ws.on("error", (err: Error) => {
        failure = err;
      });
      ws.on("close", (code: number, reason: Buffer) => {
        if (!opened) {
          const why = failure?.message ?? `closed with code ${code}`;
          reject(this.#scrub(new ConnectionError(`cannot connect to ${redactUrl(this.url)}: ${why}`, { api: API, cause: failure })));
          return;
        }
        this.#onClose(ws, code, reason.toString());
      });
    });
    this.#opening = opening;
    const clear = () => {
      if (this.#opening === opening) this.#opening = undefined;
    };
    opening.then(clear, clear);
    return opening;
  }

  #onClose(ws: WebSocket, code: number, wireReason: string): void {
    if (ws !== this.#ws) return;
    this.#ws = undefined;
    this.#stopHeartbeat();
    const reason = this.#closeReason ?? (wireReason || (code === 1006 ? "connection lost" : `code ${code}`));
    this.#closeReason = undefined;
    const dropped = (op: string, sent: boolean) =>
      new ConnectionDroppedError(
        `socket closed (${reason}) before the ${op} reply; the request was ${sent ? "sent and is not resent automatically" : "not sent"}`,
        { api: API, operation: op, sent, closeCode: code },
      );
    for (const p of [...this.#pending.values()]) {
      this.#settle(p);
      p.reject(dropped(p.op, true));
    }
    for (const s of this.#sessions) s._socketDown(dropped("login", true));
    for (const s of this.#byToken.values()) if (!this.#sessions.has(s)) s._socketDown(dropped("login", true));
    this.#orphans = [];
    const willReconnect = !this.#closed && this.#reconnect !== undefined;
    this.#events.emit("disconnected", { code, reason, willReconnect });
    if (willReconnect) this.#scheduleReconnect();
    else if (!this.#closed) {
      const error = new ConnectionError(`socket closed (${reason}) and reconnect is off`, { api: API });
      for (const s of [...this.#sessions]) s._end(error);
    }
  }

  #scheduleReconnect(): void {
    const r = this.#reconnect!;
    const attempt = ++this.#reconnectAttempt;
    if (attempt > r.maxAttempts) {
      const error = new ConnectionError(`gave up reconnecting to ${redactUrl(this.url)} after ${r.maxAttempts} attempts`, { api: API });
      this.#events.emit("error", error);
      for (const s of [...this.#sessions]) s._end(error);
      return;
    }
    // The project's one backoff formula (core/retry.ts): exponential, full jitter.
    const delayMs = backoffDelayMs(attempt, r);
    this.#events.emit("reconnecting", { attempt, delayMs });
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      void this.#reconnectNow(attempt);
    }, delayMs);
  }

  async #reconnectNow(attempt: number): Promise<void> {
    if (this.#closed) return;
    let ws: WebSocket;
    try {
      ws = await this.#open();
    } catch {
      if (!this.#closed) this.#scheduleReconnect();
      return;
    }
    const sessions = [...this.#sessions];
    type Outcome = { session: QuantWsSession; oldToken: string; newToken: string } | { session: QuantWsSession; error: TradeApiError };
    const results = await Promise.all(
      sessions.map(async (session): Promise<Outcome> => {
        const oldToken = session.token;
        try {
          await this.#reloginSession(session);
          return { session, oldToken, newToken: session.token };
        } catch (error) {
          return { session, error: error as TradeApiError };
        }
      }),
    );
    // The socket dropped again while logging in: the next attempt is already scheduled.
    if (this.#ws !== ws || this.#closed) return;
    this.#reconnectAttempt = 0;
    const ok: QuantWsClientEvents["reconnected"]["sessions"] = [];
    const failed: QuantWsClientEvents["reconnected"]["failed"] = [];
    for (const r of results) {
      if ("error" in r) {
        failed.push({ session: r.session, error: r.error });
        r.session._end(r.error);
        this.#events.emit("error", r.error);
      } else ok.push(r);
    }
    this.#events.emit("reconnected", { attempt, sessions: ok, failed });
  }

  // ------------------------------------------------------------------ heartbeat

  #startHeartbeat(ws: WebSocket): void {
    this.#missedPongs = 0;
    this.#awaitingPong = undefined;
    if (this.#pingIntervalMs <= 0) return;
    this.#pingTimer = setInterval(() => this.#beat(ws), this.#pingIntervalMs);
    this.#pingTimer.unref();
  }

  #stopHeartbeat(): void {
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.#pingTimer = undefined;
    this.#awaitingPong = undefined;
    for (const w of this.#pingWaiters.values()) {
      clearTimeout(w.timer);
      w.reject(new ConnectionDroppedError("socket closed before the pong", { api: API, operation: "ping", sent: true }));
    }
    this.#pingWaiters.clear();
  }

  #beat(ws: WebSocket): void {
    if (ws !== this.#ws || ws.readyState !== WebSocket.OPEN) return;
    if (this.#awaitingPong !== undefined && ++this.#missedPongs >= this.#maxMissedPongs) {
      this.#closeReason = `no pong for ${this.#missedPongs} pings (heartbeat every ${this.#pingIntervalMs} ms)`;
      ws.terminate();
      return;
    }
    this.#sendPing(ws);
  }

  #sendPing(ws: WebSocket): number {
    const ts = Math.max(Date.now(), this.#lastPingTs + 1);
    this.#lastPingTs = ts;
    this.#awaitingPong = ts;
    ws.send(`{"op":"ping","ts":${ts}}`);
    return ts;
  }

  ping(timeoutMs = this.requestTimeoutMs): Promise<number> {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new ConnectionError("not connected", { api: API, operation: "ping" }));
    return new Promise((resolve, reject) => {
      const ts = this.#sendPing(ws);
      const timer = setTimeout(() => {
        this.#pingWaiters.delete(ts);
        reject(new TimeoutError(`no pong within ${timeoutMs} ms`, { api: API, operation: "ping", timeoutMs }));
      }, timeoutMs);
      this.#pingWaiters.set(ts, {
        resolve: (rtt) => {
          clearTimeout(timer);
          resolve(rtt);
        },
        reject,
        timer,
      });
    });
  }

  #onPong(ts: number): void {
    // Any pong proves the socket alive.
    this.#missedPongs = 0;
    if (ts === this.#awaitingPong) this.#awaitingPong = undefined;
    const rttMs = Date.now() - ts;
    const waiter = this.#pingWaiters.get(ts);
    if (waiter) {
      this.#pingWaiters.delete(ts);
      waiter.resolve(rttMs);
    }
    this.#events.emit("pong", { ts, rttMs });
  }

  // ------------------------------------------------------------------ frames

  #onMessage(data: RawData): void {
    const text = Array.isArray(data) ? Buffer.concat(data).toString("utf8") : Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.from(data).toString("utf8");
    let frame: IncomingFrame;
    try {
      frame = decodeFrame(text, this.#decimals);
    } catch (caught) {
      const error = this.#scrub(caught);
      if (error instanceof QuantWsFrameError) {
        // A broken reply whose cid is readable fails its request now rather than by timeout.
        const p = error.cid !== undefined ? this.#pending.get(error.cid) : undefined;
        if (p && error.cid !== undefined) {
          this.#settle(p);
          p.reject(error);
        }
        this.#events.emit("error", error);
      } else this.reportError(error);
      return;
    }
    this.#dispatch(frame, text);
  }

  #dispatch(frame: IncomingFrame, text: string): void {
    switch (frame.kind) {
      case "reply": {
        const p = this.#pending.get(frame.cid);
        if (!p) {
          // Expected late replies (a cancel-all that was confirmed otherwise), and anything
          // after close() began (its pending requests were rejected), are not errors.
          if (this.#quiet.delete(frame.cid) || this.#closed) return;
          this.#events.emit("error", this.#scrub(new QuantWsFrameError("unknown-cid", `${frame.op} reply for unknown cid ${JSON.stringify(frame.cid)} (late after a timeout?)`, text, "cid")));
          return;
        }
        this.#settle(p);
        if (p.op !== frame.op) {
          p.reject(this.#scrub(new QuantWsFrameError("op-mismatch", `expected a ${p.op} reply for cid ${frame.cid}, got ${frame.op}`, text, "op", { operation: p.op })));
          return;
        }
        const reply = frame.frame as { result: boolean; error_message?: string };
        if (reply.result) p.resolve(reply);
        else p.reject(this.#scrub(replyError(p.op, reply.error_message ?? "", reply)));
        return;
      }
      case "pong":
        this.#onPong(Number(frame.ts));
        return;
      case "server-error":
        this.#events.emit("error", this.#scrub(new QuantWsServerError(frame.frame.error_message)));
        return;
      default: {
        const session = this.#byToken.get(frame.token);
        if (!session) {
          // Possibly for a login whose reply has not arrived yet (replies can be reordered).
          this.#orphans.push({ token: frame.token, frame });
          if (this.#orphans.length > MAX_ORPHANS) this.#orphans.shift();
          return;
        }
        this.#deliver(session, frame);
      }
    }
  }

  #deliver(session: QuantWsSession, frame: IncomingFrame): void {
    if (frame.kind === "state") {
      const msg = frame.frame.msg ? (this.#redactor ??= new Redactor(this.#secretValues)).text(frame.frame.msg) : "";
      this.#events.emit("state", { ...session._onState(frame.frame.code, msg), session });
    }
    else if (frame.kind === "notify") session._onNotify(frame.topic, frame.frame.data);
  }

  #replayOrphans(token: string, session: QuantWsSession): void {
    if (!this.#orphans.some((o) => o.token === token)) return;
    const mine = this.#orphans.filter((o) => o.token === token);
    this.#orphans = this.#orphans.filter((o) => o.token !== token);
    for (const o of mine) this.#deliver(session, o.frame);
  }

  // ------------------------------------------------------------------ requests

  readonly #onExpire = (p: Pending): void => {
    this.#settle(p);
    p.reject(new TimeoutError(`no ${p.op} reply within ${p.timeoutMs} ms (cid ${p.cid})`, { api: API, operation: p.op, timeoutMs: p.timeoutMs }));
  };

  /** Take `p` out of the pending set (its timeout and abort listener included). */
  #settle(p: Pending): void {
    this.#pending.delete(p.cid);
    if (p.quietLate) {
      this.#quiet.add(p.cid);
      if (this.#quiet.size > MAX_QUIET) this.#quiet.delete(this.#quiet.values().next().value!);
    }
    if (!p.settled) {
      p.settled = true;
      this.#deadlines.trim(p.timeoutMs);
    }
    if (p.onAbort) p.signal?.removeEventListener("abort", p.onAbort);
  }

  send<Op extends RequestOp>(op: Op, frame: QuantWsRequests[Op], timeoutMs: number, signal?: AbortSignal, quietLate = false): Promise<QuantWsReplies[Op]> {
    if (this.#closed) return Promise.reject(new ClientClosedError("client is closed", { api: API, operation: op }));
    return this.#transmit(op, frame, timeoutMs, signal, quietLate);
  }

  #transmit<Op extends RequestOp>(op: Op, frame: QuantWsRequests[Op], timeoutMs: number, signal?: AbortSignal, quietLate = false): Promise<QuantWsReplies[Op]> {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new ConnectionDroppedError("socket is not open; the request was not sent", { api: API, operation: op, sent: false }));
    }
    if (signal?.aborted) return Promise.reject(new AbortedError("aborted before sending", { api: API, operation: op }));
    const cid = this.#cidPrefix + (++this.#cidSeq).toString(36);
    (frame as { cid?: string }).cid = cid;
    let text: string;
    try {
      text = encode(frame);
    } catch (e) {
      return Promise.reject(new UsageError(`${op} fields cannot be sent as JSON: ${(e as Error).message}`, { api: API, operation: op, cause: e }));
    }
    return new Promise<QuantWsReplies[Op]>((resolve, reject) => {
      const p = new Pending(op, cid, timeoutMs, resolve as (r: unknown) => void, reject, signal, this.#onExpire);
      if (quietLate) p.quietLate = true;
      if (signal) {
        p.onAbort = () => {
          this.#settle(p);
          reject(new AbortedError("aborted; the request was sent and may still take effect", { api: API, operation: op }));
        };
        signal.addEventListener("abort", p.onAbort, { once: true });
      }
      this.#pending.set(cid, p);
      this.#deadlines.add(timeoutMs, p);
      ws.send(text);
    });
  }

  socketOpen(): boolean {
    return this.connected;
  }

  forget(session: QuantWsSession): void {
    this.#sessions.delete(session);
    if (this.#byToken.get(session.token) === session) this.#byToken.delete(session.token);
  }

  reportError(error: unknown): void {
    const e = error instanceof TradeApiError ? error : new TradeApiError(`listener threw: ${error instanceof Error ? error.message : String(error)}`, { api: API, cause: error });
    this.#events.emit("error", this.#scrub(e));
  }

  // ------------------------------------------------------------------ login

  async login(login: QuantWsLogin): Promise<QuantWsSession> {
    if (this.#closed) throw new ClientClosedError("client is closed", { api: API, operation: "login" });
    requireCredential(API, "accessKey", login.accessKey, "QUANT_WS_ACCESS_KEY", "login");
    requireCredential(API, "secretKey", login.secretKey, "QUANT_WS_SECRET_KEY", "login");
    this.#secretValues.add(login.accessKey);
    this.#secretValues.add(login.secretKey);
    this.#redactor = undefined;
    if (typeof login.platform !== "string" || !login.platform.trim()) {
      throw new UsageError(`missing platform: the gateway's exchange adapter, e.g. ${KNOWN_PLATFORMS.join(", ")}`, { api: API, operation: "login" });
    }
    // An empty list is allowed: account-level requests (asset) trade no symbol.
    if (!Array.isArray(login.symbols)) {
      throw new UsageError("symbols must be a list such as [\"BTC/USDT\"]", { api: API, operation: "login" });
    }
    await this.connect();
    const session = new QuantWsSession(this, login);
    credentialsOf.set(session, { ...login, symbols: [...login.symbols] });
    await this.#loginSession(session);
    if (this.#closed) {
      const error = new ClientClosedError("client closed during login", { api: API, operation: "login" });
      session._end(error);
      throw error;
    }
    this.#sessions.add(session);
    return session;
  }

  /** Send login, take the token, wait for READY (or a fatal state). Used again on reconnect. */
  async #loginSession(session: QuantWsSession): Promise<void> {
    try {
      await this.#loginSessionUnscrubbed(session);
    } catch (e) {
      throw this.#scrub(e);
    }
  }

  async #loginSessionUnscrubbed(session: QuantWsSession): Promise<void> {
    const creds = credentialsOf.get(session)!;
    const started = Date.now();
    const frame: QuantWsRequests["login"] = {
      op: "login",
      platform: creds.platform,
      symbols: creds.symbols,
      access_key: creds.accessKey,
      secret_key: creds.secretKey,
      ...(creds.account !== undefined ? { account: creds.account } : {}),
    };
    const reply = await this.send("login", frame, this.#loginTimeoutMs);
    if (!reply.token) throw new ResponseFormatError("login reply with result true but no token", "", { api: API, operation: "login" });
    const old = session.token;
    if (old && this.#byToken.get(old) === session) this.#byToken.delete(old);
    const ready = session._awaitLoginReady(this.#loginTimeoutMs - (Date.now() - started), {
      platform: creds.platform,
      secrets: [creds.secretKey],
    });
    session._setToken(reply.token);
    this.#byToken.set(reply.token, session);
    this.#replayOrphans(reply.token, session);
    try {
      await ready;
    } catch (error) {
      if (this.#byToken.get(reply.token) === session) this.#byToken.delete(reply.token);
      // The server still holds the login (state 1, 7, a timeout): release it so a later login
      // is not "repeat". close() waits for this logout, so its reply is never an orphan.
      if (this.connected && !(error instanceof ConnectionError)) {
        const release = this.#transmit("logout", { op: "logout", token: reply.token }, this.#logoutTimeoutMs).catch(() => undefined);
        this.#releases.add(release);
        void release.then(() => this.#releases.delete(release));
      }
      throw error;
    } finally {
      session._loginDone();
    }
  }

  /**
   * Log a session in again after a reconnect. "Do not log in repeat" means the server still
   * holds this account's login from the socket that died (it notices only at its idle check):
   * retry with backoff (core/retry.ts) until `repeatLogin.windowMs` has passed.
   */
  async #reloginSession(session: QuantWsSession): Promise<void> {
    const policy = this.#repeatLogin;
    const socket = this.#ws;
    let firstRefusal: number | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#loginSession(session);
        return;
      } catch (error) {
        const repeat = error instanceof ApiError && error.code === REPEAT_LOGIN;
        if (!repeat || !policy || this.#closed || session.ended) throw error;
        firstRefusal ??= Date.now();
        const delayMs = backoffDelayMs(attempt, policy);
        if (Date.now() + delayMs - firstRefusal > policy.windowMs) {
          const e = error as ApiError;
          throw new InvalidRequestError({
            api: API,
            operation: "login",
            code: e.code,
            vendorMessage: e.vendorMessage,
            meaning: `the server still held this access_key@platform after ${attempt} attempts over ${Date.now() - firstRefusal} ms (repeatLogin.windowMs ${policy.windowMs})`,
            kind: "invalid-request",
            body: e.body,
          });
        }
        this.#events.emit("reloginRetry", { session, attempt, delayMs, error: error as ApiError });
        await this.#sleep(delayMs);
        if (this.#closed) throw new ClientClosedError("client closed while retrying the login", { api: API, operation: "login" });
        // The socket dropped meanwhile: the next reconnect logs the session in (not this loop).
        if (this.#ws !== socket) throw new ConnectionDroppedError("socket closed while retrying the login", { api: API, operation: "login", sent: false });
      }
    }
  }

  /** A backoff wait that close() cuts short. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.#sleeps.delete(entry);
          resolve();
        }, ms),
        wake: () => {
          clearTimeout(entry.timer);
          this.#sleeps.delete(entry);
          resolve();
        },
      };
      this.#sleeps.add(entry);
    });
  }

  // ------------------------------------------------------------------ close

  close(): Promise<void> {
    this.#closing ??= this.#closeNow();
    return this.#closing;
  }

  async #closeNow(): Promise<void> {
    this.#closed = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    for (const s of [...this.#sleeps]) s.wake();
    const opening = this.#opening;
    if (opening) await opening.catch(() => undefined);
    const sessions = [...this.#sessions];
    if (this.connected) {
      // `send` refuses once closed; the logouts go straight to the socket. Logouts of failed
      // logins already in flight are waited for too (their replies must find their cid).
      await Promise.allSettled([
        ...sessions.map((s) => (s.token && !s.ended ? this.#transmit("logout", { op: "logout", token: s.token }, this.#logoutTimeoutMs) : undefined)),
        ...this.#releases,
      ]);
    }
    const closedError = new ClientClosedError("client closed", { api: API });
    for (const s of [...this.#sessions, ...this.#byToken.values()]) s._end(closedError);
    for (const p of [...this.#pending.values()]) {
      this.#settle(p);
      p.reject(new ClientClosedError(`client closed before the ${p.op} reply`, { api: API, operation: p.op }));
    }
    this.#stopHeartbeat();
    this.#deadlines.clear();
    const ws = this.#ws;
    if (ws) {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => ws.terminate(), 1_000);
        ws.once("close", () => {
          clearTimeout(force);
          resolve();
        });
        ws.close(1000, "client closed");
      });
    }
    this.#ws = undefined;
    this.#orphans = [];
    this.#events.emit("closed", {});
    this.#events.end();
  }
}

/** A client for one gateway socket. Nothing is opened until `connect()` or `login()`. */
export function createQuantWsClient(opts: QuantWsClientOptions = {}): QuantWsClient {
  return new Client(opts);
}
