/// <reference types="node" preserve="true" />
/** `tradeapi/xt`: the XT spot v1 client. */
export * from "./client.js";
export * from "./batch.js";
export {
  authorizeXt,
  signXtParams,
  xtCanonicalString,
  xtNonce,
  XT_SIGNATURE_VARIANTS,
  type XtAuthInput,
  type XtSignatureVariant,
  type XtSignOptions,
} from "../../auth/xt.js";
export { meta as xtMeta } from "../../../generated/xt-spot.meta.js";
export type { paths as XtPathsSpec, components as XtComponents } from "../../../generated/xt-spot.js";
// The spec's generated types and the client's building blocks by their own names, so a consumer
// emitting declarations can name what it infers from this client (TS2742 otherwise).
export type * from "../../../generated/xt-spot.js";
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
