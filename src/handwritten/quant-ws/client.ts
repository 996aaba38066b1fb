/**
 * `createQuantWsClient`: one WebSocket to a Quant trading gateway, shared by any number of
 * logged-in sessions (each addressed by its token).
 *
 * - Requests carry a `cid` unique per client; replies are matched by it, in any order. Every
 *   request has a timeout; nothing is ever left pending.
 * - `ping` with `ts` every `pingIntervalMs` (5 s, the vendor doc's advice; the server drops a
 *   socket idle for 15 s); `maxMissedPongs` beats without a pong and without any other frame
 *   read meanwhile declare the socket dead, as does a ping unanswered for `maxPongWaitMs` (60 s).
 * - A dropped socket is reopened with exponential backoff and jitter, every session logs in
 *   again (new token, `relogin` event) and waits for READY. A re-login refused with "Do not
 *   log in repeat" (the server still holds the login of a socket that died half-open, until
 *   its idle check, up to ~31 s) is retried with backoff for `repeatLogin.windowMs`
 *   (`reloginRetry` events). A re-login that gets no READY within `loginTimeoutMs`, or a
 *   state 7 not about the keys, is released and made again (`reloginDelayed` events) until
 *   READY or `reloginTimeoutMs`: the session stays. The client emits `disconnected`,
 *   `reconnecting` and `reconnected`. Requests in flight when it dropped reject with
 *   ConnectionDroppedError and are not resent (an order could execute twice); reads are
 *   retried only with `retryReads`.
 * - Frames that cannot be used (not JSON, unknown op, missing fields, the server's
 *   `{"op":"error"}`) become `error` events, never exceptions.
 * - `close()` logs every session out (and waits for the logout of a failed login still in
 *   flight, and for the reply of a login still unanswered, to log it out too), closes the
 *   socket and clears every timer.
 */
import type { ClientOptions, RawData } from "ws";
import { quantWsMeta, type QuantWsReplies, type QuantWsRequests } from "../../../generated/quant-ws.js";
import { credentialOf } from "../core/credentials.js";
import { ApiError, markOutcomeUnknown, shownValue, TradeApiError, typeName, UsageError } from "../core/errors.js";
import type { DecimalsMode } from "../core/json.js";
import { describeAs, isSecretName, Redactor, redactUrl, urlCredentials } from "../core/redaction.js";
import { checkRetryOptions, type RetryOptions } from "../core/retry.js";
import { checkOption, checkOptionNames, checkOptionsObject, ownFields, proxyOption, serverUrl, URL_CREDENTIALS, urlShown } from "../core/validate.js";
import { proxyTunnel } from "../core/proxy-tunnel.js";
import { Connection, DEFAULT_MAX_MESSAGE_BYTES } from "./connection.js";
import { API, ClientClosedError, ConnectionDroppedError, KNOWN_PLATFORMS, QuantWsFrameError, QuantWsServerError } from "./errors.js";
import { TypedEvents, type StreamOptions } from "./events.js";
import { decodeFrame, unreadableLoginReply, unreadableStateToken, type IncomingFrame, type RequestOp } from "./frames.js";
import { LoginFlow, type LoginFlowOptions, type LoginHost } from "./login-flow.js";
import { checkRequest, checkTimeout } from "./request-check.js";
import { RequestTable } from "./requests.js";
import { SessionRouter } from "./session-router.js";
import { driveSession, QuantWsSession, type NotReadyPolicy, type QuantWsLogin, type SessionHost, type SessionStateEvent } from "./session.js";

/** The gateway URL a client uses without `url`: the spec's server, ws://127.0.0.1:9878/ws/v1. */
export const QUANT_WS_DEFAULT_URL: string = quantWsMeta.serverUrl;
/** How many of the newest session tokens the client's messages are kept free of, besides every live session's. */
const MAX_TOKEN_SECRETS = 256;
/** …and at most this many characters of them (the newest is kept whatever its length): a gateway handing out tokens of megabytes would otherwise hold gigabytes. */
const MAX_TOKEN_CHARS = 1 << 20;
/**
 * How many tokens are searched for by a redactor of their own, over the one of every other
 * secret, before that one is made again with them (see Client.#baseRedactor).
 */
const RECENT_TOKENS = 32;
/** How many keys of ended sessions (two per login) they are kept free of, besides every live session's. */
const MAX_KEY_SECRETS = 256;

/** The `reconnect` option: how the client reopens a dropped socket (and logs its sessions in again). */
export interface ReconnectOptions {
  /** Backoff step (default 250 ms), doubling per attempt up to `maxDelayMs` (default 10 s); each wait is a random share of it (core/retry.ts `backoffDelayMs`). */
  baseDelayMs?: number | undefined;
  /** The longest backoff step in ms (default 10 000). */
  maxDelayMs?: number | undefined;
  /** Give up after this many failed attempts in a row (default: never); a socket that closes within 5 s of opening is a failed attempt too. */
  maxAttempts?: number | undefined;
  /**
   * Close codes the gateway ends for good with (default: none, every close is reconnected
   * after): a socket closed with one of them is not reopened, and every session ends with a
   * ConnectionError naming the code (e.g. `[1008, 4403]` for a gateway that closes with them
   * when it refuses a client). Codes 1000 to 4999.
   */
  finalCodes?: readonly number[] | undefined;
  /** Jitter source (tests). */
  random?: (() => number) | undefined;
}

/** Re-login refused as "Do not log in repeat" after a reconnect (see the client's notes). */
export interface RepeatLoginOptions {
  /**
   * Keep retrying for this long after the first refusal (default 45 000 ms: the server's idle
   * check closes a dead socket after 15-31 s). Each attempt also has the login timeout.
   */
  windowMs?: number | undefined;
  /** Backoff between attempts, by the project's one formula (core/retry.ts): default 500 ms … 5 000 ms. */
  baseDelayMs?: number | undefined;
  /** The longest backoff step in ms (default 5 000). */
  maxDelayMs?: number | undefined;
  /** Jitter source (tests). */
  random?: (() => number) | undefined;
}

