/**
 * A key that is not an option is refused, not ignored. `timeoutMS` for `timeoutMs`, or
 * `retry: { retries: 1 }` (the name other retry libraries use) for `maxAttempts`, used to be
 * dropped without a word: the client ran with the default timeout and three attempts. Each is
 * now a UsageError naming the key, the option it is closest to, and the options there are,
 * for every factory, every nested options object, and the options of each call.
 */
import { describe, expect, it } from "vitest";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { UsageError } from "../../src/handwritten/core/errors.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { createQuantWsClient } from "../../src/handwritten/quant-ws/index.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { rejection } from "../helpers/rejection.js";
import { json, recordingFetch } from "../helpers/recording-fetch.js";
import { creds, isOp, setup } from "../quant-ws/helpers.js";

const KEYS = { accessKey: "ak-names-1", secretKey: "sk-names-1" };
const MAKERS: Array<[string, (o: object) => unknown, string]> = [
  ["xt", (o) => createXtClient({ ...KEYS, ...o }), "xt: "],
  ["hubi", (o) => createHubiClient({ ...KEYS, ...o }), "hubi: "],
  ["bhex", (o) => createBhexOrgClient({ ...KEYS, ...o }), "bhex: "],
  ["xele", (o) => createXeleClient({ username: "u", password: "pw-names-1", ...o }), "xele: "],
  ["quant-ws", (o) => createQuantWsClient({ url: "ws://127.0.0.1:9", ...o }), "quant-ws createQuantWsClient: "],
];

