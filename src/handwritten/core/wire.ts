/**
 * The wire under HttpTransport: one request out, one answer in, by one of two roads.
 *
 * - No `fetch` option: `undici.request` on a module-level keep-alive `Agent` (whose
 *   connections are CONNECT tunnels for a client with a `proxy`). The timeout is undici's own (`connect.timeout`,
 *   `headersTimeout`, `bodyTimeout`: each phase gets the timeout, the body's is the longest
 *   silence between two chunks), so a call without a signal creates no timer and no
 *   AbortController. undici's header and body timers tick about once a second (a 100 ms
 *   timeout would fire after up to ~1 s), so a timeout under PRECISE_BELOW_MS, or one given
 *   for the call (`perCall`), also gets a native timer, which aborts the request through a
 *   plain EventEmitter (undici accepts one as its signal; an AbortController costs several µs
 *   more) that also carries the caller's signal
 *   (undici never listens on it itself): then, as with fetch, it covers the whole buffered
 *   answer, or a stream's headers, and the call ends when it fires even while still connecting.
 * - A `fetch` option: that fetch (tests, msw, proxies), with `redirect: "manual"` and a timer
 *   that aborts it (covering the whole buffered answer, or the headers of a streamed one and
 *   then each wait for its next chunk, as undici's `bodyTimeout`).
 *
 * Either way the answer is status + lower-cased headers + a body read whole (`bytes`),
 * streamed (`chunks`) or dropped (`discard`), and every failure is a WireError saying what
 * happened (the caller's abort, a timeout, the connection, or an answer larger than allowed)
 * for the transport to type. Redirects are never followed (undici.request does not follow
 * them; fetch is told not to).
 *
 * A hostile or broken server must not take the process down or hold a call forever:
 * - a body read whole stops at `maxBytes` (undici's `maxResponseSize` counts the bytes; on the
 *   fetch road the reader does; the transport refuses a larger Content-Length before reading),
 *   so an endless answer is an error, not an out-of-memory crash. A streamed body is the
 *   caller's to bound.
 * - on the undici road with no native timer (a client's timeout of PRECISE_BELOW_MS or more),
 *   the head must come within the timeout of the request: undici's headersTimeout starts again
 *   at each interim answer (1xx), which a server can send every second without end.
 * - a body read whole on the undici road with no native timer running (a client's timeout of
 *   PRECISE_BELOW_MS or more; a stream's error answer, its timer stopped at the headers) must
 *   arrive within the timeout after its headers: one shared sweep, about once a
 *   second, ends a body that a server trickles a byte at a time (undici's `bodyTimeout` only
 *   bounds each wait between two chunks). Below that, and on the fetch road, the call's
 *   native timer covers the whole answer.
 */
