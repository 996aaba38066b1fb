/**
 * The Xele emulator answers what a query asks for (issue: emulators ignored documented
 * filters): the conditions in `data` select rows, `max_result_count` keeps the newest N.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME, type XeleMock } from "../../src/mock/xele.js";

let mock: XeleMock;
beforeAll(async () => {
  mock = await startXeleMock({ orders: 30 });
});
afterAll(() => mock.close());
afterEach(() => {
  mock.settings.orders = 30;
});
const client = () => createXeleClient({ maUrl: mock.maUrl, msUrl: mock.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD });

describe("xele emulator: queries filter and page", () => {
  it('queryOrders investor_id=["777001"] answers only that investor\'s orders', async () => {
    const rows = await client().call("queryOrders", { investor_id: ["777001"] });
    expect(rows.length).toBe(10);
    expect(new Set(rows.map((r) => r.InvestorId))).toEqual(new Set(["777001"]));
  });

  it("combines conditions: lists, ranges (numbers, 8-byte ids as text), enums, fuzzy content", async () => {
    const c = client();
    const some = await c.call("queryOrders", { investor_id: ["777000", "777002"], instrument_id: ["ag2212"], order_price: { min: 400.5, max: 401 } });
    expect(some.length).toBeGreaterThan(0);
    for (const r of some) {
      expect(["777000", "777002"]).toContain(r.InvestorId);
      expect(r.InstrumentId).toBe("ag2212");
      expect(Number(r.OrderPrice)).toBeGreaterThanOrEqual(400.5);
      expect(Number(r.OrderPrice)).toBeLessThanOrEqual(401);
    }
    const byId = await c.call("queryOrders", { exchange_order_id: { min: "12345678901234567895", max: "12345678901234567897" } });
    expect(byId.map((r) => r.ExchangeOrderId)).toEqual([12345678901234567895n, 12345678901234567896n, 12345678901234567897n]);
    const bySysId = await c.call("queryOrders", { order_system_id: { min: 1028 } }); // x-row-field: OrderSysId
    expect(bySysId.map((r) => r.OrderSysId)).toEqual([1028, 1029]);
    const errors = await c.call("queryOrders", { order_status: "错单" });
    expect(errors.length).toBe(6);
    expect(errors.every((r) => r.OrderStatus === "错单")).toBe(true);
    const fuzzy = await c.call("queryOrders", { content: "out of range" }); // only the 错单 rows carry that ErrMsg
    expect(fuzzy.map((r) => r.OrderSysId)).toEqual(errors.map((r) => r.OrderSysId));
    expect(await c.call("queryOrders", { investor_id: ["999999"] })).toEqual([]);
  });

  it("max_result_count keeps the newest N of the matching orders", async () => {
    const rows = await client().call("queryOrders", { investor_id: ["777001"], max_result_count: 2 });
    expect(rows.map((r) => [r.InvestorId, r.OrderSysId])).toEqual([
      ["777001", 1025],
      ["777001", 1028],
    ]);
  });

  it("a filtered answer of more than 1000 rows is streamed with the right header count", async () => {
    mock.settings.orders = 6000;
    const rows = await client().call("queryOrders", { investor_id: ["777002"] });
    expect(rows.length).toBe(2000);
    expect(rows.every((r) => r.InvestorId === "777002")).toBe(true);
  });

  it("getPositions, getInvestorRates and getAlarmRecords filter too", async () => {
    const c = client();
    const pos = await c.call("getPositions", { investor_id: ["777001"] });
    expect(pos.length).toBe(2);
    expect(pos.every((r) => r.InvestorId === "777001")).toBe(true);
    expect((await c.call("getPositions", { investor_id: ["777001"], instrument_id: ["ag2212"] })).map((r) => r.InstrumentId)).toEqual(["ag2212"]);
    expect((await c.call("getPositions", { hedge_flag: ["套利"] })).map((r) => r.InvestorId)).toEqual(["777002"]);
    expect((await c.call("getInvestorRates", { investor_id: ["777002"] })).map((r) => r.InvestorId)).toEqual(["777002"]);
    expect((await c.call("getAlarmRecords", { investor_id: ["777002"] })).map((r) => r.InvestorId)).toEqual(["777002"]);
  });

  it("queries answered from the spec's example records filter them too", async () => {
    const c = client();
    expect(((await c.call("getUserStatistics", { investor_id: ["777001"] })) ?? []).map((r) => r.InvestorId)).toEqual(["777001"]);
    expect(await c.call("getUserStatistics", { investor_id: ["777999"] })).toEqual([]);
    expect(await c.call("getSeatConnections", { exchange_id: ["DCE"] })).toEqual([]);
    expect(((await c.call("getSeatConnections", { exchange_id: ["SHFE"] })) ?? []).length).toBe(1);
  });

  it("keeps state across calls: a cash in/out record created is found by its investor", async () => {
    const c = client();
    await c.call("createCashInOut", { investor_id: "777123", direction: "1", amount: 12.5 });
    const mine = (await c.call("getCashInOut", { investor_id: "777123" })) ?? [];
    expect(mine.length).toBe(1);
    expect(mine[0]).toMatchObject({ investor_id: "777123", amount: 12.5 });
  });

  it("cash in/out filters by the labels the request takes (status 待审核 is the records' 0, cash_inout 入金 their direction 1), as filtering by hand does", async () => {
    const own = await startXeleMock();
    try {
      const c = createXeleClient({ maUrl: own.maUrl, msUrl: own.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD });
      await c.call("createCashInOut", { investor_id: "777124", direction: "2", amount: 50 });
      await c.call("createCashInOut", { investor_id: "777124", direction: "1", amount: 500 });
      const all = (await c.call("getCashInOut", {})) ?? [];
      const [out, into] = all.filter((r) => r.investor_id === "777124");
      await c.call("auditCashInOut", { unique_id: into!.unique_id!, status: 1 });
      const records = (await c.call("getCashInOut", {})) ?? [];
      const ids = (rows: typeof records | undefined) => (rows ?? []).map((r) => r.unique_id).sort();
      const byHand = (keep: (r: (typeof records)[number]) => boolean) => ids(records.filter(keep));
      const labels = { 待审核: 0, 已通过: 1, 不通过: 2, 失败: 3, 已同步: 4 } as const;
      for (const [label, code] of Object.entries(labels)) {
        expect(ids(await c.call("getCashInOut", { status: label as keyof typeof labels }))).toEqual(byHand((r) => r.status === code));
      }
      expect(ids(await c.call("getCashInOut", { status: "待审核" }))).toContain(out!.unique_id);
      expect(ids(await c.call("getCashInOut", { status: "已通过" }))).toEqual([into!.unique_id]);
      expect(ids(await c.call("getCashInOut", { cash_inout: "入金" }))).toEqual(byHand((r) => r.direction === "1"));
      expect(ids(await c.call("getCashInOut", { cash_inout: "出金" }))).toEqual(byHand((r) => r.direction === "2"));
      expect(ids(await c.call("getCashInOut", { cash_inout: "出金", investor_id: "777124" }))).toEqual([out!.unique_id]);
      expect(ids(await c.call("getCashInOut", { cash_inout: "" }))).toEqual(ids(records));
    } finally {
      await own.close();
    }
  });

  it("an audit decides a record waiting for one, once: passed or refused (1, 2); a decided record or another status is refused", async () => {
    const own = await startXeleMock();
    try {
      const c = createXeleClient({ maUrl: own.maUrl, msUrl: own.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD, retry: false });
      await c.call("createCashInOut", { investor_id: "777125", direction: "1", amount: 12.5 });
      const [rec] = (await c.call("getCashInOut", { investor_id: "777125" })) ?? [];
      const id = rec!.unique_id!;
      for (const status of [0, 3, 4] as const) {
        await expect(c.call("auditCashInOut", { unique_id: id, status })).rejects.toMatchObject({ code: 116 });
      }
      await c.call("auditCashInOut", { unique_id: id, status: 1 });
      await expect(c.call("auditCashInOut", { unique_id: id, status: 2 })).rejects.toMatchObject({ code: 106, message: expect.stringContaining("audited already (status 1)") });
      expect((await c.call("getCashInOut", { investor_id: "777125" }))?.[0]?.status).toBe(1);
    } finally {
      await own.close();
    }
  });
});

describe("xele emulator: a filter over a large table does not hold the emulator", () => {
  /** A queryOrders request (a login's token, every other condition "none"), sent as ?params= (base64). */
  async function queryOrders(m: XeleMock, data: Record<string, unknown>): Promise<{ body: string; maxLagMs: number }> {
    const login = (await (await fetch(`${m.maUrl}/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD }) })).json()) as { ticket: string };
    // (a request of the client to this file's small emulator, every condition it is not given filled, is the template)
    await client().call("queryOrders", {});
    const template = mock.received.findLast((r) => r.operationId === "queryOrders")!.json;
    const text = JSON.stringify({ ...template, token: login.ticket, data: { ...(template.data as object), ...data } });
    // The longest the event loop (this process runs the emulator) went without a turn while it answered.
    let maxLagMs = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      maxLagMs = Math.max(maxLagMs, now - last);
      last = now;
    }, 5);
    try {
      const r = await fetch(`${m.msUrl}/api/trade/order/query?params=${encodeURIComponent(Buffer.from(text).toString("base64"))}`);
      return { body: await r.text(), maxLagMs };
    } finally {
      clearInterval(timer);
    }
  }

  it("200,000 orders and a list of 1,000 investors (12 s of a held event loop before), 1,000,000 orders and one investor (3 s): the same answers, the loop free", async () => {
    const big = await startXeleMock({ orders: 200_000 });
    try {
      const items = [...Array.from({ length: 999 }, (_, i) => `x${i}`), "777002"];
      const { body, maxLagMs } = await queryOrders(big, { investor_id: items, max_result_count: 2 });
      const rows = (JSON.parse(body) as { result: string }).result.split("\n");
      expect(rows[0]).toMatch(/^MS,OrderQry,1\.0\.3,25,2,InvestorId\|/);
      expect(rows.slice(1).map((r) => r.split("|").slice(0, 2))).toEqual([
        ["777002", String(1000 + 199_994)],
        ["777002", String(1000 + 199_997)],
      ]);
      expect(maxLagMs).toBeLessThan(1_000);
      big.settings.orders = 1_000_000;
      const one = await queryOrders(big, { investor_id: ["777001"], max_result_count: 1 });
      expect((JSON.parse(one.body) as { result: string }).result.split("\n")[1]!.split("|").slice(0, 2)).toEqual(["777001", String(1000 + 999_997)]);
      expect(one.maxLagMs).toBeLessThan(1_000);
    } finally {
      await big.close();
    }
  }, 120_000);
});
