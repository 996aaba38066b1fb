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
 * └── SessionClosedError       the session was logged out (or the client closed)
 * ResponseFormatError
 * └── QuantWsFrameError        a frame from the server that cannot be used (not JSON,
 *                              unknown op, missing field, reply for an unknown cid)
 * ApiError
 * ├── QuantWsStateError        login ended with a state such as PARAM_MISS (1) or
 * │                            CONNECT_FAILED (3)
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
  ConnectionError,
  ResponseFormatError,
  UsageError,
  type ErrorCodeInfo,
  type ErrorContext,
  type ErrorKind,
} from "../core/errors.js";

export const API = "quant-ws";

export class ConnectionDroppedError extends ConnectionError {
  /** True when the request frame had been written to the socket before it dropped. */
  readonly sent: boolean;
  readonly closeCode: number | undefined;
  constructor(message: string, ctx: ErrorContext & { sent: boolean; closeCode?: number }) {
    super(message, ctx);
    this.sent = ctx.sent;
    this.closeCode = ctx.closeCode;
  }
}

export class SessionNotReadyError extends ConnectionError {
  /** The last state code of the session (undefined while the socket itself is down). */
  readonly stateCode: number | undefined;
  constructor(message: string, ctx: ErrorContext & { stateCode?: number | undefined }) {
    super(message, ctx);
    this.stateCode = ctx.stateCode;
  }
}

export class ClientClosedError extends AbortedError {}
export class SessionClosedError extends UsageError {}

export type FrameProblem = "not-json" | "unknown-op" | "missing-field" | "unknown-cid" | "op-mismatch" | "inexact-number";

export class QuantWsFrameError extends ResponseFormatError {
  readonly problem: FrameProblem;
  /** The missing or wrong field, when that is the problem. */
  readonly field: string | undefined;
  /** The reply's cid when it could be read (the client then fails that request at once). */
  readonly cid: string | undefined;
  constructor(problem: FrameProblem, message: string, frameText: string, field?: string, ctx: ErrorContext & { cid?: string } = {}) {
    super(message, frameText.length > 200 ? `${frameText.slice(0, 200)}…` : frameText, { api: API, ...ctx });
    this.problem = problem;
    this.field = field;
    this.cid = ctx.cid;
  }
}

const STATE_KIND: Record<number, ErrorKind> = { 1: "invalid-request", 3: "unavailable", 7: "other", 9: "unavailable" };

/** Name of a state code from the spec ("READY" for 6), or the number as text. */
export function stateName(code: number): string {
  const entry = (quantWsMeta.stateCodes as Record<string, { name: string } | undefined>)[String(code)];
  return entry ? entry.name.replace(/^STATE_CODE_/, "") : String(code);
}

export class QuantWsStateError extends ApiError {
  readonly stateCode: number;
  constructor(code: number, msg: string, ctx: ErrorContext = {}) {
    const info = (quantWsMeta.stateCodes as Record<string, { description: string } | undefined>)[String(code)];
    super({
      api: API,
      ...ctx,
      code,
      vendorMessage: `state ${stateName(code)}${msg ? `: ${msg}` : ""}`,
      meaning: info?.description,
      kind: STATE_KIND[code] ?? "other",
    });
    this.stateCode = code;
  }
}

export class QuantWsServerError extends ApiError {
  constructor(message: string) {
    super({ api: API, code: "error", vendorMessage: message, meaning: "the server failed to handle a frame (op: error, no cid)", kind: "other" });
  }
}

/**
 * A reply with `result: false` as a typed ApiError. This API has no error codes: the spec's
 * `x-error-messages` table is keyed by the exact `error_message` text, which picks the class;
 * `code` is that text (so the message reads "code Invalid token (meaning)"), and the reply
 * frame is kept as `body`.
 */
export function replyError(op: string, errorMessage: string, body: unknown): ApiError {
  const table = quantWsMeta.errorMessages as Readonly<Record<string, ErrorCodeInfo>>;
  const text = errorMessage || "(empty error_message)";
  return apiErrorFromCode({ api: API, operation: op, code: text, body }, table);
}
