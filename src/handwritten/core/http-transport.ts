/**
 * The HTTP layer every REST client shares. One `execute(op, request)` runs an operation:
 *
 *   for each attempt (retry policy from the spec's x-retryable):
 *     wait for the rate limiter (limits from x-rate-limits / x-rate-limit)
 *     authorize(request)  ← the API's signer, called afresh per attempt (new nonce/timestamp)
 *     send (wire.ts: undici.request, or the `fetch` option) with a timeout → typed transport errors
 *     decode the body without losing digits → ResponseFormatError when it is not what the
 *     spec says (e.g. an HTML error page)
 *     HTTP status / vendor envelope → HttpError / ApiError subclass from x-error-codes
 *
 * Secrets: `authorize` lists the secret-derived values it put on the attempt (`secrets`: key,
 * signature, nonce, token …), and fields named like secrets (`trade_password`, `token` …) are
 * added from the request itself; every error of the attempt (message, stack, body, snippet,
 * cause) goes through one Redactor made of those and the client's own secrets before it is
 * thrown. Redirects are never followed (`RedirectError`, see errors.ts): fetch would forward
 * the signed headers to wherever a 3xx points.
 *
 * `execute` buffers the answer and decodes it; `open` runs the same steps once and hands back
 * a 2xx body as a stream of chunks (the Xele row stream reads it). Per-call `CallOptions`
 * (`signal`, `timeoutMs`) apply to one call: its timeout replaces the client's, its signal and
 * the client's both abort it.
 *
 * Both `call(operationId, params)` and the openapi-fetch-typed methods (`GET`, `POST` …,
 * core/rest-client.ts) reach `execute` directly: there is one HTTP path, no `Response` built
 * in between, and openapi-fetch's middleware (which would run once per call, not per attempt)
 * is not needed for any of it.
 */
import {
  ApiError,
  apiErrorFromCode,
  callerAborted,
  markOutcomeUnknown,
  ConnectionError,
  HttpError,
  RedirectError,
  ResponseFormatError,
  ResponseTooLargeError,
  RateLimitError,
  RETRY_AFTER_HOLD,
  TimeoutError,
  TradeApiError,
  UsageError,
  snippet,
  textOf,
  aTypeName,
  retryAfterMsOf,
  markClockSkew,
  shownValue,
  quoted,
  type ErrorContext,
} from "./errors.js";
import { DecimalPrecisionError, MAX_JSON_DEPTH, nestedTooDeep, NumberTooLongError, parseJson, quotedTwice, repeatedTopLevelKey, type DecimalsMode } from "./json.js";
import type { ApiMeta, EnvelopeMeta, HttpMethod, OperationMeta, SchemaMeta } from "./meta.js";
import { envelopeOf, isDefiniteFailure, operationById, unwrapData } from "./meta.js";
import { giveBackTurn, type RateLimiter } from "./rate-limit.js";
import { callSignal, pause, type CallSignal, type WaitAbort } from "./abort.js";
import { observe } from "./observe.js";
import { checkRetryOptions, notRetried, withRetries, type RetryOptions } from "./retry.js";
import { InFlightLimit } from "./in-flight.js";
import { setImmediate as nextTurn } from "node:timers";
import { answerTypeProblem, checkOption, checkSignal, dataMisfit, integersAsWritten, isTimeoutMs, MAX_TIMEOUT_MS, ownFields, proxyOption, proxyRefusal, serverUrl, URL_CREDENTIALS, urlShown } from "./validate.js";
import { describeAs, Redactor, redactUrl, secretList, secretNamedValues, urlCredentials } from "./redaction.js";
import { checkOperationArg } from "./operation-call.js";
import { sendFetch, sendUndici, tooLarge, WireError, type WireLimits, type WireRequest, type WireResponse } from "./wire.js";

/** A request before it is put on the wire; signers add to it. Values are raw (not encoded). */
export interface OutgoingRequest {
  method: HttpMethod;
  baseUrl: string;
  /** Concrete path (path parameters already filled in). */
  path: string;
  query: Array<[string, string]>;
  /** Form-urlencoded body fields, in the order they are sent. */
  form: Array<[string, string]> | null;
  /** JSON body text. */
  json: string | null;
  headers: Record<string, string>;
  /**
   * Secret-derived values this request carries (access key, signature, nonce, token,
   * password …), set by the signer: removed from every error of the attempt, in every form.
   */
  secrets?: ReadonlyArray<string | undefined>;
}

/** What the transport's execute and open take as the request: anything else is a UsageError naming the method. */
function checkOutgoing(fn: string, r: unknown): asserts r is OutgoingRequest {
  const q = r as Partial<Record<keyof OutgoingRequest, unknown>> | null;
  if (q === null || typeof q !== "object" || typeof q.method !== "string" || typeof q.path !== "string" || !Array.isArray(q.query) || (q.form != null && !Array.isArray(q.form)) || q.headers === null || typeof q.headers !== "object") {
    throw new UsageError(`${fn} takes a request { method, baseUrl, path, query, form, json, headers }, got ${aTypeName(r)}`);
  }
}

/**
 * Library-internal (not exported from the package): a function under this key in a call's
 * options hears each answer's status and headers before it is decoded, so that the
 * openapi-fetch methods can give an error result the real answer's headers.
 */
export const ON_ANSWER: unique symbol = Symbol("tradeapi.onAnswer");
/**
 * What an attempt holds while it runs: its `maxInFlight` slot's release, and the limiter's
 * "done" (RateLimiter.hold); `sent`: its request was handed to the HTTP layer (else its turn is
 * given back uncounted when it ends: nothing reached the server).
 */
interface Taken {
  release?: () => void;
  done?: () => void;
  sent?: boolean;
}

/** A Retry-After hold: until when (performance.now() ms; 0: none), and the answer that gave it. */
interface Quiet {
  until: number;
  from: string;
}
/** Per shared limiter and API, its clients' hold: a 429 answered to one client of a key holds the others of that key too. */
const QUIETS = new WeakMap<RateLimiter, Map<string, Quiet>>();

/** The hold a transport keeps: its limiter's for its API (shared by every client of the limiter), else its own. */
function quietOf(limiter: RateLimiter | null | undefined, api: string): Quiet {
  if (!limiter) return { until: 0, from: "" };
  const byApi = QUIETS.get(limiter) ?? new Map<string, Quiet>();
  QUIETS.set(limiter, byApi);
  const quiet = byApi.get(api) ?? { until: 0, from: "" };
  byApi.set(api, quiet);
  return quiet;
}

/** The attempt has ended: its turn counts from now when its request was sent, else it is given back. */
function endTurn(taken: Taken): void {
  if (taken.sent) taken.done?.();
  else giveBackTurn(taken.done);
}

type AnswerHook = (status: number, headers: Readonly<Record<string, string>>) => void;
/**
 * Library-internal: a call with this key set is a session's own login (Xele): its failures are
 * not marked `outcomeUnknown` (the caller's operation was not sent; the next call logs in again).
 */
export const SESSION_LOGIN: unique symbol = Symbol("tradeapi.sessionLogin");

/** Options of one call: they apply to this call only. */
export interface CallOptions {
  /** Aborts this call (AbortedError); the client's own `signal` aborts it as well. */
  signal?: AbortSignal | undefined;
  /** Per-attempt timeout in ms for this call, instead of the client's `timeoutMs`. */
  timeoutMs?: number | undefined;
}

/** The names of CallOptions (the type checks that the list is whole): any other key is a UsageError. */
export const CALL_OPTIONS = { signal: 1, timeoutMs: 1 } satisfies Record<keyof CallOptions, 1>;

/**
 * One attempt of a call, as the `onEvent` option hears it once the attempt has ended
 * (answered or failed; a retry is another event). It holds no secret: log it as it is.
 *
 *   createXtClient({ onEvent: (e) => console.log(e.operation, e.attempt, e.status ?? e.error, Math.round(e.ms)) })
 */
