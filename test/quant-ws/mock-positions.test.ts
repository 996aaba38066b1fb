/**
 * The quant-ws emulator's positions and balances, as the vendor's document has them: on a
 * contract the sign of `quantity` names the position an order acts on (BUY opens a long and
 * closes a short, SELL the reverse), margin is held while a position is open, and nothing goes
 * below zero; on spot, a SELL reduces what was bought. An order that crosses the mark fills at
 * the mark. (Before: the sign was dropped, positions only grew, a contract SELL without
 * anything to sell added cash and a negative coin, and a spot BUY + SELL showed long 1 and short 1.)
 */
import { afterEach, describe, expect, it } from "vitest";
import { createQuantWsClient } from "../../src/handwritten/quant-ws/index.js";
import { startQuantWsMock, type QuantWsMock } from "../../src/mock/quant-ws.js";
import { UsageError } from "../../src/handwritten/core/errors.js";
import { creds, ETH } from "./helpers.js";

let mock: QuantWsMock | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

async function login(platform: string) {
  mock = await startQuantWsMock({ readyDelayMs: 10 });
  const client = createQuantWsClient({ url: mock.url, decimals: "number", reconnect: false });
  const session = await client.login(creds({ platform }));
  const position = async () => {
    const p = await session.position(ETH);
    return { long: p.long_quantity, longAvail: p.long_avail_qty, short: p.short_quantity, shortAvail: p.short_avail_qty };
  };
  const usdt = async () => {
    const a = (await session.asset()) as Record<string, { free: number | string; locked: number | string; total: number | string }>;
    const b = a.USDT!;
    return { free: Number(b.free), locked: Number(b.locked), total: Number(b.total) };
  };
  const place = (action: "BUY" | "SELL", quantity: number, price = 0) =>
    session.placeOrder({ symbol: ETH, action, price, quantity, order_type: price === 0 ? "MARKET" : "LIMIT" });
  return { client, session, position, usdt, place, mock: mock! };
}

describe("quant-ws emulator: contract positions (huobi_future)", () => {
  it("BUY +q opens a long, SELL +q closes it; SELL -q opens a short, BUY -q closes it; the margin is held meanwhile", async () => {
    const { client, position, usdt, place } = await login("huobi_future");
    await place("BUY", 5);
    expect(await position()).toEqual({ long: 5, longAvail: 5, short: 0, shortAvail: 0 });
    expect(await usdt()).toEqual({ free: 90_000, locked: 10_000, total: 100_000 }); // 5 × 2 000
    await place("SELL", 5);
    expect(await position()).toEqual({ long: 0, longAvail: 0, short: 0, shortAvail: 0 });
    expect(await usdt()).toEqual({ free: 100_000, locked: 0, total: 100_000 });
    await place("SELL", -3);
    expect(await position()).toEqual({ long: 0, longAvail: 0, short: 3, shortAvail: 3 });
    expect(await usdt()).toEqual({ free: 94_000, locked: 6_000, total: 100_000 });
    await place("BUY", -1);
    expect(await position()).toEqual({ long: 0, longAvail: 0, short: 2, shortAvail: 2 });
    expect(await usdt()).toEqual({ free: 96_000, locked: 4_000, total: 100_000 });
    await client.close();
  });

  it("cannot close more than the position holds, resting closing orders counted; a cancel gives it back", async () => {
    const { client, session, position, place } = await login("huobi_future");
    await expect(place("SELL", 1)).rejects.toThrow(/Insufficient position: the long position cannot close 1/);
    await expect(place("BUY", -1)).rejects.toThrow(/Insufficient position: the short position cannot close 1/);
    await place("BUY", 2);
    const resting = await place("SELL", 2, 3_000); // above the mark: rests
    expect(await position()).toEqual({ long: 2, longAvail: 0, short: 0, shortAvail: 0 });
    await expect(place("SELL", 1)).rejects.toThrow(/Insufficient position/);
    await session.cancelOrder(ETH, [resting]);
    expect(await position()).toEqual({ long: 2, longAvail: 2, short: 0, shortAvail: 0 });
    await client.close();
  });

  it("closing realises the profit or loss at the mark; a loss is never more than the margin (no balance below zero)", async () => {
    const { client, position, usdt, place, mock } = await login("huobi_future");
    await place("BUY", 10); // long 10 at 2 000: 20 000 margin
    mock.setMarkPrice(ETH, 2_500);
    await place("SELL", 4); // +4 × 500
    expect(await usdt()).toEqual({ free: 90_000, locked: 12_000, total: 102_000 });
    mock.setMarkPrice(ETH, 1_000);
    await place("SELL", 6); // -6 × 1 000
    expect(await usdt()).toEqual({ free: 96_000, locked: 0, total: 96_000 });
    await place("SELL", -10); // short 10 at 1 000: 10 000 margin
    mock.setMarkPrice(ETH, 5_000); // a loss of 40 000: only the margin is charged
    await place("BUY", -10);
    expect(await usdt()).toEqual({ free: 86_000, locked: 0, total: 86_000 });
    expect(await position()).toEqual({ long: 0, longAvail: 0, short: 0, shortAvail: 0 });
    await expect(place("SELL", -1_000)).rejects.toThrow(/Insufficient balance/); // 5 000 000 of margin
    await client.close();
  });

  it("exact: a hundred opens and closes of 0.1 leave the position flat and the margin at 0", async () => {
    const { client, position, usdt, place } = await login("huobi_future");
    for (let i = 0; i < 30; i++) await place("BUY", 0.1);
    for (let i = 0; i < 30; i++) await place("SELL", 0.1);
    expect(await position()).toEqual({ long: 0, longAvail: 0, short: 0, shortAvail: 0 });
    expect(await usdt()).toEqual({ free: 100_000, locked: 0, total: 100_000 });
    await client.close();
  });
});

describe("quant-ws emulator: spot positions and fills", () => {
  it("a SELL reduces what was bought (long 1 then flat, never a short); the coins move", async () => {
    const { client, session, position, usdt, place } = await login("huobi");
    await place("BUY", 1);
    expect(await position()).toEqual({ long: 1, longAvail: 1, short: 0, shortAvail: 0 });
    await place("SELL", 1);
    expect(await position()).toEqual({ long: 0, longAvail: 0, short: 0, shortAvail: 0 });
    expect(await usdt()).toEqual({ free: 100_000, locked: 0, total: 100_000 });
    await expect(place("SELL", -1)).rejects.toThrow(/Invalid price or quantity/);
    expect((await session.asset()).ETH).toEqual({ free: 10, locked: 0, total: 10 }); // the account's 10, as before
    await client.close();
  });

  it("a LIMIT order that crosses the mark fills at the mark, not at its limit", async () => {
    const { client, session, usdt, place } = await login("huobi");
    const fills = session.stream("fill");
    await place("BUY", 1, 5_000); // mark 2 000
    expect((await fills.next()).value).toMatchObject({ price: 2_000, quantity: 1 });
    expect(await usdt()).toEqual({ free: 98_000, locked: 0, total: 98_000 });
    await client.close();
  });

  it("setMarkPrice refuses what is not a symbol or a price above 0", async () => {
    const { client, mock } = await login("huobi");
    expect(() => mock.setMarkPrice("ETH-USDT", 1)).toThrow(UsageError);
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, "2000" as never]) expect(() => mock.setMarkPrice(ETH, bad)).toThrow(/price must be a number above 0/);
    await client.close();
  });
});
