/**
 * The HTTP emulators (xt, bhex, hubi, xele) under requests no honest client sends: parameter
 * names and values never reach an object's prototype, no request text makes a regex
 * backtrack, stored state is validated and bounded, and the honest requests that follow work.
 */
import { afterEach, describe, expect, it } from "vitest";
import { compareCells, rowFilter } from "../../src/mock/query-rows.js";
import { startXtMock } from "../../src/mock/xt.js";

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
});
async function started<T extends { close(): Promise<void> }>(p: Promise<T>): Promise<T> {
  const m = await p;
  open.push(m);
  return m;
}

describe("request text names no prototype", () => {
  it("xt getKLine with type=constructor or __proto__ answers numeric times (an unknown type steps 1 min)", async () => {
    const xt = await started(startXtMock());
    for (const type of ["constructor", "__proto__", "toString"]) {
      const r = await fetch(`${xt.url}/data/api/v1/getKLine?market=btc_usdt&type=${type}&since=0`);
      const body = (await r.json()) as { datas: number[][] };
      expect(body.datas.length, type).toBe(60);
      expect(body.datas.every((k) => Number.isFinite(k[0])), type).toBe(true);
      expect(body.datas[1]![0]! - body.datas[0]![0]!).toBe(60);
    }
  });
});

describe("no request text makes a comparison slow", () => {
  const ms = (f: () => unknown) => {
    const t = performance.now();
    f();
    return performance.now() - t;
  };
  it("many digits then a letter is text, told in linear time", () => {
    const long = `${"1".repeat(200_000)}x`;
    expect(ms(() => expect(compareCells(long, "5")).toBeUndefined())).toBeLessThan(200);
    expect(ms(() => expect(compareCells(`-${"9".repeat(200_000)}.5e`, "5")).toBeUndefined())).toBeLessThan(200);
  });
  it("a long integer condition is read once, not once per row, and compared exactly", () => {
    const rows = Array.from({ length: 2_000 }, (_, i) => ({ id: String(i), big: i % 2 ? `1${"0".repeat(30)}` : "7" }));
    const huge = "9".repeat(200_000);
    expect(ms(() => expect(rows.filter(rowFilter({ id: huge }, ["id", "big"]))).toEqual([]))).toBeLessThan(1_000);
    expect(ms(() => expect(rows.filter(rowFilter({ big: { min: `-${huge}`, max: huge } }, ["id", "big"])).length).toBe(2_000))).toBeLessThan(1_000);
    expect(rows.filter(rowFilter({ big: { min: `00${"1".padEnd(31, "0")}`, max: null } }, ["big"])).length).toBe(1_000);
    expect(compareCells("-0", "0")).toBe(0);
    expect(compareCells("-12", "-3")).toBe(-1);
    expect(compareCells("12345678901234567891", "12345678901234567890")).toBe(1);
  });
  it("xt getKLine with an 8 000-digit since then a letter answers at once", async () => {
    const xt = await started(startXtMock());
    const t = performance.now();
    const r = await fetch(`${xt.url}/data/api/v1/getKLine?market=btc_usdt&type=1min&since=${"1".repeat(8_000)}x`);
    expect(r.status).toBe(200);
    expect(performance.now() - t).toBeLessThan(1_000);
  });
});