/**
 * What `createQuantWsClient` takes: the gateway (`url`), timeouts, the heartbeat, reconnection
 * and re-login, and how frames are read. Every option is optional; an unknown one is a UsageError.
 */
export interface QuantWsClientOptions {
  /** Default: the spec's server, ws://127.0.0.1:9878/ws/v1 */
  url?: string | undefined;
  /** Per request, including any wait for READY (default 10 s). */
  requestTimeoutMs?: number | undefined;
  /**
   * login: reply plus the READY state (default 30 s). After a reconnect, a re-login that gets
   * no READY in this time does not end its session (see `reloginTimeoutMs`).
   */
  loginTimeoutMs?: number | undefined;
  /**
   * How long a session may keep logging in again after a reconnect (default: no limit). A
   * re-login that gets no READY within `loginTimeoutMs`, or a state 7 that is not about the keys
   * (an adapter's setup step failed, e.g. "get_account_balance error: HTTP 502"), is released
   * and made again with the reconnect's backoff (`reloginDelayed` events); the session stays,
   * not READY, and its requests wait (or fail) as while the exchange link is down. Past this
   * time the session ends with a TimeoutError. A final refusal (state 1, state 7 about the
   * keys, a `result: false` other than "Do not log in repeat") ends it at once.
   */
  reloginTimeoutMs?: number | undefined;
  /** Opening handshake (default 10 s). */
  connectTimeoutMs?: number | undefined;
  /** Heartbeat period (default 5 000 ms, as the vendor doc advises); 0 turns the heartbeat off. */
  pingIntervalMs?: number | undefined;
  /**
   * Heartbeats in a row that find the last ping without its pong, and no other frame read
   * since the beat before, after which the socket is declared dead (default 2). A beat that finds
   * frames read meanwhile is no miss: under a burst the application reads slower than it
   * comes, the pong waits behind the frames (see `maxPongWaitMs`).
   */
  maxMissedPongs?: number | undefined;
  /**
   * A ping of the client's left without its pong for this long declares the socket dead even
   * while other frames keep coming (default 60 000 ms): a gateway that still writes but no longer
   * reads. Counted from that ping, so pongs that come late but come keep the socket.
   */
  maxPongWaitMs?: number | undefined;
  /** While a session is not READY: "wait" (default) queues requests until READY; "fail" rejects. */
  notReady?: NotReadyPolicy | undefined;
  /** Retry reads (x-retryable ops) on connection errors and timeouts; true = 3 attempts. */
  retryReads?: boolean | RetryOptions | undefined;
  /** false: do not reconnect (sessions end when the socket drops). */
  reconnect?: false | ReconnectOptions | undefined;
  /** Retry a re-login refused as "Do not log in repeat" (default on); false: end the session at once. */
  repeatLogin?: false | RepeatLoginOptions | undefined;
  /** Logout timeout per session in close() (default 2 s). */
  logoutTimeoutMs?: number | undefined;
  /**
   * The largest message the gateway may send, in bytes (default 16 MiB; `Infinity` for none).
   * A larger one closes the socket (code 1009) before it is held whole: an `error` event
   * (`ResponseTooLargeError`), the requests in flight fail with `ConnectionDroppedError`, and
   * the client reconnects and logs its sessions in again as after any drop.
   */
  maxMessageBytes?: number | undefined;
  /**
   * Connect through this HTTP proxy: `http://host:port` (or `https://`), `user:password@` when
   * it asks for credentials (sent as Proxy-Authorization: Basic; kept out of errors and
   * events). The socket is a CONNECT tunnel to the gateway (TLS to the gateway inside it for
   * wss://); the proxy's answer must come within `connectTimeoutMs`. Not with
   * `wsOptions.agent` or `wsOptions.createConnection` (they choose the route themselves).
   */
  proxy?: string | URL | undefined;
  /** Passed to `new WebSocket()` (headers, agent, TLS options). */
  wsOptions?: ClientOptions | undefined;
  /**
   * What a number with a fraction or exponent in a frame becomes (see parseJson): "exact"
   * (default) a number when the double holds it exactly, else the frame is refused
   * (QuantWsFrameError "inexact-number" as an `error` event; a reply's request fails with a
   * DecimalPrecisionError whose `body` is the reply read with decimals as text, or with the
   * gateway's refusal when it was one); "string" the text the server
   * sent; "number" the nearest double. In every mode an integer of more than 4,300 digits is
   * refused (QuantWsFrameError "number-too-long"), not converted.
   */
  decimals?: DecimalsMode | undefined;
}

/** The client's events; `D` (the `decimals` option) types the sessions they name. */
export interface QuantWsClientEvents<D extends DecimalsMode = "exact"> {
  /** A frame that could not be used, the server's op:error, a failed re-login, a listener that threw. */
  error: TradeApiError;
  open: { url: string; reconnect: boolean };
  disconnected: { code: number; reason: string; willReconnect: boolean };
  reconnecting: { attempt: number; delayMs: number };
  /** A re-login was refused as "Do not log in repeat" (the old login lingers on the server); retrying after `delayMs`. */
  reloginRetry: { session: QuantWsSession<D>; attempt: number; delayMs: number; error: ApiError };
  /**
   * A re-login after a reconnect got no READY within `loginTimeoutMs`, or a state 7 that is not
   * about the keys (`error` says which): the gateway recovers from both, so the session stays
   * (not READY); its login was released and is made again after `delayMs` (the reconnect's
   * backoff; `attempt` counts these waits), until READY or `reloginTimeoutMs`.
   */
  reloginDelayed: { session: QuantWsSession<D>; attempt: number; delayMs: number; error: TradeApiError };
  /**
   * The sessions logged in again after a reconnect, and those whose re-login failed (they ended).
   * No token: a session's new one is `session.token`. Emitted once every session's re-login has
   * ended: a session still waiting for READY (`reloginDelayed`) holds it back.
   */
  reconnected: {
    attempt: number;
    sessions: Array<{ session: QuantWsSession<D> }>;
    failed: Array<{ session: QuantWsSession<D>; error: TradeApiError }>;
  };
  /** Every state notification of every session, including those during login. */
  state: SessionStateEvent & { session: QuantWsSession<D> };
  /** The pong of one of the client's pings, with its round trip (other pongs keep the socket alive, unreported). */
  pong: { ts: number; rttMs: number };
  closed: Record<string, never>;
}