import { EventEmitter } from "node:events";
import { pipeline, Readable, type Transform } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from "node:zlib";
import { isIP, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { Agent, buildConnector } from "undici";
import { onAbort, unlessAborted } from "./abort.js";
import { connectTunnel, TunnelNotHttp, TunnelRefused, TunnelSilent, tunnelTarget } from "./proxy-tunnel.js";

export interface WireRequest {
  /** The whole URL (fetch; where a redirect is resolved from). */
  url: string;
  /** `scheme://host:port` and the path with its query (undici). */
  origin: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

export interface WireResponse {
  status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** A 3xx with somewhere to go (or a browser fetch's opaque redirect). */
  redirect: boolean;
  /** The whole body. */
  bytes(): Promise<Uint8Array>;
  /** The body chunk by chunk; stopping early releases the connection. */
  chunks(): AsyncGenerator<Uint8Array, void, undefined>;
  /** Drop the body (and end the call's timer and listeners). */
  discard(): Promise<void>;
  /** Let the body go unread at once: its connection is closed, not drained. */
  release(): void;
}

/**
 * `protocol`: the server answered, but not in HTTP/1.1 (or with headers past undici's limit);
 * `unasked`: it answered in HTTP/1.1 with what the request did not ask for and undici does not
 * take (an interim 100 Continue, a protocol switch); `encoding`: its body cannot be decoded as
 * its Content-Encoding says; `proxy`: the proxy answered CONNECT with this status (detail), not 2xx.
 */
export type WireFailure = "aborted" | "timeout" | "connection" | "too-large" | "invalid" | "protocol" | "unasked" | "encoding" | "compressed" | "proxy";

/** A request that did not get (all of) its answer; `detail` is the low-level code or message. */
export class WireError extends Error {
  constructor(
    readonly kind: WireFailure,
    readonly detail: string,
    cause: unknown,
    /** Known to have ended before the request was written (no connection, a proxy's tunnel not open). */
    readonly notSent = false,
  ) {
    super(`${kind}: ${detail}`, { cause });
    this.name = "WireError";
  }
}

export interface WireLimits {
  timeoutMs: number;
  signal: AbortSignal | undefined;
  /** The most bytes a body read whole may have (Infinity: no limit). Streams are not limited. */
  maxBytes: number;
  /** Streaming: a native timer (fetch, or a timeout under PRECISE_BELOW_MS) covers the headers only. */
  stream: boolean;
  /** The undici road only: the HTTP(S) proxy every request goes through (a CONNECT tunnel), or none. */
  proxy?: string | undefined;
  /**
   * The undici road only: `timeoutMs` is this call's own, not its client's (a deadline passed
   * down per call): it gets a native timer and the agent of its `connectStep`, not one of its own.
   */
  perCall?: boolean | undefined;
}

// ---- undici ----

const ignore = (): undefined => undefined;
/** Sent by the undici road unless the request names its own. */
export const USER_AGENT = "tradeapi";

const UNDICI_TIMEOUTS = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);
const UNDICI_TOO_LARGE = "UND_ERR_RES_EXCEEDED_MAX_SIZE";
const HEADERS_OVERFLOW = "UND_ERR_HEADERS_OVERFLOW";
/**
 * undici's SocketError messages for an answer it will not take (it then closes the connection):
 * HTTP lets a server send a 100 Continue unasked, but undici (and so Node's fetch) refuses one.
 */
const UNASKED: Readonly<Record<string, string>> = {
  "bad response": "an interim 100 Continue the request did not ask for",
  "bad upgrade": "a switch of protocol the request did not ask for",
};
const KEEP_ALIVE_MS = 4_000;
/**
 * One Agent (one keep-alive pool) per connect timeout, body limit and proxy, since the connect
 * timeout and `maxResponseSize` are an Agent's settings (streams: no limit). A timeout under
 * PRECISE_BELOW_MS, or given per call, has a native timer that also ends the call's wait for a
 * connection, so it takes the agent of its `connectStep` (a connection still being made after
 * its call ended goes on for at most about twice the call's timeout): a caller passing each
 * call what is left of its own deadline keeps a few pools, not one connection per value. The
 * MAX_AGENTS used last are kept; the one used longest ago is closed (once its calls are done).
 */
const CONNECT_STEPS_MS = [250, 500, 1_000, 2_000, 5_000];

/**
 * The connect timeout of the agent of a call with a native timer (which ends its wait for a
 * connection itself): the step of CONNECT_STEPS_MS at or above `timeoutMs`; from
 * PRECISE_BELOW_MS on (a per-call timeout), the next of 5 s × 1.25^k. At most 2^31-1 ms.
 */
function connectStep(timeoutMs: number): number {
  if (timeoutMs < PRECISE_BELOW_MS) return CONNECT_STEPS_MS.find((ms) => ms >= timeoutMs)!;
  let step = PRECISE_BELOW_MS;
  while (step < timeoutMs) step = Math.ceil(step * 1.25);
  return Math.min(step, 2 ** 31 - 1);
}
const agents = new Map<string, Agent>();
const MAX_AGENTS = 16;

/** The last agent handed out: a client's calls ask for the same one each time (no key string built). */
let last: { connectMs: number; maxBytes: number; proxy: string | undefined; agent: Agent } | undefined;

function agentFor(connectMs: number, maxBytes: number, proxy: string | undefined): Agent {
  if (last !== undefined && last.connectMs === connectMs && last.maxBytes === maxBytes && last.proxy === proxy) return last.agent;
  const key = `${connectMs} ${maxBytes} ${proxy ?? ""}`;
  let agent = agents.get(key);
  if (agent) agents.delete(key);
  else {
    const maxResponseSize = maxBytes === Infinity ? -1 : maxBytes;
    const options = { keepAliveTimeout: KEEP_ALIVE_MS, connect: { timeout: connectMs }, headersTimeout: connectMs, bodyTimeout: connectMs, maxResponseSize };
    agent = proxy === undefined ? new Agent({ ...options, connect: watched(buildConnector({ timeout: connectMs })) }) : proxyAgent(proxy, options);
    countConnections(agent);
  }
  agents.set(key, agent); // the newest last
  if (agents.size > MAX_AGENTS) {
    const [oldest, old] = agents.entries().next().value!;
    agents.delete(oldest);
    old.close().catch(ignore);
  }
  last = { connectMs, maxBytes, proxy, agent };
  return agent;
}

/** Per agent and origin: its sockets open now, and every connection it made (see `notConnectedSince`). */
const connections = new WeakMap<Agent, Map<string, { open: number; made: number }>>();

function countConnections(agent: Agent): void {
  const byOrigin = new Map<string, { open: number; made: number }>();
  connections.set(agent, byOrigin);
  const of = (origin: unknown) => {
    const key = origin instanceof URL ? origin.origin : String(origin);
    let c = byOrigin.get(key);
    if (!c) byOrigin.set(key, (c = { open: 0, made: 0 }));
    return c;
  };
  agent.on("connect", (origin) => {
    const c = of(origin);
    c.open++;
    c.made++;
  });
  agent.on("disconnect", (origin) => {
    const c = of(origin);
    c.open = Math.max(0, c.open - 1);
  });
}

/** An origin as undici's events name it (`new URL(origin).origin`), kept: every call asks. */
const ORIGIN_KEYS = new Map<string, string>();
function originKey(origin: string): string {
  let key = ORIGIN_KEYS.get(origin);
  if (key === undefined) {
    if (ORIGIN_KEYS.size >= 256) ORIGIN_KEYS.clear();
    ORIGIN_KEYS.set(origin, (key = new URL(origin).origin));
  }
  return key;
}

/**
 * A test for "was the request never written?" when a timeout ends it before its answer: true when
 * the agent had no socket to `origin` open when the request started and has made none since.
 * (A request is written on a connected socket only; a pooled one open at the start may have
 * carried it, so that case stays "maybe sent".)
 */
function notConnectedSince(agent: Agent, origin: string, timeoutMs: number, proxied: boolean): () => WireError | undefined {
  const key = originKey(origin);
  const c = connections.get(agent)?.get(key);
  if (c && c.open > 0) return () => undefined;
  const made = c?.made ?? 0;
  // (through a proxy: its tunnel, which the proxy, or the server behind it, did not open in time)
  const what = proxied ? "no tunnel through the proxy to the server" : "no connection to the server";
  return () => ((connections.get(agent)?.get(key)?.made ?? 0) === made ? new WireError("timeout", `${what} within ${timeoutMs} ms`, undefined, true) : undefined);
}

/**
 * The call whose request is being handed to undici now: undici opens a connection for it in the
 * same turn (its connector runs inside `agent.request()`), so the connector gives the call the
 * means to end that connection. An abort or a timeout before the connection is made ends it:
 * undici would go on connecting for the agent's connect timeout, a socket that kept the process
 * alive after the call was over (a script, or a CLI stopped by Ctrl-C, waited up to its timeout)
 * and piled up under calls aborted one after another. undici binds a request to the connection it
 * opens for it until that connection is made, so no other call waits on it.
 */
let adopting: PreciseAbort | undefined;

/** undici's connector, each connection it opens for a call with a PreciseAbort given to that call. */
function watched(connector: buildConnector.connector): buildConnector.connector {
  return (opts, callback) => {
    let made = false;
    const socket = connector(opts, (error, s) => {
      made = true;
      if (error) callback(notSent(error), null);
      else callback(null, s!);
    });
    // (with an error: undici's connector hears a socket's end only so)
    adopting?.adopt(() => void (made || (socket as unknown as Socket).destroy(new Error("the call ended before its connection was made"))));
    return socket;
  };
}

/**
 * A failure of the connector (the connection, its TLS handshake, the proxy's tunnel): it comes
 * before undici writes the request, so nothing was sent (an order failed so is not
 * `outcomeUnknown`: a TLS handshake reset by a firewall marked every order as possibly placed).
 * undici's own connect timeout stays itself (read as a timeout).
 */
function notSent(e: Error): Error {
  const code = (e as { code?: unknown }).code;
  if (e instanceof WireError || (typeof code === "string" && code.startsWith("UND_ERR"))) return e;
  return certificateRefused(e, "server") ?? new WireError("connection", typeof code === "string" ? code : e.message, e, true);
}

/** Why a certificate was refused, for the codes whose cure differs from "trust its CA". */
const CERTIFICATE_WHY: Readonly<Record<string, string>> = {
  ERR_TLS_CERT_ALTNAME_INVALID: "it is for another host name",
  CERT_HAS_EXPIRED: "it has expired",
  CERT_NOT_YET_VALID: "it is not valid yet (is this machine's clock right?)",
  CERT_REVOKED: "it was revoked",
};

/**
 * A TLS certificate refused (whose: the proxy's or the server's), as a WireError saying so and
 * what to do: for one of an issuer Node does not know, that it trusts a private CA given in
 * NODE_EXTRA_CA_CERTS; else undefined.
 */
function certificateRefused(e: Error, whose: "proxy" | "server"): WireError | undefined {
  const code = (e as { code?: unknown }).code;
  if (typeof code !== "string" || !/CERT|^UNABLE_TO_|^ERR_TLS_CERT/.test(code)) return undefined;
  const why = CERTIFICATE_WHY[code] ?? (/SELF_SIGNED|ISSUER|UNABLE_TO_(GET|VERIFY)/.test(code) ? "a certificate of a private CA is trusted with NODE_EXTRA_CA_CERTS" : undefined);
  return new WireError("connection", `the ${whose}'s TLS certificate was refused (${code})${why ? `: ${why}` : ""}; nothing was sent`, e, true);
}

/** A failed tunnel as a WireError (nothing was sent through it). */
function tunnelFailure(error: Error): Error {
  if (error instanceof WireError) return error;
  if (error instanceof TunnelRefused) return new WireError("proxy", String(error.status), error);
  if (error instanceof TunnelSilent) return new WireError("timeout", `the proxy ${error.message}`, error, true);
  if (error instanceof TunnelNotHttp) return new WireError("protocol", error.message, error, true);
  const refused = certificateRefused(error, "proxy");
  if (refused) return refused;
  const code = (error as { code?: unknown }).code;
  // (the proxy's answer to CONNECT that is no HTTP, or whose head is too large: its parser's code)
  if (typeof code === "string" && code.startsWith("HPE_")) {
    return new WireError("connection", `the proxy's answer to CONNECT is not HTTP/1.1${code === "HPE_HEADER_OVERFLOW" ? " (headers over 16 KiB)" : ""}: ${code}`, error, true);
  }
  return notSent(error);
}

/**
 * Requests through an HTTP(S) proxy: a CONNECT tunnel to the server (for http:// servers too),
 * `user:password@` in the proxy URL sent as Proxy-Authorization: Basic, opened by
 * core/proxy-tunnel.ts as the Agent's `connect`. The timeout bounds the connection to the
 * proxy, the wait for its answer to CONNECT and the TLS handshake through the tunnel, as it
 * bounds a direct connection. A proxy that refuses, stays silent or drops the connection fails
 * the call once (undici's ProxyAgent reconnected to a proxy that closed it, without end).
 */
function proxyAgent(uri: string, options: Agent.Options & { connect: { timeout: number } }): Agent {
  const timeout = options.connect.timeout;
  const proxy = new URL(uri);
  const connect: buildConnector.connector = (opts, callback) => {
    const secure = opts.protocol === "https:";
    const host = opts.hostname.replace(/^\[|\]$/g, "");
    const target = tunnelTarget(host, opts.port || (secure ? 443 : 80));
    let settled = false;
    const started = performance.now();
    const done = (error: Error | null, socket?: Socket) => {
      if (settled) return void socket?.destroy();
      settled = true;
      if (error) callback(tunnelFailure(error), null);
      else callback(null, socket!);
    };
    let tls: Socket | undefined;
    const cancel = connectTunnel(proxy, target, timeout, (error, socket) => {
      if (error || !secure) return done(error, socket);
      // TLS to the server through the tunnel, to its name (its certificate checked), in what is
      // left of the timeout (the tunnel and the handshake share it, as a direct connection's do).
      const t = (tls = tlsConnect({ socket: socket!, servername: opts.servername || (isIP(host) ? undefined : host), ALPNProtocols: ["http/1.1"] }));
      const timer = setTimeout(() => t.destroy(new WireError("timeout", `no TLS handshake through the proxy within ${timeout} ms`, undefined, true)), Math.max(1, timeout - (performance.now() - started)));
      t.once("secureConnect", () => (clearTimeout(timer), done(null, t)));
      t.once("error", (e) => (clearTimeout(timer), done(certificateRefused(e, "server") ?? e)));
    });
    // (the call ended first: the tunnel, or the handshake through it, ends with it)
    adopting?.adopt(() => void (settled || (tls ? tls.destroy(new Error("the call ended")) : cancel(new Error("the call ended")))));
  };
  return new Agent({ ...options, connect });
}

/**
 * Heads awaited and bodies being read whole without a native timer, by their deadline: one interval (unref'd,
 * about once a second, like undici's own timers) ends those past it, so a call costs a Map
 * entry, not a timer. The interval stops when a sweep finds nothing left.
 */
const deadlines = new Map<{ expire(): void }, number>();
let sweeper: ReturnType<typeof setInterval> | undefined;
/** The setInterval the sweeper was made with: a test's fake timers, put in or taken out since, make it anew. */
let sweeperTimers: typeof setInterval | undefined;
const SWEEP_MS = 1_000;

function watchDeadline(res: { expire(): void }, deadline: number): void {
  deadlines.set(res, deadline);
  // (an interval made under a test's fake timers never fires once the real ones are back: every
  // later body would have had no deadline)
  if (sweeper !== undefined && sweeperTimers === setInterval) return;
  if (sweeper !== undefined) clearInterval(sweeper);
  sweeperTimers = setInterval;
  sweeper = setInterval(sweep, SWEEP_MS).unref();
}

function sweep(): void {
  const now = performance.now();
  const due: Array<{ expire(): void }> = [];
  for (const [res, deadline] of deadlines) if (now >= deadline) due.push(res);
  // After the poll phase: an answer that came while the event loop was blocked (a long task, a
  // GC pause) is read first; its call is over then, not timed out (an order failed as "may have
  // taken effect" whose answer was waiting in the socket).
  if (due.length) setImmediate(() => due.forEach((res) => deadlines.has(res) && res.expire()));
  if (deadlines.size === 0) sweeper = void clearInterval(sweeper);
}

function plainHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  for (const k in raw) {
    const v = raw[k];
    if (typeof v !== "string") {
      // Rare (set-cookie, repeated headers): build a clean copy once.
      const out: Record<string, string> = {};
      for (const n in raw) {
        const x = raw[n];
        if (x !== undefined) out[n] = Array.isArray(x) ? x.join(", ") : x;
      }
      return out;
    }
  }
  return raw as Record<string, string>;
}

/** How late a call's timer may fire before the event loop is taken to have been blocked (PreciseAbort). */
const STALL_MS = 1_000;

/** Below this, a timeout also gets a native timer (undici's own fire up to ~1 s late). */
export const PRECISE_BELOW_MS = 5_000;

/**
 * A native timer (when `timeoutMs` is short) and the caller's signal, as one EventEmitter
 * undici takes as its signal: undici never listens on the caller's signal itself (see `onAbort`).
 */
class PreciseAbort extends EventEmitter {
  reason: unknown;
  timedOut = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #off: () => void;
  #stopped = false;
  readonly #timeoutMs: number;
  constructor(timeoutMs: number, timed: boolean, signal: AbortSignal | undefined) {
    super();
    this.#timeoutMs = timeoutMs;
    if (timed) this.#arm(timeoutMs, true);
    if (signal?.aborted) this.fire(signal.reason);
    this.#off = signal ? onAbort(signal, () => this.fire(signal.reason)) : ignore;
  }
  /**
   * The timer of `timeoutMs`. One that fires more than STALL_MS late found this process's
   * event loop blocked (a long synchronous task, a debugger, a GC pause): that time was not the
   * server's, and the request may not even have been written, so the call gets its timeout once
   * more instead of a timeout marked "may have taken effect".
   */
  #arm(timeoutMs: number, first: boolean): void {
    const due = performance.now() + timeoutMs;
    this.#timer = setTimeout(() => {
      if (first && performance.now() - due > STALL_MS) return this.#arm(timeoutMs, false);
      this.timedOut = true;
      this.fire(new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError"));
    }, timeoutMs);
  }
  /** While it says so, the sweep leaves the call alone (undici's connect timeout speaks for the connection). */
  connecting: (() => boolean) | undefined;
  /** The shared sweep found the wait for the head past its deadline (no native timer). */
  expire(): void {
    // (no connection made yet: undici's connect timeout, the same length, says nothing was sent)
    if (this.connecting?.()) return void deadlines.set(this, performance.now() + SWEEP_MS);
    deadlines.delete(this);
    this.timedOut = true;
    this.fire(new DOMException(`no answer within ${this.#timeoutMs} ms`, "TimeoutError"));
  }
  /** Does a native timer of its own hold the timeout? */
  get timed(): boolean {
    return this.#timer !== undefined;
  }
  /** undici reads it before listening: a request whose signal already fired is not sent. */
  get aborted(): boolean {
    return this.reason !== undefined;
  }
  private fire(reason: unknown): void {
    if (this.reason !== undefined) return;
    this.reason = reason ?? new DOMException("aborted", "AbortError");
    this.emit("abort");
  }
  /** A connection undici opens for this call: ended when the call is (see `adopting`). */
  adopt(end: () => void): void {
    if (this.aborted) end();
    else this.once("abort", end);
  }
  /** The timeout no longer applies (a stream's headers arrived). */
  stopTimer(): void {
    clearTimeout(this.#timer);
  }
  /** The call is over. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#off();
  }
}

export function sendUndici(req: WireRequest, limits: WireLimits): Promise<WireResponse> {
  const { timeoutMs, signal } = limits;
  const timed = timeoutMs < PRECISE_BELOW_MS || limits.perCall === true;
  const precise = new PreciseAbort(timeoutMs, timed, signal);
  // (an abort can come before the head: it then ends a request still connecting, see untilFired)
  const early = timed || signal !== undefined;
  // The agent's own request(): the origin and path are already split (no URL parse, no option copy).
  const agent = agentFor(timed ? connectStep(timeoutMs) : timeoutMs, limits.stream ? Infinity : limits.maxBytes, limits.proxy);
  // (a native timer's or the caller's abort: undici's own connect timeout says itself that nothing was sent)
  const unconnected = notConnectedSince(agent, req.origin, timeoutMs, limits.proxy !== undefined);
  // Without a native timer, the wait for the head has the shared sweep's deadline too: undici's
  // headersTimeout starts again at each interim answer (1xx), so a server sending one a second
  // held a call (an order) forever.
  if (!timed) {
    precise.connecting = () => unconnected() !== undefined;
    watchDeadline(precise, performance.now() + timeoutMs);
  }
  adopting = precise;
  let sent: Promise<UndiciData>;
  try {
    sent = agent.request({
      origin: req.origin,
      path: req.path,
      method: req.method as "GET",
      // fetch sends a User-Agent of its own ("node"); gateways in front of vendor APIs may refuse a request without one.
      headers: req.headers["user-agent"] === undefined ? { ...req.headers, "user-agent": USER_AGENT } : req.headers,
      body: req.body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: precise,
    });
  } catch (e) {
    // (undici rejects rather than throws; were it to throw, no deadline stays behind)
    deadlines.delete(precise);
    precise.stop();
    throw e;
  } finally {
    adopting = undefined;
  }
  return (early ? untilFired(sent, precise, unconnected) : sent).then(
    (res) => {
      deadlines.delete(precise);
      if (limits.stream) precise.stopTimer();
      return new UndiciResponse(res, limits, precise);
    },
    (e: unknown) => {
      deadlines.delete(precise);
      precise.stop();
      throw wireFailure(e, limits, precise.timedOut);
    },
  );
}

/**
 * The answer's head, or a rejection as soon as `precise` fires: undici ends a request it is
 * still connecting (or tunnelling through a proxy) for only when the connection is made or
 * fails, so an abort or a short timeout would wait for the connect timeout. A head that
 * arrives after that is dropped.
 */
function untilFired(sent: Promise<UndiciData>, precise: PreciseAbort, unconnected?: () => WireError | undefined): Promise<UndiciData> {
  if (precise.aborted) return sent;
  return new Promise((resolve, reject) => {
    // No connection made since the call began: the request was not written (its connection,
    // still being made, ends with the call: see `adopting`), so an order aborted then was not placed.
    const fired = () => {
      const unsent = unconnected?.();
      reject(unsent === undefined ? precise.reason : precise.timedOut ? unsent : new WireError("aborted", "aborted by the caller", precise.reason, true));
    };
    precise.once("abort", fired);
    sent.then(
      (res) => {
        precise.off("abort", fired);
        if (precise.aborted) res.body.destroy();
        resolve(res);
      },
      (e: unknown) => {
        precise.off("abort", fired);
        reject(e);
      },
    );
  });
}

/**
 * What a failed send or read was, on either road: the caller's abort, the timeout (the native
 * timer's, or undici's own by its error code) or the connection (the low-level code or message).
 */
const REFUSED_BEFORE_SENDING = new Set(["UND_ERR_INVALID_ARG", "UND_ERR_REQ_CONTENT_LENGTH_MISMATCH", "UND_ERR_NOT_SUPPORTED"]);

function wireFailure(e: unknown, limits: WireLimits, timedOut: boolean | undefined): WireError {
  // (a connection that failed, or was ended with its call, before the request was written: the
  // caller's abort or the timeout, when it was one of those, with nothing sent)
  const unsent = e instanceof WireError && e.kind === "connection" && e.notSent;
  if (e instanceof WireError && !unsent) return e;
  // Its cause is the caller's reason (the AbortedError's cause), not undici's wrapper of it.
  if (limits.signal?.aborted) return new WireError("aborted", "aborted by the caller", limits.signal.reason, unsent);
  if (timedOut) return new WireError("timeout", unsent ? `no connection to the server within ${limits.timeoutMs} ms` : `no answer within ${limits.timeoutMs} ms`, e, unsent);
  if (unsent) return e;
  const code = (e as { code?: unknown })?.code;
  if (typeof code === "string" && UNDICI_TIMEOUTS.has(code)) return new WireError("timeout", code, e);
  if (code === UNDICI_TOO_LARGE) return tooLarge(limits, e);
  // undici refused the request before sending it (a header value it cannot carry, a caller's
  // content-length the body does not have, an expect header it does not support).
  if (typeof code === "string" && REFUSED_BEFORE_SENDING.has(code)) return new WireError("invalid", (e as Error).message, e);
  const cause = (e as { cause?: { code?: string; message?: string; name?: string } })?.cause;
  // The fetch road wraps undici's error in a TypeError ("fetch failed", "terminated") as `cause`.
  const parser = [e as { name?: string; message?: string } | undefined, cause].find((x) => x?.name === "HTTPParserError");
  if (parser) return new WireError("protocol", /\((.+)\)$/.exec(parser.message ?? "")?.[1] ?? String(parser.message), e);
  if (code === HEADERS_OVERFLOW || cause?.code === HEADERS_OVERFLOW) return new WireError("protocol", "its headers are larger than 16 KiB", e);
  const unasked = [e as { code?: unknown; message?: unknown } | undefined, cause].find((x) => x?.code === "UND_ERR_SOCKET" && typeof x.message === "string" && Object.hasOwn(UNASKED, x.message));
  if (unasked) return new WireError("unasked", UNASKED[unasked.message as string]!, e);
  // undici asserts a status of 100-999 (a "099" status line fails its assertion, not its parser).
  if (code === "ERR_ASSERTION" || cause?.code === "ERR_ASSERTION") return new WireError("protocol", "a status line or framing HTTP/1.1 does not allow", e);
  // zlib's and brotli's codes (fetch decodes the body itself): the bytes are not what the coding says.
  const zcode = [code, cause?.code].find((c): c is string => typeof c === "string" && ZLIB_FAILURE.test(c));
  if (zcode) return new WireError("encoding", zcode, e);
  const detail = typeof code === "string" ? code : (cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e)));
  return new WireError("connection", detail, e);
}

