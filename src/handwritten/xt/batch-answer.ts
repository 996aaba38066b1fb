/**
 * XT's check of a batch's answer against the batch sent (the client's `checkBody`; not exported
 * from the package).
 */
import { ResponseFormatError, snippet, textOf } from "../core/errors.js";
import { someOf } from "../core/redaction.js";
import type { OutgoingRequest } from "../core/http-transport.js";
import { meta } from "../../../generated/xt-spot.meta.js";
import { unwrapData, type OperationMeta } from "../core/meta.js";
import { integerOfText } from "../core/validate.js";
import { base64Fields } from "./base64-fields.js";
import { decodeXtBatchData } from "./batch.js";

/**
 * The batch operations whose answer lists one result per item sent: batchOrder places all the
 * orders or none (the vendor doc: 一次事务，要么都成功，要么都失败) and lists those placed;
 * batchCancel gives each order its own code.
 */
const ONE_RESULT_PER_ITEM: Readonly<Record<string, string>> = { batchOrder: "placed", batchCancel: "cancelled" };

/** The items the batch field of a request sent (undefined: no batch, or not one this can read). */
function itemsSent(op: OperationMeta, req: OutgoingRequest): unknown[] | undefined {
  const field = base64Fields(op)[0];
  const data = field === undefined ? undefined : (req.form ?? req.query).find(([name]) => name === field)?.[1];
  try {
    // (decimals as text: only the items are counted, and a price sent as its text may hold any digits)
    return data === undefined ? undefined : decodeXtBatchData(data, { decimals: "string" });
  } catch {
    return undefined;
  }
}

/**
 * An item's order id as text (a number, a bigint beyond 2^53, or what the server wrote instead);
 * one written with a fraction or exponent (`1.0`, text with decimals: "string", where the schema
 * check has not read it yet) as the integer it denotes, in every mode (`1.5` stays, and is refused).
 */
const idOf = (item: unknown): string => {
  const id = String(item !== null && typeof item === "object" ? (item as { id?: unknown }).id : item);
  return String((/[.eE]/.test(id) ? integerOfText(id) : undefined) ?? id);
};

/**
 * What is wrong with the ids of a batch's answer, if anything: batchCancel answers each order id
 * sent once and no other (a result listed twice stood for an order not answered); batchOrder's
 * placed orders have ids of their own, each once.
 */
function idProblem(op: string, sent: unknown[], results: unknown[]): string | undefined {
  const count = new Map<string, number>();
  if (op === "batchOrder") {
    for (const r of results) {
      const id = idOf(r);
      if (count.has(id)) return `the answer lists the order id ${id} twice`;
      count.set(id, 1);
    }
    return undefined;
  }
  for (const id of sent) count.set(idOf(id), (count.get(idOf(id)) ?? 0) + 1);
  const other: string[] = [];
  for (const r of results) {
    const id = idOf(r);
    const left = count.get(id) ?? 0;
    if (left === 0) other.push(id);
    else count.set(id, left - 1);
  }
  const unanswered = [...count].filter(([, n]) => n > 0).map(([id]) => id);
  if (unanswered.length === 0) return undefined;
  return `the answer has no result for the order id${unanswered.length === 1 ? "" : "s"} ${someOf(unanswered)}${other.length ? `, and results for ${someOf(other)}, which were not sent or were listed again` : ""}`;
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
  const items = done && itemsSent(op, req);
  if (!items || items.length === 0) return;
  const sent = items.length;
  const data = unwrapData(meta, op, body);
  // (data of another type: the check of the answer against the spec names it)
  if (data !== undefined && data !== null && !Array.isArray(data)) return;
  const listed = data?.length ?? 0;
  const ctx = { api: "xt", operation: op.operationId };
  if (listed !== sent) {
    throw new ResponseFormatError(`${sent} orders were sent and the answer lists ${listed} result${listed === 1 ? "" : "s"}: which were ${done} cannot be told`, snippet(textOf(data ?? "")), ctx);
  }
  const problem = idProblem(op.operationId, items, data!);
  if (problem) throw new ResponseFormatError(`${problem}: which were ${done} cannot be told`, snippet(textOf(data!)), ctx);
}