/** The client's event names (the type checks that the list is whole): `on()` refuses any other. */
const CLIENT_EVENTS = Object.keys({
  error: 1, open: 1, disconnected: 1, reconnecting: 1, reloginRetry: 1, reloginDelayed: 1, reconnected: 1, state: 1, pong: 1, closed: 1,
} satisfies Record<keyof QuantWsClientEvents, 1>) as Array<keyof QuantWsClientEvents>;

/** `D`: the `decimals` option; with "string", replies and notifications carry decimals as the text sent. */
export interface QuantWsClient<D extends DecimalsMode = "exact"> {
  readonly url: string;
  /** Sessions logged in and not ended. */
  readonly sessions: ReadonlyArray<QuantWsSession<D>>;
  readonly connected: boolean;
  /** Open the socket (login() does it too). */
  connect(): Promise<void>;
  /** Log in; resolves once the server reports READY (6) for the new token. */
  login(login: QuantWsLogin): Promise<QuantWsSession<D>>;
  /** One ping; resolves to the round trip in ms. */
  ping(timeoutMs?: number): Promise<number>;
  on<K extends keyof QuantWsClientEvents<D>>(event: K, listener: (value: QuantWsClientEvents<D>[K]) => void): () => void;
  once<K extends keyof QuantWsClientEvents<D>>(event: K, listener: (value: QuantWsClientEvents<D>[K]) => void): () => void;
  off<K extends keyof QuantWsClientEvents<D>>(event: K, listener: (value: QuantWsClientEvents<D>[K]) => void): void;
  stream<K extends keyof QuantWsClientEvents<D>>(event: K, opts?: StreamOptions): AsyncIterableIterator<QuantWsClientEvents<D>[K]>;
  /** The next `event`: rejects with a TimeoutError after `timeoutMs`, and with a ClientClosedError once the client is closed. */
  next<K extends keyof QuantWsClientEvents<D>>(event: K, timeoutMs?: number): Promise<QuantWsClientEvents<D>[K]>;
  /** Log out every session, close the socket, clear every timer. */
  close(): Promise<void>;
}

const CLOSED_UNROUTED = "the client closed before a login took its token";

/**
 * The client: wires the connection (socket, heartbeat, reconnect), request matching (cid →
 * pending request), session routing (token → session) and logging in together.
 */
class Client implements QuantWsClient {
  /** The URL given, a key in its query too: private, so a spread or structuredClone of the client does not copy it (see `url`). */
  readonly #url: string;
  readonly requestTimeoutMs: number;
  readonly notReady: NotReadyPolicy;
  readonly retryReads: RetryOptions | undefined;
  readonly #logoutTimeoutMs: number;
  readonly #decimals: DecimalsMode;
  readonly #events: TypedEvents<QuantWsClientEvents>;
  readonly #conn: Connection;
  readonly #requests: RequestTable;
  readonly #router: SessionRouter;
  readonly #logins: LoginFlow;
  /** What each session is given to reach this client (#sessionHost). */
  readonly #host: SessionHost = this.#sessionHost();

