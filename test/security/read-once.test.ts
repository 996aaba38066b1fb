/**
 * A value nested in the parameters (an XT batch item, a BHEX items row, a Xele condition, a
 * quant-ws order list) is read once: what is checked is what is sent. (Only the top level was
 * copied: a getter that answered a valid value to the check and another to the serializer sent
 * a value never checked, a NaN price or an id with letters.)
 */
import { describe, expect, it } from "vitest";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { UsageError } from "../../src/handwritten/core/errors.js";
import { heldValue } from "../../src/handwritten/core/validate.js";
import { decodeXtBatchData, encodeXtBatchData } from "../../src/handwritten/xt/batch.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { BHEX_MOCK_ACCESS_KEY, BHEX_MOCK_SECRET_KEY, BHEX_MOCK_USER_IDS, startBhexMock } from "../../src/mock/bhex.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME } from "../../src/mock/xele.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "../../src/mock/xt.js";
import { ETH, framesOf, startMock } from "../quant-ws/helpers.js";
import { createQuantWsClient } from "../../src/handwritten/quant-ws/index.js";

/** An object whose `key` answers `first` on the first read and `later` on every read after. */
function twoFaced<T extends object>(fields: T, key: string, first: unknown, later: unknown): [T, () => number] {
  let reads = 0;
  Object.defineProperty(fields, key, { enumerable: true, get: () => (++reads === 1 ? first : later) });
  return [fields, () => reads];
}

describe("nested parameters are read once", () => {
  it("heldValue copies lists and plain objects at every depth, and keeps bytes, dates and class-less values as they are", () => {
    const bytes = new Uint8Array([1, 2]);
    const when = new Date(0);
    const given = { a: [{ b: [1, { c: "x" }] }], bytes, when, n: 5 };
    const held = heldValue(given);
    expect(held).toEqual(given);
    expect(held.a).not.toBe(given.a);
    expect(held.a[0]).not.toBe(given.a[0]);
    expect((held.a[0]!.b as unknown[])[1]).not.toBe(given.a[0]!.b[1]);
    expect([held.bytes, held.when]).toEqual([bytes, when]);
    expect(held.bytes).toBe(bytes);
    // Each object copied once: a list that holds itself is a list that holds itself; one object
    // given in many places is one copy (a copy of each place made one shared 30 deep 2^30 times).
    const loop: unknown[] = [];
    loop.push(loop, loop);
    const heldLoop = heldValue(loop);
    expect([heldLoop === loop, heldLoop[0] === heldLoop, heldLoop[1] === heldLoop]).toEqual([false, true, true]);
    let shared: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 30; i++) shared = { a: shared, b: shared };
    const t0 = performance.now();
    const heldShared = heldValue(shared) as { a: unknown; b: unknown };
    expect(performance.now() - t0).toBeLessThan(200);
    expect(heldShared.a).toBe(heldShared.b);
  });

  it("a parameter that holds itself is refused at once (a UsageError), never a process held copying it", async () => {
    const xt = createXtClient({ accessKey: "ak", secretKey: "sk", baseUrl: "http://127.0.0.1:9", rateLimit: false });
    const data: unknown[] = [];
    data.push(data, data);
    const t0 = performance.now();
    await expect(xt.call("batchOrder", { market: "btc_usdt", data: data as never })).rejects.toThrow(UsageError);
    expect(performance.now() - t0).toBeLessThan(1_000);
  });

  it("XT: a batch item's getter is read once, by call() and by encodeXtBatchData", async () => {
    const [item, itemReads] = twoFaced({ amount: 0.001, type: 1 }, "price", 5000, "NaN-price");
    expect(decodeXtBatchData(encodeXtBatchData([item]))).toEqual([{ amount: 0.001, type: 1, price: 5000 }]);
    expect(itemReads()).toBe(1);

    const mock = await startXtMock();
    try {
      const sent: string[] = [];
      const xt = createXtClient({
        baseUrl: mock.url,
        accessKey: XT_MOCK_ACCESS_KEY,
        secretKey: XT_MOCK_SECRET_KEY,
        rateLimit: false,
        fetch: async (url, init) => {
          sent.push(new URLSearchParams(String(init?.body ?? new URL(String(url)).search)).get("data") ?? "");
          return fetch(url, init);
        },
      });
      const [order, reads] = twoFaced({ amount: 0.001, type: 1 }, "price", 5000, "NaN-price");
      await xt.call("batchOrder", { market: "btc_usdt", data: [order] as never });
      expect(sent.map((d) => decodeXtBatchData(d))).toEqual([[{ amount: 0.001, type: 1, price: 5000 }]]);
      expect(reads()).toBe(1);
    } finally {
      await mock.close();
    }
  });

  it("BHEX: an items row's getter is read once", async () => {
    const mock = await startBhexMock();
    try {
      const sent: string[] = [];
      const bhex = createBhexOrgClient({
        baseUrl: mock.url,
        accessKey: BHEX_MOCK_ACCESS_KEY,
        secretKey: BHEX_MOCK_SECRET_KEY,
        fetch: async (url, init) => {
          sent.push(new URLSearchParams(String(init?.body ?? "")).get("items") ?? "");
          return fetch(url, init);
        },
      });
      const [row, reads] = twoFaced({ target_user_id: BHEX_MOCK_USER_IDS[0]!, token_id: "USDT" }, "amount", "1", "1e999");
      await bhex.call("financeAirDrop", { data_type: "json", items: [row] } as never);
      expect(sent.map((s) => JSON.parse(s) as unknown)).toEqual([[expect.objectContaining({ amount: "1" })]]);
      expect(reads()).toBe(1);
    } finally {
      await mock.close();
    }
  });

  it("Xele: a nested condition's getter is read once", async () => {
    const mock = await startXeleMock();
    try {
      const xele = createXeleClient({ maUrl: mock.maUrl, msUrl: mock.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD });
      const [scale, reads] = twoFaced({}, "investor_id", true, "junk");
      await xele.call("getInvestorFunds", { content: "", option_scale: scale } as never);
      const last = mock.received.filter((x) => x.operationId === "getInvestorFunds").at(-1)!.json as { data: { option_scale: Record<string, unknown> } };
      expect(last.data.option_scale.investor_id).toBe(true);
      expect(reads()).toBe(1);
    } finally {
      await mock.close();
    }
  });

  it("quant-ws: an order list's element is read once", async () => {
    const mock = await startMock();
    const client = createQuantWsClient({ url: mock.url, pingIntervalMs: 0, reconnect: false });
    try {
      const session = await client.login({ platform: "huobi", symbols: [ETH], accessKey: "key-fay-0006", secretKey: "secret-fay-0006" });
      const placed = await session.placeOrder({ symbol: ETH, action: "BUY", order_type: "LIMIT", price: 1000, quantity: 1 });
      const orderNos: string[] = [];
      let reads = 0;
      Object.defineProperty(orderNos, 0, { enumerable: true, get: () => (++reads === 1 ? placed : "not-an-order") });
      await session.request("cancel_order", { symbol: ETH, order_nos: orderNos } as never).catch(() => undefined);
      expect(framesOf(mock, "cancel_order").map((f) => f.order_nos)).toEqual([[placed]]);
      expect(reads).toBe(1);
    } finally {
      await client.close();
    }
  });
});
