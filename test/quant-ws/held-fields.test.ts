/**
 * A login, and a request made while its session is not READY, send what was checked when they
 * were made: the caller may reuse its object (or list) for the next one while the socket opens
 * or READY comes back. (The login's keys, and an order's fields, were read again after the wait:
 * one login object reused for a second account logged both sessions in as the second; an order's
 * price set to NaN afterwards went out as null, unchecked.)
 */
import { describe, expect, it } from "vitest";
import { createQuantWsClient } from "../../src/handwritten/quant-ws/index.js";
import { ETH, framesOf, startMock } from "./helpers.js";

describe("quant-ws sends what was checked", () => {
  it("a login object changed while the socket opens: each login goes out with the keys it was given", async () => {
    const mock = await startMock();
    const client = createQuantWsClient({ url: mock.url, pingIntervalMs: 0, reconnect: false });
    try {
      const login = { platform: "huobi", symbols: [ETH], accessKey: "key-alice-0001", secretKey: "secret-alice-0001" };
      const first = client.login(login);
      Object.assign(login, { accessKey: "key-bob-0002", secretKey: "secret-bob-0002" });
      login.symbols[0] = "BTC/USDT";
      const second = client.login(login);
      await Promise.all([first, second]);
      expect(framesOf(mock, "login").map((f) => [f.access_key, f.symbols])).toEqual([
        ["key-alice-0001", [ETH]],
        ["key-bob-0002", ["BTC/USDT"]],
      ]);
    } finally {
      await client.close();
    }
  });

  it("a login field's getter is read once: the key checked is the key sent", async () => {
    const mock = await startMock();
    const client = createQuantWsClient({ url: mock.url, pingIntervalMs: 0, reconnect: false });
    try {
      let reads = 0;
      const login = { platform: "huobi", symbols: [ETH], get accessKey() { return ++reads === 1 ? "key-carol-0003" : "key\ncarol"; }, secretKey: "secret-carol-0003" };
      await client.login(login);
      expect(framesOf(mock, "login").map((f) => f.access_key)).toEqual(["key-carol-0003"]);
    } finally {
      await client.close();
    }
  });

  it("an order made while the session waits for READY goes out as it was checked", async () => {
    const mock = await startMock({ readyDelayMs: 10 });
    const client = createQuantWsClient({ url: mock.url, pingIntervalMs: 0, reconnect: false });
    try {
      const session = await client.login({ platform: "huobi", symbols: [ETH], accessKey: "key-dave-0004", secretKey: "secret-dave-0004" });
      mock.outage(200, session.token);
      await expect.poll(() => session.ready).toBe(false);
      const order = { symbol: ETH, action: "BUY" as const, order_type: "LIMIT" as const, price: 1000, quantity: 1 };
      const placed = session.placeOrder(order);
      order.price = Number.NaN;
      order.quantity = 50;
      await placed;
      expect(framesOf(mock, "place_order").map((f) => [f.price, f.quantity])).toEqual([[1000, 1]]);
    } finally {
      await client.close();
    }
  });
});

describe("quant-ws request() fails as a promise", () => {
  it("a field whose getter throws is a rejected promise, not a throw from request()", async () => {
    const mock = await startMock();
    const client = createQuantWsClient({ url: mock.url, pingIntervalMs: 0, reconnect: false });
    try {
      const session = await client.login({ platform: "huobi", symbols: [ETH], accessKey: "key-erin-0005", secretKey: "secret-erin-0005" });
      let asked: Promise<unknown> | undefined;
      expect(() => {
        asked = session.request("position", {
          get symbol(): string {
            throw new Error("getter failed");
          },
        });
      }).not.toThrow();
      await expect(asked).rejects.toThrow("getter failed");
    } finally {
      await client.close();
    }
  });
});