export function tooLarge(limits: Pick<WireLimits, "maxBytes">, cause?: unknown): WireError {
  return new WireError("too-large", `the answer is larger than ${limits.maxBytes} bytes (maxResponseBytes)`, cause);
}

/** zlib's (Z_DATA_ERROR …) and brotli's (ERR__ERROR_FORMAT_…) failure codes. */
const ZLIB_FAILURE = /^(Z_|ERR__ERROR_)/;

/**
 * The codings of a Content-Encoding header, in the order they were applied ("identity" left
 * out); undefined for none. undici.request hands the body over as sent, so the undici road
 * decodes it here, as fetch does on its road: a server (or a CDN in front of it) that
 * compresses without being asked is still read.
 */
function codingsOf(header: string | undefined): string[] | undefined {
  const codings = header?.toLowerCase().split(",").map((c) => c.trim()).filter((c) => !NOT_CODINGS.has(c));
  return codings?.length ? codings : undefined;
}

/** The most codings one answer's Content-Encoding may stack (undici's fetch refuses more than 5 too). */
const MAX_CODINGS = 5;

/**
 * Names a misconfigured server writes in Content-Encoding that are no compression (a charset, a
 * transfer encoding, "none"): the body is as sent, and a browser or fetch reads it so. A real
 * coding this client does not decode (zstd, compress) is still refused, by name.
 */
