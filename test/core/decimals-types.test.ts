/**
 * Type tests (checked by `tsc`, i.e. `npm run typecheck`): under `decimals: "string"` the
 * result types say `string | number` for the spec's decimal fields (`type: number`) and leave
 * integer fields alone; the default mode keeps them numbers.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import type { components as XtSchemas } from "../../generated/xt-spot.js";
import type { DecimalsAs } from "../../src/handwritten/core/decimals.js";
import { createBhexOrgClient, type BhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { createHubiClient, type HubiClient } from "../../src/handwritten/hubi/client.js";
import { createXeleClient, type XeleClient } from "../../src/handwritten/xele/client.js";
import { createXtClient, type XtClient } from "../../src/handwritten/xt/client.js";

type MarketConfig = XtSchemas["schemas"]["MarketConfig"];

describe("decimals typing", () => {
  it("DecimalsAs: decimal fields become string | number in string mode only", () => {
    expectTypeOf<DecimalsAs<MarketConfig, "string">["maker"]>().toEqualTypeOf<string | number>();
    expectTypeOf<DecimalsAs<MarketConfig, "string">["pricePoint"]>().toEqualTypeOf<number>(); // type: integer
    expectTypeOf<DecimalsAs<MarketConfig, "exact">["maker"]>().toMatchTypeOf<number>();
    expectTypeOf<DecimalsAs<MarketConfig, "number">["maker"]>().toMatchTypeOf<number>();
    expectTypeOf<DecimalsAs<{ a: [number | bigint, MarketConfig["maker"]][] }, "string">>().toEqualTypeOf<{ a: [number | bigint, string | number][] }>();
  });

  it("each client factory is typed by its decimals option", () => {
    const opts = { fetch: (async () => new Response("{}")) as typeof fetch, rateLimit: false as const };
    const xt = createXtClient({ ...opts, decimals: "string" });
    expectTypeOf(xt).toEqualTypeOf<XtClient<"string">>();
    expectTypeOf(createXtClient(opts)).toEqualTypeOf<XtClient<"exact">>();
    type Ticker = NonNullable<Awaited<ReturnType<typeof xt.call<"getTicker">>>>;
    expectTypeOf<Ticker["price"]>().toEqualTypeOf<string | number>();
    const exact = createXtClient(opts);
    type TickerExact = NonNullable<Awaited<ReturnType<typeof exact.call<"getTicker">>>>;
    expectTypeOf<TickerExact["price"]>().toMatchTypeOf<number>();
    const exactPrice: number = ({} as TickerExact).price;
    // @ts-expect-error in string mode a price may be the server's text, not a number
    const stringPrice: number = ({} as Ticker).price;
    expect([exactPrice, stringPrice]).toHaveLength(2);

    expectTypeOf(createHubiClient({ ...opts, decimals: "string" })).toEqualTypeOf<HubiClient<"string">>();
    expectTypeOf(createBhexOrgClient({ ...opts, decimals: "number" })).toEqualTypeOf<BhexOrgClient<"number">>();
    // BHEX's helpers type their data as call() does: a decimal field may be text in string mode.
    const bhex = createBhexOrgClient({ ...opts, decimals: "string" });
    type Rate = NonNullable<Awaited<ReturnType<typeof bhex.call<"otcOrderInfo">>>>["recentExecuteRate"];
    expectTypeOf<Rate>().toEqualTypeOf<string | number | undefined>();
    type KeyedRate = NonNullable<Awaited<ReturnType<typeof bhex.callWithKey<"otcOrderInfo">>>["data"]>["recentExecuteRate"];
    expectTypeOf<KeyedRate>().toEqualTypeOf<Rate>();
    type PagedRecord = ReturnType<typeof bhex.paginate<"otcOrderList">> extends AsyncGenerator<infer R> ? R : never;
    expectTypeOf<PagedRecord>().toEqualTypeOf<NonNullable<Awaited<ReturnType<typeof bhex.call<"otcOrderList">>>>[number]>();
    // @ts-expect-error in string mode a paged record's decimal may be the server's text
    const pagedRate: number = ({} as PagedRecord).recentExecuteRate!;
    const exactBhex = createBhexOrgClient(opts);
    type ExactKeyedRate = NonNullable<Awaited<ReturnType<typeof exactBhex.callWithKey<"otcOrderInfo">>>["data"]>["recentExecuteRate"];
    expectTypeOf<ExactKeyedRate>().toEqualTypeOf<NonNullable<Awaited<ReturnType<typeof exactBhex.call<"otcOrderInfo">>>>["recentExecuteRate"]>();
    expect(pagedRate).toBeUndefined();
    expectTypeOf(createXeleClient({ decimals: "string" })).toEqualTypeOf<XeleClient<"string">>();
    // @ts-expect-error not a mode (and at run time a UsageError when the client is made)
    expect(() => createXtClient({ decimals: "float" })).toThrow(/decimals must be one of/);
  });
});
