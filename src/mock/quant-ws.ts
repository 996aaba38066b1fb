/**
 * `tradeapi mock quant-ws`: a loopback Quant trading gateway that behaves as the vendor doc and the
 * open-source server do (see specs/asyncapi/quant-ws.yaml, Decisions):
 *
 * - login → reply with a token → state CONNECT_SUCCESS (2) → asset and position snapshots
 *   (notify, before READY, as the adapters push them) → READY (6) after `readyDelayMs`.
 *   Failures come as states after a `result: true` reply, and the login stays held (the next
 *   login of the same access_key@platform is "Do not log in repeat") until logout:
 *   a platform the open-source gateway does not serve (only okex, huobi, huobi_future, ftx)
 *   → PARAM_MISS (1) "platform not found"; an empty symbols list → PARAM_MISS (1) "param symbols
 *   miss"; an empty key, a missing symbols list or an access key starting
 *   with "fail-param" → PARAM_MISS (1); an access key starting with "bad-key" → GENERAL_ERROR
 *   (7) "Websocket connection authorized failed…" (rejected keys); one starting with "broken"
 *   → GENERAL_ERROR (7) "get_account_balance error…" (a setup step failed); another access key
 *   starting with "fail" → CONNECT_FAILED (3), RECONNECTING (5), CONNECT_FAILED … forever
 *   (the server retries); one starting with "flaky" → CONNECT_FAILED, RECONNECTING, then
 *   CONNECT_SUCCESS and READY.
 * - Orders, balances and positions belong to the account (access_key@platform, as the server
 *   keys them), not to one login: a login after a drop finds its resting orders (pushed as its
 *   snapshot before READY) and its balances.
 * - Order numbers are 16 digits, as the vendor's example, and start from the clock
 *   (microseconds since 1970), past every number a gateway of this process gave: an emulator
 *   restarted mid-run never gives an order the number of one from before the restart.
 * - Nulls as the server sends them: a flat position has `margin_mode: null, utime: null`;
 *   `symbol_info` has `size_limit`, `value_tick`, `value_limit` null (except huobi_future);
 *   MARKET orders have `price: null`. Balances on huobi_future are text with 8 decimals
 *   (`"%.8f"`, as that adapter writes them), numbers elsewhere.
 * - `cancel_order` with `order_nos: []` cancels every open order of the symbol and, like the
 *   server, sends no reply (only the CANCELED order notifications), unless `cancelAllReply`.
 * - `halfOpen()`: the sockets stop carrying anything either way without closing (a dead
 *   link); when the client gives up on them, their logins stay held until the idle check
 *   finds them idle for `idleTimeoutMs`, as on the server (which notices nothing else).
 * - Symbols are `BASE/QUOTE` (letters and digits): a request naming anything else answers
 *   "Invalid symbol …", a login subscribing to one, or to more than 1 000 symbols, is refused
 *   (`result: false`, no login held). Balances, positions and marks are Maps: request text
 *   never reaches an object's prototype.
 * - place_order / cancel_order / open_orders / asset / position / symbol_info / logout with
 *   "Invalid token" for unknown tokens; orders that cross the mark price fill at once, at the
 *   mark (`setMarkPrice` moves it), and push order, fill, position and asset notifications; resting
 *   LIMIT orders can be cancelled. Positions and margin as quant-ws/account.ts says: on a
 *   contract the sign of `quantity` names the long or the short position.
 * - ping → pong with the same ts; a missing field → `{"op":"error","error_message":"'field'"}`
 *   without cid; an unknown op → no answer; a socket idle for `idleTimeoutMs` (15 s) is closed.
 * - Faults for tests and demos: drop sockets, delay or reorder replies, swallow an op's
 *   replies, stop answering pings, push any state (DISCONNECT / RECONNECTING / READY, or a
 *   whole outage), send raw text.
 */
import { createServer, STATUS_CODES } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { quantWsMeta, StateCode } from "../../generated/quant-ws.js";
import { Gateway } from "./quant-ws/gateway.js";
import { onFrame } from "./quant-ws/handlers.js";
import { addLostAnswers, checkMock } from "./options.js";
import { MOCK_HEADERS_TIMEOUT_MS, MOCK_MAX_CONNECTIONS, MOCK_REQUEST_TIMEOUT_MS, urlHost } from "./http-mock.js";
import { checkOption, ownFields } from "../handwritten/core/validate.js";
import { shownValue, UsageError } from "../handwritten/core/errors.js";
import { isKnownSymbol } from "./quant-ws/account.js";

