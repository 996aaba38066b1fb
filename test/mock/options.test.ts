/**
 * Consumers start the emulators from their tests: an option that cannot work is a UsageError
 * naming it before anything listens or is built. A port out of range was a bare RangeError (a
 * port of "x" a pipe name), `pagedRecords: 1e9` filled the memory until the process died, and
 * a NaN delay or count was taken as none.
 */
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/handwritten/core/errors.js";
import { startBhexMock } from "../../src/mock/bhex.js";
import { startHubiMock } from "../../src/mock/hubi.js";
import { MAX_MOCK_RECORDS } from "../../src/mock/options.js";
import { startQuantWsMock } from "../../src/mock/quant-ws.js";
import { startXeleMock } from "../../src/mock/xele.js";
import { startXtMock } from "../../src/mock/xt.js";

describe("emulator options", () => {
  it.each([
    [() => startXtMock({ port: -1 }), "xt: port must be a port number 0-65535, got -1"],
    [() => startXtMock({ port: "x" as never }), 'xt: port must be a port number 0-65535, got "x"'],
    [() => startXtMock({ host: "" }), 'xt: host must be an address to listen on, got ""'],
    [() => startXtMock({ depositRecords: Number.NaN }), `xt: depositRecords must be a whole number from 0 to ${MAX_MOCK_RECORDS}, got NaN`],
    [() => startBhexMock({ port: 70_000 }), "bhex: port must be a port number 0-65535, got 70000"],
    [() => startBhexMock({ pagedRecords: 1e9 }), `bhex: pagedRecords must be a whole number from 0 to ${MAX_MOCK_RECORDS}, got 1000000000`],
    [() => startBhexMock({ pagedRecords: -5 }), `bhex: pagedRecords must be a whole number from 0 to ${MAX_MOCK_RECORDS}, got -5`],
    [() => startHubiMock({ port: 1.5 }), "hubi: port must be a port number 0-65535, got 1.5"],
    [() => startHubiMock({ markPrice: Number.NaN }), "hubi: markPrice must be a finite number above 0, got NaN"],
    [() => startHubiMock({ maxPriceDeviation: -0.1 }), "hubi: maxPriceDeviation must be a finite number of at least 0, got -0.1"],
    [() => startHubiMock({ bookDepth: 0 }), "hubi: bookDepth must be a whole number of contracts from 1, got 0"],
    [() => startHubiMock({ maxClockSkewMs: -1 }), "hubi: maxClockSkewMs must be a finite number of ms, 0 or more, got -1"],
    [() => startHubiMock({ now: "x" } as never), 'hubi: now must be a function, got "x"'],
    [() => startXeleMock({ maPort: -1 }), "xele: maPort must be a port number 0-65535, got -1"],
    [() => startXeleMock({ msPort: 65_536 }), "xele: msPort must be a port number 0-65535, got 65536"],
    [() => startXeleMock({ orders: 1e12 }), "xele: orders must be a whole number from 0 to 10000000, got 1000000000000"],
    [() => startXeleMock({ latencyMs: Number.NaN }), "xele: latencyMs must be a number of ms from 0 to 2147483647 (what a timer holds), got NaN"],
    [() => startXeleMock({ latencyMs: 3e9 }), "xele: latencyMs must be a number of ms from 0 to 2147483647 (what a timer holds), got 3000000000"],
    [() => startQuantWsMock({ port: -1 }), "quant-ws: port must be a port number 0-65535, got -1"],
    [() => startQuantWsMock({ replyDelayMs: Number.NaN }), "quant-ws: replyDelayMs must be a number of ms from 0 to 2147483647 (what a timer holds), got NaN"],
    [() => startQuantWsMock({ readyDelayMs: 2 ** 31 }), "quant-ws: readyDelayMs must be a number of ms from 0 to 2147483647 (what a timer holds), got 2147483648"],
    [() => startQuantWsMock({ idleCheckMs: 3e9 }), "quant-ws: idleCheckMs must be a number of ms from 0 to 2147483647 (what a timer holds), got 3000000000"],
    [() => startQuantWsMock({ reorderWindow: -1 }), "quant-ws: reorderWindow must be a whole number from 0 to 10000, got -1"],
    [() => startQuantWsMock({ maxFrameBytes: 0 }), "quant-ws: maxFrameBytes must be a whole number from 1 to 2147483647, got 0"],
    // A key that is not an option: refused (it was ignored, and `prot: 9999` listened on a random port).
    [() => startXtMock({ prot: 9999 } as never), 'xt: options: "prot" is not an option (did you mean "port"?); the options are port, host, log, accessKey, secretKey, depositRecords, maxClockSkewMs, now, balances, rateLimits, rateLimitLockMs'],
    [() => startBhexMock({ pageRecords: 5 } as never), 'bhex: options: "pageRecords" is not an option (did you mean "pagedRecords"?); the options are port, host, log, accessKey, secretKey, pagedRecords, knownUserIds, downloadForbidden, now, fault, rateLimits, balances'],
    [() => startHubiMock({ markprice: 5 } as never), 'hubi: options: "markprice" is not an option (did you mean "markPrice"?); the options are port, host, log, accessKey, secretKey, accessToken, maxClockSkewMs, now, markPrice, cash, maxPriceDeviation, bookDepth'],
    [() => startXeleMock({ port: 8899 } as never), 'xele: options: "port" is not an option (did you mean "maPort"?); the options are maPort, msPort, host, username, password, log, counterVersion, orderQryHeader, pipeRowsIn, orders, tokenTtlMs, latencyMs'],
    [() => startQuantWsMock({ replyDelay: 5 } as never), 'quant-ws: options: "replyDelay" is not an option (did you mean "replyDelayMs"?); the options are port, host, path, readyDelayMs, idleTimeoutMs, idleCheckMs, replyDelayMs, reorderWindow, answerPings, marks, cancelAllReply, log, maxFrameBytes'],
  ])("%# → %s", async (start, message) => {
    const e = await start().then(
      async (m) => {
        await m.close();
        return undefined;
      },
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toBe(message);
  });

  it("the documented values start each emulator", async () => {
    for (const m of await Promise.all([startXtMock({ port: 0, depositRecords: 0 }), startBhexMock({ pagedRecords: MAX_MOCK_RECORDS }), startHubiMock({ markPrice: 1 }), startXeleMock({ orders: 0, latencyMs: 0 }), startQuantWsMock({ reorderWindow: 0 })])) {
      await m.close();
    }
  });

  it("quant-ws outage(downMs) takes a wait a timer holds (a longer one would end the outage after 1 ms)", async () => {
    const m = await startQuantWsMock();
    try {
      expect(() => m.outage(3e9)).toThrow("quant-ws outage: downMs must be a number of ms from 0 to 2147483647 (what a timer holds), got 3000000000");
      expect(() => m.outage(Number.NaN)).toThrow(UsageError);
    } finally {
      await m.close();
    }
  });
});
