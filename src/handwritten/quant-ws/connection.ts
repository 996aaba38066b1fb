/**
 * The connection: one WebSocket at a time, its heartbeat, and reopening it with backoff
 * when it drops (core/retry.ts's formula). What the drop means for requests and sessions,
 * and logging the sessions in again, is the host's (the client's) business.
 */
import WebSocket, { type ClientOptions, type RawData } from "ws";
import { ConnectionError, printable, ResponseFormatError, ResponseTooLargeError, UsageError, type TradeApiError } from "../core/errors.js";
import { redactUrl } from "../core/redaction.js";
import { backoffDelayMs } from "../core/retry.js";
import type { QuantWsClientEvents, ReconnectOptions } from "./client.js";
import { API, ClientClosedError, ConnectionDroppedError } from "./errors.js";
import type { TypedEvents } from "./events.js";
import { Heartbeat } from "./heartbeat.js";

export interface ConnectionHost {
  /** close() has begun. */
  readonly closed: boolean;
  readonly events: TypedEvents<QuantWsClientEvents>;
  /** Removes secrets from an error. */
  scrub<E>(error: E): E;
  /** Removes secrets from a text (the server's close reason). */
  redact(text: string): string;
  onMessage(data: RawData, isBinary: boolean): void;
  /** The open socket closed (with `code`, for `reason`, both as shown): fail what waited on it with `dropped`. */
  onDrop(dropped: (op: string, sent: boolean) => ConnectionDroppedError, reason: string, code: number): void;
  /** Reconnect is off or gave up: end every session. */
  endSessions(error: TradeApiError): void;
  /**
   * A new socket after a drop: log every session in again. The function it resolves to
   * reports the outcome; it is called only if that socket is still the current one.
   */
  relogin(attempt: number): Promise<() => void>;
}

/** Default `maxMessageBytes`: far above any gateway answer, far below harm (ws's own default is 100 MiB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** The longest close reason a WebSocket close frame holds (RFC 6455: 125 bytes less the code). */
const MAX_CLOSE_REASON_BYTES = 123;
/** How long a closing handshake may take before the socket is ended (ws's own default: 30 s). */
const CLOSE_TIMEOUT_MS = 1_000;

/** How long a socket must stay up for its drop to start the reconnect backoff afresh. */
export const STABLE_MS = 5_000;

export interface ConnectionOptions {
  connectTimeoutMs: number;
  /** Infinity: no limit. */
  maxMessageBytes: number;
  wsOptions: ClientOptions;
  /** Ends what opening a socket started outside ws (a proxy's CONNECT in progress). */
  cancelOpening?: () => void;
  /** undefined: do not reconnect. */
  reconnect: Required<ReconnectOptions> | undefined;
  pingIntervalMs: number;
  maxMissedPongs: number;
  maxPongWaitMs: number;
}

export class Connection {
  readonly heartbeat: Heartbeat;
  #ws: WebSocket | undefined;
  #opening: Promise<WebSocket> | undefined;
  #everOpened = false;
  #closeReason: string | undefined;
  /** The socket being opened (before its handshake ends), which close() ends at once. */
  #connecting: WebSocket | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  /** Failed attempts in a row: a socket that closes before it has stayed up STABLE_MS counts as one. */
  #reconnectAttempt = 0;
  /** When the current socket opened (performance.now()). */
  #openedAt = 0;

  /** The URL as given: handed to the socket, shown only redacted. */
  readonly #url: string;

  constructor(
    url: string,
    readonly opts: ConnectionOptions,
    readonly host: ConnectionHost,
  ) {
    this.#url = url;
    this.heartbeat = new Heartbeat(opts.pingIntervalMs, opts.maxMissedPongs, {
      isCurrent: (ws) => ws === this.#ws,
      dead: (ws, reason) => {
        this.#closeReason = reason;
        ws.terminate();
      },
      pong: (ts, rttMs) => host.events.emit("pong", { ts, rttMs }),
    }, opts.maxPongWaitMs);
  }

