/**
 * The quant-ws emulator's order numbers are unique across restarts: they started at the vendor
 * example's number (2510832677225473) on every start, so after a restart mid-run a new order
 * had the number of an old one and a service reconciling after the reconnect confused them.
 * They start from the clock (16 digits, as the vendor's example) and past every number given.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createQuantWsClient } from "../../src/handwritten/quant-ws/index.js";
import { startQuantWsMock, type QuantWsMock } from "../../src/mock/quant-ws.js";
import { creds, ETH } from "./helpers.js";

let mock: QuantWsMock | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await mock?.close();
  mock = undefined;
});

/** Start an emulator, place two resting orders, close it: their numbers. */
async function twoOrders(): Promise<string[]> {
  mock = await startQuantWsMock({ readyDelayMs: 10 });
  const client = createQuantWsClient({ url: mock.url, decimals: "number", reconnect: false });
  const session = await client.login(creds({ platform: "huobi" }));
  const place = () => session.placeOrder({ symbol: ETH, action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" });
  const numbers = [await place(), await place()];
  await client.close();
  await mock.close();
  mock = undefined;
  return numbers;
}

describe("quant-ws emulator: order numbers", () => {
  it("a restarted emulator gives numbers no earlier run gave, 16 digits as the vendor's example", async () => {
    const first = await twoOrders();
    const second = await twoOrders();
    for (const n of [...first, ...second]) expect(n).toMatch(/^[1-9]\d{15}$/);
    expect(new Set([...first, ...second]).size).toBe(4);
  });

  it("also when the clock has not moved between the runs", async () => {
    vi.spyOn(Date, "now").mockReturnValue(Date.UTC(2026, 0, 1));
    const first = await twoOrders();
    const second = await twoOrders();
    expect(new Set([...first, ...second]).size).toBe(4);
    expect(BigInt(second[0]!)).toBeGreaterThan(BigInt(first[1]!));
  });
});

/** Start an emulator, fill one order at once (a BUY at the mark), close it: its fill's number. */
async function oneFill(): Promise<string> {
  mock = await startQuantWsMock({ readyDelayMs: 10 });
  mock.setMarkPrice(ETH, 1);
  const client = createQuantWsClient({ url: mock.url, decimals: "number", reconnect: false });
  const session = await client.login(creds({ platform: "huobi" }));
  const fills = session.stream("fill");
  await session.placeOrder({ symbol: ETH, action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" });
  const { value } = await fills[Symbol.asyncIterator]().next();
  await client.close();
  await mock.close();
  mock = undefined;
  return String((value as { fill_no: unknown }).fill_no);
}

describe("quant-ws emulator: fill numbers", () => {
  it("are unique across restarts too, also when the clock has not moved", async () => {
    vi.spyOn(Date, "now").mockReturnValue(Date.UTC(2026, 0, 1));
    const first = await oneFill();
    const second = await oneFill();
    expect(second).not.toBe(first);
    expect(BigInt(second)).toBeGreaterThan(BigInt(first));
  });
});

describe("quant-ws emulator: two side by side", () => {
  it("give numbers of one count (each counted its own from the same start: both gave the same first number)", async () => {
    vi.spyOn(Date, "now").mockReturnValue(Date.UTC(2026, 0, 1));
    const a = await startQuantWsMock({ readyDelayMs: 10 });
    const b = await startQuantWsMock({ readyDelayMs: 10 });
    try {
      const numbers: string[] = [];
      for (const m of [a, b, a, b]) {
        const client = createQuantWsClient({ url: m.url, decimals: "number", reconnect: false });
        const session = await client.login(creds({ platform: "huobi" }));
        numbers.push(await session.placeOrder({ symbol: ETH, action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" }));
        await client.close();
      }
      expect(new Set(numbers).size).toBe(4);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
