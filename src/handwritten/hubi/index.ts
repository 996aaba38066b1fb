/// <reference types="node" preserve="true" />
/** `tradeapi/hubi`: the Hubi futures REST client. */
export * from "./client.js";
export { checkHubiBody, checkHubiErrorBody, hubiErrorCode, hubiErrorFromBody } from "./errors.js";
export {
  HUBI_API_VERSION,
  authorizeHubi,
  type HubiAuthInput,
  hubiNonce,
  hubiSignedText,
  hubiTimestamp,
  signHubiRequest,
  type HubiAuthHeaders,
  type HubiSignInput,
  type HubiSignedParams,
  type HubiValueEncoding,
} from "../../auth/hubi.js";
export { meta as hubiMeta } from "../../../generated/hubi-futures.meta.js";
export type { paths as HubiPathsSpec, components as HubiComponents } from "../../../generated/hubi-futures.js";
// The spec's generated types and the client's building blocks by their own names, so a consumer
// emitting declarations can name what it infers from this client (TS2742 otherwise).
export type * from "../../../generated/hubi-futures.js";
export type * from "../core/rest-client.js";
export type * from "../core/http-transport.js";
export type * from "../core/meta.js";
// The error tree (as the root exports it), so that a service importing only this subpath can
// tell the errors apart with instanceof.
export {
  TradeApiError, UsageError, CredentialsError, TransportError, ConnectionError, TimeoutError, AbortedError, ResponseTooLargeError, HttpError,
  RedirectError, ResponseFormatError, ApiError, AuthError, TimestampError, RateLimitError, InsufficientFundsError, OrderNotFoundError,
  InvalidRequestError, ServiceUnavailableError, type ErrorContext, type ErrorKind,
} from "../core/errors.js";
export { DecimalPrecisionError, NumberTooLongError } from "../core/json.js";
