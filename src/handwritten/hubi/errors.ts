/**
 * Hubi answers → errors, following the spec's `x-error-code-field` lookup order:
 *
 *   1. `status` is a key of x-error-codes (a 25xxx trade code)
 *   2. `message` is, or contains as a word, an `ILLEGAL_*` key (ILLEGAL_SIGN, ...)
 *   3. `message` contains a 25xxx key
 *   4. otherwise the code is `status` itself (-1: generic failure, with the free text)
 *
 * The class comes from the table's `kind` through the core `apiErrorFromCode`, so
 * ILLEGAL_SIGN is an AuthError, ILLEGAL_TIMESTAMP a TimestampError, 25021 an
 * InsufficientFundsError, 25005 an OrderNotFoundError. The same mapping applies to
 * 2xx and non-2xx answers.
 */
import { meta } from "../../../generated/hubi-futures.meta.js";
import { ApiError, apiErrorFromCode, ResponseFormatError, snippet, textOf } from "../core/errors.js";
import { checkOperationArg } from "../core/operation-call.js";
import type { OperationMeta } from "../core/meta.js";
import { envelopeOf, isDefiniteFailure } from "../core/meta.js";

const CODE_FIELD = meta.envelope?.codeField ?? "status";
const MESSAGE_FIELD = meta.envelope?.messageField ?? "message";
const SUCCESS = new Set((meta.envelope?.success ?? [0]).map(String));
const ILLEGAL_WORD = /\bILLEGAL_[A-Z_]+\b/g;
const TRADE_CODE = /\b25\d{3}\b/g;

/**
 * The envelope's `status` as a code: an integer, given as a number or as its digits. Beyond
 * 2^53 (a bigint from the parser, or digits a number would round) it stays its digits.
 */
function numericStatus(value: unknown): number | string | undefined {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string" && /^-?\d+$/.test(value.trim())) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value.trim();
  }
  return undefined;
}

/** The x-error-codes key a failure body selects (see the file comment). */
export function hubiErrorCode(status: number | string, message: string | undefined): string | number {
  const table = meta.errorCodes;
  if ((typeof status === "number" || typeof status === "string") && Object.hasOwn(table, String(status)) && status !== -1) return status;
  if (typeof message === "string") {
    const trimmed = message.trim();
    // Keys that are not numbers (the ILLEGAL_* messages) stay strings; trade codes are numbers.
    // (own keys only: a message "constructor" or "__proto__" is no code of the table)
    if (Object.hasOwn(table, trimmed) && !/^-?\d+$/.test(trimmed)) return trimmed;
    const illegal = trimmed.match(ILLEGAL_WORD)?.find((w) => Object.hasOwn(table, w));
    if (illegal) return illegal;
    const trade = trimmed.match(TRADE_CODE)?.find((c) => Object.hasOwn(table, c));
    if (trade) return Number(trade);
  }
  return status;
}

/**
 * The message beside its code: for ILLEGAL_* the message *is* the code, and a message that
 * starts with it ("25005 订单未发现") is shown without it (the code was printed twice).
 */
function shownMessage(message: string | undefined, code: string | number): string | undefined {
  if (message === undefined) return undefined;
  const c = String(code);
  const t = message.trim();
  if (t === c) return undefined;
  return t.startsWith(c) && /^[\s:：,，-]/.test(t.slice(c.length)) ? t.slice(c.length).replace(/^[\s:：,，-]+/, "") || undefined : message;
}

/**
 * The error a Hubi answer carries, or undefined when it is not a failure: an object whose
 * `status` is a number other than 0.
 */
export function hubiErrorFromBody(body: unknown, operation: string, httpStatus?: number, retryAfterMs?: number, definiteFailure = false): ApiError | undefined {
  if (!body || typeof body !== "object" || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  const status = numericStatus(b[CODE_FIELD]);
  if (status === undefined || SUCCESS.has(String(status))) return undefined;
  const raw = b[MESSAGE_FIELD];
  const message = raw === undefined || raw === null ? undefined : textOf(raw);
  const code = hubiErrorCode(status, message);
  return apiErrorFromCode(
    {
      api: "hubi",
      operation,
      code,
      vendorMessage: shownMessage(message, code),
      httpStatus,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      body,
    },
    meta.errorCodes,
    definiteFailure,
  );
}

/** HttpTransport `checkBody`: failures in 2xx answers; actions must carry the envelope. */
export function checkHubiBody(body: unknown, op: OperationMeta, httpStatus: number): void {
  checkOperationArg("checkHubiBody", op);
  const error = hubiErrorFromBody(body, op.operationId, httpStatus);
  if (error) throw error;
  if (!envelopeOf(meta, op)) return;
  const b = body as Record<string, unknown> | null;
  if (!b || typeof b !== "object" || Array.isArray(b) || numericStatus(b[CODE_FIELD]) === undefined) {
    throw new ResponseFormatError(`expected a {${CODE_FIELD}, result, ${MESSAGE_FIELD}} answer`, snippet(textOf(body), [], 120), {
      api: "hubi",
      operation: op.operationId,
    });
  }
}

/** HttpTransport `checkErrorBody`: the same mapping for non-2xx answers. */
export function checkHubiErrorBody(body: unknown, op: OperationMeta, httpStatus: number, retryAfterMs?: number): void {
  checkOperationArg("checkHubiErrorBody", op);
  const error = hubiErrorFromBody(body, op.operationId, httpStatus, retryAfterMs, isDefiniteFailure(op, httpStatus));
  if (error) throw error;
}
