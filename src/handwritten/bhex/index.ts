/// <reference types="node" preserve="true" />
/** `tradeapi/bhex`: the BHEX broker Org API client and its back-office helpers. */
export * from "./client.js";
export * from "./items.js";
export * from "./paginate.js";
export { HistoryFileNotFoundError, DownloadForbiddenError, downloadData, type DownloadedFile } from "./download.js";
export { newBhexClientOrderId, type BhexIdempotencyKeys, type IdempotencyKey } from "./idempotency.js";
export * from "./batch-results.js";
export { authorizeBhex, type BhexAuthInput, signBhexParams, bhexCanonicalString, BHEX_ACCESS_KEY_HEADER, BHEX_SIGNATURE_VARIANTS, type BhexSignatureVariant, type BhexSignOptions } from "../../auth/bhex.js";
export { meta as bhexMeta } from "../../../generated/bhex-org.meta.js";
// (as tradeapi/xt, /hubi and /xele name theirs)
export type { paths as BhexPathsSpec } from "../../../generated/bhex-org.js";
// The spec's generated types and the client's building blocks by their own names, so a consumer
// emitting declarations can name what it infers from this client (TS2742 otherwise).
export type * from "../../../generated/bhex-org.js";
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

// The client's own plumbing, published by an `export *` until 0.32.0: deprecated, gone in 1.0.
import * as download from "./download.js";
import * as idempotency from "./idempotency.js";
/** @deprecated Internal (the documented meaning of an operation's HTTP status); leaves `tradeapi/bhex` in 1.0. */
export const documentedHttpError = download.documentedHttpError;
/** @deprecated Internal (checks a download's body; use `downloadBhexData`/`downloadData`); leaves `tradeapi/bhex` in 1.0. */
export const expectXlsx = download.expectXlsx;
/** @deprecated Internal (which parameter carries an operation's idempotency key); leaves `tradeapi/bhex` in 1.0. */
export const idempotencyParamOf = idempotency.idempotencyParamOf;
/** @deprecated Internal (the client fills `clientOrderId` itself; read `e.idempotencyKey`); leaves `tradeapi/bhex` in 1.0. */
export const fillIdempotencyKey = idempotency.fillIdempotencyKey;
