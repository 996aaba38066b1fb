/**
 * The XT emulator refuses what the vendor's parameter tables forbid (src/mock/xt/params.ts):
 * each of these was answered with success. Requests are signed here, not by the client, whose
 * own checks would refuse them before they were sent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signXtParams, xtNonce } from "../../src/auth/xt.js";
import type { HttpMock } from "../../src/mock/http-mock.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "../../src/mock/xt.js";

let mock: HttpMock;
beforeAll(async () => {
  mock = await startXtMock();
});
afterAll(() => mock.close());

async function send(method: "GET" | "POST", path: string, params: Record<string, string>, signed = true): Promise<unknown> {
  const all = signed ? { ...params, accesskey: XT_MOCK_ACCESS_KEY, nonce: xtNonce() } : { ...params };
  const text = new URLSearchParams(signed ? { ...all, signature: signXtParams(all, XT_MOCK_SECRET_KEY) } : all).toString();
  const r = method === "GET" ? await fetch(`${mock.url}${path}?${text}`) : await fetch(`${mock.url}${path}`, { method, headers: { "content-type": "application/x-www-form-urlencoded" }, body: text });
  return r.json();
}
const T = "/trade/api/v1/";
const D = "/data/api/v1/";

describe("XT emulator: parameters as the vendor's tables say", () => {
  it.each([
    ["transfer without safePwd", "POST", `${T}transfer`, { from: "1", to: "2", amount: "1", coin: "usdt" }, "parameter safePwd is required"],
    ["transfer from account 9", "POST", `${T}transfer`, { from: "9", to: "2", amount: "1", coin: "usdt", safePwd: "x" }, 'parameter from must be one of 1, 2, 3, got "9"'],
    ["withdraw without safePwd", "GET", `${T}withdraw`, { coin: "usdt", address: "0xabc", amount: "1" }, "parameter safePwd is required"],
    ["withdraw innerTransfer=7", "GET", `${T}withdraw`, { coin: "usdt", address: "0xabc", amount: "1", safePwd: "x", innerTransfer: "7" }, 'parameter innerTransfer must be one of 0, 1, got "7"'],
    ["getFunds without account", "GET", `${T}getFunds`, {}, "parameter account is required"],
    ["getFunds account=4", "GET", `${T}getFunds`, { account: "4" }, 'parameter account must be one of 1, 2, 3, got "4"'],
    ["getFunds account=abc", "GET", `${T}getFunds`, { account: "abc" }, "parameter account"],
    ["getOpenOrders pageSize=5", "GET", `${T}getOpenOrders`, { market: "btc_usdt", pageSize: "5" }, "parameter pageSize is out of range"],
    ["getPayInAddress without coin", "GET", `${T}getPayInAddress`, {}, "parameter coin is required"],
    ["getKLine type=2min", "GET", `${D}getKLine`, { market: "btc_usdt", type: "2min", since: "0" }, 'parameter type must be one of "1min"'],
    ["getTicker without market", "GET", `${D}getTicker`, {}, "parameter market is required"],
    ["getTicker market=\"\"", "GET", `${D}getTicker`, { market: "" }, "parameter market is required"],
  ] as const)("%s: 400 naming it", async (_what, method, path, params, words) => {
    const signed = path.startsWith(T);
    expect(await send(method, path, params, signed)).toMatchObject({ code: 400, info: expect.stringContaining(words) });
  });

  it("what the tables allow still works; a required parameter with a stated default (page, pageSize) may be left out", async () => {
    expect(await send("GET", `${T}getFunds`, { account: "1" })).toMatchObject({ code: 200 });
    expect(await send("GET", `${T}getPayOutRecord`, { coin: "btc" })).toMatchObject({ code: 200 });
    expect(await send("GET", `${T}getOpenOrders`, { market: "btc_usdt", pageSize: "10" })).toMatchObject({ code: 200 });
    expect(await send("GET", `${D}getTicker`, { market: "btc_usdt" }, false)).toMatchObject({});
    expect(await send("GET", `${T}withdraw`, { coin: "usdt", address: "0xabc", amount: "1", safePwd: "x", innerTransfer: "1" })).toMatchObject({ code: 200 });
  });

  it("an order of an unknown type (entrustType 2) is the vendor's 101; a bad side is 102", async () => {
    const order = { market: "btc_usdt", price: "1", number: "1", type: "1", entrustType: "0" };
    expect(await send("POST", `${T}order`, { ...order, entrustType: "2" })).toEqual({ code: 101, info: "委托失败，未知的委托类型" });
    expect(await send("POST", `${T}order`, { ...order, type: "2" })).toEqual({ code: 102, info: "委托失败，参数错误" });
    expect(await send("POST", `${T}order`, order)).toMatchObject({ code: 200 });
  });
});
