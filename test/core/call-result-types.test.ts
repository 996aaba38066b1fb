/**
 * Every operation's `call()` result is its exact type, enveloped or not (issue: results typed
 * `unknown`). Checked by the compiler (`npm test` typechecks test/): an operation whose result
 * is `unknown` or `any` makes the union below non-empty and the file fails to compile, naming it.
 * The runtime part proves the two envelope-only answers really resolve to `undefined`.
 */
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import type { BhexData, BhexOperationId } from "../../src/handwritten/bhex/client.js";
import type { HubiData, HubiOperationId } from "../../src/handwritten/hubi/client.js";
import type { XeleOperationId, XeleResult } from "../../src/handwritten/xele/client.js";
import { createXtClient, type XtData, type XtOperationId } from "../../src/handwritten/xt/client.js";
import type { HttpMock } from "../../src/mock/http-mock.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "../../src/mock/xt.js";

type IsLoose<T> = 0 extends 1 & T ? true : unknown extends T ? true : false;
type LooseXt = { [K in XtOperationId]: IsLoose<XtData<K>> extends true ? K : never }[XtOperationId];
type LooseBhex = { [K in BhexOperationId]: IsLoose<BhexData<K>> extends true ? K : never }[BhexOperationId];
type LooseHubi = { [K in HubiOperationId]: IsLoose<HubiData<K>> extends true ? K : never }[HubiOperationId];
type LooseXele = { [K in XeleOperationId]: IsLoose<XeleResult<K>> extends true ? K : never }[XeleOperationId];

let mock: HttpMock;
beforeAll(async () => {
  mock = await startXtMock();
});
afterAll(() => mock.close());

describe("call() result types", () => {
  it("no operation of XT, BHEX, Hubi or Xele resolves to unknown or any", () => {
    expectTypeOf<LooseXt>().toEqualTypeOf<never>();
    expectTypeOf<LooseBhex>().toEqualTypeOf<never>();
    expectTypeOf<LooseHubi>().toEqualTypeOf<never>();
    expectTypeOf<LooseXele>().toEqualTypeOf<never>();
  });

  it("XT transfer and cancel answer an envelope without data: typed and resolved as undefined", async () => {
    expectTypeOf<XtData<"transfer">>().toEqualTypeOf<undefined>();
    expectTypeOf<XtData<"cancel">>().toEqualTypeOf<undefined>();
    const xt = createXtClient({ accessKey: XT_MOCK_ACCESS_KEY, secretKey: XT_MOCK_SECRET_KEY, baseUrl: mock.url, rateLimit: false });
    const placed = await xt.call("order", { market: "btc_usdt", price: 5000, number: 0.002, type: 1, entrustType: 0 });
    expect(await xt.call("cancel", { market: "btc_usdt", id: placed.id })).toBeUndefined();
    expect(await xt.call("transfer", { from: 1, to: 2, amount: 1, coin: "usdt", safePwd: "pw" })).toBeUndefined();
  });
});
