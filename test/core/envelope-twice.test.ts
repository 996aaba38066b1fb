/**
 * An answer that gives an envelope field twice: JSON.parse keeps the last member, so
 * {"code":308,…,"code":200} would pass as a success and a second "data" would replace the
 * first. The transport refuses such an envelope (ResponseFormatError naming the field); a name
 * written with escapes counts, and the same name deeper in the data does not.
 */
import { describe, expect, it } from "vitest";
import { meta as xtDocs } from "../../generated/xt-spot.docs.js";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { ResponseFormatError } from "../../src/handwritten/core/errors.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { specExample } from "../helpers/answers.js";
import { recordingFetch } from "../helpers/recording-fetch.js";

const KEYS = { accessKey: "ak-twice-1", secretKey: "sk-twice-1" };
const text = (body: string) => () => new Response(body, { headers: { "content-type": "application/json" } });
const xt = (body: string) => createXtClient({ ...KEYS, fetch: recordingFetch(text(body)).fetch, retry: false, rateLimit: false });

describe("an envelope field given twice is refused", () => {
  it.each([
    ["an error code then a success code", '{"code":308,"info":"sig fail","code":200,"data":null}', "code"],
    ["a success code then an error code", '{"code":200,"info":"ok","code":308,"data":null}', "code"],
    ["the second code's name escaped", '{"code":308,"info":"x","\\u0063ode":200,"data":null}', "code"],
    ["data twice", '{"code":200,"info":"ok","data":{"btc":{"freeze":"0","available":"1"}},"data":null}', "data"],
  ])("xt: %s", async (_name, body, field) => {
    const e = await xt(body).call("getBalance").catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect((e as Error).message).toMatch(new RegExp(`^xt getBalance: the answer gives its envelope.s "${field}" twice: which one the server meant is not known \\(body starts: `));
  });

  it("bhex and hubi the same (their own field names)", async () => {
    const bhex = createBhexOrgClient({ ...KEYS, fetch: recordingFetch(text('{"code":1105,"msg":"no","code":0}')).fetch, retry: false });
    await expect(bhex.call("basicTime")).rejects.toThrow(/the answer gives its envelope's "code" twice/);
    const hubi = createHubiClient({ ...KEYS, accessToken: "tk-twice-1", fetch: recordingFetch(text('{"status":-1,"message":"no","status":0,"result":[]}')).fetch, retry: false, rateLimit: false });
    await expect(hubi.call("queryAccounts")).rejects.toThrow(/the answer gives its envelope's "status" twice/);
  });

  it("an order's answer that gives its code twice leaves the outcome unknown", async () => {
    const e = await xt('{"code":200,"info":"ok","code":104,"data":{"id":1}}').call("order", { market: "btc_usdt", price: 1, number: 1, type: 1, entrustType: 0 }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect((e as { outcomeUnknown?: boolean }).outcomeUnknown).toBe(true);
  });
});

describe("what is not a field given twice", () => {
  it("the same names deeper in the data, in strings, or escaped once pass", async () => {
    const balance = JSON.parse(specExample(xtDocs, "getBalance")) as { data: Record<string, unknown> };
    const bodies = [
      JSON.stringify({ code: 200, info: 'a "code": 1 in text', data: balance.data }),
      JSON.stringify({ code: 200, info: "\u4e2d", data: balance.data }).replace("\u4e2d", "\\u4e2d"),
      `{"\\u0063ode":200,"info":"ok","data":${JSON.stringify(balance.data)}}`,
    ];
    for (const body of bodies) await expect(xt(body).call("getBalance"), body).resolves.toEqual(balance.data);
  });
});