  #closed = false;
  #closing: Promise<void> | undefined;
  /** The proxy's credentials and the URL query's keys (urlQuerySecrets): removed from every error and state message (redaction hook). */
  readonly #secretValues = new Set<string>();
  /** The access/secret keys of each session not ended and of each login in progress: removed likewise. */
  readonly #liveKeys = new Set<readonly string[]>();
  /** The keys of a session, retired when it ends (`forget`). */
  readonly #keysOf = new WeakMap<QuantWsSession, readonly string[]>();
  /**
   * Keys no session holds any more (ended sessions, refused logins), the newest
   * MAX_KEY_SECRETS (a late frame may still echo one). Bounded: a client that logs many
   * accounts in and out for days would otherwise hold, and search every message for, each key
   * it ever saw.
   */
  readonly #pastKeys = new Set<string>();
  /** The session tokens the gateway issued: every live session's, and the newest others up to MAX_TOKEN_SECRETS (a frame may echo one). */
  readonly #tokens = new Set<string>();
  #tokenChars = 0;
  /** The redactor of every secret now (#recentTokens' over #baseRedactor), made when an error or a text needs it. */
  #redactor: Redactor | undefined;
  /**
   * The redactor of every secret as it was when made, the tokens kept since then excepted
   * (#recentTokens). Made again when keys come or go, and after RECENT_TOKENS tokens: a gateway
   * handing out a new token with every frame (each one reported) costs a redactor of those few
   * tokens per frame, not one of all the client's secrets.
   */
  #baseRedactor: Redactor | undefined;
  /** The tokens kept since #baseRedactor was made (none while it is not). */
  #recentTokens: string[] = [];
  #recentChars = 0;
  /** The base and the recent redactor made last: the next ones reuse their work on the values they share. */
  #lastBase: Redactor | undefined;
  #lastRecent: Redactor | undefined;
  #redactorNow(): Redactor {
    if (this.#redactor) return this.#redactor;
    if (!this.#baseRedactor) {
      this.#recentTokens = [];
      this.#recentChars = 0;
      this.#lastRecent = undefined;
      this.#baseRedactor = this.#lastBase = new Redactor([...this.#secretValues, ...[...this.#liveKeys].flat(), ...this.#pastKeys, ...this.#tokens], this.#lastBase);
      return (this.#redactor = this.#baseRedactor);
    }
    return (this.#redactor = this.#lastRecent = new Redactor(this.#recentTokens, this.#lastRecent, this.#baseRedactor));
  }
  /** Keys came or went: every redactor is made again when next needed. */
  #secretsChanged(): void {
    this.#redactor = undefined;
    this.#baseRedactor = undefined;
  }
  /** `keys` are no session's any more: kept among the newest past keys. */
  #retireKeys(keys: readonly string[]): void {
    if (!this.#liveKeys.delete(keys)) return;
    for (const key of keys) {
      this.#pastKeys.delete(key);
      this.#pastKeys.add(key);
    }
    while (this.#pastKeys.size > MAX_KEY_SECRETS) this.#pastKeys.delete(this.#pastKeys.values().next().value!);
    this.#secretsChanged();
  }
  #scrub<E>(error: E): E {
    return this.#redactorNow().error(error);
  }
  readonly #scrubber = <E>(error: E): E => this.#scrub(error);
  #redact(text: string): string {
    return this.#redactorNow().text(text);
  }
  #keepToken(token: string): void {
    if (this.#tokens.has(token)) return;
    this.#tokens.add(token);
    this.#tokenChars += token.length;
    // Bounded: a client that reconnects for months gets a token per session each time.
    if (this.#tokensOver()) this.#evictTokens(token);
    this.#redactor = undefined;
    // Searched for by the recent redactor until the base one is made again (a token evicted
    // meanwhile stays hidden until then too: a little longer).
    if (!this.#baseRedactor) return;
    this.#recentTokens.push(token);
    this.#recentChars += token.length;
    if (this.#recentTokens.length > RECENT_TOKENS || this.#recentChars > MAX_TOKEN_CHARS / 4) this.#baseRedactor = undefined;
  }
  #tokensOver(): boolean {
    return this.#tokens.size > MAX_TOKEN_SECRETS || this.#tokenChars > MAX_TOKEN_CHARS;
  }
  /**
   * The oldest tokens out until within bounds, but for `newest` and those a session not ended
   * holds (as its keys are kept): those stay hidden whatever the gateway hands out after them.
   */
  #evictTokens(newest: string): void {
    const live = new Set<string>();
    for (const s of this.#router.all()) if (!s.ended && s.token) live.add(s.token);
    for (const t of this.#tokens) {
      if (!this.#tokensOver()) return;
      if (t === newest || live.has(t)) continue;
      this.#tokens.delete(t);
      this.#tokenChars -= t.length;
    }
  }

  constructor(given: QuantWsClientOptions) {
    checkOptionsObject({ api: API, operation: "createQuantWsClient" }, "options", given);
    // What the caller gave, never Object.prototype's (ownFields), in the nested options too.
    const opts: QuantWsClientOptions = ownFields(given, true);
    for (const k of ["reconnect", "repeatLogin", "retryReads"] as const) if (opts[k] !== undefined) (opts as Record<string, unknown>)[k] = ownFields(opts[k], true);
    this.#decimals = opts.decimals ?? "exact";
    // (a URL with user:password@ is refused: the client never holds one to hide)
    const url = opts.url ?? QUANT_WS_DEFAULT_URL;
    const problem = gatewayUrlProblem(url);
    if (problem) {
      throw new UsageError(`the gateway URL ${urlShown(url)} ${problem}`, { api: API, operation: "createQuantWsClient" });
    }
    this.#url = url;
    for (const secret of urlQuerySecrets(url)) this.#secretValues.add(secret);
    checkOptions(opts);
    const proxy = proxyOption(opts.proxy, { api: API, operation: "createQuantWsClient" });
    for (const secret of urlCredentials(proxy)) this.#secretValues.add(secret);
    if (proxy !== undefined && (opts.wsOptions?.agent !== undefined || opts.wsOptions?.createConnection !== undefined)) {
      throw new UsageError("the proxy option cannot be given with wsOptions.agent or wsOptions.createConnection: they choose the socket's route themselves", { api: API, operation: "createQuantWsClient" });
    }
    // Logged or serialized, the client shows its URL and proxy with their secrets hidden (a key in
    // the query, the proxy's password), not its fields: `client.url` itself (a getter) is the URL given.
    describeAs(this, "QuantWsClient", () => ({
      api: API,
      url: redactUrl(url),
      ...(proxy === undefined ? {} : { proxy: redactUrl(proxy) }),
      connected: this.connected,
      sessions: this.sessions.length,
    }));
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.notReady = opts.notReady ?? "wait";
    this.retryReads = opts.retryReads === true ? {} : opts.retryReads || undefined;
    this.#logoutTimeoutMs = opts.logoutTimeoutMs ?? 2_000;
    this.#events = new TypedEvents<QuantWsClientEvents>(CLIENT_EVENTS, (e) => this.#reportError(e));
    this.#requests = new RequestTable(this.#scrubber, (token) => this.#logins.releaseLate(token));
    this.#router = new SessionRouter((session, frame) => {
      const msg = frame.frame.msg ? this.#redact(frame.frame.msg) : "";
      this.#events.emit("state", { ...driveSession.onState(session, frame.frame.code, msg), session });
    }, (frame, text, why) => {
      const what = frame.kind === "state" ? `state ${frame.frame.code}` : `${frame.topic} notification`;
      const message = `${what} for a token no session of this client holds, not delivered: ${why}`;
      this.#events.emit("error", this.#scrub(new QuantWsFrameError("unknown-token", message, text, "token")));
    });
    this.#conn = new Connection(url, connectionOptions(opts, proxy === undefined ? undefined : tunnelOption(proxy, url, opts)), this.#connectionHost());
    this.#logins = new LoginFlow(this.#loginHost(), loginOptions(opts));
  }

  /** What logging in asks of the client. */
  #loginHost(): LoginHost {
    const client = this;
    return {
      get closed() {
        return client.#closed;
      },
      get connected() {
        return client.connected;
      },
      events: this.#events,
      router: this.#router,
      socket: () => this.#conn.ws,
      send: (op, frame, timeoutMs) => this.#send(op, frame, timeoutMs),
      logout: (token) => this.#logout(token),
      scrub: this.#scrubber,
    };
  }

