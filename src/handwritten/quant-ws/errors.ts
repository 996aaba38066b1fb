/**
 * WebSocket-specific errors of the Quant gateway client, each a subclass of the project's
 * one error tree (src/handwritten/core/errors.ts), so `instanceof ConnectionError` /
 * `ApiError` / `TimeoutError` keep working:
 *
 * ConnectionError
 * ├── ConnectionDroppedError   the socket dropped while the request was in flight; `sent`
 * │                            says whether the frame had been written (an order may exist)
 * └── SessionNotReadyError     the session is not READY (exchange link down, socket
 *                              reconnecting) and the client fails fast
 * AbortedError
 * └── ClientClosedError        close() was called while the request was pending
 * UsageError
 * ├── SessionClosedError       the session was logged out (or the client closed)
 * └── StreamOverflowError      a `stream()` loop fell `maxBuffered` events behind: the stream
 *                              ended rather than drop one (also the client's `error` event
 *                              when a login's held notifications passed their bounds)
 * StreamGapError               a session's `stream(…, { gaps: "throw" })` ended as its socket
 *                              dropped: notifications may have been missed
 * ResponseFormatError
 * └── QuantWsFrameError        a frame from the server that cannot be used (not JSON,
 *                              unknown op, missing field, reply for an unknown cid, a
 *                              state or notification no session took: "unknown-token", a
 *                              cancel_order reply's items that contradict each other or
 *                              name orders not asked for: "item-mismatch")
 * TimeoutError
 * └── CancelAllUnconfirmedError cancelAll() could not confirm every open order as CANCELED
 *                              in time, or before a drop or an abort (the gateway never
 *                              replies to a cancel-all)
 * ApiError
 * ├── QuantWsStateError        login ended with state PARAM_MISS (1)
 * │   └── UnknownPlatformError   … because the gateway does not serve the platform
 * ├── AuthError
 * │   └── QuantWsLoginRejectedError  login ended with state GENERAL_ERROR (7): the exchange
 * │                                  refused the keys (carries the gateway's message)
 * └── QuantWsServerError       the server's `{"op":"error"}` frame (carries no cid)
 * Replies with `result: false` become the ApiError subclass that the spec's
 * `x-error-messages` table names (AuthError for "Invalid token", InvalidRequestError for
 * "Do not log in repeat", ApiError otherwise): see `replyError`.
 */
import { quantWsMeta } from "../../../generated/quant-ws.js";
import {
  AbortedError,
  ApiError,
  apiErrorFromCode,
  nameErrors,
  AuthError,
  ConnectionError,
  contextOf,
  redact,
  ResponseFormatError,
  textOf,
  TimeoutError,
  TradeApiError,
  UsageError,
  type ErrorCodeInfo,
  type ErrorContext,
  type ErrorKind,
} from "../core/errors.js";

/** The `api` every quant-ws error names. */
export const API = "quant-ws";

/** The socket dropped while the request was in flight; `sent` says whether its frame had been written (an order may exist). */
export class ConnectionDroppedError extends ConnectionError {
  /** True when the request frame had been written to the socket before it dropped. */
  readonly sent: boolean;
  /** The WebSocket close code, when the socket was closed with one. */
  readonly closeCode: number | undefined;
  constructor(message: string, ctx: ErrorContext & { sent: boolean; closeCode?: number }) {
    ctx = contextOf(ctx);
    super(message, ctx);
    this.sent = ctx.sent;
    this.closeCode = ctx.closeCode;
  }
}

/** The session is not READY (exchange link down, socket reconnecting) and the request was not to wait for it (`notReady: "fail"`). */
export class SessionNotReadyError extends ConnectionError {
  /** The last state code of the session (undefined while the socket itself is down). */
  readonly stateCode: number | undefined;
  constructor(message: string, ctx: ErrorContext & { stateCode?: number | undefined }) {
    ctx = contextOf(ctx);
    super(message, ctx);
    this.stateCode = ctx.stateCode;
  }
}

/** `close()` was called while the request (or login) was pending. */
export class ClientClosedError extends AbortedError {}
/** The session was logged out (or its client closed): a request on it is refused. */
export class SessionClosedError extends UsageError {}
/** A `stream()` whose reader fell `maxBuffered` events behind: it ended rather than drop one. */
export class StreamOverflowError extends UsageError {
  /** The most events the stream held for its reader. */
  readonly maxBuffered: number;
  constructor(message: string, maxBuffered: number) {
    super(message, { api: API });
    this.maxBuffered = maxBuffered;
  }
}

/**
 * A session's `stream(topic, { gaps: "throw" })` ended because its socket dropped:
 * notifications the gateway sent while it was down (and until the session is READY again on
 * the next socket) may be missed. Re-read the state (`open_orders`, `asset`, `position`) once
 * the session is READY and open a new stream.
 */
