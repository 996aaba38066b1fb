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

describe("a success answer holding such a decimal (XT order)", () => {
  const ORDER = { market: "btc_usdt", price: 1, number: 1, type: 1 as const, entrustType: 0 as const };
  const keys = { accessKey: "ak-visible", secretKey: "sk-hidden-0123456789" };

  it("is a DecimalPrecisionError that says the server accepted it, carries its answer (decimals as text) and is not outcomeUnknown", async () => {
    const text = '{"code":200,"info":"success","data":{"id":"6216559590087220004","fee":0.12345678901234567890123}}';
    const xt = createXtClient({ ...keys, fetch: recordingFetch(answer(text)).fetch, retry: false, rateLimit: false });
    const err = await xt.call("order", ORDER).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecimalPrecisionError);
    const e = err as DecimalPrecisionError;
    expect(e).toMatchObject({ operation: "order", path: "data.fee", literal: "0.12345678901234567890123" });
    expect(e.body).toEqual({ code: 200, info: "success", data: { id: "6216559590087220004", fee: "0.12345678901234567890123" } });
    expect(e.outcomeUnknown).toBeUndefined();
    expect(e.message).toMatch(/The server accepted the request \(do not send it again\)/);
    expect(e.toJSON()).toMatchObject({ body: { data: { id: "6216559590087220004" } } });
  });

  it("so is one whose decimal field holds an integer beyond 2^53 that no double holds (the schema's check)", async () => {
    const text = TICKER.replace("123456789.123456789", "12345678901234567891");
    const xt = createXtClient({ fetch: recordingFetch(answer(text)).fetch, retry: false, rateLimit: false });
    const e = (await xt.call("getTicker", { market: "btc_usdt" }).catch((x: unknown) => x)) as DecimalPrecisionError;
    expect(e).toBeInstanceOf(DecimalPrecisionError);
    expect(e).toMatchObject({ path: "price", literal: "12345678901234567891" });
    expect(e.body).toMatchObject({ price: 12345678901234567891n, rate: "1.39" });
  });

  it("an answer that gives its envelope's code twice is refused as such (outcomeUnknown), never read as accepted", async () => {
    const text = '{"code":500,"info":"system error","code":200,"data":{"id":"6216559590087220004","fee":0.12345678901234567890123}}';
    const xt = createXtClient({ ...keys, fetch: recordingFetch(answer(text)).fetch, retry: false, rateLimit: false });
    const e = (await xt.call("order", ORDER).catch((x: unknown) => x)) as DecimalPrecisionError;
    expect(e).not.toBeInstanceOf(DecimalPrecisionError);
    expect(e.message).toMatch(/"code" twice/);
    expect(e.outcomeUnknown).toBe(true);
  });

  it("a secret the server echoes in that answer is redacted from the body", async () => {
    const text = `{"code":200,"info":"success","data":{"id":"1","echo":"${keys.secretKey}","fee":0.12345678901234567890123}}`;
    const xt = createXtClient({ ...keys, fetch: recordingFetch(answer(text)).fetch, retry: false, rateLimit: false });
    const e = (await xt.call("order", ORDER).catch((x: unknown) => x)) as DecimalPrecisionError;
    expect(e).toBeInstanceOf(DecimalPrecisionError);
    expect(JSON.stringify(e.body)).not.toContain(keys.secretKey);
  });

  it("a vendor error code in a 200 holding such a decimal is that ApiError, not a complaint about its number", async () => {
    const text = '{"code":124,"info":"insufficient balance","data":{"need":0.12345678901234567890123}}';
    const xt = createXtClient({ ...keys, fetch: recordingFetch(answer(text)).fetch, retry: false, rateLimit: false });
    const err = await xt.call("order", ORDER).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(DecimalPrecisionError);
    expect(err).toMatchObject({ code: 124, operation: "order" });
  });

  it("a read's answer: the error carries it too (and nothing else changes)", async () => {
    const xt = createXtClient({ fetch: recordingFetch(answer(TICKER)).fetch, retry: false, rateLimit: false });
    const e = (await xt.call("getTicker", { market: "btc_usdt" }).catch((x: unknown) => x)) as DecimalPrecisionError;
    expect(e.body).toMatchObject({ price: "123456789.123456789", moneyVol: 2 });
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
