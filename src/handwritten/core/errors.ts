/**
 * The one error tree of tradeapi. Every failure a client, the CLI or an emulator raises is a
 * `TradeApiError`; callers branch on the subclasses:
 *
 * TradeApiError
 * ├── UsageError                 bad input caught before anything is sent (unknown operation,
 * │   │                          missing/invalid parameter)
 * │   └── CredentialsError       a key, secret, token or password is missing
 * ├── TransportError             the request did not complete
 * │   ├── ConnectionError        refused, reset, DNS, socket dropped
 * │   ├── TimeoutError           no answer within the timeout
 * │   ├── AbortedError           the caller aborted
 * │   └── ResponseTooLargeError  the answer was larger than `maxResponseBytes`: not read further
 * ├── HttpError                  a non-2xx HTTP status (with a body that is not a vendor error)
 * │   └── RedirectError          a 3xx answer: never followed (see the class)
 * ├── ResponseFormatError        an answer that cannot be decoded (HTML error page, bad JSON,
 * │                              truncated pipe rows, missing envelope fields)
 * └── ApiError                   the vendor answered with an error code (`code`, `vendorMessage`)
 *     ├── AuthError              key, token or signature rejected; permission denied
 *     │   └── TimestampError     the request's timestamp/nonce was outside the server's window
 *     ├── RateLimitError         too many requests
 *     ├── InsufficientFundsError
 *     ├── OrderNotFoundError
 *     ├── InvalidRequestError    the server rejected a parameter
 *     └── ServiceUnavailableError the server is busy or failed internally; try later
 *
 * An error of a call that changes state whose request may have reached the server (no answer
 * once it was sent, a dropped connection, a 5xx, a success answer that cannot be read) has
 * `outcomeUnknown: true` (see the field): look the order up before sending it again.
 *
 * Messages never contain secrets, signatures, passwords or tokens: the transport and the
 * clients pass every error through one `Redactor` (redaction.ts) holding the values the
 * request carried, before it reaches the caller. `toJSON()` gives the same redacted facts.
 */
import { copyDeep, MEMBERS, Redactor, textOf } from "./redaction.js";

export { describeAs, REDACTED, redactUrl, Redactor, secretForms, textOf, urlCredentials } from "./redaction.js";

/** What an error names besides its message: the API, the operation and the error that led to it. */
export interface ErrorContext {
  /** API name as the CLI knows it: xt, bhex, hubi, xele, quant-ws */
  api?: string;
  /** operationId from the spec, or "METHOD /path" */
  operation?: string;
  /** The underlying error (becomes the error's standard `cause`). */
  cause?: unknown;
}

/**
 * Give each error class its name as a string on its prototype. A consumer's bundler may
 * minify class names (`OrderNotFoundError` becomes `$a`), and logs, `String(e)`, stacks and
 * `e.name === "UsageError"` checks read the name. Call it once per module, after its classes.
 */
export function nameErrors(classes: Record<string, abstract new (...args: never[]) => Error>): void {
  if (classes === null || typeof classes !== "object") throw new UsageError(`nameErrors takes { Name: ErrorClass, … }, got ${typeName(classes)}`);
  for (const [name, cls] of Object.entries(classes)) {
    if (typeof cls !== "function" || !(cls.prototype instanceof Error)) throw new UsageError(`nameErrors: ${quoted(name)} is no error class`);
    Object.defineProperty(cls.prototype, "name", { value: name, writable: true, configurable: true });
  }
}

/**
 * An error class's context or init, given as anything by a JavaScript caller: an object as it
 * is, anything else as none (a constructor's TypeError would hide the error being made).
 */
export const contextOf = <T extends object>(ctx: T | null | undefined): T => (ctx !== null && typeof ctx === "object" ? ctx : ({} as T));

/**
 * The root of every error tradeapi throws (clients, CLI, emulators): `instanceof TradeApiError`
 * tells them from anything else. Its message starts with `<api> <operation>: ` when it names
 * them, and holds no secret.
 *
 *   try { await xt.call("order", p) } catch (e) { if (e instanceof TradeApiError && e.outcomeUnknown) … }
 */
