/**
 * The BHEX emulator refuses what the spec's parameters forbid (src/mock/bhex/replies.ts
 * paramRefusal): a required parameter missing, a value outside its enum. Both were answered
 * with success. Requests are signed here, not by the client, whose own checks refuse them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signBhexParams } from "../../src/auth/bhex.js";
import type { HttpMock } from "../../src/mock/http-mock.js";
import { BHEX_MOCK_ACCESS_KEY, BHEX_MOCK_SECRET_KEY, startBhexMock } from "../../src/mock/bhex.js";

let mock: HttpMock;
beforeAll(async () => {
  mock = await startBhexMock();
});
afterAll(() => mock.close());

async function post(path: string, params: Record<string, string>): Promise<unknown> {
  const form = new URLSearchParams({ ...params, signature: signBhexParams(params, BHEX_MOCK_SECRET_KEY) });
  const r = await fetch(`${mock.url}${path}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-access-key": BHEX_MOCK_ACCESS_KEY }, body: form.toString() });
  return r.json();
}
const SET = "/api/v2/org/basic/symbol/set_trade_status";

describe("BHEX emulator: parameters as the spec says", () => {
  it("a required parameter missing or empty, or a value outside its enum, is the failed status naming it; a good request succeeds", async () => {
    expect(await post(SET, { symbol_id: "BTCUSDT" })).toEqual({ status: 1, msg: "missing parameter status" });
    expect(await post(SET, { symbol_id: "", status: "1" })).toEqual({ status: 1, msg: "missing parameter symbol_id" });
    expect(await post(SET, { symbol_id: "BTCUSDT", status: "7" })).toEqual({ status: 1, msg: 'parameter status must be one of 0, 1, got "7"' });
    expect(await post(SET, { symbol_id: "BTCUSDT", status: "x" })).toMatchObject({ status: 1, msg: expect.stringContaining("parameter status") });
    expect(await post(SET, { symbol_id: "BTCUSDT", status: "1" })).toMatchObject({ status: 0 });
  });
});