/** The most pipelined requests the emulator answers out of order (`reorderWindow`, CLI `--reorder`). */
export const MAX_REORDER_WINDOW = 10_000;

/** What `startQuantWsMock` takes: where to listen, timing, faults and prices. An unknown option is a UsageError. */
export interface QuantWsMockOptions {
  /** Port to listen on (default 0: any free port). */
  port?: number | undefined;
  /** Address to listen on (default 127.0.0.1). */
  host?: string | undefined;
  /** Default: the spec's channel, /ws/v1. */
  path?: string | undefined;
  /** Login reply → READY (default 200 ms); CONNECT_SUCCESS comes halfway. */
  readyDelayMs?: number | undefined;
  /** Close sockets that sent nothing usable for this long (default 15 000, as the server). */
  idleTimeoutMs?: number | undefined;
  /**
   * How often idleness is checked: default 16 000 ms with the default idle timeout (as the
   * server: a dead socket, and the logins on it, can linger up to ~31 s), otherwise
   * min(1 000, idleTimeoutMs / 3).
   */
  idleCheckMs?: number | undefined;
  /** Delay every reply (default 0). */
  replyDelayMs?: number | undefined;
  /** Hold replies and send them in reverse order, this many at a time (0 = off). */
  reorderWindow?: number | undefined;
  /** Answer pings (default true). */
  answerPings?: boolean | undefined;
  /** Mark price per symbol (default 100 for unknown symbols). */
  marks?: Record<string, number> | undefined;
  /** Reply to a cancel-all (`order_nos: []`) as a fixed gateway would (default false: no reply, as the server). */
  cancelAllReply?: boolean | undefined;
  /** One line per event of the emulator (sockets opened and closed, …). */
  log?: ((line: string) => void) | undefined;
  /** Largest frame accepted (bytes; default 1 MiB): a larger one closes the socket with 1009. */
  maxFrameBytes?: number | undefined;
}

export interface ReceivedFrame {
  socket: number;
  /**
   * The frame, parsed (anew each time it is read: the text is what is kept; an integer beyond
   * 2^53 is a bigint with every digit), or the raw text when it was not a JSON object.
   */
  frame: Record<string, unknown> | string;
}

/** A running Quant gateway emulator: its address, what it received, and controls for faults. */
export interface QuantWsMock {
  /** The gateway's ws:// URL, for the client's `url`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** Frames received, oldest first (the last 10 000, and at most 16 MiB of frame text). */
  readonly received: readonly ReceivedFrame[];
  /** Sockets open now. */
  readonly openSockets: number;
  /** Sockets accepted since start. */
  readonly acceptedSockets: number;
  /** Tokens logged in now. */
  tokens(): string[];
  /** Resolves when a frame matching `test` arrives (or has arrived since `since`). */
  waitForFrame(test: (f: ReceivedFrame) => boolean, timeoutMs?: number): Promise<ReceivedFrame>;
  /** Resolves once `n` sockets have been accepted in all. */
  waitForSockets(n: number, timeoutMs?: number): Promise<void>;
  /** Drop every open socket now (terminated, no close handshake). */
  dropSockets(): void;
  /** Delay every reply by `ms` from now on (the `replyDelayMs` option). */
  setReplyDelay(ms: number): void;
  /** Hold replies and send them in reverse order, `n` at a time (0 or 1: off; held ones go out). */
  setReorderWindow(n: number): void;
  /** Answer pings or not (the `answerPings` option). */
  setAnswerPings(on: boolean): void;
  /**
   * The mark price of `symbol` from now on: orders placed after fill at it (resting orders do
   * not fill when it moves: there is no matching engine), and a contract position closed at it
   * realises its profit or loss.
   */
  setMarkPrice(symbol: string, price: number): void;
  /** Never reply to `op` (its requests time out) until called with false; "notify:<topic>" drops those notifications. */
  silence(op: string, on?: boolean): void;
  /**
   * The next `count` (default 1) requests of `op` (place_order, cancel_order, …) are handled
   * as usual (the order is placed, its notifications are pushed) and get no reply: to test
   * what a service does with an error whose `outcomeUnknown` is true.
   */
  loseAnswers(op: string, count?: number): void;
  /** Push a state to one token or to every logged-in token. */
  sendState(code: number, msg?: string, token?: string): void;
  /**
   * An exchange outage: DISCONNECT now, RECONNECTING at half, READY after `downMs` (requests
   * fail meanwhile). Without `token` it is the whole gateway's: a login made during it (a
   * re-login after a socket drop too) gets CONNECT_FAILED and RECONNECTING in turn until it
   * ends, then CONNECT_SUCCESS, its snapshots and READY. With `token`, that login's alone.
   */
  outage(downMs: number, token?: string): void;
  /** Send text as is to every open socket. */
  sendRaw(text: string): void;
  /** Forget a login as a restarted server would: its token becomes "Invalid token". */
  forgetToken(token: string): void;
  /**
   * Make every open socket half-open: frames are neither read nor written, the socket is not
   * closed, and when it does close its logins stay held until the idle check (idle longer
   * than `idleTimeoutMs`) releases them, as the server does.
   */
  halfOpen(): void;
  /** Stop the gateway: its sockets and server close. */
  close(): Promise<void>;
}