export class TradeApiError extends Error {
  /** The API the error came from, as the CLI names it (xt, hubi, bhex, xele, quant-ws); undefined when none is named. */
  declare readonly api: string | undefined;
  /** The operation (the spec's operationId, or "METHOD /path") the error came from; undefined when none is named. */
  declare readonly operation: string | undefined;
  /**
   * `true` when the call was to change state (an order, a cancel, a transfer: the spec's
   * `x-retryable: false`) and failed after its request may have reached the server: the
   * connection broke or the time ran out once it was sent, the server failed (HTTP 5xx but
   * 501 and 503), or a success answer could not be read. It may have taken effect: look it
   * up (open orders, the order by its client id) before sending it again. Absent otherwise:
   * the request did not reach the server, or its answer says what happened (or the call only
   * reads).
   */
  declare readonly outcomeUnknown?: true;
  /**
   * How many attempts the call made, when it made more than one (its retries; the message
   * says it too). The error is the last attempt's.
   */
  declare readonly attempts?: number;
  /**
   * The client-generated request id the call went out under (BHEX `call()` and `callWithKey()`:
   * `client_order_id` …): what to look an order up by when `outcomeUnknown` (several calls at
   * once could not be told apart through `onIdempotencyKey`).
   */
  declare readonly idempotencyKey?: { readonly param: string; readonly value: string };
  constructor(message: string, ctx: ErrorContext = {}) {
    ctx = contextOf(ctx);
    super(prefix(ctx) + printable(message), ctx.cause === undefined ? undefined : { cause: ctx.cause });
    // Assigned in this order, as class fields would have defined them (api, operation, then name).
    this.api = ctx.api;
    this.operation = ctx.operation;
    // The name given by nameErrors (a minifier renames classes: new.target.name may be "$a").
    this.name = Object.hasOwn(new.target.prototype, "name") ? (new.target.prototype as Error).name : new.target.name;
  }