export class StreamGapError extends TradeApiError {
  /** The event (topic) the stream followed. */
  readonly topic: string;
  constructor(message: string, topic: string) {
    super(message, { api: API, operation: "stream" });
    this.topic = topic;
  }
}

/**
 * What is wrong with a frame. "item-mismatch": a reply whose items do not match what was asked
 * (a cancel_order reply with items of one order that contradict each other, or items for orders
 * not asked for: see `QuantWsSession.cancelOrder`).
 */
export type FrameProblem = "not-json" | "unknown-op" | "missing-field" | "wrong-type" | "unknown-cid" | "unknown-token" | "op-mismatch" | "inexact-number" | "number-too-long" | "repeated-field" | "item-mismatch";

/**
 * A frame from the gateway that cannot be used (not JSON, unknown op, missing field, a reply
 * for an unknown cid, a state no session takes …): an `error` event of the client, or the
 * failure of the request it answers. `problem` says which.
 */
export class QuantWsFrameError extends ResponseFormatError {
  /** What is wrong with the frame. */
  readonly problem: FrameProblem;
  /** The missing or wrong field, when that is the problem. */
  readonly field: string | undefined;
  /** The reply's cid when it could be read (the client then fails that request at once). */
  readonly cid: string | undefined;
  /** Every cid a frame that gives its cid more than once names (the client fails each of those requests at once). */
  readonly cids: readonly string[];
  constructor(problem: FrameProblem, message: string, frameText: string, field?: string, ctx: ErrorContext & { cid?: string; cids?: readonly string[] } = {}) {
    ctx = contextOf(ctx);
    const { cids, ...rest } = ctx;
    const text = textOf(frameText);
    super(message, text.length > 200 ? `${text.slice(0, 200)}…` : text, { api: API, ...rest });
    this.problem = problem;
    this.field = field;
    this.cid = ctx.cid;
    this.cids = cids ?? (ctx.cid === undefined ? [] : [ctx.cid]);
  }
}

const STATE_KIND: Record<number, ErrorKind> = { 1: "invalid-request", 3: "unavailable", 9: "unavailable" };

/** Name of a state code from the spec ("READY" for 6), or the number as text. */
export function stateName(code: number): string {
  const key = typeof code === "number" ? String(code) : "";
  const entry = Object.hasOwn(quantWsMeta.stateCodes, key) ? (quantWsMeta.stateCodes as Record<string, { name: string } | undefined>)[key] : undefined;
  return entry ? entry.name.replace(/^STATE_CODE_/, "") : typeof code === "number" ? key : `(not a state code: ${typeof code})`;
}

function stateDescription(code: number): string | undefined {
  return typeof code === "number" ? (quantWsMeta.stateCodes as Record<string, { description: string } | undefined>)[String(code)]?.description : undefined;
}

/** What a state error may say about the login it ended (never the secret key). */
export interface LoginContext extends ErrorContext {
  platform?: string;
  /** Literal values to remove from the gateway's message (the keys of the login). */
  secrets?: ReadonlyArray<string | undefined>;
}

/** What every state error carries: the context without the login's secrets, the code, the gateway's message redacted. */
function stateFields(code: number, msg: string, ctx: LoginContext) {
  const { secrets, platform: _platform, ...rest } = ctx;
  const message = redact(msg, secrets);
  return { message, fields: { api: API, ...rest, code, vendorMessage: `state ${stateName(code)}${message ? `: ${message}` : ""}` } };
}

/**
 * A state that ended a login in progress: PARAM_MISS (1, a login parameter missing or wrong), or
 * GENERAL_ERROR (7) that does not speak of the keys (QuantWsLoginRejectedError does).
 */
export class QuantWsStateError extends ApiError {
  /** The state code that ended the login (see StateCode). */
  readonly stateCode: number;
  /** The gateway's own `msg` (redacted). */
  readonly stateMessage: string;
  constructor(code: number, msg: string, ctx: LoginContext & { meaning?: string } = {}) {
    const { meaning, ...login } = contextOf(ctx);
    const state = stateFields(code, msg, login);
    super({ ...state.fields, meaning: meaning ?? stateDescription(code), kind: (typeof code === "number" ? STATE_KIND[code] : undefined) ?? "other" });
    this.stateCode = code;
    this.stateMessage = state.message;
  }
}

/** Known platforms of the spec (`x-known-values` of login.platform): a deployment may serve others. */
export const KNOWN_PLATFORMS: readonly string[] = quantWsMeta.operations.login.fields.platform.knownValues;

