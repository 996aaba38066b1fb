/**
 * Balances as huobi_future writes them: decimal text ("%.8f"), where the vendor doc types them as
 * numbers. The spec takes either (BalanceAmount), read as sent in every decimals mode: the
 * default client refused every asset reply and notification of the vendor doc's own example
 * platform. Text that is no decimal is still refused.
 */
import { describe, expect, it } from "vitest";
import { createServer } from "node:http";
import { WebSocketServer } from "ws";
import { createQuantWsClient, decodeFrame, QuantWsFrameError } from "../../src/handwritten/quant-ws/index.js";
import { creds, ETH, setup } from "./helpers.js";
import { rejection } from "../helpers/rejection.js";

describe("asset balances as decimal text (huobi_future)", () => {
  it.each(["exact", "string", "number"] as const)("decimals %s: the asset reply and notifications are taken, the text as sent", async (decimals) => {
    const { client } = await setup({}, { decimals });
    const session = await client.login(creds({ platform: "huobi_future" }));
    const assets = session.stream("asset");
    const balances = await session.asset();
    expect(balances.USDT).toEqual({ free: "100000.00000000", locked: "0.00000000", total: "100000.00000000" });
    await session.placeOrder({ symbol: ETH, action: "BUY", price: 0, quantity: 1, order_type: "MARKET" });
    const pushed = await assets.next();
    expect(typeof (pushed.value as Record<string, { free: unknown }>).USDT!.free).toBe("string");
    await client.close();
  });

  it.each(["exact", "string", "number"] as const)("decimals %s: a number in exponent form (1e-08, as C++ and Python write small doubles) is still a number", (decimals) => {
    const frame = JSON.stringify({ op: "asset", cid: "c", result: true, error_message: "", data: { BTC: { free: 1e-8, locked: 0, total: 1e-8 } } }).replace(/1e-8/g, "1e-08");
    const decoded = decodeFrame(frame, decimals);
    expect(decoded.kind).toBe("reply");
    const data = (decoded as { frame: { data: Record<string, { free: unknown }> } }).frame.data;
    expect(data.BTC!.free).toBe(decimals === "string" ? "1e-08" : 1e-8);
  });

  it("on other platforms they stay numbers", async () => {
    const { client } = await setup();
    const session = await client.login(creds({ platform: "huobi" }));
    expect((await session.asset()).USDT).toEqual({ free: 100_000, locked: 0, total: 100_000 });
    await client.close();
  });

  it("text that is no decimal is a frame error naming the field", async () => {
    const http = createServer();
    const wss = new WebSocketServer({ server: http });
    wss.on("connection", (ws) =>
      ws.on("message", (raw) => {
        const f = JSON.parse(String(raw)) as { op: string; cid?: string };
        if (f.op === "login") {
          ws.send(JSON.stringify({ op: "login", cid: f.cid, result: true, error_message: "", token: "t" }));
          ws.send(JSON.stringify({ op: "state", token: "t", code: 6, msg: "" }));
        } else if (f.op === "asset") ws.send(JSON.stringify({ op: "asset", cid: f.cid, result: true, error_message: "", data: { USDT: { free: "lots", locked: "0", total: "1" } } }));
      }),
    );
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
    try {
      const client = createQuantWsClient({ url: `ws://127.0.0.1:${(http.address() as { port: number }).port}/ws/v1`, reconnect: false });
      const session = await client.login(creds({ platform: "huobi_future" }));
      const e = await rejection(session.asset());
      expect(e).toBeInstanceOf(QuantWsFrameError);
      expect((e as Error).message).toMatch(/USDT\.free/);
      await client.close();
    } finally {
      wss.close();
      await new Promise<void>((r) => http.close(() => r()));
    }
  });
});
