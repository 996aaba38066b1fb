/**
 * Answer values the vendor documents only by example, or by a list elsewhere in its documents:
 * a value outside what the spec lists would fail the whole call (ResponseFormatError), losing
 * every other record of a list, or an order's id after it was placed.
 */
import { describe, expect, it } from "vitest";
import { meta as bhexDocs } from "../../generated/bhex-org.docs.js";
import { meta as hubiDocs } from "../../generated/hubi-futures.docs.js";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";

const exampleOf = (meta: typeof hubiDocs, id: string): any => JSON.parse(meta.operations.find((o) => o.operationId === id)!.responses["200"]!.example!);
const answering = (body: unknown) => (async () => new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } })) as typeof fetch;

describe("answer values outside the documents' examples", () => {
  it("Hubi: an order whose tif is not DAY (the only value the vendor document shows) is read as sent", async () => {
    const orders = exampleOf(hubiDocs, "queryOrdersPro");
    orders.push({ ...orders[0], id: "second", tif: "GTC" });
    const hubi = createHubiClient({ accessKey: "a", secretKey: "s", accessToken: "t", baseUrl: "https://hubi.test", fetch: answering(orders), retry: false });
    const got = (await hubi.call("queryOrdersPro", {} as never)) as Array<{ id: string; tif: string }>;
    expect(got.map((o) => [o.id, o.tif])).toEqual([
      ["string", "DAY"],
      ["second", "GTC"],
    ]);
  });

  it("BHEX: an order created as MARKET_OF_QUOTE (OrderTypeEnum 3 of the common document) keeps its orderId", async () => {
    const answer = exampleOf(bhexDocs as never, "orderCreate");
    answer.data.type = "MARKET_OF_QUOTE";
    const bhex = createBhexOrgClient({ accessKey: "a", secretKey: "s", baseUrl: "https://broker.test", fetch: answering(answer), rateLimit: false, retry: false });
    const order = (await bhex.call("orderCreate", { user_id: 1, exchange_id: 1, symbol_id: "ATUSDT", type: "market", side: "buy", quantity: "10" })) as { orderId: unknown; type: string };
    expect(order.type).toBe("MARKET_OF_QUOTE");
    expect(String(order.orderId)).toBe("394003445757047808");
  });
});
