/**
 * XT's check of a batch's answer against the batch sent (the client's `checkBody`; not exported
 * from the package).
 */
import { ResponseFormatError, snippet, textOf } from "../core/errors.js";
import type { OutgoingRequest } from "../core/http-transport.js";
import { meta } from "../../../generated/xt-spot.meta.js";
import { unwrapData, type OperationMeta } from "../core/meta.js";
import { base64Fields } from "./base64-fields.js";
import { decodeXtBatchData } from "./batch.js";

/**
 * The batch operations whose answer lists one result per item sent: batchOrder places all the
 * orders or none (the vendor doc: 一次事务，要么都成功，要么都失败) and lists those placed;
 * batchCancel gives each order its own code.
 */
const ONE_RESULT_PER_ITEM: Readonly<Record<string, string>> = { batchOrder: "placed", batchCancel: "cancelled" };

/** How many items the batch field of a request sent holds (undefined: no batch, or not one this can read). */
function itemsSent(op: OperationMeta, req: OutgoingRequest): number | undefined {
  const field = base64Fields(op)[0];
  const data = field === undefined ? undefined : (req.form ?? req.query).find(([name]) => name === field)?.[1];
  try {
    return data === undefined ? undefined : decodeXtBatchData(data).length;
  } catch {
    return undefined;
  }
}

/**
 * XT's check of a success answer: the envelope, then, for batchOrder and batchCancel, the
 * number of results against the items sent. A list of another length (or none) leaves which
 * orders were placed or cancelled unknown: a ResponseFormatError (with `outcomeUnknown`: the
 * call is not retryable), never a partial list resolved as the whole.
 */
export function checkXtAnswer(body: unknown, op: OperationMeta, _status: number, envelopeCheck: (body: unknown, op: OperationMeta) => void, req: OutgoingRequest): void {
  envelopeCheck(body, op);
  const done = Object.hasOwn(ONE_RESULT_PER_ITEM, op.operationId) ? ONE_RESULT_PER_ITEM[op.operationId] : undefined;
  const sent = done && itemsSent(op, req);
  if (!sent) return;
  const data = unwrapData(meta, op, body);
  // (data of another type: the check of the answer against the spec names it)
  if (data !== undefined && data !== null && !Array.isArray(data)) return;
  const listed = data?.length ?? 0;
  if (listed !== sent) {
    const ctx = { api: "xt", operation: op.operationId };
    throw new ResponseFormatError(`${sent} orders were sent and the answer lists ${listed} result${listed === 1 ? "" : "s"}: which were ${done} cannot be told`, snippet(textOf(data ?? "")), ctx);
  }
}
