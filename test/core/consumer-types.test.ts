/**
 * Types a team's own tests and code write against the clients: a typed mock of `call` takes a
 * fixture of any operation's result (XtData of a union of operations is the union of their
 * results; it was one collapsed type no fixture fitted), and a decimal parameter takes text (a
 * decimal a double cannot hold, sent as written), while a plain number or int parameter does not.
 * Checked by `npm run typecheck` (this file is in tsconfig.json); the runtime part sends a text
 * decimal to the XT emulator and reads it back.
 */
import { afterAll, beforeAll, describe, expect, expectTypeOf, it, vi } from "vitest";
import { createBhexOrgClient, type BhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { createHubiClient, type HubiClient } from "../../src/handwritten/hubi/client.js";
import { createXtClient, type XtClient, type XtData } from "../../src/handwritten/xt/client.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "../../src/mock/xt.js";
import type { BhexPaths, BhexPathsSpec } from "../../src/handwritten/bhex/index.js";
import type { XtPathsSpec } from "../../src/handwritten/xt/index.js";
import type { HttpMock } from "../../src/mock/http-mock.js";

let mock: HttpMock;
beforeAll(async () => {
  mock = await startXtMock();
});
afterAll(() => mock.close());

describe("each REST subpath names its spec's paths type (XxxPathsSpec)", () => {
  it("BHEX's too", () => {
    expectTypeOf<BhexPathsSpec>().toEqualTypeOf<BhexPaths>();
    expectTypeOf<keyof BhexPathsSpec>().toExtend<string>();
    expectTypeOf<XtPathsSpec>().not.toEqualTypeOf<BhexPathsSpec>();
  });
});

describe("typed mocks of call()", () => {
  it("take a fixture of one operation's result (XT, Hubi, BHEX)", async () => {
    const xtCall = vi.fn<XtClient["call"]>();
    xtCall.mockResolvedValue({ id: 1 });
    const hubiCall = vi.fn<HubiClient["call"]>();
    hubiCall.mockResolvedValue([]);
    const bhexCall = vi.fn<BhexOrgClient["call"]>();
    bhexCall.mockResolvedValue({ time: "1" } as never);
    expectTypeOf<{ id: number }>().toExtend<XtData<"order" | "getServerTime">>();
    expectTypeOf<XtData<"order" | "getServerTime">>().toEqualTypeOf<XtData<"order"> | XtData<"getServerTime">>();
    await expect((xtCall as unknown as () => Promise<unknown>)()).resolves.toEqual({ id: 1 });
    void createHubiClient;
    void createBhexOrgClient;
  });
});

describe("a decimal parameter takes text", () => {
  it("XT order: price and number as strings are sent as written; an int parameter stays a number", async () => {
    const xt = createXtClient({ baseUrl: mock.url, accessKey: XT_MOCK_ACCESS_KEY, secretKey: XT_MOCK_SECRET_KEY, decimals: "string" });
    const placed = await xt.call("order", { market: "btc_usdt", price: "5000.123456789012345678901", number: "0.002", type: 1, entrustType: 0 });
    const order = await xt.call("getOrder", { market: "btc_usdt", id: placed!.id });
    expect(order).toMatchObject({ price: "5000.123456789012345678901" });
    // An int parameter (the order's side) takes no text in the types.
    const typed = (p: Parameters<typeof xt.call<"order">>[1]) => p;
    // @ts-expect-error type is an int, not a decimal
    typed({ market: "btc_usdt", price: 1, number: 1, type: "1", entrustType: 0 });
  });
});