const NOT_CODINGS = new Set(["", "identity", "none", "utf-8", "utf8", "binary", "7bit", "8bit"]);

/** A decoder per coding; "deflate" is zlib-wrapped by the standard, raw from some servers: its first byte tells (as fetch reads it). */
const DECODERS: Record<string, (first: number) => Transform> = {
  gzip: () => createGunzip(),
  "x-gzip": () => createGunzip(),
  deflate: (first) => ((first & 15) === 8 ? createInflate() : createInflateRaw()),
  br: () => createBrotliDecompress(),
};

/** A body's chunks decoded, last coding first (an empty body stays empty). */
function decodeStream(source: AsyncIterable<Uint8Array>, codings: ReadonlyArray<string>): AsyncIterable<Uint8Array> {
  // Each coding is one more decoder every byte passes: a server stacking thousands of them on a
  // small body held a call (and the CPU) for minutes. Refused past undici fetch's own limit
  // (an empty body has nothing to decode: a 503's stays an HttpError).
  if (codings.length > MAX_CODINGS) return tooManyCodings(source, codings.length);
  for (let i = codings.length - 1; i >= 0; i--) source = decoded(source, codings[i]!);
  return source;
}

async function* tooManyCodings(source: AsyncIterable<Uint8Array>, n: number): AsyncGenerator<Uint8Array, void, undefined> {
  for await (const chunk of source) if (chunk.byteLength > 0) throw new WireError("encoding", `${n} codings stacked; at most ${MAX_CODINGS} are decoded`, undefined);
}

