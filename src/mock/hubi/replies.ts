/** Hubi emulator answers: the failure and success bodies the spec documents. */
import { meta } from "../../../generated/hubi-futures.docs.js";
import type { MockReply } from "../http-mock.js";

/** A failure body as the spec documents it. */
export function failure(message: string, status = 200): MockReply {
  return { status, body: { status: -1, message } };
}
export const illegal = (name: string, status = 401): MockReply => failure(name, status);
export const ok = (result: string | null = null): MockReply => ({ body: { status: 0, result } });

/** Thrown inside handlers and the exchange: a trade code from the spec's table. */
export class TradeReject extends Error {
  constructor(
    readonly code: string,
    readonly httpStatus = 200,
    /** Said after the table's text (which orders of a batch could not be cancelled). */
    readonly detail = "",
  ) {
    super(code);
  }
}
export function reject(code: string, detail = ""): never {
  throw new TradeReject(code, 200, detail);
}
export function tradeFailure(code: string, httpStatus: number, detail = ""): MockReply {
  if (code.startsWith("ILLEGAL_")) return illegal(code, 400);
  const text = `${code} ${meta.errorCodes[code]?.message ?? ""}`.trim();
  return failure(detail ? `${text}: ${detail}` : text, httpStatus);
}