export interface TransportEvent {
  /** The API, as the CLI names it (xt, hubi, bhex, xele). */
  api: string;
  /** The operation's operationId. */
  operation: string;
  /** The HTTP method the attempt was sent with. */
  method: HttpMethod;
  /** Path only: never the query (it may hold a signature). */
  path: string;
  /** 1 for the first attempt, 2 for the first retry … */
  attempt: number;
  /** The answer's HTTP status; absent when no answer came (connection error, timeout, abort). */
  status?: number;
  /** How long the attempt took, in ms (from its start until it ended). */
  ms: number;
  /** The failed attempt's error class name. */
  error?: string;
  /** The failed attempt may have taken effect (its error's `outcomeUnknown`). */
  outcomeUnknown?: true;
}

/** The options of the HTTP layer every REST client takes (besides its own); every one is optional. */
export interface TransportOptions {
  /**
   * Send with this fetch (tests, msw, proxies). Without it requests go out through
   * `undici.request` on a shared keep-alive agent (no global fetch, so msw and other
   * globalThis.fetch patches do not see them).
   */
  fetch?: typeof globalThis.fetch | undefined;
  /**
   * Send every request through this HTTP proxy: `http://host:port` (or `https://` for a proxy
   * spoken to over TLS), with `user:password@` when it asks for credentials (sent as
   * Proxy-Authorization: Basic; kept out of errors, events and inspection). The proxy opens a
   * CONNECT tunnel to the server, so it never reads an https request. The timeout bounds the
   * connection to the proxy and its answer as it bounds a direct connection. Not with `fetch`
   * (a fetch chooses its own route). The library reads no environment variable; the CLI reads
   * HTTPS_PROXY, HTTP_PROXY and NO_PROXY.
   */
  proxy?: string | URL | undefined;
  /**
   * Per-attempt timeout in ms (default 10 000). With undici it bounds the connect, the wait
   * for the headers and each wait for the next body chunk, and a body read whole must arrive
   * within it after the headers (checked about once a second; under 5 000 ms a timer covers
   * the whole attempt); with `fetch` the whole attempt.
   */
  timeoutMs?: number | undefined;
  /**
   * The most bytes an answer read whole may have (default 64 MiB; `Infinity`: no limit). A
   * larger one is a ResponseTooLargeError as soon as it passes the limit (or at once, by its
   * Content-Length), never an out-of-memory crash. A streamed body (`open`) is not limited.
   */
  maxResponseBytes?: number | undefined;
  /** Retry policy for operations the spec marks `x-retryable: true`; false disables retries. */
  retry?: RetryOptions | false | undefined;
  /** null disables client-side rate limiting. */
  rateLimiter?: RateLimiter | null | undefined;
  /**
   * Called once per attempt, after it ends. Receives no secrets. An observer: what it throws
   * (or its promise rejects with) does not change the call's outcome; it becomes a process
   * warning (`TradeApiWarning`).
   */
  onEvent?: ((e: TransportEvent) => void) | undefined;
  /** Aborts every call of the client, in flight or to come (AbortedError), when it aborts. */
  signal?: AbortSignal | undefined;
  /**
   * What a number with a fraction or exponent becomes (see parseJson): "exact" (default) a
   * number when the double holds it exactly, else a DecimalPrecisionError naming the field;
   * "string" every such number as the text the server sent; "number" the nearest double.
   */
  decimals?: DecimalsMode | undefined;
}

/** The names of TransportOptions a client takes (all but rateLimiter: each client has its own form). */
export const TRANSPORT_OPTIONS = {
  fetch: 1,
  proxy: 1,
  timeoutMs: 1,
  maxResponseBytes: 1,
  retry: 1,
  onEvent: 1,
  signal: 1,
  decimals: 1,
} satisfies Record<keyof Omit<TransportOptions, "rateLimiter">, 1>;

export interface TransportConfig extends TransportOptions {
  api: string;
  meta: ApiMeta;
  baseUrl: string;
  /**
   * The most calls (`execute`) sending at once (a whole number of at least 1, or Infinity; left
   * out: no cap): the rest wait their turn, first come first served, each for at most its
   * timeout (then a TimeoutError, nothing sent). Streams (`open`) are not counted.
   */
  maxInFlight?: number | undefined;
  /**
   * The retry options whose `maxDelayMs` and `sleep` bound a wait for a Retry-After hold when
   * `retry` is false because a client runs the retries itself (Xele): default, `retry`'s.
   */
  holdRetry?: RetryOptions | undefined;
  /** Adds credentials to one attempt. Called afresh for each attempt. */
  authorize?: (req: OutgoingRequest, op: OperationMeta, attempt: number) => OutgoingRequest | Promise<OutgoingRequest>;
  /** Literal secret values (or a Redactor of them) to scrub from errors; kept private by the transport. */
  secrets?: () => ReadonlyArray<string | undefined> | Redactor;
  /**
   * Called with each decoded success body: throw to turn it into an error (default: envelope
   * check). `req`: the request it answers, as sent (signed).
   */
  checkBody?: (body: unknown, op: OperationMeta, status: number, req: OutgoingRequest) => void;
  /**
   * Called with each success body that is not JSON (bytes, text): throw to turn it into an error
   * (a file that is not the file the operation answers with). Its error, as checkBody's, loses the
   * attempt's own signed values, however many calls are in flight.
   */
  checkFile?: (body: unknown, op: OperationMeta) => void;
  /**
   * The clock a signed request's time comes from, for an API that signs with it (XT's nonce,
   * Hubi's timestamp): a refusal from a server whose clock is 5 s or more away from it names the
   * difference (ApiError `clockSkewMs`).
   */
  signingClock?: () => number;
  /**
   * Called with each decoded JSON body of a non-2xx answer, before the generic lookup of the
   * envelope's code field: throw to choose the error (e.g. codes carried in a message text).
   * Returning leaves the generic mapping (ApiError from the code field, else HttpError).
   */
  checkErrorBody?: (body: unknown, op: OperationMeta, status: number, retryAfterMs: number | undefined) => void;
}

export interface TransportResult {
  status: number;
  /** The answer's headers: lower-cased names, repeated headers joined with ", ". */
  headers: Readonly<Record<string, string>>;
  /** Decoded JSON (bigints for large integers), the text for text/* answers, or the bytes. */
  body: unknown;
  contentType: string;
  /** The body's bytes as received (decoders that must see them, e.g. in another charset). */
  raw?: Uint8Array;
}

/** A 2xx answer whose body is left to the caller, chunk by chunk (`HttpTransport.open`). */
export interface TransportStream {
  status: number;
  headers: Readonly<Record<string, string>>;
  contentType: string;
  /**
   * The body's bytes as they arrive. Failures while reading are the transport's typed errors
   * (TimeoutError after `timeoutMs` without a chunk, AbortedError, ConnectionError), redacted;
   * stopping early (break, return) releases the connection.
   */
  body: AsyncIterable<Uint8Array>;
}

const DECODER = new TextDecoder();
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });
const UTF8 = /^utf-?8$/i;

/** The `charset=` of a Content-Type (undefined when it names none). */
export function charsetOf(contentType: string | null | undefined): string | undefined {
  return /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? "")?.[1];
}

/**
 * The decoder for an answer's text: UTF-8 unless its Content-Type names another charset (a
 * server that writes GBK and says so is read as GBK, not turned into U+FFFD); undefined for a
 * charset TextDecoder does not know.
 */
function decoderOf(contentType: string, fatal: boolean): TextDecoder | undefined {
  const charset = charsetOf(contentType);
  if (charset === undefined || UTF8.test(charset)) return fatal ? STRICT_UTF8 : DECODER;
  try {
    return new TextDecoder(charset, { fatal });
  } catch {
    return undefined;
  }
}

/** undici's codes for an answer that stopped before its end (the server closed the connection). */
const CUT_SHORT = new Set(["UND_ERR_SOCKET", "UND_ERR_RES_CONTENT_LENGTH_MISMATCH"]);
/**
 * Connection failures that come before a request is written (no address, refused, the
 * connect's timeout, a TLS handshake that failed): nothing reached the server.
 */
const NOT_SENT = /^(E(CONNREFUSED|NOTFOUND|AI_\w+|HOSTUNREACH|NETUNREACH|HOSTDOWN|NETDOWN|ADDRNOTAVAIL|PROTO)|UND_ERR_(CONNECT_TIMEOUT|CLOSED|DESTROYED)|ERR_(SSL|TLS)_\w+|\w*CERT\w*|UNABLE_TO_\w+)$/;

