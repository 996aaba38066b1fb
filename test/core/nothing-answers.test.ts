/**
 * "Nothing" in an answer (null, no data, PHP's `[]`) is read as the result's type says
 * (the generated NoData): a list is an empty list, a record null, and an operation that changes
 * state and needs its data refuses the answer. Every road gives the same reading.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { ResponseFormatError } from "../../src/handwritten/core/errors.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";

const answering = (body: unknown) => {
  const sent: string[] = [];
  const fetch = (async (input: RequestInfo | URL) => {
    sent.push(String(input instanceof Request ? input.url : input));
    return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
  }) as typeof globalThis.fetch;
  return { fetch, sent };
};
const xt = (body: unknown) => {
  const { fetch, sent } = answering(body);
  return { client: createXtClient({ accessKey: "ak-nothing", secretKey: "sk-nothing", fetch, rateLimit: false }), sent };
};
const bhex = (body: unknown) => {
  const { fetch, sent } = answering(body);
  return { client: createBhexOrgClient({ accessKey: "ak-nothing", secretKey: "sk-nothing", fetch, rateLimit: false }), sent };
};

describe("nothing in an answer, read as the type says", () => {
  it("a list: null, no data or [] is an empty list (never null), on call() and on .GET", async () => {
    for (const body of [{ code: 200, info: "ok", data: null }, { code: 200, info: "ok" }, { code: 200, info: "ok", data: [] }]) {
      const { client } = xt(body);
      const orders = await client.call("getOpenOrders", { market: "btc_usdt" });
      expectTypeOf(orders).toBeArray();
      expect(orders, JSON.stringify(body)).toEqual([]);
      const viaGet = await client.GET("/trade/api/v1/getOpenOrders", { params: { query: { market: "btc_usdt" } } });
      expect(viaGet.error).toBeUndefined();
      expect(viaGet.data?.data).toEqual([]);
    }
  });

  it("a record: null or no data is null; [] is null where the record needs fields, an empty object where it needs none", async () => {
    for (const body of [{ code: 200, info: "ok", data: null }, { code: 200, info: "ok" }, { code: 200, info: "ok", data: [] }]) {
      const { client } = xt(body);
      const time = await client.call("getServerTime");
      // @ts-expect-error the result may be null
      if (false as boolean) void time.serverTime;
      expect(time, JSON.stringify(body)).toBeNull();
    }
    // .GET reads it as call() does: the envelope's data is null
    for (const body of [{ code: 200, info: "ok", data: [] }, { code: 200, info: "ok" }]) {
      const viaGet = await xt(body).client.GET("/trade/api/v1/getServerTime");
      expect(viaGet.error).toBeUndefined();
      const read = viaGet.data && Object.hasOwn(viaGet.data, "data") ? viaGet.data.data : "absent";
      expect(read, JSON.stringify(body)).toBe(Object.hasOwn(body, "data") ? null : "absent");
    }
    // getBalance: a map of coins (no required field)
    expect(await xt({ code: 200, info: "ok", data: [] }).client.call("getBalance")).toEqual({});
    // a bare answer (no envelope) of null
    expect(await xt(null).client.call("getTicker", { market: "btc_usdt" })).toBeNull();
    // BHEX: a read without data
    expect(await bhex({ status: 0 }).client.call("basicTime")).toBeNull();
  });

  it("[] where the spec has a text (Hubi's order number) is no \"nothing\": refused as the wrong type", async () => {
    const fetch = (async () => new Response(JSON.stringify({ status: 0, message: "ok", result: [] }), { headers: { "content-type": "application/json" } })) as typeof globalThis.fetch;
    const hubi = createHubiClient({ accessKey: "ak-nothing", secretKey: "sk-nothing", accessToken: "at-nothing", fetch, retry: false });
    const e = await hubi.call("cancelOrder", { order_no: "1" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect((e as Error).message).toMatch(/^hubi cancelOrder: the answer's "result" /);
    expect((e as Error).message).toMatch(/array|list/);
  });

  it("an operation that changes state and needs its data: null, no data or [] is a ResponseFormatError marked outcomeUnknown, sent once", async () => {
    for (const data of [undefined, null, []]) {
      const body = data === undefined ? { status: 0, msg: "ok" } : { status: 0, msg: "ok", data };
      const { client, sent } = bhex(body);
      const e = await client.call("orderCreate", { user_id: "1", exchange_id: 301, symbol_id: "BTCUSDT", client_order_id: "c-1", type: "limit", side: "buy", quantity: "1", price: "1" }).catch((x: unknown) => x);
      expect(e, JSON.stringify(body)).toBeInstanceOf(ResponseFormatError);
      expect((e as Error).message).toMatch(/^bhex orderCreate: the answer's "data" is (missing|null|\[\]), which the spec requires: what the call did cannot be read/);
      expect((e as ResponseFormatError).outcomeUnknown).toBe(true);
      expect(sent).toHaveLength(1);
    }
    const e = await xt({ code: 200, info: "ok", data: [] }).client.call("order", { market: "btc_usdt", price: 1, number: 1, type: 1, entrustType: 0 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect((e as Error).message).toMatch(/the answer's "data" is \[\], which the spec requires/);
  });

  it("types: a list or a needed record is never null; a read's record may be", () => {
    const { client } = xt({});
    expectTypeOf<Awaited<ReturnType<typeof client.call<"getOpenOrders">>>>().not.toBeNullable();
    expectTypeOf<Awaited<ReturnType<typeof client.call<"order">>>>().not.toBeNullable();
    expectTypeOf<null>().toMatchTypeOf<Awaited<ReturnType<typeof client.call<"getServerTime">>>>();
    const b = bhex({}).client;
    expectTypeOf<Awaited<ReturnType<typeof b.call<"orderCreate">>>>().not.toBeNullable();
    expectTypeOf<null>().toMatchTypeOf<Awaited<ReturnType<typeof b.call<"basicTime">>>>();
  });
});