  /** name, message and the error's own fields (already redacted), for JSON logs. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, message: this.message };
    for (const [k, v] of Object.entries(this)) if (v !== undefined) out[k] = jsonSafe(v);
    const cause = (this as { cause?: unknown }).cause;
    if (cause !== undefined) out.cause = cause instanceof TradeApiError ? cause.toJSON() : cause instanceof Error ? { name: cause.name, message: cause.message } : cause;
    return out;
  }
}

/** What the message of an error with `outcomeUnknown` ends with. */
export const OUTCOME_UNKNOWN_NOTE = "; the request may have reached the server and taken effect: look it up before sending it again";

/** Give `e` the field `name` (enumerable, read-only) and the message `message` (in a stack already formatted too). */
function addFact(e: TradeApiError, name: "outcomeUnknown" | "attempts" | "clockSkewMs", value: unknown, message: string): void {
  const head = `${e.name}: ${e.message}`;
  const stack = e.stack;
  e.message = message;
  Object.defineProperty(e, name, { value, enumerable: true });
  if (stack?.startsWith(head)) e.stack = `${e.name}: ${e.message}${stack.slice(head.length)}`;
}

/** What errorForCall leaves out of a call's copy: its own message, stack and cause, and the facts of the call that met the error. */
const CALL_FACTS = new Set(["stack", "message", "cause", "attempts", "idempotencyKey", "outcomeUnknown"]);

/** Errors thrown to more than one caller (markShared): no call's facts are added to them. */
const SHARED = new WeakSet<object>();

/**
 * Mark `e` as an error given to more than one caller (a closed session's end, thrown to every
 * request after it): markOutcomeUnknown and markAttempts leave it as it is, as one call's
 * attempts or outcome would be wrong for the others.
 */
export function markShared<E>(e: E): E {
  if (e !== null && typeof e === "object") SHARED.add(e);
  return e;
}

/**
 * One call's own copy of an error several callers meet (a shared login's failure, a session's
 * end): of the same class, with the same fields, naming the call's operation, its message
 * `<api> <operation>: <lead><the error's message>`, the error as its cause. Each caller gets its
 * own object (one caller's marks or changes reach no other), and each names what its caller
 * ran. The facts of the call that met it (its attempts, its idempotency key, its outcome) are
 * not the caller's: they stay on the cause. Anything but a TradeApiError is given back as it is.
 */
export function errorForCall<E>(e: E, ctx: ErrorContext, lead: string): E {
  if (!(e instanceof TradeApiError)) return e;
  const copy = Object.create(Object.getPrototypeOf(e) as object) as TradeApiError;
  for (const k of Object.getOwnPropertyNames(e)) {
    if (!CALL_FACTS.has(k)) Object.defineProperty(copy, k, Object.getOwnPropertyDescriptor(e, k)!);
  }
  const own = prefix(e);
  let text = e.message.startsWith(own) ? e.message.slice(own.length) : e.message;
  if (e.outcomeUnknown && text.endsWith(OUTCOME_UNKNOWN_NOTE)) text = text.slice(0, -OUTCOME_UNKNOWN_NOTE.length);
  const message = `${prefix(ctx)}${lead}${text}`;
  const hidden = (value: unknown) => ({ value, writable: true, configurable: true, enumerable: false });
  Object.defineProperties(copy, { message: hidden(message), cause: hidden(e), operation: { value: ctx.operation, writable: true, configurable: true, enumerable: true } });
  Error.captureStackTrace(copy, errorForCall);
  return copy as E;
}

/** The code of the RateLimitError of a call the client held back within a server's Retry-After (nothing was sent). */
export const RETRY_AFTER_HOLD = "retry-after";

/** Give `e` (a TradeApiError of one call) the idempotency key its call went out under; anything else as it is. */
export function markIdempotencyKey<E>(e: E, key: { param: string; value: string }): E {
  if (e instanceof TradeApiError && e.idempotencyKey === undefined && !SHARED.has(e)) Object.defineProperty(e, "idempotencyKey", { value: { param: key.param, value: key.value }, enumerable: true });
  return e;
}

/** Mark `e` (a TradeApiError) `outcomeUnknown`, its message (and a stack already formatted) saying so; anything else as it is. */
export function markOutcomeUnknown<E>(e: E): E {
  if (e instanceof TradeApiError && !e.outcomeUnknown && !SHARED.has(e)) addFact(e, "outcomeUnknown", true, e.message + OUTCOME_UNKNOWN_NOTE);
  return e;
}

/** The least difference of clocks a refusal names (a Date header counts whole seconds). */
const CLOCK_SKEW_NOTED_MS = 5_000;

/**
 * A refusal (ApiError of kind auth, timestamp or invalid-request) of a request signed with the
 * time of `clock` (XT's nonce, Hubi's timestamp), from a server whose answer's Date header is 5 s
 * or more away from it: its `clockSkewMs` (the server's clock minus ours), and its message says so
 * and what to do. Anything else as it is.
 */
export function markClockSkew<E>(e: E, dateHeader: string | undefined, clock: () => number = Date.now): E {
  if (!(e instanceof ApiError) || e.clockSkewMs !== undefined || SHARED.has(e) || typeof dateHeader !== "string") return e;
  if (e.kind !== "auth" && e.kind !== "timestamp" && e.kind !== "invalid-request") return e;
  let ours: unknown;
  try {
    ours = clock();
  } catch {
    return e; // (a clock that fails fails the next signing, with its own error)
  }
  // (the header's second began up to 1 s before the answer was written: its middle)
  const skew = typeof ours === "number" ? httpDateMs(dateHeader.trim()) + 500 - ours : Number.NaN;
  if (!(Math.abs(skew) >= CLOCK_SKEW_NOTED_MS)) return e;
  const by = `${Math.round(Math.abs(skew) / 1000)} s ${skew > 0 ? "ahead of" : "behind"}`;
  addFact(e, "clockSkewMs", Math.round(skew), `${e.message}; the server's clock is ${by} this machine's (its answer's Date header), and a signed request carries this machine's time: set the clock right, or give the client a \`now\` that adds the difference`);
  return e;
}

/**
 * The error `e` (a TradeApiError) ended a call of `n` attempts: with more than one, its
 * `attempts` says how many, and its message after the operation's name ("xt getTicker: after
 * 3 attempts: no answer within 10000 ms": the failure named is the last attempt's); anything
 * else as it is.
 */
export function markAttempts<E>(e: E, n: number): E {
  if (e instanceof TradeApiError && n > 1 && e.attempts === undefined && !SHARED.has(e)) {
    const head = prefix(e);
    const at = e.message.startsWith(head) ? head.length : 0;
    addFact(e, "attempts", n, `${e.message.slice(0, at)}after ${n} attempts: ${e.message.slice(at)}`);
  }
  return e;
}

/**
 * Deepest nesting `toJSON()` writes out: `JSON.stringify` recurses, and a server's body nested
 * a few thousand levels deep would make it throw (a RangeError out of a logger). The error's
 * `body` keeps every level.
 */
const MAX_JSON_DEPTH = 1000;

/** bigints as decimal text (JSON.stringify throws on them), bytes as their length, nesting cut at MAX_JSON_DEPTH. */
const jsonSafe = (v: unknown): unknown =>
  copyDeep(v, (x, _key, depth) =>
    typeof x === "bigint" ? String(x)
    : x instanceof Uint8Array ? { bytes: x.byteLength }
    : x === null || typeof x !== "object" || x instanceof Error ? x
    : depth >= MAX_JSON_DEPTH ? `(nested deeper than ${MAX_JSON_DEPTH} levels: see the error's own field)`
    : MEMBERS,
  );

/**
 * Characters a terminal or a log line would act on rather than show: C0 controls (line breaks
 * included: a message is one line), DEL, C1 controls, and the bidirectional overrides and
 * marks that reorder what a reader sees.
 */
export const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const UNPRINTABLE_ALL = new RegExp(UNPRINTABLE.source, "g");
const ESCAPES: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
/** `\uXXXX` for one UTF-16 unit. */
export const unicodeEscape = (c: string): string => {
  const t = textOf(c);
  return t === "" ? "" : `\\u${t.charCodeAt(0).toString(16).padStart(4, "0")}`;
};

/**
 * `text` with each unprintable character written as an escape (`\n`, `\u001b`, `\u202e`):
 * what a server sends shows in an error message as text and cannot move a terminal's cursor,
 * set its title, forge a log line or reorder what is read. The error's fields keep it raw.
 */
export function printable(text: string): string {
  if (typeof text !== "string") text = textOf(text);
  return UNPRINTABLE.test(text) ? text.replace(UNPRINTABLE_ALL, (c) => ESCAPES[c] ?? unicodeEscape(c)) : text;
}

/** A value's type for a message about a wrong argument: `typeof`, with `null` named as such. */
export const typeName = (v: unknown): string => (v === null ? "null" : typeof v);

/** A text in a message: quoted, cut after 60 characters (a server's field or a caller's key can be megabytes). */
export const quoted = (s: string): string => {
  const t = textOf(s);
  return JSON.stringify(t.length > 60 ? `${t.slice(0, 60)}…` : t);
};

/** A wrong option's value for a message: a string quoted, a number as written, anything else by its type. */
export const shownValue = (v: unknown): string => (typeof v === "string" ? JSON.stringify(v) : typeof v === "number" ? String(v) : typeName(v));

/** The same with its article, and arrays told apart: "an object", "an array", "a string", "null". */
export const aTypeName = (v: unknown): string =>
  Array.isArray(v) ? "an array" : v === null || v === undefined ? String(v) : typeof v === "object" ? "an object" : `a ${typeof v}`;

/** What an error's message starts with: "xt order: ", "xt: " or nothing (the CLI words some problems itself). */
export function prefix(ctx: ErrorContext): string {
  const { api, operation } = ctx ?? {};
  // Text only: an operation a caller gave as an object (String() of a null-prototype one throws) is left out.
  if (!api || typeof api !== "string") return "";
  return operation && typeof operation === "string" ? `${api} ${operation}: ` : `${api}: `;
}

/**
 * Bad input caught before anything was sent: an unknown operation or option, a missing or
 * invalid parameter, a wrong argument. Nothing reached the server; fix the call.
 */
export class UsageError extends TradeApiError {}
/** A credential (key, secret, token, password) is missing: says which option or env var supplies it. */
export class CredentialsError extends UsageError {}

/** The request did not complete: see ConnectionError, TimeoutError, AbortedError and ResponseTooLargeError. */
export class TransportError extends TradeApiError {}
/** The connection failed: refused, reset, DNS failure, socket dropped. */
export class ConnectionError extends TransportError {}
/** No answer within the timeout (the client's `timeoutMs`, or the call's own). */
export class TimeoutError extends TransportError {
  /** The timeout that ran out, in ms (undefined when the error does not name one). */
  declare readonly timeoutMs: number | undefined;
  constructor(message: string, ctx: ErrorContext & { timeoutMs?: number } = {}) {
    ctx = contextOf(ctx);
    super(message, ctx);
    this.timeoutMs = ctx.timeoutMs;
  }
}
/** The call was aborted through a `signal` (the call's or the client's); its `cause` is the signal's reason. */
export class AbortedError extends TransportError {}
/**
 * An answer larger than the client's `maxResponseBytes` (default 64 MiB): reading stopped at
 * the limit (or at once, from its Content-Length) instead of filling the memory. Not retried.
 */
export class ResponseTooLargeError extends TransportError {
  /** The limit the answer passed, in bytes. */
  declare readonly maxResponseBytes: number;
  constructor(message: string, ctx: ErrorContext & { maxResponseBytes: number }) {
    ctx = contextOf(ctx);
    super(message, ctx);
    this.maxResponseBytes = ctx.maxResponseBytes;
  }
}
/**
 * The AbortedError of a call whose signal the caller aborted (one wording wherever the wait
 * was); its `cause` is the signal's reason (`ac.abort(reason)`, or a timeout signal's
 * TimeoutError), so a caller can tell its shutdown from its own deadline.
 */
export const callerAborted = (ctx: ErrorContext = {}, reason?: unknown): AbortedError =>
  new AbortedError("request aborted by the caller", reason === undefined ? ctx : { ...ctx, cause: reason });

/** How an error's message says the answer's Retry-After. */
// (a wait read as the longest, 2^31-1 ms, may be any longer one: "after 2147483.647 s" was not what the server asked)
const retryAfterText = (ms: number): string => (typeof ms !== "number" ? "" : ms >= MAX_RETRY_AFTER_MS ? "(the server asks to retry after 24.8 days or more)" : `(the server asks to retry after ${ms / 1000} s)`);

/**
 * A non-2xx HTTP answer whose body is not a vendor error (an error code in the body is an
 * ApiError instead): a proxy's or gateway's error page, a 404 of a wrong base URL, a bare 5xx.
 */
export class HttpError extends TradeApiError {
  /** The answer's HTTP status. */
  declare readonly status: number;
  /** First 200 characters of the body, redacted. */
  declare readonly bodySnippet: string;
  /** The answer's Retry-After, in ms from when it arrived (present only when the server sent one). */
  declare readonly retryAfterMs?: number;
  constructor(status: number, bodySnippet: string, ctx: ErrorContext & { message?: string; retryAfterMs?: number | undefined } = {}) {
    ctx = contextOf(ctx);
    const after = ctx.retryAfterMs === undefined ? "" : ` ${retryAfterText(ctx.retryAfterMs)}`;
    super(ctx.message ?? `HTTP ${textOf(status)}${bodySnippet ? `: ${textOf(bodySnippet)}` : ""}${after}`, ctx);
    this.status = status;
    this.bodySnippet = bodySnippet;
    if (ctx.retryAfterMs !== undefined) (this as { retryAfterMs?: number }).retryAfterMs = ctx.retryAfterMs;
  }
}

/** An HTTP date (RFC 9110: IMF-fixdate, RFC 850 or asctime, all GMT) in ms; NaN for text that is none. */
function httpDateMs(text: string): number {
  // (a date has its time of day: Date.parse reads much that is no date, "soon, 4" among it;
  // asctime names no zone, and Date.parse would read it in the machine's own)
  if (!/[a-z]/i.test(text) || !/\d\d:\d\d:\d\d/.test(text)) return Number.NaN;
  return Date.parse(/\b(?:GMT|UTC?)\b|[+-]\d{4}\b/i.test(text) ? text : `${text} GMT`);
}

/** The longest wait a Retry-After is read as (about 24.8 days, the most a timer waits): a bigger one is that. */
const MAX_RETRY_AFTER_MS = 2 ** 31 - 1;

/**
 * An answer's Retry-After header as ms from `now`: delay-seconds or an HTTP date (RFC 9110);
 * undefined when absent or unreadable. A date in the past is 0. A header sent more than once
 * arrives joined with ", " (an HTTP date holds a comma of its own: "Wed, 21 Oct 2026 …"): the
 * longest wait of the values that can be read. With `dateHeader`, the answer's Date header, a
 * date is counted from the server's clock, not this machine's (a server 5 minutes ahead asked
 * for 10 s and the client held its calls for 5 minutes; one behind was retried at once).
 */
export function retryAfterMsOf(header: string | undefined, now = Date.now(), dateHeader?: string): number | undefined {
  if (typeof now !== "number" || !Number.isFinite(now)) throw new UsageError(`retryAfterMsOf takes the time now in ms (a finite number), got ${typeof now === "number" ? now : typeName(now)}`);
  if (typeof header !== "string") return undefined;
  const sent = typeof dateHeader === "string" ? httpDateMs(dateHeader.trim()) : Number.NaN;
  const from = Number.isNaN(sent) ? now : sent;
  let most: number | undefined;
  for (const value of header.match(/\s*(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,[^,]*|[^,]+/gi) ?? []) {
    const text = value.trim();
    const wait = /^\d+$/.test(text) ? Number(text) * 1000 : httpDateMs(text) - from;
    if (!Number.isNaN(wait) && !(most! >= wait)) most = Math.min(MAX_RETRY_AFTER_MS, Math.max(0, wait));
  }
  return most;
}

/** The Retry-After an error carries (HttpError, or an ApiError from a non-2xx answer), if any. */
export const retryAfterOf = (e: unknown): number | undefined => (e instanceof HttpError || e instanceof ApiError ? e.retryAfterMs : undefined);

/**
 * A 3xx answer. tradeapi never follows redirects: a request carries credentials (keys,
 * signature, token, password), following it to another origin would hand them to that
 * origin, and following it within the origin would send a possibly state-changing request
 * (an order) a second time, to a path its signature was not made for. None of the vendors
 * documents a redirect: one means a wrong base URL (http instead of https, a missing path
 * prefix, a proxy's login page). `location` is where it pointed (redacted). A 303 (See
 * Other) says the server handled the request: a call that changes state answered so is
 * `outcomeUnknown`.
 */
export class RedirectError extends HttpError {
  /** The answer's Location header, redacted ("" when it sent none). */
  declare readonly location: string;
  /** Whether `location` is on the base URL's own origin. */
  declare readonly sameOrigin: boolean;
  constructor(status: number, location: string, sameOrigin: boolean, ctx: ErrorContext = {}) {
    const see = textOf(status) === "303";
    super(status, "", {
      ...contextOf(ctx),
      message:
        `HTTP ${textOf(status)} redirect to ${location ? textOf(location) : "(no location)"} not followed: tradeapi never follows redirects ` +
        `(${see ? "a 303 says the server handled the request and shows its result there; " : ""}${sameOrigin ? (see ? "tradeapi does not read it" : "it would resend the request") : "it would send the credentials to another origin"}); ` +
        `if the API moved, use that address as the base URL`,
    });
    this.location = location;
    this.sameOrigin = sameOrigin;
  }
}

/**
 * An answer that cannot be decoded as the vendor's document says it looks: an HTML error page,
 * bad JSON, truncated "|" rows, an envelope without its fields.
 */
export class ResponseFormatError extends TradeApiError {
  /** The start of the body (redacted; "" when none is shown). */
  declare readonly bodySnippet: string;
  constructor(message: string, bodySnippet: string, ctx: ErrorContext = {}) {
    super(`${textOf(message)}${bodySnippet ? ` (body starts: ${JSON.stringify(textOf(bodySnippet))})` : ""}`, ctx);
    this.bodySnippet = bodySnippet;
  }
}

/** What a spec's `x-error-codes` says about one code. */
export interface ErrorCodeInfo {
  /** The vendor's own text for the code. */
  message?: string;
  /** What the code means, in English. */
  meaning?: string;
  /** The error class the code is thrown as (see ErrorKind). */
  kind?: ErrorKind;
  /** The code's name, where the vendor's document gives one. */
  name?: string;
  /** Anything else a spec records about the code (e.g. `success: true`). */
  [extra: string]: unknown;
}
/**
 * What an ApiError's code means, as the spec's error table classifies it; each kind has its
 * class (auth: AuthError, timestamp: TimestampError, rate-limit: RateLimitError,
 * insufficient-funds: InsufficientFundsError, order-not-found: OrderNotFoundError,
 * invalid-request: InvalidRequestError, unavailable: ServiceUnavailableError, other: ApiError).
 */
export type ErrorKind =
  | "auth"
  | "timestamp"
  | "rate-limit"
  | "insufficient-funds"
  | "order-not-found"
  | "invalid-request"
  | "unavailable"
  | "other";

/** What `new ApiError(…)` (and each subclass) takes. */
export interface ApiErrorInit extends ErrorContext {
  /** The vendor's error code. */
  code: string | number;
  /**
   * The vendor's field the code is, when that is not a code but a text (quant-ws's
   * `error_message`): the message then reads `error_message "Invalid token"`, not `code Invalid token`.
   */
  codeField?: string | undefined;
  /** The vendor's message, as the answer gave it. */
  vendorMessage?: string | undefined;
  /** The documented meaning (English) from the spec's error table, if the code is listed. */
  meaning?: string | undefined;
  /** The kind of an ApiError (a subclass has its own, whatever this says); default "other". */
  kind?: ErrorKind | undefined;
  /** The HTTP status of the answer that carried the code. */
  httpStatus?: number | undefined;
  /** The answer's Retry-After in ms (a non-2xx answer that sent one). */
  retryAfterMs?: number | undefined;
  /** The decoded error body, for callers that need more (redacted like the message before it reaches the caller). */
  body?: unknown;
}

/**
 * The vendor answered with an error code. The subclass says what kind of failure it is (from
 * the spec's error table: see ErrorKind); an ApiError itself is a code of kind "other", or
 * one the table does not list.
 *
 *   catch (e) { if (e instanceof ApiError) console.log(e.code, e.vendorMessage, e.meaning) }
 */
export class ApiError extends TradeApiError {
  /** The vendor's error code, as the answer gave it (a number or a text; digits beyond 2^53 as text). */
  declare readonly code: string | number;
  /** The vendor's message for it, as the answer gave it (undefined when it gave none). */
  declare readonly vendorMessage: string | undefined;
  /** What the code means in English, from the spec's error table (undefined for a code it does not list). */
  declare readonly meaning: string | undefined;
  /** The kind of failure (see ErrorKind); each subclass has its own. */
  declare readonly kind: ErrorKind;
  /**
   * The HTTP status of the answer that carried the code: 200 for a vendor error inside a 200
   * answer (most vendors answer errors so), the error status otherwise; undefined when no HTTP
   * answer carried it (quant-ws frames, a call the client held back within a Retry-After).
   */
  declare readonly httpStatus: number | undefined;
  /** The answer's Retry-After, in ms from when it arrived (present only when the server sent one). */
  declare readonly retryAfterMs?: number;
  /**
   * How far the server's clock (its answer's Date header) is ahead of the one a signed request's
   * time came from (negative: behind), on a refusal of a request signed with the time (XT,
   * Hubi), when 5 s or more: the likely cause of the refusal.
   */
  declare readonly clockSkewMs?: number;
  /** The decoded error answer (redacted), for fields the other ones do not carry. */
  declare readonly body: unknown;
  constructor(init: ApiErrorInit) {
    init = contextOf(init);
    const code = shown(textOf(init.code), "code");
    const parts = [init.codeField ? `${textOf(init.codeField)} ${JSON.stringify(code)}` : `code ${code}`];
    if (init.vendorMessage) parts.push(shown(textOf(init.vendorMessage), "vendorMessage"));
    if (init.meaning && init.meaning !== init.vendorMessage) parts.push(`(${textOf(init.meaning)})`);
    const status = init.httpStatus;
    if (typeof status === "number" && (status === 429 || status >= 500)) parts.push(`(HTTP ${status})`);
    if (init.retryAfterMs !== undefined) parts.push(retryAfterText(init.retryAfterMs));
    super(parts.join(" "), init);
    // A code beyond 2^53 (read exactly, a bigint) is its digits: the type says string | number,
    // and a consumer's own JSON.stringify of a bigint throws.
    this.code = typeof init.code === "bigint" ? String(init.code) : init.code;
    this.vendorMessage = init.vendorMessage;
    this.meaning = init.meaning;
    // The kind of its class, whatever init says (`new RateLimitError({ code })` said "other"); an
    // ApiError, or a class of its own below it, takes init's.
    const own = kindOfClass(new.target);
    this.kind = own !== "other" ? own : (init.kind ?? "other");
    this.httpStatus = init.httpStatus;
    this.body = init.body;
    if (init.retryAfterMs !== undefined) (this as { retryAfterMs?: number }).retryAfterMs = init.retryAfterMs;
  }
}

/** Longest server text an error's message shows whole; `code` and `vendorMessage` keep all of it. */
export const MAX_SHOWN_TEXT = 1_000;

/**
 * Server text as an error message shows it: a text longer than MAX_SHOWN_TEXT is cut, and the
 * cut says how much is left out (the "…" also tells the redactor a secret may be cut there).
 */
function shown(text: string, field: string): string {
  return text.length > MAX_SHOWN_TEXT ? `${text.slice(0, MAX_SHOWN_TEXT)}… (${text.length - MAX_SHOWN_TEXT} more characters in error.${field})` : text;
}

// Each class's `kind` typed as the one it stands for: `e.kind === "rate-limit"` narrows, and one
// class is no other's type (an OrderNotFoundError passed where a RateLimitError is wanted).
/** The key, token or signature was rejected, or the key lacks the permission. */
export class AuthError extends ApiError {
  /** "auth", or "timestamp" for a TimestampError. */
  declare readonly kind: "auth" | "timestamp";
}
/** The request's timestamp or nonce was outside the server's window (see `clockSkewMs`). */
export class TimestampError extends AuthError {
  /** Always "timestamp". */
  declare readonly kind: "timestamp";
}
/**
 * Too many requests: a vendor code for it, a code the table does not classify in an HTTP 429
 * answer, or (code "retry-after", nothing sent) a call the client held back while a server's
 * Retry-After lasted. See `retryAfterMs`.
 */
export class RateLimitError extends ApiError {
  /** Always "rate-limit". */
  declare readonly kind: "rate-limit";
}
/** The account's balance or margin does not cover the request. */
export class InsufficientFundsError extends ApiError {
  /** Always "insufficient-funds". */
  declare readonly kind: "insufficient-funds";
}
/** The order named does not exist (or is no longer open, where the vendor answers so). */
export class OrderNotFoundError extends ApiError {
  /** Always "order-not-found". */
  declare readonly kind: "order-not-found";
}
/** The server rejected a parameter or the request's form. */
export class InvalidRequestError extends ApiError {
  /** Always "invalid-request". */
  declare readonly kind: "invalid-request";
}
/** The server is busy or failed internally (a vendor code for it, or a code the table does not classify in an HTTP 5xx answer): try later. */
export class ServiceUnavailableError extends ApiError {
  /** Always "unavailable". */
  declare readonly kind: "unavailable";
}
nameErrors({ TradeApiError, UsageError, CredentialsError, TransportError, ConnectionError, TimeoutError, AbortedError, ResponseTooLargeError, HttpError, RedirectError, ResponseFormatError, ApiError, AuthError, TimestampError, RateLimitError, InsufficientFundsError, OrderNotFoundError, InvalidRequestError, ServiceUnavailableError });

const BY_KIND: Record<ErrorKind, new (init: ApiErrorInit) => ApiError> = {
  auth: AuthError,
  timestamp: TimestampError,
  "rate-limit": RateLimitError,
  "insufficient-funds": InsufficientFundsError,
  "order-not-found": OrderNotFoundError,
  "invalid-request": InvalidRequestError,
  unavailable: ServiceUnavailableError,
  other: ApiError,
};

/** The kind a class stands for (the nearest of BY_KIND's classes it is), "other" for ApiError and its own kinds. */
function kindOfClass(cls: unknown): ErrorKind {
  for (let c = cls as { prototype?: unknown } | null; c && c !== ApiError; c = Object.getPrototypeOf(c) as typeof c) {
    for (const k in BY_KIND) if (BY_KIND[k as ErrorKind] === c) return k as ErrorKind;
  }
  return "other";
}

/** The spec's error kinds (`x-error-codes` … `kind`), each picking its class: the generator checks a spec's against them. */
export const errorKinds = (): ErrorKind[] => Object.keys(BY_KIND) as ErrorKind[];

/**
 * The one factory that picks the error class for a vendor code, from the spec's error table
 * (`x-error-codes`): `kind` picks the subclass, `meaning` is carried on the error.
 */
export function apiErrorFromCode(
  init: Omit<ApiErrorInit, "meaning" | "kind">,
  table: Readonly<Record<string, ErrorCodeInfo>> | undefined,
  /** The status is the operation's documented failure answer (`x-definite-failure`): it says nothing of the server's health. */
  definiteFailure = false,
): ApiError {
  if (init === null || typeof init !== "object") throw new UsageError(`apiErrorFromCode takes { api, operation, code, … }, got ${typeName(init)}`);
  const key = textOf(init.code);
  const info = table && Object.hasOwn(table, key) ? table[key] : undefined;
  // A code the table gives no kind, in an answer whose HTTP status says what it is (and so is retried).
  const status = init.httpStatus ?? 0;
  // (a documented failure status says what happened only with a code of the table: a crash page's {status: 500} is none)
  const byStatus = definiteFailure && info ? undefined : status === 429 ? "rate-limit" : status >= 500 ? "unavailable" : undefined;
  const kind = info?.kind && info.kind !== "other" ? info.kind : (byStatus ?? "other");
  const Cls = BY_KIND[kind] ?? ApiError;
  return new Cls({ ...init, meaning: info?.meaning ?? info?.message, kind });
}

/**
 * Remove secrets from a text that may end up in an error message or a log: the literal
 * `secrets` in every form a server may echo them in, and values named like secrets
 * (`signature=…`, `"token":"…"`, `X-API-Signature: …`, bearer tokens, URL passwords).
 */
export function redact(text: string, secrets: ReadonlyArray<string | undefined> | Redactor = []): string {
  return (secrets instanceof Redactor ? secrets : new Redactor(secrets)).text(textOf(text));
}

/**
 * A short, redacted excerpt of a body for error messages, its whitespace runs as one space:
 * redacted before it is cut, and before its line breaks become spaces (a secret a server
 * wrapped is found across them). Only the start that can reach into the excerpt is redacted
 * (the longest secret form twice past it, and a margin for `name=value`), not a page of
 * megabytes: a 60 MB error page took seconds.
 */
export function snippet(body: string, secrets: ReadonlyArray<string | undefined> | Redactor = [], max = 200): string {
  if (typeof max !== "number" || !(max >= 0)) throw new UsageError(`snippet's max must be a number of characters, 0 or more, got ${shownValue(max)}`);
  const redactor = secrets instanceof Redactor ? secrets : new Redactor(secrets);
  let text = textOf(body);
  const end = flatEnd(text, max + 2 * redactor.longest + 256);
  const cut = end < text.length;
  if (cut) text = text.slice(0, end);
  const flat = redactor.text(text).replace(/\s+/g, " ").trim();
  return flat.length > max || cut ? redactor.text(`${flat.slice(0, max)}…`) : flat;
}

/** Where in `text` the first `n` characters end, a run of whitespace counted as one (at most the text's length). */
function flatEnd(text: string, n: number): number {
  if (text.length <= n) return text.length;
  const ws = /\s+/y;
  let i = 0;
  for (let count = 0; i < text.length && count < n; count++) {
    const c = text.charCodeAt(i);
    if (c > 32 && c < 127) i++;
    else {
      ws.lastIndex = i;
      i = ws.test(text) ? ws.lastIndex : i + 1;
    }
  }
  return i;
}
