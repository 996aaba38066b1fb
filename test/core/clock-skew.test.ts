/**
 * A signed request carries this machine's time (XT's nonce, Hubi's timestamp): when the server
 * refuses one and its answer's Date header is 5 s or more away from the clock the request was
 * signed with, the error says so (`clockSkewMs`, and its message says what to do). A `now`
 * option that adds the difference makes the calls work. (The refusal said only "invalid
 * request": nothing named the clock.)
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { ApiError, TimestampError } from "../../src/handwritten/core/errors.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { HUBI_MOCK_ACCESS_KEY, HUBI_MOCK_ACCESS_TOKEN, HUBI_MOCK_SECRET_KEY, startHubiMock } from "../../src/mock/hubi.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "../../src/mock/xt.js";
import { rejection } from "../helpers/rejection.js";

describe("a refusal of a request signed with a clock the server's differs from", () => {
  it("XT: the stale nonce's refusal names the difference; a now that adds it works", async () => {
    const mock = await startXtMock();
    try {
      const xt = (now: () => number) => createXtClient({ baseUrl: mock.url, accessKey: XT_MOCK_ACCESS_KEY, secretKey: XT_MOCK_SECRET_KEY, rateLimit: false, now });
      const e = (await rejection(xt(() => Date.now() - 120_000).call("getBalance"))) as ApiError;
      expect(e).toBeInstanceOf(ApiError);
      expect(e.clockSkewMs).toBeGreaterThan(118_000);
      expect(e.clockSkewMs).toBeLessThan(122_000);
      expect(e.message).toMatch(/; the server's clock is 12[01] s ahead of this machine's \(its answer's Date header\), and a signed request carries this machine's time: set the clock right, or give the client a `now` that adds the difference$/);
      expect(JSON.parse(JSON.stringify(e))).toMatchObject({ clockSkewMs: e.clockSkewMs });
      await expect(xt(() => Date.now()).call("getBalance")).resolves.toBeDefined();
      // the order's refusal too; not marked outcomeUnknown (a refusal)
      const order = (await rejection(xt(() => Date.now() + 90_000).call("order", { market: "btc_usdt", price: 1, number: 1, type: 1, entrustType: 0 }))) as ApiError;
      expect([order.clockSkewMs! < -88_000, order.message.includes("s behind this machine's"), order.outcomeUnknown]).toEqual([true, true, undefined]);
    } finally {
      await mock.close();
    }
  });

  it("Hubi: ILLEGAL_TIMESTAMP names the difference", async () => {
    const mock = await startHubiMock();
    try {
      const hubi = createHubiClient({ baseUrl: mock.url, accessKey: HUBI_MOCK_ACCESS_KEY, secretKey: HUBI_MOCK_SECRET_KEY, accessToken: HUBI_MOCK_ACCESS_TOKEN, now: () => Date.now() - 600_000 });
      const e = (await rejection(hubi.call("queryAccounts"))) as ApiError;
      expect(e).toBeInstanceOf(TimestampError);
      expect(Math.round(e.clockSkewMs! / 1000)).toBeGreaterThanOrEqual(599);
      expect(e.message).toContain("s ahead of this machine's (its answer's Date header)");
    } finally {
      await mock.close();
    }
  });

  it("not named: a difference under 5 s, an error that is no refusal, an answer without a Date, an API that signs no time", async () => {
    let date: string | undefined;
    let body = JSON.stringify({ code: 400, info: "bad request" });
    const server = createServer((_req, res) => {
      res.sendDate = false;
      res.writeHead(200, { "content-type": "application/json", ...(date ? { date } : {}) });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const xt = createXtClient({ baseUrl: url, accessKey: "ak", secretKey: "sk", rateLimit: false, retry: false });
      date = new Date(Date.now() + 2_000).toUTCString();
      expect(((await rejection(xt.call("getBalance"))) as ApiError).clockSkewMs).toBeUndefined();
      date = undefined;
      expect(((await rejection(xt.call("getBalance"))) as ApiError).clockSkewMs).toBeUndefined();
      date = new Date(Date.now() + 300_000).toUTCString();
      expect(((await rejection(xt.call("getBalance"))) as ApiError).clockSkewMs).toBeGreaterThan(290_000);
      body = JSON.stringify({ code: 104, info: "unknown error, try again later" }); // (kind unavailable)
      expect(((await rejection(xt.call("getBalance"))) as ApiError).clockSkewMs).toBeUndefined();
      body = JSON.stringify({ code: 30001, msg: "invalid parameter" });
      const bhex = createBhexOrgClient({ baseUrl: url, accessKey: "ak", secretKey: "sk", retry: false });
      const b = (await rejection(bhex.call("basicTime"))) as ApiError;
      expect([b instanceof ApiError, b.clockSkewMs]).toEqual([true, undefined]);
    } finally {
      server.close();
    }
  });
});
