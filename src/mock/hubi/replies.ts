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
  ) {
    super(code);
  }
}
export function reject(code: string): never {
  throw new TradeReject(code);
}
export function tradeFailure(code: string, httpStatus: number): MockReply {
  if (code.startsWith("ILLEGAL_")) return illegal(code, 400);
  return failure(`${code} ${meta.errorCodes[code]?.message ?? ""}`.trim(), httpStatus);
}
