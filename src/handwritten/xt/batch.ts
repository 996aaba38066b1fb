/**
 * XT batch `data`: base64 of a JSON array (at most the spec's `x-max-items` items, 100 in the
 * vendor doc; the server ignores the rest, so more is refused here rather than silently
 * dropped). Order IDs keep every digit.
 */
import { meta } from "../../../generated/xt-spot.meta.js";
import { quoted, typeName, UsageError } from "../core/errors.js";
import { excessDigits, MAX_INTEGER_DIGITS, parseJson, stringifyJson, type DecimalsMode } from "../core/json.js";
import { findOperation, type SchemaMeta } from "../core/meta.js";
import { contentProblems, heldValue, withNumberTexts } from "../core/validate.js";
import { base64Fields } from "./base64-fields.js";

/** The XT operations whose `data` is a base64 batch. */
export type XtBatchOperationId = "batchOrder" | "batchCancel" | "getBatchOrders";

/** The spec's schema of `operationId`'s batch field (query parameter or body field). */
function dataSchemaOf(operationId: XtBatchOperationId): SchemaMeta | undefined {
  const op = findOperation(meta, operationId);
  const name = op && base64Fields(op)[0];
  return name === undefined ? undefined : (op?.body?.properties[name] ?? op?.params.find((p) => p.name === name)?.schema);
}

/** The spec's `x-max-items` of `operationId`'s batch `data` field (query parameter or body field). */
export function xtBatchMax(operationId: XtBatchOperationId): number {
  const max = typeof operationId === "string" ? dataSchemaOf(operationId)?.maxBatchItems : undefined;
  if (max === undefined) throw new UsageError(`xtBatchMax takes a batch operation ("batchOrder", "batchCancel" or "getBatchOrders"), got ${typeof operationId === "string" ? JSON.stringify(operationId) : typeName(operationId)}`, { api: "xt" });
  return max;
}

/** Most items of a batch order (the spec's `x-max-items` of batchOrder's `data`). */
export const XT_BATCH_MAX = xtBatchMax("batchOrder");

/** An order id of a batch (`data[index]`): digits, or a number or bigint of 0 or more; a string is sent as the JSON integer. */
function normalizeId(id: unknown, index: number, operation: string | undefined): unknown {
  const ctx = { api: "xt", operation };
  // String IDs are written as JSON integers, the form the vendor doc shows: [123, 456, 789].
  if (typeof id === "string") {
    if (!/^\d+$/.test(id)) throw new UsageError(`data[${index}]: order id ${quoted(id)} must be the id's digits (a whole number of 0 or more)`, ctx);
    const digits = excessDigits(id);
    if (digits) throw new UsageError(`data[${index}]: order id of ${digits} digits: more than the ${MAX_INTEGER_DIGITS} read`, ctx);
    return BigInt(id);
  }
  // (the same rule for the id given as a number: "-5" and -5 are both refused)
  if ((typeof id === "number" || typeof id === "bigint") && id < 0) throw new UsageError(`data[${index}]: order id ${id} must be the id's digits (a whole number of 0 or more)`, ctx);
  return id;
}

/**
 * The JSON text of a batch array (what the vendor doc says the signature covers). With
 * `operationId`, that operation's limit applies and errors name it; without, batchOrder's.
 */
export function xtBatchJson(items: ReadonlyArray<unknown>, operationId?: XtBatchOperationId): string {
  if (operationId !== undefined) xtBatchMax(operationId); // a UsageError for one that is no batch operation
  const ctx = { api: "xt", operation: operationId };
  if (!Array.isArray(items)) throw new UsageError(`a batch is a list of its items, got ${typeName(items)}`, ctx);
  // (each item read once, at every depth: what is checked is what is sent)
  const batch = Array.from(items, (item, i) => (typeof item === "object" && item !== null ? heldValue(item) : normalizeId(item, i, operationId)));
  // The checks call() makes of a batch given as a list (core/validate.ts contentProblems).
  const schema = dataSchemaOf(operationId ?? "batchOrder");
  const problems = schema ? contentProblems(batch, operationId ? schema : { maxBatchItems: schema.maxBatchItems }, "data", (p) => p) : [];
  if (problems.length) throw new UsageError(`the batch does not fit the spec: ${problems.map((p) => p.message).join("; ")}`, ctx);
  // A decimal given as text (a price a double cannot hold) is written as that number.
  return stringifyJson(operationId ? withNumberTexts(batch, schema?.contentSchema) : batch);
}

/** base64 of the batch JSON array, the value of the `data` parameter. */
export function encodeXtBatchData(items: ReadonlyArray<unknown>, operationId?: XtBatchOperationId): string {
  return Buffer.from(xtBatchJson(items, operationId), "utf8").toString("base64");
}

/**
 * Decode a batch `data` value back into its array (bigints above 2^53); anything else is a
 * UsageError. `decimals` as parseJson takes it: a batch holding a decimal no double holds (sent
 * as its text) needs "string", which gives every decimal as its text.
 */
export function decodeXtBatchData(data: string, options?: { decimals?: DecimalsMode }): unknown[] {
  const ctx = { api: "xt" };
  if (typeof data !== "string") throw new UsageError(`batch data is base64 text, got ${typeName(data)}`, ctx);
  let value: unknown;
  try {
    value = parseJson(Buffer.from(data, "base64").toString("utf8"), options);
  } catch (e) {
    throw new UsageError(`batch data is not base64 of JSON: ${e instanceof Error ? e.message : String(e)}`, { ...ctx, cause: e });
  }
  if (!Array.isArray(value)) throw new UsageError("batch data is not a base64 JSON array", ctx);
  return value;
}
