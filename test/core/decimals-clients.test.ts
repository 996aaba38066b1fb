/**
 * The `decimals` option reaches every decoder: a decimal a double cannot hold is never
 * rounded silently (DecimalPrecisionError naming the field and the option), "string" keeps the
 * server's text, "number" rounds by choice.
 */
import { describe, expect, it } from "vitest";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { DecimalPrecisionError } from "../../src/handwritten/core/json.js";
import { decodeFrame, QuantWsFrameError } from "../../src/handwritten/quant-ws/index.js";
import { recordingFetch } from "../helpers/recording-fetch.js";

const TICKER = '{"high":1.5,"moneyVol":2,"rate":1.39,"low":1.25,"price":123456789.123456789,"ask":1.75,"bid":1.5,"coinVol":3}';
const answer = (text: string, status = 200) => () => new Response(text, { status, headers: { "content-type": "application/json" } });

describe("decimals through the HTTP transport (XT getTicker)", () => {
  it("default: DecimalPrecisionError with api, operation, field path and the option to use", async () => {
    const xt = createXtClient({ fetch: recordingFetch(answer(TICKER)).fetch, retry: false, rateLimit: false });
    const err = await xt.call("getTicker", { market: "btc_usdt" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecimalPrecisionError);
    expect(err).toMatchObject({ api: "xt", operation: "getTicker", path: "price", literal: "123456789.123456789" });
    expect((err as Error).message).toMatch(/^xt getTicker: .*decimals: "string"/);
  });

  it('"string": every decimal exactly as sent', async () => {
    const xt = createXtClient({ fetch: recordingFetch(answer(TICKER)).fetch, decimals: "string", rateLimit: false });
    await expect(xt.call("getTicker", { market: "btc_usdt" })).resolves.toEqual({ high: "1.5", moneyVol: 2, rate: "1.39", low: "1.25", price: "123456789.123456789", ask: "1.75", bid: "1.5", coinVol: 3 });
  });

  it('"number": the nearest double, chosen', async () => {
    const xt = createXtClient({ fetch: recordingFetch(answer(TICKER)).fetch, decimals: "number", rateLimit: false });
    await expect(xt.call("getTicker", { market: "btc_usdt" })).resolves.toEqual({ high: 1.5, moneyVol: 2, rate: 1.39, low: 1.25, price: 123456789.12345679, ask: 1.75, bid: 1.5, coinVol: 3 });
  });

  it("an error answer is still mapped when it holds such a decimal", async () => {
    const body = '{"code":300,"info":"bad","data":{"x":0.12345678901234567890123}}';
    const xt = createXtClient({ fetch: recordingFetch(answer(body, 400)).fetch, retry: false, rateLimit: false, accessKey: "k", secretKey: "s" });
    const err = await xt.call("getBalance").catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(DecimalPrecisionError);
    expect(err).toMatchObject({ code: 300 });
  });
});

describe("decimals in quant-ws frames", () => {
  const frame = '{"op":"asset","cid":"c7","result":true,"error_message":"","data":{"USDT":{"free":0.1234567890123456789,"locked":0,"total":0.1234567890123456789}}}';

  it("default: the frame is refused as inexact-number and names its cid (its request fails now)", () => {
    const err = (() => {
      try {
        return decodeFrame(frame);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(QuantWsFrameError);
    expect(err).toMatchObject({ problem: "inexact-number", cid: "c7", field: "data.USDT.free" });
  });

  it('"string" and "number" decode it', () => {
    expect(JSON.stringify(decodeFrame(frame, "string"))).toContain('"free":"0.1234567890123456789"');
    expect(JSON.stringify(decodeFrame(frame, "number"))).toContain('"free":0.12345678901234568');
  });
});
