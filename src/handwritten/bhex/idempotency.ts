/**
 * Client-generated request ids (`x-idempotency-key` in the spec): the parameter that makes a
 * create/move/pay call identifiable, so that sending it again cannot act twice (payment:
 * 用于支持幂等; withdraw: 防止重复提币). When the caller gives none, the client generates
 * one before the first attempt; every attempt of that call carries the same value.
 */
import { randomInt } from "node:crypto";
import type { OperationMeta } from "../core/meta.js";
import { shownValue, typeName, UsageError } from "../core/errors.js";
import { checkOperationArg } from "../core/operation-call.js";
import { checkOptionsObject, INT64_MAX } from "../core/validate.js";

/**
 * Which parameter is the idempotency key of each operation. Mirrors the spec's
 * `x-idempotency-key` for the types (test/bhex/idempotency.test.ts fails when they drift);
 * at run time the metadata decides.
 */
export interface BhexIdempotencyKeys {
  orderCreate: "client_order_id";
  assetWithdraw: "client_order_id";
  financeMapping: "client_order_id";
  financeTransfer: "client_order_id";
  financeBatchTransfer: "client_order_id";
  financeAirDrop: "client_order_id";
  financeBatchLockPosition: "client_order_id";
  financeBatchUnlockPosition: "client_order_id";
  financeLock: "client_order_id";
  financeUnlock: "client_order_id";
  paymentOrderCreate: "client_order_id";
  paymentOrderCreatev2: "client_order_id";
  paymentOrderSettle: "settle_client_order_id";
  paymentOrderRefund: "refund_client_order_id";
  paymentOrderUnlock: "unlock_client_order_id";
}

export interface IdempotencyKey {
  operationId: string;
  /** Wire name of the parameter (client_order_id, settle_client_order_id, ...). */
  param: string;
  value: string;
  /** true when the client made it up, false when the caller passed it. */
  generated: boolean;
}

/** The idempotency parameter of an operation, if the spec names one. */
export function idempotencyParamOf(op: OperationMeta): string | undefined {
  checkOperationArg("idempotencyParamOf", op);
  const k = op.idempotencyKey;
  return typeof k === "string" ? k : undefined;
}

let counter = randomInt(0, 1_000_000);

/**
 * A new id: 13-digit milliseconds + 6 digits (a per-process counter from a random start), 19
 * digits in all. It fits every documented type of these parameters: a signed 64-bit `long`
 * (asset/withdraw) until the year 2262, and the payment rule "最大长度：32，只能是数字、大小写
 * 字母_-|*". Two processes collide only if they start the same millisecond with the same
 * 6-digit value (1 in 10^6); pass `newIdempotencyKey` to the client for another scheme.
 */
export function newBhexClientOrderId(now: number = Date.now()): string {
  // A time that is no number of ms (NaN, a string) is a UsageError, not a SyntaxError from BigInt.
  if (typeof now !== "number" || !Number.isFinite(now) || now < 0) throw new UsageError(`newBhexClientOrderId takes a time in ms, got ${typeof now === "number" ? now : typeName(now)}`, { api: "bhex" });
  counter = (counter + 1) % 1_000_000;
  const id = `${String(Math.trunc(now)).padStart(13, "0")}${String(counter).padStart(6, "0")}`;
  if (id.length !== 19 || BigInt(id) > INT64_MAX) throw new UsageError(`cannot build a 19-digit id from time ${now}`, { api: "bhex" });
  return id;
}

/**
 * `params` with the operation's idempotency key filled in when absent (a new object; the
 * caller's is not changed), and the key that will be sent.
 */
export function fillIdempotencyKey(
  op: OperationMeta,
  params: Readonly<Record<string, unknown>>,
  generate: (operationId: string, param: string) => string,
): { params: Record<string, unknown>; key: IdempotencyKey | undefined } {
  checkOperationArg("fillIdempotencyKey", op);
  checkOptionsObject({ api: "bhex", operation: op.operationId }, "the parameters", params, "name → value");
  if (typeof generate !== "function") throw new UsageError(`fillIdempotencyKey takes the function that makes a key, got ${typeName(generate)}`, { api: "bhex", operation: op.operationId });
  const param = idempotencyParamOf(op);
  if (!param) return { params: { ...params }, key: undefined };
  const given = Object.hasOwn(params, param) ? params[param] : undefined; // (one on Object.prototype is none given)
  // An empty key is a caller's mistake (an unset variable), not "make one": the key it would get
  // in its place is one it does not know it must look up by.
  if (given === "") throw new UsageError(`"${param}" is empty: give the key, or leave it out for one made for this call`, { api: "bhex", operation: op.operationId });
  if (given !== undefined && given !== null) {
    // A value that is no text or number (an object, a symbol) is refused by the parameter's
    // check before anything is sent: no key is recorded for it (String() of one can throw).
    const value = typeof given === "string" || typeof given === "number" || typeof given === "bigint" ? String(given) : undefined;
    return { params: { ...params }, key: value === undefined ? undefined : { operationId: op.operationId, param, value, generated: false } };
  }
  const value: unknown = generate(op.operationId, param);
  // An empty key is no key (the server would not tell a resend from a new order); a promise is
  // not the key (the function must return it).
  if (typeof value !== "string" || value === "") {
    const why = value instanceof Promise ? "a promise (it must return the key itself)" : shownValue(value);
    throw new UsageError(`newIdempotencyKey must return a non-empty text for "${param}", got ${why}`, { api: "bhex", operation: op.operationId });
  }
  return { params: { ...params, [param]: value }, key: { operationId: op.operationId, param, value, generated: true } };
}