  /** The open socket, if any. */
  get ws(): WebSocket | undefined {
    return this.#ws;
  }
  get connected(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  /**
   * The open socket, or the one being opened: never a second one. During a reconnect's backoff
   * (connect() or login() called then) that reconnect is made now, its re-logins included.
   */
  open(): Promise<WebSocket> {
    if (this.connected) return Promise.resolve(this.#ws!);
    if (this.#opening) return this.#opening;
    const closing = this.#ws;
    if (closing) {
      // A socket the gateway is closing (its close frame came, the TCP end not yet): ended now,
      // and its drop handled (its sessions logged in again on the next socket) before one opens.
      return new Promise<WebSocket>((resolve, reject) => {
        closing.once("close", () => queueMicrotask(() => this.open().then(resolve, reject)));
        closing.terminate();
      });
    }
    if (this.#reconnectTimer) {
      clearTimeout(this.#reconnectTimer);
      this.#reconnectTimer = undefined;
      return this.#reconnect(this.#reconnectAttempt);
    }
    // Not reconnecting (never opened, reconnect off, or given up): a fresh count of attempts.
    this.#reconnectAttempt = 0;
    return this.#openSocket();
  }

  #openSocket(): Promise<WebSocket> {
    const reconnect = this.#everOpened;
    const opening = new Promise<WebSocket>((resolve, reject) => {
      const { maxMessageBytes } = this.opts;
      let ws: WebSocket;
      try {
        ws = new WebSocket(this.#url, {
          perMessageDeflate: false,
          handshakeTimeout: this.opts.connectTimeoutMs,
          // ws closes the socket with 1009 as soon as a frame says it is larger (0: no limit).
          maxPayload: maxMessageBytes === Number.POSITIVE_INFINITY ? 0 : maxMessageBytes,
          // A gateway's close frame without the TCP end after it held the socket "closing" (no
          // drop, no reconnect, every request refused) for ws's default 30 s (ws's option;
          // its types do not list it).
          ...({ closeTimeout: CLOSE_TIMEOUT_MS } as ClientOptions),
          ...this.opts.wsOptions,
        });
      } catch (e) {
        // What ws refuses before connecting (an option it cannot use): a typed error, not its own.
        reject(this.host.scrub(new UsageError(`cannot open a socket to ${redactUrl(this.#url)}: ${e instanceof Error ? e.message : String(e)}`, { api: API, cause: e })));
        return;
      }
      this.#connecting = ws;
      let opened = false;
      let failure: Error | undefined;
      // ws's handshakeTimeout is an idle one (each byte restarts it): a gateway trickling its
      // answer, or sending 100 Continue without end, would hold the opening for ever. This is
      // the deadline of the whole handshake.
      let timedOut = false;
      const deadline = setTimeout(() => {
        timedOut = true;
        ws.terminate();
      }, this.opts.connectTimeoutMs);
      ws.on("open", () => {
        opened = true;
        clearTimeout(deadline);
        this.#connecting = undefined;
        if (this.host.closed) {
          ws.terminate();
          reject(new ClientClosedError("client closed while connecting", { api: API }));
          return;
        }
        this.#ws = ws;
        this.#openedAt = performance.now();
        this.#everOpened = true;
        this.heartbeat.start(ws);
        resolve(ws);
        this.host.events.emit("open", { url: redactUrl(this.#url), reconnect });
      });
      ws.on("message", (data: RawData, isBinary: boolean) => this.host.onMessage(data, isBinary));
      ws.on("error", (err: Error) => {
        failure = err;
        // After the socket opened, an error is the gateway's frame that ws refused (too large,
        // a bad opcode, text that is not UTF-8 …): ws closes the socket; the drop says why.
        const code = (err as { code?: unknown }).code;
        if (!opened || ws !== this.#ws || typeof code !== "string" || !code.startsWith("WS_ERR_")) return;
        const tooLarge = code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH";
        this.#closeReason = tooLarge ? `a message above maxMessageBytes (${maxMessageBytes} bytes) arrived` : `the gateway's frame broke the WebSocket protocol: ${err.message}`;
        this.host.events.emit(
          "error",
          tooLarge
            ? new ResponseTooLargeError(`the gateway sent a message larger than ${maxMessageBytes} bytes (maxMessageBytes): the socket was closed (1009), not read further`, {
                api: API,
                maxResponseBytes: maxMessageBytes,
              })
            : new ResponseFormatError(`the gateway sent a frame that breaks the WebSocket protocol (${err.message}): the socket was closed`, "", { api: API }),
        );
      });
      ws.on("close", (code: number, reason: Buffer) => {
        clearTimeout(deadline);
        if (!opened) {
          if (this.#connecting === ws) this.#connecting = undefined;
          if (this.host.closed) return reject(new ClientClosedError("client closed while connecting", { api: API }));
          const why = timedOut ? `the WebSocket handshake did not end within ${this.opts.connectTimeoutMs} ms (connectTimeoutMs)` : (failure?.message ?? `closed with code ${code}`);
          reject(this.host.scrub(new ConnectionError(`cannot connect to ${redactUrl(this.#url)}: ${why}`, { api: API, cause: failure })));
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
    this.heartbeat.stop();
    // A socket that stayed up counts as a success: the next drop starts the backoff afresh. One
    // that closed sooner (a gateway accepting and closing every socket) is one more failed
    // attempt, so the backoff grows and maxAttempts is reached.
    if (performance.now() - this.#openedAt >= STABLE_MS) this.#reconnectAttempt = 0;
    // The gateway's reason is its text: redacted (it may echo a key) and one printable line, as
    // it goes into the disconnected event and every message that names the drop.
    // A reason of the protocol's full 123 bytes may be a longer text cut there: marked as cut,
    // so that a secret it ends in the middle of loses the piece too.
    const cut = Buffer.byteLength(wireReason) >= MAX_CLOSE_REASON_BYTES ? `${wireReason}…` : wireReason;
    const reason = printable(this.host.redact(this.#closeReason ?? (cut || (code === 1006 ? "connection lost" : `code ${code}`))));
    this.#closeReason = undefined;
    this.host.onDrop(
      (op, sent) =>
        new ConnectionDroppedError(
          `socket closed (${reason}) before the ${op} reply; the request was ${sent ? "sent and is not resent automatically" : "not sent"}`,
          { api: API, operation: op, sent, closeCode: code },
        ),
      reason,
      code,
    );
    // Every close is reconnected after (the gateway's restarts close with 1001, 1006, 1012 …),
    // except with a code the caller named final (reconnect.finalCodes).
    const final = this.opts.reconnect?.finalCodes.includes(code) === true;
    const willReconnect = !this.host.closed && this.opts.reconnect !== undefined && !final;
    this.host.events.emit("disconnected", { code, reason, willReconnect });
    // (a listener may have closed the client: then no timer is left behind)
    if (willReconnect && !this.host.closed) this.#scheduleReconnect();
    else if (!this.host.closed) {
      const why = final ? `with code ${code}, one of reconnect.finalCodes: not reconnecting` : "and reconnect is off";
      const error = new ConnectionError(`socket closed (${reason}) ${why}`, { api: API });
      if (final) this.host.events.emit("error", error);
      this.host.endSessions(error);
    }
  }

  #scheduleReconnect(): void {
    const r = this.opts.reconnect!;
    const attempt = ++this.#reconnectAttempt;
    if (attempt > r.maxAttempts) {
      const error = new ConnectionError(`gave up reconnecting to ${redactUrl(this.#url)} after ${r.maxAttempts} attempts`, { api: API });
      this.host.events.emit("error", error);
      this.host.endSessions(error);
      return;
    }
    // The project's one backoff formula (core/retry.ts): exponential, full jitter.
    const delayMs = backoffDelayMs(attempt, r);
    this.host.events.emit("reconnecting", { attempt, delayMs });
    if (this.host.closed) return; // closed by a listener
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (!this.host.closed) void this.#reconnect(attempt);
    }, delayMs);
  }

  /** Open a socket and log the sessions in again on it; a failure to open schedules the next attempt. Resolves to the socket once open. */
  #reconnect(attempt: number): Promise<WebSocket> {
    const opening = this.#openSocket();
    void opening.then(
      async (ws) => {
        const report = await this.host.relogin(attempt);
        // The socket dropped (or is closing: its close event comes later) while logging in: the
        // next attempt logs the sessions in again; their failures on this socket are not final.
        if (this.#ws !== ws || ws.readyState !== WebSocket.OPEN || this.host.closed) return;
        report();
      },
      () => {
        if (!this.host.closed) this.#scheduleReconnect();
      },
    );
    return opening;
  }

  /**
   * close(): no reconnect any more; an opening in progress is ended at once (a gateway or a
   * proxy that does not answer would hold close() for the connect timeout) and awaited.
   */
  async stop(): Promise<void> {
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#connecting?.terminate();
    this.opts.cancelOpening?.();
    const opening = this.#opening;
    if (opening) await opening.catch(() => undefined);
  }

  /** close(): stop the heartbeat and close the socket (terminated if it does not close within 1 s). */
  async shutdown(): Promise<void> {
    this.heartbeat.stop();
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
  }
}
