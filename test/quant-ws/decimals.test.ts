/**
 * The client's `decimals` option types what it decodes: with "string", every `type: number`
 * field of a reply or notification (prices, quantities, balances: `JsonDecimal` in the
 * generated types) is `string | number` (the text the gateway sent for a fraction, a number
 * for an integer literal), so the types never claim a number that is a string at run time.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import type { JsonDecimal } from "../../generated/quant-ws.js";
import { createQuantWsClient, type QuantWsClient, type QuantWsSession } from "../../src/handwritten/quant-ws/index.js";
import { creds, ETH, startMock } from "./helpers.js";

describe("quant-ws decimals option", () => {
  it('"string": decimals arrive as the text sent, and the types say so', async () => {
    const mock = await startMock();
    const client = createQuantWsClient({ url: mock.url, decimals: "string", requestTimeoutMs: 2_000, loginTimeoutMs: 2_000 });
    try {
      expectTypeOf(client).toEqualTypeOf<QuantWsClient<"string">>();
      const session = await client.login(creds());
      expectTypeOf(session).toEqualTypeOf<QuantWsSession<"string">>();
      const info = await session.symbolInfo(ETH);
      expectTypeOf(info.price_tick).toEqualTypeOf<string | number>();
      expectTypeOf(info.size_limit).toEqualTypeOf<string | number | null>();
      expect(typeof info.price_tick).toBe("string");
      expect(Number(info.price_tick)).toBeGreaterThan(0);
      const fill = session.next("fill", 2_000);
      await session.placeOrder({ symbol: ETH, action: "BUY", price: 0, quantity: 0.5, order_type: "MARKET" });
      const f = await fill;
      expectTypeOf(f.quantity).toEqualTypeOf<string | number>();
      expect(f.quantity).toBe("0.5");
      const reply = await session.request("symbol_info", { symbol: ETH });
      expectTypeOf(reply.data).toMatchTypeOf<{ price_tick: string | number } | null | undefined>();
      // Integer fields are not decimals: unchanged.
      expectTypeOf(f.order_no).toEqualTypeOf<string>();
    } finally {
      await client.close();
    }
  });

  it('"exact" (default): decimals are numbers, typed JsonDecimal', async () => {
    const mock = await startMock();
    const client = createQuantWsClient({ url: mock.url, requestTimeoutMs: 2_000, loginTimeoutMs: 2_000 });
    try {
      expectTypeOf(client).toEqualTypeOf<QuantWsClient>();
      const session = await client.login(creds());
      const info = await session.symbolInfo(ETH);
      expectTypeOf(info.price_tick).toEqualTypeOf<JsonDecimal>();
      expect(typeof info.price_tick).toBe("number");
    } finally {
      await client.close();
    }
  });
});
