/**
 * The emulators under clients that send what no honest client does, found by a probe of the
 * running emulators: no request holds the emulator for others, no client makes it keep more
 * and more, and no request corrupts its state or its answers.
 */
import { afterEach, describe, expect, it } from "vitest";
import { signBhexParams } from "../../src/auth/bhex.js";
import { signXtParams, xtNonce } from "../../src/auth/xt.js";
import { BHEX_MOCK_ACCESS_KEY, BHEX_MOCK_SECRET_KEY, startBhexMock } from "../../src/mock/bhex.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "../../src/mock/xt.js";

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
});
async function started<T extends { close(): Promise<void> }>(p: Promise<T>): Promise<T> {
  const m = await p;
  open.push(m);
  return m;
}

type Answer = { status: number; body: Record<string, unknown>; text: string };

/** A signed BHEX form POST with any parameter values. */
async function bhexCall(url: string, path: string, params: Record<string, string>): Promise<Answer> {
  const form = new URLSearchParams({ ...params, signature: signBhexParams(params, BHEX_MOCK_SECRET_KEY) });
  const r = await fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-access-key": BHEX_MOCK_ACCESS_KEY }, body: form.toString() });
  const text = await r.text();
  return { status: r.status, body: JSON.parse(text) as Record<string, unknown>, text };
}

/** A signed XT request with any parameter values. */
async function xtCall(url: string, method: "GET" | "POST", path: string, params: Record<string, string>): Promise<Answer> {
  const all: Record<string, string> = { ...params, accesskey: XT_MOCK_ACCESS_KEY, nonce: xtNonce() };
  all.signature = signXtParams(all, XT_MOCK_SECRET_KEY);
  const qs = new URLSearchParams(all).toString();
  const r =
    method === "GET"
      ? await fetch(`${url}${path}?${qs}`)
      : await fetch(`${url}${path}`, { method, headers: { "content-type": "application/x-www-form-urlencoded" }, body: qs });
  const text = await r.text();
  return { status: r.status, body: JSON.parse(text) as Record<string, unknown>, text };
}

describe("a long integer holds no emulator (ids are int64s, refused beyond)", () => {
  const huge = "9".repeat(200_000);

  it("bhex refuses a user_id, from_id or order_id beyond an int64 with its failed status, at once", async () => {
    const bhex = await started(startBhexMock());
    const t = performance.now();
    for (const [path, params] of [
      ["/api/v2/org/statistics/lock_record", { user_id: huge }],
      ["/api/v2/org/statistics/lock_record", { user_id: "9223372036854775808" }],
      ["/api/v2/org/account/balance_flow", { user_id: "83214971450163200", from_id: huge }],
      ["/api/v2/org/order/get", { user_id: "83214971450163200", order_id: huge }],
    ] as const) {
      const r = await bhexCall(bhex.url, path, params);
      expect(r.body, `${path} ${Object.keys(params).join()}`).toMatchObject({ status: 1, msg: expect.stringMatching(/must be an integer of at most 64 bits/) });
    }
    expect(performance.now() - t).toBeLessThan(1_000);
    // The largest int64 is an id like any other.
    const r = await bhexCall(bhex.url, "/api/v2/org/statistics/lock_record", { user_id: "9223372036854775807", limit: "1" });
    expect(r.body).toMatchObject({ status: 0, data: [expect.objectContaining({ lockAmount: expect.any(String) })] });
  });

  it("bhex reads a batch lock task's numeric client_order_id once, not per row", async () => {
    const bhex = await started(startBhexMock());
    const item = { user_id: "83214971450163200", token_id: "USDT", amount: "1" };
    const items = JSON.stringify(Array.from({ length: 500 }, () => item));
    const t = performance.now();
    const r = await bhexCall(bhex.url, "/api/v2/org/finance/batch_lock_position", { client_order_id: "1".repeat(100_000), data_type: "json", items });
    expect(r.body).toMatchObject({ status: 0 });
    const locks = await bhexCall(bhex.url, "/api/v2/org/statistics/lock_record", { user_id: "83214971450163200", limit: "1" });
    expect(locks.body).toMatchObject({ status: 0, data: [expect.objectContaining({ lockAmount: "1" })] });
    expect(performance.now() - t).toBeLessThan(1_500);
  });

  it("xt refuses batch ids beyond an int64 (400) and finds no order for one, at once", async () => {
    const xt = await started(startXtMock());
    const t = performance.now();
    for (const ids of [[huge], Array.from({ length: 100 }, () => "9".repeat(5_000)), ["9223372036854775808"], [1.5]]) {
      const data = Buffer.from(JSON.stringify(ids)).toString("base64");
      expect((await xtCall(xt.url, "POST", "/trade/api/v1/batchCancel", { market: "btc_usdt", data })).body).toMatchObject({ code: 400 });
      // (A GET's query is capped far below a 200 000-digit id.)
      if (data.length < 1_000) expect((await xtCall(xt.url, "GET", "/trade/api/v1/getBatchOrders", { market: "btc_usdt", data })).body).toMatchObject({ code: 400 });
    }
    expect((await xtCall(xt.url, "POST", "/trade/api/v1/cancel", { market: "btc_usdt", id: huge })).body).toMatchObject({ code: 121 });
    expect(performance.now() - t).toBeLessThan(1_500);
    // Ids that are int64s (numbers or text) still work.
    const placed = await xtCall(xt.url, "POST", "/trade/api/v1/order", { market: "btc_usdt", price: "5000", number: "1", type: "1", entrustType: "0" });
    // (The id is above 2^53: read from the text.)
    const id = /"id":(\d+)/.exec(placed.text)![1]!;
    const data = Buffer.from(`["${id}", 7]`).toString("base64");
    const got = await xtCall(xt.url, "GET", "/trade/api/v1/getBatchOrders", { market: "btc_usdt", data });
    expect((got.body.data as unknown[]).length).toBe(1);
  });
});
