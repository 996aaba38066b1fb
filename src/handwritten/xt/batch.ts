/**
 * XT batch `data`: base64 of a JSON array (at most 100 items; the server ignores the rest,
 * so more is refused here rather than silently dropped). Order IDs keep every digit.
 */
import { UsageError } from "../core/errors.js";
import { parseJson, stringifyJson } from "../core/json.js";

export const XT_BATCH_MAX = 100;

function normalizeId(id: unknown): unknown {
  // String IDs are written as JSON integers, the form the vendor doc shows: [123, 456, 789].
  if (typeof id === "string") {
    if (!/^\d+$/.test(id)) throw new UsageError(`order id ${JSON.stringify(id)} is not an integer`, { api: "xt" });
    return BigInt(id);
  }
  return id;
}

/** The JSON text of a batch array (what the vendor doc says the signature covers). */
export function xtBatchJson(items: ReadonlyArray<unknown>): string {
  if (items.length === 0) throw new UsageError("a batch needs at least one item", { api: "xt" });
  if (items.length > XT_BATCH_MAX) {
    throw new UsageError(`a batch holds at most ${XT_BATCH_MAX} items (the server ignores the rest); got ${items.length}: split it`, { api: "xt" });
  }
  return stringifyJson(items.map((i) => (typeof i === "object" && i !== null ? i : normalizeId(i))));
}

/** base64 of the batch JSON array, the value of the `data` parameter. */
export function encodeXtBatchData(items: ReadonlyArray<unknown>): string {
  return Buffer.from(xtBatchJson(items), "utf8").toString("base64");
}

/** Decode a batch `data` value back into its array (bigints above 2^53). */
export function decodeXtBatchData(data: string): unknown[] {
  const value = parseJson(Buffer.from(data, "base64").toString("utf8"));
  if (!Array.isArray(value)) throw new UsageError("batch data is not a base64 JSON array", { api: "xt" });
  return value;
}
