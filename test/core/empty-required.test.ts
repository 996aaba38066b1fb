/**
 * A required query or form parameter given "" is no value: the servers read `name=` as missing
 * (Hubi's signing leaves such a parameter out), so it is refused by name before anything is
 * sent. An optional parameter given "" is the caller's choice and goes out as written; a JSON
 * body keeps "" (Xele documents it as "no condition").
 */
import { describe, expect, it } from "vitest";
import { meta as xeleMeta } from "../../generated/xele-mgmt.meta.js";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { UsageError } from "../../src/handwritten/core/errors.js";
import { findOperation } from "../../src/handwritten/core/meta.js";
import { buildRequest } from "../../src/handwritten/core/operation-call.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { xtOk } from "../helpers/answers.js";
import { json, recordingFetch } from "../helpers/recording-fetch.js";
import { rejection } from "../helpers/rejection.js";

const KEYS = { accessKey: "ak", secretKey: "sk", rateLimit: false, retry: false } as const;

describe("a required parameter given an empty text", () => {
  it("is a UsageError naming it, nothing sent: XT query, BHEX query and form, Hubi query", async () => {
    const { fetch, calls } = recordingFetch(() => json({}));
    const xt = createXtClient({ ...KEYS, fetch });
    const bhex = createBhexOrgClient({ ...KEYS, fetch });
    const hubi = createHubiClient({ ...KEYS, accessToken: "tok", fetch });
    const cases: Array<[Promise<unknown>, string]> = [
      [xt.call("getOrder", { market: "", id: 1 }), 'xt getOrder: required parameter "market" is empty'],
      [bhex.call("basicSymbolSetTradeStatus", { symbol_id: "", status: "on" } as never), 'bhex basicSymbolSetTradeStatus: required parameter "symbol_id" is empty'],
      [bhex.call("userBindGa", { user_id: 1, ga_code: "" } as never), 'bhex userBindGa: required parameter "ga_code" is empty'],
      [hubi.call("queryOrderById", { order_no: "" }), 'hubi queryOrderById: required parameter "order_no" is empty'],
    ];
    for (const [p, message] of cases) {
      const e = await rejection(p);
      expect(e).toBeInstanceOf(UsageError);
      expect(e.message).toContain(message);
    }
    expect(calls).toHaveLength(0);
  });

  it("a JSON body keeps \"\" (Xele: a protocol user's operator, a filter's \"no condition\")", () => {
    const op = findOperation(xeleMeta, "createCashInOut")!;
    const data = { investor_id: "", direction: "1", amount: 10 };
    const params = { protocl_version: op.body!.properties.protocl_version!.enum![0], token: "t", serialno: 1, operator: "", data };
    const sent = JSON.parse(buildRequest("xele", op, params, "http://127.0.0.1:1").json!);
    expect(sent.operator).toBe("");
    expect(sent.data.investor_id).toBe("");
  });

  it("an optional parameter given \"\" is sent as written", async () => {
    const { fetch, calls } = recordingFetch(() => json(null, 200, xtOk("{}")));
    const xt = createXtClient({ ...KEYS, fetch });
    await xt.call("withdraw", { coin: "usdt", address: "addr", amount: 1, safePwd: "pw", memo: "" }).catch(() => undefined);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url.searchParams.get("memo")).toBe("");
  });
});
