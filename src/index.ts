/// <reference types="node" preserve="true" />
/**
 * `tradeapi`: factories, signers and the error tree for every API. Per-API modules are also
 * available as subpath exports (`tradeapi/xt`, ...).
 *
 * The pattern, per API of redocly.yaml (test/api-wiring.test.ts checks it): its factory
 * (`create…Client`) with its option and client types, and every pure signer of
 * `src/auth/<api>.ts` (`authorize…`, `sign…`). Anything else stays in the subpath module.
 */
export {
  TradeApiError,
  UsageError,
  CredentialsError,
  TransportError,
  ConnectionError,
  TimeoutError,
  AbortedError,
  ResponseTooLargeError,
  HttpError,
  RedirectError,
  ResponseFormatError,
  ApiError,
  AuthError,
  TimestampError,
  RateLimitError,
  InsufficientFundsError,
  OrderNotFoundError,
  InvalidRequestError,
  ServiceUnavailableError,
  apiErrorFromCode,
  errorKinds,
  markClockSkew,
  redact,
  REDACTED,
  redactUrl,
  Redactor,
  RETRY_AFTER_HOLD,
  retryAfterMsOf,
  retryAfterOf,
  secretForms,
  snippet,
  type ApiErrorInit,
  type ErrorCodeInfo,
  type ErrorContext,
  type ErrorKind,
} from "./handwritten/core/errors.js";
// The error module's own helpers, published by an `export *` until 0.32.0: deprecated, gone in 1.0.
export * from "./deprecated-exports.js";
export { parseJson, stringifyJson, DecimalPrecisionError, NumberTooLongError, MAX_INTEGER_DIGITS, type DecimalsMode, type ParseJsonOptions } from "./handwritten/core/json.js";
export type { DecimalsAs } from "./handwritten/core/decimals.js";
export { RateLimiter, type RateLimitRule } from "./handwritten/core/rate-limit.js";
export type { RetryOptions } from "./handwritten/core/retry.js";
export type { CallOptions, TransportOptions, TransportEvent } from "./handwritten/core/http-transport.js";
export {
  createRestClient,
  type RestClientConfig,
  type RestClientOptions,
  type RestCore,
  type RestMethod,
  type RestMethods,
  type RestResponse,
  type SignContext,
} from "./handwritten/core/rest-client.js";
export type { SignableRequest, SignedRequest } from "./auth/request.js";
export type { ApiMeta, OperationMeta } from "./handwritten/core/meta.js";
export { createXtClient, createXtRateLimiter, type XtClient, type XtClientOptions } from "./handwritten/xt/client.js";
export { authorizeXt, signXtParams, type XtAuthInput, type XtSignatureVariant } from "./auth/xt.js";
export {
  createHubiClient,
  type HubiClient,
  type HubiClientOptions,
  type HubiData,
  type HubiOperationId,
  type HubiParams,
} from "./handwritten/hubi/client.js";
export { authorizeHubi, signHubiRequest, type HubiAuthHeaders, type HubiAuthInput, type HubiSignInput } from "./auth/hubi.js";
export {
  createQuantWsClient,
  QuantWsSession,
  StateCode,
  CancelAllUnconfirmedError,
  ClientClosedError,
  ConnectionDroppedError,
  QuantWsFrameError,
  QuantWsLoginRejectedError,
  QuantWsServerError,
  QuantWsStateError,
  SessionClosedError,
  SessionNotReadyError,
  StreamOverflowError,
  StreamGapError,
  UnknownPlatformError,
  type QuantWsClient,
  type QuantWsClientOptions,
  type QuantWsLogin,
} from "./handwritten/quant-ws/index.js";
export {
  createBhexOrgClient,
  createBhexRateLimiter,
  type BhexOrgClient,
  type BhexOrgClientOptions,
  type BhexOperationId,
  type BhexParams,
  type BhexCallParams,
  type BhexData,
  type BhexCallResult,
} from "./handwritten/bhex/client.js";
export { authorizeBhex, signBhexParams, type BhexAuthInput, type BhexSignatureVariant } from "./auth/bhex.js";
export { encodeBatchItems, decodeBatchItems, type BhexBatchRows, type BhexItemsForm } from "./handwritten/bhex/items.js";
export { paginate as paginateBhex, type BhexPagedOperationId, type BhexRecord } from "./handwritten/bhex/paginate.js";
export { downloadData as downloadBhexData, HistoryFileNotFoundError, DownloadForbiddenError } from "./handwritten/bhex/download.js";
export { batchItemFailures, batchTask, type BhexBatchItemFailure } from "./handwritten/bhex/batch-results.js";
export { newBhexClientOrderId, type IdempotencyKey } from "./handwritten/bhex/idempotency.js";
export {
  createXeleClient,
  decodePipeRows,
  decodePipeAnswer,
  decodePipeRowStream,
  decodeClientSystemExport,
  saveClientSystemExport,
  PipeRowsError,
  XeleSession,
  type XeleClient,
  type XeleClientOptions,
  type XeleOperationId,
  type XeleData,
  type XeleDataInput,
  type XeleResult,
  type XeleRow,
  type PipeRow,
  type PipeRowsOptions,
  type ClientSystemExport,
} from "./handwritten/xele/index.js";