/** The adapters the open-source gateway serves (the spec's known values). */
const KNOWN_PLATFORMS = new Set<string>(quantWsMeta.operations.login.fields.platform.knownValues);
const DEFAULT_MARKS: Record<string, number> = { "BTC/USDT": 60_000, "ETH/USDT": 2_000, "EOS/USDT": 1 };

/**
 * Start a loopback Quant trading gateway (127.0.0.1, a free port unless `port` is given) that
 * behaves as the vendor's document describes: login states, orders, fills, notifications,
 * heartbeats, and faults on demand. Resolves once it listens; `close()` stops it.
 *
 *   const gw = await startQuantWsMock();
 *   const client = createQuantWsClient({ url: gw.url });
 */
export async function startQuantWsMock(given: QuantWsMockOptions = {}): Promise<QuantWsMock> {
  // What the caller gave, never Object.prototype's: a `host` put there would listen on another address.
  const opts = ownFields(given, true);
  checkMock.server("quant-ws", opts, {
    port: 1,
    host: 1,
    path: 1,
    readyDelayMs: 1,
    idleTimeoutMs: 1,
    idleCheckMs: 1,
    replyDelayMs: 1,
    reorderWindow: 1,
    answerPings: 1,
    marks: 1,
    cancelAllReply: 1,
    log: 1,
    maxFrameBytes: 1,
  } satisfies Record<keyof QuantWsMockOptions, 1>);
  const ctx = { api: "quant-ws" };
  for (const name of ["readyDelayMs", "idleCheckMs", "replyDelayMs"] as const) checkOption(ctx, name, opts[name], "delay");
  checkOption(ctx, "idleTimeoutMs", opts.idleTimeoutMs, "ms");
  checkOption(ctx, "reorderWindow", opts.reorderWindow, { min: 0, max: MAX_REORDER_WINDOW });
  checkOption(ctx, "maxFrameBytes", opts.maxFrameBytes, { min: 1, max: 2 ** 31 - 1 });
  const path = opts.path ?? quantWsMeta.channel;
  const idleTimeoutMs = opts.idleTimeoutMs ?? 15_000;
  const idleCheckMs = opts.idleCheckMs ?? (opts.idleTimeoutMs === undefined ? 16_000 : Math.max(10, Math.min(1_000, Math.floor(idleTimeoutMs / 3))));
  const gw = new Gateway({
    readyDelayMs: opts.readyDelayMs ?? 200,
    idleTimeoutMs,
    replyDelayMs: opts.replyDelayMs ?? 0,
    reorderWindow: opts.reorderWindow ?? 0,
    answerPings: opts.answerPings ?? true,
    cancelAllReply: opts.cancelAllReply ?? false,
    marks: new Map(Object.entries({ ...DEFAULT_MARKS, ...opts.marks })),
    knownPlatforms: KNOWN_PLATFORMS,
    log: opts.log ?? (() => undefined),
  });

  // The HTTP server is ours (not one `ws` makes for a port) so that close() can end the
  // connections that never upgraded: a TCP connection that sent nothing kept the server, and
  // the CLI's SIGTERM/SIGINT shutdown, waiting for ever.
  // The HTTP emulators' bounds on connections that never upgrade (Node's defaults: 60 s, no cap).
  const server = createServer({ requestTimeout: MOCK_REQUEST_TIMEOUT_MS, headersTimeout: MOCK_HEADERS_TIMEOUT_MS, connectionsCheckingInterval: 1_000 }, (_req, res) => {
    // What `ws` answers a request that is no upgrade.
    const body = STATUS_CODES[426]!;
    res.writeHead(426, { "content-length": body.length, "content-type": "text/plain" });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", () => undefined);
  server.maxConnections = MOCK_MAX_CONNECTIONS;
  const wss = new WebSocketServer({ server, path, maxPayload: opts.maxFrameBytes ?? 1024 * 1024 });
  wss.on("error", () => undefined);
  const port = (server.address() as AddressInfo).port;
  let connSeq = 0;
  wss.on("connection", (ws) => gw.accept(ws, ++connSeq, (c, text) => onFrame(gw, c, text)));
  const idleTimer = setInterval(() => gw.idleCheck(), idleCheckMs);
  return controls(gw, `ws://${urlHost(opts.host)}:${port}${path}`, port, async () => {
    clearInterval(idleTimer);
    gw.clearTimers();
    for (const c of gw.conns) c.ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
}

/** The test and demo controls over a running gateway. */
function controls(gw: Gateway, url: string, port: number, close: () => Promise<void>): QuantWsMock {
  const mock: QuantWsMock = {
    url,
    port,
    received: gw.frames.received,
    get openSockets() {
      return gw.conns.size;
    },
    get acceptedSockets() {
      return gw.accepted;
    },
    tokens: () => [...gw.logins.keys()],
    waitForFrame: (test, timeoutMs = 5_000) => gw.frames.waitFor(test, timeoutMs),
    waitForSockets: (n, timeoutMs = 5_000) => gw.waitForSockets(n, timeoutMs),
    dropSockets() {
      for (const c of gw.conns) c.ws.terminate();
    },
    setReplyDelay(ms) {
      gw.settings.replyDelayMs = ms;
    },
    setReorderWindow(n) {
      gw.settings.reorderWindow = n;
      if (n <= 1) for (const c of gw.conns) gw.flushHeld(c);
    },
    setAnswerPings(on) {
      gw.settings.answerPings = on;
    },
    setMarkPrice(symbol, price) {
      const ctx = { api: "quant-ws", operation: "setMarkPrice" };
      if (!isKnownSymbol(symbol)) throw new UsageError(`symbol must be BASE/QUOTE (letters and digits), got ${shownValue(symbol)}`, ctx);
      if (typeof price !== "number" || !Number.isFinite(price) || price <= 0) throw new UsageError(`price must be a number above 0, got ${shownValue(price)}`, ctx);
      gw.settings.marks.set(symbol, price);
    },
    loseAnswers(op, count = 1) {
      addLostAnswers("quant-ws", gw.losing, op, count, Object.keys(quantWsMeta.operations).filter((o) => o !== "ping"), "request", true);
    },
    silence(op, on = true) {
      if (on) gw.silenced.add(op);
      else gw.silenced.delete(op);
    },
    sendState: (code, msg = "", token) => gw.sendState(code, msg, token),
    outage(downMs, token) {
      checkOption({ api: "quant-ws", operation: "outage" }, "downMs", downMs, "delay");
      // The logins of now (or the one token) go down and come back; a gateway-wide outage also
      // holds every login made meanwhile (a re-login after a drop too) at CONNECT_FAILED /
      // RECONNECTING until it ends (auth.ts goReady).
      const tokens = token === undefined ? [...gw.logins.keys()] : [token];
      if (token === undefined) gw.exchangeDownUntil = Math.max(gw.exchangeDownUntil, performance.now() + downMs);
      const until = gw.exchangeDownUntil;
      const each = (code: number, msg: string) => {
        // A later gateway-wide outage, still running, ends these logins' outage itself.
        if (code === StateCode.READY && token === undefined && gw.exchangeDownUntil > until) return;
        for (const t of tokens) if (gw.logins.has(t)) mock.sendState(code, msg, t);
      };
      each(StateCode.DISCONNECT, "exchange disconnected");
      gw.later(Math.floor(downMs / 2), () => each(StateCode.RECONNECTING, "reconnecting to the exchange"));
      gw.later(downMs, () => each(StateCode.READY, "ready"));
    },
    sendRaw(text) {
      for (const c of gw.conns) gw.write(c, text, true);
    },
    forgetToken(token) {
      const login = gw.logins.get(token);
      if (login) gw.forget(login);
    },
    halfOpen() {
      for (const c of gw.conns) c.dead = true;
    },
    close,
  };
  return mock;
}
