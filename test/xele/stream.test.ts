import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthError } from "../../src/handwritten/core/errors.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { PipeRowsError } from "../../src/handwritten/xele/pipe-rows.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME, type XeleMock } from "../../src/mock/xele.js";

const ROWS = 200_000;
const MB = 1024 * 1024;

// Live memory (after a full GC), not garbage awaiting collection, is what streaming bounds.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

let mock: XeleMock;
beforeAll(async () => {
  mock = await startXeleMock({ orders: ROWS });
});
afterAll(() => mock.close());

const client = () => createXeleClient({ maUrl: mock.maUrl, msUrl: mock.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD });

describe("streaming a 200 000-row order query", () => {
  // The answer is ~38 MB of UTF-8; decoded whole (client.call) it keeps ~85 MB alive. Streamed,
  // the live heap grows by a few MB (the current chunk and line).
  it.each(["body", "result"] as const)("rows in the %s: every row, in order, with bounded memory", async (pipeRowsIn) => {
    mock.settings.pipeRowsIn = pipeRowsIn;
    const c = client();
    await c.login();
    gc();
    const base = process.memoryUsage();
    let peakHeap = 0;
    let peakRss = 0;
    let n = 0;
    let last: bigint | number | null | undefined;
    for await (const row of c.streamRows("queryOrders")) {
      if (n % 20_000 === 0) {
        gc();
        const m = process.memoryUsage();
        peakHeap = Math.max(peakHeap, m.heapUsed - base.heapUsed);
        peakRss = Math.max(peakRss, m.rss - base.rss);
        expect(row.OrderSysId).toBe(1000 + n);
      }
      last = row.ExchangeOrderId;
      n++;
    }
    expect(n).toBe(ROWS);
    expect(last).toBe(12345678901234567890n + BigInt(ROWS - 1));
    // Loose bounds; a decoder that buffers the answer exceeds the heap bound several times over.
    expect(peakHeap).toBeLessThan(24 * MB);
    expect(peakRss).toBeLessThan(96 * MB);
  }, 120_000);

  it("stopping early releases the connection and the in-flight slot", async () => {
    mock.settings.pipeRowsIn = "body";
    const c = client();
    let n = 0;
    for await (const _row of c.streamRows("queryOrders")) if (++n === 10) break;
    expect(c.inFlight.MS.inFlight).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(mock.stats.inFlight.MS).toBe(0);
  });

  it("a stream whose token expired logs in again before the first row", async () => {
    mock.settings.orders = 5;
    const c = client();
    await c.login();
    mock.expireTokens();
    const rows = [];
    for await (const row of c.streamRows("queryOrders", { max_result_count: 5 })) rows.push(row.toJSON());
    expect(rows).toHaveLength(5);
    expect(c.session.loginCount).toBe(2);
    mock.settings.orders = ROWS;
  });

  it("errors: a rejected token after re-login, and a truncated answer, are thrown", async () => {
    const bad = createXeleClient({ maUrl: mock.maUrl, msUrl: mock.msUrl, username: XELE_MOCK_USERNAME, password: "wrong" });
    await expect((async () => {
      for await (const _ of bad.streamRows("queryOrders")) void _;
    })()).rejects.toBeInstanceOf(AuthError);

    // A server that announces 3 rows and sends 2.
    const head = "MS,OrderQry,1.0.3,4,3,InvestorId|OrderSysId|ExchangeOrderId|MFL";
    const fetch: typeof globalThis.fetch = async (input) =>
      String(input).includes("/login")
        ? new Response('{"ticket":"t-123456"}', { headers: { "content-type": "application/json" } })
        : new Response(`${head}\n777001|1|1|1\n777001|2|2|1\n`, { headers: { "content-type": "text/plain" } });
    const c = createXeleClient({ maUrl: "http://ma.test", msUrl: "http://ms.test", username: "u", password: "p", fetch });
    const seen: unknown[] = [];
    const err = await (async () => {
      for await (const row of c.streamRows("queryOrders")) seen.push(row.OrderSysId);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([1, 2]);
    expect(err).toBeInstanceOf(PipeRowsError);
    expect((err as Error).message).toMatch(/^xele queryOrders: .*truncated/);
  });
});
