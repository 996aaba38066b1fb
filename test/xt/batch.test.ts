/**
 * XT's base64 batch `data`: every item is checked against the spec's `contentSchema` before
 * anything is encoded or sent, so a value JSON cannot carry (NaN → null), an id whose digits a
 * JavaScript number lost, or an item the server would misread never leaves the client.
 */
import { describe, expect, it } from "vitest";
import { meta } from "../../generated/xt-spot.meta.js";
import { UsageError } from "../../src/handwritten/core/errors.js";
import { decodeXtBatchData, xtBatchJson } from "../../src/handwritten/xt/batch.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { json, recordingFetch } from "../helpers/recording-fetch.js";

const fail = (f: () => unknown): UsageError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error("expected a UsageError");
};

describe("XT batch items against the spec's contentSchema", () => {
  it("the runtime metadata carries the contentSchema of each batch the client encodes", () => {
    const order = meta.operations.find((o) => o.operationId === "batchOrder")!.body!.properties.data!.contentSchema!;
    expect(order.items).toMatchObject({ required: ["price", "amount", "type"], properties: { type: { enum: [0, 1] } } });
    const ids = meta.operations.find((o) => o.operationId === "getBatchOrders")!.params.find((p) => p.name === "data")!.schema.contentSchema!;
    expect(ids.items).toMatchObject({ type: "integer", format: "int64" });
  });

  it.each([
    [[Number.NaN], "data[0] must be a finite number, got NaN"],
    [[Number.POSITIVE_INFINITY], "data[0] must be a finite number, got Infinity"],
    [[1.5], "data[0] must be integer, got 1.5"],
    [[null], "data[0] must be integer, got null"],
    [[true], "data[0] must be integer, got boolean"],
    [[[1]], "data[0] must be integer, got array"],
    [[2 ** 60], "data[0] is 1152921504606847000 as a JavaScript number, beyond 2^53 where a number cannot hold every integer: pass it as a bigint"],
  ])("order ids %j → %s", (ids, message) => {
    for (const op of ["batchCancel", "getBatchOrders"] as const) {
      expect(fail(() => xtBatchJson(ids, op)).message).toBe(`xt ${op}: the batch does not fit the spec: ${message}`);
    }
  });

  it("ids as bigints and digit strings keep every digit", () => {
    expect(decodeXtBatchData(Buffer.from(xtBatchJson([9007199254740993n, "156292794190713"], "batchCancel")).toString("base64"))).toEqual([9007199254740993n, 156292794190713]);
  });

  it.each([
    [{ price: Number.NaN, amount: 1, type: 1 }, "data[0].price must be a finite number, got NaN"],
    [{ price: 1, amount: 1, type: 7 }, "data[0].type must be one of 0, 1, got 7"],
    [{ price: 1, amount: 1 }, "missing field data[0].type"],
    [{ price: "1", amount: 1, type: 1 }, "data[0].price must be number, got string"],
  ])("order %j → %s", (order, message) => {
    expect(fail(() => xtBatchJson([order], "batchOrder")).message).toBe(`xt batchOrder: the batch does not fit the spec: ${message}`);
  });

  it("the helpers send nothing for a batch that does not fit", async () => {
    const { fetch, calls } = recordingFetch(() => json({ code: 200, info: "success", data: [] }));
    const xt = createXtClient({ accessKey: "k", secretKey: "s", baseUrl: "https://xt.test", rateLimit: false, fetch });
    await expect(xt.batchOrder("btc_usdt", [{ price: Number.NaN, amount: 1, type: 1 }])).rejects.toThrow(/data\[0\]\.price must be a finite number, got NaN/);
    await expect(xt.batchCancel("btc_usdt", [Number.NaN])).rejects.toBeInstanceOf(UsageError);
    await expect(xt.getBatchOrders("btc_usdt", [2 ** 60])).rejects.toBeInstanceOf(UsageError);
    // The same rule for a plain parameter: 9007199254740993 is ...992 as a number, another order.
    await expect(xt.call("getOrder", { market: "btc_usdt", id: 9007199254740993 })).rejects.toThrow(
      /parameter "id" is 9007199254740992 as a JavaScript number, beyond 2\^53 .*: pass it as a bigint or a string of its digits/,
    );
    expect(calls).toHaveLength(0);
    await xt.batchOrder("btc_usdt", [{ price: 5000, amount: 0.001, type: 1 }]);
    expect(calls).toHaveLength(1);
  });
});
