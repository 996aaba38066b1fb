/**
 * XT's base64 batch `data`: every item is checked against the spec's `contentSchema` before
 * anything is encoded or sent, so a value JSON cannot carry (NaN → null), an id whose digits a
 * JavaScript number lost, or an item the server would misread never leaves the client.
 */
import { describe, expect, it } from "vitest";
import { meta } from "../../generated/xt-spot.meta.js";
import { ResponseFormatError, UsageError } from "../../src/handwritten/core/errors.js";
import { decodeXtBatchData, xtBatchJson } from "../../src/handwritten/xt/batch.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { json, recordingFetch } from "../helpers/recording-fetch.js";
import { sentBatch, xtBatchAnswer } from "../helpers/xt-batch-answer.js";
/** A balance no test order reaches (10^29, in digits: the emulator takes no exponent). */
const BIG = `1${"0".repeat(29)}`;

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
    [{ price: "1 000", amount: 1, type: 1 }, "data[0].price must be number, got string"],
    // A decimal's text stands for a price or an amount (written as the number), not for an integer.
    [{ price: "1", amount: 1, type: "1" }, 'data[0].type must be integer, got "1"'],
    [{ price: "1e400", amount: 1, type: 1 }, 'data[0].price must be a finite number, got "1e400"'],
    // (JSON has no leading zero: "01.5" written as the number would make the batch no JSON)
    [{ price: "01.5", amount: 1, type: 1 }, 'data[0].price must be number, got "01.5"'],
    // (a misspelt field would go out unread by the server: refused as an unknown parameter is)
    [{ price: 1, amount: 1, type: 1, prise: 2 }, "unknown field data[0].prise"],
  ])("order %j → %s", (order, message) => {
    expect(fail(() => xtBatchJson([order], "batchOrder")).message).toBe(`xt batchOrder: the batch does not fit the spec: ${message}`);
  });

  it("the helpers send nothing for a batch that does not fit", async () => {
    const { fetch, calls } = recordingFetch(xtBatchAnswer);
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

  it("what is checked is what is sent: an item, or a field, with a toJSON() method is refused (its toJSON() would be sent)", async () => {
    class Order {
      constructor(readonly price: number, readonly amount: number, readonly type: number) {}
      toJSON() {
        return { price: String(this.price), amount: String(this.amount), side: "buy" };
      }
    }
    const { fetch, calls } = recordingFetch(xtBatchAnswer);
    const xt = createXtClient({ accessKey: "k", secretKey: "s", baseUrl: "https://xt.test", rateLimit: false, fetch });
    const refused = "the batch does not fit the spec: data[0] has a toJSON() method: pass the plain value to send";
    await expect(xt.batchOrder("btc_usdt", [new Order(5000, 0.001, 1) as never])).rejects.toThrow(`xt batchOrder: ${refused}`);
    await expect(xt.call("batchOrder", { market: "btc_usdt", data: [new Order(5000, 0.001, 1)] as never })).rejects.toThrow(/parameter "data\[0\]" has a toJSON\(\) method/);
    const price = { valueOf: () => 5000, toJSON: () => "5000" };
    await expect(xt.batchOrder("btc_usdt", [{ price: price as never, amount: 1, type: 1 }])).rejects.toThrow("data[0].price has a toJSON() method");
    expect(calls).toHaveLength(0);
  });

  it("a batch given already encoded is checked for what it carries: base64 of JSON that fits the spec", async () => {
    const { fetch, calls } = recordingFetch(xtBatchAnswer);
    const xt = createXtClient({ accessKey: "k", secretKey: "s", baseUrl: "https://xt.test", rateLimit: false, fetch });
    const b64 = (text: string) => Buffer.from(text).toString("base64");
    for (const [data, message] of [
      ["not-base64!!", 'parameter "data" must be base64 of JSON: it has characters or padding base64 does not'],
      [b64("[{\"price\":NaN}]"), 'parameter "data" must be base64 of JSON: the decoded text is not JSON'],
      [Buffer.from([0x5b, 0xff, 0x5d]).toString("base64"), 'parameter "data" must be base64 of JSON: it decodes to bytes that are not UTF-8'],
      [b64('[{"price":1,"amount":1,"type":7}]'), 'parameter "data[0].type" must be one of 0, 1, got 7'],
      [b64("[]"), 'parameter "data": a batch needs at least one item'],
      [b64('[{"price":1e400,"amount":1,"type":1}]'), 'parameter "data[0].price" must be a finite number, got Infinity'],
      // Read for its JSON types: a string where the spec has a number is refused, as before.
      [b64('[{"price":"1.5","amount":2,"type":1}]'), 'parameter "data[0].price" must be number, got string'],
    ] as const) {
      const e = await xt.call("batchOrder", { market: "btc_usdt", data }).catch((x: unknown) => x);
      expect(e, data).toBeInstanceOf(UsageError);
      expect((e as Error).message, data).toContain(`xt batchOrder: ${message}`);
    }
    expect(calls).toHaveLength(0);
    await xt.call("batchOrder", { market: "btc_usdt", data: b64('[{"price":5000,"amount":0.001,"type":1}]') });
    expect(calls).toHaveLength(1);
  });

  it("a decimal's text in a batch (a price a double cannot hold) is written as that number, digits as given: by the helper, call()'s list, and already encoded", async () => {
    // (the answer's orders at prices a double holds: the client reads it with decimals "exact")
    const { fetch, calls } = recordingFetch((req) => {
      const items = decodeXtBatchData(new URLSearchParams(req.body).get("data")!, { decimals: "string" });
      return json({ code: 200, info: "success", data: items.map((_, i) => ({ price: 5000, amount: 1, type: 1, id: 156292972664756 + i })) });
    });
    const xt = createXtClient({ accessKey: "k", secretKey: "s", baseUrl: "https://xt.test", rateLimit: false, fetch });
    const sentBatch = () => Buffer.from(new URLSearchParams(calls.at(-1)!.body!).get("data")!, "base64").toString("utf8");
    const wire = '[{"price":5000.123456789012345678,"amount":1.000000000000000001,"type":1},{"price":0.1,"amount":2,"type":0}]';
    await xt.batchOrder("btc_usdt", [
      { price: "5000.123456789012345678", amount: "1.000000000000000001", type: 1 },
      { price: 0.1, amount: 2, type: 0 },
    ]);
    expect(sentBatch()).toBe(wire);
    await xt.call("batchOrder", { market: "btc_usdt", data: [{ price: "5000.123456789012345678", amount: "1.000000000000000001", type: 1 }, { price: 0.1, amount: 2, type: 0 }] });
    expect(sentBatch()).toBe(wire);
    await xt.call("batchOrder", { market: "btc_usdt", data: Buffer.from(wire).toString("base64") });
    expect(sentBatch()).toBe(wire);
    expect(xtBatchJson([{ price: "0.3", amount: "2", type: 1 }], "batchOrder")).toBe('[{"price":0.3,"amount":2,"type":1}]');
    // An integer written 1.0 in an encoded batch is the integer (as before: read as text it was "1.0").
    await xt.call("batchOrder", { market: "btc_usdt", data: Buffer.from('[{"price":1.5,"amount":2,"type":1.0}]').toString("base64") });
    expect(sentBatch()).toBe('[{"price":1.5,"amount":2,"type":1.0}]');
    // A text where the schema has a string stays a string; ids keep their own rule.
    expect(xtBatchJson(["9007199254740993"], "batchCancel")).toBe("[9007199254740993]");
  });

  it("a batch given as base64 text of millions of characters is checked as a short one: a UsageError naming the operation, or sent when it fits (was a RangeError from the base64 regex)", async () => {
    const { fetch, calls } = recordingFetch(xtBatchAnswer);
    const xt = createXtClient({ accessKey: "k", secretKey: "s", baseUrl: "https://xt.test", rateLimit: false, fetch });
    const n = 6_000_000;
    for (const [data, message] of [
      ["A".repeat(n), 'parameter "data" must be base64 of JSON: the decoded text is not JSON'],
      [`${"A".repeat(n)}!`, 'parameter "data" must be base64 of JSON: it has characters or padding base64 does not'],
      [`${"A".repeat(n + 1)}===`, 'parameter "data" must be base64 of JSON: it has characters or padding base64 does not'],
      [`${"A".repeat(n + 1)}`, 'parameter "data" must be base64 of JSON: it has characters or padding base64 does not'],
    ] as const) {
      const e = await xt.call("batchOrder", { market: "btc_usdt", data }).catch((x: unknown) => x);
      expect(e, message).toBeInstanceOf(UsageError);
      expect((e as Error).message).toContain(`xt batchOrder: ${message}`);
    }
    expect(calls).toHaveLength(0);
    // Valid base64 of a batch that fits (JSON's whitespace makes it long) is sent as it is.
    const data = Buffer.from(`[${" ".repeat(4_500_000)}{"price":5000,"amount":0.001,"type":1}]`).toString("base64");
    expect(data.length).toBeGreaterThan(n);
    await xt.call("batchOrder", { market: "btc_usdt", data });
    expect(calls).toHaveLength(1);
    expect(sentBatch(calls[0]!)).toEqual([{ price: 5000, amount: 0.001, type: 1 }]);
  });

  it("a number given as the batch is refused as no list of items, naming the number (NaN or 1.5 was called an integer beyond 2^53, -0 an integer)", async () => {
    const { fetch, calls } = recordingFetch(xtBatchAnswer);
    const xt = createXtClient({ accessKey: "k", secretKey: "s", baseUrl: "https://xt.test", rateLimit: false, fetch });
    for (const [data, shown] of [
      [Number.NaN, "NaN"],
      [1.5, "1.5"],
      [123456789.123, "123456789.123"],
      [-0, "-0"],
      [Number.NEGATIVE_INFINITY, "-Infinity"],
      [2 ** 60, "1152921504606847000"],
      [5, "5"],
    ] as const) {
      for (const op of ["batchOrder", "batchCancel", "getBatchOrders"] as const) {
        const e = await xt.call(op, { market: "btc_usdt", data } as never).catch((x: unknown) => x);
        expect(e, `${op} ${shown}`).toBeInstanceOf(UsageError);
        expect((e as Error).message, `${op} ${shown}`).toBe(`xt ${op}: parameter "data": a batch is a list of its items, got the number ${shown}`);
      }
    }
    expect(calls).toHaveLength(0);
  });

  it("order ids: a string that is not digits and a negative number are refused alike, naming the item; decoding names what is wrong", () => {
    for (const id of ["12a", "-5", -5, -1n, " 12"]) {
      expect(fail(() => xtBatchJson([1, 2, id], "batchCancel")).message, String(id)).toBe(`xt batchCancel: data[2]: order id ${typeof id === "string" ? JSON.stringify(id) : String(id)} must be the id's digits (a whole number of 0 or more)`);
    }
    expect(fail(() => decodeXtBatchData("%%%")).message).toMatch(/^xt: batch data is not base64 of JSON: /);
    expect(fail(() => decodeXtBatchData(123 as never)).message).toBe("xt: batch data is base64 text, got number");
  });

  it("a negative order id given to call() (cancel, getOrder, a batch as a list or as base64) is refused as the helpers refuse it: nothing sent", async () => {
    const { fetch, calls } = recordingFetch(xtBatchAnswer);
    const xt = createXtClient({ accessKey: "ak", secretKey: "sk", baseUrl: "https://xt.test", fetch, rateLimit: false });
    const b64 = (t: string) => Buffer.from(t).toString("base64");
    for (const [op, params, where] of [
      ["cancel", { market: "btc_usdt", id: -5 }, '"id"'],
      ["getOrder", { market: "btc_usdt", id: -1n }, '"id"'],
      ["batchCancel", { market: "btc_usdt", data: [1, -5] }, '"data[1]"'],
      ["batchCancel", { market: "btc_usdt", data: b64("[1,-5]") }, '"data[1]"'],
      ["getBatchOrders", { market: "btc_usdt", data: [-5] }, '"data[0]"'],
    ] as const) {
      const e = await xt.call(op as never, params as never).catch((x: unknown) => x);
      expect(e, op).toBeInstanceOf(UsageError);
      expect((e as Error).message, op).toContain(`parameter ${where} is out of range`);
    }
    expect(calls).toHaveLength(0);
    await xt.call("batchCancel", { market: "btc_usdt", data: [0, 1n] });
    expect(calls).toHaveLength(1);
    // The types: a batch's `data` is its list or the base64 text (an array needed `as never`).
    const typed = (x: typeof xt) => [
      x.call("getBatchOrders", { market: "btc_usdt", data: [2n, 3] }),
      // @ts-expect-error call() checks ids against the spec's integer: digits as text go through the helpers
      x.call("getBatchOrders", { market: "btc_usdt", data: ["1"] }),
      x.call("batchOrder", { market: "btc_usdt", data: [{ price: "0.1", amount: 1, type: 1 }] }),
      x.call("batchOrder", { market: "btc_usdt", data: "W10=" }),
      // @ts-expect-error a batch of orders is no list of ids
      x.call("batchCancel", { market: "btc_usdt", data: [{ price: 1, amount: 1, type: 1 }] }),
      // @ts-expect-error an order needs its type
      x.call("batchOrder", { market: "btc_usdt", data: [{ price: 1, amount: 1 }] }),
    ];
    expect(typeof typed).toBe("function");
  });
});

