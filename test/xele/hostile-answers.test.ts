/**
 * `call()` and `streamRows` against answers a counter (or something in its place) should not
 * send, each crafted by hand on a local server: whatever `call()` resolves to has been checked
 * whole, and the two readers of a "|" row answer agree on it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createXeleClient, type XeleClientOptions } from "../../src/handwritten/xele/client.js";
import { PipeRowsError } from "../../src/handwritten/xele/pipe-rows.js";

const HEAD = (rows: number) => `MS,PosiQry,1.0.3,18,${rows},InvestorId|InvestorName|InstrumentId|BoughtPositionSum|BoughtPosition|OldBoughtPosition|SoldPositionSum|SoldPosition|OldSoldPosition|CloseOldBoughtPosition|CloseOldSoldPosition|LastPrice|UpperLimitPrice|LowerLimitPrice|LongMargin|ShortMargin|Margin|HedgeFlag`;
const ROW = (investor = "777001", bought = "2") => `${investor}|张三|au2212|${bought}|1|1|0|0|0|1|0|400.5000|420.0000|380.0000|80100.0000|0.0000|80100.0000|投机`;

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

/** One server for MA and MS: /login answers a ticket, everything else goes to `answer`. */
async function xeleServer(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.url!.startsWith("/login")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ code: 0, msg: "ok", ticket: "tok-hostile" }));
      } else answer(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const answering = (body: string, contentType = "text/plain") =>
  xeleServer((_req, res) => {
    res.writeHead(200, { "content-type": contentType });
    res.end(body);
  });

const client = (url: string, more: Partial<XeleClientOptions> = {}) => createXeleClient({ maUrl: url, msUrl: url, username: "u", password: "pw-hostile", retry: false, ...more });

const settle = <T>(p: Promise<T>): Promise<{ value?: T; error?: Error }> =>
  p.then(
    (value) => ({ value }),
    (error: Error) => ({ error }),
  );

describe("call() resolves only with rows it has checked", () => {
  it.each([
    ["a bad second (last) row followed by a blank line", `${HEAD(2)}\r\n${ROW()}\r\n${ROW("x", "abc")}\r\n\r\n`, /line 3: column BoughtPositionSum: "abc" is not an integer/],
    ["a second row with an extra field, then a blank line", `${HEAD(2)}\r\n${ROW()}\r\n${ROW()}|extra\r\n\r\n`, /line 3: has 19 fields, expected 18/],
    ["a middle row with a 5000-digit integer", `${HEAD(3)}\n${ROW()}\n${ROW("x", "9".repeat(5000))}\n${ROW()}\n`, /line 3: column BoughtPositionSum: an integer of 5000 digits/],
  ])("%s → PipeRowsError, no rows", async (_name, body, message) => {
    const url = await answering(body);
    const { value, error } = await settle(client(url).call("getPositions", {}));
    expect(value).toBeUndefined();
    expect(error).toBeInstanceOf(PipeRowsError);
    expect(error!.message).toMatch(/^xele getPositions: "\|" row answer: /);
    expect(error!.message).toMatch(message);
  });
});