/**
 * May the request of a failed send have reached the server and taken effect? (A proxy's
 * refusal, a request that cannot be sent or a redirect: no; but a 303 (See Other), the answer
 * of a server that handled the request, RFC 9110 15.4.4.)
 */
function mayHaveArrived(e: unknown): boolean {
  if (e instanceof WireError) return !e.notSent && e.kind !== "proxy" && e.kind !== "invalid" && !NOT_SENT.test(e.detail);
  if (e instanceof RedirectError) return e.status === 303;
  return !(e instanceof TradeApiError);
}
/** The default `maxResponseBytes`: 64 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** Characters encodeURIComponent leaves as they are. */
const URI_SAFE = /^[A-Za-z0-9\-_.!~*'()]*$/;

function encodeComponent(s: string): string {
  return URI_SAFE.test(s) ? s : encodeURIComponent(s);
}

/** `k=v&k=v`, each side as encodeURIComponent writes it. */
export function encodePairs(pairs: ReadonlyArray<readonly [string, string]>): string {
  let out = "";
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]!;
    out += `${i ? "&" : ""}${encodeComponent(pair[0])}=${encodeComponent(pair[1])}`;
  }
  return out;
}

export function isJsonContentType(ct: string | null | undefined): boolean {
  return !!ct && /(^|\/|\+)json\b/i.test(ct);
}

/** The secret-derived values a signed request carries: its `secrets` and secret-named fields. */
function carriedSecrets(req: OutgoingRequest): Array<string | undefined> {
  return [...(req.secrets ?? []), ...secretNamedValues([...req.query, ...(req.form ?? [])], req.json)];
}

/**
 * A body stream whose return() lets the connection go even before its first next(): an async
 * generator returned unstarted runs no `finally`, and the answer would stay unread, its
 * connection busy (a caller that refuses the answer before reading it: a charset it cannot
 * decode).
 */
