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
 * │   └── AbortedError           the caller aborted
 * ├── HttpError                  a non-2xx HTTP status (with a body that is not a vendor error)
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
 * Messages never contain secrets, signatures, passwords or tokens (see `redact`).
 */

export interface ErrorContext {
  /** API name as the CLI knows it: xt, bhex, hubi, xele, quant-ws */
  api?: string;
  /** operationId from the spec, or "METHOD /path" */
  operation?: string;
  cause?: unknown;
}

export class TradeApiError extends Error {
  readonly api: string | undefined;
  readonly operation: string | undefined;
  constructor(message: string, ctx: ErrorContext = {}) {
    super(prefix(ctx) + message, ctx.cause === undefined ? undefined : { cause: ctx.cause });
    this.name = new.target.name;
    this.api = ctx.api;
    this.operation = ctx.operation;
  }
}

function prefix(ctx: ErrorContext): string {
  if (ctx.api && ctx.operation) return `${ctx.api} ${ctx.operation}: `;
  if (ctx.api) return `${ctx.api}: `;
  return "";
}

export class UsageError extends TradeApiError {}
/** A credential (key, secret, token, password) is missing: says which option or env var supplies it. */
export class CredentialsError extends UsageError {}

export class TransportError extends TradeApiError {}
export class ConnectionError extends TransportError {}
export class TimeoutError extends TransportError {
  readonly timeoutMs: number | undefined;
  constructor(message: string, ctx: ErrorContext & { timeoutMs?: number } = {}) {
    super(message, ctx);
    this.timeoutMs = ctx.timeoutMs;
  }
}
export class AbortedError extends TransportError {}

export class HttpError extends TradeApiError {
  readonly status: number;
  /** First 200 characters of the body, redacted. */
  readonly bodySnippet: string;
  constructor(status: number, bodySnippet: string, ctx: ErrorContext = {}) {
    super(`HTTP ${status}${bodySnippet ? `: ${bodySnippet}` : ""}`, ctx);
    this.status = status;
    this.bodySnippet = bodySnippet;
  }
}

export class ResponseFormatError extends TradeApiError {
  readonly bodySnippet: string;
  constructor(message: string, bodySnippet: string, ctx: ErrorContext = {}) {
    super(`${message}${bodySnippet ? ` (body starts: ${JSON.stringify(bodySnippet)})` : ""}`, ctx);
    this.bodySnippet = bodySnippet;
  }
}

/** What a spec's `x-error-codes` says about one code. */
export interface ErrorCodeInfo {
  message?: string;
  meaning?: string;
  kind?: ErrorKind;
  name?: string;
  /** Anything else a spec records about the code (e.g. `success: true`). */
  [extra: string]: unknown;
}
export type ErrorKind =
  | "auth"
  | "timestamp"
  | "rate-limit"
  | "insufficient-funds"
  | "order-not-found"
  | "invalid-request"
  | "unavailable"
  | "other";

export interface ApiErrorInit extends ErrorContext {
  code: string | number;
  vendorMessage?: string | undefined;
  /** The documented meaning (English) from the spec's error table, if the code is listed. */
  meaning?: string | undefined;
  kind?: ErrorKind | undefined;
  httpStatus?: number | undefined;
  /** The decoded error body, for callers that need more (redacted of nothing: vendors do not echo secrets). */
  body?: unknown;
}

export class ApiError extends TradeApiError {
  readonly code: string | number;
  readonly vendorMessage: string | undefined;
  readonly meaning: string | undefined;
  readonly kind: ErrorKind;
  readonly httpStatus: number | undefined;
  readonly body: unknown;
  constructor(init: ApiErrorInit) {
    const parts = [`code ${init.code}`];
    if (init.vendorMessage) parts.push(init.vendorMessage);
    if (init.meaning && init.meaning !== init.vendorMessage) parts.push(`(${init.meaning})`);
    super(parts.join(" "), init);
    this.code = init.code;
    this.vendorMessage = init.vendorMessage;
    this.meaning = init.meaning;
    this.kind = init.kind ?? "other";
    this.httpStatus = init.httpStatus;
    this.body = init.body;
  }
}
export class AuthError extends ApiError {}
export class TimestampError extends AuthError {}
export class RateLimitError extends ApiError {}
export class InsufficientFundsError extends ApiError {}
export class OrderNotFoundError extends ApiError {}
export class InvalidRequestError extends ApiError {}
export class ServiceUnavailableError extends ApiError {}

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

/**
 * The one factory that picks the error class for a vendor code, from the spec's error table
 * (`x-error-codes`): `kind` picks the subclass, `meaning` is carried on the error.
 */
export function apiErrorFromCode(
  init: Omit<ApiErrorInit, "meaning" | "kind">,
  table: Readonly<Record<string, ErrorCodeInfo>> | undefined,
): ApiError {
  const info = table?.[String(init.code)];
  const kind = info?.kind ?? "other";
  const Cls = BY_KIND[kind] ?? ApiError;
  return new Cls({ ...init, meaning: info?.meaning ?? info?.message, kind });
}

const SECRET_PARAM = /\b(signature|sign|secret(?:_?key)?|secretKey|password|passwd|safePwd|token|ticket|access_token|accessToken)=([^&\s"]+)/gi;
const SECRET_JSON = /"(signature|sign|secret(?:_?key)?|secretKey|password|passwd|safePwd|token|ticket|access_token|accessToken|secret_key)"\s*:\s*"[^"]*"/gi;
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/g;

/**
 * Remove secrets from a text that may end up in an error message or a log: `k=v` pairs and
 * JSON fields named like secrets, bearer tokens, and any literal secret values given.
 */
export function redact(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
  let out = text
    .replace(SECRET_PARAM, (_m, k: string) => `${k}=[redacted]`)
    .replace(SECRET_JSON, (_m, k: string) => `"${k}":"[redacted]"`)
    .replace(BEARER, "$1 [redacted]");
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join("[redacted]");
  }
  return out;
}

/** A short, redacted excerpt of a body for error messages. */
export function snippet(body: string, secrets: ReadonlyArray<string | undefined> = [], max = 200): string {
  const flat = body.replace(/\s+/g, " ").trim();
  const cut = flat.length > max ? `${flat.slice(0, max)}…` : flat;
  return redact(cut, secrets);
}