/** State 1 "platform not found" during login: the gateway does not serve this platform. */
export class UnknownPlatformError extends QuantWsStateError {
  /** The platform the login asked for. */
  readonly platform: string;
  constructor(code: number, msg: string, ctx: LoginContext & { platform: string }) {
    ctx = contextOf(ctx);
    super(code, msg, {
      ...ctx,
      meaning: `this gateway does not serve platform ${JSON.stringify(textOf(ctx.platform))}; the open-source gateway serves ${KNOWN_PLATFORMS.join(", ")} (a deployment decides)`,
    });
    this.platform = ctx.platform;
  }
}

/**
 * State GENERAL_ERROR (7) while logging in, with a message about authorization: the exchange
 * refused the login (the huobi, okex and ftx adapters report rejected keys this way, after a
 * `result: true` login reply: "Websocket connection authorized failed…").
 */
export class QuantWsLoginRejectedError extends AuthError {
  /** The state code that ended the login: GENERAL_ERROR (7). */
  readonly stateCode: number;
  /** The gateway's own `msg` (redacted). */
  readonly stateMessage: string;
  constructor(code: number, msg: string, ctx: LoginContext = {}) {
    ctx = contextOf(ctx);
    const state = stateFields(code, msg, ctx);
    const platform = ctx.platform;
    super({ ...state.fields, meaning: `the exchange refused the login${platform ? ` to ${textOf(platform)}` : ""}: check access_key and secret_key`, kind: "auth" });
    this.stateCode = code;
    this.stateMessage = state.message;
  }
}

/** A state 7 message that speaks of the keys being refused (any adapter's wording). */
const AUTH_FAILURE = /auth|api[ _-]?key|access[ _-]?key|secret|\bsign(ature)?\b|passphrase|credential|permission|denied|unauthori|forbidden|login failed/i;

/** A state that ends a login in progress, as the error the caller gets (undefined: keep waiting). */
export function loginStateError(code: number, msg: string, ctx: LoginContext & { platform: string }): ApiError | undefined {
  ctx = contextOf(ctx);
  if (code === 7) {
    // The adapters also end a login with 7 for a setup step that failed ("_init_contract_info
    // error: symbol not found", "get_account_balance error"): no reason to change keys.
    return AUTH_FAILURE.test(textOf(msg))
      ? new QuantWsLoginRejectedError(code, msg, ctx)
      : new QuantWsStateError(code, msg, { ...ctx, meaning: `the gateway's exchange adapter failed while logging in to ${textOf(ctx.platform)}; the login ended` });
  }
  if (code === 1) return /platform/i.test(textOf(msg)) ? new UnknownPlatformError(code, msg, ctx) : new QuantWsStateError(code, msg, { ...ctx, meaning: `${stateDescription(code)} (login to ${textOf(ctx.platform)})` });
  return undefined;
}

/**
 * `cancelAll()` sent the cancel-all but could not confirm, within its timeout, that every
 * order open before it was cancelled: the gateway never replies to a cancel-all, so the
 * `order` notifications are the only evidence. The orders may still be cancelled. Also when
 * the socket dropped, or the caller's signal aborted, after the cancel-all was sent (the drop's
 * or the abort's error is the `cause`).
 */
export class CancelAllUnconfirmedError extends TimeoutError {
  /** Orders seen CANCELED. */
  readonly cancelled: readonly string[];
  /** Orders open before the request with no CANCELED notification yet. */
  readonly unconfirmed: readonly string[];
  constructor(message: string, ctx: ErrorContext & { timeoutMs: number; cancelled: string[]; unconfirmed: string[] }) {
    ctx = contextOf(ctx);
    super(message, ctx);
    this.cancelled = ctx.cancelled;
    this.unconfirmed = ctx.unconfirmed;
  }
}

/** The gateway's `{"op":"error"}` frame: it failed to handle a frame (it names no cid, so no request fails by it). */
export class QuantWsServerError extends ApiError {
  constructor(message: string) {
    super({ api: API, code: "error", vendorMessage: message, meaning: "the server failed to handle a frame (op: error, no cid)", kind: "other" });
  }
}
nameErrors({ ConnectionDroppedError, SessionNotReadyError, ClientClosedError, SessionClosedError, StreamOverflowError, StreamGapError, QuantWsFrameError, QuantWsStateError, UnknownPlatformError, QuantWsLoginRejectedError, CancelAllUnconfirmedError, QuantWsServerError });

/**
 * A reply with `result: false` as a typed ApiError. This API has no error codes: the spec's
 * `x-error-messages` table is keyed by the exact `error_message` text, which picks the class;
 * `code` is that text (the message reads `error_message "Invalid token" (meaning)`), and the
 * reply frame is kept as `body`.
 */
export function replyError(op: string, errorMessage: string, body: unknown): ApiError {
  const table = quantWsMeta.errorMessages as Readonly<Record<string, ErrorCodeInfo>>;
  const text = errorMessage || "(empty error_message)";
  return apiErrorFromCode({ api: API, operation: op, code: text, codeField: "error_message", body }, table);
}
