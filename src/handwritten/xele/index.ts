/// <reference types="node" preserve="true" />
/** `tradeapi/xele`: the Xele counter management protocol client, its "|" row decoders and the export helpers. */
export * from "./client.js";
export { XeleSession, SERIALNO_MAX, type XeleSessionOptions } from "./session.js";
export {
  checkPipeRow,
  columnSets,
  columnsForVersion,
  compareCounterVersions,
  decodePipeAnswer,
  decodePipeRows,
  MAX_PIPE_COLUMNS,
  parsePipeHeader,
  pipeRowsText,
  PipeRowsError,
  type PipeColumn,
  type PipeColumnType,
  type PipeRow,
  type PipeRowsAnswer,
  type PipeRowsHeader,
  type PipeRowsLayout,
  type PipeRowsOptions,
  type PipeRowsProblem,
} from "./pipe-rows.js";
export { decodePipeRowStream, type ByteSource } from "./pipe-row-stream.js";
export { decodeClientSystemExport, saveClientSystemExport, type ClientSystemExport, type SaveExportOptions } from "./export.js";
export { fillNoCondition } from "./no-condition.js";
export { checkSchema, type SchemaProblem, type SchemaProblemKind } from "./request-schema.js";
export { InFlightLimit } from "../core/in-flight.js";
export { pipeRowsOf, serverOf, type XeleServer } from "./spec-info.js";
export { meta as xeleMeta } from "../../../generated/xele-mgmt.meta.js";
export type { paths as XelePathsSpec, components as XeleComponents } from "../../../generated/xele-mgmt.js";
// The spec's generated types by their own names, so a consumer
// emitting declarations can name what it infers from this client (TS2742 otherwise).
export type * from "../../../generated/xele-mgmt.js";
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
