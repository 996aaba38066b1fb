import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthError } from "../../src/handwritten/core/errors.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { PipeRowsError } from "../../src/handwritten/xele/pipe-rows.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME, type XeleMock } from "../../src/mock/xele.js";

const ROWS = 200_000;
const MB = 1024 * 1024;

let mock: XeleMock;
beforeAll(async () => {
  mock = await startXeleMock({ orders: ROWS });
});
afterAll(() => mock.close());

const client = () => createXeleClient({ maUrl: mock.maUrl, msUrl: mock.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD });

interface Measured {
  n: number;
  last: string;
  outOfOrder: number;
  peakLive: number;
  peakRss: number;
  node: string;
}

/**
 * Read the answer in a child process (test/xele/fixtures/stream-memory-child.ts) and measure
 * there: only the client is in that process (the emulator, its buffers and vitest stay here),
 * memory is sampled after a full GC, and the young generation is pinned to one size. V8's
 * default young generation differs between Node versions (Node 24 lets it grow to 64 MB where
 * Node 20 stops at 32 MB): RSS then measures V8's sizing policy, not what the decoder keeps
 * (measured on Node 24.22.3 in one process: live heap +3 MB, RSS +73 MB, of which new space
 * +32 MB; with --max-semi-space-size=16, RSS +49 MB).
 */
async function measure(mode: "stream" | "whole"): Promise<Measured> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--expose-gc", "--max-semi-space-size=16", "--import", "tsx", "test/xele/fixtures/stream-memory-child.ts", mock.maUrl, mock.msUrl, mode],
    { maxBuffer: MB },
  );
  return JSON.parse(stdout) as Measured;
}

describe("streaming a 200 000-row order query", () => {
  // The answer is ~38 MB of UTF-8; decoded whole (client.call) it keeps ~85 MB alive. Streamed,
  // the live memory grows by a few MB (the current chunk and line).
  it.each(["body", "result"] as const)("rows in the %s: every row, in order, with bounded memory", async (pipeRowsIn) => {
    mock.settings.pipeRowsIn = pipeRowsIn;
    const m = await measure("stream");
    expect(m.n).toBe(ROWS);
    expect(m.outOfOrder).toBe(0);
    expect(m.last).toBe(String(12345678901234567890n + BigInt(ROWS - 1)));
    // Loose bounds; a decoder that buffers the answer exceeds the live bound several times over.
    expect(m.peakLive, JSON.stringify(m)).toBeLessThan(24 * MB);
    expect(m.peakRss, JSON.stringify(m)).toBeLessThan(96 * MB);
  }, 120_000);

  it("the measurement sees a decoder that holds the answer: 60 000 rows decoded whole exceed the bound", async () => {
    mock.settings.pipeRowsIn = "body";
    mock.settings.orders = 60_000;
    try {
      const m = await measure("whole");
      expect(m.n).toBe(60_000);
      expect(m.peakLive, JSON.stringify(m)).toBeGreaterThan(24 * MB);
    } finally {
      mock.settings.orders = ROWS;
    }
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

  it("a malformed JSON envelope is a PipeRowsError naming the operation, as call() gives (it named none)", async () => {
    const fetch: typeof globalThis.fetch = async (input) =>
      String(input).includes("/login")
        ? new Response('{"ticket":"t-123456"}', { headers: { "content-type": "application/json" } })
        : new Response('{"code":0,#', { headers: { "content-type": "application/json" } });
    const c = createXeleClient({ maUrl: "http://ma.test", msUrl: "http://ms.test", username: "u", password: "p", fetch });
    const err = await (async () => {
      for await (const _ of c.streamRows("queryOrders")) void _;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipeRowsError);
    expect(err).toMatchObject({ api: "xele", operation: "queryOrders", problem: "envelope" });
    expect((err as Error).message).toBe('xele queryOrders: "|" row answer: unexpected "#" in the JSON envelope');
  });
});