  /** What the connection asks of the client: events, frames, and what a drop means for requests and sessions. */
  #connectionHost(): ConstructorParameters<typeof Connection>[2] {
    const client = this;
    return {
      get closed() {
        return client.#closed;
      },
      events: this.#events,
      scrub: this.#scrubber,
      redact: (text) => this.#redact(text),
      onMessage: (data, isBinary) => this.#onMessage(data, isBinary),
      onDrop: (dropped, reason, code) => {
        this.#requests.rejectAll((op) => dropped(op, true));
        // What a login waiting for READY (its reply came) fails with: the gateway had taken it.
        const afterReply = new ConnectionDroppedError(`socket closed (${reason}) after the login was answered, before state READY: the gateway held the login when it closed`, {
          api: API,
          operation: "login",
          sent: true,
          closeCode: code,
        });
        this.#router.socketDown(markOutcomeUnknown(afterReply));
        this.#router.clearOrphans(client.#closed ? CLOSED_UNROUTED : "the connection dropped before a login took its token");
      },
      endSessions: (error) => {
        for (const s of [...this.#router.sessions]) driveSession.end(s, error);
      },
      relogin: (attempt) => this.#logins.reloginAll(attempt),
    };
  }

  /** The gateway URL as given (a getter: no own field shows it to `{ ...client }`, `structuredClone` or a walk). */
  get url(): string {
    return this.#url;
  }
  get sessions(): readonly QuantWsSession[] {
    return [...this.#router.sessions];
  }
  get connected(): boolean {
    return this.#conn.connected;
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
    await this.#conn.open();
  }

  ping(timeoutMs = this.requestTimeoutMs): Promise<number> {
    if (this.#closed) return Promise.reject(new ClientClosedError("client is closed", { api: API, operation: "ping" }));
    try {
      checkTimeout("ping", timeoutMs);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#conn.heartbeat.ping(this.#conn.ws, timeoutMs);
  }

  // ------------------------------------------------------------------ frames

  #onMessage(data: RawData, isBinary = false): void {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    let text = "";
    let frame: IncomingFrame;
    try {
      // ws checks a text frame's UTF-8 (a bad one closes the socket); a binary frame's bytes are
      // read as strictly: not valid UTF-8 is an error, not U+FFFD in the data.
      text = isBinary ? binaryText(bytes) : bytes.toString("utf8");
      frame = decodeFrame(text, this.#decimals);
      if (frame.kind !== "pong") this.#conn.heartbeat.onFrame();
    } catch (caught) {
      this.#conn.heartbeat.onFrame();
      // A login reply it could not read still names its token: a secret from now on, as a
      // token read is (before the error is scrubbed: the frame's text may quote it).
      const login = unreadableLoginReply(caught);
      for (const token of login?.tokens ?? []) this.#keepToken(token);
      const error = this.#scrub(caught);
      if (error instanceof QuantWsFrameError) {
        // …and when it says the login succeeded, for a login of this client (waiting, or given up
        // on: its reply came late), the gateway holds that login: logged out, as a failed login
        // is (the next would be "Do not log in repeat"); close() waits for it. Not a token a
        // session holds (a gateway that answered two logins with one token).
        const held = login?.loggedIn;
        const release = held !== undefined && error.cids.some((cid) => this.#requests.isLogin(cid)) && !this.#router.owner(held);
        // A broken reply whose cid is readable fails its request now rather than by timeout.
        for (const cid of error.cids) this.#requests.fail(cid, error, text);
        if (release) this.#logins.releaseLate(held, "its login reply could not be read: logged out");
        // A state frame it could not read for a session's token: a login waiting for READY names it if it times out.
        const token = unreadableStateToken(caught);
        if (token !== undefined) this.#router.unreadableState(token, error);
        // One with no cid may have been a reply: a request timing out names it.
        else if (error.cids.length === 0) this.#requests.unreadable(error);
        this.#events.emit("error", error);
      } else this.#reportError(error);
      return;
    }
    // Whatever a frame makes throw is reported, never thrown into the socket's handler (an
    // exception there would end the process).
    try {
      switch (frame.kind) {
        case "reply": {
          // A login's token is secret from the moment it arrives: the frames after it in the
          // same read are reported before the login takes it.
          const token = (frame.frame as { token?: unknown }).token;
          if (frame.op === "login" && typeof token === "string" && token) {
            this.#keepToken(token);
            // Its login takes it a microtask later: the frames of this read wait for it.
            if ((frame.frame as { result?: unknown }).result === true && !this.#closed && this.#requests.awaits(frame.cid, "login")) this.#router.expect(token);
          }
          const unexpected = this.#requests.onReply(frame, text, this.#closed);
          if (unexpected) this.#events.emit("error", unexpected);
          return;
        }
        case "pong":
          // (a pong of no ping of ours is not counted as a frame: see Heartbeat.onPong)
          this.#conn.heartbeat.onPong(Number(frame.ts));
          return;
        case "server-error": {
          const error = this.#scrub(new QuantWsServerError(frame.frame.error_message));
          this.#requests.unreadable(error, "the gateway's op: error (a frame it failed to handle)");
          this.#events.emit("error", error);
          return;
        }
        default:
          this.#router.route(frame, text);
      }
    } catch (caught) {
      this.#reportError(caught);
    }
  }

  // ------------------------------------------------------------------ requests

  #send<Op extends RequestOp>(op: Op, frame: QuantWsRequests[Op], timeoutMs: number, signal?: AbortSignal, quietLate = false, waitedMs = 0): Promise<QuantWsReplies[Op]> {
    if (this.#closed) return Promise.reject(new ClientClosedError("client is closed", { api: API, operation: op }));
    return this.#requests.send(this.#conn.ws, op, frame, timeoutMs, signal, quietLate, waitedMs);
  }

  /** A logout straight to the socket (also once closed: close() and failed logins use it). */
  #logout(token: string): Promise<QuantWsReplies["logout"]> {
    return this.#requests.send(this.#conn.ws, "logout", { op: "logout", token }, this.#logoutTimeoutMs);
  }

  /**
   * What a session asks of its client (sending, the socket, re-login, its end), as closures: the
   * client object itself has no such methods, so a caller cannot send a frame no session made.
   */
  #sessionHost(): SessionHost {
    const client = this;
    return {
      get requestTimeoutMs() {
        return client.requestTimeoutMs;
      },
      get notReady() {
        return client.notReady;
      },
      get retryReads() {
        return client.retryReads;
      },
      send: (op, frame, timeoutMs, signal, quietLate, waitedMs) => this.#send(op, frame, timeoutMs, signal, quietLate, waitedMs),
      socketOpen: () => this.connected,
      relogging: (session) => this.#logins.relogging(session),
      afterLogout: (session) => this.#logins.afterLogout(session),
      forget: (session) => this.#forget(session),
      reportError: (error) => this.#reportError(error),
      scrub: (error) => this.#scrub(error),
    };
  }

  #forget(session: QuantWsSession): void {
    this.#router.forget(session);
    const keys = this.#keysOf.get(session);
    if (keys) this.#retireKeys(keys);
  }

  #reportError(error: unknown): void {
    const e = error instanceof TradeApiError ? error : new TradeApiError(`listener threw: ${error instanceof Error ? error.message : String(error)}`, { api: API, cause: error });
    this.#events.emit("error", this.#scrub(e));
  }

  // ------------------------------------------------------------------ login

  async login(given: QuantWsLogin): Promise<QuantWsSession> {
    const login = ownFields(given); // (what the caller gave, never Object.prototype's)
    if (this.#closed) throw new ClientClosedError("client is closed", { api: API, operation: "login" });
    if (login === null || typeof login !== "object") {
      throw new UsageError(`login needs an object { platform, symbols, accessKey, secretKey, account? }, got ${typeName(login)}`, { api: API, operation: "login" });
    }
    checkOptionNames({ api: API, operation: "login" }, "the login fields", login, LOGIN_FIELDS);
    credentialOf(API, "accessKey", login.accessKey, "login");
    credentialOf(API, "secretKey", login.secretKey, "login");
    const keys = [login.accessKey, login.secretKey] as const;
    this.#liveKeys.add(keys);
    this.#secretsChanged();
    try {
      const session = await this.#loginWith(login);
      // Retired when the session ends (forget), as its keys are no longer sent.
      if (session.ended) this.#retireKeys(keys);
      else this.#keysOf.set(session, keys);
      return session;
    } catch (e) {
      this.#retireKeys(keys);
      throw e;
    }
  }

  async #loginWith(login: QuantWsLogin): Promise<QuantWsSession> {
    if (typeof login.platform !== "string" || !login.platform.trim()) {
      throw new UsageError(`missing platform: the gateway's exchange adapter, e.g. ${KNOWN_PLATFORMS.join(", ")}`, { api: API, operation: "login" });
    }
    if (!Array.isArray(login.symbols)) {
      throw new UsageError("symbols must be a list such as [\"BTC/USDT\"]", { api: API, operation: "login" });
    }
    // Even for account-level requests (asset): every adapter of the gateway answers an empty
    // list with state PARAM_MISS "param symbols miss" (this client took it as allowed).
    if (login.symbols.length === 0) {
      throw new UsageError("symbols must name at least one symbol, such as [\"BTC/USDT\"]: the gateway refuses a login without one (state PARAM_MISS), even for account-level requests such as asset", { api: API, operation: "login" });
    }
    checkRequest("login", { platform: login.platform, symbols: login.symbols, access_key: login.accessKey, secret_key: login.secretKey, account: login.account });
    // What was checked is what logs in, now and after every reconnect (the caller may reuse its
    // object, or its list of symbols, while the socket opens).
    const held: QuantWsLogin = ownFields({ ...login, symbols: [...login.symbols] });
    await this.connect();
    const session = new QuantWsSession(this.#host, held);
    this.#logins.remember(session, held);
    await this.#logins.login(session);
    if (this.#closed) throw this.#logins.closedAfterLogin(session);
    this.#router.sessions.add(session);
    return session;
  }

  // ------------------------------------------------------------------ close

  close(): Promise<void> {
    this.#closing ??= this.#closeNow();
    return this.#closing;
  }

  async #closeNow(): Promise<void> {
    this.#closed = true;
    const stopped = this.#conn.stop();
    this.#logins.wake();
    await stopped;
    const closedError = new ClientClosedError("client closed", { api: API });
    if (this.connected) {
      // A login sent whose reply has not come yet: the gateway may be giving it a token it then
      // holds. Its reply is waited for (logoutTimeoutMs at most), so that login is released
      // below as one answered is; then its flow takes the token (a macrotask).
      await this.#requests.loginsAnswered(this.#logoutTimeoutMs);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const sessions = [...this.#router.sessions];
    if (this.connected) {
      // A session logging in again holds the dropped socket's token: it is ended, which stops
      // its re-login and logs out a login already answered (a release).
      // So is a first login answered and waiting for READY (its token bound, the session not
      // among the client's yet): its login is released (the gateway held it on).
      const relogging = sessions.filter((s) => this.#logins.relogging(s));
      const loggingIn = this.#router.all().filter((s) => !this.#router.sessions.has(s) && !s.ended);
      for (const s of [...relogging, ...loggingIn]) driveSession.end(s, closedError);
      // Their flows register those releases in microtasks: let them run first.
      if (relogging.length || loggingIn.length) await new Promise((resolve) => setImmediate(resolve));
      // `send` refuses once closed; the logouts go straight to the socket. Logouts of failed
      // logins already in flight are waited for too (their replies must find their cid).
      await Promise.allSettled([...sessions.map((s) => (s.token && !s.ended ? this.#logout(s.token) : undefined)), ...this.#logins.releases]);
    }
    for (const s of this.#router.all()) driveSession.end(s, closedError);
    this.#requests.rejectAll((op) => new ClientClosedError(`client closed before the ${op} reply`, { api: API, operation: op }));
    this.#requests.clearDeadlines();
    await this.#conn.shutdown();
    this.#router.clearOrphans(CLOSED_UNROUTED);
    this.#events.emit("closed", {});
    this.#events.end(closedError);
  }
}

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * A binary frame's text: its bytes as UTF-8, or a QuantWsFrameError when they are not valid
 * UTF-8 (naming the frame's cid when it is readable, so that its request fails at once).
 */
function binaryText(bytes: Buffer): string {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    const shown = bytes.toString("utf8");
    let cid: unknown;
    try {
      cid = (JSON.parse(shown) as { cid?: unknown } | null)?.cid;
    } catch {
      /* no cid to name */
    }
    throw new QuantWsFrameError("not-json", "binary frame whose bytes are not valid UTF-8: not read", shown, undefined, typeof cid === "string" ? { cid } : {});
  }
}

/**
 * What is wrong with the gateway URL, checked when the client is made (the socket would throw a
 * bare SyntaxError at the first connect): a ws:// or wss:// URL with a host, no `user:password@`
 * (ws would send it as Basic auth), no fragment, no whitespace or control character (a pasted value or a line read from a file is not rewritten).
 */
function gatewayUrlProblem(url: unknown): string | undefined {
  const parsed = serverUrl(url, ["ws", "wss"]);
  if (typeof parsed === "string") return parsed;
  if (parsed.username || parsed.password) return URL_CREDENTIALS;
  return (url as string).includes("#") ? "has a fragment (#), which a WebSocket URL cannot carry" : undefined;
}

/** A value of the gateway URL's query this long is taken for a key, whatever its parameter's name. */
const LONG_QUERY_VALUE = 16;

/**
 * The values of the gateway URL's query that are kept out of every message and event (a
 * gateway that takes a key as `?apikey=…` may echo it in an error, a state or a close reason):
 * those of parameters named like a secret (`apikey`, `key`, `token`, `access_key`, `sign` …)
 * and any other of LONG_QUERY_VALUE characters or more, as given and decoded. Short values of
 * other parameters (`format=json`, `v=2`) are not: each would be erased from every message.
 */
function urlQuerySecrets(url: string): string[] {
  const at = url.indexOf("?");
  if (at < 0) return [];
  const out: string[] = [];
  const decoded = (t: string): string => {
    try {
      return decodeURIComponent(t.replace(/\+/g, " "));
    } catch {
      return t;
    }
  };
  for (const pair of url.slice(at + 1).split("&")) {
    const eq = pair.indexOf("=");
    const name = eq < 0 ? "" : decoded(pair.slice(0, eq));
    const raw = eq < 0 ? pair : pair.slice(eq + 1);
    const value = decoded(raw);
    if (isSecretName(name) || /key$/i.test(name) || value.length >= LONG_QUERY_VALUE) out.push(raw, value);
  }
  return out;
}

/** The names of QuantWsClientOptions and its parts (the type checks that each list is whole). */
const OPTIONS = {
  url: 1,
  requestTimeoutMs: 1,
  loginTimeoutMs: 1,
  reloginTimeoutMs: 1,
  connectTimeoutMs: 1,
  pingIntervalMs: 1,
  maxMissedPongs: 1,
  maxPongWaitMs: 1,
  notReady: 1,
  retryReads: 1,
  reconnect: 1,
  repeatLogin: 1,
  logoutTimeoutMs: 1,
  maxMessageBytes: 1,
  proxy: 1,
  wsOptions: 1,
  decimals: 1,
} satisfies Record<keyof QuantWsClientOptions, 1>;
/** The names of QuantWsLogin: a misspelt `acount` would be dropped unsaid. */
const LOGIN_FIELDS = { platform: 1, symbols: 1, accessKey: 1, secretKey: 1, account: 1 } satisfies Record<keyof QuantWsLogin, 1>;
const RECONNECT_OPTIONS = { baseDelayMs: 1, maxDelayMs: 1, maxAttempts: 1, finalCodes: 1, random: 1 } satisfies Record<keyof ReconnectOptions, 1>;
const REPEAT_LOGIN_OPTIONS = { windowMs: 1, baseDelayMs: 1, maxDelayMs: 1, random: 1 } satisfies Record<keyof RepeatLoginOptions, 1>;

/**
 * The numeric options, checked when the client is made: a NaN or negative one would otherwise
 * loop (a re-login window of NaN never passes), flood (a ping interval of NaN is 1 ms) or time
 * out at once. UsageError naming the option.
 */
function checkOptions(opts: QuantWsClientOptions): void {
  const where = "createQuantWsClient";
  const ctx = { api: API, operation: where };
  checkOptionNames(ctx, "options", opts, OPTIONS);
  if (opts.reconnect) checkOptionNames(ctx, "reconnect", opts.reconnect, RECONNECT_OPTIONS);
  if (opts.repeatLogin) checkOptionNames(ctx, "repeatLogin", opts.repeatLogin, REPEAT_LOGIN_OPTIONS);
  for (const name of ["requestTimeoutMs", "loginTimeoutMs", "connectTimeoutMs", "logoutTimeoutMs"] as const) {
    if (opts[name] !== undefined) checkTimeout(where, opts[name], name);
  }
  if (opts.reloginTimeoutMs !== undefined && opts.reloginTimeoutMs !== Number.POSITIVE_INFINITY) checkTimeout(where, opts.reloginTimeoutMs, "reloginTimeoutMs");
  checkRetryOptions(opts.retryReads, "retryReads", ctx);
  checkOption(ctx, "decimals", opts.decimals, ["exact", "string", "number"]);
  checkOption(ctx, "notReady", opts.notReady, ["wait", "fail"]);
  checkOption(ctx, "pingIntervalMs", opts.pingIntervalMs, "delay");
  const maxMessage = opts.maxMessageBytes;
  if (maxMessage !== undefined && !(maxMessage === Number.POSITIVE_INFINITY || (Number.isSafeInteger(maxMessage) && maxMessage >= 1))) {
    throw new UsageError(`maxMessageBytes must be a whole number of bytes, 1 or more (or Infinity), got ${shownValue(maxMessage)}`, ctx);
  }
  checkOption(ctx, "maxMissedPongs", opts.maxMissedPongs, { min: 1 });
  if (opts.maxPongWaitMs !== undefined) checkTimeout(where, opts.maxPongWaitMs, "maxPongWaitMs");
  if (opts.reconnect) {
    checkOption(ctx, "reconnect.baseDelayMs", opts.reconnect.baseDelayMs, "delay");
    checkOption(ctx, "reconnect.maxDelayMs", opts.reconnect.maxDelayMs, "delay");
    checkOption(ctx, "reconnect.maxAttempts", opts.reconnect.maxAttempts, { min: 1, orInfinity: true });
    const codes = opts.reconnect.finalCodes;
    if (codes !== undefined && (!Array.isArray(codes) || !codes.every((c) => Number.isInteger(c) && c >= 1000 && c <= 4999))) {
      throw new UsageError(`reconnect.finalCodes must be a list of WebSocket close codes (whole numbers from 1000 to 4999), got ${shownValue(codes)}`, ctx);
    }
  }
  if (opts.repeatLogin) {
    checkOption(ctx, "repeatLogin.windowMs", opts.repeatLogin.windowMs, "ms");
    checkOption(ctx, "repeatLogin.baseDelayMs", opts.repeatLogin.baseDelayMs, "delay");
    checkOption(ctx, "repeatLogin.maxDelayMs", opts.repeatLogin.maxDelayMs, "delay");
  }
}

function loginOptions(opts: QuantWsClientOptions): LoginFlowOptions {
  return {
    loginTimeoutMs: opts.loginTimeoutMs ?? 30_000,
    reloginTimeoutMs: opts.reloginTimeoutMs ?? Number.POSITIVE_INFINITY,
    reloginBackoff: {
      baseDelayMs: (opts.reconnect || undefined)?.baseDelayMs ?? 250,
      maxDelayMs: (opts.reconnect || undefined)?.maxDelayMs ?? 10_000,
      random: (opts.reconnect || undefined)?.random ?? Math.random,
    },
    repeatLogin:
      opts.repeatLogin === false
        ? undefined
        : {
            windowMs: opts.repeatLogin?.windowMs ?? 45_000,
            baseDelayMs: opts.repeatLogin?.baseDelayMs ?? 500,
            maxDelayMs: opts.repeatLogin?.maxDelayMs ?? 5_000,
            random: opts.repeatLogin?.random ?? Math.random,
          },
  };
}

/**
 * The socket factory of a proxied client, and what ends its CONNECTs in progress. ws types
 * `createConnection` as net's (a socket returned); Node's HTTP request, which calls it, also
 * takes one that hands the socket to its callback later, as the tunnel does once the proxy
 * has answered.
 */
function tunnelOption(proxy: string, url: string, opts: QuantWsClientOptions): { createConnection: ClientOptions["createConnection"]; cancel: () => void } {
  const tunnel = proxyTunnel(proxy, /^wss:/i.test(url), opts.connectTimeoutMs ?? 10_000);
  return { createConnection: tunnel.createConnection as unknown as ClientOptions["createConnection"], cancel: tunnel.cancel };
}

function connectionOptions(opts: QuantWsClientOptions, tunnel: ReturnType<typeof tunnelOption> | undefined): ConstructorParameters<typeof Connection>[1] {
  return {
    connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
    maxMessageBytes: opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    wsOptions: tunnel ? { ...opts.wsOptions, createConnection: tunnel.createConnection } : (opts.wsOptions ?? {}),
    ...(tunnel ? { cancelOpening: tunnel.cancel } : {}),
    pingIntervalMs: opts.pingIntervalMs ?? 5_000,
    maxMissedPongs: Math.max(1, opts.maxMissedPongs ?? 2),
    maxPongWaitMs: opts.maxPongWaitMs ?? 60_000,
    reconnect:
      opts.reconnect === false
        ? undefined
        : {
            baseDelayMs: opts.reconnect?.baseDelayMs ?? 250,
            maxDelayMs: opts.reconnect?.maxDelayMs ?? 10_000,
            maxAttempts: opts.reconnect?.maxAttempts ?? Number.POSITIVE_INFINITY,
            finalCodes: [...(opts.reconnect?.finalCodes ?? [])],
            random: opts.reconnect?.random ?? Math.random,
          },
  };
}

/** A client for one gateway socket. Nothing is opened until `connect()` or `login()`. */
export function createQuantWsClient<D extends DecimalsMode = "exact">(opts: QuantWsClientOptions & { decimals?: D | undefined } = {}): QuantWsClient<D> {
  // The frames are decoded with opts.decimals; D only types what they become.
  return new Client(opts) as QuantWsClient as QuantWsClient<D>;
}