describe("a batch answer's count against the items sent", () => {
  const KEYS = { accessKey: "ak-batch", secretKey: "sk-batch-secret-0001" };
  const order = { price: 5000, amount: 0.001, type: 1 as const };
  /** A client whose server answers `data` (a function of the items sent), once per call. */
  const clientAnswering = (data: (sent: number) => unknown) => {
    const { fetch, calls } = recordingFetch((req) => {
      const sent = sentBatch(req).length;
      const body: Record<string, unknown> = { code: 200, info: "success" };
      const d = data(sent);
      if (d !== undefined) body.data = d;
      return json(body);
    });
    return { xt: createXtClient({ ...KEYS, fetch, baseUrl: "https://xt.test", rateLimit: false }), calls };
  };
  const placed = (n: number) => Array.from({ length: n }, (_, i) => ({ ...order, id: 156292972664756 + i }));

  it("batchOrder: fewer, more or no results than orders sent → ResponseFormatError, outcomeUnknown, sent once", async () => {
    for (const [answer, listed] of [
      [(n: number) => placed(n - 1), "2 results"],
      [(n: number) => placed(n + 1), "4 results"],
      [() => [], "0 results"],
      [() => null, "0 results"],
      [() => undefined, "0 results"],
    ] as const) {
      const { xt, calls } = clientAnswering(answer);
      const e = await xt.batchOrder("btc_usdt", [order, order, order]).catch((x: unknown) => x);
      expect(e, listed).toBeInstanceOf(ResponseFormatError);
      expect((e as ResponseFormatError).message).toMatch(new RegExp(`^xt batchOrder: 3 orders were sent and the answer lists ${listed}: which were placed cannot be told.*; the request may have reached the server and taken effect`));
      expect((e as ResponseFormatError).outcomeUnknown).toBe(true);
      expect(calls).toHaveLength(1); // not retried: batchOrder is not retryable
    }
  });

  it("the same check on call(), .POST (error returned) and batchCancel; an answer of the right count resolves", async () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64");
    const { xt } = clientAnswering((n) => placed(n).slice(1));
    await expect(xt.call("batchOrder", { market: "btc_usdt", data: b64([order, order]) })).rejects.toThrow(/^xt batchOrder: 2 orders were sent and the answer lists 1 result: /);
    const { error, data } = await xt.POST("/trade/api/v1/batchOrder", { body: { market: "btc_usdt", data: b64([order]) } });
    expect(data).toBeUndefined();
    expect(error).toBeInstanceOf(ResponseFormatError);
    expect((error as ResponseFormatError).outcomeUnknown).toBe(true);
    const cancels = clientAnswering((n) => Array.from({ length: n - 1 }, (_, i) => ({ msg: "ok", code: 120, id: i + 1 })));
    const c = await cancels.xt.batchCancel("btc_usdt", [1, 2]).catch((x: unknown) => x);
    expect((c as Error).message).toMatch(/^xt batchCancel: 2 orders were sent and the answer lists 1 result: which were cancelled cannot be told/);
    expect((c as ResponseFormatError).outcomeUnknown).toBe(true);
    // The secret never shows, whatever the answer holds.
    const echo = clientAnswering(() => [{ ...order, id: 1, note: KEYS.secretKey }]);
    const leak = await echo.xt.batchOrder("btc_usdt", [order, order]).catch((x: unknown) => x);
    expect(leak).toBeInstanceOf(ResponseFormatError);
    expect(JSON.stringify(leak) + String(leak) + (leak as Error).stack).not.toContain(KEYS.secretKey);
    // getBatchOrders lists the orders found: fewer than asked is an answer, not a fault.
    const found = clientAnswering(() => []);
    await expect(found.xt.getBatchOrders("btc_usdt", [1, 2])).resolves.toEqual([]);
    const right = clientAnswering((n) => placed(n));
    await expect(right.xt.batchOrder("btc_usdt", [order, order])).resolves.toHaveLength(2);
  });

  it("batchCancel: each order id sent answered once, no other; batchOrder: each placed id once (a count that fits is not enough)", async () => {
    const answering = (data: () => unknown) => {
      const { fetch, calls } = recordingFetch(() => json({ code: 200, info: "success", data: data() }));
      return { xt: createXtClient({ ...KEYS, fetch, baseUrl: "https://xt.test", rateLimit: false }), calls };
    };
    const result = (id: unknown) => ({ msg: "ok", code: 120, id });
    const big = 9007199254740993n;
    for (const [name, answer, message] of [
      ["one id twice, one missing", () => [result(111), result(111)], /the answer has no result for the order id 222, and results for 111, which were not sent or were listed again: which were cancelled cannot be told/],
      ["ids never sent", () => [result(999), result(998)], /no result for the order ids 111, 222, and results for 999, 998/],
      ["a big id one off", () => [result(111), result(big - 2n)], /no result for the order id 9007199254740993, and results for 9007199254740991/],
    ] as const) {
      const { xt, calls } = answering(answer);
      const e = await xt.batchCancel("btc_usdt", name === "a big id one off" ? [111, big] : [111, 222]).catch((x: unknown) => x);
      expect(e, name).toBeInstanceOf(ResponseFormatError);
      expect((e as Error).message, name).toMatch(message);
      expect((e as ResponseFormatError).outcomeUnknown).toBe(true);
      expect(calls).toHaveLength(1);
    }
    // The same ids in another order, and a big id given as a number or a bigint: an answer.
    const shuffled = answering(() => [222, big, 111].map(result));
    await expect(shuffled.xt.batchCancel("btc_usdt", [111, big, 222])).resolves.toHaveLength(3);
    // batchOrder: two placed orders under one id.
    const twice = answering(() => [{ ...order, id: 5 }, { ...order, id: 5 }]);
    await expect(twice.xt.batchOrder("btc_usdt", [order, order])).rejects.toThrow(/^xt batchOrder: the answer lists the order id 5 twice: which were placed cannot be told/);
  });
  it("an id written 1.0 or 1e0 is the integer it denotes in every decimals mode (with \"string\" it was the text \"1.0\", which no id sent is); 1.5 is refused in every mode", async () => {
    for (const decimals of ["exact", "string", "number"] as const) {
      const answering = (text: string) => createXtClient({ ...KEYS, fetch: async () => new Response(text, { headers: { "content-type": "application/json" } }), baseUrl: "https://xt.test", rateLimit: false, retry: false, decimals });
      const cancelled = await answering('{"code":200,"info":"ok","data":[{"msg":"","code":120,"id":1.0},{"msg":"","code":120,"id":2e0}]}').batchCancel("btc_usdt", [1, 2]);
      expect(cancelled.map((r) => r.id), decimals).toEqual([1, 2]);
      const placed = await answering('{"code":200,"info":"ok","data":[{"price":5000,"amount":1,"type":1,"id":1.0},{"price":5000,"amount":1,"type":1,"id":1.00}]}').batchOrder("btc_usdt", [order, order]).catch((x: unknown) => x);
      expect(placed, decimals).toBeInstanceOf(ResponseFormatError);
      expect((placed as Error).message, decimals).toMatch(/^xt batchOrder: the answer lists the order id 1 twice/);
      const e = await answering('{"code":200,"info":"ok","data":[{"msg":"","code":120,"id":1.5}]}').batchCancel("btc_usdt", [1]).catch((x: unknown) => x);
      expect(e, decimals).toBeInstanceOf(ResponseFormatError);
      expect((e as Error).message, decimals).toMatch(/no result for the order id 1, and results for 1\.5/);
    }
  });
});

