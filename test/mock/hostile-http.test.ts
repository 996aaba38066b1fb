/**
 * The HTTP emulators (xt, bhex, hubi, xele) under requests no honest client sends: parameter
 * names and values never reach an object's prototype, no request text makes a regex
 * backtrack, stored state is validated and bounded, and the honest requests that follow work.
 */
import { afterEach, describe, expect, it } from "vitest";
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
