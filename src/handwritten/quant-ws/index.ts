/// <reference types="node" preserve="true" />
/** `tradeapi/quant-ws`: the Quant trading gateway WebSocket client. */
export * from "./client.js";
export {
  ConnectionDroppedError,
  SessionNotReadyError,
  ClientClosedError,
  SessionClosedError,
  StreamOverflowError,
  StreamGapError,
  QuantWsFrameError,
  QuantWsStateError,
  UnknownPlatformError,
  QuantWsLoginRejectedError,
  CancelAllUnconfirmedError,
  QuantWsServerError,
  stateName,
  KNOWN_PLATFORMS,
  type FrameProblem,
  type LoginContext,
} from "./errors.js";
export {
  QuantWsSession,
  type CancelAllOutcome,
  type CancelOrderOutcome,
  type Platform,
  type NotReadyPolicy,
  type QuantWsLogin,
  type QuantWsSessionEvents,
  type RequestFields,
  type RequestOptions,
  type SessionOp,
  type SessionStateEvent,
} from "./session.js";
export type { StreamOptions } from "./events.js";
export { decodeFrame, type IncomingFrame, type RequestOp, type Topic } from "./frames.js";
export { quantWsMeta, StateCode } from "../../../generated/quant-ws.js";
export type * from "../../../generated/quant-ws.js";
// The error tree (as the root exports it), so that a service importing only this subpath can
// tell the errors apart with instanceof.
export {
  TradeApiError, UsageError, CredentialsError, TransportError, ConnectionError, TimeoutError, AbortedError, ResponseTooLargeError, HttpError,
  RedirectError, ResponseFormatError, ApiError, AuthError, TimestampError, RateLimitError, InsufficientFundsError, OrderNotFoundError,
  InvalidRequestError, ServiceUnavailableError, type ErrorContext, type ErrorKind,
} from "../core/errors.js";
export { DecimalPrecisionError, NumberTooLongError } from "../core/json.js";

// The client's own plumbing, published by an `export *` until 0.32.0: deprecated, gone in 1.0.
import * as errors from "./errors.js";
/** @deprecated Internal (the API's name in messages: "quant-ws"); leaves `tradeapi/quant-ws` in 1.0. */
export const API = errors.API;
/** @deprecated Internal (the error of a login answer's state; the client throws it); leaves `tradeapi/quant-ws` in 1.0. */
export const loginStateError = errors.loginStateError;
/** @deprecated Internal (the error of a refused request; the client throws it); leaves `tradeapi/quant-ws` in 1.0. */
export const replyError = errors.replyError;
