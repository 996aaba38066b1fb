/**
 * The BHEX emulator answers lists consistently with the request (issue: documented filters and
 * paging were ignored): parameters that name record fields filter, x-pagination pages.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { paginate } from "../../src/handwritten/bhex/paginate.js";
import { BHEX_MOCK_ACCESS_KEY, BHEX_MOCK_SECRET_KEY, startBhexMock } from "../../src/mock/bhex.js";
import type { HttpMock } from "../../src/mock/http-mock.js";

let mock: HttpMock;
beforeAll(async () => {
  mock = await startBhexMock();
});
afterAll(() => mock.close());
const client = () => createBhexOrgClient({ accessKey: BHEX_MOCK_ACCESS_KEY, secretKey: BHEX_MOCK_SECRET_KEY, baseUrl: mock.url, rateLimit: false });

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("BHEX emulator: lists filter by the request", () => {
  it("paginate({ user_id: '10001' }) never yields another user's records", async () => {
    const c = client();
    for (const op of ["statisticsUnlockRecord", "statisticsLockRecord"] as const) {
      const recs = (await all(paginate(c, op, { user_id: "10001", limit: 5 }))) as Array<{ userId: unknown }>;
      for (const r of recs) expect(String(r.userId)).toBe("10001");
    }
    const theirs = (await all(paginate(c, "statisticsUnlockRecord", { user_id: "217235926081077248" }))) as Array<{ userId: unknown }>;
    expect(theirs.length).toBeGreaterThan(0);
    expect(theirs.every((r) => String(r.userId) === "217235926081077248")).toBe(true);
  });

  it("filters by token and by payer; a parameter marked x-row-field: false does not filter", async () => {
    const c = client();
    expect(await c.call("statisticsUnlockRecord", { user_id: "217235926081077248", token_id: "NO-SUCH-TOKEN" })).toEqual([]);
    expect(await c.call("paymentOrders", { payer_user_id: "1" })).toEqual([]);
    expect(((await c.call("paymentOrders", { payer_user_id: "83214971450163200" })) ?? []).length).toBeGreaterThan(0);
    // user_id of the invite list is the inviter; the records carry the invitees' userId.
    expect(((await c.call("userQueryUserInviteList", { user_id: "1" })) ?? []).length).toBe(2);
    expect(((await c.call("userQueryUserInviteList", { user_id: "1", invite_type: 1 })) ?? []).every((r) => String(r.inviteType) === "1")).toBe(true);
  });

  it("honours limit and from_id on lists that answer their example", async () => {
    const c = client();
    // (the deposit history answers its example; the spot order history holds the orders placed here)
    const both = (await c.call("assetDepositOrder", { user_id: "1" })) ?? [];
    expect(both.length).toBe(2);
    const first = (await c.call("assetDepositOrder", { user_id: "1", limit: 1 })) ?? [];
    expect(first).toEqual([both[0]]);
    const next = (await c.call("assetDepositOrder", { user_id: "1", limit: 1, from_id: String(first[0]!.orderId) })) ?? [];
    expect(next).toEqual([both[1]]);
  });

  it("keeps state: open orders filter by side and symbol", async () => {
    const c = client();
    const user = "83214971450163200";
    const place = (side: "buy" | "sell", symbol_id: string) =>
      c.call("orderCreate", { user_id: user, exchange_id: 301, symbol_id, type: "limit", side, price: "1", quantity: "1" });
    await place("buy", "BTCUSDT");
    await place("sell", "BTCUSDT");
    await place("sell", "ETHUSDT");
    const sells = (await c.call("orderOpenOrders", { user_id: user, side: "sell" })) ?? [];
    expect(sells.length).toBe(2);
    expect(sells.every((o) => o.side === "SELL")).toBe(true);
    const btcSells = (await c.call("orderOpenOrders", { user_id: user, side: "sell", symbol_id: "BTCUSDT" })) ?? [];
    expect(btcSells.map((o) => o.symbolId)).toEqual(["BTCUSDT"]);
  });
});

describe("BHEX emulator: time ranges from x-pagination", () => {
  it("start_time/end_time select records by the time field the spec names (inclusive here)", async () => {
    const c = client();
    const flow = (await c.call("accountBalanceFlow", { user_id: "1", limit: 100 })) ?? [];
    expect(flow.length).toBeGreaterThan(3);
    const t = Number(flow[2]!.created);
    const inRange = (await c.call("accountBalanceFlow", { user_id: "1", limit: 100, start_time: t, end_time: Number(flow[1]!.created) })) ?? [];
    expect(inRange.map((r) => r.id)).toEqual([flow[1]!.id, flow[2]!.id]);
    expect(await c.call("assetDepositOrder", { user_id: "1", start_time: 1, end_time: 2 })).toEqual([]);
  });
});

describe("BHEX emulator: state across calls", () => {
  it("a batch lock task's successful rows show first in that user's lock records", async () => {
    const c = client();
    const user = "231215678785585152";
    await c.call("financeBatchLockPosition", {
      client_order_id: "1701",
      data_type: "simple",
      items: `${user},USDT,7.25,state test;999,BTC,1,`,
    });
    const recs = (await c.call("statisticsLockRecord", { user_id: user, limit: 3 })) ?? [];
    expect(recs[0]).toMatchObject({ tokenId: "USDT", lockAmount: "7.25", lockReason: "state test" });
    expect(String(recs[0]!.userId)).toBe(user);
    expect(recs[0]!.clientReqId).toBe(1701);
    expect(BigInt(String(recs[0]!.id))).toBeGreaterThan(BigInt(String(recs[1]!.id)));
    // The row for an unknown user (31009) made no lock; other users see none of these.
    const other = (await c.call("statisticsLockRecord", { user_id: "999", limit: 100 })) ?? [];
    expect(other.some((r) => r.tokenId === "BTC" && r.lockAmount === "1")).toBe(false);
    expect(((await c.call("statisticsLockRecord", { user_id: "83214971450163200", limit: 100 })) ?? []).some((r) => r.lockReason === "state test")).toBe(false);
  });
});
