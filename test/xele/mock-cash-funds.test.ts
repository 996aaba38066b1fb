/**
 * A passed cash in/out record moves the investor's funds (getInvestorFunds): the emulator
 * marked the record passed and left the funds as they were. A deposit credits `available`
 * (and the equities) and adds to `cash_in`, a withdrawal debits them and adds to `cash_out`;
 * a withdrawal beyond what is available is 118 (出金失败) and changes nothing. Amounts are
 * N8.4 in the vendor's document: more than 4 decimals is 116 (请求中存在非法字段值).
 */
import { afterEach, describe, expect, it } from "vitest";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME, type XeleMock } from "../../src/mock/xele.js";

let mock: XeleMock | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

async function started() {
  mock = await startXeleMock();
  const c = createXeleClient({ maUrl: mock.maUrl, msUrl: mock.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD, retry: false });
  const funds = async (investor = "777001") => {
    const row = ((await c.call("getInvestorFunds")) ?? []).find((r) => r.investor_id === investor);
    return row && { available: row.available, static_balance: row.static_balance, dynamic_rights: row.dynamic_rights, cash_in: row.cash_in, cash_out: row.cash_out };
  };
  /** Create a record and pass it: its unique_id. */
  const passed = async (investor_id: string, direction: "1" | "2", amount: number) => {
    await c.call("createCashInOut", { investor_id, direction, amount });
    const mine = (await c.call("getCashInOut", { investor_id, status: "待审核" })) ?? [];
    const id = mine[mine.length - 1]!.unique_id!;
    await c.call("auditCashInOut", { unique_id: id, status: 1 });
    return id;
  };
  return { c, funds, passed };
}

describe("xele emulator: cash in/out moves the investor's funds", () => {
  it("a passed deposit credits, a passed withdrawal debits, exactly; a refused record moves nothing", async () => {
    const { c, funds, passed } = await started();
    expect(await funds()).toEqual({ available: 921400.5, static_balance: 1000000, dynamic_rights: 1001500.5, cash_in: 0, cash_out: 0 });
    await passed("777001", "1", 0.1);
    await passed("777001", "1", 0.2);
    expect(await funds()).toEqual({ available: 921400.8, static_balance: 1000000.3, dynamic_rights: 1001500.8, cash_in: 0.3, cash_out: 0 });
    await passed("777001", "2", 400.8);
    expect(await funds()).toEqual({ available: 921000, static_balance: 999599.5, dynamic_rights: 1001100, cash_in: 0.3, cash_out: 400.8 });
    await c.call("createCashInOut", { investor_id: "777001", direction: "1", amount: 5 });
    // (the newest waiting record: the example's own, of 100000, is the first)
    const all = (await c.call("getCashInOut", { investor_id: "777001", status: "待审核" })) ?? [];
    await c.call("auditCashInOut", { unique_id: all[all.length - 1]!.unique_id!, status: 2 });
    expect((await funds())?.available).toBe(921000);
  });

  it("a withdrawal beyond what is available is 118 and leaves the record waiting and the funds as they were", async () => {
    const { c, funds } = await started();
    await c.call("createCashInOut", { investor_id: "777001", direction: "2", amount: 921400.5001 });
    const all = (await c.call("getCashInOut", { investor_id: "777001", status: "待审核" })) ?? [];
    const id = all[all.length - 1]!.unique_id!;
    await expect(c.call("auditCashInOut", { unique_id: id, status: 1 })).rejects.toMatchObject({ code: 118 });
    expect((await funds())?.available).toBe(921400.5);
    expect((await c.call("getCashInOut", { investor_id: "777001" }))?.find((r) => r.unique_id === id)?.status).toBe(0);
    await c.call("auditCashInOut", { unique_id: id, status: 2 });
  });

  it("an investor without funds gets a row from its first deposit, and cannot withdraw before", async () => {
    const { c, funds, passed } = await started();
    expect(await funds("777200")).toBeUndefined();
    await c.call("createCashInOut", { investor_id: "777200", direction: "2", amount: 1 });
    const [out] = (await c.call("getCashInOut", { investor_id: "777200" })) ?? [];
    await expect(c.call("auditCashInOut", { unique_id: out!.unique_id!, status: 1 })).rejects.toMatchObject({ code: 118 });
    await passed("777200", "1", 12.5);
    expect(await funds("777200")).toEqual({ available: 12.5, static_balance: 12.5, dynamic_rights: 12.5, cash_in: 12.5, cash_out: 0 });
  });

  it("an amount of more than 4 decimals (N8.4) is 116 and makes no record", async () => {
    const { c } = await started();
    const before = ((await c.call("getCashInOut", {})) ?? []).length;
    for (const amount of [0.1 + 0.2, 1.23456]) {
      await expect(c.call("createCashInOut", { investor_id: "777001", direction: "1", amount })).rejects.toMatchObject({ code: 116, message: expect.stringContaining("4 decimals") });
    }
    await c.call("createCashInOut", { investor_id: "777001", direction: "1", amount: 1.2345 });
    expect(((await c.call("getCashInOut", {})) ?? []).length).toBe(before + 1);
  });
});

describe("xele emulator: funds stay exact past a double's digits (review of the state engine)", () => {
  it("a deposit of 0.0001 on 5,000,000,000,000 moves the funds by 0.0001 (kept as a double it moved nothing, answering success)", async () => {
    mock = await startXeleMock();
    const c = createXeleClient({ maUrl: mock.maUrl, msUrl: mock.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD, retry: false, decimals: "string" });
    for (const amount of [5_000_000_000_000, 0.0001]) {
      await c.call("createCashInOut", { investor_id: "777001", direction: "1", amount });
      const waiting = (await c.call("getCashInOut", { investor_id: "777001", status: "待审核" })) ?? [];
      await c.call("auditCashInOut", { unique_id: waiting[waiting.length - 1]!.unique_id!, status: 1 });
    }
    const row = ((await c.call("getInvestorFunds")) ?? []).find((r) => r.investor_id === "777001")!;
    expect({ cash_in: row.cash_in, available: row.available, static_balance: row.static_balance }).toEqual({
      cash_in: "5000000000000.0001",
      available: "5000000921400.5001",
      static_balance: "5000001000000.0001",
    });
  });
});