describe("the XT emulator's batchOrder answer", () => {
  it("gives each order's price and amount as the numbers sent, every digit (a JavaScript number rounded them)", async () => {
    const { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } = await import("../../src/mock/index.js");
    const mock = await startXtMock({ balances: { usdt: BIG, btc: BIG, eth: BIG } });
    try {
      const xt = createXtClient({ baseUrl: mock.url, accessKey: XT_MOCK_ACCESS_KEY, secretKey: XT_MOCK_SECRET_KEY, decimals: "string", rateLimit: false });
      const data = Buffer.from('[{"price":12345678901234567890123,"amount":1E+2,"type":1},{"price":0.5,"amount":7,"type":0}]').toString("base64");
      const placed = await xt.call("batchOrder", { market: "btc_usdt", data });
      expect(placed.map(({ price, amount }) => ({ price, amount }))).toEqual([
        { price: "12345678901234567890123", amount: "1E+2" },
        { price: "0.5", amount: 7 },
      ]);
    } finally {
      await mock.close();
    }
  });

  it("writes a decimal's text as a JSON number with the same digits", async () => {
    const { jsonNumberText } = await import("../../src/mock/decimal-text.js");
    const cases = { "5": "5", "05.50": "5.50", ".5": "0.5", "7.": "7", "000": "0", "0.0": "0.0", "1e5": "1e5", "1E+05": "1E+05", "00.1e-3": "0.1e-3" };
    for (const [text, want] of Object.entries(cases)) {
      expect(jsonNumberText(text), text).toBe(want);
      expect(Number.isFinite(JSON.parse(want)), text).toBe(true);
    }
  });
});