function usage(make: () => unknown): UsageError {
  try {
    make();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error("expected a UsageError");
}

describe.each(MAKERS)("%s: client options", (_api, make, prefix) => {
  it("a misspelt option is a UsageError naming it, the option meant and the options there are", () => {
    const [typo, meant] = _api === "quant-ws" ? ["requestTimeoutMS", "requestTimeoutMs"] : ["timeoutMS", "timeoutMs"];
    const e = usage(() => make({ [typo]: 5_000 }));
    expect(e.message.startsWith(`${prefix}options: "${typo}" is not an option (did you mean "${meant}"?); the options are `)).toBe(true);
  });

  it("a misspelt key given undefined is taken as not given, as a call's parameters are", () => {
    expect(() => make({ timeoutMS: undefined, colour: undefined })).not.toThrow();
  });

  it("a key far from every option: no guess, the list", () => {
    const e = usage(() => make({ colour: "blue" }));
    expect(e.message).toMatch(/: "colour" is not an option; the options are \w+(, \w+)+$/);
  });

  it("every option the list names is taken (given as undefined)", () => {
    const names = usage(() => make({ colour: 1 })).message.replace(/.*the options are /, "").split(", ");
    expect(names.length).toBeGreaterThan(8);
    expect(() => make(Object.fromEntries(names.map((n) => [n, undefined])))).not.toThrow();
  });

  it("retry options: `retries` is not `maxAttempts`", () => {
    const field = _api === "quant-ws" ? "retryReads" : "retry";
    const e = usage(() => make({ [field]: { retries: 1 } }));
    expect(e.message).toBe(`${prefix}${field}: "retries" is not an option; the options are maxAttempts, baseDelayMs, maxDelayMs, sleep, random`);
  });
});

describe("nested options objects", () => {
  it.each([
    ["bhex idempotentRetry", () => createBhexOrgClient({ ...KEYS, idempotentRetry: { maxAtempts: 2 } as never }), 'bhex: idempotentRetry: "maxAtempts" is not an option (did you mean "maxAttempts"?)'],
    ["xele maxInFlight", () => createXeleClient({ username: "u", password: "p", maxInFlight: { ma: 3 } as never }), 'xele: maxInFlight: "ma" is not an option (did you mean "MA"?); the options are MA, MS'],
    ["quant-ws reconnect", () => createQuantWsClient({ url: "ws://127.0.0.1:9", reconnect: { maxRetries: 3 } as never }), 'quant-ws createQuantWsClient: reconnect: "maxRetries" is not an option'],
    ["quant-ws repeatLogin", () => createQuantWsClient({ url: "ws://127.0.0.1:9", repeatLogin: { window: 3 } as never }), 'quant-ws createQuantWsClient: repeatLogin: "window" is not an option'],
  ])("%s", (_what, make, message) => {
    expect(usage(make).message).toContain(message);
  });

  it("a key the length of a file is shown cut, and not compared", () => {
    const started = performance.now();
    const e = usage(() => createXtClient({ ...KEYS, ["x".repeat(1_000_000)]: 1 } as never));
    expect(e.message.length).toBeLessThan(400);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe("a call's parameters", () => {
  it("an unknown parameter names the one meant, and the parameters there are; nothing is sent", async () => {
    const rec = recordingFetch(() => json({ code: 200, info: "SUCCESS", data: {} }));
    const xt = createXtClient({ ...KEYS, fetch: rec.fetch, rateLimit: false });
    await expect(xt.call("getOrder", { market: "btc_usdt", id: 1, iD: 2 } as never)).rejects.toThrow('xt getOrder: unknown parameter "iD" (did you mean "id"?); this operation takes: market, id');
    await expect(xt.call("getOrder", { market: "btc_usdt", id: 1, colour: 2, iD: 3 } as never)).rejects.toThrow('xt getOrder: unknown parameters "colour", "iD"; this operation takes: market, id');
    await expect(xt.call("getOrder", { market: "btc_usdt", id: 1, colour: 2 } as never)).rejects.toThrow('xt getOrder: unknown parameter "colour"; this operation takes: market, id');
    expect(rec.calls).toHaveLength(0);
  });
});

describe("the options of one call", () => {
  it("REST: `timeoutMS` is refused before anything is sent, naming the operation", async () => {
    const rec = recordingFetch(() => json({ code: 200, info: "SUCCESS", data: {} }));
    const xt = createXtClient({ ...KEYS, fetch: rec.fetch, rateLimit: false });
    const e = await rejection(xt.call("getBalance", {}, { timeoutMS: 5 } as never));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toBe('xt getBalance: the call options: "timeoutMS" is not an option (did you mean "timeoutMs"?); the options are signal, timeoutMs');
    await expect(xt.batchCancel("btc_usdt", [1], { signl: AbortSignal.timeout(1_000) } as never)).rejects.toThrow('xt batchCancel: the call options: "signl" is not an option (did you mean "signal"?)');
    expect(rec.calls).toHaveLength(0);
    await xt.call("getBalance", {}, { timeoutMs: 5_000, signal: undefined });
    expect(rec.calls).toHaveLength(1);
  });

  it("Xele: the same for call() (saveClientSystemExport's `overwrite`: test/xele/client.test.ts)", async () => {
    const rec = recordingFetch(() => json({ code: 0, msg: "", ticket: "tk" }));
    const xele = createXeleClient({ username: "u", password: "pw-names-1", fetch: rec.fetch });
    const e = await rejection(xele.call("getSystemInfo", undefined, { timeout: 5 } as never));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toBe('xele getSystemInfo: the call options: "timeout" is not an option (did you mean "timeoutMs"?); the options are signal, timeoutMs');
    expect(rec.calls).toHaveLength(0);
  });

  it("quant-ws: a request's and cancelAll's options", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const e = await rejection(session.asset({ timeout: 5 } as never));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toBe('quant-ws asset: the request options: "timeout" is not an option (did you mean "timeoutMs"?); the options are timeoutMs, signal, notReady');
    await expect(session.cancelAll("BTC/USDT", { notready: "fail" } as never)).rejects.toThrow('quant-ws cancel_order: the request options: "notready" is not an option (did you mean "notReady"?)');
    expect(mock.received.filter(isOp("asset"))).toHaveLength(0);
    await session.asset({ timeoutMs: 5_000 });
  });

  it("quant-ws: stream()'s options, and their values (a NaN maxBuffered ended the stream at its first event)", async () => {
    const { client } = await setup();
    const session = await client.login(creds());
    for (const [opts, message] of [
      [{ maxBuffer: 5 }, 'quant-ws stream: the stream options: "maxBuffer" is not an option (did you mean "maxBuffered"?); the options are signal, gaps, maxBuffered, maxBufferedChars'],
      [{ maxBuffered: Number.NaN }, "quant-ws stream: maxBuffered must be a whole number, 1 or more (or Infinity), got NaN"],
      [{ maxBuffered: "100" }, 'quant-ws stream: maxBuffered must be a whole number, 1 or more (or Infinity), got "100"'],
      [{ signal: "stop" }, "quant-ws stream: signal must be an AbortSignal"],
    ] as const) {
      expect(() => session.stream("order", opts as never), message).toThrow(message);
      expect(() => client.stream("error", opts as never), message).toThrow(UsageError);
    }
    const ok = session.stream("order", { maxBuffered: Infinity, signal: AbortSignal.timeout(10_000) });
    await ok.return?.();
  });
});
