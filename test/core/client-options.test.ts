/**
 * Client options are checked when the client is made: a wrong one was taken as something else
 * (`rateLimit: "yes"`, `allAsPost: "no"` as true), or failed later as a bare TypeError in the
 * middle of a call (`fetch: 5`, `signatureVariant: "x"`, `now: 5`), and a `signal` that is not
 * an AbortSignal threw out of a wait's listener (an uncaught exception). Each is a UsageError
 * naming the option and what it takes; nothing is sent.
 */
import { describe, expect, it } from "vitest";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { UsageError } from "../../src/handwritten/core/errors.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { createQuantWsClient } from "../../src/handwritten/quant-ws/index.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { json, recordingFetch } from "../helpers/recording-fetch.js";

const KEYS = { accessKey: "k", secretKey: "s" };
const refused = (make: () => unknown, message: string) => {
  expect(make).toThrow(UsageError);
  expect(make).toThrow(message);
};

describe("options every REST client takes", () => {
  const makers: Array<[string, (o: object) => unknown]> = [
    ["xt", (o) => createXtClient({ ...KEYS, ...o })],
    ["hubi", (o) => createHubiClient({ ...KEYS, ...o })],
    ["bhex", (o) => createBhexOrgClient({ ...KEYS, ...o })],
    ["xele", (o) => createXeleClient({ username: "u", password: "p", ...o })],
  ];
  it.each([
    [{ timeoutMs: Number.NaN }, "timeoutMs must be a number of ms above 0 and at most 2147483647, got NaN"],
    [{ timeoutMs: "5" }, 'timeoutMs must be a number of ms above 0 and at most 2147483647, got "5"'],
    [{ fetch: 5 }, "fetch must be a function, got 5"],
    [{ onEvent: "log" }, 'onEvent must be a function, got "log"'],
    [{ signal: "x" }, "signal must be an AbortSignal, got string"],
    [{ signal: {} }, "signal must be an AbortSignal, got object"],
    [{ decimals: "float" }, 'decimals must be one of "exact", "string", "number", got "float"'],
  ])("%o → UsageError on every client", (opts, message) => {
    for (const [api, make] of makers) {
      expect(() => make(opts), api).toThrow(UsageError);
      expect(() => make(opts), api).toThrow(`${api}: ${message}`);
    }
  });

  it("rateLimit must be true, false or a shared RateLimiter", () => {
    for (const make of [(o: object) => createXtClient({ ...KEYS, ...o }), (o: object) => createBhexOrgClient({ ...KEYS, ...o }), (o: object) => createHubiClient({ ...KEYS, ...o })]) {
      refused(() => make({ rateLimit: "yes" }), 'rateLimit must be true, false or a shared RateLimiter, got "yes"');
      refused(() => make({ rateLimit: 5 }), "rateLimit must be true, false or a shared RateLimiter, got number");
      for (const ok of [true, false]) expect(() => make({ rateLimit: ok })).not.toThrow();
    }
  });

  it("a per-call signal that is not an AbortSignal is a UsageError naming the operation; nothing is sent", async () => {
    const { fetch, calls } = recordingFetch(() => json({ code: 200, info: "success", data: {} }));
    const xt = createXtClient({ ...KEYS, fetch, baseUrl: "https://xt.test" });
    const e = await xt.call("getBalance", undefined, { signal: "x" as unknown as AbortSignal }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toBe("xt getBalance: the call option signal must be an AbortSignal, got string");
    expect(calls).toHaveLength(0);
    // An AbortSignal-shaped object (another realm's) is taken.
    const ac = new AbortController();
    const shaped = { aborted: false, reason: undefined, addEventListener: ac.signal.addEventListener.bind(ac.signal), removeEventListener: ac.signal.removeEventListener.bind(ac.signal) };
    expect(() => createXtClient({ ...KEYS, fetch, signal: shaped as unknown as AbortSignal })).not.toThrow();
  });

  it("a signer that fails (a `now` that returns no time) is a UsageError from the call, not a bare RangeError; nothing is sent", async () => {
    const { fetch, calls } = recordingFetch(() => json({ code: 200, info: "success", data: {} }));
    const xt = createXtClient({ ...KEYS, fetch, baseUrl: "https://xt.test", now: () => Number.NaN });
    const e = await xt.call("getBalance").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toMatch(/^xt getBalance: the request cannot be signed: XT nonce must be a 13-digit millisecond timestamp, got NaN$/);
    expect(calls).toHaveLength(0);
  });
});

describe("each API's own options", () => {
  it.each([
    [() => createXtClient({ ...KEYS, batchDataSigning: "raw" as never }), 'xt: batchDataSigning must be one of "decoded", "base64", got "raw"'],
    [() => createXtClient({ ...KEYS, signatureVariant: "x" as never }), 'xt: signatureVariant must be one of "java", "raw", "python", got "x"'],
    [() => createXtClient({ ...KEYS, now: 5 as never }), "xt: now must be a function, got 5"],
    [() => createHubiClient({ ...KEYS, now: "now" as never }), 'hubi: now must be a function, got "now"'],
    [() => createHubiClient({ ...KEYS, signatureValues: "encoded" as never }), 'hubi: signatureValues must be one of "raw", "url-encoded", got "encoded"'],
    [() => createHubiClient({ ...KEYS, signatureMethodHeader: "yes" as never }), 'hubi: signatureMethodHeader must be true or false, got "yes"'],
    [() => createHubiClient({ ...KEYS, seqStart: -1 }), "hubi: seqStart must be a whole number, 0 or more, got -1"],
    [() => createBhexOrgClient({ ...KEYS, allAsPost: "no" as never }), 'bhex: allAsPost must be true or false, got "no"'],
    [() => createBhexOrgClient({ ...KEYS, signatureVariant: "x" as never }), 'bhex: signatureVariant must be one of "java", "python", "php", got "x"'],
    [() => createBhexOrgClient({ ...KEYS, newIdempotencyKey: 5 as never }), "bhex: newIdempotencyKey must be a function, got 5"],
    [() => createXeleClient({ maxInFlight: 0 }), "xele: maxInFlight must be a whole number, 1 or more, got 0"],
    [() => createXeleClient({ maxInFlight: { MS: 1.5 } }), "xele: maxInFlight.MS must be a whole number, 1 or more, got 1.5"],
    [() => createXeleClient({ firstSerialNo: 70_000 }), "xele: firstSerialNo must be a whole number from 0 to 65535, got 70000"],
    [() => createXeleClient({ operator: 5 as never }), "xele: operator must be a string, got number"],
    [() => createQuantWsClient({ decimals: "float" as never }), 'quant-ws createQuantWsClient: decimals must be one of "exact", "string", "number", got "float"'],
    [() => createQuantWsClient({ notReady: "queue" as never }), 'quant-ws createQuantWsClient: notReady must be one of "wait", "fail", got "queue"'],
  ])("%# → %s", (make, message) => refused(make, message));
});

describe("options that are not an object", () => {
  const NOT_OBJECTS: Array<[unknown, string]> = [
    [null, "null"],
    ["XT_ACCESS_KEY", "string"],
    [5, "number"],
    [[{ accessKey: "k" }], "an array"],
    [() => ({}), "function"],
  ];
  it.each(NOT_OBJECTS)("%o given to a factory or an emulator is a UsageError (a string made a client without credentials; null was a TypeError)", async (options, got) => {
    const { startBhexMock, startHubiMock, startQuantWsMock, startXeleMock, startXtMock } = await import("../../src/mock/index.js");
    const factories: Array<[string, (o: never) => unknown]> = [
      ["xt", createXtClient],
      ["hubi", createHubiClient],
      ["bhex", createBhexOrgClient],
      ["xele", createXeleClient],
      ["quant-ws", createQuantWsClient],
    ];
    for (const [api, make] of factories) refused(() => make(options as never), `options must be an object of options, got ${got}`);
    for (const start of [startXtMock, startBhexMock, startHubiMock, startXeleMock, startQuantWsMock]) {
      const e: unknown = await (start as (o: unknown) => Promise<{ close(): Promise<void> }>)(options).then(
        async (m) => (await m.close(), undefined),
        (err: unknown) => err,
      );
      expect(e, start.name).toBeInstanceOf(UsageError);
      expect((e as Error).message, start.name).toContain(`options must be an object of options, got ${got}`);
    }
  });

  it("call options that are not an object are a UsageError naming the operation; nothing is sent", async () => {
    const { fetch, calls } = recordingFetch(() => json({ code: 200, info: "ok", data: {} }));
    const xt = createXtClient({ ...KEYS, baseUrl: "http://127.0.0.1:9", fetch, rateLimit: false });
    for (const [opts, got] of NOT_OBJECTS.filter(([o]) => o !== null)) {
      await expect(xt.call("getBalance", {}, opts as never)).rejects.toThrow(`xt getBalance: the call options must be an object of options, got ${got}`);
    }
    await expect(xt.call("getBalance", {}, null as never)).rejects.toThrow(/the call options must be an object of options, got null/);
    expect(calls).toHaveLength(0);
  });
});
