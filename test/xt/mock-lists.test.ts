/**
 * The XT emulator's list answers follow the request (issue: list operations returned the fixed
 * example whatever paging said): page/pageSize, `since`, filters by the parameters that name
 * record fields, and state (a withdraw shows in the withdrawal records).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import type { HttpMock } from "../../src/mock/http-mock.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "../../src/mock/xt.js";
/** A balance no test order reaches (10^29, in digits: the emulator takes no exponent). */
const BIG = `1${"0".repeat(29)}`;

let mock: HttpMock;
beforeAll(async () => {
  mock = await startXtMock({ balances: { usdt: BIG, btc: BIG, eth: BIG } });
});
afterAll(() => mock.close());
const client = () => createXtClient({ accessKey: XT_MOCK_ACCESS_KEY, secretKey: XT_MOCK_SECRET_KEY, baseUrl: mock.url, rateLimit: false });

describe("XT emulator: lists", () => {
  it("deposit records: page and pageSize select the page, total counts all", async () => {
    const c = client();
    const p1 = (await c.call("getPayInRecord", { coin: "usdt", page: 1, pageSize: 10 }))!;
    const p3 = (await c.call("getPayInRecord", { coin: "usdt", page: 3, pageSize: 10 }))!;
    expect(p1.record).toHaveLength(10);
    expect(p3.record).toHaveLength(3);
    expect(p1.total).toBe(23);
    expect(p3.pageIndex).toBe(3);
    expect(p3.pageSize).toBe(10);
    const times = [...p1.record, ...p3.record].map((r) => r.creatTime);
    expect(new Set(times).size).toBe(13);
    expect((await c.call("getPayInRecord", { coin: "usdt", page: 1, pageSize: 5 }))!.record).toEqual(p1.record.slice(0, 5));
  });

  it("filters by coin (a record field), without regard to case", async () => {
    const c = client();
    expect((await c.call("getPayInRecord", { coin: "btc", page: 1, pageSize: 10 }))!.record).toEqual([]);
    expect((await c.call("getPayInRecord", { coin: "USDT", page: 1, pageSize: 10 }))!.record).toHaveLength(10);
    const addresses = (await c.call("getPayOutAddress", { coin: "eth", page: 1, pageSize: 10 }))!;
    expect(addresses.record).toEqual([]);
  });

  it("keeps state: a withdraw appears first in the withdrawal records of its coin", async () => {
    const c = client();
    const before = (await c.call("getPayOutRecord", { coin: "usdt", page: 1, pageSize: 10 }))!.record.length;
    const w = await c.call("withdraw", { coin: "usdt", address: "0xabc", amount: 2.5, safePwd: "pw" });
    expect(w.address).toBe("0xabc");
    const after = (await c.call("getPayOutRecord", { coin: "usdt", page: 1, pageSize: 10 }))!.record;
    expect(after).toHaveLength(before + 1);
    expect(after[0]).toMatchObject({ address: "0xabc", amount: 2.5, coin: "usdt" });
    expect((await c.call("getPayOutRecord", { coin: "usdt", page: 1, pageSize: 1 }))!.record).toHaveLength(1);
  });

  it("a withdrawal's amount is answered and recorded with every digit it was sent (a double rounded 9007199254740993 and 0.1000000000000000000001)", async () => {
    const c = createXtClient({ accessKey: XT_MOCK_ACCESS_KEY, secretKey: XT_MOCK_SECRET_KEY, baseUrl: mock.url, rateLimit: false, decimals: "string" });
    const sent = ["9007199254740993", "0.1000000000000000000001", "12345678901234567890.5"];
    for (const amount of sent) {
      const w = await c.call("withdraw", { coin: "usdt", address: "0xexact", amount: amount as unknown as number, safePwd: "pw" });
      expect(String(w.amount)).toBe(amount);
    }
    const records = (await c.call("getPayOutRecord", { coin: "usdt", page: 1, pageSize: 3 }))!.record;
    expect(records.map((r) => String(r.amount))).toEqual([...sent].reverse());
  });

  it("klines: only candles newer than `since`; the answer's since is the cursor to send next", async () => {
    const c = client();
    const all = (await c.call("getKLine", { market: "btc_usdt", type: "1min", since: 0 }))!;
    expect(all.datas.length).toBeGreaterThan(10);
    const cut = all.datas[all.datas.length - 4]![0]!;
    const newer = (await c.call("getKLine", { market: "btc_usdt", type: "1min", since: cut }))!;
    expect(newer.datas.map((d) => d[0])).toEqual(all.datas.slice(-3).map((d) => d[0]));
    expect(newer.since).toBe(all.datas[all.datas.length - 1]![0]);
    const none = (await c.call("getKLine", { market: "btc_usdt", type: "1min", since: newer.since }))!;
    expect(none.datas).toEqual([]);
    expect(none.since).toBe(newer.since);
    // The cursor is a long, echoed with every digit (it went out as a number: 9223372036854776000).
    const last = await c.call("getKLine", { market: "btc_usdt", type: "1min", since: 2n ** 63n - 1n });
    expect(last).toEqual({ datas: [], since: 2n ** 63n - 1n });
    const beyond = await fetch(`${mock.url}/data/api/v1/getKLine?market=btc_usdt&type=1min&since=9223372036854775808`);
    expect(await beyond.json()).toEqual({ code: 400, info: "parameter since must be an integer of at most 64 bits" });
  });

  it("open orders: pageSize (minimum 10) and page over this emulator's orders", async () => {
    const c = client();
    for (let i = 0; i < 12; i++) await c.call("order", { market: "ltc_usdt", price: 10 + i, number: 1, type: 1, entrustType: 0 });
    expect(await c.call("getOpenOrders", { market: "ltc_usdt", page: 1, pageSize: 10 }))!.toHaveLength(10);
    expect(await c.call("getOpenOrders", { market: "ltc_usdt", page: 2, pageSize: 10 }))!.toHaveLength(2);
  });
});