async function* decoded(source: AsyncIterable<Uint8Array>, coding: string): AsyncGenerator<Uint8Array, void, undefined> {
  const it = source[Symbol.asyncIterator]();
  let first = await it.next();
  while (!first.done && first.value.byteLength === 0) first = await it.next();
  if (first.done) return; // no bytes at all: nothing to decode (a 204, an empty error answer)
  const decoder = Object.hasOwn(DECODERS, coding) ? DECODERS[coding]!(first.value[0]!) : undefined;
  if (!decoder) throw new WireError("encoding", `${JSON.stringify(coding)} is not a coding this client can decode (gzip, deflate, br)`, undefined);
  async function* all() {
    yield first.value!;
    for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
  }
  pipeline(Readable.from(all()), decoder, ignore);
  yield* decoder;
}

/** Chunks into one plain Uint8Array (not a Buffer), stopping past `maxBytes` (an endless or decompressing body). */
async function collect(chunks: AsyncIterable<Uint8Array>, limits: Pick<WireLimits, "maxBytes">, stopped?: () => boolean): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    // (decoding a body already read: its deadline or the caller's abort ends it too)
    if (stopped?.()) throw new Error("stopped");
    if ((size += chunk.byteLength) > limits.maxBytes) throw tooLarge(limits);
    parts.push(chunk);
  }
  const out = new Uint8Array(size);
  size = 0;
  for (const p of parts) out.set(p, (size += p.byteLength) - p.byteLength);
  return out;
}

