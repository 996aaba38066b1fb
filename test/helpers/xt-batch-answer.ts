/**
 * An XT server's answer to a batch: one result per item the request's `data` carries, as the
 * vendor doc's examples show (batchOrder: the placed orders with their ids; batchCancel: each
 * id with its own code, 120 = cancelled). For tests whose subject is not the answer itself.
 */
import { parseJson } from "../../src/handwritten/core/json.js";
import { json, type Recorded } from "./recording-fetch.js";

/** The items of a recorded request's batch `data` (form body or query), decoded; [] without one. */
export function sentBatch(req: Recorded): unknown[] {
  const data = (req.method === "GET" ? req.url.searchParams : new URLSearchParams(req.body)).get("data");
  // (ids beyond 2^53 kept as bigints: JSON.parse rounded them, and the client matches the ids answered to those sent)
  return data === null ? [] : (parseJson(Buffer.from(data, "base64").toString("utf8")) as unknown[]);
}

/** The success answer of batchOrder or batchCancel to `req` (any other operation: data []). */
export function xtBatchAnswer(req: Recorded): Response {
  const items = sentBatch(req);
  const op = req.url.pathname.split("/").pop();
  const data =
    op === "batchOrder"
      ? items.map((o, i) => ({ ...(o as object), id: 156292972664756 + i }))
      : op === "batchCancel"
        ? items.map((id) => ({ msg: "The order has been canceled successfully", code: 120, id }))
        : [];
  return json({ code: 200, info: "success", data });
}