function releasable(gen: AsyncGenerator<Uint8Array, void, undefined>, release: () => void, both: { dispose(): void } | undefined): AsyncIterableIterator<Uint8Array> {
  let started = false;
  return {
    next: () => {
      started = true;
      return gen.next();
    },
    return: async () => {
      if (!started) {
        started = true;
        both?.dispose();
        release();
      }
      return gen.return();
    },
    throw: (e: unknown) => gen.throw(e),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** The UsageError of a timeout that is not a usable number of ms (the client's or a call's). */
const badTimeout = (ms: unknown, ctx: ErrorContext): UsageError => new UsageError(`timeoutMs must be a number of ms above 0 and at most ${MAX_TIMEOUT_MS}, got ${shownValue(ms)}`, ctx);

/**
 * The client options a call would otherwise trip over later (a bare TypeError mid-call, a
 * signal whose listeners throw inside a wait): a UsageError naming the option, when the client
 * is made.
 */
function checkTransportOptions(o: Omit<TransportConfig, "secrets">): void {
  const ctx = { api: o.api };
  if (o.timeoutMs !== undefined && !isTimeoutMs(o.timeoutMs)) throw badTimeout(o.timeoutMs, ctx);
  checkOption(ctx, "fetch", o.fetch, "function");
  checkOption(ctx, "onEvent", o.onEvent, "function");
  checkSignal(ctx, "signal", o.signal);
  checkOption(ctx, "decimals", o.decimals, ["exact", "string", "number"]);
}

/** The `proxy` option checked (as `proxyOption` does; not with `fetch`), as a string. */
function proxyOf(proxy: unknown, o: Omit<TransportConfig, "secrets">): string | undefined {
  const url = proxyOption(proxy, { api: o.api });
  if (url !== undefined && o.fetch) {
    throw new UsageError("the proxy option cannot be given with fetch: a fetch chooses its own route (give it undici's ProxyAgent as its dispatcher)", { api: o.api });
  }
  return url;
}

/**
 * What is wrong with a base URL, checked when the client is made (undefined: nothing): every
 * request's URL is this plus the operation's path, so it must be an http(s) URL whose every
 * part a request keeps. A query or fragment would be dropped, and whitespace or a line break
 * (from a file or a pasted value) would be removed by the URL parser: refused, not rewritten.
 */
function baseUrlProblem(baseUrl: unknown): string | undefined {
  const url = serverUrl(baseUrl, ["http", "https"]);
  if (typeof url === "string") return url;
  if (url.username || url.password) return URL_CREDENTIALS;
  if (/[?#]/.test(baseUrl as string)) return "has a query or fragment (? or #), which the requests cannot keep: remove it";
  return undefined;
}

/** Per envelope (NO_ENVELOPE for none), the test of its field names (and "code") given twice (quotedTwice). */
const ENVELOPE_NAMED_TWICE = new WeakMap<object, (text: string) => boolean>();
const NO_ENVELOPE = {};

function envelopeNamedTwice(text: string, env: EnvelopeMeta | null | undefined): boolean {
  const key = env ?? NO_ENVELOPE;
  let test = ENVELOPE_NAMED_TWICE.get(key);
  if (!test) ENVELOPE_NAMED_TWICE.set(key, (test = quotedTwice(envelopeFields(env))));
  return test(text);
}

const envelopeFields = (env: EnvelopeMeta | null | undefined): string[] => [env?.codeField, env?.messageField, env?.dataField, "code"].filter((f): f is string => f !== undefined);

/**
 * A base URL as [origin, path without trailing slash]; one that does not parse is kept whole as
 * the origin (the send then fails as a ConnectionError naming it).
 */
function splitBase(baseUrl: string): readonly [string, string] {
  try {
    const u = new URL(baseUrl);
    if (u.origin !== "null") return [u.origin, u.pathname.replace(/\/+$/, "")];
  } catch {
    /* below */
  }
  return [baseUrl.replace(/\/+$/, ""), ""];
}

export class HttpTransport {
  /** The configuration, without the secrets callback and the proxy (kept in private fields: a proxy URL may hold a password). */
  readonly config: Omit<TransportConfig, "secrets" | "proxy">;
  /** The base URL's origin and path (without a trailing slash). */
  readonly #origin: readonly [string, string];
  readonly #secrets: TransportConfig["secrets"];
  readonly #maxBytes: number;
  /** The cap on calls sending at once (maxInFlight), if any. */
  readonly #slots: InFlightLimit | undefined;
  /** The client's timeout in whole ms (the one a call without its own has). */
  readonly #timeoutMs: number;
  /** The proxy's URL, as a string (undefined: none). */
  readonly #proxy: string | undefined;
  /**
   * The secret-derived values of the last attempts (signatures, nonces …), so that an error
   * raised later from a success answer (e.g. a download that is not a file) loses them too.
   */
  readonly #recent: OutgoingRequest[] = [];
  /** The redactor made last, and of which values. */
  #lastRedactor: { key: string; redactor: Redactor } | undefined;
  /**
   * Until when (performance.now() ms) the server asked for no requests: a 429 answer's
   * Retry-After holds every call of the client, not only the one it answered (the ten others
   * made meanwhile each earned a 429 of their own; XT locks an account that keeps on), and of
   * every client of this API sharing its rate limiter (the same key: B's calls went out inside
   * the hold A was given).
   */
  readonly #retryHold: Quiet;

  constructor(given: TransportConfig) {
    // Own fields only, here and in `retry` (a field on Object.prototype is no option: ownFields).
    const { secrets, proxy, ...others } = ownFields(given, true);
    const rest: TransportConfig = ownFields(others);
    if (rest.retry) rest.retry = ownFields(rest.retry, true);
    const problem = baseUrlProblem(rest.baseUrl);
    // Never stored, never sent (fetch refuses credentials in a URL, and its message would print the password).
    if (problem) throw new UsageError(`the base URL ${urlShown(rest.baseUrl)} ${problem}`, { api: rest.api });
    this.#proxy = proxyOf(proxy, rest);
    const proxySecrets = urlCredentials(this.#proxy);
    checkRetryOptions(rest.retry, "retry", { api: rest.api });
    checkTransportOptions(rest);
    if (rest.maxResponseBytes !== undefined && !(typeof rest.maxResponseBytes === "number" && rest.maxResponseBytes >= 1 && (Number.isInteger(rest.maxResponseBytes) || rest.maxResponseBytes === Infinity))) {
      throw new UsageError(`maxResponseBytes must be a whole number of bytes of at least 1, or Infinity; got ${shownValue(rest.maxResponseBytes)}`, { api: rest.api });
    }
    const slots = rest.maxInFlight;
    if (slots !== undefined && !(typeof slots === "number" && slots >= 1 && (Number.isInteger(slots) || slots === Infinity))) {
      throw new UsageError(`maxInFlight must be a whole number of calls of at least 1, or Infinity; got ${shownValue(slots)}`, { api: rest.api });
    }
    this.#slots = slots === undefined || slots === Infinity ? undefined : new InFlightLimit(slots, undefined, "a busy server");
    this.#retryHold = quietOf(rest.rateLimiter, rest.api);
    this.config = rest;
    this.#maxBytes = rest.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.#timeoutMs = Math.ceil(rest.timeoutMs ?? 10_000);
    this.#secrets = proxySecrets.length
      ? () => {
          const own = secrets?.() ?? [];
          return own instanceof Redactor ? own.with(proxySecrets) : [...own, ...proxySecrets];
        }
      : secrets;
    this.#origin = splitBase(rest.baseUrl);
    describeAs(this, "HttpTransport", () => ({
      api: this.config.api,
      baseUrl: redactUrl(this.config.baseUrl),
      ...(this.#proxy === undefined ? {} : { proxy: redactUrl(this.#proxy) }),
      operations: this.config.meta.operations.length,
    }));
  }

  /** The operation of this id (a Map lookup, the one index core/meta.ts keeps per metadata). */
  operation(operationId: string): OperationMeta | undefined {
    return operationById(this.config.meta, operationId);
  }

  /**
   * Run one operation with signing, rate limiting, retries and error mapping. `opts.timeoutMs`
   * replaces the client's timeout for this call; `opts.signal` and the client's signal both abort it.
   */
  execute(op: OperationMeta, request: OutgoingRequest, opts?: CallOptions): Promise<TransportResult> {
    const { retry } = this.config;
    // Not an async function (the attempt's promise is handed back as it is, no step more): a
    // wrong argument is a rejection all the same.
    try {
      checkOutgoing("execute", request);
      opts = ownFields(opts);
      this.checkCallOptions(op, opts); // a bad timeoutMs fails before the rate limiter and the signer
      if (!op.retryable || retry === false) return this.#attempt(op, request, 1, opts);
      return withRetries(true, (n) => this.#attempt(op, request, n, opts), retry || {}, this.#waitAbort(op, opts));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Run one operation once (no retries: a stream is not replayed) and hand back its body
   * unread: signing, rate limiting, redirects, timeouts, aborts, connection failures and
   * error answers (non-2xx) are handled as by `execute`; a 2xx's body streams. The timeout
   * covers the wait for the headers and then each wait for the next chunk.
   */
  async open(op: OperationMeta, request: OutgoingRequest, opts?: CallOptions): Promise<TransportStream> {
    checkOutgoing("open", request);
    opts = ownFields(opts);
    this.checkCallOptions(op, opts);
    let req: OutgoingRequest | undefined;
    const taken: Taken = {};
    try {
      return await this.#openSigned(op, (req = await this.#prepare(op, request, 1, opts, taken, true)), opts, taken);
    } catch (e) {
      throw this.redactor(req && carriedSecrets(req)).error(e);
    } finally {
      // (the headers have come, or the request failed: the server has it, or never will; a
      // request never handed to the HTTP layer gives its turn back)
      endTurn(taken);
    }
  }

  #errCtx(op: OperationMeta, cause?: unknown) {
    return { api: this.config.api, operation: op.operationId, cause };
  }

  /** A redactor of the client's secrets, the last attempts' signed values and `extra`. */
  redactor(extra: ReadonlyArray<string | undefined> = []): Redactor {
    if (!Array.isArray(extra)) extra = secretList(extra) as Array<string | undefined>;
    const own = this.#secrets?.() ?? [];
    if (this.#recent.length) extra = [...extra, ...this.#recent.flatMap(carriedSecrets)];
    if (own instanceof Redactor) return extra.length ? own.with(extra) : own;
    // The same values give the same redactor (a failure asks for it several times), and a new
    // one reuses the last one's forms of the values they share (all but the newest signature).
    const list = [...own, ...extra];
    // (a credential of the wrong kind, e.g. a bigint, is being refused: the key must not throw)
    const key = JSON.stringify(list, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
    if (this.#lastRedactor?.key !== key) this.#lastRedactor = { key, redactor: new Redactor(list, this.#lastRedactor?.redactor) };
    return this.#lastRedactor.redactor;
  }

  /** What ends this call's waits (rate limiter, backoff) early: its signal and the client's, as an AbortedError. */
  #waitAbort(op: OperationMeta, opts: CallOptions | undefined): WaitAbort | undefined {
    const own = this.config.signal;
    // Nothing allocated for a call without a signal (the common case, on the hot path).
    return opts?.signal || own ? { signals: [opts?.signal, own], error: (s) => callerAborted(this.#errCtx(op), s.reason) } : undefined;
  }

  /**
   * Wait out a Retry-After and the rate limiter's turn, then take a slot of `maxInFlight` (the
   * calls on the wire: one waiting its turn holds none), then sign a copy (the next attempt signs
   * the original afresh). The signed request joins the recent ones whose secret values every
   * error loses. An abort while waiting is an AbortedError at once (the request takes no turn).
   * Returns the signed request; the slot's release (none without a cap) and the limiter's "done"
   * go into `taken`, for the attempt to call when it ends.
   */
  #prepare(op: OperationMeta, base: OutgoingRequest, n: number, opts: CallOptions | undefined, taken: Taken, noSlot = false): OutgoingRequest | Promise<OutgoingRequest> {
    // A promise only when there is something to wait for (a Retry-After, the limiter's turn, a
    // slot, an async signer): a call without any takes no extra step. (A stream, `open`, takes no slot.)
    const slots = !noSlot && this.#slots;
    const limited = !!this.config.rateLimiter && op.rateLimit.length > 0;
    if (this.#retryHold.until === 0 && !limited) {
      const release = slots ? slots.tryAcquire() : undefined;
      if (release || !slots) {
        taken.release = release;
        return this.#signNow(op, base, n);
      }
    }
    return this.#heldSign(op, base, n, opts, limited, slots || undefined, taken);
  }

  /** Wait out a Retry-After, then the limiter's turn, then a slot, then any Retry-After that came meanwhile; sign. */
  async #heldSign(
    op: OperationMeta,
    base: OutgoingRequest,
    n: number,
    opts: CallOptions | undefined,
    limited: boolean,
    slots: InFlightLimit | undefined,
    taken: Taken,
  ): Promise<OutgoingRequest> {
    await this.#waitQuiet(op, opts);
    const held = this.#retryHold.until;
    if (limited) taken.done = await this.#waitTurn(op, opts);
    if (slots) taken.release = slots.tryAcquire() ?? (await this.#slot(op, opts));
    // (a new one given while the call waited its turn or its slot holds it too: it would go out
    // inside it; the one waited out above is not waited again)
    if (this.#retryHold.until !== held) await this.#waitQuiet(op, opts);
    return this.#signNow(op, base, n);
  }

  /**
   * Wait for the Retry-After hold to end; again when a longer one came during the wait (it was
   * sent inside the second). The hold is measured on the real clock: with the retry's own
   * `sleep`, one wait of what was left.
   */
  async #waitQuiet(op: OperationMeta, opts: CallOptions | undefined): Promise<void> {
    for (let seen = -1; this.#retryHold.until !== 0 && this.#retryHold.until !== seen; ) {
      seen = this.#retryHold.until;
      const wait = this.#quiet(op, opts);
      if (!wait) return;
      await wait;
    }
  }

  /** The limiter's turn; resolves to the function that says the request is done (it counts from then: RateLimiter.hold). */
  async #waitTurn(op: OperationMeta, opts: CallOptions | undefined): Promise<() => void> {
    const { both, signal } = this.#signal(opts);
    try {
      return await this.config.rateLimiter!.hold(op.rateLimit, { signal });
    } catch (e) {
      throw signal?.aborted ? callerAborted(this.#errCtx(op), signal.reason) : e;
    } finally {
      both?.dispose();
    }
  }

  /**
   * Within a Retry-After the server gave: wait for its end when that is no longer than the
   * retry's maxDelayMs (2 s by default; the retry's `sleep` when one is given; an abort ends
   * the wait), else a RateLimitError at once with what is left (retryAfterMs), nothing sent.
   */
  #quiet(op: OperationMeta, opts: CallOptions | undefined): Promise<void> | undefined {
    const left = Math.ceil(this.#retryHold.until - performance.now());
    if (left <= 0) return void (this.#retryHold.until = 0);
    // (a call already aborted is an AbortedError, as without a hold, not a RateLimitError)
    const abort = this.#waitAbort(op, opts);
    const aborted = abort?.signals.find((s) => s?.aborted);
    if (aborted) throw abort!.error(aborted);
    const retry = this.config.holdRetry ?? (this.config.retry || undefined);
    if (left <= (retry?.maxDelayMs ?? 2_000)) return pause(left, retry?.sleep, abort);
    throw new RateLimitError({
      ...this.#errCtx(op),
      code: RETRY_AFTER_HOLD,
      vendorMessage: `not sent: the server asked for no requests until its Retry-After ends (given with its answer to ${this.#retryHold.from})`,
      kind: "rate-limit",
      retryAfterMs: left,
    });
  }

  /** Sign a copy of `base` (the next attempt signs the original afresh). */
  #signNow(op: OperationMeta, base: OutgoingRequest, n: number): OutgoingRequest | Promise<OutgoingRequest> {
    const authorize = this.config.authorize;
    if (!authorize) return this.#signed(base, base);
    let signed: OutgoingRequest | Promise<OutgoingRequest>;
    try {
      signed = authorize({ ...base, query: base.query.slice(), form: base.form && base.form.slice(), headers: { ...base.headers } }, op, n);
    } catch (e) {
      throw this.#signFailure(op, e);
    }
    if (typeof (signed as { then?: unknown } | null)?.then !== "function") return this.#signed(base, signed as OutgoingRequest);
    return Promise.resolve(signed).then(
      (req) => this.#signed(base, req),
      (e: unknown) => {
        throw this.#signFailure(op, e);
      },
    );
  }

  /**
   * A signer's own failure (a `now` option that returned no time …): typed, not a bare
   * RangeError (a public signer's own UsageError names no operation: this one does).
   */
  #signFailure(op: OperationMeta, e: unknown): unknown {
    return e instanceof TradeApiError && (e.operation || e.constructor !== UsageError) ? e : new UsageError(`the request cannot be signed: ${e instanceof Error ? e.message : String(e)}`, this.#errCtx(op, e));
  }

  #signed(base: OutgoingRequest, req: OutgoingRequest): OutgoingRequest {
    if (req.headers !== base.headers) signedHeadersWin(base.headers, req.headers);
    this.#recent.push(req);
    if (this.#recent.length > 16) this.#recent.shift();
    return req;
  }

  async #attempt(op: OperationMeta, base: OutgoingRequest, n: number, opts: CallOptions | undefined): Promise<TransportResult> {
    let req: OutgoingRequest | undefined;
    const taken: Taken = {};
    const started = this.config.onEvent ? performance.now() : 0;
    try {
      const signing = this.#prepare(op, base, n, opts, taken);
      req = signing instanceof Promise ? await signing : signing;
      return await this.#send(op, req, n, opts, taken);
    } catch (e) {
      // An attempt that ended before it was sent (its wait for a slot, the limiter or a
      // Retry-After timed out or was aborted; it could not be signed) is an event too.
      if (req === undefined && this.config.onEvent) this.#event(op, base, n, started, undefined, e);
      // This attempt's own signed values whatever else is in flight (the recent ones are the last 16).
      throw this.redactor(req && carriedSecrets(req)).error(e);
    } finally {
      // (an attempt that sent nothing, e.g. its slot's wait timed out or its signer threw, gives
      // its turn back: counted for a whole interval, it held later calls for a request never made)
      endTurn(taken);
      // Handed to a waiter after the connection is back in its pool (undici frees it a turn after
      // the answer's end): straight away, the next call opened a connection of its own. (Node's
      // own setImmediate: a test's fake timers would hold the waiter until they are advanced.)
      const release = taken.release;
      if (release && this.#slots!.waiting) nextTurn(release);
      else release?.();
    }
  }

  /** Wait for a free slot, at most the call's timeout (a TimeoutError: nothing was sent); its signals end the wait. */
  async #slot(op: OperationMeta, opts: CallOptions | undefined): Promise<() => void> {
    const { both, signal } = this.#signal(opts);
    try {
      return await this.#slots!.acquire(signal, this.#errCtx(op), this.timeoutOf(op, opts));
    } finally {
      both?.dispose();
    }
  }

  /** URL (origin + path), headers and body text of a signed request. */
  #wireRequest(op: OperationMeta, req: OutgoingRequest): WireRequest {
    const qs = req.query.length ? `?${encodePairs(req.query)}` : "";
    const [origin, basePath] = req.baseUrl === this.config.baseUrl ? this.#origin : splitBase(req.baseUrl);
    const path = `${basePath}${req.path}${qs}`;
    let headers = req.headers;
    let body: string | undefined;
    if (req.form || req.json !== null) {
      body = req.form ? encodePairs(req.form) : req.json!;
      const type = req.form ? "application/x-www-form-urlencoded" : "application/json";
      const given = headers["content-type"];
      if (given === undefined) headers = { ...headers, "content-type": type };
      // A caller's header naming another type would label the body wrongly: the server could not
      // read the form, and would answer as if the signature were missing.
      else if (given.split(";")[0]!.trim().toLowerCase() !== type) {
        throw new UsageError(`the header content-type ${quoted(given)} does not say what the body is (${type}): leave the header out`, this.#errCtx(op));
      }
    }
    return { url: origin + path, origin, path, method: req.method, headers, body };
  }

  /** Send on the wire: undici by default, the `fetch` option when given. */
  #dispatch(wire: WireRequest, limits: WireLimits): Promise<WireResponse> {
    const fetchFn = this.config.fetch;
    return fetchFn ? sendFetch(fetchFn, wire, limits) : sendUndici(wire, limits);
  }

  /** Throws the UsageError a bad per-call `timeoutMs` would get from `execute`, before anything else runs. */
  checkCallOptions(op: OperationMeta, opts: CallOptions | undefined): void {
    checkOperationArg("the transport", op);
    if (opts?.timeoutMs !== undefined) this.timeoutOf(op, opts);
    checkSignal(this.#errCtx(op), "the call option signal", opts?.signal);
  }

  /** This call's timeout in whole ms (rounded up): from 1 to 2^31-1 (what a timer holds), else a UsageError. */
  timeoutOf(op: OperationMeta, opts: CallOptions | undefined): number {
    checkOperationArg("timeoutOf", op);
    const ms = opts?.timeoutMs ?? this.#timeoutMs;
    if (isTimeoutMs(ms)) return Math.ceil(ms);
    throw badTimeout(ms, { api: this.config.api, operation: op.operationId });
  }

  /** Report one attempt to `onEvent` (when there is one). */
  #event(op: OperationMeta, req: OutgoingRequest, n: number, started: number, status?: number, failure?: unknown): void {
    const cfg = this.config;
    if (!cfg.onEvent) return;
    const error = failure === undefined ? undefined : failure instanceof Error ? failure.name : "Error";
    observe(cfg.onEvent, {
      api: cfg.api,
      operation: op.operationId,
      method: req.method,
      path: req.path,
      attempt: n,
      ms: performance.now() - started,
      ...(status !== undefined ? { status } : {}),
      ...(error !== undefined ? { error } : {}),
      ...((failure as TradeApiError | undefined)?.outcomeUnknown ? { outcomeUnknown: true as const } : {}),
    });
  }

  /**
   * One attempt's start: its timeout, its signal (the call's and the client's both heard; one
   * AbortController only when both are given) and the start time of its event.
   */
  #begin(op: OperationMeta, opts: CallOptions | undefined): { timeoutMs: number; both?: { dispose: () => void }; signal: AbortSignal | undefined; started: number } {
    const started = this.config.onEvent ? performance.now() : 0;
    const own = this.config.signal;
    // One object per attempt; an AbortController only when the call and the client both have a signal.
    if (!opts?.signal || !own || opts.signal === own) return { timeoutMs: this.timeoutOf(op, opts), signal: opts?.signal ?? own, started };
    const { signal, both } = this.#signal(opts);
    return { timeoutMs: this.timeoutOf(op, opts), both, signal, started };
  }

  #signal(opts: CallOptions | undefined): CallSignal {
    return callSignal(opts?.signal, this.config.signal);
  }

  /** Send the request and wait for its answer's head; a redirect is an error (never followed). */
  async #head(op: OperationMeta, wire: WireRequest, timeoutMs: number, signal: AbortSignal | undefined, stream: boolean, opts: CallOptions | undefined, taken: Taken): Promise<WireResponse> {
    const maxBytes = this.#maxBytes;
    // A timeout given for this call (see WireLimits `perCall`), equal to the client's or not.
    const perCall = opts?.timeoutMs !== undefined && opts.timeoutMs !== null;
    // (a signal that has fired sends nothing: undici and fetch both check it first)
    taken.sent = !signal?.aborted;
    const res = await this.#dispatch(wire, { timeoutMs, signal, stream, maxBytes, proxy: this.#proxy, perCall });
    if (res.redirect) {
      // Its body is let go, not drained: a server that stalls it held the call (and the caller's
      // abort) until the body timeout. (A redirect is a failure: its connection is not missed.)
      res.release();
      throw redirectErrorOf(res.status, res.headers.location, wire.url, this.#errCtx(op));
    }
    // A body to read whole that says it is over the limit is not read at all.
    if (!stream && Number(res.headers["content-length"]) > maxBytes) {
      void res.discard();
      throw tooLarge({ maxBytes });
    }
    return res;
  }

  async #send(op: OperationMeta, req: OutgoingRequest, n: number, opts: CallOptions | undefined, taken: Taken): Promise<TransportResult> {
    const cfg = this.config;
    const wire = this.#wireRequest(op, req);
    const { timeoutMs, both, signal, started } = this.#begin(op, opts);
    // A call that changes state (not a session's login) gets outcomeUnknown when it may have taken effect.
    const login = (opts as { [SESSION_LOGIN]?: true } | undefined)?.[SESSION_LOGIN];
    const marks = !op.retryable && !login;
    const aborted = signal?.aborted;
    let res: WireResponse;
    let raw: Uint8Array;
    try {
      res = await this.#head(op, wire, timeoutMs, signal, false, opts, taken);
      raw = await res.bytes();
      (opts as { [ON_ANSWER]?: AnswerHook } | undefined)?.[ON_ANSWER]?.(res.status, res.headers);
    } catch (e) {
      const err = this.#transportError(op, e, timeoutMs);
      // A signal that had fired before the send sent nothing (undici and fetch both check it first).
      if (marks && !aborted && mayHaveArrived(e)) markOutcomeUnknown(err);
      if (cfg.onEvent) this.#event(op, req, n, started, undefined, err);
      throw err;
    } finally {
      both?.dispose();
    }
    if (!cfg.onEvent && !marks && !cfg.signingClock) return this.#decode(op, res.status, res.headers, raw, req, login);
    try {
      const result = this.#decode(op, res.status, res.headers, raw, req, login);
      if (cfg.onEvent) this.#event(op, req, n, started, res.status);
      return result;
    } catch (e) {
      // A call that changes state: a server failure, or a success answer it cannot read, leaves its outcome unknown.
      const status = res.status;
      // Unmarked: a code of the error table in the status the spec gives as this operation's
      // failure answer (x-definite-failure), which says nothing took effect; a crash page's
      // {"status": 500} in that status is no such code. And in any status, one the table calls a
      // refusal of the key, signature or timestamp (kind auth, timestamp): checked before anything
      // is done (Hubi answers ILLEGAL_TIMESTAMP with HTTP 500).
      const refused =
        (e instanceof ApiError && Object.hasOwn(this.config.meta.errorCodes ?? {}, textOf(e.code)) && (isDefiniteFailure(op, status) || e.kind === "auth" || e.kind === "timestamp")) ||
        // (a success answer read but for a decimal: the server accepted it, its answer in the error)
        (e instanceof DecimalPrecisionError && e.body !== undefined);
      const err = !marks || refused || !((status >= 200 && status < 300 && !(e instanceof ApiError)) || (status >= 500 && status !== 501 && status !== 503)) ? e : markOutcomeUnknown(e);
      if (cfg.signingClock) markClockSkew(err, res.headers.date, cfg.signingClock);
      if (cfg.onEvent) this.#event(op, req, n, started, status, err);
      throw err;
    }
  }

  async #openSigned(op: OperationMeta, req: OutgoingRequest, opts: CallOptions | undefined, taken: Taken): Promise<TransportStream> {
    const wire = this.#wireRequest(op, req);
    const { timeoutMs, both, signal, started } = this.#begin(op, opts);
    let res: WireResponse;
    let raw: Uint8Array | undefined;
    try {
      res = await this.#head(op, wire, timeoutMs, signal, true, opts, taken);
      if (res.status < 200 || res.status >= 300) raw = await res.bytes();
    } catch (e) {
      both?.dispose();
      const err = this.#transportError(op, e, timeoutMs);
      this.#event(op, req, 1, started, undefined, err);
      throw err;
    }
    if (raw) {
      both?.dispose();
      try {
        this.#decode(op, res.status, res.headers, raw, req);
        // decode throws for every non-2xx answer; this line is never reached.
        throw new HttpError(res.status, "", this.#errCtx(op));
      } catch (e) {
        this.#event(op, req, 1, started, res.status, e);
        throw e;
      }
    }
    this.#event(op, req, 1, started, res.status);
    const chunks = res.chunks();
    const self = this;
    async function* body(): AsyncGenerator<Uint8Array, void, undefined> {
      try {
        yield* chunks;
      } catch (e) {
        throw self.redactor(carriedSecrets(req)).error(self.#transportError(op, e, timeoutMs));
      } finally {
        both?.dispose();
      }
    }
    return { status: res.status, headers: res.headers, contentType: res.headers["content-type"] ?? "", body: releasable(body(), () => res.release(), both) };
  }

  #transportError(op: OperationMeta, e: unknown, ms: number): TradeApiError {
    if (e instanceof TradeApiError) return e;
    const ctx = this.#errCtx(op);
    if (e instanceof WireError) {
      if (e.kind === "aborted") return callerAborted(ctx, e.cause);
      // (a timeout before the request was written says so: no connection, or the proxy's tunnel)
      if (e.kind === "timeout") return new TimeoutError(e.notSent ? `${e.detail}: nothing was sent` : `no answer within ${ms} ms`, { ...ctx, timeoutMs: ms });
      if (e.kind === "invalid") return new UsageError(`the request cannot be sent: ${e.detail}`, ctx);
      if (e.kind === "too-large") {
        return new ResponseTooLargeError(`the answer is larger than ${this.#maxBytes} bytes: not read further (the maxResponseBytes option raises the limit)`, { ...ctx, maxResponseBytes: this.#maxBytes });
      }
    }
    const detail = e instanceof WireError ? e.detail : e instanceof Error ? e.message : String(e);
    if (e instanceof WireError && e.kind === "encoding") {
      return new ResponseFormatError(`the answer's body cannot be decoded as its Content-Encoding says (${detail})`, "", ctx);
    }
    if (e instanceof WireError && e.kind === "compressed") {
      return new ResponseFormatError(
        `the answer is compressed (${detail}) though the request asked for none (Accept-Encoding: identity): fetch decodes it without checking that it is whole (a gzip body cut short reads as complete), so it is not read; a mock that compresses its answers can leave the coding out, or the request can name an Accept-Encoding`,
        "",
        ctx,
      );
    }
    if (e instanceof WireError && e.kind === "unasked") return new ResponseFormatError(`the server answered with ${e.detail}, which this client cannot read (the server may send it to every request)`, "", ctx);
    if (e instanceof WireError && e.kind === "protocol") {
      return new ResponseFormatError(`the answer cannot be read as HTTP/1.1 (${detail}): is the base URL ${redactUrl(this.config.baseUrl)} an HTTP server (http or https, the right port)?`, "", ctx);
    }
    const proxy = this.#proxy === undefined ? "" : ` through the proxy ${redactUrl(this.#proxy)}`;
    if (e instanceof WireError && e.kind === "proxy") {
      const u = new URL(this.#origin[0]);
      const refused = new ConnectionError(`connection failed${proxy}: the proxy ${proxyRefusal(detail, `${u.hostname}:${u.port || (u.protocol === "https:" ? 443 : 80)}`)}`, ctx);
      // A proxy's 4xx (407: credentials; 403: the target not allowed) refuses the next attempt
      // alike; a 5xx (it cannot reach the server), 408 or 429 (busy) may pass the next.
      return /^4\d\d$/.test(detail) && detail !== "408" && detail !== "429" ? notRetried(refused) : refused;
    }
    if (e instanceof WireError && detail.includes("TLS certificate was refused")) return new ConnectionError(`connection failed${proxy}: ${detail}`, ctx);
    if (CUT_SHORT.has(detail)) return new ConnectionError(`connection failed${proxy}: the ${proxy ? "proxy or the " : ""}server closed it before its answer was complete (${detail})`, ctx);
    return new ConnectionError(`connection failed (${detail})${proxy}; ${proxy ? "are the proxy and" : "is"} the base URL ${redactUrl(this.config.baseUrl)} reachable?`, ctx);
  }

  #decode(
    op: OperationMeta,
    status: number,
    headers: Readonly<Record<string, string>>,
    raw: Uint8Array,
    req: OutgoingRequest,
    login?: true,
  ): TransportResult {
    const cfg = this.config;
    const ok = status >= 200 && status < 300;
    const ct = headers["content-type"] ?? "";
    const documented = op.responses["200"]?.contentType ?? "application/json";
    const expectJson = isJsonContentType(documented);
    // A success answer the spec documents as JSON is decoded strictly: bytes not valid in its
    // charset are an error, not U+FFFD in a field. An error answer is still mapped (its text
    // read leniently), and other answers go to their own reader as bytes (the Xele rows).
    const decoder = decoderOf(ct, ok && expectJson);
    // A charset TextDecoder does not know: JSON cannot be read (an error answer is still mapped,
    // read as UTF-8), and other text is left as bytes for its reader (the Xele rows name it).
    if (!decoder && ok && expectJson) throw new ResponseFormatError(`the answer's Content-Type names a charset this runtime cannot decode (${JSON.stringify(charsetOf(ct))})`, "", this.#errCtx(op));
    let text: string | null = null;
    if ((expectJson || !ok || /^text\//i.test(ct) || isJsonContentType(ct)) && (decoder || !ok)) {
      try {
        text = (decoder ?? DECODER).decode(raw);
      } catch {
        const charset = charsetOf(ct);
        throw new ResponseFormatError(`the answer has bytes that are not valid ${charset ?? "UTF-8"}${charset ? "" : " (its Content-Type names no other charset)"}: nothing was decoded`, "", this.#errCtx(op));
      }
    }
    let body: unknown = text ?? raw;
    let parsed = false;
    if (text !== null && (expectJson || isJsonContentType(ct)) && /^\s*[[{"\d-tfn]/.test(text)) {
      if (nestedTooDeep(text)) throw new ResponseFormatError(`the answer is JSON nested deeper than ${MAX_JSON_DEPTH} levels: not read`, "", this.#errCtx(op));
      try {
        // An error answer is still mapped when a decimal in it does not fit: kept as its text.
        // An answer the spec does not give as JSON (Xele's "|" rows, whose decoder reads the raw
        // text) is read for its envelope only: a decimal no double holds in a member the rows
        // do not need must not fail the call (and a code written 0.0 is zero).
        // A session's own login answer is read with decimals as doubles whatever the client's
        // mode: its token must be a JSON string, not a number turned into text by decimals:
        // "string", and a decimal in a member the login does not read must not fail it (it did,
        // as the caller's call, whose answer it was not).
        const mode = !ok ? "string" : login ? "number" : expectJson ? cfg.decimals : "number";
        body = parseJson(text, { decimals: mode });
        parsed = true;
        // A code written 200.0 is no text "200.0" (no success code, no key of the error table).
        if (mode === "string") integersAsWritten(body, text, this.#codeFields(op));
      } catch (e) {
        if (ok && !login && e instanceof DecimalPrecisionError) this.#inexactAnswer(e, op, text, status, req);
        this.#rethrowDecimal(e, op);
        // An error answer with one is still an HttpError (its body unread).
        if (e instanceof NumberTooLongError && ok) throw new NumberTooLongError(e.path, e.digits, this.#errCtx(op));
        parsed = false;
      }
    }
    if (parsed) this.#checkEnvelopeOnce(op, text!);
    if (!ok) {
      const retryAfterMs = retryAfterMsOf(headers["retry-after"], Date.now(), headers.date);
      // (429 only: a 503's Retry-After may be one backend's, and a cancel must not be held for it)
      if (retryAfterMs !== undefined && status === 429) {
        // (at most 10 minutes: a longer one is the answer's own error to report, not a client held for hours)
        const until = performance.now() + Math.min(retryAfterMs, 600_000);
        if (until > this.#retryHold.until) [this.#retryHold.until, this.#retryHold.from] = [until, `${op.operationId} (HTTP ${status})`];
      }
      if (parsed) cfg.checkErrorBody?.(body, op, status, retryAfterMs);
      const env = envelopeOf(cfg.meta, op);
      const codeField = env?.codeField ?? "code";
      if (parsed && body && typeof body === "object") {
        const b = body as Record<string, unknown>;
        const code = b[codeField] ?? b.code;
        // The vendor's success code in an error status is no vendor error: an HttpError below.
        if (code !== undefined && code !== null && typeof code !== "object" && !env?.success.some((s) => String(s) === String(code))) {
          const msg = b[env?.messageField ?? "msg"] ?? b.msg ?? b.message;
          throw apiErrorFromCode(
            { ...this.#errCtx(op), code: code as string | number, vendorMessage: msg === undefined || msg === null ? undefined : textOf(msg), httpStatus: status, retryAfterMs, body },
            cfg.meta.errorCodes,
            isDefiniteFailure(op, status),
          );
        }
      }
      throw new HttpError(status, snippet(text ?? "", this.redactor()), { ...this.#errCtx(op), retryAfterMs });
    }
    if (expectJson && !parsed) {
      const looksHtml = /^\s*</.test(text ?? "");
      throw new ResponseFormatError(
        looksHtml
          ? `expected JSON but got an HTML page (content-type ${ct || "none"}): a proxy or gateway error page, or a wrong base URL?`
          : `expected JSON but the body is not valid JSON (content-type ${ct || "none"})`,
        snippet(text ?? "", this.redactor(), 120),
        this.#errCtx(op),
      );
    }
    if (parsed) {
      (cfg.checkBody ?? ((b, o) => this.checkEnvelope(b, o, status)))(body, op, status, req);
      if (op.dataType) {
        try {
          body = this.#checkAnswerData(body, op, op.dataType, text ?? "");
        } catch (e) {
          // (an integer beyond 2^53 where the spec has a decimal, which no double holds)
          if (e instanceof DecimalPrecisionError && !login) this.#inexactAnswer(e, op, text ?? "", status, req);
          throw e;
        }
      }
    } else cfg.checkFile?.(body, op);
    return { status, headers, body, contentType: ct, raw };
  }

  /**
   * A success status whose answer holds a decimal no double holds (decimals: "exact"): read
   * again with each decimal as its text, for what the envelope says. The vendor's error code
   * there is that ApiError (not a complaint about one of its numbers); a success is a
   * DecimalPrecisionError that carries the answer so read as its `body` and says the server
   * accepted the request (an order placed so is not `outcomeUnknown`, and its id is at hand).
   */
  #inexactAnswer(e: DecimalPrecisionError, op: OperationMeta, text: string, status: number, req: OutgoingRequest): never {
    const cfg = this.config;
    // (an answer that gives its envelope's code twice says nothing certain: refused as such first)
    this.#checkEnvelopeOnce(op, text);
    let body: unknown;
    try {
      body = parseJson(text, { decimals: "string" });
      integersAsWritten(body, text, this.#codeFields(op));
      (cfg.checkBody ?? ((b, o) => this.checkEnvelope(b, o, status)))(body, op, status, req);
    } catch (other) {
      if (other instanceof ApiError) throw other;
      body = undefined; // (an envelope read so that is no answer to give: the error alone)
    }
    throw new DecimalPrecisionError(e.path, e.literal, this.#errCtx(op), body, !op.retryable);
  }

  /** The members an envelope's code may sit in: its own code field, and `code`. */
  #codeFields(op: OperationMeta): string[] {
    return [(envelopeOf(this.config.meta, op) ?? this.config.meta.envelope)?.codeField ?? "code", "code"];
  }

  /** A decimal no double holds (parseJson or the schema check know no operation): thrown again naming it. */
  #rethrowDecimal(e: unknown, op: OperationMeta): void {
    if (e instanceof DecimalPrecisionError) throw new DecimalPrecisionError(e.path, e.literal, this.#errCtx(op));
  }

  /**
   * What `call()` resolves to (the envelope's data field, or the whole body) must fit the
   * spec's schema, at any depth: a text where the spec has a list, or an object where an
   * order's price should be, would reach a typed caller as the promised type. Vendors send
   * null, no data or (PHP's empty array) `[]` for "nothing": where the spec has a list that is
   * an empty list; where it has an object, `[]` is an empty one if the object needs no field,
   * else nothing (null); where the operation needs its data (an order's id), an error. The body
   * comes back with that reading in place.
   */
  #checkAnswerData(body: unknown, op: OperationMeta, types: string | ReadonlyArray<string>, text: string): unknown {
    const field = envelopeOf(this.config.meta, op)?.dataField;
    const data = unwrapData(this.config.meta, op, body);
    const what = field ? `the answer's "${field}"` : "the answer";
    const list = types.includes("array");
    // (`[]` is nothing only where the spec has an object: PHP's empty map; for a text or a number it is refused)
    const nothing = data === undefined || data === null || (!list && types.includes("object") && Array.isArray(data) && data.length === 0);
    if (nothing && op.dataRequired) {
      throw new ResponseFormatError(`${what} is ${data === undefined ? "missing" : JSON.stringify(data)}, which the spec requires: what the call did cannot be read`, snippet(text, this.redactor()), this.#errCtx(op));
    }
    if (nothing) {
      // (a null the spec allows stays; a missing or null record is nothing: call() resolves null)
      if (list) return data === null && types.includes("null") ? body : withData(body, field, []);
      return Array.isArray(data) ? withData(body, field, needsFields(op.dataSchema) ? null : {}) : body;
    }
    const wrong = answerTypeProblem(data, types);
    if (wrong) throw new ResponseFormatError(`${what} ${wrong} as the spec says`, snippet(text, this.redactor()), this.#errCtx(op));
    let misfits;
    try {
      misfits = op.dataSchema && dataMisfit(data, op.dataSchema, field ?? "", { decimals: this.config.decimals, label: (p) => p || "the answer" });
    } catch (e) {
      // An integer beyond 2^53 in a decimal field that no double holds (decimals: "exact").
      this.#rethrowDecimal(e, op);
      throw e;
    }
    if (misfits) throw new ResponseFormatError(`${what} does not fit the spec: ${misfits.shown}`, snippet(text, this.redactor()), this.#errCtx(op));
    return body;
  }

  /**
   * An answer that gives its envelope's code, message or data field twice is refused: JSON.parse keeps
   * the last, so `{"code":308,…,"code":200}` would pass as a success. Looked for (a scan of the
   * text) only when one of their names is in the text twice or a name may be escaped (`\u`).
   */
  #checkEnvelopeOnce(op: OperationMeta, text: string): void {
    // The operation's envelope, else the API's (an error answer of a bare-answer operation has
    // its fields), and "code", the field of error answers the decoding falls back to.
    const env = envelopeOf(this.config.meta, op) ?? this.config.meta.envelope;
    if (!text.includes("\\u") && !envelopeNamedTwice(text, env)) return;
    const twice = repeatedTopLevelKey(text);
    if (twice !== undefined && envelopeFields(env).includes(twice)) {
      throw new ResponseFormatError(`the answer gives its envelope's "${twice}" twice: which one the server meant is not known`, snippet(text, this.redactor(), 120), this.#errCtx(op));
    }
  }

  /** Vendor envelope check from x-envelope: a non-success code becomes an ApiError subclass (`httpStatus`: the answer's status, when given). */
  checkEnvelope(body: unknown, op: OperationMeta, httpStatus?: number): void {
    checkOperationArg("checkEnvelope", op);
    const env = envelopeOf(this.config.meta, op);
    if (!env) return;
    if (!body || typeof body !== "object" || Array.isArray(body)) {
      throw new ResponseFormatError(`expected a {${env.codeField}, …} envelope`, snippet(textOf(body)), this.#errCtx(op));
    }
    const b = body as Record<string, unknown>;
    const code = b[env.codeField];
    if (code === undefined) {
      // (its fields named as such: they were shown as if the body started with them)
      const keys = Object.keys(b);
      const named = keys.slice(0, 10).map((k) => JSON.stringify(k.length > 40 ? `${k.slice(0, 40)}…` : k)).join(", ");
      const fields = keys.length ? `its fields: ${named}${keys.length > 10 ? ` and ${keys.length - 10} more` : ""}` : "it is {}";
      throw new ResponseFormatError(`envelope has no "${env.codeField}" field (${fields})`, "", this.#errCtx(op));
    }
    if (typeof code !== "string" && typeof code !== "number" && typeof code !== "bigint") {
      throw new ResponseFormatError(`envelope's "${env.codeField}" is ${aTypeName(code)}, not a code`, snippet(textOf(code)), this.#errCtx(op));
    }
    if (env.success.some((s) => String(s) === String(code))) return;
    const msg = env.messageField ? b[env.messageField] : undefined;
    throw apiErrorFromCode(
      { ...this.#errCtx(op), code: code as string | number, vendorMessage: msg === undefined || msg === null ? undefined : textOf(msg), httpStatus, body },
      this.config.meta.errorCodes,
    );
  }
}

/** An object schema that requires a field (at any depth of allOf): `[]` cannot be an empty one of it. */
const needsFields = (s: SchemaMeta | undefined): boolean => !!s && (!!s.required?.length || !!s.allOf?.some(needsFields));

/** The answer with its data read as `data`: the envelope's field set (`.GET` sees what `call()` resolves to), or the whole body. */
function withData(body: unknown, field: string | undefined, data: unknown): unknown {
  if (!field) return data;
  (body as Record<string, unknown>)[field] = data;
  return body;
}

/**
 * A header the signer set replaces the caller's of the same name in another case (`x-api-key`
 * given by hand beside the signer's `X-API-Key`): HTTP names are case-insensitive, and both
 * would be sent. `signed` is the signer's copy; the caller's headers are `given`.
 */
function signedHeadersWin(given: Readonly<Record<string, string>>, signed: Record<string, string>): void {
  for (const name of Object.keys(signed)) {
    if (given[name] === signed[name]) continue; // the caller's, unchanged
    for (const other of Object.keys(given)) if (other !== name && other.toLowerCase() === name.toLowerCase()) delete signed[other];
  }
}

/** The RedirectError for a 3xx answer to `url` (its location is redacted by the caller's Redactor). */
function redirectErrorOf(status: number, location: string | undefined, url: string, ctx: { api?: string; operation?: string }): RedirectError {
  let target = location ?? "";
  let sameOrigin = false;
  try {
    const to = new URL(target, url);
    target = to.href;
    sameOrigin = to.origin === new URL(url).origin;
  } catch {
    /* keep the raw text */
  }
  return new RedirectError(status || 302, redactUrl(target), sameOrigin, ctx);
}