type UndiciData = Awaited<ReturnType<Agent["request"]>>;

class UndiciResponse implements WireResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly redirect: boolean;
  readonly #body: UndiciData["body"];
  readonly #limits: WireLimits;
  readonly #precise: PreciseAbort | undefined;
  /** The shared sweep ended the body: its deadline passed. */
  #expired = false;

  constructor(res: UndiciData, limits: WireLimits, precise: PreciseAbort | undefined) {
    this.status = res.statusCode;
    this.headers = plainHeaders(res.headers);
    this.redirect = res.statusCode >= 300 && res.statusCode < 400 && this.headers.location !== undefined;
    this.#body = res.body;
    this.#limits = limits;
    this.#precise = precise;
    // Errors reach the reader (bytes, chunks); a body dropped early must not become an uncaught 'error'.
    res.body.on("error", ignore);
  }

  async bytes(): Promise<Uint8Array> {
    // Without a native timer still running (none, or a stream's, stopped at its headers: an error
    // answer to a stream is read whole), the body must arrive within the timeout (see the file comment).
    const stream = this.#limits.stream;
    const watched = this.#precise?.timed !== true || stream;
    if (watched) watchDeadline(this, performance.now() + this.#limits.timeoutMs);
    try {
      // (a stream's agent has no size limit: its body read whole is bounded here)
      const raw = stream ? await collect(this.#body, this.#limits) : await this.#body.bytes();
      const codings = codingsOf(this.headers["content-encoding"]);
      const stopped = () => this.#expired || this.#precise?.timedOut === true || this.#limits.signal?.aborted === true;
      return codings ? await collect(decodeStream(Readable.from([raw]), codings), this.#limits, stopped) : raw;
    } catch (e) {
      throw wireFailure(e, this.#limits, this.#precise?.timedOut || this.#expired);
    } finally {
      if (watched) deadlines.delete(this);
      this.#precise?.stop();
    }
  }

  /** The body's deadline passed (the sweep): end it; `bytes` then fails as a timeout. */
  expire(): void {
    deadlines.delete(this);
    this.#expired = true;
    this.#body.destroy();
  }

  async *chunks(): AsyncGenerator<Uint8Array, void, undefined> {
    const body = this.#body;
    try {
      const codings = codingsOf(this.headers["content-encoding"]);
      for await (const chunk of codings ? decodeStream(body, codings) : body) yield chunk as Uint8Array;
    } catch (e) {
      throw wireFailure(e, this.#limits, this.#precise?.timedOut);
    } finally {
      this.#precise?.stop();
      if (!body.destroyed) body.destroy();
    }
  }

  async discard(): Promise<void> {
    this.#precise?.stop();
    await this.#body.dump().catch(ignore);
  }

  release(): void {
    this.#precise?.stop();
    if (!this.#body.destroyed) this.#body.destroy();
  }
}

// ---- an injected fetch ----

export async function sendFetch(fetchFn: typeof globalThis.fetch, req: WireRequest, limits: WireLimits): Promise<WireResponse> {
  const { timeoutMs, signal } = limits;
  const controller = new AbortController();
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const startTimer = () => {
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError"));
    }, timeoutMs);
  };
  startTimer();
  if (signal?.aborted) controller.abort(signal.reason);
  const off = signal ? onAbort(signal, () => controller.abort(signal.reason)) : ignore;
  const stopTimer = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  const done = () => {
    stopTimer();
    off();
  };
  const failure = (e: unknown) => wireFailure(e, limits, timedOut);
  // Each wait on the fetch ends when its signal aborts, even where an injected fetch (or its
  // body) does not listen to the signal: the timeout and the caller's abort still end the call.
  const abortable = { signals: [controller.signal], error: (s: AbortSignal) => s.reason };
  // fetch decodes a compressed answer itself, and leniently: a gzip body cut short (its end and
  // checksum missing) reads as whole, so rows or a file lose their end without an error. The
  // request asks for none (unless the caller named an encoding); a body compressed anyway is
  // refused (the undici road decodes it itself, strictly).
  const asksIdentity = !Object.keys(req.headers).some((k) => k.toLowerCase() === "accept-encoding");
  let res: Response;
  try {
    // Never "follow": fetch would forward the signed headers to wherever the 3xx points.
    // Promise.resolve: a fetch that returns its Response as it is (not a promise) works too.
    res = await unlessAborted(Promise.resolve(fetchFn(req.url, { method: req.method, headers: asksIdentity ? { ...req.headers, "accept-encoding": "identity" } : req.headers, body: req.body, signal: controller.signal, redirect: "manual" })), abortable);
  } catch (e) {
    done();
    throw failure(e);
  }
  // What a fetch must give (a Response, or node-fetch's look-alike): anything else is the
  // caller's fetch option at fault, not the connection (which would be retried).
  if (res === null || typeof res !== "object" || typeof res.status !== "number" || typeof res.headers?.forEach !== "function") {
    done();
    throw new WireError("invalid", `the fetch option gave ${res === null ? "null" : typeof res}, not a Response`, undefined);
  }
  // The timeout of a stream covers the wait for its headers and then, as undici's bodyTimeout
  // does, each wait for the next chunk: the body streams as long as it takes, but never stalls.
  if (limits.stream) stopTimer();
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    headers[k] = v;
  });
  const coded = asksIdentity ? codingsOf(headers["content-encoding"]) : undefined;
  const answer: WireResponse = {
    status: res.status,
    headers,
    redirect: res.type === "opaqueredirect" || (res.status >= 300 && res.status < 400 && headers.location !== undefined),
    async bytes() {
      try {
        if (limits.maxBytes === Infinity && !coded) return new Uint8Array(await unlessAborted(Promise.resolve(res.arrayBuffer()), abortable));
        // Counted as it arrives: an endless body stops at the limit.
        return await collect(answer.chunks(), limits);
      } catch (e) {
        throw failure(e);
      } finally {
        done();
      }
    },
    async *chunks() {
      if (!res.body) return done();
      const reader = res.body.getReader();
      try {
        for (;;) {
          if (limits.stream) startTimer();
          const { done: end, value } = await unlessAborted(Promise.resolve(reader.read()), abortable);
          if (limits.stream) stopTimer();
          if (end) return;
          // (an empty body with a coding is empty: a 503's is read as such)
          if (coded && value.byteLength > 0) throw new WireError("compressed", coded.join(", "), undefined);
          yield value;
        }
      } catch (e) {
        throw failure(e);
      } finally {
        done();
        // Stopping early (break, error) releases the connection instead of draining it; not
        // waited for (a body that ignores its signal may never finish cancelling).
        reader.cancel().catch(ignore);
      }
    },
    async discard() {
      answer.release();
    },
    release() {
      done();
      res.body?.cancel().catch(ignore);
    },
  };
  return answer;
}
